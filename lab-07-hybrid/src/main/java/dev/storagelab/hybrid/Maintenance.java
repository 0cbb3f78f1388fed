package dev.storagelab.hybrid;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.kvstore.WriteAheadStore;
import java.io.IOException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The maintenance of a {@link HybridStore}: the rounds of background work, on a thread of its own
 * unless the options say otherwise ({@link HybridOptions#backgroundWork()}). A round
 * ({@link #runRound}) chooses the order of the reads' look-ups
 * ({@link TieredEngine#chooseReadOrder}), carries out the queued migrations, sweeps the hot keys
 * and thins or restores the sampling (the {@link MigrationScheduler}'s work), moves a few old LSM
 * tables to the archive tier, and takes a checkpoint once the log has grown by
 * {@link HybridOptions#checkpointLogBytes()} since the last.
 *
 * <p>Rounds, checkpoints, the store's forced moves and its close take {@link #lock}, one at a time.
 * A round that fails with an IOException is remembered: the background rounds stop, and every
 * later round throws it (the store's writes, behind the log, go on).
 */
final class Maintenance {

    /** Tables moved to the archive per maintenance round, at most: a move to an object store takes a while. */
    static final int ARCHIVE_MOVES_PER_ROUND = 4;

    /** Taken by a round, a checkpoint, a forced move and the store's close. */
    final Object lock = new Object();

    private final HybridOptions options;
    private final TieredEngine engine;
    private final WriteAheadStore log;
    /** The tiers under the engines, or null if the store has no archive. */
    private final TieredStorage tiers;

    private final MigrationScheduler scheduler;
    /** Hears table moves and checkpoints ({@link HybridStore#setEventListener}). */
    private volatile EventListener events = dev.storagelab.events.TestRecording.listener();
    /** Runs the background rounds, or null if the options turned them off. */
    private final ScheduledThreadPoolExecutor executor;
    /** The log's size at the last checkpoint (under {@link #lock}). */
    private long logBytesAtCheckpoint;

    private volatile IOException failure;
    private volatile boolean stopped;

    /** Starts the background rounds if {@link HybridOptions#backgroundWork()}. */
    Maintenance(
            HybridOptions options,
            TieredEngine engine,
            WriteAheadStore log,
            TieredStorage tiers,
            MigrationScheduler scheduler) {
        this.options = options;
        this.engine = engine;
        this.log = log;
        this.tiers = tiers;
        this.scheduler = scheduler;
        this.logBytesAtCheckpoint = log.wal().stats().bytes();
        if (options.backgroundWork()) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "hybrid-maintenance");
                t.setDaemon(true);
                return t;
            });
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            long interval = options.maintenanceInterval().toNanos();
            executor.scheduleWithFixedDelay(this::runInBackground, interval, interval, TimeUnit.NANOSECONDS);
            this.executor = executor;
        } else {
            this.executor = null;
        }
    }

    /**
     * One round, on the calling thread: the reads' order, the queued migrations, the sweep of the
     * hot keys, the sampling's backoff, a few tables to the archive (if the store has one and an
     * archive age), and a checkpoint if the log has grown enough. Throws the failure of an earlier round, if one failed.
     */
    void runRound() throws IOException {
        synchronized (lock) {
            IOException failure = this.failure;
            if (failure != null) {
                throw new IOException("background maintenance failed earlier: " + failure.getMessage(), failure);
            }
            engine.chooseReadOrder();
            scheduler.drainMigrations();
            scheduler.sweepHotKeys();
            scheduler.adjustSampling();
            if (tiers != null && !options.archiveAge().isZero()) {
                archiveSome();
            }
            if (log.wal().stats().bytes() - logBytesAtCheckpoint >= options.checkpointLogBytes()) {
                checkpointLocked();
            }
        }
    }

    private void runInBackground() {
        if (stopped || failure != null) {
            return;
        }
        try {
            runRound();
        } catch (IOException e) {
            failure = e;
        } catch (IllegalStateException e) {
            // closed meanwhile
        }
    }

    /**
     * Moves the oldest of the LSM tree's tables older than the archive age to the archive, a few per
     * round ({@link #ARCHIVE_MOVES_PER_ROUND}): each move is a copy to a slow device, and the
     * round's migrations and checkpoint wait for it.
     */
    private void archiveSome() throws IOException {
        int moved = 0;
        for (String name : tiers.candidatesForArchive(options.archiveAge(), TieredStorage.lsmTables())) {
            if (moved == ARCHIVE_MOVES_PER_ROUND) {
                break;
            }
            try {
                if (tiers.moveToArchive(name)) {
                    moved++;
                    if (EventListener.EMIT && events.isEnabled())
                        events.onEvent(
                                EngineEvent.of(EventType.TIER_MOVE, "table", name, "from", "fast", "to", "archive"));
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // a compaction deleted it since the selection: nothing to move
            }
        }
    }

    /** Takes a checkpoint now (see {@link HybridStore#checkpoint()}). */
    void checkpoint() throws IOException {
        synchronized (lock) {
            checkpointLocked();
        }
    }

    /** {@link #checkpoint()}, the caller holding {@link #lock}. */
    void checkpointLocked() throws IOException {
        log.checkpoint(() -> new byte[0]);
        logBytesAtCheckpoint = log.wal().stats().bytes();
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(
                    EventType.CHECKPOINT,
                    "engine",
                    "hybrid",
                    "routes",
                    engine.routes().hotCount()));
    }

    /** Whether a round failed (the store's close then takes no checkpoint). */
    boolean failed() {
        return failure != null;
    }

    /** Stops the background rounds, waiting up to a minute for one under way. */
    void stop() {
        stopped = true;
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }
}
