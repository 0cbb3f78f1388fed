package dev.storagelab.hybrid;

/**
 * The engine a key is routed to: the lab-04 B+tree for hot keys (read and updated in place, one
 * page per write), the lab-05 LSM tree for cold ones (written once, sequentially, compacted
 * later). The routing table records the exceptions to {@link #COLD}, the default of a key the
 * router has never moved.
 */
public enum Placement {
    HOT,
    COLD;

    /** The other engine. */
    public Placement other() {
        return this == HOT ? COLD : HOT;
    }
}
