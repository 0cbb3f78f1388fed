package dev.storagelab.kvstore;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionManager;
import dev.storagelab.mvcc.TransactionalStore;
import dev.storagelab.mvcc.VersionedKey;
import dev.storagelab.wal.WalStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The crash-safe key-value store (lab-06 T7): the write-ahead log (T1, T2) over the B+tree or the
 * LSM tree (T3), multi-version keys (T4), snapshot-isolation transactions (T5) and garbage
 * collection (T6, and {@link VersionGcFilter} in the LSM tree's compactions), put together.
 *
 * <pre>
 *   begin / get / put / commit            TransactionManager  (timestamps, conflicts, visibility)
 *            |                                    |
 *            v                                    v
 *   MvccStore (versioned keys) ----------> WriteAheadStore    (one log record per commit, then
 *                                                 |             the engine, in LSN order)
 *                                                 v
 *                                  Engine: BPlusTree | LsmStore (durable at checkpoints)
 * </pre>
 *
 * A commit is one log record holding every version it writes; it returns, and becomes visible,
 * once that record is as durable as {@link KvOptions#syncMode()} says and the versions are in the
 * engine. A background thread takes a checkpoint whenever the log has grown by
 * {@link KvOptions#checkpointLogBytes()} and collects old versions every
 * {@link KvOptions#gcInterval()}. {@link #open} recovers: the engine at its checkpoint, the log
 * replayed after it, the clock after the newest timestamp either holds.
 *
 * <p>Plain reads and writes ({@link OrderedStore}) are transactions of one operation each.
 * Thread-safe.
 */
public final class KvStore implements OrderedStore, TransactionalStore {

    /** How many times a plain put or delete retries after losing a write-write conflict. */
    static final int IMPLICIT_RETRIES = 16;

    private final Storage storage;
    private final boolean ownsStorage;
    private final KvOptions options;
    private final WriteAheadStore log;
    private final MvccStore versions;
    /** The same versions straight over the engine: the B+tree's GC deletes need no log record. */
    private final MvccStore unloggedVersions;

    private final TransactionManager transactions;
    /** What the LSM tree's compaction filter may collect below; 0 until the first GC round. */
    private final AtomicLong watermark;

    private final ScheduledExecutorService maintenance;
    private final AtomicReference<Throwable> maintenanceFailure = new AtomicReference<>();
    private final AtomicLong checkpoints = new AtomicLong();
    private final AtomicLong gcRuns = new AtomicLong();
    private volatile long logBytesAtCheckpoint;
    private volatile long lastGcNanos = System.nanoTime();
    private volatile MvccStore.GcResult gcTotals = MvccStore.GcResult.NONE;
    private final long recoveredClock;
    private volatile boolean closed;

    private KvStore(
            Storage storage,
            boolean ownsStorage,
            KvOptions options,
            WriteAheadStore log,
            AtomicLong watermark,
            long clock) {
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.options = options;
        this.log = log;
        this.watermark = watermark;
        this.recoveredClock = clock;
        this.versions = new MvccStore(log);
        this.unloggedVersions = new MvccStore(log.engine());
        this.transactions = new TransactionManager(
                versions,
                dev.storagelab.mvcc.CommitLog.NONE,
                TransactionManager.Options.defaults().withLastCommitTs(clock).withIsolation(options.isolation()));
        this.logBytesAtCheckpoint = log.wal().stats().bytes();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kvstore-maintenance");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.scheduleWithFixedDelay(this::maintain, 50, 50, TimeUnit.MILLISECONDS);
        this.maintenance = executor;
    }

    /** Opens (creating if needed) the store in directory {@code dir}. */
    public static KvStore open(Path dir, KvOptions options) throws IOException {
        DiskStorage storage = DiskStorage.open(dir);
        try {
            return open(storage, options, true);
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /** Opens (creating if needed) the store in {@code storage}, which the caller keeps and closes. */
    public static KvStore open(Storage storage, KvOptions options) throws IOException {
        return open(storage, options, false);
    }

    private static KvStore open(Storage storage, KvOptions options, boolean ownsStorage) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(options, "options");
        AtomicLong watermark = new AtomicLong();
        // The engine is opened only once the checkpoint and the log have passed their checks: an
        // open refused by either changes nothing (the engines decide before they write, too).
        WriteAheadStore.EngineOpener engine = () -> switch (options.engine()) {
            case BTREE -> Engine.of(BPlusTree.open(storage, options.btree()));
            case LSM ->
                Engine.of(LsmStore.open(
                        storage,
                        options.lsm().withoutWal().withCompactionFilter(VersionGcFilter.factory(watermark::get))));
        };
        long[] newestReplayed = {0};
        WriteAheadStore log = WriteAheadStore.open(storage, engine, options.walOptions(), (lsn, batch) -> {
            for (Entry e : batch) {
                newestReplayed[0] =
                        Math.max(newestReplayed[0], VersionedKey.decode(e.key()).commitTs());
            }
        });
        try {
            long clock =
                    recoveredClock(log.recoveredCheckpoint(), storage.describe(CheckpointFile.NAME), newestReplayed[0]);
            return new KvStore(storage, ownsStorage, options, log, watermark, clock);
        } catch (IOException | RuntimeException e) {
            try {
                log.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The timestamp the clock resumes after, once recovery has replayed the log: the larger of the
     * clock the last checkpoint recorded ({@link #decodeClock}; 0 without a checkpoint) and the
     * newest commit timestamp among the replayed records. The checkpoint's clock matters when the
     * log after it is empty; the replayed records matter for every commit since. A clock that
     * resumed lower would hand out a timestamp some version already has, and two commits would
     * write the same versioned key.
     */
    static long recoveredClock(CheckpointFile checkpoint, String file, long newestReplayedTs)
            throws CorruptionException {
        // BEGIN SOLUTION lab-06 T7
        return Math.max(decodeClock(checkpoint.meta(), file), newestReplayedTs);
        // END SOLUTION
    }

    /** The clock as the checkpoint record's meta bytes: 8 bytes, big-endian. */
    static byte[] encodeClock(long clock) {
        return ByteBuffer.allocate(8).putLong(clock).array();
    }

    /** Reads {@link #encodeClock}'s bytes back; none (no checkpoint yet) is 0. */
    static long decodeClock(byte[] meta, String file) throws CorruptionException {
        if (meta.length == 0) {
            return 0;
        }
        if (meta.length != 8) {
            throw new CorruptionException(
                    file, CheckpointFile.META_OFFSET, "the checkpoint's clock is " + meta.length + " bytes, not 8");
        }
        long clock = ByteBuffer.wrap(meta).getLong();
        if (clock < 0) {
            throw new CorruptionException(
                    file, CheckpointFile.META_OFFSET, "the checkpoint's clock is negative: " + clock);
        }
        return clock;
    }

    /**
     * Takes a checkpoint now: the engine durable up to the covered LSN, the clock recorded with it
     * (read after the LSN is taken: every commit the checkpoint covers had its timestamp by then),
     * and the log below it removed. Returns the covered LSN.
     */
    public long checkpoint() throws IOException {
        checkOpen();
        long covered = checkpointWithClock();
        logBytesAtCheckpoint = log.wal().stats().bytes();
        checkpoints.incrementAndGet();
        EventListener events = transactions.eventListener();
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(EventType.CHECKPOINT, "engine", "kv", "coveredLsn", covered));
        return covered;
    }

    /**
     * Sets who hears this store's events ({@link EventListener}): its log's group commits, its
     * transactions, checkpoints and garbage collections, and its engine's own (the B+tree's splits,
     * the LSM tree's flushes and compactions); null for none.
     */
    public void setEventListener(EventListener listener) {
        EventListener l = EventListener.orNone(listener);
        transactions.setEventListener(l);
        log.wal().setEventListener(l);
        if (log.engine() instanceof Engine.Adapter a) {
            if (a.unwrap() instanceof dev.storagelab.btree.BPlusTree tree) {
                tree.setEventListener(l);
            } else if (a.unwrap() instanceof LsmStore lsm) {
                lsm.setEventListener(l);
            }
        }
    }

    /**
     * {@link WriteAheadStore#checkpoint} with the clock as the checkpoint's meta bytes
     * ({@link #encodeClock} of the last timestamp the oracle assigned), read when the write-ahead
     * store asks for them, after it has taken the covered LSN. Returns the covered LSN.
     */
    private long checkpointWithClock() throws IOException {
        // BEGIN SOLUTION lab-06 T7
        return log.checkpoint(() -> encodeClock(transactions.oracle().lastAssignedTs()));
        // END SOLUTION
    }

    /**
     * One round of garbage collection at the manager's watermark, skipped when the watermark has
     * not moved since the last round (then no version has become garbage): the B+tree's pass over its
     * versions (its deletes go straight to the engine, not the log: a version no snapshot can read
     * may come back after a crash, shadowed by the newer version that made it garbage, and the next
     * round removes it again); for the LSM tree, the watermark its compactions' filter reads.
     */
    public MvccStore.GcResult collectGarbage() throws IOException {
        checkOpen();
        long w = transactions.gcWatermark();
        lastGcNanos = System.nanoTime();
        if (w == watermark.get() && gcRuns.get() > 0) {
            return MvccStore.GcResult.NONE; // nothing committed or ended since the last round: nothing new is garbage
        }
        gcRuns.incrementAndGet();
        watermark.set(w);
        MvccStore.GcResult r = options.engine() == KvOptions.EngineKind.BTREE
                ? unloggedVersions.collectGarbage(w)
                : MvccStore.GcResult.NONE;
        gcTotals = gcTotals.plus(r);
        EventListener events = transactions.eventListener();
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(
                    EventType.VERSION_GC,
                    "watermark",
                    w,
                    "versionsScanned",
                    r.versionsScanned(),
                    "versionsRemoved",
                    r.versionsRemoved()));
        return r;
    }

    private void maintain() {
        if (closed) {
            return;
        }
        try {
            if (log.wal().stats().bytes() - logBytesAtCheckpoint >= options.checkpointLogBytes()) {
                checkpoint();
            }
            if (!options.gcInterval().isZero()
                    && System.nanoTime() - lastGcNanos >= options.gcInterval().toNanos()) {
                collectGarbage();
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                maintenanceFailure.compareAndSet(null, e);
            }
        }
    }

    // ---------------------------------------------------------------- transactions

    /** Starts a snapshot-isolation transaction (serializable under the bonus's isolation). */
    @Override
    public Transaction begin() {
        checkOpen();
        return transactions.begin();
    }

    /** The transaction manager (its visible timestamp, watermark and counts). */
    public TransactionManager transactions() {
        return transactions;
    }

    // ---------------------------------------------------------------- plain reads and writes

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkOpen();
        try (Transaction t = transactions.begin()) {
            return t.get(KeyValueStore.checkKey(key));
        }
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        commitWithRetries(List.of(Entry.put(KeyValueStore.checkKey(key), KeyValueStore.checkValue(value))));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        commitWithRetries(List.of(Entry.tombstone(KeyValueStore.checkKey(key))));
    }

    /** Applies {@code ops} as one transaction, retried on conflicts as a plain put is. */
    @Override
    public void write(List<Entry> ops) throws IOException {
        commitWithRetries(ops);
    }

    /**
     * Plain writes ({@code put}, {@code delete}, a batch) as a transaction of their own: begin,
     * write every operation in order (a tombstone is a delete), commit. A blind write can still
     * lose a write-write conflict (another transaction committed one of its keys after this one
     * began): it then waits until the winner is visible ({@link #awaitConflictingCommit}) and begins
     * again, up to {@link #IMPLICIT_RETRIES} times, and rethrows the last conflict.
     */
    private void commitWithRetries(List<Entry> ops) throws IOException {
        checkOpen();
        // BEGIN SOLUTION lab-06 T7
        for (int attempt = 0; ; attempt++) {
            try (Transaction t = transactions.begin()) {
                for (Entry e : ops) {
                    if (e.isTombstone()) {
                        t.delete(e.key());
                    } else {
                        t.put(e.key(), e.value());
                    }
                }
                t.commit();
                return;
            } catch (ConflictException e) {
                if (attempt >= IMPLICIT_RETRIES) {
                    throw e;
                }
                awaitConflictingCommit(e);
            }
        }
        // END SOLUTION
    }

    /**
     * Before a retry: waits until the commit that won the conflict is visible. A transaction that
     * began earlier would start below it and lose the same conflict again (the winner may still be
     * waiting for its force, milliseconds on a busy disk), however often it retried.
     */
    private void awaitConflictingCommit(ConflictException e) throws IOException {
        if (e.conflictingCommitTs() >= 0) {
            transactions.oracle().awaitVisible(e.conflictingCommitTs());
        }
    }

    /** A snapshot scan, as a read-only transaction that ends when the iterator is closed. */
    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        checkOpen();
        Transaction t = transactions.begin();
        EntryIterator it;
        try {
            it = t.scan(from, to);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e instanceof IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        }
        return new EntryIterator() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Entry next() {
                return it.next();
            }

            @Override
            public void close() {
                try {
                    it.close();
                } finally {
                    t.close();
                }
            }
        };
    }

    /**
     * The same snapshot in decreasing key order. Versions are stored newest first within a key, so
     * a reverse walk meets a key's oldest version first; this reads the range forward and hands it
     * out backwards, holding it in memory (a reverse MVCC iterator is an exercise in the handout).
     */
    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        List<Entry> entries = new ArrayList<>();
        try (EntryIterator it = scan(from, to)) {
            it.forEachRemaining(entries::add);
        }
        Collections.reverse(entries);
        return EntryIterator.of(entries.iterator());
    }

    /** Forces the log: every commit that has returned is durable, whatever the sync mode. */
    @Override
    public void sync() throws IOException {
        checkOpen();
        log.sync();
    }

    // ---------------------------------------------------------------- inspection

    /** A reading of the store. */
    public record Stats(
            String engine,
            long visibleTs,
            int activeTransactions,
            long gcWatermark,
            WalStats wal,
            long checkpoints,
            long replayedRecords,
            long recoveredClock,
            MvccStore.GcResult gc,
            Throwable maintenanceFailure) {}

    /** A reading; for the LSM tree, the versions removed are those its compaction filter dropped. */
    public Stats stats() {
        MvccStore.GcResult gc = gcTotals;
        if (log.engine() instanceof Engine.Adapter a && a.unwrap() instanceof LsmStore lsm) {
            long dropped = lsm.stats().filteredValues();
            gc = new MvccStore.GcResult(gc.keysScanned(), gc.versionsScanned(), gc.versionsRemoved() + dropped);
        }
        return new Stats(
                options.engine().name().toLowerCase(java.util.Locale.ROOT),
                transactions.visibleTs(),
                transactions.activeTransactions(),
                transactions.gcWatermark(),
                log.wal().stats(),
                checkpoints.get(),
                log.replayedRecords(),
                recoveredClock,
                gc,
                maintenanceFailure.get());
    }

    public KvOptions options() {
        return options;
    }

    /** The write-ahead store under the versions (its engine, its log). */
    public WriteAheadStore writeAheadStore() {
        return log;
    }

    /**
     * Stops the background work, takes a last checkpoint (so that the next open replays nothing),
     * and closes the log and the engine. Idempotent. If the checkpoint fails the store still
     * closes, and the failure is thrown: the log still holds every commit.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            checkpoint();
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException("the last checkpoint failed", e);
        }
        closed = true;
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transactions.close();
        try {
            log.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (ownsStorage) {
            try {
                storage.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }

    @Override
    public String toString() {
        return "KvStore over " + log;
    }
}
