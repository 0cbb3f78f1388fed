package dev.storagelab.mvcc.check;

/**
 * The isolation levels the checker judges a history against, after Adya's portable definitions
 * (PL-1, PL-2, PL-SI, PL-3): each forbids a set of {@link Anomaly.Type anomalies}, and a history is
 * allowed under a level when it shows none of them. The data-integrity anomalies (a garbage or
 * duplicated element, a transaction that does not see its own writes) are forbidden at every level.
 */
public enum IsolationLevel {
    /** PL-1: no write cycles (G0); dirty reads allowed. */
    READ_UNCOMMITTED,
    /** PL-2: no G0 and no G1 (aborted reads, intermediate reads, cycles of ww and wr). */
    READ_COMMITTED,
    /**
     * Snapshot isolation: read committed, and no lost update and no G-single (no read skew); write
     * skew (G2) is allowed.
     */
    SNAPSHOT_ISOLATION,
    /** PL-3: no dependency cycle at all, write skew included. */
    SERIALIZABLE
}
