package dev.storagelab.grader.perf;

/**
 * One performance line's result (see {@link Performance}), with points weighted by the lab's
 * weight. Its figures are the ones its ratio is the quotient of, in every output.
 *
 * @param benchmark  {@code ReadBenchmark.readrandom}
 * @param params     the {@code @Param} values it ran with, as {@code impl=BPlusTree keys=100000}
 * @param counted    whether the line is scored by counted work (a count per operation, the same on
 *                   any machine) rather than by CPU time
 * @param measure    what the figures are: {@code device reads per get}, or {@code CPU time}
 * @param ratio      {@code submission / reference} (above 1: more work, or slower); NaN when not measured
 * @param low        the lower end of the ratio's 95% interval (the ratio itself for a count)
 * @param high       its upper end
 * @param reference  the reference's figure: its count per operation, or its CPU time per operation
 * @param submission the submission's figure, in the same unit
 * @param unit       the figures' unit: the count's words, or JMH's time unit ({@code ns/op})
 * @param cpuRatio   the CPU-time ratio of the same runs, shown beside a count and not scored
 *                   (for a time line, the ratio itself); NaN when not measured
 * @param rounds     the rounds run: each one run of the reference and one of the submission
 * @param decided    false when the machine was too noisy to tell the ratio's band, so that the
 *                   line scored the higher band of those its interval straddled
 * @param status     {@link #MEASURED}, {@link #NOT_RUN} (the lab's tests did not all pass) or
 *                   {@link #FAILED} (the benchmark failed or ran out of time on the submission)
 */
public record PerfResult(
        String lab,
        String name,
        String benchmark,
        String params,
        boolean counted,
        String measure,
        double ratio,
        double low,
        double high,
        double reference,
        double submission,
        String unit,
        double cpuRatio,
        int rounds,
        boolean decided,
        double earned,
        double max,
        String status,
        String message) {
    public static final String MEASURED = "measured";
    public static final String NOT_RUN = "not run";
    public static final String FAILED = "failed";

    /** Whether it was measured to the end, so that its figures and ratio stand. */
    public boolean measured() {
        return status.equals(MEASURED);
    }
}
