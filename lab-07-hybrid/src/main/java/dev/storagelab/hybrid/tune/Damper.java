package dev.storagelab.hybrid.tune;

import java.util.Objects;

/**
 * One knob's damping: called once per interval with the knob's value and the value the tuner
 * wants, it answers the value the knob takes, after the four guards of {@link Damping}. It counts
 * the changes it made and the <b>reversals</b>: changes in the opposite direction to the one
 * before (a knob that goes up, up, down has reversed once), the measure of oscillation.
 *
 * <p>State: the direction wanted in the last intervals and how many in a row wanted it, the
 * intervals of cooldown left, the direction of the last change. Not thread-safe: the tuner calls
 * it from one thread.
 */
public final class Damper {

    private final Knob knob;
    private final Damping damping;
    /** The direction the last intervals wanted (-1, 0: none, +1). */
    private int pendingDirection;
    /** How many consecutive intervals wanted {@link #pendingDirection}. */
    private int agreeing;
    /** Intervals of cooldown left. */
    private int cooldownLeft;
    /** The direction of the last change (0 before the first). */
    private int lastChange;

    private long changes;
    private long reversals;

    public Damper(Knob knob, Damping damping) {
        this.knob = Objects.requireNonNull(knob, "knob");
        this.damping = Objects.requireNonNull(damping, "damping");
    }

    /**
     * The value the knob takes this interval, given its {@code current} value and the value the
     * tuner {@code wanted} (clamped to the knob's bounds first). In this order:
     * <ol>
     *   <li><b>cooldown</b>: within {@link Damping#cooldown()} intervals after a change, returns
     *       {@code current}; the interval uses up one interval of cooldown, and the dwell count
     *       starts from nothing ({@code agreeing = 0}, no pending direction);</li>
     *   <li><b>dead band</b>: if {@code |wanted - current| <= deadBand * range}, returns
     *       {@code current} and the dwell count starts from nothing;</li>
     *   <li><b>dwell</b>: the direction wanted ({@code sign(wanted - current)}) continues the
     *       pending one (one more agreeing interval) or replaces it (one agreeing interval); with
     *       fewer than {@link Damping#dwell()} agreeing intervals, returns {@code current};</li>
     *   <li><b>bounded step</b>: otherwise the knob moves toward {@code wanted} by at most
     *       {@code maxStep * range}: to {@code wanted} itself if it is within one step, else by one
     *       step (never past it); the change is recorded: counted in
     *       {@link #changes()}, in {@link #reversals()} if its direction is the opposite of the last
     *       change's; the cooldown starts ({@code cooldown} intervals), the dwell count starts from
     *       nothing.</li>
     * </ol>
     * The answer is always within the knob's bounds, given a {@code current} within them.
     */
    public double step(double current, double wanted) {
        double target = knob.clamp(wanted);
        // BEGIN SOLUTION lab-07 T10
        if (cooldownLeft > 0) {
            cooldownLeft--;
            agreeing = 0;
            pendingDirection = 0;
            return current;
        }
        double diff = target - current;
        if (Math.abs(diff) <= damping.deadBand() * knob.range()) {
            agreeing = 0;
            pendingDirection = 0;
            return current;
        }
        int direction = diff > 0 ? 1 : -1;
        if (direction == pendingDirection) {
            agreeing++;
        } else {
            pendingDirection = direction;
            agreeing = 1;
        }
        if (agreeing < damping.dwell()) {
            return current;
        }
        double maxStep = damping.maxStep() * knob.range();
        double next = Math.abs(diff) <= maxStep ? target : knob.clamp(current + direction * maxStep);
        changes++;
        if (lastChange != 0 && direction != lastChange) {
            reversals++;
        }
        lastChange = direction;
        agreeing = 0;
        pendingDirection = 0;
        cooldownLeft = damping.cooldown();
        return next;
        // END SOLUTION
    }

    /** The knob this damper holds. */
    public Knob knob() {
        return knob;
    }

    public Damping damping() {
        return damping;
    }

    /** Changes made so far. */
    public long changes() {
        return changes;
    }

    /** Changes in the opposite direction to the change before. */
    public long reversals() {
        return reversals;
    }

    @Override
    public String toString() {
        return "Damper{" + knob + ", " + changes + " changes, " + reversals + " reversals, cooldown " + cooldownLeft
                + ", pending " + pendingDirection + " x" + agreeing + "}";
    }
}
