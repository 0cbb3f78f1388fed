package dev.storagelab.hybrid.track.bench;

import dev.storagelab.hybrid.track.FrequencySketch;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.AnswerCheck;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The access tracker's hot path (lab-07 T2): one {@link FrequencySketch#increment(Bytes)} and one
 * {@link FrequencySketch#frequency(Bytes)} of a key drawn from a Zipfian distribution (exponent
 * 0.99, as YCSB's) over {@code sketchKeys} keys of 16 bytes, hashing included: what every read and
 * write of the hybrid store pays to be tracked. The sketch has {@code sketchWidth} counters per row
 * and halves them every 10 x width increments, the hybrid's default, so resets are part of the
 * measured cost (amortized: one pass over the table per 10 x width increments).
 *
 * <p>{@code increment}'s work is checked ({@link #checkedIncrements}). A sketch's estimates may
 * differ from the reference's (hashing is given, but that is not the point): what a count-min
 * sketch promises is checked instead. The benchmark counts exactly, on the side, the increments
 * of a sample of the keys ({@link AnswerCheck#sampled} of the key's number), halving those counts
 * when the sketch resets, and on the sample of the operations asks the sketch the frequency of one
 * of them, in turn: it must never be below the exact count (the sketch never under-counts, until
 * a reset halves both), and at most {@value #MAX_OVERESTIMATED_PERCENT}% of the answers may exceed
 * it by more than {@code e * size() / width} (the bound each estimate keeps with probability
 * {@code 1 - e^-4}, 98.2%). {@link FrequencySketch#size()} and {@link FrequencySketch#resets()}
 * must follow the increments exactly: a sketch that skips its resets, or its counters, fails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SketchBenchmark {

    private static final int DRAWS = 1 << 16;

    @Param({"65536"})
    public int sketchWidth;

    @Param({"1000000"})
    public int sketchKeys;

    /** The most answers, in percent of those checked, that may exceed the count by more than the error bound. */
    static final int MAX_OVERESTIMATED_PERCENT = 10;
    /** Answers checked before the share of overestimates is judged. */
    private static final int MIN_CHECKS = 50;

    FrequencySketch sketch;
    private Bytes[] keys;
    private int next;
    /** For each draw, the slot of its key among the counted keys, or -1 if the key is not counted. */
    private int[] slotOfDraw;
    /** The counted keys, and the exact count of each (saturating as the sketch's counters do, halved as they are). */
    Bytes[] counted;

    int[] counts;
    /** Increments until the sketch must reset (when its size reaches the sample size), and the counts are halved with it. */
    private long untilReset;

    private long checks;
    private long overestimates;

    private static Bytes key(long i) {
        byte[] k = "user000000000000".getBytes(StandardCharsets.US_ASCII);
        for (int pos = k.length - 1; i > 0; pos--, i /= 10) {
            k[pos] = (byte) ('0' + i % 10);
        }
        return Bytes.wrap(k);
    }

    @Setup
    public void setUp() {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(42L);
        SharedStateDiscreteSampler zipf = RejectionInversionZipfSampler.of(rng, sketchKeys, 0.99);
        keys = new Bytes[DRAWS];
        slotOfDraw = new int[DRAWS];
        Map<Integer, Integer> slots = new HashMap<>();
        for (int i = 0; i < DRAWS; i++) {
            int rank = zipf.sample() - 1;
            keys[i] = key(rank);
            slotOfDraw[i] = AnswerCheck.sampled(rank) ? slots.computeIfAbsent(rank, r -> slots.size()) : -1;
        }
        counted = new Bytes[slots.size()];
        slots.forEach((rank, slot) -> counted[slot] = key(rank));
        counts = new int[counted.length];
        sketch = new FrequencySketch(sketchWidth, 10L * sketchWidth);
        untilReset = sketch.sampleSize();
        for (int i = 0; i < DRAWS; i++) {
            sketch.increment(keys[i]);
            count(i);
        }
        AnswerCheck.require(counted.length > 0, () -> "no key of the sample was drawn; the benchmark needs more keys");
        for (int slot = 0; slot < counted.length; slot++) {
            checkedEstimate(slot);
        }
    }

    /**
     * Counts the increment of draw {@code i}'s key, if it is one of the counted keys, and halves the
     * counts when the sketch must reset. The resets come when the specification says (checked
     * exactly on the sample, {@link #checkedIncrements}), so the counts are halved with the
     * sketch's counters, never late. A load, a decrement and two branches per increment.
     */
    private void count(int i) {
        int slot = slotOfDraw[i];
        if (slot >= 0 && counts[slot] < FrequencySketch.MAX_COUNT) {
            counts[slot]++;
        }
        if (--untilReset == 0) {
            for (int s = 0; s < counts.length; s++) {
                counts[s] >>>= 1;
            }
            long sample = sketch.sampleSize();
            untilReset = sample - (sample >>> 1); // a reset halves the size, which must grow back to the sample size
        }
    }

    /**
     * Checks the sketch after {@code increments} increments, on the sample: its size and resets
     * (exact: each increment adds one to the size, a reset happens when the size reaches the sample
     * size and halves it), and one counted key's estimate, in turn ({@link #checkedEstimate}).
     */
    void checkedIncrements(long increments) {
        long sample = sketch.sampleSize();
        long half = sample >>> 1;
        long resets = increments < sample ? 0 : 1 + (increments - sample) / (sample - half);
        long size = increments < sample ? increments : half + (increments - sample) % (sample - half);
        AnswerCheck.require(
                sketch.resets() == resets && sketch.size() == size,
                () -> "after " + increments + " increments"
                        + " with a sample size of " + sample + ", size() is " + sketch.size() + " and resets() "
                        + sketch.resets()
                        + "; adding one per increment and halving at the sample size, they are " + size + " and "
                        + resets);
        checkedEstimate((int) (checks % counted.length));
    }

    /**
     * The estimate of counted key {@code slot}, if it is at least the key's exact count (never
     * under: each of its counters got every increment of the key, and was halved with the count)
     * and, over the answers checked, no more than {@value #MAX_OVERESTIMATED_PERCENT}% of them exceed
     * the count by more than the error bound: {@code e * size() / width} (a row's counters sum to at
     * most {@code size()}, so by Markov's inequality a counter holds more than that of other keys
     * with probability at most 1/e, all four rows e^-4), plus 2 for the halvings' rounding.
     */
    int checkedEstimate(int slot) {
        int estimate = sketch.frequency(counted[slot]);
        int count = counts[slot];
        AnswerCheck.require(
                estimate >= count,
                () -> "frequency(" + counted[slot] + ") is " + estimate + " but the key was" + " counted " + count
                        + " times since the resets halved it; a count-min sketch never under-counts");
        checks++;
        if (estimate > count + Math.E * sketch.size() / sketch.width() + 2) {
            overestimates++;
        }
        AnswerCheck.require(
                checks < MIN_CHECKS || overestimates * 100 <= checks * MAX_OVERESTIMATED_PERCENT,
                () -> overestimates
                        + " of " + checks
                        + " frequencies checked exceed the key's count by more than e * size() / width; a count-min"
                        + " sketch of 4 rows keeps within that bound with probability 98.2%, and "
                        + MAX_OVERESTIMATED_PERCENT
                        + "% is accepted");
        return estimate;
    }

    @Benchmark
    public void increment() {
        int n = next++;
        int i = n & (DRAWS - 1);
        sketch.increment(keys[i]);
        count(i);
        if (AnswerCheck.sampled(n)) {
            checkedIncrements(DRAWS + n + 1L);
        }
    }

    @Benchmark
    public int frequency() {
        return sketch.frequency(keys[next++ & (DRAWS - 1)]);
    }
}
