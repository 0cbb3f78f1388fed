package dev.storagelab.grader.run;

import java.time.Duration;

/**
 * The time one grading may take as a whole ({@code grade --time-limit}): a platform such as
 * Gradescope stops an autograder at its own timeout and keeps nothing, so the grader stops a
 * little before, on its own, and writes what it has: each test and benchmark it could not reach
 * says so, and the points already earned stay.
 *
 * @param deadlineNanos the {@link System#nanoTime} by which grading stops
 * @param limitSeconds  the limit as given, for messages
 */
public record GradingClock(long deadlineNanos, long limitSeconds) {

    /** Less than this left of the time limit, no lab starts: what is left goes to writing the results. */
    public static final Duration LAB_MARGIN = Duration.ofSeconds(20);

    /** No limit beyond the rubric's own deadlines. */
    public static final GradingClock UNLIMITED = new GradingClock(Long.MAX_VALUE, 0);

    /** A limit of {@code limit} from now. */
    public static GradingClock startingNow(Duration limit) {
        return new GradingClock(System.nanoTime() + limit.toNanos(), limit.toSeconds());
    }

    public boolean limited() {
        return deadlineNanos != Long.MAX_VALUE;
    }

    /** Whether less than {@code margin} is left. */
    public boolean lessThan(Duration margin) {
        return limited() && deadlineNanos - System.nanoTime() < margin.toNanos();
    }

    /** What is left (a very long time without a limit). */
    public Duration remaining() {
        return limited() ? Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())) : Duration.ofDays(365);
    }

    /** How a message names the limit: "the grading's time limit of 540 s". */
    public String limitWords() {
        return "the grading's time limit of " + limitSeconds + " s";
    }
}
