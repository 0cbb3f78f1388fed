package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ScratchModelTest {

    @Test
    void randomOps() throws Exception {
        for (int seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            FaultInjectingStorage st = new FaultInjectingStorage(seed);
            BTreeOptions o = BTreeOptions.defaults().withPageSize(512).withPoolFrames(16)
                    .withReplacer(seed % 2 == 0 ? Replacer.Kind.LRU : Replacer.Kind.LRU_2);
            BPlusTree t = BPlusTree.open(st, o);
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            int keySpace = 50 + r.nextInt(2000);
            String before = "";
            for (int op = 0; op < 3000; op++) {
                before = TreeDump.text(t);
                int kind = r.nextInt(10);
                Bytes k = Bytes.of(String.format("k%0" + (1 + r.nextInt(12)) + "d", r.nextInt(keySpace)));
                if (kind < 5) {
                    Bytes v = Bytes.wrap(new byte[r.nextInt(60)]);
                    t.put(k, v);
                    model.put(k, v);
                } else if (kind < 9) {
                    t.delete(k);
                    model.remove(k);
                } else if (r.nextInt(20) == 0) {
                    t.close();
                    t = BPlusTree.open(st, o);
                } else {
                    assertThat(t.get(k), equalTo(Optional.ofNullable(model.get(k))));
                }
                try {
                    Invariants.check(t);
                } catch (AssertionError e) {
                    throw new AssertionError("seed " + seed + " op " + op + " kind " + kind + " key " + k + " before:\n" + before, e);
                }
            }
            Invariants.check(t);
            List<Bytes> got = new ArrayList<>();
            try (EntryIterator it = t.scan(null, null)) {
                it.forEachRemaining(e -> got.add(e.key()));
            }
            assertThat(got, equalTo(new ArrayList<>(model.keySet())));
            List<Bytes> rev = new ArrayList<>();
            try (EntryIterator it = t.scanReverse(null, null)) {
                it.forEachRemaining(e -> rev.add(e.key()));
            }
            assertThat(rev, equalTo(new ArrayList<>(model.descendingKeySet())));
            t.close();
            // bulk load
            FaultInjectingStorage st2 = new FaultInjectingStorage(seed);
            BPlusTree b = BPlusTree.open(st2, o);
            List<Entry> es = new ArrayList<>();
            for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
                es.add(Entry.put(e.getKey(), e.getValue()));
            }
            b.bulkLoad(es.iterator(), 0.5 + r.nextDouble() / 2);
            Invariants.check(b);
            for (Bytes k : model.keySet()) {
                assertThat(b.get(k), equalTo(Optional.of(model.get(k))));
            }
            b.close();
        }
    }
}
