package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs a JMH benchmark class once, briefly, in the test's own JVM, and reads its results: what a
 * lab's {@code BenchmarkSmokeTest} uses to keep the benchmarks from rotting. The numbers such a
 * run produces mean nothing; a smoke test checks that every method ran and reported its counters.
 */
public final class JmhSmoke {

    private JmhSmoke() {}

    /**
     * Runs every method of {@code benchmark} once in this JVM: no fork, no warmup, one 100 ms
     * iteration, failing on the first exception a benchmark throws; the directories that the run's
     * {@link BenchData#tempDir} made and a failing benchmark left are deleted before that failure
     * is thrown.
     *
     * <p>JMH refuses to start while another JMH run holds its lock file, to keep measurements
     * clean. A smoke run measures nothing, so this sets {@code jmh.ignoreLock} first: it must not
     * fail because a real benchmark runs on the same machine.
     *
     * @param params the {@code @Param} values to use, by parameter name; a value may list several
     *               values separated by commas ({@code "1,8"}), and JMH runs every combination
     */
    public static Collection<RunResult> runOnce(Class<?> benchmark, Map<String, String> params) throws RunnerException {
        System.setProperty("jmh.ignoreLock", "true");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        params.forEach((name, values) -> options.param(name, values.split(",")));
        Set<Path> before = BenchData.undeleted();
        try {
            return new Runner(options.build()).run();
        } catch (Throwable failure) {
            deleteLeftDirectories(before, failure);
            throw failure;
        }
    }

    /**
     * Deletes the trial directories made since {@code before} that are still there after a run that
     * failed: a benchmark method that throws (a release's, at the first task not written yet) ends
     * its trial with no teardown, of the invocation or of the trial. A directory that cannot be
     * deleted is added to {@code failure}.
     */
    private static void deleteLeftDirectories(Set<Path> before, Throwable failure) {
        for (Path dir : BenchData.undeleted()) {
            if (!before.contains(dir)) {
                try {
                    BenchData.delete(dir);
                } catch (IOException | RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** The benchmark method's simple name ({@code "get"}, not the class-qualified one). */
    public static String methodName(RunResult run) {
        String benchmark = run.getParams().getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** The method name of each result, in the results' order (one entry per parameter combination). */
    public static List<String> methodNames(Collection<RunResult> results) {
        List<String> names = new ArrayList<>();
        results.forEach(r -> names.add(methodName(r)));
        return names;
    }

    /** Asserts that {@code run} produced a primary result with a positive score. */
    public static void assertPositiveScore(RunResult run) {
        Result<?> primary = run.getPrimaryResult();
        assertThat(run.getParams().getBenchmark() + " must produce a score", primary, notNullValue());
        assertThat(
                run.getParams().getBenchmark() + " " + run.getParams() + " must have a positive score",
                primary.getScore(),
                greaterThan(0.0));
    }

    /**
     * The score of the secondary result (an {@code @AuxCounters} counter or a group member)
     * named {@code counter}, asserting that the benchmark reported it.
     */
    public static double secondary(RunResult run, String counter) {
        Result<?> r = run.getSecondaryResults().get(counter);
        assertThat(run.getParams().getBenchmark() + " must report the counter " + counter, r, notNullValue());
        return r.getScore();
    }
}
