package dev.storagelab.testkit;

import java.util.function.Supplier;

/**
 * How a benchmark checks the answers it gets, so that a fast engine that answers wrongly (a
 * missing value, a stale version, a constant, work skipped, writes dropped) makes the benchmark
 * throw instead of earning a score: the exception ends the JMH run, and the grader reports the
 * benchmark's message.
 *
 * <p>A check is the same work whichever engine runs, so that it leaves the ratio of two engines'
 * times alone, and cheap next to the operation it checks: an answer that costs a comparison of a
 * number or a reference is checked every time; one that costs more (a value's bytes, every entry
 * of a scan, a second call into the engine) is checked on a sample of one operation in
 * {@link #SAMPLE_EVERY}, chosen by the operation's number, never by time, so two runs with the same
 * seed check the same operations.
 *
 * <p>The sample is spread by a hash of the operation's number and a seed ({@link #sampled}), not
 * "every 64th": an engine that answered right only on the operations a fixed stride checks would
 * pass a stride, but not a sample it cannot predict. The seed is {@value #SEED_PROPERTY} if set (a
 * grader can set it per run, out of reach of the code it measures) and a constant otherwise.
 *
 * <p>Each benchmark writes the rule it checks beside the check: exact where the lab's
 * specification fixes the answer, semantic (a bound) where implementations may differ.
 */
public final class AnswerCheck {

    /** One operation in this many, on average, has its costly checks made: a power of two. */
    public static final int SAMPLE_EVERY = 64;

    /** The system property that sets the sample's seed (a long); without it, the sample is {@link #DEFAULT_SEED}'s. */
    public static final String SEED_PROPERTY = "storagelab.answers.seed";

    /** The seed when {@value #SEED_PROPERTY} is not set. */
    public static final long DEFAULT_SEED = 42;

    private static final long SEED = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);

    /** 2^64 divided by the golden ratio: multiplying by it spreads consecutive numbers evenly (Fibonacci hashing). */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private static final int SAMPLE_BITS = Long.numberOfTrailingZeros(SAMPLE_EVERY);

    private AnswerCheck() {}

    /**
     * Whether operation number {@code op} (counted from 0, by the benchmark) is one of the sample,
     * under this run's seed: one operation in {@value #SAMPLE_EVERY}, spread evenly (two sampled
     * operations are 34, 55 or 89 apart, the three gaps of Fibonacci hashing), in a pattern the seed
     * shifts. An addition, a multiplication and a shift: cheap enough to ask on every operation.
     */
    public static boolean sampled(long op) {
        return sampled(op, SEED);
    }

    /**
     * This run's seed: {@value #SEED_PROPERTY}, which the grader draws afresh for each benchmark and
     * gives both sides, so that lab code cannot know it in advance (a benchmark's secret key order is
     * drawn from it too).
     */
    public static long seed() {
        return SEED;
    }

    /** Whether {@code op} is in the sample of seed {@code seed}: the top bits of {@code (op + seed) * GOLDEN} are zero. */
    public static boolean sampled(long op, long seed) {
        return ((op + seed) * GOLDEN) >>> (Long.SIZE - SAMPLE_BITS) == 0;
    }

    /**
     * Throws {@link #wrong} with {@code what}'s message unless {@code right}. The message is built
     * only when the answer is wrong.
     */
    public static void require(boolean right, Supplier<String> what) {
        if (!right) {
            throw wrong(what.get());
        }
    }

    /**
     * The exception a benchmark throws on a wrong answer: {@code "wrong answer: " + what}, where
     * {@code what} names the call, what it returned and what the loaded data holds, on one line
     * (the grader reports the exception's first line).
     */
    public static IllegalStateException wrong(String what) {
        return new IllegalStateException("wrong answer: " + what.replace('\n', ' '));
    }
}
