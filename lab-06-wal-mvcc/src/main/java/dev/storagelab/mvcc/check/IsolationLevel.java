package dev.storagelab.mvcc.check;

/**
 * The isolation levels the checker judges a history against, after Adya's portable definitions
 * (PL-1, PL-2, PL-SI, PL-3) and their real-time variants: each forbids a set of
 * {@link Anomaly.Type anomalies}, and a history is allowed under a level when it shows none of them.
 * The data-integrity anomalies (a garbage or duplicated element, a transaction that does not see its
 * own writes) are forbidden at every level.
 *
 * <p>The two real-time levels also forbid cycles through real-time order, so a history can only
 * be judged against them by {@link HistoryChecker#checkRealtime(History)}. Strong snapshot
 * isolation and serializability are incomparable: each forbids something the other allows.
 */
public enum IsolationLevel {
    /** PL-1: no write cycles (G0); dirty reads allowed. */
    READ_UNCOMMITTED,
    /** PL-2: no G0 and no G1 (aborted reads, intermediate reads, cycles of ww and wr). */
    READ_COMMITTED,
    /**
     * Snapshot isolation: read committed, and no lost update and no G-single (no read skew); write
     * skew (G2) is allowed, and so is a snapshot older than the newest commit.
     */
    SNAPSHOT_ISOLATION,
    /**
     * Strong snapshot isolation: snapshot isolation whose snapshot holds every commit that
     * finished before the transaction began (no G-single-realtime: no stale read).
     */
    STRONG_SNAPSHOT_ISOLATION,
    /** PL-3: no dependency cycle at all, write skew included; real time is not considered. */
    SERIALIZABLE,
    /** Strict serializability: serializable in an order that respects real time. */
    STRICT_SERIALIZABLE;

    /** Whether judging a history against this level needs its real-time order. */
    public boolean needsRealtime() {
        return this == STRONG_SNAPSHOT_ISOLATION || this == STRICT_SERIALIZABLE;
    }
}
