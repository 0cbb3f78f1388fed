package dev.storagelab.kvstore;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.mvcc.TransactionManager.Isolation;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link KvStore} runs.
 *
 * @param engine             the ordered store under the log
 * @param syncMode           when a commit returns compared with when its log record is durable
 * @param checkpointLogBytes a checkpoint is taken once the log has grown this much since the last
 *                           one: a larger interval means fewer engine flushes and a longer replay
 *                           after a crash (notes/06-wal-mvcc.md measures both)
 * @param gcInterval         how often old versions are collected (the B+tree's pass; the LSM tree's
 *                           compactions read the watermark this often); zero: never
 * @param isolation          snapshot isolation, or serializable snapshot isolation (the bonus)
 * @param wal                the log's segment size and group bound (its sync mode is {@code syncMode})
 * @param btree              the B+tree's page size and pool
 * @param lsm                the LSM tree's sizes (its own log is always turned off)
 */
public record KvOptions(
        EngineKind engine,
        SyncMode syncMode,
        long checkpointLogBytes,
        Duration gcInterval,
        Isolation isolation,
        WalOptions wal,
        BTreeOptions btree,
        LsmOptions lsm) {

    /** Which engine holds the versions. */
    public enum EngineKind {
        BTREE,
        LSM
    }

    public KvOptions {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(syncMode, "syncMode");
        checkArgument(checkpointLogBytes >= 4096, "checkpointLogBytes must be at least 4 KiB: %s", checkpointLogBytes);
        Objects.requireNonNull(gcInterval, "gcInterval");
        checkArgument(!gcInterval.isNegative(), "gcInterval must not be negative: %s", gcInterval);
        Objects.requireNonNull(isolation, "isolation");
        Objects.requireNonNull(wal, "wal");
        Objects.requireNonNull(btree, "btree");
        Objects.requireNonNull(lsm, "lsm");
    }

    /**
     * The B+tree, group commit, a checkpoint every 64 MiB of log, a GC round every 5 seconds (the
     * B+tree's round reads every version, so not more often), snapshot isolation.
     */
    public static KvOptions defaults() {
        return new KvOptions(
                EngineKind.BTREE,
                SyncMode.GROUP,
                64L << 20,
                Duration.ofSeconds(5),
                Isolation.SNAPSHOT,
                WalOptions.defaults(),
                BTreeOptions.defaults(),
                LsmOptions.defaults());
    }

    public KvOptions withEngine(EngineKind kind) {
        return new KvOptions(kind, syncMode, checkpointLogBytes, gcInterval, isolation, wal, btree, lsm);
    }

    public KvOptions withSyncMode(SyncMode mode) {
        return new KvOptions(engine, mode, checkpointLogBytes, gcInterval, isolation, wal, btree, lsm);
    }

    public KvOptions withCheckpointLogBytes(long bytes) {
        return new KvOptions(engine, syncMode, bytes, gcInterval, isolation, wal, btree, lsm);
    }

    public KvOptions withGcInterval(Duration interval) {
        return new KvOptions(engine, syncMode, checkpointLogBytes, interval, isolation, wal, btree, lsm);
    }

    public KvOptions withIsolation(Isolation level) {
        return new KvOptions(engine, syncMode, checkpointLogBytes, gcInterval, level, wal, btree, lsm);
    }

    public KvOptions withWal(WalOptions options) {
        return new KvOptions(engine, syncMode, checkpointLogBytes, gcInterval, isolation, options, btree, lsm);
    }

    public KvOptions withBtree(BTreeOptions options) {
        return new KvOptions(engine, syncMode, checkpointLogBytes, gcInterval, isolation, wal, options, lsm);
    }

    public KvOptions withLsm(LsmOptions options) {
        return new KvOptions(engine, syncMode, checkpointLogBytes, gcInterval, isolation, wal, btree, options);
    }

    /** The log's options with this store's sync mode. */
    WalOptions walOptions() {
        return wal.withSyncMode(syncMode);
    }
}
