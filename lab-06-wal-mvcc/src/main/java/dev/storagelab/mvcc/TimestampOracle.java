package dev.storagelab.mvcc;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The timestamp oracle: the one place that hands out timestamps and decides conflicts, as Badger's
 * {@code oracle} and Percolator's timestamp oracle do for a whole database. It keeps
 * <ul>
 *   <li>the last commit timestamp it assigned, and the <b>visible timestamp</b>: every commit at or
 *       below it is applied to the {@link MvccStore}, so a snapshot there is complete and stable.
 *       Commits are assigned timestamps in order but finish (log, apply) in any order; the visible
 *       timestamp advances only over a contiguous run of finished commits;</li>
 *   <li>the start timestamps of the active transactions (with their counts): the oldest one holds
 *       back garbage collection;</li>
 *   <li>the recent commits: for each key, the timestamp of its last commit, including commits that
 *       are validated but not yet applied (the store cannot show those), and the list of commits in
 *       timestamp order, to forget them once no active or future transaction can conflict with them.</li>
 * </ul>
 * Every method takes one short mutex: begin, validate-and-assign and the visibility advance are a few
 * map operations each. Logging and applying a commit happen outside it ({@link TransactionManager}).
 */
public final class TimestampOracle {

    /** One commit: its timestamp and the keys it wrote. */
    private record Commit(long ts, Set<Bytes> keys) {}

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever the visible timestamp advances, or the oracle fails. */
    private final Condition visibilityChanged = lock.newCondition();

    /** The last commit timestamp handed out. */
    private long lastAssignedTs;
    /** Every commit at or below it is applied; written under the lock, read without it. */
    private volatile long visibleTs;
    /** Finished commits above {@link #visibleTs}, waiting for the commits below them to finish. */
    private final Set<Long> finishedAhead = new HashSet<>();
    /** Start timestamp -> how many active transactions started there. */
    private final TreeMap<Long, Integer> activeStarts = new TreeMap<>();
    /** Key -> the timestamp of its last commit, for the commits still in {@link #recentCommits}. */
    private final Map<Bytes, Long> lastCommitTs = new HashMap<>();
    /** The commits not yet forgotten, in timestamp order. */
    private final ArrayDeque<Commit> recentCommits = new ArrayDeque<>();
    /** Why commits are refused (a failed log write), or null. */
    private IOException refusal;
    /** Why the visible timestamp can never advance again (a failed apply), or null. */
    private IOException stuck;

    /**
     * An oracle whose clock resumes after {@code lastCommitTs}: every commit up to it is applied (0
     * for a new store; after recovery, the last commit timestamp the log replayed).
     */
    public TimestampOracle(long lastCommitTs) {
        checkArgument(lastCommitTs >= 0, "last commit timestamp must not be negative: %s", lastCommitTs);
        this.lastAssignedTs = lastCommitTs;
        this.visibleTs = lastCommitTs;
    }

    // ------------------------------------------------------------------ transactions begin and end

    /**
     * Registers a new transaction and returns its start timestamp: the visible timestamp, read and
     * registered under the same lock as {@link #gcWatermark()} is computed, so a watermark never
     * passes a transaction that is starting.
     */
    public long begin() {
        lock.lock();
        try {
            long ts = visibleTs;
            activeStarts.merge(ts, 1, Integer::sum);
            return ts;
        } finally {
            lock.unlock();
        }
    }

