package dev.storagelab.lsm;

import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.RecoveryReport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The LSM tree (lab-05 T7), in LevelDB's shape: writes go to a write-ahead log and a memtable; a
 * full memtable is frozen and flushed to a level-0 table by a background thread; compactions merge
 * tables down through the levels, each level ten times the size of the one above, so that a key
 * lives in at most one table per level from level 1 down; the MANIFEST records which tables make
 * up the tree, so a crash at any moment reopens at a complete state.
 *
 * <p>Reads never lock: a get or a scan takes a reference to the current {@link Super} (memtable,
 * frozen memtables, version), reads at a sequence number, and lets go; tables a reader still uses
 * are deleted only after it lets go. Writers take turns under one lock ({@code mutex}, which also
 * guards the memtable switch, the version set and the snapshot list). Every write gets the next
 * sequence numbers, and is in the log before it is in the memtable.
 *
 * <p>Durability: a write is durable once {@link #sync()} returns after it, or at once with
 * {@link LsmOptions#syncWrites()}. A crash loses at most the writes after the last sync, and never
 * a part of a batch.
 */
public final class LsmStore implements OrderedStore {

    /** What a read holds: the memtables and the version of one moment, reference-counted. */
    static final class Super {
        final MemTable mem;
        /** The frozen memtables waiting for their flush, newest first (at most {@link LsmOptions#maxImmutableMemtables}). */
        final List<MemTable> imm;
        final Version version;
        final AtomicInteger refs = new AtomicInteger(1);
        private final List<MemTable> memtables;

        Super(MemTable mem, List<MemTable> imm, Version version) {
            this.mem = mem;
            this.imm = List.copyOf(imm);
            this.version = version;
            List<MemTable> all = new ArrayList<>(imm.size() + 1);
            all.add(mem);
            all.addAll(imm);
            this.memtables = List.copyOf(all);
        }

        /** Every memtable, newest first: the active one, then the frozen ones. */
        List<MemTable> memtables() {
            return memtables;
        }

        /** The oldest frozen memtable, the next to flush, or null. */
        MemTable oldestFrozen() {
            return imm.isEmpty() ? null : imm.get(imm.size() - 1);
        }
    }

    private final CountingStorage storage;
    private final LsmOptions options;
    private final StoreMetrics metrics;
    private final TableCache tables;
    private final LiveFiles files;
    /** Writes the tables of flushes and compactions. */
    private final CompactionJob jobs;
    private final Manifest versions;
    private final ReentrantLock mutex = new ReentrantLock();
    /** Signalled when background work finishes a step (a flush, a compaction) or fails. */
    private final Condition backgroundDone = mutex.newCondition();
    /** Without background threads: whether a caller is flushing or compacting on its own thread. */
    private boolean inlineWorkRunning;
    /** Runs compactions, one at a time. */
    private final ExecutorService background;
    /**
     * Runs flushes, beside compactions: a flush behind a long compaction would stall every writer
     * until the compaction ends (RocksDB keeps flushes and compactions in separate pools too).
     */
    private final ExecutorService flusher;
    /** Live snapshots: sequence number to how many handles hold it. */
    private final TreeMap<Long, Integer> snapshots = new TreeMap<>();
    /** Per level from 1: the largest key of the last compaction there, where the next one starts. */
    private final InternalKey[] compactPointer;
    private final CompactionPolicy policy;
    /** The version {@link #pendingBytes} was estimated for (guarded by the mutex). */
    private Version pendingVersion;
    private long pendingBytes;
    /** Where the pacing of slowed writes has got to ({@link #delayFor}); guarded by the mutex. */
    private long delayClock = System.nanoTime();

    private volatile Super current;
    private volatile long lastSequence;
    private MemTable mem;
    private RecordLogWriter log;
    private long logNumber;
    /**
     * The log of each frozen memtable, oldest first (parallel to {@link Super#imm} reversed), still
     * open: {@link #sync} forces them too, or a write made before the switch and not yet synced
     * would be lost with its memtable if the power failed before the flush. When the oldest is
     * flushed its log is closed, and the next one's is the first that recovery must replay.
     */
    private final java.util.ArrayDeque<FrozenLog> frozenLogs = new java.util.ArrayDeque<>();

    /** A frozen memtable's log: its number, and its writer, which {@link #sync} forces once after the switch. */
    private static final class FrozenLog {
        final long number;
        final RecordLogWriter writer;
        boolean forced;

        FrozenLog(long number, RecordLogWriter writer) {
            this.number = number;
            this.writer = writer;
        }
    }
    /** A compaction is scheduled or running (or {@link #compactAll} runs). */
    private boolean backgroundScheduled;
    /** A flush is scheduled or running (or {@link #compactAll} runs). */
    private boolean flushScheduled;
    private IOException backgroundError;
    private boolean closed;
    private long compactionBytesRead;
    private long compactionBytesWritten;
    private long flushBytesWritten;
    private long trivialMoves;
    /** Values the compaction filter dropped; written by compactions outside the mutex. */
    private final java.util.concurrent.atomic.AtomicLong filteredValues = new java.util.concurrent.atomic.AtomicLong();
    /** What the open replayed from the logs and cut off as torn tails; set once, by the open. */
    private volatile RecoveryReport recovery = RecoveryReport.EMPTY;

    private LsmStore(CountingStorage storage, LsmOptions options, Manifest versions) {
        this.storage = storage;
        this.options = options;
        this.metrics = new StoreMetrics(storage);
        this.versions = versions;
        this.tables = new TableCache(storage, options.blockCacheBytes() > 0 ? new BlockCache(options.blockCacheBytes()) : null);
        this.files = new LiveFiles(storage, versions, tables, mutex, options.backgroundWork());
        this.jobs = new CompactionJob(storage, tables, options, files::newFileNumber, filteredValues);
        this.compactPointer = new InternalKey[Version.NUM_LEVELS];
        this.policy = options.policy();
        versions.compactPointers().forEach((level, key) -> compactPointer[level] = key);
        this.background = options.backgroundWork() ? daemonThread("lsm-compaction") : null;
        this.flusher = options.backgroundWork() ? daemonThread("lsm-flush") : null;
    }

    private static ExecutorService daemonThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
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
                logNumber = versions.logNumber();
                log = RecordLogWriter.openAppend(storage, replayed.reusableLog());
            } else {
                VersionEdit edit = new VersionEdit();
                if (!recovered.isEmpty()) {
                    for (FileMeta meta : writeLevel0Tables(recovered)) {
                        edit.addFile(0, meta);
                    }
                }
                logNumber = versions.newFileNumber();
                log = RecordLogWriter.create(storage, LsmFileNames.log(logNumber), RecordLogFormat.Kind.WAL);
                storage.syncDirectory();
                edit.setLogNumber(logNumber);
                edit.setLastSequence(lastSequence);
                versions.logAndApply(edit);
            }
            mem = new MemTable(options.memtableBytes());
            install(new Super(mem, List.of(), versions.version()));
            files.clearPending();
            files.deleteObsolete();
            maybeScheduleBackgroundWork();
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
    private void logBatch(byte[] record) throws IOException {
        if (!options.walEnabled()) {
            return;
        }
        log.addRecord(record);
        if (options.syncWrites()) {
            log.force();
        }
    }

    /**
     * Makes sure the memtable has room for a write of {@code bytes} (the caller holds the mutex):
     * slows the write when level 0 has {@link LsmOptions#l0SlowdownTrigger} tables or the policy's
     * {@linkplain CompactionPolicy#pendingCompactionBytes pending compaction bytes} reach
     * {@link LsmOptions#softPendingCompactionBytes} ({@link #delayFor}); waits while they reach
     * {@link LsmOptions#hardPendingCompactionBytes} and a compaction can bring them down; when the
     * memtable is full, waits while {@link LsmOptions#maxImmutableMemtables} frozen ones still wait
     * for their flush or level 0 has {@link LsmOptions#l0StopTrigger} tables, then freezes it, starts
     * a new log and schedules the flush. Writers that sleep or wait for either limit count as {@linkplain StoreMetrics#recordWriteStall stalls}.
     */
    private void makeRoomForWrite(int bytes) throws IOException {
        boolean slowed = false;
        while (true) {
            throwBackgroundError();
            Version v = versions.version();
            int l0 = v.files(0).size();
            long pending = background == null ? 0 : pendingCompactionBytes(v);
            if (!slowed && background != null && (l0 >= options.l0SlowdownTrigger()
                    || (options.softPendingCompactionBytes() > 0 && pending >= options.softPendingCompactionBytes()))) {
                slowed = true;
                long delay = delayFor(bytes);
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
            } else if (options.hardPendingCompactionBytes() > 0 && pending >= options.hardPendingCompactionBytes()
                    && (backgroundScheduled || pickCompaction() != null)) {
                metrics.recordWriteStall();
                maybeScheduleBackgroundWork();
                awaitBackground();
            } else if (mem.approximateBytes() < options.memtableBytes()) {
                return;
            } else if (current.imm.size() >= options.maxImmutableMemtables()
                    || (l0 >= options.l0StopTrigger() && background != null)) {
                metrics.recordWriteStall();
                awaitBackground();
            } else {
                switchMemtable();
                if (background == null) {
                    runBackgroundWork(); // deterministic mode: flush and compact on the writer's thread
                }
            }
        }
    }

    /**
     * How long a slowed write of {@code bytes} sleeps (the caller holds the mutex), RocksDB's write
     * controller simplified: the slowed writes of every writer are paced at
     * {@link LsmOptions#delayedWriteRate} on one clock ({@code delayClock}), which moves on by each
     * write's share of a second; a write sleeps only once the clock is a millisecond or more ahead
     * of now, and a clock behind now by more than a millisecond (the first slowed write, or one after a
     * pause) restarts a millisecond behind, so no more than a millisecond's bytes pass unpaced.
     */
    private long delayFor(int bytes) {
        long now = System.nanoTime();
        long slack = TimeUnit.MILLISECONDS.toNanos(1);
        if (now - delayClock > slack) {
            delayClock = now - slack;
        }
        delayClock += (long) (bytes * 1e9 / options.delayedWriteRate());
        long ahead = delayClock - now;
        return ahead >= slack ? ahead : 0;
    }

    /**
     * The policy's estimate of the bytes compaction still has to rewrite in {@code v}, computed once
     * per version (it walks every table's size; writers ask on every write). Holds the mutex.
     */
    private long pendingCompactionBytes(Version v) {
        if (v != pendingVersion) {
            pendingBytes = policy.pendingCompactionBytes(v, options);
            pendingVersion = v;
        }
        return pendingBytes;
    }

    /** Freezes the memtable (the newest of the frozen ones), starts a new log, and schedules its flush. Holds the mutex. */
    private void switchMemtable() throws IOException {
        long newLog = versions.newFileNumber();
        RecordLogWriter w = RecordLogWriter.create(storage, LsmFileNames.log(newLog), RecordLogFormat.Kind.WAL);
        storage.syncDirectory();
        frozenLogs.addLast(new FrozenLog(logNumber, log)); // closed once its memtable is flushed
        log = w;
        logNumber = newLog;
        List<MemTable> frozen = current.memtables(); // the active one (mem) becomes the newest frozen one
        mem = new MemTable(options.memtableBytes());
        install(new Super(mem, frozen, versions.version()));
        maybeScheduleBackgroundWork();
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
            forceFrozenLogs();
            log.force();
        } finally {
            mutex.unlock();
        }
    }

    /** Forces each frozen memtable's log once (the caller holds the mutex): nothing is written to it after its switch. */
    private void forceFrozenLogs() throws IOException {
        for (FrozenLog f : frozenLogs) {
            if (!f.forced) {
                f.writer.force();
                f.forced = true;
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /** Reads at the newest write: see {@link #LATEST}. */
    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        return get(key, LATEST);
    }

    /**
     * A read "at the latest write" takes its {@link Super} first and reads {@code lastSequence}
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
        Super s = acquire();
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
     * the memtables newest first ({@link Super#memtables}: the active one, then the frozen ones
     * waiting for their flush), the level-0 tables newest first (they may overlap), then
     * in each level from 1 down the one table whose key range holds the key, if any.
     */
    private Optional<Bytes> lookup(Super s, Bytes key, long sequence) throws IOException {
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
        Super s = acquire();
        long sequence = snapshot == LATEST ? lastSequence : snapshot; // after acquire: see LATEST
        return StoreIterators.forward(s, sequence, from, to, tables, () -> release(s));
    }

    /** Keys in {@code [from, to)} from the largest down ({@link StoreIterators#reverse}). */
    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        Super s = acquire();
        long sequence = lastSequence; // after acquire: see LATEST
        return StoreIterators.reverse(s, sequence, from, to, tables, () -> release(s));
    }

    // ---------------------------------------------------------------- flush and compaction

    /**
     * Schedules what the store needs (the caller holds the mutex): the oldest frozen memtable's flush on
     * the flush thread, and the most urgent compaction on the compaction thread, each unless one
     * is already scheduled there. Each task schedules the next when it ends.
     */
    private void maybeScheduleBackgroundWork() {
        if (background == null || closed || backgroundError != null) {
            return;
        }
        if (!current.imm.isEmpty() && !flushScheduled) {
            flushScheduled = true;
            flusher.execute(() -> backgroundTask(() -> {
                if (!current.imm.isEmpty() && !closed) {
                    flushFrozenMemtable(); // if closed, the memtable is still in its log
                }
            }, true));
        }
        if (!backgroundScheduled && pickCompaction() != null) {
            backgroundScheduled = true;
            background.execute(() -> backgroundTask(() -> {
                Compaction c = pickCompaction();
                if (c != null && !closed) {
                    compact(c);
                }
            }, false));
        }
    }

    private interface Work {
        void run() throws IOException;
    }

    private void backgroundTask(Work work, boolean isFlush) {
        mutex.lock();
        try {
            work.run();
        } catch (IOException | RuntimeException e) {
            if (backgroundError == null) {
                backgroundError = e instanceof IOException io ? io : new IOException("background work failed", e);
            }
        } finally {
            if (isFlush) {
                flushScheduled = false;
            } else {
                backgroundScheduled = false;
            }
            backgroundDone.signalAll();
            maybeScheduleBackgroundWork();
            mutex.unlock();
        }
        files.deleteDeferred();
    }

    /**
     * One flush if a memtable is frozen, then compactions while any level is over its target. Holds
     * the mutex (and lets go of it while writing tables). Without background threads several
     * callers may get here at once (a writer whose memtable filled, a {@link #flush()} from another
     * thread): they take turns, or two compactions could pick the same tables.
     */
    private void runBackgroundWork() throws IOException {
        if (background == null) {
            while (inlineWorkRunning) {
                backgroundDone.awaitUninterruptibly();
            }
            inlineWorkRunning = true;
        }
        try {
            while (!current.imm.isEmpty()) {
                flushFrozenMemtable();
                backgroundDone.signalAll();
            }
            for (Compaction c = pickCompaction(); c != null && !closed; c = pickCompaction()) {
                compact(c);
                backgroundDone.signalAll();
            }
        } finally {
            if (background == null) {
                inlineWorkRunning = false;
                backgroundDone.signalAll();
            }
        }
    }

    /** Flushes the oldest frozen memtable to level 0 (holds the mutex; lets go of it while writing). */
    private void flushFrozenMemtable() throws IOException {
        MemTable imm = current.oldestFrozen();
        List<FileMeta> metas;
        mutex.unlock();
        try {
            metas = writeLevel0Tables(imm);
        } finally {
            mutex.lock();
        }
        VersionEdit edit = new VersionEdit();
        for (FileMeta meta : metas) {
            edit.addFile(0, meta);
        }
        // The first log recovery must replay: the next frozen memtable's, or the current one.
        java.util.Iterator<FrozenLog> logs = frozenLogs.iterator();
        logs.next(); // the flushed memtable's
        long replayFrom = logs.hasNext() ? logs.next().number : logNumber;
        edit.setLogNumber(replayFrom);
        edit.setLastSequence(lastSequence);
        logAndApplyUnlocked(edit);
        frozenLogs.removeFirst().writer.close();
        List<MemTable> rest = current.imm.subList(0, current.imm.size() - 1); // less the oldest, now in level 0
        install(new Super(mem, rest, versions.version()));
        files.installed(metas);
        metrics.recordFlush();
        files.deleteObsolete();
    }

    /** Writes {@code m} as new level-0 tables (outside the mutex), counted as flushed bytes. */
    private List<FileMeta> writeLevel0Tables(MemTable m) throws IOException {
        List<FileMeta> out = jobs.flush(m);
        for (FileMeta f : out) {
            flushBytesWritten += f.size();
        }
        return out;
    }

    /** The most urgent compaction the store's {@link CompactionPolicy} sees, or null (the caller holds the mutex). */
    Compaction pickCompaction() {
        return policy.pick(versions.version(), options, compactPointer);
    }

    /**
     * Runs compaction {@code c} (the caller holds the mutex; the merge runs without it): merges its
     * inputs in internal-key order and writes what survives to new tables of {@code level + 1},
     * cut at {@link LsmOptions#tableBytes()} between two user keys (never between two versions of
     * one key) and wherever the policy {@linkplain CompactionPolicy#cutBetween cuts}; then one
     * version edit deletes the inputs and adds the outputs.
     */
    private void compact(Compaction c) throws IOException {
        if (c.isTrivialMove(versions.version(), options.tableBytes())) {
            FileMeta f = c.allInputs().get(0);
            VersionEdit edit = new VersionEdit().deleteFile(c.level(), f.number()).addFile(c.output(), f);
            logAndApplyUnlocked(edit);
            install(new Super(mem, current.imm, versions.version()));
            trivialMoves++;
            metrics.recordCompaction();
            return;
        }
        long smallestSnapshot = snapshots.isEmpty() ? lastSequence : snapshots.firstKey();
        long largestSnapshot = snapshots.isEmpty() ? -1 : snapshots.lastKey();
        Version v = versions.version();
        int out = c.output();
        CompactionFilter filter = options.compactionFilter() == null ? null
                : options.compactionFilter().create(out, v.isBottommost(out));
        CompactionJob.DropRules rules = new CompactionJob.DropRules(smallestSnapshot, largestSnapshot, v, out, filter);
        long read = 0;
        for (FileMeta f : c.allInputs()) {
            read += f.size();
        }
        List<FileMeta> outputs;
        mutex.unlock();
        try {
            // Level 0 counts runs by tables: a run written there stays one table, however large.
            outputs = jobs.compact(c, out == 0 ? Long.MAX_VALUE : options.tableBytes(), rules);
        } finally {
            mutex.lock();
        }
        VersionEdit edit = new VersionEdit();
        c.inputsByLevel().forEach((level, inputs) -> inputs.forEach(f -> edit.deleteFile(level, f.number())));
        for (FileMeta f : outputs) {
            edit.addFile(out, f);
        }
        if (c.level() > 0 && c.output() == c.level() + 1 && !c.inputs().isEmpty()) { // leveled: where the next one starts
            compactPointer[c.level()] = c.inputs().get(c.inputs().size() - 1).largest();
            edit.setCompactPointer(c.level(), compactPointer[c.level()]);
        }
        logAndApplyUnlocked(edit);
        compactionBytesRead += read;
        for (FileMeta f : outputs) {
            compactionBytesWritten += f.size();
        }
        install(new Super(mem, current.imm, versions.version()));
        files.installed(outputs);
        metrics.recordCompaction();
        files.deleteObsolete();
    }

    /**
     * Logs {@code edit} and makes it current (the caller holds the mutex), letting go of the mutex
     * while the MANIFEST appends and forces it, as LevelDB's {@code LogAndApply} does: a force takes
     * milliseconds, and writers held up behind it were a quarter of the overwrite benchmark's time.
     * The {@link Manifest} logs one edit at a time; what the caller installs afterwards it reads
     * again under the mutex.
     */
    private void logAndApplyUnlocked(VersionEdit edit) throws IOException {
        mutex.unlock();
        try {
            versions.logAndApply(edit);
        } finally {
            mutex.lock();
        }
    }

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
                awaitBackground();
            }
            switchMemtable();
            if (background == null) {
                runBackgroundWork();
            }
            while (!current.imm.isEmpty()) {
                awaitBackground();
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
        mutex.lock();
        try {
            checkOpen();
            if (background == null) {
                runBackgroundWork();
                return;
            }
            while (flushScheduled || backgroundScheduled || !current.imm.isEmpty() || pickCompaction() != null) {
                maybeScheduleBackgroundWork();
                awaitBackground();
            }
        } finally {
            mutex.unlock();
        }
        files.deleteDeferred();
    }

    /**
     * Flushes the memtable and compacts every level into the one below, down to the deepest level
     * that holds data (RocksDB's {@code CompactRange} over all keys): afterwards each key has one
     * version (or none, if it was deleted and no snapshot needs it), in one table of one level.
     * Runs on the calling thread; background work waits meanwhile. For tests, benchmarks and the
     * shell's {@code compact}.
     */
    public void compactAll() throws IOException {
        mutex.lock();
        try {
            checkOpen();
            while (backgroundScheduled || flushScheduled) { // take both background threads' turns
                awaitBackground();
            }
            backgroundScheduled = true;
            flushScheduled = true;
            try {
                while (!current.imm.isEmpty()) {
                    flushFrozenMemtable();
                }
                if (!mem.isEmpty()) {
                    switchMemtable();
                    flushFrozenMemtable();
                }
                int target = 1; // the deepest level holding data, at least level 1
                for (int level = 1; level < Version.NUM_LEVELS; level++) {
                    if (!versions.version().files(level).isEmpty()) {
                        target = level;
                    }
                }
                boolean rewroteTarget = false;
                for (int level = 0; level < target; level++) {
                    List<FileMeta> inputs = versions.version().files(level);
                    if (inputs.isEmpty()) {
                        continue;
                    }
                    Bytes lo = null;
                    Bytes hi = null;
                    for (FileMeta f : inputs) {
                        lo = lo == null || f.smallest().userKey().compareTo(lo) < 0 ? f.smallest().userKey() : lo;
                        hi = hi == null || f.largest().userKey().compareTo(hi) > 0 ? f.largest().userKey() : hi;
                    }
                    boolean last = level + 1 == target;
                    List<FileMeta> next = last ? versions.version().files(target) : versions.version().overlapping(level + 1, lo, hi);
                    compact(new Compaction(level, inputs, next));
                    rewroteTarget |= last;
                }
                List<FileMeta> bottom = versions.version().files(target);
                if (!rewroteTarget && !bottom.isEmpty()) {
                    compact(new Compaction(new java.util.TreeMap<>(java.util.Map.of(target, bottom)), target)); // rewritten in place
                }
                runBackgroundWork(); // the levels that are now over their targets
            } finally {
                backgroundScheduled = false;
                flushScheduled = false;
                backgroundDone.signalAll();
                maybeScheduleBackgroundWork();
            }
        } finally {
            mutex.unlock();
        }
        files.deleteDeferred();
    }

    private void awaitBackground() throws IOException {
        throwBackgroundError();
        try {
            backgroundDone.await(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a flush or compaction");
        }
        throwBackgroundError();
    }

    private void throwBackgroundError() throws IOException {
        if (backgroundError != null) {
            throw new IOException("the store is read-only after a failed flush or compaction; reopen it", backgroundError);
        }
    }

    // ---------------------------------------------------------------- versions and files

    private Super acquire() {
        while (true) {
            Super s = current;
            int r = s.refs.get();
            if (r > 0 && s.refs.compareAndSet(r, r + 1)) {
                return s;
            }
        }
    }

    private void release(Super s) {
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
    private void install(Super s) {
        files.ref(s.version);
        Super old = current;
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
            BlockCache cache = tables.blockCache();
            return new Stats(metrics.snapshot(), tablesPerLevel, bytes, flushBytesWritten, compactionBytesRead,
                    compactionBytesWritten, lastSequence, reads.blockReads(), reads.filterSkips(), trivialMoves,
                    filteredValues.get(), cache == null ? null : cache.stats(), reads.compactionBlockReads());
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
    public record Stats(StoreMetrics.Snapshot metrics, long[] filesPerLevel, long[] bytesPerLevel, long flushBytes,
                        long compactionBytesRead, long compactionBytesWritten, long lastSequence, long blockReads,
                        long filterSkips, long trivialMoves, long filteredValues, BlockCache.Stats blockCache,
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
            return pendingCompactionBytes(versions.version());
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
        StringBuilder out = new StringBuilder();
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            List<FileMeta> files = v.files(level);
            out.append(String.format("L%d: %d tables, %,d bytes%s%n", level, files.size(), v.levelBytes(level),
                    level == 0 ? " (compacted at " + options.l0CompactionTrigger() + " tables)"
                            : " (target " + String.format("%,d", options.levelTargetBytes(level)) + ")"));
            for (FileMeta f : files) {
                out.append(String.format("    %s  %,d bytes  [%s .. %s]%n", LsmFileNames.table(f.number()), f.size(),
                        f.smallest(), f.largest()));
            }
        }
        return out.toString();
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

    private void checkOpen() {
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
        for (ExecutorService e : new ExecutorService[] {flusher, background}) {
            if (e != null) {
                e.shutdown();
                try {
                    e.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        mutex.lock();
        try {
            if (log != null) {
                forceFrozenLogs(); // memtables not flushed yet: their writes are in these logs only
                log.force();
                log.close();
            }
            for (FrozenLog f : frozenLogs) {
                f.writer.close();
            }
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
