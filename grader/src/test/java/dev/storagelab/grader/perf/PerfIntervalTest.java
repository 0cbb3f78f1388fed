package dev.storagelab.grader.perf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The statistic that scores a timed performance line ({@link PerfInterval}): its figures give its
 * ratio, its interval is as wide as the machine's noise on the reference's own runs, the doubt goes
 * to the student, and a submission that makes noise of its own gains nothing by it.
 */
class PerfIntervalTest {

    /** The rubric's default bands. */
    private static final List<double[]> BANDS =
            List.of(new double[] {1.3, 1}, new double[] {1.6, 0.75}, new double[] {2, 0.5}, new double[] {3, 0.25});

    private static PerfInterval of(double[] reference, double[] submission) {
        return PerfInterval.of(reference, submission, BANDS, 0.02);
    }

    @Test
    void theRatioIsTheQuotientOfTheFiguresShown() {
        PerfInterval v = of(new double[] {100, 120, 90}, new double[] {150, 160, 140});
        assertThat(v.ratio(), closeTo(v.submission() / v.reference(), 1e-12));
        assertThat(
                "the reference's figure: the geometric mean of its runs",
                v.reference(),
                closeTo(Math.cbrt(100.0 * 120 * 90), 1e-9));
        assertThat(v.low(), lessThan(v.ratio()));
        assertThat(v.high(), greaterThan(v.ratio()));
    }

    /**
     * The grader's procedure for a timed line ({@code Performance}): 2 rounds, then one more at a time
     * until the verdict settles, a deduction only after 5, at most 8.
     */
    private static PerfInterval graded(
            java.util.function.DoubleSupplier reference, java.util.function.DoubleSupplier submission) {
        List<Double> ref = new java.util.ArrayList<>();
        List<Double> sub = new java.util.ArrayList<>();
        for (int round = 0; round < 8; round++) {
            if (round >= 2 && verdict(ref, sub).settles(round, 2, 5, BANDS)) {
                break;
            }
            ref.add(reference.getAsDouble());
            sub.add(submission.getAsDouble());
        }
        return verdict(ref, sub);
    }

    private static PerfInterval verdict(List<Double> ref, List<Double> sub) {
        return of(
                ref.stream().mapToDouble(Double::doubleValue).toArray(),
                sub.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A run of code that costs {@code cost} on a machine whose other work makes a third of the runs 20% to 100% dearer. */
    private static java.util.function.DoubleSupplier busy(Random random, double cost) {
        return () ->
                cost * (random.nextDouble() < 0.3 ? 1.2 + 0.8 * random.nextDouble() : 1 + 0.03 * random.nextDouble());
    }

    @Test
    void theReferenceAgainstItselfOnABusyMachineKeepsEveryPoint() {
        Random random = new Random(7);
        int lost = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            lost += graded(busy(random, 100), busy(random, 100)).fraction() < 1 ? 1 : 0;
        }
        System.out.println("reference against itself, busy: lost points in " + lost + " of 20000 gradings");
        assertThat("losing a point needs every one of its runs disturbed", lost, lessThanOrEqualTo(2));
    }

    @Test
    void aSubmissionOnABusyMachineIsAlmostNeverJudgedWorseThanItIs() {
        Random random = new Random(11);
        int worse = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            worse += graded(busy(random, 100), busy(random, 250)).fraction() < 0.25 ? 1 : 0;
        }
        System.out.println("2.5x, busy: judged beyond 3x in " + worse + " of 20000 gradings");
        assertThat("2.5x earns the band up to 3x unless every run of it was disturbed", worse, lessThanOrEqualTo(10));
    }

    @Test
    void anIntervalThatStraddlesAThresholdScoresTheHigherBand() {
        double[] ref = {100, 112, 91, 104, 95};
        double[] sub = {131, 140, 122, 128, 136}; // about 1.3x, with the reference's noise of about 8%
        PerfInterval v = of(ref, sub);
        assertThat(v.low() < 1.3 && v.high() > 1.3, is(true));
        assertThat("undecided", v.decided(), is(false));
        assertThat("the doubt goes to the student", v.fraction(), is(1.0));
        assertThat(v.straddled(BANDS), is("1.30x"));
    }

    @Test
    void aQuietMachineDecidesAClearlySlowerSubmission() {
        PerfInterval v = of(new double[] {100, 101, 99, 100, 100}, new double[] {250, 252, 249, 251, 250});
        assertThat(v.decided(), is(true));
        assertThat("2.5x the reference: the band up to 3x", v.fraction(), is(0.25));
    }

    @Test
    void aSubmissionThatSpinsAtRandomToWidenItsSpreadGainsNothing() {
        double[] ref = {100, 101, 99, 100, 100};
        double[] quiet = {250, 252, 249, 251, 250};
        // the same code, spinning for a random while in some runs: its own spread grows, its cost never falls
        double[] spinning = {250, 400, 252, 600, 251};
        PerfInterval honest = of(ref, quiet);
        PerfInterval noisy = of(ref, spinning);
        assertThat("judged by its median", noisy.byMedian(), is(true));
        assertThat(
                "an interval as wide as the submission's own spread would straddle 2x and earn 0.5: " + noisy,
                noisy.fraction(),
                lessThanOrEqualTo(honest.fraction()));
        assertThat(noisy.high(), lessThan(3.0));
        // Sleeping costs no CPU time: a run that slept costs what one that did not costs, so a
        // sleeper's verdict is the quiet one. On a busy machine, over many gradings, spinning at
        // random earns less on average than not spinning, never more.
        Random random = new Random(5);
        double spun = 0;
        double plain = 0;
        for (int trial = 0; trial < 2_000; trial++) {
            java.util.function.DoubleSupplier slow = busy(random, 250);
            spun += graded(
                            busy(random, 100),
                            () -> slow.getAsDouble() * (random.nextBoolean() ? 1 + 2 * random.nextDouble() : 1))
                    .fraction();
            plain += graded(busy(random, 100), busy(random, 250)).fraction();
        }
        assertThat(
                "mean fraction spinning " + spun / 2000 + ", not spinning " + plain / 2000,
                spun,
                lessThanOrEqualTo(plain));
    }

    @Test
    void oneRunOfTheSubmissionWithinABandIsDoubtEnough() {
        double[] ref = {100, 101, 99, 100, 100};
        PerfInterval v = of(ref, new double[] {170, 168, 125, 171, 169});
        assertThat("the interval alone lies beyond 1.6x", PerfInterval.fraction(BANDS, v.low()), is(0.5));
        assertThat(v.byCheapest(BANDS), is(true));
        assertThat("a run at 1.25x: a busy machine never makes a run cheaper", v.fraction(), is(1.0));
        assertThat(v.settled(BANDS), is(true));
    }

    @Test
    void aSingleReferenceRunMeasuresNoNoiseSoTheRatioItselfCounts() {
        PerfInterval v = of(new double[] {100}, new double[] {150});
        assertThat(v.decided(), is(false));
        assertThat(v.fraction(), is(0.75));
    }

    @Test
    void aNoiseFloorKeepsAFewAgreeingRunsFromDecidingTooSoon() {
        PerfInterval v = of(new double[] {100, 100, 100}, new double[] {131, 131, 131});
        assertThat(v.noise(), closeTo(0.02, 1e-12));
        assertThat("1.31x with 2% noise on three runs straddles 1.3x", v.decided(), is(false));
        assertThat(v.fraction(), is(1.0));
    }
}
