package dev.storagelab.lsm;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The store's write path (LevelDB's {@code DBImpl::Write} and {@code MakeRoomForWrite}): a write
 * batch waits for room in the memtable, slowed or stopped while compaction is behind, then takes
 * the next sequence numbers and goes to the write-ahead log as one record and into the active
 * memtable; a full memtable is frozen and a new one, with a new log, takes the writes. Writers take
 * turns under the store's mutex; readers take no lock and read at {@link #lastSequence}, which a
 * batch moves only once all of it is in the memtable.
 *
 * <p>What is its own: the active memtable, the last sequence number, and the pacing of slowed
 * writes ({@link WriteController}). The logs, the version set and the background work it waits for
 * are the store's, under the same mutex.
 */
final class StoreWriter {

    private final LsmStore store;
    private final LsmOptions options;
    private final StoreMetrics metrics;
    private final WriteController writeController;

    /** The active memtable: every write goes into it, until it is full and frozen ({@link #switchMemtable}). */
    @GuardedBy("store.mutex")
    MemTable mem;
    /**
     * The sequence number of the newest write a reader may see: a batch moves it only once the
     * batch is in the log and all of it is in the memtable.
     */
    volatile long lastSequence;

    StoreWriter(LsmStore store) {
        this.store = store;
        this.options = store.options;
        this.metrics = store.metrics;
        this.writeController = new WriteController(options);
    }

    /**
     * Applies {@code batch} atomically: all of its operations or (after a crash) none. They get
     * consecutive sequence numbers, go to the log as one record, then to the memtable.
     */
    void write(WriteBatch batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        long start = StoreMetrics.startTimer(); // one write in 16 reads the clock
        store.mutex.lock();
        try {
            store.checkOpen();
            makeRoomForWrite(batch.encodedBytes());
            apply(batch);
        } finally {
            store.mutex.unlock();
        }
        long nanos = start == StoreMetrics.NOT_TIMED ? StoreMetrics.NOT_TIMED : System.nanoTime() - start;
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
    @GuardedBy("store.mutex")
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
    @GuardedBy("store.mutex")
    private void logBatch(byte[] record) throws IOException {
        if (!options.walEnabled()) {
            return;
        }
        store.logs.append(record, options.syncWrites());
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
    @GuardedBy("store.mutex")
    private void makeRoomForWrite(int bytes) throws IOException {
        BackgroundWork background = store.background;
        boolean slowed = false;
        while (true) {
            background.throwBackgroundError();
            Version v = store.versions.version();
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
                    store.mutex.unlock();
                    try {
                        TimeUnit.NANOSECONDS.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while writes were slowed");
                    } finally {
                        store.mutex.lock();
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
            } else if (store.current.imm.size() >= options.maxImmutableMemtables()
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

    /**
     * Starts the first memtable of an open (the caller holds the mutex), at {@code lastSequence},
     * the last sequence number recovery found, and makes it current with the recovered version.
     */
    // Called by the store with its mutex held, which the check cannot tell is store.mutex (see
    // BackgroundWork.maybeScheduleBackgroundWork); the assertion checks it when the tests run.
    @SuppressWarnings("GuardedBy")
    void start(long lastSequence) {
        assert store.mutex.isHeldByCurrentThread() : "the caller holds the store's mutex";
        this.lastSequence = lastSequence;
        mem = new MemTable(options.memtableBytes());
        store.install(new SuperVersion(mem, List.of(), store.versions.version()));
    }

    /** Freezes the memtable (the newest of the frozen ones), starts a new log, and schedules its flush. Holds the mutex. */
    // Called by BackgroundWork.compactAll too, with the store's mutex held: as for start.
    @SuppressWarnings("GuardedBy")
    void switchMemtable() throws IOException {
        assert store.mutex.isHeldByCurrentThread() : "the caller holds the store's mutex";
        long newLog = store.versions.newFileNumber();
        // Neither forced nor in a synced directory yet: the next sync makes both durable with the
        // writes (MemtableLogs.forceAll), and the flush of the memtable frozen here syncs the directory
        // before the MANIFEST names this log. A force here cost the writer milliseconds per switch.
        RecordLogWriter w =
                RecordLogWriter.createUnforced(store.storage, LsmFileNames.log(newLog), RecordLogFormat.Kind.WAL);
        store.logs.switchTo(w, newLog);
        List<MemTable> frozen = store.current.memtables(); // the active one (mem) becomes the newest frozen one
        mem = new MemTable(options.memtableBytes());
        store.install(new SuperVersion(mem, frozen, store.versions.version()));
        store.background.maybeScheduleBackgroundWork();
    }

    /**
     * Forces the log, and the logs of the frozen memtables not forced since their switch; without
     * the write-ahead log, {@linkplain #flush() flushes} the memtable instead.
     */
    void sync() throws IOException {
        if (!options.walEnabled()) {
            flush();
            return;
        }
        store.mutex.lock();
        try {
            store.checkOpen();
            store.logs.forceAll();
        } finally {
            store.mutex.unlock();
        }
    }

    /** Freezes the memtable and waits until it is in a level-0 table ({@link LsmStore#flush()}). */
    void flush() throws IOException {
        BackgroundWork background = store.background;
        store.mutex.lock();
        try {
            store.checkOpen();
            if (mem.isEmpty()) {
                return;
            }
            while (store.current.imm.size() >= options.maxImmutableMemtables()) {
                background.awaitBackground();
            }
            switchMemtable();
            if (!background.threaded()) {
                background.runBackgroundWork();
            }
            while (!store.current.imm.isEmpty()) {
                background.awaitBackground();
            }
        } finally {
            store.mutex.unlock();
        }
    }

    /** {@link LsmStore#pendingCompactionBytes()}. */
    long pendingCompactionBytes() {
        store.mutex.lock();
        try {
            return writeController.pendingCompactionBytes(store.versions.version());
        } finally {
            store.mutex.unlock();
        }
    }
}
