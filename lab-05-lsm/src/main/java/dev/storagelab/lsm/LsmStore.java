package dev.storagelab.lsm;

import dev.storagelab.bounds.MergingIterator;
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
    /** Hears flushes and compactions ({@link #setEventListener}); {@link EventListener#NONE} costs nothing. */
    private volatile EventListener events = EventListener.NONE;
    private final BlockCache cache;
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
    /** Open tables by file number. */
    private final Map<Long, Table> tables = new ConcurrentHashMap<>();
    /** How many live {@link Super}s hold each table file; a file is deleted when this drops to 0. */
    private final Map<Long, Integer> fileRefs = new HashMap<>();
    /** Numbers of tables being written by a flush or compaction, not yet in a version: never obsolete. */
    private final java.util.Set<Long> pendingOutputs = new java.util.HashSet<>();
    /** Live snapshots: sequence number to how many handles hold it. */
    private final TreeMap<Long, Integer> snapshots = new TreeMap<>();
    /** Per level from 1: the largest key of the last compaction there, where the next one starts. */
    private final InternalKey[] compactPointer;
    private final CompactionPolicy policy;
    /** The version {@link #pendingBytes} was estimated for (guarded by the mutex). */
    private Version pendingVersion;
    private long pendingBytes;
    /**
     * Files {@link #deleteObsoleteFiles} found with background threads running, for
     * {@link #deleteDeferredFiles} to delete once the mutex is let go of; guarded by the mutex.
     */
    private final List<String> deferredDeletes = new ArrayList<>();
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
    /** Counters of tables closed since the store opened (deleted by compactions). */
    private long retiredBlockReads;
    private long retiredFilterSkips;
    private long retiredCompactionBlockReads;
    /** What the open replayed from the logs and cut off as torn tails; set once, by the open. */
    private volatile RecoveryReport recovery = RecoveryReport.EMPTY;

    private LsmStore(CountingStorage storage, LsmOptions options, Manifest versions) {
        this.storage = storage;
        this.options = options;
        this.metrics = new StoreMetrics(storage);
        this.cache = options.blockCacheBytes() > 0 ? new BlockCache(options.blockCacheBytes()) : null;
        this.versions = versions;
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
        Manifest versions;
        Replayed replayed;
        if (counting.exists(LsmFileNames.CURRENT)) {
            // Everything that can refuse the open reads, and writes nothing: the MANIFEST, the
            // tables it names, the logs. Only then is a new MANIFEST started.
            Manifest.Recovered found = Manifest.replay(counting);
            checkTablesExist(counting, found);
            checkLogExists(counting, found);
            replayed = replayLogs(counting, options, found);
            // Nothing to recover (a clean close): the MANIFEST and the log are reused, and the open
            // writes nothing, so that a layer above that refuses its own open later changes nothing.
            versions = replayed.nothingToRecover() ? Manifest.reopen(counting, found) : Manifest.recover(counting, found);
        } else {
            versions = createManifest(counting);
            replayed = new Replayed(new MemTable(options.memtableBytes()), 0, RecoveryReport.EMPTY, null);
        }
        LsmStore store = new LsmStore(counting, options, versions);
        try {
            store.recover(replayed);
        } catch (IOException | RuntimeException e) {
            store.closeQuietly();
            throw e;
        }
        return store;
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Creates the MANIFEST of a new store. Without CURRENT the directory may still hold what a
     * creation that crashed before writing CURRENT left (a MANIFEST, CURRENT.tmp): garbage, deleted.
     * A table or a log without CURRENT is not: CURRENT was lost, and the store refuses to open over it.
     */
    private static Manifest createManifest(Storage storage) throws IOException {
        List<String> leftovers = new ArrayList<>();
        for (String name : storage.list()) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.type() != LsmFileNames.Type.MANIFEST) {
                throw new CorruptionException(storage.describe(LsmFileNames.CURRENT), 0, "CURRENT is missing, but "
                        + name + " is here: the store's MANIFEST pointer was lost (restore CURRENT, or start in an empty directory)");
            }
            if (p != null || name.equals(LsmFileNames.CURRENT_TEMP)) {
                leftovers.add(name);
            }
        }
        for (String name : leftovers) {
            storage.delete(name);
        }
        if (!leftovers.isEmpty()) {
            storage.syncDirectory();
        }
        return Manifest.create(storage);
    }

    /**
     * What the logs the last flush did not cover hold: their records, the newest sequence, and what
     * was read and cut off as torn tails.
     */
    private record Replayed(MemTable memtable, long lastSequence, RecoveryReport report, String reusableLog) {

        /** Whether the logs held no record and no torn tail, and one log, the MANIFEST's, can take the next writes. */
        boolean nothingToRecover() {
            return reusableLog != null;
        }
    }

    /**
     * Replays, oldest first, every log numbered at or above the MANIFEST's log number into one
     * memtable, writing nothing: a torn tail is not cut here, because the log is flushed to level 0
     * and deleted once the open has succeeded.
     */
    private static Replayed replayLogs(Storage storage, LsmOptions options, Manifest.Recovered found) throws IOException {
        MemTable recovered = new MemTable(options.memtableBytes());
        List<Long> logs = new ArrayList<>();
        for (String name : storage.list()) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.type() == LsmFileNames.Type.LOG && p.number() >= found.logNumber()) {
                logs.add(p.number());
            }
        }
        Collections.sort(logs);
        long maxSequence = found.lastSequence();
        RecoveryReport report = RecoveryReport.EMPTY;
        for (long n : logs) {
            Replayed log = replay(storage, LsmFileNames.log(n), recovered);
            maxSequence = Math.max(maxSequence, log.lastSequence());
            report = report.plus(log.report());
        }
        boolean reusable = logs.equals(List.of(found.logNumber())) && report.records() == 0
                && report.truncatedBytes() == 0 && report.validBytes() > 0;
        return new Replayed(recovered, maxSequence, report, reusable ? LsmFileNames.log(found.logNumber()) : null);
    }

    private void recover(Replayed replayed) throws IOException {
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
            pendingOutputs.clear();
            deleteObsoleteFiles();
            maybeScheduleBackgroundWork();
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Every table the MANIFEST names must be in the directory: one that is not was lost (deleted by
     * hand, or its directory entry never made durable), and the store would read every key in its
     * range as absent. LevelDB refuses to open too.
     */
    private static void checkTablesExist(Storage storage, Manifest.Recovered found) throws IOException {
        Version v = found.version();
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                String name = LsmFileNames.table(f.number());
                if (!storage.exists(name)) {
                    throw new CorruptionException(storage.describe(name), 0, "the MANIFEST (" + found.manifest()
                            + ") names table " + name + " at level " + level + ", but it is not in the directory");
                }
            }
        }
    }

    /**
     * The log the MANIFEST's log number names must be in the directory: every edit that sets a log
     * number is written after that log was created, and the log is deleted only once a later edit
     * has moved past it. A missing one means edits that were forced are gone (a damaged last edit
     * dropped as if it were torn, while the work it recorded went on: its old log deleted), and the
     * store would open without the writes that work had moved into a table.
     */
    private static void checkLogExists(Storage storage, Manifest.Recovered found) throws IOException {
        if (found.logNumber() == 0) {
            return; // a new store's first snapshot: no log yet
        }
        String name = LsmFileNames.log(found.logNumber());
        if (!storage.exists(name)) {
            throw new CorruptionException(storage.describe(found.manifest()), 0, "the MANIFEST's log number is "
                    + found.logNumber() + " but " + name + " is not in the directory: " + (found.tornTail()
                    ? "the MANIFEST's last edit, dropped as a torn write, had been forced (the work it recorded went on)"
                    : "the log was lost") + "; the store would open without acknowledged writes");
        }
    }

    /** Replays log {@code name} into {@code into}, up to a torn tail; the memtable returned is {@code into}. */
    private static Replayed replay(Storage storage, String name, MemTable into) throws IOException {
        long max = -1;
        long records = 0;
        try (RecordLogReader reader = RecordLogReader.open(storage, name, RecordLogFormat.Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            for (byte[] record = reader.next(); record != null; record = reader.next()) {
                WriteBatch.Decoded d = WriteBatch.decode(record, storage.describe(name), reader.lastRecordOffset());
                long seq = d.firstSequence();
                for (Entry e : d.batch().operations()) {
                    into.add(seq++, e.key(), e.isTombstone() ? null : e.value());
                }
                max = Math.max(max, d.lastSequence());
                records++;
            }
            return new Replayed(into, max,
                    new RecoveryReport(records, reader.validEnd(), reader.fileSize() - reader.validEnd()), null);
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
            for (FileMeta f : filesFor(s.version, level, key)) {
                Table.Lookup r = table(f).get(key, sequence);
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
        List<InternalIterator> sources = new ArrayList<>();
        try {
            for (MemTable m : s.memtables()) {
                sources.add(m.iterator());
            }
            for (FileMeta f : s.version.files(0)) {
                sources.add(table(f).cursor());
            }
            for (int level = 1; level < Version.NUM_LEVELS; level++) {
                if (!s.version.files(level).isEmpty()) {
                    sources.add(levelIterator(s.version.files(level)));
                }
            }
        } catch (IOException | RuntimeException e) {
            sources.forEach(InternalIterator::close);
            release(s);
            throw e instanceof IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        }
        return new SnapshotIterator(new MergingInternalIterator(sources), sequence, from, to, () -> release(s));
    }

    /**
     * A level below level 0 as one source of a scan: its tables opened one at a time, as the scan
     * reaches them (level 0's tables overlap, so each is a source of its own).
     */
    private InternalIterator levelIterator(List<FileMeta> files) {
        return new LevelIterator(files, f -> table(f).cursor());
    }

    /**
     * Keys in {@code [from, to)} from the largest down. Each source resolves its own versions at
     * the snapshot, and lab-02's newest-wins merge picks, for each key, the newest source's:
     * correct because every version of a key in a newer source is newer than every one in an
     * older source.
     */
    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        Super s = acquire();
        long sequence = lastSequence; // after acquire: see LATEST
        List<EntryIterator> newestFirst = new ArrayList<>();
        try {
            for (MemTable m : s.memtables()) {
                newestFirst.add(SnapshotIterator.reverse(m.iterator(), sequence, from, to));
            }
            for (FileMeta f : s.version.files(0)) {
                newestFirst.add(SnapshotIterator.reverse(table(f).cursor(), sequence, from, to));
            }
            for (int level = 1; level < Version.NUM_LEVELS; level++) {
                if (!s.version.files(level).isEmpty()) {
                    newestFirst.add(SnapshotIterator.reverse(levelIterator(s.version.files(level)), sequence, from, to));
                }
            }
        } catch (IOException | RuntimeException e) {
            newestFirst.forEach(EntryIterator::close);
            release(s);
            throw e instanceof IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        }
        MergingIterator merged = new MergingIterator(newestFirst, true);
        class LiveEntries extends com.google.common.collect.AbstractIterator<Entry> implements EntryIterator {
            private boolean closed;

            @Override
            protected Entry computeNext() {
                while (!closed && merged.hasNext()) {
                    Entry e = merged.next();
                    if (!e.isTombstone()) {
                        return e;
                    }
                }
                return endOfData();
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    try {
                        merged.close();
                    } finally {
                        release(s);
                    }
                }
            }
        }
        return new LiveEntries();
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
        deleteDeferredFiles();
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
        if (events.isEnabled()) events.onEvent(LsmEvents.flushBegan(imm));
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
        for (FileMeta meta : metas) {
            pendingOutputs.remove(meta.number());
        }
        metrics.recordFlush();
        if (events.isEnabled()) events.onEvent(LsmEvents.flushEnded(metas));
        deleteObsoleteFiles();
    }

    /**
     * Writes {@code m} as new level-0 tables (outside the mutex): one, or one more wherever the
     * policy {@linkplain CompactionPolicy#cutBetween cuts} between two user keys (their key ranges
     * are disjoint, so their order in level 0 does not matter); none if it holds nothing.
     */
    private List<FileMeta> writeLevel0Tables(MemTable m) throws IOException {
        List<FileMeta> out = new ArrayList<>();
        if (m.isEmpty()) {
            return out;
        }
        TableBuilder b = null;
        long number = 0;
        byte[] previousUserKey = null;
        try (InternalIterator it = m.iterator()) {
            for (it.seekToFirst(); it.valid(); it.next()) {
                byte[] key = it.key();
                int userLength = key.length - InternalKey.TRAILER_BYTES;
                boolean newUserKey = previousUserKey == null
                        || !java.util.Arrays.equals(key, 0, userLength, previousUserKey, 0, previousUserKey.length);
                if (newUserKey) {
                    byte[] userKey = java.util.Arrays.copyOf(key, userLength);
                    if (b != null && policy.cutBetween(previousUserKey, userKey)) {
                        out.add(finishOutput(b, number));
                        b = null;
                    }
                    previousUserKey = userKey;
                }
                if (b == null) {
                    number = newFileNumber();
                    b = new TableBuilder(storage, LsmFileNames.table(number), tableOptions());
                }
                b.add(key, it.value());
            }
            if (b != null) {
                out.add(finishOutput(b, number));
                b = null;
            }
        } finally {
            if (b != null) {
                b.abandon();
            }
        }
        storage.syncDirectory(); // the tables' names are durable before the MANIFEST refers to them
        for (FileMeta f : out) {
            flushBytesWritten += f.size();
        }
        return out;
    }

    /** A new table number, kept from deletion until its version is installed (locks the mutex if needed). */
    private long newFileNumber() {
        boolean held = mutex.isHeldByCurrentThread();
        if (!held) {
            mutex.lock();
        }
        try {
            long n = versions.newFileNumber();
            pendingOutputs.add(n);
            return n;
        } finally {
            if (!held) {
                mutex.unlock();
            }
        }
    }

    private TableBuilder.Options tableOptions() {
        return TableBuilder.Options.defaults().withBlockSize(options.blockBytes()).withBitsPerKey(options.bloomBitsPerKey());
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
        if (events.isEnabled()) events.onEvent(LsmEvents.compactionPicked(c));
        if (isTrivialMove(c)) {
            FileMeta f = c.allInputs().get(0);
            VersionEdit edit = new VersionEdit().deleteFile(c.level(), f.number()).addFile(c.output(), f);
            logAndApplyUnlocked(edit);
            install(new Super(mem, current.imm, versions.version()));
            trivialMoves++;
            metrics.recordCompaction();
            if (events.isEnabled()) events.onEvent(LsmEvents.compactionFinished(c, List.of(f), true));
            return;
        }
        long smallestSnapshot = snapshots.isEmpty() ? lastSequence : snapshots.firstKey();
        long largestSnapshot = snapshots.isEmpty() ? -1 : snapshots.lastKey();
        Version v = versions.version();
        int out = c.output();
        CompactionFilter filter = null;
        if (options.compactionFilter() != null) {
            boolean bottommost = true;
            for (int level = out + 1; level < Version.NUM_LEVELS; level++) {
                bottommost &= v.files(level).isEmpty();
            }
            filter = options.compactionFilter().create(out, bottommost);
        }
        List<FileMeta> outputs = new ArrayList<>();
        long read = 0;
        for (FileMeta f : c.allInputs()) {
            read += f.size();
        }
        mutex.unlock();
        try {
            List<InternalIterator> sources = new ArrayList<>();
            for (FileMeta f : c.allInputs()) {
                sources.add(table(f).compactionCursor());
            }
            try (MergingInternalIterator merged = new MergingInternalIterator(sources)) {
                merged.seekToFirst();
                // Level 0 counts runs by tables: a run written there stays one table, however large.
                writeCompactionOutputs(merged, smallestSnapshot, largestSnapshot, v, out,
                        out == 0 ? Long.MAX_VALUE : options.tableBytes(), filter, outputs);
            }
            if (!outputs.isEmpty()) {
                storage.syncDirectory(); // the outputs' names are durable before the MANIFEST refers to them
            }
        } finally {
            mutex.lock();
        }
        VersionEdit edit = new VersionEdit();
        c.inputsByLevel().forEach((level, files) -> files.forEach(f -> edit.deleteFile(level, f.number())));
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
        for (FileMeta f : outputs) {
            pendingOutputs.remove(f.number());
        }
        metrics.recordCompaction();
        if (events.isEnabled()) events.onEvent(LsmEvents.compactionFinished(c, outputs, false));
        deleteObsoleteFiles();
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
     * Whether {@code c} can move its one input table down a level without rewriting it (LevelDB's
     * trivial move): one table, nothing in the next level overlapping it, and not much in the level
     * after that (at most 10 tables' worth), or the moved table would make a costly compaction later.
     * Sequential inserts move down this way at almost no cost.
     */
    private boolean isTrivialMove(Compaction c) {
        if (c.output() != c.level() + 1 || c.allInputs().size() != 1 || c.output() >= Version.NUM_LEVELS) {
            return false;
        }
        FileMeta f = c.allInputs().get(0);
        if (c.output() + 1 >= Version.NUM_LEVELS) {
            return true;
        }
        long grandparentBytes = 0;
        for (FileMeta g : versions.version().overlapping(c.output() + 1, f.smallest().userKey(), f.largest().userKey())) {
            grandparentBytes += g.size();
        }
        return grandparentBytes <= 10 * options.tableBytes();
    }

    /**
     * The compaction's drop rules, per user key, versions newest first. A version is dropped if a
     * newer version of its key is visible to every snapshot (its sequence number is at or below the
     * oldest snapshot): no reader can see it any more. A deletion is dropped too when it is itself
     * visible to every snapshot and no level below the output holds the key: nothing is left for it
     * to hide. A value no snapshot can read (newer than {@code largestSnapshot}, -1 if there is none)
     * is then shown to the compaction filter, if any, which may drop it too, as RocksDB does since
     * 6.0. Everything else is written.
     */
    private void writeCompactionOutputs(InternalIterator merged, long smallestSnapshot, long largestSnapshot,
                                        Version v, int out,
                                        long maxTableBytes, CompactionFilter filter, List<FileMeta> outputs)
            throws IOException {
        TableBuilder builder = null;
        long number = 0;
        byte[] currentUserKey = null;
        long lastSequenceForKey = Long.MAX_VALUE;
        try {
            for (; merged.valid(); merged.next()) {
                byte[] key = merged.key();
                int userLength = key.length - InternalKey.TRAILER_BYTES;
                boolean newUserKey = currentUserKey == null
                        || !java.util.Arrays.equals(key, 0, userLength, currentUserKey, 0, currentUserKey.length);
                if (newUserKey) {
                    byte[] previousUserKey = currentUserKey;
                    currentUserKey = java.util.Arrays.copyOf(key, userLength);
                    lastSequenceForKey = Long.MAX_VALUE;
                    if (builder != null && (builder.fileSizeEstimate() >= maxTableBytes
                            || policy.cutBetween(previousUserKey, currentUserKey))) {
                        outputs.add(finishOutput(builder, number));
                        builder = null;
                    }
                }
                long sequence = InternalKey.trailerAt(key, userLength) >>> 8;
                boolean deletion = key[key.length - 1] == ValueType.DELETE.code();
                boolean drop = shouldDrop(sequence, deletion, lastSequenceForKey, smallestSnapshot, v, out,
                        Bytes.wrap(currentUserKey));
                lastSequenceForKey = sequence;
                if (drop) {
                    continue;
                }
                if (filter != null && !deletion && sequence > largestSnapshot
                        && filter.drop(currentUserKey, merged.value())) {
                    filteredValues.incrementAndGet();
                    continue;
                }
                if (builder == null) {
                    number = newFileNumber();
                    builder = new TableBuilder(storage, LsmFileNames.table(number), tableOptions());
                }
                builder.add(key, merged.value());
            }
            if (builder != null) {
                outputs.add(finishOutput(builder, number));
                builder = null;
            }
        } finally {
            if (builder != null) {
                builder.abandon();
            }
        }
    }

    /**
     * Whether a compaction into {@code outputLevel} drops one version of {@code userKey}: the one
     * with {@code sequence} (a deletion if {@code deletion}), met right after the version with
     * {@code newerSequence} of the same key ({@link Long#MAX_VALUE} if it is the key's newest).
     * Drop it if the newer version is visible to every snapshot ({@code newerSequence <=
     * smallestSnapshot}): no reader can reach this one. Drop a deletion that every snapshot sees if
     * no level below {@code outputLevel} holds the key ({@link #isBaseLevelForKey}): nothing is
     * left for it to hide. Keep everything else.
     */
    static boolean shouldDrop(long sequence, boolean deletion, long newerSequence, long smallestSnapshot, Version v,
                              int outputLevel, Bytes userKey) {
        // BEGIN SOLUTION lab-05 T7
        if (newerSequence <= smallestSnapshot) {
            return true;
        }
        return deletion && sequence <= smallestSnapshot && isBaseLevelForKey(v, outputLevel, userKey);
        // END SOLUTION
    }

    private static FileMeta finishOutput(TableBuilder builder, long number) throws IOException {
        TableBuilder.Result r = builder.finish();
        return new FileMeta(number, r.fileSize(), r.smallest(), r.largest());
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
        deleteDeferredFiles();
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
        deleteDeferredFiles();
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
                for (int level = 0; level < Version.NUM_LEVELS; level++) {
                    for (FileMeta f : s.version.files(level)) {
                        fileRefs.computeIfPresent(f.number(), (k, n) -> n == 1 ? null : n - 1);
                    }
                }
                deleteObsoleteFiles();
            } finally {
                mutex.unlock();
            }
            deleteDeferredFiles();
        }
    }

    /** Makes {@code s} current (the caller holds the mutex); the previous one is released. */
    private void install(Super s) {
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : s.version.files(level)) {
                fileRefs.merge(f.number(), 1, Integer::sum);
            }
        }
        Super old = current;
        current = s;
        if (old != null) {
            release(old);
        }
    }

    /**
     * Deletes files nothing needs (the caller holds the mutex): tables no live version holds, logs
     * older than the current log number, and MANIFESTs other than the current one.
     */
    private void deleteObsoleteFiles() {
        try {
            java.util.Set<Long> keep = new java.util.HashSet<>(pendingOutputs);
            keep.addAll(fileRefs.keySet()); // tables an older version still being read holds
            for (String name : versions.obsoleteFiles(keep)) {
                LsmFileNames.Parsed p = LsmFileNames.parse(name);
                if (p != null && p.type() == LsmFileNames.Type.TABLE) {
                    Table t = tables.remove(p.number());
                    if (t != null) {
                        retiredBlockReads += t.stats().blockReads();
                        retiredFilterSkips += t.stats().filterSkips();
                        retiredCompactionBlockReads += t.stats().compactionBlockReads();
                        t.close();
                    }
                    if (cache != null) {
                        cache.evictFile(p.number());
                    }
                }
                if (background != null && !name.equals(LsmFileNames.CURRENT_TEMP)) {
                    deferredDeletes.add(name);
                } else {
                    storage.delete(name);
                }
            }
        } catch (IOException e) {
            // A file left behind is garbage, not damage: the next open deletes it.
        }
    }

    /**
     * Deletes the files {@link #deleteObsoleteFiles} deferred (the caller does not hold the mutex).
     * Unlinking a table of megabytes takes milliseconds (the kernel drops its cached pages), and a
     * compaction deletes ten or more: under the mutex, writers waited up to 36 ms behind it. Nothing
     * can need a deferred file again (file numbers are never reused), so it is deleted late, once.
     */
    private void deleteDeferredFiles() {
        List<String> names;
        mutex.lock();
        try {
            if (deferredDeletes.isEmpty()) {
                return;
            }
            names = new ArrayList<>(deferredDeletes);
            deferredDeletes.clear();
        } finally {
            mutex.unlock();
        }
        for (String name : names) {
            try {
                storage.delete(name);
            } catch (IOException e) {
                // A file left behind is garbage, not damage: the next open deletes it.
            }
        }
    }


    /**
     * The tables of {@code level} that may hold {@code key}, in the order to ask them: in level 0
     * every table whose key range holds it, newest first (level-0 tables may overlap); in a deeper
     * level at most one, found by binary search over the tables' largest keys (they do not overlap).
     */
    static List<FileMeta> filesFor(Version v, int level, Bytes key) {
        List<FileMeta> files = v.files(level);
        if (level == 0) {
            List<FileMeta> hits = new ArrayList<>();
            for (FileMeta f : files) { // newest first
                if (f.overlaps(key, key)) {
                    hits.add(f);
                }
            }
            return hits;
        }
        int lo = 0;
        int hi = files.size();
        while (lo < hi) { // the first table whose largest user key is >= key
            int mid = (lo + hi) >>> 1;
            if (files.get(mid).largest().userKey().compareTo(key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < files.size() && files.get(lo).smallest().userKey().compareTo(key) <= 0) {
            return List.of(files.get(lo));
        }
        return List.of();
    }

    /** Whether no level below {@code level} holds {@code key} in its tables' key ranges. */
    static boolean isBaseLevelForKey(Version v, int level, Bytes key) {
        for (int l = level + 1; l < Version.NUM_LEVELS; l++) {
            if (!filesFor(v, l, key).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private Table table(FileMeta f) throws IOException {
        Table t = tables.get(f.number());
        if (t != null) {
            return t;
        }
        synchronized (tables) {
            t = tables.get(f.number());
            if (t == null) {
                t = Table.open(storage, LsmFileNames.table(f.number()), f.number(), cache);
                tables.put(f.number(), t);
            }
            return t;
        }
    }

    // ---------------------------------------------------------------- state

    /** The store's counters; {@link Stats#writeAmplification()} and friends derive from them. */
    public Stats stats() {
        mutex.lock();
        try {
            Version v = versions.version();
            long[] files = new long[Version.NUM_LEVELS];
            long[] bytes = new long[Version.NUM_LEVELS];
            for (int level = 0; level < Version.NUM_LEVELS; level++) {
                files[level] = v.files(level).size();
                bytes[level] = v.levelBytes(level);
            }
            long blockReads = retiredBlockReads;
            long filterSkips = retiredFilterSkips;
            long compactionBlockReads = retiredCompactionBlockReads;
            for (Table t : tables.values()) {
                Table.Stats ts = t.stats();
                blockReads += ts.blockReads();
                filterSkips += ts.filterSkips();
                compactionBlockReads += ts.compactionBlockReads();
            }
            return new Stats(metrics.snapshot(), files, bytes, flushBytesWritten, compactionBytesRead,
                    compactionBytesWritten, lastSequence, blockReads, filterSkips, trivialMoves, filteredValues.get(),
                    cache == null ? null : cache.stats(), compactionBlockReads);
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
            for (Table t : tables.values()) {
                t.close();
            }
            tables.clear();
            deleteDeferredFiles(); // the background threads have stopped: nothing else deletes them now
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
