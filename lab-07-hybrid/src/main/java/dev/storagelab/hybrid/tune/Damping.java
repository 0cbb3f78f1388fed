package dev.storagelab.hybrid.tune;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * How a {@link Damper} holds a knob still: the four guards between "the tuner wants another value"
 * and "the knob changes", the same idea as the router's hysteresis and minimum residency.
 *
 * @param deadBand a wanted value within this fraction of the knob's range of its current value is
 *                 no reason to change ({@code |wanted - current| <= deadBand * range}): noise
 * @param maxStep  one change moves the knob by at most this fraction of its range
 * @param dwell    a change needs this many consecutive intervals that want the knob moved the same
 *                 way (the interval of the change included)
 * @param cooldown after a change, this many intervals change nothing and count toward no dwell
 */
public record Damping(double deadBand, double maxStep, int dwell, int cooldown) {

    public Damping {
        checkArgument(deadBand >= 0 && deadBand < 1, "deadBand must be within [0, 1): %s", deadBand);
        checkArgument(maxStep > 0 && maxStep <= 1, "maxStep must be within (0, 1]: %s", maxStep);
        checkArgument(dwell >= 1, "dwell must be at least 1: %s", dwell);
        checkArgument(cooldown >= 0, "cooldown must not be negative: %s", cooldown);
    }

    /** A dead band of 5% of the range, steps of at most a quarter of it, a dwell of 2 intervals, a cooldown of 1. */
    public static Damping defaults() {
        return new Damping(0.05, 0.25, 2, 1);
    }

    /** No damping at all: every interval sets the knob to what it wants (the tuner that oscillates). */
    public static Damping none() {
        return new Damping(0, 1, 1, 0);
    }

    /**
     * The most intervals a knob can need to reach a wanted value that stays put after a jump across
     * its whole range: the dwell, then one change per {@code maxStep} of the range, each followed by
     * the cooldown and a new dwell.
     */
    public int settleBound() {
        int steps = (int) Math.ceil(1 / maxStep - 1e-9);
        return dwell + (steps - 1) * (cooldown + dwell);
    }
}
