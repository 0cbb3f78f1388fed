package dev.storagelab.lsm;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.events.EventListener;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.sortedlog.RecoveryReport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The LSM tree (lab-05 T7), in LevelDB's shape: writes go to a write-ahead log and a memtable; a
 * full memtable is frozen and flushed to a level-0 table by a background thread; compactions merge
 * tables down through the levels, each level ten times the size of the one above, so that a key
 * lives in at most one table per level from level 1 down; the MANIFEST records which tables make
 * up the tree, so a crash at any moment reopens at a complete state.
 *
 * <p>Reads never lock: a get or a scan takes a reference to the current {@link SuperVersion} (memtable,
 * frozen memtables, version), reads at a sequence number, and lets go; tables a reader still uses
 * are deleted only after it lets go. Writers take turns under one lock ({@code mutex}, which also
 * guards the memtable switch, the version set and the snapshot list). Every write gets the next
 * sequence numbers, and is in the log before it is in the memtable.
 *
 * <p>Durability: a write is durable once {@link #sync()} returns after it, or at once with
 * {@link LsmOptions#syncWrites()}. A crash loses at most the writes after the last sync, and never
 * a part of a batch.
 *
 * <p>This class coordinates; the work is done by one class per idea, as LevelDB splits its
 * engine: {@link Recovery} reads what an open needs, {@link MemtableLogs} keeps the write-ahead
 * logs, {@link WriteController} paces slowed writers, {@link BackgroundWork} runs flushes and
 * compactions, each writing its tables through a {@link CompactionJob}, {@link TableCache} and
 * {@link LiveFiles} keep the table files, and {@link StoreIterators} builds the scans. The
 * fields those classes share are package-private and guarded by {@code mutex}. What stays here,
 * under 700 lines, is the store's public surface with its specification (the {@link Stats} record
 * among it), the write path a student reads around {@code apply}, the reads around {@code lookup},
 * and the reference counting of the {@link SuperVersion} both use: splitting them would put a
 * task's given context in another file than its region.
 */
public final class LsmStore implements OrderedStore {

    final CountingStorage storage;
    final LsmOptions options;
    final StoreMetrics metrics;
    /** Hears flushes and compactions ({@link #setEventListener}); {@link EventListener#NONE} costs nothing. */
    volatile EventListener events = dev.storagelab.events.TestRecording.listener();

    final TableCache tables;
    final LiveFiles files;
    final Manifest versions;
    /** Guards the memtable switch, the version set, the snapshot list, the logs and the background work's state. */
    final ReentrantLock mutex = new ReentrantLock();
    /** Live snapshots: sequence number to how many handles hold it. */
    @GuardedBy("mutex")
    final TreeMap<Long, Integer> snapshots = new TreeMap<>();

    private final WriteController writeController;
    private final BackgroundWork background;

    volatile SuperVersion current;
    volatile long lastSequence;

    @GuardedBy("mutex")
    MemTable mem;
    /** The active memtable's log and the frozen ones'. */
    @GuardedBy("mutex")
    final MemtableLogs logs = new MemtableLogs();

    @GuardedBy("mutex")
    boolean closed;
    /** What the open replayed from the logs and cut off as torn tails; set once, by the open. */
    private volatile RecoveryReport recovery = RecoveryReport.EMPTY;

    private LsmStore(CountingStorage storage, LsmOptions options, Manifest versions) {
        this.storage = storage;
        this.options = options;
        this.metrics = new StoreMetrics(storage);
        this.versions = versions;
        this.tables = new TableCache(
                storage, options.blockCacheBytes() > 0 ? new BlockCache(options.blockCacheBytes()) : null);
        this.files = new LiveFiles(storage, versions, tables, mutex, options.backgroundWork());
        this.writeController = new WriteController(options);
        this.background = new BackgroundWork(this, mutex.newCondition());
    }

    /**
     * Opens the store in {@code storage}, creating it if it is empty: recovers the version from
     * the MANIFEST, replays the logs the last flush did not cover into a memtable, flushes that to
     * level 0, and starts a new log.
     *
     * @throws CorruptionException if the MANIFEST or a log record that is not the torn tail fails
     *                             its checks
     */
    public static LsmStore open(Storage storage, LsmOptions options) throws IOException {
        CountingStorage counting = new CountingStorage(storage);
        Recovery.Opened opened = Recovery.open(counting, options);
        Manifest versions = opened.versions();
        Recovery.Replayed replayed = opened.replayed();
        LsmStore store = new LsmStore(counting, options, versions);
        try {
            store.recover(replayed);
        } catch (IOException | RuntimeException e) {
            store.closeQuietly();
            throw e;
        }
        return store;
    }

    /**
     * Starts the store on what {@link Recovery} read (holds the mutex): unless a clean close left
     * nothing to recover, writes the replayed memtable to level 0 and starts a new log, one edit
     * recording both; then deletes what nothing names, the replayed logs among them.
     */
    private void recover(Recovery.Replayed replayed) throws IOException {
        mutex.lock();
        try {
            MemTable recovered = replayed.memtable();
            lastSequence = replayed.lastSequence();
            recovery = replayed.report();
            if (replayed.nothingToRecover()) {
                logs.start(RecordLogWriter.openAppend(storage, replayed.reusableLog()), versions.logNumber());
            } else {
                VersionEdit edit = new VersionEdit();
                if (!recovered.isEmpty()) {
                    for (FileMeta meta : background.writeLevel0Tables(recovered)) {
                        edit.addFile(0, meta);
                    }
                }
                long logNumber = versions.newFileNumber();
                logs.start(
                        RecordLogWriter.create(storage, LsmFileNames.log(logNumber), RecordLogFormat.Kind.WAL),
                        logNumber);
                storage.syncDirectory();
                edit.setLogNumber(logNumber);
                edit.setLastSequence(lastSequence);
                versions.logAndApply(edit);
            }
            mem = new MemTable(options.memtableBytes());
            install(new SuperVersion(mem, List.of(), versions.version()));
            files.clearPending();
            files.deleteObsolete();
            background.maybeScheduleBackgroundWork();
        } finally {
            mutex.unlock();
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        write(new WriteBatch().put(KeyValueStore.checkKey(key), KeyValueStore.checkValue(value)));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        write(new WriteBatch().delete(KeyValueStore.checkKey(key)));
    }

    /** Applies {@code ops} atomically, as one {@link WriteBatch}. */
    @Override
    public void write(List<Entry> ops) throws IOException {
        write(WriteBatch.of(ops));
    }

    /**
     * Applies {@code batch} atomically: all of its operations or (after a crash) none. They get
     * consecutive sequence numbers, go to the log as one record, then to the memtable.
     */
    public void write(WriteBatch batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        mutex.lock();
        try {
            checkOpen();
            makeRoomForWrite(batch.encodedBytes());
            apply(batch);
        } finally {
            mutex.unlock();
        }
        long nanos = System.nanoTime() - start;
        for (Entry e : batch.operations()) {
            metrics.recordWrite(e, nanos);
        }
    }

    /**
     * Writes {@code batch} (the caller holds the mutex, and the memtable has room): its operations
     * take the sequence numbers after {@link #lastSequence}, the batch goes to the log as one
     * record ({@link WriteBatch#encode}, then {@link #logBatch}), then each operation into the memtable, and only then does
     * {@code lastSequence} move past them: a reader, which reads at {@code lastSequence}, sees the
     * whole batch or none of it.
     */
    @GuardedBy("mutex")
    private void apply(WriteBatch batch) throws IOException {
        // BEGIN SOLUTION lab-05 T7
        long first = lastSequence + 1;
        logBatch(batch.encode(first));
        MemTable m = mem;
        batch.forEach(first, (ik, value) -> m.add(ik.sequence(), ik.userKey(), value));
        lastSequence = first + batch.count() - 1;
        // END SOLUTION
    }

    /**
     * Appends one encoded batch to the write-ahead log, and forces it if {@link LsmOptions#syncWrites()}
     * (the caller holds the mutex). Without the log ({@link LsmOptions#walEnabled()} false) it does
     * nothing: the layer above has logged the write already.
     */
    @GuardedBy("mutex")
    private void logBatch(byte[] record) throws IOException {
        if (!options.walEnabled()) {
            return;
        }
        logs.append(record, options.syncWrites());
    }

    /**
     * Makes sure the memtable has room for a write of {@code bytes} (the caller holds the mutex):
     * slows the write when level 0 has {@link LsmOptions#l0SlowdownTrigger} tables or the policy's
     * {@linkplain CompactionPolicy#pendingCompactionBytes pending compaction bytes} reach
     * {@link LsmOptions#softPendingCompactionBytes} ({@link WriteController#delayFor}); waits while they reach
     * {@link LsmOptions#hardPendingCompactionBytes} and a compaction can bring them down; when the
     * memtable is full, waits while {@link LsmOptions#maxImmutableMemtables} frozen ones still wait
     * for their flush or level 0 has {@link LsmOptions#l0StopTrigger} tables, then freezes it, starts
     * a new log and schedules the flush. Writers that sleep or wait for either limit count as {@linkplain StoreMetrics#recordWriteStall stalls}.
     */
    @GuardedBy("mutex")
    private void makeRoomForWrite(int bytes) throws IOException {
        boolean slowed = false;
        while (true) {
            background.throwBackgroundError();
            Version v = versions.version();
            int l0 = v.files(0).size();
            boolean threaded = background.threaded();
            long pending = threaded ? writeController.pendingCompactionBytes(v) : 0;
            if (!slowed
                    && threaded
                    && (l0 >= options.l0SlowdownTrigger()
                            || (options.softPendingCompactionBytes() > 0
                                    && pending >= options.softPendingCompactionBytes()))) {
                slowed = true;
                long delay = writeController.delayFor(bytes);
                if (delay > 0) {
                    metrics.recordWriteStall();
                    mutex.unlock();
                    try {
                        TimeUnit.NANOSECONDS.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while writes were slowed");
                    } finally {
                        mutex.lock();
                    }
                }
            } else if (options.hardPendingCompactionBytes() > 0
                    && pending >= options.hardPendingCompactionBytes()
                    && (background.compactionScheduled() || background.pickCompaction() != null)) {
                metrics.recordWriteStall();
                background.maybeScheduleBackgroundWork();
                background.awaitBackground();
            } else if (mem.approximateBytes() < options.memtableBytes()) {
                return;
            } else if (current.imm.size() >= options.maxImmutableMemtables()
                    || (l0 >= options.l0StopTrigger() && threaded)) {
                metrics.recordWriteStall();
                background.awaitBackground();
            } else {
                switchMemtable();
                if (!threaded) {
                    background.runBackgroundWork(); // deterministic mode: flush and compact on the writer's thread
                }
            }
        }
    }

    /** Freezes the memtable (the newest of the frozen ones), starts a new log, and schedules its flush. Holds the mutex. */
    @GuardedBy("mutex")
    void switchMemtable() throws IOException {
        long newLog = versions.newFileNumber();
        RecordLogWriter w = RecordLogWriter.create(storage, LsmFileNames.log(newLog), RecordLogFormat.Kind.WAL);
        storage.syncDirectory();
        logs.switchTo(w, newLog);
        List<MemTable> frozen = current.memtables(); // the active one (mem) becomes the newest frozen one
        mem = new MemTable(options.memtableBytes());
        install(new SuperVersion(mem, frozen, versions.version()));
        background.maybeScheduleBackgroundWork();
    }

    /**
     * Forces the log, and the logs of the frozen memtables not forced since their switch; without
     * the write-ahead log, {@linkplain #flush() flushes} the memtable instead.
     */
    @Override
    public void sync() throws IOException {
        if (!options.walEnabled()) {
            flush();
            return;
        }
        mutex.lock();
        try {
            checkOpen();
            logs.forceAll();
        } finally {
            mutex.unlock();
        }
    }

    // ---------------------------------------------------------------- reads

    /** Reads at the newest write: see {@link #LATEST}. */
    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        return get(key, LATEST);
    }

    /**
     * A read "at the latest write" takes its {@link SuperVersion} first and reads {@code lastSequence}
     * after: the other order lets a compaction that starts in between drop the versions the read's
     * sequence number needs (its oldest-snapshot bound is the newer {@code lastSequence}), and install
     * before the read takes its version; the key would read as absent. LevelDB does both under its
     * mutex.
     */
    private static final long LATEST = -1;

    /** The value of {@code key} as of {@code snapshot}. */
    public Optional<Bytes> get(Bytes key, Snapshot snapshot) throws IOException {
        return get(key, snapshot.sequence());
    }

    private Optional<Bytes> get(Bytes key, long sequence) throws IOException {
        KeyValueStore.checkKey(key);
        long start = System.nanoTime();
        SuperVersion s = acquire();
        try {
            Optional<Bytes> found = lookup(s, key, sequence == LATEST ? lastSequence : sequence);
            metrics.recordGet(found.isPresent(), System.nanoTime() - start);
            return found;
        } finally {
            release(s);
        }
    }

    /**
     * The newest version of {@code key} at or before {@code sequence}, looking from the newest
     * source to the oldest and stopping at the first that knows the key (a value or a deletion):
     * the memtables newest first ({@link SuperVersion#memtables}: the active one, then the frozen ones
     * waiting for their flush), the level-0 tables newest first (they may overlap), then
     * in each level from 1 down the one table whose key range holds the key, if any.
     */
    private Optional<Bytes> lookup(SuperVersion s, Bytes key, long sequence) throws IOException {
        // BEGIN SOLUTION lab-05 T7
        for (MemTable m : s.memtables()) {
            MemTable.Lookup r = m.get(key, sequence);
            if (r.found() != MemTable.Found.ABSENT) {
                return r.found() == MemTable.Found.VALUE ? Optional.of(r.value()) : Optional.empty();
            }
        }
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : s.version.filesFor(level, key)) {
                Table.Lookup r = tables.table(f).get(key, sequence);
                switch (r.state()) {
                    case PUT:
                        return Optional.of(r.value());
                    case DELETED:
                        return Optional.empty();
                    default:
                        break;
                }
            }
        }
        return Optional.empty();
        // END SOLUTION
    }

    /** A consistent point-in-time view for {@link #get(Bytes, Snapshot)} and scans; close it when done. */
    public Snapshot snapshot() {
        mutex.lock();
        try {
            long seq = lastSequence;
            snapshots.merge(seq, 1, Integer::sum);
            return new Snapshot(this, seq);
        } finally {
            mutex.unlock();
        }
    }

    void releaseSnapshot(long sequence) {
        mutex.lock();
        try {
            snapshots.computeIfPresent(sequence, (k, n) -> n == 1 ? null : n - 1);
        } finally {
            mutex.unlock();
        }
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return scan(from, to, LATEST);
    }

    /** {@link #scan(Bytes, Bytes)} as of {@code snapshot}. */
    public EntryIterator scan(Bytes from, Bytes to, Snapshot snapshot) {
        return scan(from, to, snapshot.sequence());
    }

    private EntryIterator scan(Bytes from, Bytes to, long snapshot) {
        SuperVersion s = acquire();
        long sequence = snapshot == LATEST ? lastSequence : snapshot; // after acquire: see LATEST
        return StoreIterators.forward(s, sequence, from, to, tables, () -> release(s));
    }

    /** Keys in {@code [from, to)} from the largest down ({@link StoreIterators#reverse}). */
    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        SuperVersion s = acquire();
        long sequence = lastSequence; // after acquire: see LATEST
        return StoreIterators.reverse(s, sequence, from, to, tables, () -> release(s));
    }

    // ---------------------------------------------------------------- flush and compaction

    /**
     * Writes the memtable to a level-0 table now and waits for it (RocksDB's {@code Flush}); the
     * log it frees is deleted.
     */
    public void flush() throws IOException {
        mutex.lock();
        try {
            checkOpen();
            if (mem.isEmpty()) {
                return;
            }
            while (current.imm.size() >= options.maxImmutableMemtables()) {
                background.awaitBackground();
            }
            switchMemtable();
            if (!background.threaded()) {
                background.runBackgroundWork();
            }
            while (!current.imm.isEmpty()) {
                background.awaitBackground();
            }
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Waits until no flush or compaction is running or due (RocksDB's {@code WaitForCompact}): the
     * tree as compaction leaves it once writes stop, which is where the workbench measures space
     * amplification. Without background threads ({@link LsmOptions#backgroundWork()} false) it
     * runs that work itself.
     */
    public void waitForCompactions() throws IOException {
        background.waitForCompactions();
    }

    /**
     * Flushes the memtable and compacts every level into the one below, down to the deepest level
     * that holds data (RocksDB's {@code CompactRange} over all keys): afterwards each key has one
     * version (or none, if it was deleted and no snapshot needs it), in one table of one level.
     * Runs on the calling thread; background work waits meanwhile. For tests, benchmarks and the
     * shell's {@code compact}.
     */
    public void compactAll() throws IOException {
        background.compactAll();
    }

    // ---------------------------------------------------------------- versions and files

    private SuperVersion acquire() {
        while (true) {
            SuperVersion s = current;
            int r = s.refs.get();
            if (r > 0 && s.refs.compareAndSet(r, r + 1)) {
                return s;
            }
        }
    }

    private void release(SuperVersion s) {
        if (s.refs.decrementAndGet() == 0) {
            mutex.lock();
            try {
                files.unref(s.version);
                files.deleteObsolete();
            } finally {
                mutex.unlock();
            }
            files.deleteDeferred();
        }
    }

    /** Makes {@code s} current (the caller holds the mutex); the previous one is released. */
    void install(SuperVersion s) {
        files.ref(s.version);
        SuperVersion old = current;
        current = s;
        if (old != null) {
            release(old);
        }
    }

    // ---------------------------------------------------------------- state

    /** The store's counters; {@link Stats#writeAmplification()} and friends derive from them. */
    public Stats stats() {
        mutex.lock();
        try {
            Version v = versions.version();
            long[] tablesPerLevel = new long[Version.NUM_LEVELS];
            long[] bytes = new long[Version.NUM_LEVELS];
            for (int level = 0; level < Version.NUM_LEVELS; level++) {
                tablesPerLevel[level] = v.files(level).size();
                bytes[level] = v.levelBytes(level);
            }
            TableCache.Reads reads = tables.reads();
            BackgroundWork.Counters work = background.counters();
            BlockCache cache = tables.blockCache();
            return new Stats(
                    metrics.snapshot(),
                    tablesPerLevel,
                    bytes,
                    work.flushBytes(),
                    work.compactionBytesRead(),
                    work.compactionBytesWritten(),
                    lastSequence,
                    reads.blockReads(),
                    reads.filterSkips(),
                    work.trivialMoves(),
                    work.filteredValues(),
                    cache == null ? null : cache.stats(),
                    reads.compactionBlockReads());
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A reading of the store.
     *
     * @param filesPerLevel tables per level, level 0 first
     * @param bytesPerLevel bytes per level
     * @param blockReads    data blocks read from table files (block cache misses) by gets and scans
     * @param compactionBlockReads data blocks compactions read (they bypass the block cache)
     * @param filterSkips   table lookups a Bloom filter answered without reading a block
     * @param trivialMoves  compactions that moved a table down a level without rewriting it
     * @param filteredValues values the {@linkplain LsmOptions#compactionFilter() compaction filter} dropped
     */
    public record Stats(
            StoreMetrics.Snapshot metrics,
            long[] filesPerLevel,
            long[] bytesPerLevel,
            long flushBytes,
            long compactionBytesRead,
            long compactionBytesWritten,
            long lastSequence,
            long blockReads,
            long filterSkips,
            long trivialMoves,
            long filteredValues,
            BlockCache.Stats blockCache,
            long compactionBlockReads) {

        /** Bytes written to tables (flushes and compactions) and logs per user byte written. */
        public double writeAmplification() {
            return metrics.writeAmplification();
        }

        /** Bytes in all tables. */
        public long tableBytes() {
            long sum = 0;
            for (long b : bytesPerLevel) {
                sum += b;
            }
            return sum;
        }
    }

    /**
     * The compaction policy's estimate of the bytes compaction must still rewrite
     * ({@link CompactionPolicy#pendingCompactionBytes}), what the write path weighs against the
     * pending-compaction limits.
     */
    public long pendingCompactionBytes() {
        mutex.lock();
        try {
            return writeController.pendingCompactionBytes(versions.version());
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Sets who hears this store's flushes and compactions ({@link EventListener}); null for none.
     * They are called on the flush and compaction threads, some under the store's mutex.
     */
    public void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }

    /** The current version: every table of every level (for {@link LsmEvents#levels}). */
    Version currentVersion() {
        mutex.lock();
        try {
            return versions.version();
        } finally {
            mutex.unlock();
        }
    }

    /** The levels, a line each: the tables with their sizes and key ranges (the shell's {@code levels}). */
    public String describeLevels() {
        Version v;
        mutex.lock();
        try {
            v = versions.version();
        } finally {
            mutex.unlock();
        }
        return v.describe(options);
    }

    /**
     * What the open replayed from the logs the last flush did not cover, and the bytes of torn
     * tail it left behind (a last record cut short, or failing its checksum where it ends the file:
     * the write in flight at a crash). Non-zero truncated bytes are worth logging.
     */
    public RecoveryReport recoveryReport() {
        return recovery;
    }

    /** The store's metrics. */
    public StoreMetrics metrics() {
        return metrics;
    }

    /** The options the store was opened with. */
    public LsmOptions options() {
        return options;
    }

    @GuardedBy("mutex")
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }

    /** Closes the store; without the write-ahead log, it first flushes the memtable, the only copy of its writes. */
    @Override
    public void close() throws IOException {
        IOException flushFailure = null;
        if (!options.walEnabled()) {
            boolean open;
            mutex.lock();
            try {
                open = !closed;
            } finally {
                mutex.unlock();
            }
            if (open) {
                try {
                    flush();
                } catch (IOException e) {
                    flushFailure = e;
                }
            }
        }
        mutex.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            mutex.unlock();
        }
        background.shutdown();
        mutex.lock();
        try {
            logs.close(); // memtables not flushed yet: their writes are in these logs only
            tables.close();
            files.deleteDeferred(); // the background threads have stopped: nothing else deletes them now
            versions.close();
        } finally {
            mutex.unlock();
        }
        if (flushFailure != null) {
            throw flushFailure;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // already failing
        }
    }

    @Override
    public String toString() {
        return "LsmStore(" + storage + ")";
    }
}
