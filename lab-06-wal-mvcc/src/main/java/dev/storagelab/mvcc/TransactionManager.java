package dev.storagelab.mvcc;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshot-isolation transactions over an {@link MvccStore}, made durable through a
 * {@link CommitLog}: lab-06's transaction layer, and the one under {@code KvStore}.
 *
 * <p>A transaction {@linkplain #begin() begins} at the {@linkplain #visibleTs() visible timestamp}
 * and reads the store there. Its commit goes through four steps:
 * <ol>
 *   <li><b>validate and assign</b>, under the oracle's short mutex: first committer wins (a key it
 *       wrote, committed by another transaction after its start, aborts it with a
 *       {@link WriteConflictException}), and the next commit timestamp;</li>
 *   <li><b>log</b>, outside the mutex: {@link CommitLog#log} returns when the record is durable, and
 *       concurrent commits reach the log together, so they can share one force (group commit);</li>
 *   <li><b>apply</b> the writes to the store as versions at the commit timestamp;</li>
 *   <li><b>make visible</b>: the visible timestamp moves over this commit once every commit before
 *       it is applied too, and the commit returns once it has.</li>
 * </ol>
 * A reader never sees part of a commit (the visible timestamp passes a commit only once it is
 * applied whole) nor a commit without the ones before it (it only passes contiguous runs). If the
 * log fails, the transaction aborts and the manager refuses every later commit (after a failed
 * force, nobody knows what is on disk; the store must be reopened and recovered). A transaction
 * that wrote nothing commits without a timestamp.
 *
 * <p>Garbage collection runs at the {@linkplain #gcWatermark() watermark}, on demand
 * ({@link #collectGarbage()}) or on a background thread ({@link Options#withGcInterval}).
 * {@link #close()} stops that thread; it does not close the store.
 */
public final class TransactionManager implements TransactionalStore, AutoCloseable {

    /** How reads are checked at commit. */
    public enum Isolation {
        /** Snapshot isolation: write-write conflicts only; write skew can happen. */
        SNAPSHOT,
        /** Serializable snapshot isolation (T8, bonus): read-set validation too; no write skew. */
        SERIALIZABLE
    }

    /**
     * How the manager runs.
     *
     * @param lastCommitTs the timestamp the clock resumes after: 0 for a new store; after recovery,
     *                     the last commit timestamp the log replayed into the store
     * @param isolation    the isolation level of every transaction
     * @param gcInterval   how often the background thread collects garbage; null or zero: no thread
     */
    public record Options(long lastCommitTs, Isolation isolation, Duration gcInterval) {

        public Options {
            checkArgument(lastCommitTs >= 0, "lastCommitTs must not be negative: %s", lastCommitTs);
            checkNotNull(isolation, "isolation must not be null");
            checkArgument(
                    gcInterval == null || !gcInterval.isNegative(), "gcInterval must not be negative: %s", gcInterval);
        }

        /** A new store, snapshot isolation, no background garbage collection. */
        public static Options defaults() {
            return new Options(0, Isolation.SNAPSHOT, null);
        }

        /** The clock resumes after {@code ts}, the last commit timestamp recovery replayed. */
        public Options withLastCommitTs(long ts) {
            return new Options(ts, isolation, gcInterval);
        }

        public Options withIsolation(Isolation level) {
            return new Options(lastCommitTs, level, gcInterval);
        }

        /** Collect garbage every {@code interval} on a daemon thread (null or zero: never). */
        public Options withGcInterval(Duration interval) {
            return new Options(lastCommitTs, isolation, interval);
        }
    }

    private final MvccStore store;
    private final CommitLog log;
    private final Options options;
    private final TimestampOracle oracle;
    /** One garbage collection at a time. */
    private final ReentrantLock gcLock = new ReentrantLock();

    private final AtomicLong gcRuns = new AtomicLong();
    private volatile MvccStore.GcResult gcTotals = MvccStore.GcResult.NONE;
    private volatile Throwable lastGcFailure;
    private final ScheduledExecutorService gcThread;
    /** Hears transactions begin, commit, abort and conflict, and garbage collections ({@link #setEventListener}). */
    private volatile EventListener events = dev.storagelab.events.TestRecording.listener();

    private volatile boolean closed;

    /** A manager over {@code store} and {@code log} with {@link Options#defaults()}. */
    public TransactionManager(MvccStore store, CommitLog log) {
        this(store, log, Options.defaults());
    }

    /**
     * A manager over {@code store}, which holds every commit up to {@code options.lastCommitTs()}
     * and none after it, logging commits to {@code log}.
     */
    public TransactionManager(MvccStore store, CommitLog log, Options options) {
        this.store = checkNotNull(store, "store must not be null");
        this.log = checkNotNull(log, "log must not be null");
        this.options = checkNotNull(options, "options must not be null");
        this.oracle = new TimestampOracle(options.lastCommitTs());
        Duration interval = options.gcInterval();
        if (interval != null && !interval.isZero()) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "mvcc-gc");
                t.setDaemon(true);
                return t;
            });
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            long nanos = interval.toNanos();
            executor.scheduleWithFixedDelay(this::backgroundGc, nanos, nanos, TimeUnit.NANOSECONDS);
            this.gcThread = executor;
        } else {
            this.gcThread = null;
        }
    }

    /** The store the transactions read and write. */
    public MvccStore store() {
        return store;
    }

    public Options options() {
        return options;
    }

    /** The oracle: timestamps, active transactions, conflicts. */
    public TimestampOracle oracle() {
        return oracle;
    }

    /**
     * Starts a transaction at the visible timestamp.
     *
     * @throws IllegalStateException if the manager is closed
     */
    @Override
    public Transaction begin() {
        if (closed) {
            throw new IllegalStateException("the transaction manager is closed");
        }
        long startTs = oracle.begin();
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(EventType.TXN_BEGIN, "startTs", startTs));
        return new SnapshotTransaction(this, store, startTs, options.isolation() == Isolation.SERIALIZABLE);
    }

    /** The four steps of a commit (class comment); called by the transaction, which then ends. */
    long commit(SnapshotTransaction txn) throws IOException {
        List<Entry> writes = txn.writeSet();
        if (writes.isEmpty()) {
            return txn.startTs(); // read-only: nothing to validate under SI, nothing to log or apply
        }
        if (closed) {
            throw new IllegalStateException("the transaction manager is closed");
        }
        Set<Bytes> keys = new HashSet<>();
        for (Entry e : writes) {
            keys.add(e.key());
        }
        long commitTs;
        try {
            commitTs = oracle.validateAndAssign(txn.startTs(), keys, txn.readSet());
        } catch (ConflictException e) {
            if (EventListener.EMIT && events.isEnabled())
                events.onEvent(EngineEvent.of(
                        EventType.TXN_CONFLICT,
                        "startTs",
                        txn.startTs(),
                        "keys",
                        keyTexts(keys),
                        "reason",
                        e.getMessage()));
            throw e;
        }
        try {
            log.log(commitTs, writes);
        } catch (IOException | RuntimeException | Error e) {
            oracle.logFailed(commitTs, e instanceof IOException io ? io : new IOException("the commit log failed", e));
            throw e;
        }
        try {
            store.write(commitTs, writes);
        } catch (IOException | RuntimeException | Error e) {
            oracle.applyFailed(
                    commitTs, e instanceof IOException io ? io : new IOException("applying the commit failed", e));
            throw e;
        }
        oracle.markFinished(commitTs);
        oracle.awaitVisible(commitTs);
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(
                    EventType.TXN_COMMIT, "startTs", txn.startTs(), "commitTs", commitTs, "keys", keyTexts(keys)));
        return commitTs;
    }

    /** A transaction aborted (by its caller: a conflict is reported as one when it happens). */
    void aborted(SnapshotTransaction txn) {
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(EventType.TXN_ABORT, "startTs", txn.startTs()));
    }

    /** Sets who hears this manager's transactions and garbage collections ({@link EventListener}); null for none. */
    public void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }

    /** The listener set, or {@link EventListener#NONE}. */
    public EventListener eventListener() {
        return events;
    }

    /** At most 16 of {@code keys}, as events show keys. */
    private static java.util.List<String> keyTexts(Set<Bytes> keys) {
        return keys.stream().limit(16).map(EngineEvent::keyText).sorted().toList();
    }

    /** A transaction committed or aborted: it no longer holds back the watermark. */
    void ended(SnapshotTransaction txn) {
        oracle.end(txn.startTs());
    }

    /** Every commit at or below it is applied and visible; a transaction that begins now starts here. */
    public long visibleTs() {
        return oracle.visibleTs();
    }

    /** The start timestamp of the oldest active transaction, or {@link Long#MAX_VALUE} if none is active. */
    public long oldestActiveStartTs() {
        return oracle.oldestActiveStartTs();
    }

    /** How many transactions are active (begun, not yet committed, aborted or closed). */
    public int activeTransactions() {
        return oracle.activeCount();
    }

    /** The garbage-collection watermark: {@link TimestampOracle#gcWatermark()}. */
    public long gcWatermark() {
        return oracle.gcWatermark();
    }

    /**
     * Collects garbage once, at the watermark taken now: versions no active transaction and no
     * transaction that begins later can read are removed from the store. One pass at a time.
     */
    public MvccStore.GcResult collectGarbage() throws IOException {
        gcLock.lock();
        try {
            long watermark = oracle.gcWatermark();
            MvccStore.GcResult result = store.collectGarbage(watermark);
            gcRuns.incrementAndGet();
            if (EventListener.EMIT && events.isEnabled())
                events.onEvent(EngineEvent.of(
                        EventType.VERSION_GC,
                        "watermark",
                        watermark,
                        "versionsScanned",
                        result.versionsScanned(),
                        "versionsRemoved",
                        result.versionsRemoved()));
            gcTotals = gcTotals.plus(result);
            return result;
        } finally {
            gcLock.unlock();
        }
    }

    private void backgroundGc() {
        if (closed) {
            return;
        }
        try {
            collectGarbage();
        } catch (IOException | RuntimeException e) {
            lastGcFailure = e; // tried again at the next interval; a caller can see it
        }
    }

    /** How many garbage collections have run (on demand and in the background). */
    public long gcRuns() {
        return gcRuns.get();
    }

    /** The sums over every garbage collection so far. */
    public MvccStore.GcResult gcTotals() {
        return gcTotals;
    }

    /** What the last failed background garbage collection threw, or null. */
    public Throwable lastGcFailure() {
        return lastGcFailure;
    }

    /** Whether commits are refused since a log write (or an apply) failed. */
    public boolean refusesCommits() {
        return oracle.refusesCommits();
    }

    /**
     * Stops the background garbage collection (waiting for a pass in progress) and refuses new
     * transactions and commits. Does not close the store. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (gcThread != null) {
            gcThread.shutdown(); // not shutdownNow: an interrupt would close the engine's file channels mid-pass
            try {
                if (!gcThread.awaitTermination(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the garbage-collection thread did not stop within a minute");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "transactions (" + options.isolation() + ") over " + store + ", " + oracle;
    }
}
