package dev.storagelab.hybrid.tune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The damper (T10) at its boundaries: the dead band's edges, the dwell count, the bounded step,
 * the cooldown, the reversal count; and a property: noisy wanted values never make it reverse
 * more often than its dwell and cooldown allow.
 */
class DamperTest {

    /** Range 0.4 (0.1 to 0.5): a dead band of 5% is 0.02, a step of 25% is 0.1. */
    private static final Knob KNOB = Knob.HYSTERESIS;

    private static final double EPS = 1e-9;

    @Test
    void aWantedValueOnTheDeadBandsEdgeChangesNothing() {
        Damper d = new Damper(Knob.CONSIDER_LOG2, new Damping(0.0625, 0.25, 1, 0)); // range 4: the band is 0.25
        assertThat("0.25 away is on the edge of the dead band: no change", d.step(1.0, 1.25), closeTo(1.0, EPS));
        assertThat(d.step(1.0, 0.75), closeTo(1.0, EPS));
        assertThat(d.changes(), equalTo(0L));
        assertThat("just past the edge, with a dwell of 1, the knob moves", d.step(1.0, 1.2501), closeTo(1.2501, EPS));
        assertThat(d.changes(), equalTo(1L));
    }

    @Test
    void aChangeNeedsDwellConsecutiveIntervalsWantingTheSameDirection() {
        Damper d = new Damper(KNOB, new Damping(0.05, 0.25, 3, 0));
        assertThat(d.step(0.2, 0.4), closeTo(0.2, EPS));
        assertThat(d.step(0.2, 0.4), closeTo(0.2, EPS));
        assertThat(
                "the third interval wanting up moves the knob, by one step of 0.1",
                d.step(0.2, 0.4),
                closeTo(0.3, EPS));
    }

    @Test
    void aReversedWishOrAQuietIntervalStartsTheDwellAgain() {
        Damper d = new Damper(KNOB, new Damping(0.05, 0.25, 2, 0));
        assertThat(d.step(0.3, 0.5), closeTo(0.3, EPS));
        assertThat("down after up: one interval wanting down", d.step(0.3, 0.1), closeTo(0.3, EPS));
        assertThat("up again: one interval wanting up", d.step(0.3, 0.5), closeTo(0.3, EPS));
        assertThat("inside the dead band: nothing pending", d.step(0.3, 0.31), closeTo(0.3, EPS));
        assertThat(d.step(0.3, 0.5), closeTo(0.3, EPS));
        assertThat("two in a row at last", d.step(0.3, 0.5), closeTo(0.4, EPS));
    }

    @Test
    void aChangeMovesAtMostMaxStepAndNeverPastTheWantedValue() {
        Damper d = new Damper(KNOB, new Damping(0.0, 0.25, 1, 0));
        assertThat(d.step(0.1, 0.5), closeTo(0.2, EPS));
        assertThat("0.03 away: the step stops at the wanted value", d.step(0.2, 0.23), closeTo(0.23, EPS));
        assertThat("wanted values past the bounds are clamped first", d.step(0.45, 9), closeTo(0.5, EPS));
        assertThat(d.step(0.15, -3), closeTo(0.1, EPS));
    }

    @Test
    void theCooldownHoldsTheKnobAndCountsNoDwell() {
        Damper d = new Damper(KNOB, new Damping(0.05, 0.25, 2, 2));
        d.step(0.1, 0.5);
        double v = d.step(0.1, 0.5);
        assertThat(v, closeTo(0.2, EPS));
        assertThat("cooldown 1 of 2", d.step(v, 0.5), closeTo(0.2, EPS));
        assertThat("cooldown 2 of 2", d.step(v, 0.5), closeTo(0.2, EPS));
        assertThat("the dwell starts after the cooldown: one interval", d.step(v, 0.5), closeTo(0.2, EPS));
        assertThat("two", d.step(v, 0.5), closeTo(0.3, EPS));
        assertThat(d.changes(), equalTo(2L));
    }

    @Test
    void reversalsCountChangesAgainstThePreviousChangesDirection() {
        Damper d = new Damper(KNOB, new Damping(0.0, 1, 1, 0));
        double v = 0.3;
        for (double w : new double[] {0.4, 0.45, 0.2, 0.3, 0.35}) {
            v = d.step(v, w);
        }
        assertThat("up, up, down, up, up: two reversals", d.reversals(), equalTo(2L));
        assertThat(d.changes(), equalTo(5L));
    }

    @Test
    void withoutDampingANoisyWishReversesEveryInterval() {
        Damper none = new Damper(KNOB, Damping.none());
        Damper damped = new Damper(KNOB, Damping.defaults());
        double a = 0.3;
        double b = 0.3;
        for (int i = 0; i < 40; i++) {
            double wish = 0.3 + (i % 2 == 0 ? 0.015 : -0.015); // noise around a value that does not change
            a = none.step(a, wish);
            b = damped.step(b, wish);
        }
        assertThat("undamped, noise moves the knob back and forth", none.reversals(), greaterThan(30L));
        assertThat("damped, noise inside the dead band moves nothing", damped.changes(), equalTo(0L));
    }

    @Test
    void aJumpAcrossTheWholeRangeSettlesWithinTheBound() {
        Damping damping = Damping.defaults();
        Damper d = new Damper(KNOB, damping);
        double v = KNOB.min();
        int intervals = 0;
        while (Math.abs(v - KNOB.max()) > EPS) {
            v = d.step(v, KNOB.max());
            intervals++;
            assertThat(
                    "not settled after " + intervals + " intervals",
                    intervals,
                    lessThanOrEqualTo(damping.settleBound()));
        }
        assertThat(intervals, equalTo(damping.settleBound()));
    }

    @Property(tries = 200)
    void noisyWishesNeverReverseMoreThanDwellAndCooldownAllow(@ForAll("wishes") List<Double> wishes) {
        Damping damping = Damping.defaults();
        Damper d = new Damper(KNOB, damping);
        double v = 0.3;
        for (double w : wishes) {
            double next = d.step(v, w);
            assertThat(
                    "a step of at most maxStep",
                    Math.abs(next - v),
                    lessThanOrEqualTo(damping.maxStep() * KNOB.range() + EPS));
            v = next;
        }
        int t = wishes.size();
        long maxChanges = t < damping.dwell() ? 0 : 1 + (t - damping.dwell()) / (damping.dwell() + damping.cooldown());
        assertThat(d.changes(), lessThanOrEqualTo(maxChanges));
        assertThat(d.reversals(), lessThanOrEqualTo(Math.max(0, maxChanges - 1)));
    }

    @Provide
    Arbitrary<List<Double>> wishes() {
        return Arbitraries.doubles().between(-0.2, 0.8).list().ofMinSize(1).ofMaxSize(60);
    }
}
