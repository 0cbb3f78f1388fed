package dev.storagelab.grader.perf;

import dev.storagelab.grader.workspace.Rubric;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The verdict on a time-scored performance line from the rounds run so far: the submission's cost
 * over the reference's, with a 95% interval, and the fraction of the line's points it earns.
 *
 * <p>Each run gives one cost per operation (CPU time). The ratio is taken on the logarithmic
 * scale, where a run made dearer by the machine is a multiplicative error: the reference's runs
 * are averaged, and so are the submission's, unless the submission's own runs vary more than the
 * reference's, in which case their median counts. The interval's width comes from the machine's
 * noise as the reference's own runs show it, the reference measured against itself in the same
 * minutes, never from the submission's runs: a submission that makes noise of its own (sleeping,
 * spinning at random) gains no doubt by it, and its median ignores the disturbed runs.
 *
 * <p>An interval that lies within one band of {@code perf.thresholds} decides the line; one that
 * still straddles a threshold scores the higher band: the machine's doubt goes to the student. So
 * does any single run of the submission: a busy machine only ever makes a run dearer, never
 * cheaper, so a line costs points only when its interval and every one of the submission's runs
 * lie beyond the threshold. (Noise a submission makes for itself cannot lower its cheapest run.)
 *
 * @param reference  the reference's cost per operation: the geometric mean of its runs
 * @param submission the submission's: the geometric mean of its runs, or their median
 * @param ratio      submission over reference, exactly the quotient of the two figures
 * @param low        the interval's lower end (0 with a single reference run: no noise measured)
 * @param high       its upper end (infinite with a single reference run)
 * @param cheapest   the submission's cheapest run over the reference's figure
 * @param fraction   the fraction of the points earned: the better band of {@code low} and {@code cheapest}
 * @param decided    whether the whole interval lies in one band
 * @param byMedian   whether the submission's runs varied more than the reference's, so that their median counts
 * @param noise      the machine's noise: the standard deviation of the logarithm of the reference's
 *                   runs (about their relative spread), at least the rubric's floor
 */
record PerfInterval(
        double reference,
        double submission,
        double ratio,
        double low,
        double high,
        double cheapest,
        double fraction,
        boolean decided,
        boolean byMedian,
        double noise) {

    /** The confidence of the interval. */
    static final double CONFIDENCE = 0.95;

    /**
     * The verdict from the runs so far: {@code reference} and {@code submission} hold one cost
     * per operation per run (lower is better), each side at least one run.
     */
    static PerfInterval of(double[] reference, double[] submission, Rubric rubric) {
        return of(reference, submission, rubric.perfThresholds(), rubric.perfNoiseFloor());
    }

    static PerfInterval of(double[] reference, double[] submission, List<double[]> bands, double noiseFloor) {
        if (reference.length == 0 || submission.length == 0) {
            throw new IllegalArgumentException("both sides need a run");
        }
        double[] x = logs(reference);
        double[] y = logs(submission);
        double referenceNoise = sd(x);
        boolean byMedian = y.length > 2 && sd(y) > referenceNoise;
        double refCenter = mean(x);
        double subCenter = byMedian ? median(y) : mean(y);
        double center = subCenter - refCenter;
        double noise = Math.max(Double.isNaN(referenceNoise) ? 0 : referenceNoise, noiseFloor);
        double half;
        if (x.length < 2) {
            half = Double.POSITIVE_INFINITY; // one run measures no noise: nothing is decided yet
        } else {
            double t = new TDistribution(x.length - 1).inverseCumulativeProbability(0.5 + CONFIDENCE / 2);
            half = t * noise * Math.sqrt(1.0 / x.length + 1.0 / y.length);
        }
        double ref = Math.exp(refCenter);
        double sub = Math.exp(subCenter);
        double ratio = sub / ref;
        double low = Math.exp(center - half);
        double high = Math.exp(center + half);
        double fLow = fraction(bands, low);
        boolean decided = fLow == fraction(bands, high);
        double cheapest = Math.exp(Arrays.stream(y).min().orElseThrow() - refCenter);
        // With a single reference run there is no interval to give the doubt from: the ratio itself counts.
        double fraction = Math.max(x.length < 2 ? fraction(bands, ratio) : fLow, fraction(bands, cheapest));
        return new PerfInterval(ref, sub, ratio, low, high, cheapest, fraction, decided, byMedian, noise);
    }

    /** The fraction of the first band whose threshold {@code ratio} is within; 0 beyond the last. */
    static double fraction(List<double[]> bands, double ratio) {
        for (double[] band : bands) {
            if (ratio <= band[0]) {
                return band[1];
            }
        }
        return 0;
    }

    /**
     * Whether the points earned rest on a measurement rather than on the machine's doubt: the
     * interval decides the band, or one of the submission's runs lies within the band earned.
     */
    boolean settled(List<double[]> bands) {
        return decided || fraction(bands, cheapest) >= fraction;
    }

    /** Whether the band the interval gives is the better one only because of the submission's cheapest run. */
    boolean byCheapest(List<double[]> bands) {
        return fraction > fraction(bands, low) && fraction == fraction(bands, cheapest);
    }

    /**
     * Whether a line that has run {@code rounds} rounds is done: the interval decides its band, and
     * that band earns every point or {@code deductRounds} rounds have run; or one of the submission's
     * runs already earns every point. Never before {@code minRounds}.
     */
    boolean settles(int rounds, int minRounds, int deductRounds, List<double[]> bands) {
        if (rounds < minRounds) {
            return false;
        }
        double top = top(bands);
        return fraction == top && (decided || fraction(bands, cheapest) == top) || decided && rounds >= deductRounds;
    }

    /** The most a line can earn: the fraction of the first band. */
    static double top(List<double[]> bands) {
        return bands.isEmpty() ? 0 : bands.get(0)[1];
    }

    /** The thresholds {@code low} and {@code high} straddle, as {@code 1.3x} (several: {@code 1.3x and 1.6x}). */
    String straddled(List<double[]> bands) {
        List<String> crossed = bands.stream()
                .filter(b -> low <= b[0] && high > b[0])
                .map(b -> PerfFigures.ratio(b[0]))
                .toList();
        return String.join(" and ", crossed);
    }

    private static double[] logs(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] > 0) || Double.isInfinite(values[i])) {
                throw new IllegalArgumentException("a cost per operation must be positive and finite: " + values[i]);
            }
            out[i] = Math.log(values[i]);
        }
        return out;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The sample standard deviation; NaN for fewer than two values. */
    private static double sd(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double m = mean(v);
        double sum = 0;
        for (double d : v) {
            sum += (d - m) * (d - m);
        }
        return Math.sqrt(sum / (v.length - 1));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
