package dev.storagelab.grader.bench;

import java.util.List;
import java.util.Map;

/**
 * What one {@code ./storagelab bench} run measured: the labs' JMH benchmarks on the reference
 * (and on a submission, with each benchmark's ratio), and, with {@code --peers}, the workloads on
 * the labs' engines and on the production peers. Written as {@code bench.json}.
 *
 * @param date       when the run started (ISO-8601)
 * @param machine    cores, memory, operating system and JVM of the machine that measured
 * @param quick      whether this was the smoke run (numbers meaningless)
 * @param release    whether the workspace is a student release, whose own code is the student's:
 *                   the table then calls the {@code reference} side "your code"
 * @param reference  the workspace whose code is the reference
 * @param submission the submission measured against it, or null
 * @param labs       one entry per lab benched
 * @param workloads  the workload runs ({@code --peers}), empty without
 */
public record BenchReport(
        String date,
        Map<String, Object> machine,
        boolean quick,
        boolean release,
        String reference,
        String submission,
        List<LabBench> labs,
        WorkloadBench workloads) {

    /**
     * One lab's benchmarks.
     *
     * @param problem  why some or all of them have no result (a build or run failure), or null
     * @param failures the benchmarks that failed on their own (an unfinished task), each costing
     *                 only its own result
     */
    public record LabBench(String lab, String problem, List<Comparison> benchmarks, List<Failed> failures) {

        public LabBench(String lab, String problem, List<Comparison> benchmarks) {
            this(lab, problem, benchmarks, List.of());
        }
    }

    /**
     * A benchmark that failed on one side.
     *
     * @param side   {@code reference} (the workspace's own code) or {@code submission}
     * @param reason the first line of the exception, or null when the log does not say
     */
    public record Failed(String benchmark, String params, String side, String reason) {}

    /**
     * One benchmark method with one parameter set, on the reference and perhaps the submission.
     *
     * @param ratio the submission's time per operation over the reference's (throughput
     *              benchmarks are inverted), so above 1 is slower; null without a submission score
     */
    public record Comparison(
            String benchmark,
            String params,
            String mode,
            String unit,
            double reference,
            double referenceError,
            Double submission,
            Double submissionError,
            Double ratio,
            Map<String, Double> counters) {}

    /**
     * The workloads run with {@code --peers}.
     *
     * @param baseline the engine every ratio is taken against (the reference's)
     * @param keys     the key space
     * @param ops      measured operations per run
     */
    public record WorkloadBench(String baseline, long keys, long ops, List<WorkloadRun> runs, List<String> problems) {}

    /**
     * One workload on one engine.
     *
     * @param side  {@code reference} or {@code submission} (the workspace's engines) or {@code peer}
     * @param ratio the baseline's throughput over this run's: its time per operation relative to
     *              the baseline's (above 1 is slower)
     */
    public record WorkloadRun(
            String engine,
            String side,
            String workload,
            double opsPerSecond,
            double p50Micros,
            double p99Micros,
            Map<String, Object> counters,
            Double ratio) {}
}
