package dev.storagelab.btree;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScratchBulkTest {
    @Test
    void bulk() throws Exception {
        for (int n : new int[] {1, 2, 5, 10, 20, 40, 200, 1000, 5000}) {
            BPlusTree b = BPlusTree.open(new FaultInjectingStorage(), BTreeOptions.defaults().withPageSize(512).withPoolFrames(16));
            List<Entry> es = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                es.add(Entry.put(Bytes.of(String.format("k%04d", i)), Bytes.wrap(new byte[30])));
            }
            b.bulkLoad(es.iterator(), 0.9);
            if (n < 50) System.out.println("n=" + n + "\n" + TreeDump.text(b));
            Invariants.check(b);
        }
    }
}
