package dev.storagelab.lsm;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.events.EventListener;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * The store's flushes and compactions, and the threads that run them (LevelDB's
 * {@code BackgroundCompaction}, RocksDB's flush and compaction pools): what is due is scheduled
 * when a memtable freezes or a version changes; a flush writes the oldest frozen memtable to level
 * 0 and a compaction the policy's pick to its output level, each through a {@link CompactionJob}
 * run without the mutex, and each ends in one {@link VersionEdit} and a new {@code SuperVersion}.
 *
 * <p>It works on the store's state under the store's mutex (as LevelDB's {@code DBImpl} does in one
 * class): the memtables, the version set, the snapshots, the logs. What is its own: the two threads,
 * whether each has work scheduled, the first error (after which the store is read-only), where
 * each level's next compaction starts, and the flush and compaction counters.
 */
final class BackgroundWork {

    private final LsmStore store;
    private final CompactionPolicy policy;
    /** Writes the tables of flushes and compactions. */
    private final CompactionJob jobs;
    /** Signalled when background work finishes a step (a flush, a compaction) or fails. */
    private final Condition backgroundDone;
    /**
     * Whether a caller is flushing or compacting on its own thread (without background threads), or
     * {@link #compactAll} runs (with or without them).
     */
    private boolean inlineWorkRunning;
    /** Runs compactions, one at a time; null without background threads. */
    private final ExecutorService background;
    /**
     * Runs flushes, beside compactions: a flush behind a long compaction would stall every writer
     * until the compaction ends (RocksDB keeps flushes and compactions in separate pools too).
     */
    private final ExecutorService flusher;
    /** Per level from 1: the largest key of the last compaction there, where the next one starts. */
    private final InternalKey[] compactPointer = new InternalKey[Version.NUM_LEVELS];
    /** A compaction is scheduled or running (or {@link #compactAll} runs). */
    private boolean backgroundScheduled;
    /** A flush is scheduled or running (or {@link #compactAll} runs). */
    private boolean flushScheduled;

    private IOException backgroundError;
    private long compactionBytesRead;
    private long compactionBytesWritten;
    private long flushBytesWritten;
    private long trivialMoves;
    /** Values the compaction filter dropped; written by compactions outside the mutex. */
    private final AtomicLong filteredValues = new AtomicLong();

    BackgroundWork(LsmStore store, Condition backgroundDone) {
        this.store = store;
        this.policy = store.options.policy();
        this.backgroundDone = backgroundDone;
        this.jobs = new CompactionJob(
                store.storage, store.tables, store.options, store.files::newFileNumber, filteredValues);
        store.versions.compactPointers().forEach((level, key) -> compactPointer[level] = key);
        this.background = store.options.backgroundWork() ? daemonThread("lsm-compaction") : null;
        this.flusher = store.options.backgroundWork() ? daemonThread("lsm-flush") : null;
    }

