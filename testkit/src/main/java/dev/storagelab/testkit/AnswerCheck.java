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
 * of a scan, a second call into the engine) is checked on a fixed sample, the operations whose
 * count is a multiple of {@link #SAMPLE_EVERY} ({@link #sampled}), chosen by a counter, never by
 * time, so two runs check the same operations.
 *
 * <p>Each benchmark writes the rule it checks beside the check: exact where the lab's
 * specification fixes the answer, semantic (a bound) where implementations may differ.
 */
public final class AnswerCheck {

    /** One operation in this many has its costly checks made: a power of two, so a mask picks them. */
    public static final int SAMPLE_EVERY = 64;

    private AnswerCheck() {
    }

    /** Whether operation number {@code op} (counted from 0) is one of the sample: every {@value #SAMPLE_EVERY}th. */
    public static boolean sampled(long op) {
        return (op & (SAMPLE_EVERY - 1)) == 0;
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
