package dev.storagelab.hybrid.cost;

import dev.storagelab.hybrid.Placement;

/** PLACEHOLDER: the cost helper replaces this file (T1). The router only needs {@link PlacementCost}. */
public final class CostModel implements PlacementCost {

    public static CostModel defaults() {
        return new CostModel();
    }

    @Override
    public double total(Placement placement, AccessStats stats) {
        throw new UnsupportedOperationException("the cost model is being built");
    }
}
