package dev.storagelab.lsm.hidden;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.WriteBatch;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * The child of {@link ChildProcessCrashHiddenTest}: writes one batch per round to an LSM store on
 * disk (8 KiB memtables, so flushes and compactions run all the time on the background threads),
 * syncs, and prints the round's number once the sync returned. It never closes the store: it is
 * killed with SIGKILL.
 */
public final class SyncUntilKilled {

    static final LsmOptions OPTIONS = LsmOptions.tiny().withBackgroundWork(true);
    static final Bytes ROUND = Bytes.of("~round");

    private SyncUntilKilled() {}

    private static Bytes key(int k) {
        return Bytes.of(String.format("key%05d", k));
    }

    /** Round {@code r}: 40 puts and deletes over 1,500 keys, and the round marker, as one batch. */
    static WriteBatch batch(int r) {
        WriteBatch b = new WriteBatch();
        for (int j = 0; j < 40; j++) {
            int k = (r * 37 + j * 101) % 1500;
            if (j % 9 == 8) {
                b.delete(key(k));
            } else {
                b.put(key(k), Bytes.of("r" + r + "-" + j + "-" + "v".repeat(20)));
            }
        }
        return b.put(ROUND, Bytes.of(Integer.toString(r)));
    }

    /** The store's contents after rounds {@code 0 .. rounds - 1}. */
    static TreeMap<Bytes, Bytes> model(int rounds) {
        TreeMap<Bytes, Bytes> m = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            batch(r).operations().forEach(e -> {
                if (e.isTombstone()) {
                    m.remove(e.key());
                } else {
                    m.put(e.key(), e.value());
                }
            });
        }
        return m;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SyncUntilKilled DIRECTORY");
        }
        KilledChild.exitWhenParentDies();
        LsmStore store = LsmStore.open(DiskStorage.open(Path.of(args[0])), OPTIONS);
        for (int r = 0; ; r++) {
            store.write(batch(r));
            store.sync();
            System.out.println(r);
            System.out.flush();
        }
    }
}
