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
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
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
 * <p>This class is the store's public surface and its life: the open, the state every part
 * shares, the reference counting of the {@link SuperVersion}, the statistics and the close. The
 * work is done by one class per idea, as LevelDB splits its engine: {@link StoreWriter} is the
 * write path (room in the memtable, the log record, the memtable, the memtable switch; T7's
 * {@code apply}), {@link StoreReader} the read path (T7's {@code lookup}, the scans),
 * {@link Recovery} reads what an open needs, {@link MemtableLogs} keeps the write-ahead logs,
 * {@link WriteController} paces slowed writers, {@link BackgroundWork} runs flushes and
 * compactions, each writing its tables through a {@link CompactionJob}, {@link TableCache} and
 * {@link LiveFiles} keep the table files, and {@link StoreIterators} builds the scans. The fields
 * those classes share are package-private and guarded by {@code mutex}.
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

    /** Flushes and compactions, and the threads that run them. */
    final BackgroundWork background;
    /** The write path: the active memtable and the last sequence number are its own. */
    final StoreWriter writer;
    /** The read path. */
    private final StoreReader reader;

    /**
     * What a read takes: the memtables and the version of one moment, reference-counted. Its
     * {@code mem} is the write path's active memtable: a memtable switch installs a new one, under
     * the mutex, so whoever holds the mutex reads the active memtable here.
     */
    volatile SuperVersion current;

    /** The active memtable's log and the frozen ones'. */
    @GuardedBy("mutex")
    final MemtableLogs logs;

    @GuardedBy("mutex")
    boolean closed;
    /** What the open replayed from the logs and cut off as torn tails; set once, by the open. */
    private volatile RecoveryReport recovery = RecoveryReport.EMPTY;

    private LsmStore(CountingStorage storage, LsmOptions options, Manifest versions) {
        this.storage = storage;
        this.options = options;
        this.metrics = new StoreMetrics(storage);
        this.versions = versions;
        this.logs = new MemtableLogs(storage);
        this.tables = new TableCache(
                storage, options.blockCacheBytes() > 0 ? new BlockCache(options.blockCacheBytes()) : null);
        this.files = new LiveFiles(storage, versions, tables, mutex, options.backgroundWork());
        this.background = new BackgroundWork(this, mutex.newCondition());
        this.writer = new StoreWriter(this);
        this.reader = new StoreReader(this);
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
     * recording both; opens every table of the version; then deletes what nothing names, the
     * replayed logs among them.
     */
    private void recover(Recovery.Replayed replayed) throws IOException {
        mutex.lock();
        try {
            MemTable recovered = replayed.memtable();
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
                edit.setLastSequence(replayed.lastSequence());
                versions.logAndApply(edit);
            }
            tables.openAll(versions.version()); // before the first get, as RocksDB opens every table
            writer.start(replayed.lastSequence());
            files.clearPending();
            files.deleteAllObsolete();
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
        writer.write(batch);
    }

    /**
     * Forces the log, and the logs of the frozen memtables not forced since their switch; without
     * the write-ahead log, {@linkplain #flush() flushes} the memtable instead.
     */
    @Override
    public void sync() throws IOException {
        writer.sync();
    }

    // ---------------------------------------------------------------- reads

    /** Reads at the newest write: see {@link StoreReader#LATEST}. */
    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        return reader.get(key, StoreReader.LATEST);
    }

    /** The value of {@code key} as of {@code snapshot}. */
    public Optional<Bytes> get(Bytes key, Snapshot snapshot) throws IOException {
        return reader.get(key, snapshot.sequence());
    }

    /** A consistent point-in-time view for {@link #get(Bytes, Snapshot)} and scans; close it when done. */
    public Snapshot snapshot() {
        mutex.lock();
        try {
            long seq = writer.lastSequence;
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
        return reader.scan(from, to, StoreReader.LATEST);
    }

    /** {@link #scan(Bytes, Bytes)} as of {@code snapshot}. */
    public EntryIterator scan(Bytes from, Bytes to, Snapshot snapshot) {
        return reader.scan(from, to, snapshot.sequence());
    }

    /** Keys in {@code [from, to)} from the largest down ({@link StoreIterators#reverse}). */
    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return reader.scanReverse(from, to);
    }

    // ---------------------------------------------------------------- flush and compaction

    /**
     * Writes the memtable to a level-0 table now and waits for it (RocksDB's {@code Flush}); the
     * log it frees is deleted.
     */
    public void flush() throws IOException {
        writer.flush();
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

    /** A reference to the current {@link SuperVersion}, taken without a lock; {@link #release} it when done. */
    SuperVersion acquire() {
        while (true) {
            SuperVersion s = current;
            int r = s.refs.get();
            if (r > 0 && s.refs.compareAndSet(r, r + 1)) {
                return s;
            }
        }
    }

    /**
     * Lets go of a reference to {@code s}; the last one lets the tables only {@code s} named be
     * deleted. When a reader lets go last (a get or a scan that held {@code s} while a flush or a
     * compaction installed the next one: the usual case, since a reading thread is nearly always
     * inside a read), the clean-up goes to the flush thread ({@link BackgroundWork#cleanUpLater}),
     * so that no get waits for the store's mutex, closes tables or unlinks files: RocksDB's readers
     * likewise leave the last reference of an old {@code SuperVersion} to the thread that installs
     * the next, and purge files in the background. A profile of readrandom beside compactions had
     * 2-4% of the reader's samples in those unlinks.
     */
    void release(SuperVersion s) {
        if (s.refs.decrementAndGet() == 0 && (mutex.isHeldByCurrentThread() || !background.cleanUpLater(s))) {
            cleanUp(s);
        }
    }

    /**
     * Unrefs the tables of {@code s}, whose last reference is gone, and deletes what nothing needs any
     * more. Called inside {@link #install} (the installer let go of {@code s} last: a flush, a
     * compaction or a memtable switch with no reader inside a read), the caller holds the mutex, and
     * the files are only found here: the caller's thread unlinks them once it lets go of the mutex
     * (a background task ends with {@link LiveFiles#deleteDeferred}, and a switch schedules a flush,
     * which does). Unlinking a table drops its cached pages, a millisecond or more each, and a
     * compaction replaces ten tables: under the mutex, the writer waited for every one of them.
     */
    void cleanUp(SuperVersion s) {
        mutex.lock();
        try {
            files.unref(s.version);
            files.deleteObsolete();
        } finally {
            mutex.unlock();
        }
        if (!mutex.isHeldByCurrentThread()) {
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
                    writer.lastSequence,
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
        return writer.pendingCompactionBytes();
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
            versions.close();
        } finally {
            mutex.unlock();
        }
        files.deleteDeferred(); // the background threads have stopped: nothing else deletes them now
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
