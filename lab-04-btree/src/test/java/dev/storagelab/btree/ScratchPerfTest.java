package dev.storagelab.btree;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScratchPerfTest {
    @Test
    void perf() throws Exception {
        Path dir = Files.createTempDirectory("perf");
        int n = 300_000;
        Random r = new Random(1);
        byte[] v = new byte[100];
        try (BPlusTree t = BPlusTree.open(DiskStorage.open(dir), BTreeOptions.defaults().withPoolFrames(4096))) {
            long s = System.nanoTime();
            for (int i = 0; i < n; i++) {
                t.put(Bytes.of(String.format("%016d", r.nextInt(1_000_000_000))), Bytes.wrap(v));
            }
            long e = System.nanoTime();
            System.out.printf("put: %.0f ns/op%n", (e - s) / (double) n);
            s = System.nanoTime();
            t.checkpoint();
            System.out.printf("checkpoint: %.1f ms%n", (System.nanoTime() - s) / 1e6);
            r = new Random(1);
            s = System.nanoTime();
            int hits = 0;
            for (int i = 0; i < n; i++) {
                hits += t.get(Bytes.of(String.format("%016d", r.nextInt(1_000_000_000)))).isPresent() ? 1 : 0;
            }
            e = System.nanoTime();
            System.out.printf("get: %.0f ns/op hits %d%n", (e - s) / (double) n, hits);
            System.out.println(TreeDump.stats(t) + " " + t.poolStats());
        }
    }
}
