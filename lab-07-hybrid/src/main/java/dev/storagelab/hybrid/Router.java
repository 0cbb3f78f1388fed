package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.cost.PlacementCost;
import java.time.Duration;
import java.util.Objects;

/**
 * Decides where a key should live, from its access statistics and the cost model, and refuses the
 * moves that would make the engine oscillate. Three guards stand between "the other engine is
 * cheaper now" and a migration:
 * <ol>
 *   <li><b>minimum residency</b>: a key stays where it was last moved for at least
 *       {@code minResidency}, however its pattern changes;</li>
 *   <li><b>hysteresis</b>: the other engine must be cheaper by a margin, a fraction of the current
 *       cost, not merely cheaper, so a key whose costs hover around the crossover stays put;</li>
 *   <li><b>payback</b>: the saving must repay the move itself (one read on the current engine and one
 *       write on the other) within {@code paybackWindows} tracking windows. A key that goes idle
 *       costs almost the same anywhere, so it is not moved back and forth every night.</li>
 * </ol>
 */
public final class Router {

    private final PlacementCost cost;
    private volatile double hysteresis;
    private final long minResidencyNanos;
    private volatile double paybackWindows;

    /**
     * @param hysteresis     the margin, as a fraction of the current cost (0.25: the other engine must be 25% cheaper)
     * @param minResidency   the least time a key stays where it was moved
     * @param paybackWindows within how many tracking windows a move must pay for itself
     */
    public Router(PlacementCost cost, double hysteresis, Duration minResidency, double paybackWindows) {
        this.cost = Objects.requireNonNull(cost, "cost");
        checkArgument(hysteresis >= 0 && hysteresis < 1, "hysteresis must be within [0, 1): %s", hysteresis);
        checkArgument(
                minResidency != null && !minResidency.isNegative(),
                "minResidency must not be negative: %s",
                minResidency);
        checkArgument(paybackWindows > 0, "paybackWindows must be positive: %s", paybackWindows);
        this.hysteresis = hysteresis;
        this.minResidencyNanos = minResidency.toNanos();
        this.paybackWindows = paybackWindows;
    }

    /** The cost model the router compares with. */
    public PlacementCost cost() {
        return cost;
    }

    /**
     * Where a key that lives on {@code current}, with {@code stats}, should move, or null if it stays.
     * It moves only when all three guards of the class Javadoc pass: it has been resident at least
     * the minimum ({@code residentNanos >= minResidency}); the other placement's total cost is below
     * {@code (1 - hysteresis)} times the current one's; and the saving per window
     * ({@code current - other}) times {@code paybackWindows} is at least the cost of the move, which is
     * the cost of one read of the key's value on {@code current} plus one write of it on the other
     * placement ({@link AccessStats#of} with the key's value size).
     *
     * @param residentNanos how long the key has been on {@code current}; {@link Long#MAX_VALUE} if it never moved
     */
    public Placement decide(Placement current, AccessStats stats, long residentNanos) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(stats, "stats");
        // BEGIN SOLUTION lab-07 T5
        if (residentNanos < minResidencyNanos) {
            return null;
        }
        Placement other = current.other();
        double stay = cost.total(current, stats);
        double move = cost.total(other, stats);
        if (!(move < stay * (1 - hysteresis))) {
            return null;
        }
        double moveCost = cost.total(current, AccessStats.of(1, 0, stats.valueBytes()))
                + cost.total(other, AccessStats.of(0, 1, stats.valueBytes()));
        if ((stay - move) * paybackWindows < moveCost) {
            return null;
        }
        return other;
        // END SOLUTION
    }

    /** The margin a move needs, as a fraction of the current cost. */
    public double hysteresis() {
        return hysteresis;
    }

    /** Changes the margin at run time (the tuner's knob, lab-07 T10); the next decision uses it. */
    public void setHysteresis(double hysteresis) {
        checkArgument(hysteresis >= 0 && hysteresis < 1, "hysteresis must be within [0, 1): %s", hysteresis);
        this.hysteresis = hysteresis;
    }

    /** Within how many tracking windows a move must pay for itself. */
    public double paybackWindows() {
        return paybackWindows;
    }

    /** Changes the payback horizon at run time (the tuner's knob, lab-07 T10). */
    public void setPaybackWindows(double paybackWindows) {
        checkArgument(
                paybackWindows > 0 && Double.isFinite(paybackWindows),
                "paybackWindows must be positive: %s",
                paybackWindows);
        this.paybackWindows = paybackWindows;
    }

    @Override
    public String toString() {
        return "Router{hysteresis=" + hysteresis + ", minResidency=" + Duration.ofNanos(minResidencyNanos)
                + ", payback=" + paybackWindows + " windows}";
    }
}
