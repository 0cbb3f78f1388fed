package dev.storagelab.kvstore.hidden;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The child of {@link KvStoreKillHiddenTest}: 16 threads commit to a {@link KvStore} on disk under
 * group commit, with checkpoints every 32 KiB of log and garbage collection every 20 ms; thread
 * {@code t}'s commit {@code i} sets {@code t/last = i} and adds the key {@code t/i}. A printer
 * thread prints line {@code n} once at least {@code 16 (n + 1)} commits have returned. It never
 * closes the store: it is killed with SIGKILL.
 */
public final class CommitUntilKilled {

    static final int THREADS = 16;

    private CommitUntilKilled() {}

    static KvOptions options(KvOptions.EngineKind engine) {
        return KvOptions.defaults()
                .withEngine(engine)
                .withCheckpointLogBytes(32 << 10)
                .withGcInterval(Duration.ofMillis(20))
                .withBtree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(64))
                .withLsm(LsmOptions.tiny().withBackgroundWork(true));
    }

    static Bytes last(int thread) {
        return Bytes.of(String.format("t%02d/last", thread));
    }

    static Bytes commitKey(int thread, long i) {
        return Bytes.of(String.format("t%02d/%08d", thread, i));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CommitUntilKilled DIRECTORY BTREE|LSM");
        }
        KilledChild.exitWhenParentDies();
        KvStore store = KvStore.open(Path.of(args[0]), options(KvOptions.EngineKind.valueOf(args[1])));
        AtomicLongArray acked = new AtomicLongArray(THREADS);
        for (int t = 0; t < THREADS; t++) {
            acked.set(t, -1);
            int thread = t;
            Thread w = new Thread(
                    () -> {
                        for (long i = 0; ; i++) {
                            while (true) {
                                try (Transaction txn = store.begin()) {
                                    txn.put(last(thread), Bytes.of(Long.toString(i)));
                                    txn.put(commitKey(thread, i), Bytes.of("x".repeat(24)));
                                    txn.commit();
                                    break;
                                } catch (ConflictException e) {
                                    // nobody else writes these keys; retry anyway
                                } catch (IOException | RuntimeException e) {
                                    e.printStackTrace();
                                    Runtime.getRuntime().halt(2);
                                }
                            }
                            acked.set(thread, i);
                        }
                    },
                    "committer-" + t);
            w.setDaemon(true);
            w.start();
        }
        long printed = 0;
        while (true) {
            long total = 0;
            for (int t = 0; t < THREADS; t++) {
                total += acked.get(t) + 1;
            }
            while ((printed + 1) * THREADS <= total) {
                System.out.println(printed++);
            }
            System.out.flush();
            Thread.sleep(2);
        }
    }
}