    private static ExecutorService daemonThread(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether flushes and compactions run on background threads ({@link LsmOptions#backgroundWork()}). */
    boolean threaded() {
        return background != null;
    }

    /** Whether a compaction is scheduled or running (the caller holds the mutex). */
    boolean compactionScheduled() {
        return backgroundScheduled;
    }

    /** The store's flush and compaction counters, for {@link LsmStore#stats()} (the caller holds the mutex). */
    record Counters(
            long flushBytes,
            long compactionBytesRead,
            long compactionBytesWritten,
            long trivialMoves,
            long filteredValues) {}

    Counters counters() {
        return new Counters(
                flushBytesWritten, compactionBytesRead, compactionBytesWritten, trivialMoves, filteredValues.get());
    }

    /** Stops both threads, letting the work they run end (the caller does not hold the mutex). */
    void shutdown() {
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
    }

    /**
     * Schedules what the store needs (the caller holds the mutex): the oldest frozen memtable's flush on
     * the flush thread, and the most urgent compaction on the compaction thread, each unless one
     * is already scheduled there. Each task schedules the next when it ends.
     */
    // The store calls this with its mutex held, which its own check sees; here the check cannot tell
    // that store.mutex is the lock the store held (background.store is the store), so it is off for
    // this entry point and the assertion checks it when the tests run.
    @SuppressWarnings("GuardedBy")
    void maybeScheduleBackgroundWork() {
        assert store.mutex.isHeldByCurrentThread() : "the caller holds the store's mutex";
        if (background == null || store.closed || backgroundError != null) {
            return;
        }
        if (!store.current.imm.isEmpty() && !flushScheduled) {
            flushScheduled = true;
            flusher.execute(() -> backgroundTask(true));
        }
        if (!backgroundScheduled && pickCompaction() != null) {
            backgroundScheduled = true;
            background.execute(() -> backgroundTask(false));
        }
    }

    /**
     * Hands the clean-up of {@code s}, whose last reference a reader let go of, to the flush thread
     * ({@link LsmStore#cleanUp}); it runs after the flush in progress, if any. Returns false without
     * background threads, or once they have stopped: the caller then cleans up itself.
     */
    boolean cleanUpLater(SuperVersion s) {
        if (flusher == null) {
            return false;
        }
        try {
            flusher.execute(() -> store.cleanUp(s));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** A flush thread's task: the oldest frozen memtable's flush, unless closed (then it is still in its log). */
    @GuardedBy("store.mutex")
    private void flushTask() throws IOException {
        if (!store.current.imm.isEmpty() && !store.closed) {
            flushFrozenMemtable();
        }
    }

    /** A compaction thread's task: the most urgent compaction, if any. */
    @GuardedBy("store.mutex")
    private void compactionTask() throws IOException {
        Compaction c = pickCompaction();
        if (c != null && !store.closed) {
            compact(c);
        }
    }

    private void backgroundTask(boolean isFlush) {
        store.mutex.lock();
        try {
            if (isFlush) {
                flushTask();
            } else {
                compactionTask();
            }
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
            store.mutex.unlock();
        }
        store.files.deleteDeferred();
    }

    /**
     * One flush if a memtable is frozen, then compactions while any level is over its target. Holds
     * the mutex (and lets go of it while writing tables). Without background threads several
     * callers may get here at once (a writer whose memtable filled, a {@link LsmStore#flush()} from another
     * thread): they take turns, or two compactions could pick the same tables.
     */
    // As for maybeScheduleBackgroundWork: the store holds its mutex, the assertion checks it.
    @SuppressWarnings("GuardedBy")
    void runBackgroundWork() throws IOException {
        assert store.mutex.isHeldByCurrentThread() : "the caller holds the store's mutex";
        if (background == null) {
            while (inlineWorkRunning) {
                backgroundDone.awaitUninterruptibly();
            }
            inlineWorkRunning = true;
        }
        try {
            flushAndCompactWhatIsDue();
        } finally {
            if (background == null) {
                inlineWorkRunning = false;
                backgroundDone.signalAll();
            }
        }
    }

    /** {@link #runBackgroundWork}'s work, for a caller that already has its turn. */
    @GuardedBy("store.mutex")
    private void flushAndCompactWhatIsDue() throws IOException {
        while (!store.current.imm.isEmpty()) {
            flushFrozenMemtable();
            backgroundDone.signalAll();
        }
        for (Compaction c = pickCompaction(); c != null && !store.closed; c = pickCompaction()) {
            compact(c);
            backgroundDone.signalAll();
        }
    }

    /** Flushes the oldest frozen memtable to level 0 (holds the mutex; lets go of it while writing). */
    @GuardedBy("store.mutex")
    private void flushFrozenMemtable() throws IOException {
        MemTable imm = store.current.oldestFrozen();
        if (EventListener.EMIT && store.events.isEnabled()) store.events.onEvent(LsmEvents.flushBegan(imm));
        List<FileMeta> metas;
        store.mutex.unlock();
        try {
            metas = writeLevel0Tables(imm);
        } finally {
            store.mutex.lock();
        }
        VersionEdit edit = new VersionEdit();
        for (FileMeta meta : metas) {
            edit.addFile(0, meta);
        }
        edit.setLogNumber(store.logs.replayFromAfterOldest());
        edit.setLastSequence(store.writer.lastSequence);
        logAndApplyUnlocked(edit);
        store.files.retire(LsmFileNames.log(store.logs.closeOldest()));
        List<MemTable> rest =
                store.current.imm.subList(0, store.current.imm.size() - 1); // less the oldest, now in level 0
        store.install(new SuperVersion(store.current.mem, rest, store.versions.version()));
        store.files.installed(metas);
        store.metrics.recordFlush();
        if (EventListener.EMIT && store.events.isEnabled()) store.events.onEvent(LsmEvents.flushEnded(metas));
        store.files.deleteObsolete();
    }

    /** Writes {@code m} as new level-0 tables (outside the mutex), counted as flushed bytes. */
    List<FileMeta> writeLevel0Tables(MemTable m) throws IOException {
        List<FileMeta> out = jobs.flush(m);
        for (FileMeta f : out) {
            flushBytesWritten += f.size();
        }
        return out;
    }

    /** The most urgent compaction the store's {@link CompactionPolicy} sees, or null (the caller holds the mutex). */
    Compaction pickCompaction() {
        return policy.pick(store.versions.version(), store.options, compactPointer);
    }

    /**
     * Runs compaction {@code c} (the caller holds the mutex; the merge runs without it): merges its
     * inputs in internal-key order and writes what survives to new tables of {@code level + 1},
     * cut at {@link LsmOptions#tableBytes()} between two user keys (never between two versions of
     * one key) and wherever the policy {@linkplain CompactionPolicy#cutBetween cuts}; then one
     * version edit deletes the inputs and adds the outputs.
     */
    @GuardedBy("store.mutex")
    private void compact(Compaction c) throws IOException {
        if (EventListener.EMIT && store.events.isEnabled()) store.events.onEvent(LsmEvents.compactionPicked(c));
        if (c.isTrivialMove(store.versions.version(), store.options.tableBytes())) {
            VersionEdit edit = new VersionEdit();
            for (FileMeta f : c.inputs()) {
                edit.deleteFile(c.level(), f.number()).addFile(c.output(), f);
            }
            logAndApplyUnlocked(edit);
            store.install(new SuperVersion(store.current.mem, store.current.imm, store.versions.version()));
            trivialMoves++;
            store.metrics.recordCompaction();
            if (EventListener.EMIT && store.events.isEnabled())
                store.events.onEvent(LsmEvents.compactionFinished(c, c.inputs(), true));
            return;
        }
        long smallestSnapshot = store.snapshots.isEmpty() ? store.writer.lastSequence : store.snapshots.firstKey();
        long largestSnapshot = store.snapshots.isEmpty() ? -1 : store.snapshots.lastKey();
        Version v = store.versions.version();
        int out = c.output();
        CompactionFilter filter = store.options.compactionFilter() == null
                ? null
                : store.options.compactionFilter().create(out, v.isBottommost(out));
        CompactionJob.DropRules rules = new CompactionJob.DropRules(smallestSnapshot, largestSnapshot, v, out, filter);
        long read = 0;
        for (FileMeta f : c.allInputs()) {
            read += f.size();
        }
        List<FileMeta> outputs;
        store.mutex.unlock();
        try {
            // Level 0 counts runs by tables: a run written there stays one table, however large.
            outputs = jobs.compact(c, out == 0 ? Long.MAX_VALUE : store.options.tableBytes(), rules);
        } finally {
            store.mutex.lock();
        }
        VersionEdit edit = new VersionEdit();
        c.inputsByLevel().forEach((level, inputs) -> inputs.forEach(f -> edit.deleteFile(level, f.number())));
        for (FileMeta f : outputs) {
            edit.addFile(out, f);
        }
        if (c.level() > 0
                && c.output() == c.level() + 1
                && !c.inputs().isEmpty()) { // leveled: where the next one starts
            compactPointer[c.level()] = c.inputs().get(c.inputs().size() - 1).largest();
            edit.setCompactPointer(c.level(), compactPointer[c.level()]);
        }
        logAndApplyUnlocked(edit);
        compactionBytesRead += read;
        for (FileMeta f : outputs) {
            compactionBytesWritten += f.size();
        }
        store.install(new SuperVersion(store.current.mem, store.current.imm, store.versions.version()));
        store.files.installed(outputs);
        store.metrics.recordCompaction();
        if (EventListener.EMIT && store.events.isEnabled())
            store.events.onEvent(LsmEvents.compactionFinished(c, outputs, false));
        store.files.deleteObsolete();
    }

    /**
     * Logs {@code edit} and makes it current (the caller holds the mutex), letting go of the mutex
     * while the MANIFEST appends and forces it, as LevelDB's {@code LogAndApply} does: a force takes
     * milliseconds, and writers held up behind it were a quarter of the overwrite benchmark's time.
     * The {@link Manifest} logs one edit at a time; what the caller installs afterwards it reads
     * again under the mutex.
     */
    private void logAndApplyUnlocked(VersionEdit edit) throws IOException {
        store.mutex.unlock();
        try {
            store.versions.logAndApply(edit);
        } finally {
            store.mutex.lock();
        }
    }

    /**
     * Waits until no flush or compaction is running or due (RocksDB's {@code WaitForCompact}): the
     * tree as compaction leaves it once writes stop, which is where the workbench measures space
     * amplification. Without background threads ({@link LsmOptions#backgroundWork()} false) it
     * runs that work itself.
     */
    void waitForCompactions() throws IOException {
        store.mutex.lock();
        try {
            store.checkOpen();
            if (background == null) {
                runBackgroundWork();
                return;
            }
            while (flushScheduled || backgroundScheduled || !store.current.imm.isEmpty() || pickCompaction() != null) {
                maybeScheduleBackgroundWork();
                awaitBackground();
            }
        } finally {
            store.mutex.unlock();
        }
        store.files.deleteDeferred();
    }

    /**
     * Flushes the memtable and compacts every level into the one below, down to the deepest level
     * that holds data (RocksDB's {@code CompactRange} over all keys): afterwards each key has one
     * version (or none, if it was deleted and no snapshot needs it), in one table of one level.
     * Runs on the calling thread; background work waits meanwhile. For tests, benchmarks and the
     * shell's {@code compact}.
     */
    void compactAll() throws IOException {
        store.mutex.lock();
        try {
            store.checkOpen();
            // Take both background threads' turns, and without them the turn of a caller flushing
            // on its own thread: that flush lets go of the mutex while it writes, and the two would
            // flush the same frozen memtable and close a log whose memtable is not yet in a table.
            while (backgroundScheduled || flushScheduled || inlineWorkRunning) {
                awaitBackground();
            }
            backgroundScheduled = true;
            flushScheduled = true;
            inlineWorkRunning = true;
            try {
                while (!store.current.imm.isEmpty()) {
                    flushFrozenMemtable();
                }
                if (!store.current.mem.isEmpty()) {
                    store.writer.switchMemtable();
                    flushFrozenMemtable();
                }
                int target = 1; // the deepest level holding data, at least level 1
                for (int level = 1; level < Version.NUM_LEVELS; level++) {
                    if (!store.versions.version().files(level).isEmpty()) {
                        target = level;
                    }
                }
                boolean rewroteTarget = false;
                for (int level = 0; level < target; level++) {
                    List<FileMeta> inputs = store.versions.version().files(level);
                    if (inputs.isEmpty()) {
                        continue;
                    }
                    Bytes lo = null;
                    Bytes hi = null;
                    for (FileMeta f : inputs) {
                        lo = lo == null || f.smallest().userKey().compareTo(lo) < 0
                                ? f.smallest().userKey()
                                : lo;
                        hi = hi == null || f.largest().userKey().compareTo(hi) > 0
                                ? f.largest().userKey()
                                : hi;
                    }
                    boolean last = level + 1 == target;
                    List<FileMeta> next = last
                            ? store.versions.version().files(target)
                            : store.versions.version().overlapping(level + 1, lo, hi);
                    compact(new Compaction(level, inputs, next));
                    rewroteTarget |= last;
                }
                List<FileMeta> bottom = store.versions.version().files(target);
                if (!rewroteTarget && !bottom.isEmpty()) {
                    compact(new Compaction(
                            new java.util.TreeMap<>(java.util.Map.of(target, bottom)), target)); // rewritten in place
                }
                flushAndCompactWhatIsDue(); // the levels that are now over their targets
            } finally {
                backgroundScheduled = false;
                flushScheduled = false;
                inlineWorkRunning = false;
                backgroundDone.signalAll();
                maybeScheduleBackgroundWork();
            }
        } finally {
            store.mutex.unlock();
        }
        store.files.deleteDeferred();
    }

    void awaitBackground() throws IOException {
        throwBackgroundError();
        try {
            backgroundDone.await(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a flush or compaction");
        }
        throwBackgroundError();
    }

    void throwBackgroundError() throws IOException {
        if (backgroundError != null) {
            throw new IOException(
                    "the store is read-only after a failed flush or compaction; reopen it", backgroundError);
        }
    }
}
