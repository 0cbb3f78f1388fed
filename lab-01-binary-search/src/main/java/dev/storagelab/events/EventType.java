package dev.storagelab.events;

/**
 * What an engine reports to its {@link EventListener}: one constant per moment a reader of the
 * engine would want to see (RocksDB's {@code EventListener} has the same kind of list:
 * {@code OnFlushBegin}, {@code OnCompactionCompleted}, ...). The {@link #id() id} is the name a
 * recorded run stores, so a constant is never renamed once runs are recorded.
 */
public enum EventType {
    /** lab-04: a page split; its right half is a new page and a separator went up ({@code root}: the tree grew a level). */
    PAGE_SPLIT("page.split"),
    /** lab-04: a page merged into its left sibling and was freed. */
    PAGE_MERGE("page.merge"),
    /** lab-04: the buffer pool evicted a page from a frame to make room. */
    PAGE_EVICT("page.evict"),
    /** lab-04 and lab-06: a checkpoint completed. */
    CHECKPOINT("checkpoint"),
    /** lab-05: a frozen memtable's flush to level 0 began. */
    FLUSH_BEGIN("flush.begin"),
    /** lab-05: a flush ended, with the level-0 tables it wrote. */
    FLUSH_END("flush.end"),
    /** lab-05: a compaction was picked, with its input tables per level and its output level. */
    COMPACTION_PICKED("compaction.picked"),
    /** lab-05: a compaction finished, with its inputs (now deleted) and its outputs. */
    COMPACTION_FINISHED("compaction.finished"),
    /** lab-06: a group commit formed: one force of the log for {@code size} committers. */
    GROUP_COMMIT("wal.group_commit"),
    /** lab-06: a transaction began at a snapshot. */
    TXN_BEGIN("txn.begin"),
    /** lab-06: a transaction committed, with its commit timestamp and the keys it wrote. */
    TXN_COMMIT("txn.commit"),
    /** lab-06: a transaction aborted. */
    TXN_ABORT("txn.abort"),
    /** lab-06: a transaction lost a write-write conflict (first committer wins). */
    TXN_CONFLICT("txn.conflict"),
    /** lab-06: old versions were collected below the GC horizon. */
    VERSION_GC("version.gc"),
    /** lab-07: the router decided where a key range lives. */
    ROUTE_DECISION("route.decision"),
    /** lab-07: a migration of a key range began (copying). */
    MIGRATION_BEGIN("migration.begin"),
    /** lab-07: a migration switched the range to its new engine. */
    MIGRATION_SWITCH("migration.switch"),
    /** lab-07: a migration deleted the range's old copy. */
    MIGRATION_DELETE_OLD("migration.delete_old"),
    /** lab-07: a table moved between storage tiers. */
    TIER_MOVE("tier.move"),
    /**
     * A picture of an engine's state taken by whoever drives it (the workbench's sampler), not by
     * the engine: its {@code view} field names what it shows (B+tree pages, buffer pool frames,
     * LSM levels, counters, MVCC versions, routes).
     */
    SNAPSHOT("snapshot");

    private final String id;

    EventType(String id) {
        this.id = id;
    }

    /** The name a recorded run stores. */
    public String id() {
        return id;
    }

    /** The constant named {@code id}, or null if there is none (a run recorded by a newer workbench). */
    public static EventType byId(String id) {
        for (EventType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        return null;
    }
}
