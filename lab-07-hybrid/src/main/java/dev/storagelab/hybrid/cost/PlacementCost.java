package dev.storagelab.hybrid.cost;

import dev.storagelab.hybrid.Placement;

/** The estimated cost of serving a key's accesses from one engine: what the router compares. */
@FunctionalInterface
public interface PlacementCost {

    /** The total cost, in the model's unit (microseconds of device time per tracking window), of {@code stats} on {@code placement}. */
    double total(Placement placement, AccessStats stats);
}
