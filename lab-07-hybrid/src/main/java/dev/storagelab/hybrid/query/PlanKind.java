package dev.storagelab.hybrid.query;

/** The three ways the planner can answer a query. */
public enum PlanKind {
    /** The primary key is given: one get of its row. */
    POINT_LOOKUP,
    /** A range of one secondary index's entries, then a get of each entry's row. */
    INDEX_RANGE_SCAN,
    /** Every row (or every row of a primary-key range), in key order, each checked against the query. */
    FULL_SCAN
}
