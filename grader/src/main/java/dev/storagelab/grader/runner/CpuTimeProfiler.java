package dev.storagelab.grader.runner;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that restates each iteration's score in the CPU time the benchmark's JVM used,
 * every thread of it, instead of wall time: the time per operation scaled by CPU time over wall
 * time (a throughput divided by it). On a machine another process keeps busy, wall time grows by
 * every moment the benchmark waited for a core; CPU time counts only the work done, so the
 * ratio of two implementations measured this way moves far less. Work a benchmark hands to other
 * threads of its JVM is counted too, so it cannot hide there. Runs inside the benchmark's JVM
 * ({@code -prof dev.storagelab.grader.runner.CpuTimeProfiler}), where the lab's classpath provides JMH.
 *
 * <p>A run's score is its best measured iteration ({@link #aggregation}), not their mean. CPU time
 * is not immune to the machine: on one CPU shared with other processes, an iteration whose thread
 * was switched out again and again finds its caches cold each time and costs more CPU per
 * operation, and the JIT still compiling or a collection landing in an iteration adds its threads'
 * CPU there. Each only ever makes an iteration dearer, so the cheapest iteration is the closest to
 * the code's own cost; code that is truly slower is slower in every iteration, its best included.
 */
public final class CpuTimeProfiler implements InternalProfiler {

    /**
     * This class's name, for JMH's {@code -prof}: a constant, so the grader names the profiler
     * without loading it (JMH, its supertype's home, is on the benchmark's class path, not the
     * grader's).
     */
    public static final String NAME = "dev.storagelab.grader.runner.CpuTimeProfiler";

    /** The secondary metric's name in JMH's results. */
    public static final String METRIC = "\u00b7cpu.time";

    /** How JMH folds a run's measured iterations into its score: the cheapest (the highest, for a throughput). */
    static AggregationPolicy aggregation(boolean throughput) {
        return throughput ? AggregationPolicy.MAX : AggregationPolicy.MIN;
    }

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long wallStart;
    private long cpuStart;

    @Override
    public String getDescription() {
        return "the score restated in the process's CPU time rather than wall time";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuStart = os.getProcessCpuTime();
        wallStart = System.nanoTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long wall = System.nanoTime() - wallStart;
        long cpu = os.getProcessCpuTime() - cpuStart;
        if (wall <= 0 || cpu <= 0) {
            return List.of();
        }
        Result<?> primary;
        try {
            primary = result.getPrimaryResult();
        } catch (RuntimeException e) {
            return List.of(); // an iteration the benchmark failed has no score; JMH reports the benchmark's exception
        }
        if (primary == null) {
            return List.of();
        }
        boolean throughput = benchmarkParams.getMode() == org.openjdk.jmh.annotations.Mode.Throughput;
        return List.of(restate(primary.getScore(), primary.getScoreUnit(), throughput, cpu, wall));
    }

    /**
     * An iteration's score ({@code score} in {@code unit}, wall time) restated in CPU time: a time
     * per operation times the cores kept busy ({@code cpuNanos / wallNanos}), a throughput divided
     * by them. JMH folds a run's iterations by the result's policy: the lowest time per operation,
     * the highest throughput.
     */
    static ScalarResult restate(double score, String unit, boolean throughput, long cpuNanos, long wallNanos) {
        double busy = (double) cpuNanos / wallNanos;
        return new ScalarResult(METRIC, throughput ? score / busy : score * busy, unit, aggregation(throughput));
    }
}