    /** Unregisters a transaction that started at {@code startTs} (it committed or aborted). */
    public void end(long startTs) {
        lock.lock();
        try {
            Integer n = activeStarts.get(startTs);
            if (n == null) {
                throw new IllegalStateException("no active transaction started at " + startTs);
            }
            if (n == 1) {
                activeStarts.remove(startTs);
            } else {
                activeStarts.put(startTs, n - 1);
            }
            pruneCommits();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ commit

    /**
     * Validates a transaction that started at {@code startTs} and wrote {@code writeKeys} and, if it
     * may commit, assigns and returns its commit timestamp, one more than the last one assigned.
     * Under serializable isolation ({@code reads} not null) its reads are validated too.
     *
     * @throws WriteConflictException     if another transaction committed one of the keys after
     *                                    {@code startTs} (first committer wins)
     * @throws ReadWriteConflictException if {@code reads} is not null and another transaction
     *                                    committed a key it read after {@code startTs}
     * @throws IOException                if commits are refused since a log write failed
     */
    public long validateAndAssign(long startTs, Set<Bytes> writeKeys, ReadSet reads) throws IOException {
        lock.lock();
        try {
            if (refusal != null) {
                throw new IOException(
                        "commits are refused: a commit's log write failed before, and nobody knows what "
                                + "reached the disk (reopen the store to recover)",
                        refusal);
            }
            pruneCommits();
            checkWrites(startTs, writeKeys);
            if (reads != null) {
                validateReads(startTs, reads);
            }
            long commitTs = ++lastAssignedTs;
            Set<Bytes> keys = Set.copyOf(writeKeys);
            for (Bytes key : keys) {
                lastCommitTs.put(key, commitTs);
            }
            recentCommits.addLast(new Commit(commitTs, keys));
            return commitTs;
        } finally {
            lock.unlock();
        }
    }

    /**
     * First committer wins: throws a {@link WriteConflictException} naming the first key of
     * {@code writeKeys} that another transaction committed after {@code startTs}, with that
     * commit's timestamp. "Committed" includes commits that were validated and given a timestamp but
     * are not yet logged or applied: the store does not show them yet, so the check looks in
     * {@link #lastCommitTs}, which records every assigned commit's keys. A key that is not there was
     * last committed at or below every active start timestamp (see {@link #pruneCommits()}), so it
     * is no conflict. Called with the lock held.
     */
    private void checkWrites(long startTs, Set<Bytes> writeKeys) {
        // BEGIN SOLUTION lab-06 T5
        for (Bytes key : writeKeys) {
            Long last = lastCommitTs.get(key);
            if (last != null && last > startTs) {
                throw new WriteConflictException(key, startTs, last);
            }
        }
        // END SOLUTION
    }

    /**
     * Serializable snapshot isolation by read-set validation (T8, bonus): throws a
     * {@link ReadWriteConflictException} if a commit with a timestamp after {@code startTs} wrote a
     * key that {@code reads} contains (a key the transaction got, or one in a range it scanned),
     * naming the key and that commit's timestamp. Every such commit is still in
     * {@link #recentCommits}, since none is forgotten while a transaction that started before it
     * is active. A transaction that passes read exactly what it would have read at its commit
     * timestamp, so it is as if it ran there, alone: serializable. Called with the lock held.
     */
    private void validateReads(long startTs, ReadSet reads) {
        // BEGIN SOLUTION lab-06 T8
        if (reads.isEmpty()) {
            return;
        }
        for (Commit c : recentCommits) {
            if (c.ts() <= startTs) {
                continue;
            }
            for (Bytes key : c.keys()) {
                if (reads.contains(key)) {
                    throw new ReadWriteConflictException(key, startTs, c.ts());
                }
            }
        }
        // END SOLUTION
    }

    /**
     * Forgets the recent commits at or below the oldest snapshot any transaction can read: the
     * oldest active start timestamp, or the visible timestamp if none is active (a transaction that
     * begins later starts at the visible timestamp or above). No transaction can ever conflict with
     * those commits, since they are in its snapshot. Called with the lock held.
     */
    private void pruneCommits() {
        long oldest = activeStarts.isEmpty() ? visibleTs : Math.min(activeStarts.firstKey(), visibleTs);
        while (!recentCommits.isEmpty() && recentCommits.peekFirst().ts() <= oldest) {
            Commit c = recentCommits.pollFirst();
            for (Bytes key : c.keys()) {
                lastCommitTs.remove(key, c.ts());
            }
        }
    }

    /**
     * Records that the commit at {@code commitTs} is applied (or, after a failed log write, that it
     * never will be and holds nothing) and advances the visible timestamp over every finished commit
     * that directly follows it: the visible timestamp only ever moves over a contiguous run, so a
     * reader never sees a commit without every commit before it. Wakes the threads waiting in
     * {@link #awaitVisible} when it moves.
     */
    public void markFinished(long commitTs) {
        lock.lock();
        try {
            checkArgument(
                    commitTs > visibleTs && commitTs <= lastAssignedTs,
                    "commit timestamp %s is not pending (visible %s, last assigned %s)",
                    commitTs,
                    visibleTs,
                    lastAssignedTs);
            // BEGIN SOLUTION lab-06 T5
            finishedAhead.add(commitTs);
            long visible = visibleTs;
            while (finishedAhead.remove(visible + 1)) {
                visible++;
            }
            if (visible != visibleTs) {
                visibleTs = visible;
                visibilityChanged.signalAll();
            }
            // END SOLUTION
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the visible timestamp reaches {@code commitTs}: a commit returns only once a
     * transaction that begins after it sees it.
     *
     * @throws IOException if a commit below {@code commitTs} failed to apply, so it never will
     */
    public void awaitVisible(long commitTs) throws IOException {
        lock.lock();
        try {
            while (visibleTs < commitTs) {
                if (stuck != null) {
                    throw new IOException(
                            "commit " + commitTs + " was logged but cannot become visible: a commit before "
                                    + "it failed to apply (reopen the store: recovery replays both)",
                            stuck);
                }
                visibilityChanged.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The log write of the commit at {@code commitTs} failed: refuses every later commit, and marks
     * this one finished (none of its writes was applied, so the visible timestamp may pass it).
     */
    public void logFailed(long commitTs, IOException cause) {
        lock.lock();
        try {
            if (refusal == null) {
                refusal = cause;
            }
        } finally {
            lock.unlock();
        }
        markFinished(commitTs);
    }

    /**
     * Applying the commit at {@code commitTs} to the store failed after its log record was written:
     * some of its versions may be in the store, so the visible timestamp must never pass it. Refuses
     * every later commit and fails the waiters.
     */
    public void applyFailed(long commitTs, IOException cause) {
        lock.lock();
        try {
            if (refusal == null) {
                refusal = cause;
            }
            if (stuck == null) {
                stuck = new IOException("commit " + commitTs + " failed to apply", cause);
            }
            visibilityChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ what the oracle knows

    /** The visible timestamp: every commit at or below it is applied, none above it is visible. */
    public long visibleTs() {
        return visibleTs;
    }

    /** The last commit timestamp assigned (visible or not). */
    public long lastAssignedTs() {
        lock.lock();
        try {
            return lastAssignedTs;
        } finally {
            lock.unlock();
        }
    }

    /** The start timestamp of the oldest active transaction, or {@link Long#MAX_VALUE} if none is active. */
    public long oldestActiveStartTs() {
        lock.lock();
        try {
            return activeStarts.isEmpty() ? Long.MAX_VALUE : activeStarts.firstKey();
        } finally {
            lock.unlock();
        }
    }

    /** How many transactions are active. */
    public int activeCount() {
        lock.lock();
        try {
            int n = 0;
            for (int c : activeStarts.values()) {
                n += c;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** How many keys the conflict record holds (it shrinks as old commits are forgotten). */
    public int trackedKeys() {
        lock.lock();
        try {
            return lastCommitTs.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether commits are refused since a log write or an apply failed. */
    public boolean refusesCommits() {
        lock.lock();
        try {
            return refusal != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The garbage-collection watermark: the oldest timestamp any transaction, active or yet to begin,
     * can read at. That is the smaller of the oldest active start timestamp and the visible
     * timestamp (the start of every transaction that begins from now on): versions a snapshot at or
     * after it needs must stay, older ones may go. Never above the visible timestamp, so every
     * version at or below it is applied and none is still arriving. Computed under the lock that
     * {@link #begin()} registers under: a transaction that starts after this returns starts at or
     * above the watermark, one that started before is counted.
     */
    public long gcWatermark() {
        lock.lock();
        try {
            // BEGIN SOLUTION lab-06 T6
            long visible = visibleTs;
            return activeStarts.isEmpty() ? visible : Math.min(activeStarts.firstKey(), visible);
            // END SOLUTION
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "oracle: visible " + visibleTs + ", " + activeCount() + " active";
    }
}
