package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.RunnerException;

/**
 * A smoke run of a benchmark that fails, as every benchmark of a release does, leaves no trial
 * directory behind, whether the trial's setup threw or the benchmark method did.
 */
class JmhSmokeTest {

    @TempDir
    Path benchDir;

    @Test
    void aTrialSetupThatThrowsLeavesNoDirectory() throws IOException {
        RunnerException failure = assertThrows(RunnerException.class, () -> runOnce(FailingSetupBenchmark.class));

        assertThat(
                "the run fails with the setup's exception",
                stackTrace(failure),
                containsString("the store this setup fills is not written yet"));
        assertThat("the failed setup's directory is gone", entries(benchDir), empty());
    }

    @Test
    void aBenchmarkMethodThatThrowsLeavesNeitherItsTrialNorItsInvocationDirectory() throws IOException {
        RunnerException failure = assertThrows(RunnerException.class, () -> runOnce(FailingMethodBenchmark.class));

        assertThat(
                "the run fails with the method's exception",
                stackTrace(failure),
                containsString("the store this benchmark fills is not written yet"));
        assertThat("JMH ran no teardown, and the smoke run deleted both directories", entries(benchDir), empty());
    }

    /** Runs {@code benchmark} with its trial directories in this test's folder. */
    private void runOnce(Class<?> benchmark) throws RunnerException {
        BenchData.withTrialDirectoriesIn(benchDir, () -> JmhSmoke.runOnce(benchmark, Map.of()));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
