package dev.storagelab.lsm.bench;

import dev.storagelab.lsm.BloomFilter;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Bloom filter probe for an absent key (lab-05 T3): the work a get pays to skip a table that
 * cannot hold its key, instead of reading a data block. {@code keys} keys at 10 bits per key; the
 * probes are keys never added, so about 0.8% of them answer "maybe" (counted in
 * {@link Outcomes#maybe}).
 *
 * <p>The answers are checked ({@link #checked}): a filter may differ from the reference in how it
 * errs, not in how much. Two rules, as the handout states them: no false negatives (a key added
 * answers "maybe"; checked on the sample, {@link AnswerCheck#sampled}, by probing an added key
 * besides), and a false-positive rate of at most {@value #MAX_FALSE_POSITIVE_PERCENT}% over each
 * pass of the {@value #PROBES} absent probes (the spec's 0.82% at 10 bits per key; the lab's tests
 * accept 0.7-1.2%), so a filter that answers "maybe" to everything, or sets too few bits, fails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BloomBenchmark {

    private static final int PROBES = 1 << 14;

    /** The most false positives a pass of the absent probes may have, in percent: the lab's tests' upper bound. */
    static final double MAX_FALSE_POSITIVE_PERCENT = 1.2;

    @Param({"100000"})
    public int keys;

    BloomFilter filter;
    private byte[][] absent;
    /** Keys that were added, probed on the sample: each must answer "maybe". */
    private byte[][] addedProbes;

    private int next;
    /** "Maybe" answers in the current pass of the absent probes. */
    private int falsePositives;

    private static byte[] key(int i) {
        return String.format("user%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    /** How many probes answered "maybe" and how many "no" in the measured iterations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Outcomes {
        public long maybe;
        public long no;

        @Setup(Level.Iteration)
        public void clear() {
            maybe = 0;
            no = 0;
        }
    }

    /** The filter's bytes, as the writer leaves them in the trial's directory. */
    static final String FILTER = "filter.bits";

    @Setup
    public void build() throws IOException {
        makeProbes();
        // Built in another JVM and opened here from its bytes, as a table opens its filter: nothing the
        // build kept in memory (the keys themselves) can answer a probe.
        Path dir = BenchData.tempDir("bloom");
        try {
            BenchData.writeInAnotherJvm(Writer.class, dir, Integer.toString(keys));
            filter = BloomFilter.open(Files.readAllBytes(dir.resolve(FILTER)), "bench.sst", 0);
        } finally {
            BenchData.delete(dir);
        }
    }

    /** The probes: {@value #PROBES} keys never added, and as many that were. */
    void makeProbes() {
        absent = new byte[PROBES][];
        addedProbes = new byte[PROBES][];
        for (int i = 0; i < PROBES; i++) {
            absent[i] = key(keys + i * 7919);
            addedProbes[i] = key((int) ((long) i * 7919 % keys));
        }
    }

    /**
     * The JVM that builds the trial's filter ({@link BenchData#writeInAnotherJvm}): over the keys 0 to
     * {@code args[1] - 1}, at 10 bits per key, its bytes written to {@value #FILTER} in the directory
     * {@code args[0]}.
     */
    public static final class Writer {
        private Writer() {}

        public static void main(String[] args) throws IOException {
            KilledChild.exitWhenParentDies();
            int keys = Integer.parseInt(args[1]);
            List<byte[]> added = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                added.add(key(i));
            }
            Files.write(Path.of(args[0]).resolve(FILTER), BloomFilter.build(added, 10));
        }
    }

    @Benchmark
    public boolean mayContain(Outcomes outcomes) {
        int n = next++;
        boolean maybe = checked(n, filter.mayContain(absent[n & (PROBES - 1)]));
        if (maybe) {
            outcomes.maybe++;
        } else {
            outcomes.no++;
        }
        return maybe;
    }

    /**
     * {@code maybe}, the filter's answer for the absent probe of operation {@code n}, counted
     * towards the pass's false positives; at the end of each pass of the probes, the count must be
     * within {@value #MAX_FALSE_POSITIVE_PERCENT}%. On the sample, an added key is probed too and must
     * answer "maybe".
     */
    boolean checked(int n, boolean maybe) {
        if (maybe) {
            falsePositives++;
        }
        if (AnswerCheck.sampled(n)) {
            byte[] key = addedProbes[n & (PROBES - 1)];
            AnswerCheck.require(
                    filter.mayContain(key),
                    () -> "mayContain(" + new String(key, StandardCharsets.US_ASCII)
                            + ") returned false for a key that was added: a Bloom filter has no false negatives");
        }
        if ((n & (PROBES - 1)) == PROBES - 1) {
            int fp = falsePositives;
            falsePositives = 0;
            AnswerCheck.require(
                    fp <= PROBES * MAX_FALSE_POSITIVE_PERCENT / 100,
                    () -> "mayContain answered true for " + fp
                            + " of " + PROBES + " keys never added (" + String.format("%.2f", 100.0 * fp / PROBES)
                            + "%); at 10 bits per key"
                            + " the false-positive rate is about 0.82%, and at most " + MAX_FALSE_POSITIVE_PERCENT
                            + "% is accepted");
        }
        return maybe;
    }
}
