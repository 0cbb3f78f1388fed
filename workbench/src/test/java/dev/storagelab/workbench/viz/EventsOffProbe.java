package dev.storagelab.workbench.viz;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.BenchData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a JVM of its own by {@link VizServerTest}: fills a B+tree and an LSM tree with a listener
 * attached and prints how many events each reported, as {@code btree=N lsm=M}. With
 * {@code -Dstoragelab.events=off} both must be 0: the guards test the switch before the listener.
 */
public final class EventsOffProbe {

    private EventsOffProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        AtomicLong tree = new AtomicLong();
        AtomicLong lsm = new AtomicLong();
        try (BPlusTree t = BPlusTree.open(DiskStorage.open(Files.createDirectories(dir.resolve("tree"))))) {
            t.setEventListener(e -> tree.incrementAndGet());
            for (int i = 0; i < 3000; i++) {
                t.put(Bytes.wrap(BenchData.keyBytes(i)), Bytes.wrap(new byte[100]));
            }
            t.checkpoint();
        }
        try (LsmStore s =
                LsmStore.open(DiskStorage.open(Files.createDirectories(dir.resolve("lsm"))), LsmOptions.tiny())) {
            s.setEventListener(e -> lsm.incrementAndGet());
            Random random = new Random(42);
            for (int i = 0; i < 1500; i++) {
                s.put(Bytes.wrap(BenchData.keyBytes(random.nextInt(6000))), Bytes.wrap(BenchData.valueBytes(random)));
            }
        }
        System.out.println("btree=" + tree.get() + " lsm=" + lsm.get());
    }
}
