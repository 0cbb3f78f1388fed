package dev.storagelab.kvstore.bench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvOptions.EngineKind;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * "Why do databases write data twice?", measured: {@code THREADS} threads put a 16-byte key and a
 * 100-byte value per commit into a {@link KvStore} on disk ({@code COMMITS} commits in all, keys
 * drawn uniformly from {@code KEYS}), then a checkpoint makes everything durable in the engine too.
 * The store's storage is wrapped so that every byte written is counted by the kind of file it went
 * to: the log's segments ({@code *.wal}), the checkpoint record ({@code CHECKPOINT}), and the
 * engine's files (the B+tree's page file; the LSM tree's tables, MANIFEST and CURRENT). Beside them
 * the engines' own counters (the B+tree's page writes, the LSM tree's flush and compaction bytes)
 * and the kernel's count of pages this process dirtied ({@code write_bytes} of /proc/self/io: a
 * page forced and then appended to again counts again, which is what a force per small commit
 * costs the device).
 *
 * <p>A plain {@link KvStore#put} can throw a {@link ConflictException} when two threads put the
 * same key at once (its own retries can all come before the winner is visible): the writer then
 * puts again; {@code putsRetriedAfterConflict} counts those, and each key and value is counted once.
 *
 * <p>Write amplification = bytes written / user bytes (key + value of every put). One row per
 * engine and sync mode at a checkpoint every 1 MiB of log, and GROUP at 4 and 16 MiB.
 *
 * <pre>
 * java -cp &lt;lab-06 test classpath&gt; dev.storagelab.kvstore.bench.WriteTwice DIR OUT.json [quick]
 * </pre>
 */
public final class WriteTwice {

    static final int THREADS = 8;
    static final int KEYS = 100_000;
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 100;

    private WriteTwice() {}

    /** One configuration to measure. */
    record Config(EngineKind engine, SyncMode mode, long checkpointLogBytes) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: WriteTwice DIR OUT.json [quick]");
            System.exit(2);
        }
        boolean quick = args.length > 2 && args[2].equals("quick");
        Files.writeString(Path.of(args[1]), run(Files.createDirectories(Path.of(args[0])), quick));
    }

    static List<Config> configs(boolean quick) {
        List<Config> configs = new ArrayList<>();
        long small = quick ? 16L << 10 : 1L << 20;
        for (EngineKind engine : EngineKind.values()) {
            for (SyncMode mode : new SyncMode[] {SyncMode.NONE, SyncMode.GROUP, SyncMode.EVERY_WRITE}) {
                configs.add(new Config(engine, mode, small));
            }
            if (!quick) {
                configs.add(new Config(engine, SyncMode.GROUP, 4L << 20));
                configs.add(new Config(engine, SyncMode.GROUP, 16L << 20));
            }
        }
        return configs;
    }

    static String run(Path base, boolean quick) throws Exception {
        int commits = quick ? 400 : 60_000;
        List<String> rows = new ArrayList<>();
        System.out.printf(
                "%-6s %-12s %9s %8s %10s %10s %10s %10s %8s %8s %8s %s%n",
                "engine",
                "mode",
                "ckpt",
                "secs",
                "user MB",
                "log MB",
                "engine MB",
                "kernel MB",
                "log WA",
                "eng WA",
                "total",
                "load");
        for (Config c : configs(quick)) {
            Path dir = Files.createTempDirectory(base, "write-twice");
            try {
                rows.add(measure(dir, c, commits));
            } finally {
                Bench.deleteTree(dir);
            }
        }
        return new Json()
                .field("threads", THREADS)
                .field("keys", KEYS)
                .field("keyBytes", KEY_BYTES)
                .field("valueBytes", VALUE_BYTES)
                .field("commits", commits)
                .field("fileSystem", Bench.fileSystem(base))
                .array("runs", rows)
                .toString();
    }

    static String measure(Path dir, Config c, int commits) throws Exception {
        String loadBefore = Bench.loadavg();
        ClassifyingStorage storage = new ClassifyingStorage(DiskStorage.open(dir));
        KvOptions options = KvOptions.defaults()
                .withEngine(c.engine())
                .withSyncMode(c.mode())
                .withCheckpointLogBytes(c.checkpointLogBytes());
        long kernelBefore;
        long t0;
        double seconds;
        Json row = new Json();
        try (KvStore kv = KvStore.open(storage, options)) {
            AtomicLong next = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            LongAdder conflicts = new LongAdder();
            kernelBefore = Bench.processWriteBytes();
            t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(1000 + t);
                Thread thread = new Thread(
                        () -> {
                            byte[] value = new byte[VALUE_BYTES];
                            try {
                                while (next.getAndIncrement() < commits && failure.get() == null) {
                                    random.nextBytes(value);
                                    Bytes key = RecoveryTime.key(random.nextInt(KEYS));
                                    while (true) {
                                        try {
                                            kv.put(key, Bytes.copyOf(value));
                                            break;
                                        } catch (ConflictException e) {
                                            // KvStore.put's own retries can all fall inside the window in which
                                            // the winner is committed but not yet visible: wait a little, put again
                                            conflicts.increment();
                                            Thread.sleep(0, 100_000);
                                        }
                                    }
                                }
                            } catch (IOException | RuntimeException e) {
                                failure.compareAndSet(null, e);
                            } catch (InterruptedException e) {
                                failure.compareAndSet(null, e);
                            }
                        },
                        "writer-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() instanceof RuntimeException e) {
                throw e; // as it is: a student release's "... is not implemented yet" stays the message
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a commit failed: " + failure.get(), failure.get());
            }
            kv.checkpoint(); // everything durable in the engine as well as in the log
            seconds = (System.nanoTime() - t0) / 1e9;
            KvStore.Stats s = kv.stats();
            if (s.maintenanceFailure() != null) {
                throw new IllegalStateException("background work failed", s.maintenanceFailure());
            }
            long user = (long) commits * (KEY_BYTES + VALUE_BYTES);
            long kernel = Bench.processWriteBytes() - kernelBefore;
            long log = storage.logBytes.sum();
            long engine = storage.engineBytes.sum();
            long ckpt = storage.checkpointBytes.sum();
            row.field("engine", c.engine().name().toLowerCase(Locale.ROOT))
                    .field("syncMode", c.mode().name())
                    .field("checkpointLogBytes", c.checkpointLogBytes())
                    .field("commits", commits)
                    .field("seconds", seconds)
                    .field("commitsPerSecond", commits / seconds)
                    .field("userBytes", user)
                    .field("walStatsBytes", s.wal().bytes())
                    .field("logFileBytes", log)
                    .field("engineFileBytes", engine)
                    .field("checkpointFileBytes", ckpt)
                    .field("logForces", storage.logForces.sum())
                    .field("engineForces", storage.engineForces.sum())
                    .field("directorySyncs", storage.dirSyncs.sum())
                    .field("checkpoints", s.checkpoints())
                    .field("walCommitGroups", s.wal().commitGroups())
                    .field("kernelWriteBytes", kernel)
                    .field("logWA", (double) log / user)
                    .field("engineWA", (double) engine / user)
                    .field("totalWA", (double) (log + engine + ckpt) / user)
                    .field("kernelWA", kernel < 0 ? Double.NaN : (double) kernel / user)
                    .field("gcRemoved", s.gc().toString())
                    .field("putsRetriedAfterConflict", conflicts.sum());
            OrderedStore e = ((Engine.Adapter) kv.writeAheadStore().engine()).unwrap();
            if (e instanceof BPlusTree tree) {
                row.field("btreePageWrites", tree.poolStats().pageWrites())
                        .field("btreePageSize", options.btree().pageSize())
                        .field(
                                "btreePageWriteBytes",
                                tree.poolStats().pageWrites() * options.btree().pageSize());
            } else if (e instanceof LsmStore lsm) {
                LsmStore.Stats ls = lsm.stats();
                row.field("lsmFlushBytes", ls.flushBytes())
                        .field("lsmCompactionBytesWritten", ls.compactionBytesWritten())
                        .field("lsmCompactionBytesRead", ls.compactionBytesRead())
                        .field("lsmTableBytes", ls.tableBytes());
            }
            row.field("loadavgBefore", loadBefore).field("loadavg", Bench.loadavg());
            System.out.printf(
                    Locale.ROOT,
                    "%-6s %-12s %9d %8.1f %10.2f %10.2f %10.2f %10.2f %8.2f %8.2f %8.2f %s%n",
                    c.engine().name().toLowerCase(Locale.ROOT),
                    c.mode(),
                    c.checkpointLogBytes(),
                    seconds,
                    user / 1e6,
                    log / 1e6,
                    engine / 1e6,
                    kernel / 1e6,
                    (double) log / user,
                    (double) engine / user,
                    (double) (log + engine + ckpt) / user,
                    Bench.loadavg());
        }
        storage.close();
        return row.toString();
    }

    /** Counts the bytes written and the forces by the kind of file: log, checkpoint record, engine. */
    static final class ClassifyingStorage extends ForwardingStorage {
        final LongAdder logBytes = new LongAdder();
        final LongAdder checkpointBytes = new LongAdder();
        final LongAdder engineBytes = new LongAdder();
        final LongAdder logForces = new LongAdder();
        final LongAdder engineForces = new LongAdder();
        final LongAdder dirSyncs = new LongAdder();

        ClassifyingStorage(Storage delegate) {
            super(delegate);
        }

        @Override
        public WritableFile create(String name) throws IOException {
            return counted(name, super.create(name));
        }

        @Override
        public WritableFile openAppend(String name) throws IOException {
            return counted(name, super.openAppend(name));
        }

        @Override
        public void syncDirectory() throws IOException {
            super.syncDirectory();
            dirSyncs.increment();
        }

        private WritableFile counted(String name, WritableFile f) {
            boolean isLog = name.endsWith(".wal");
            LongAdder bytes = isLog ? logBytes : name.startsWith("CHECKPOINT") ? checkpointBytes : engineBytes;
            return CountingStorage.counting(f, bytes, isLog ? logForces : engineForces);
        }
    }
}
