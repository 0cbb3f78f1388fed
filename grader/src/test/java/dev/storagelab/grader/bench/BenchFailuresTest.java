package dev.storagelab.grader.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.bench.BenchReport.Comparison;
import dev.storagelab.grader.bench.BenchReport.LabBench;
import dev.storagelab.grader.perf.JmhRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One unfinished benchmark costs only its own line: JMH runs on past a failure ({@code -foe
 * false}), the failures are read from its log (as JMH 1.37 writes it), and the table keeps every
 * result JMH did produce, with one line per failed benchmark.
 */
class BenchFailuresTest {

    /** Two benchmarks of a quick run as JMH logs them: the first measured, the second failed in its setup. */
    private static final String LOG = """
            # JMH version: 1.37
            # Benchmark: dev.storagelab.lsm.bench.BlockBenchmark.get
            # Parameters: (entries = 256)

            # Run progress: 0.00% complete, ETA 00:00:00
            # Fork: N/A, test runs in the host VM
            Iteration   1: 412.345 ns/op

            # Benchmark: dev.storagelab.lsm.bench.BlockCacheBenchmark.getOrInsert
            # Parameters: (impl = sharded, blocks = 4096)

            # Run progress: 50.00% complete, ETA 00:00:00
            # Fork: N/A, test runs in the host VM
            Iteration   1: <failure>

            dev.storagelab.lab.NotImplementedException: lab-05 T5 Shard.get is not implemented yet (lab-05-lsm/README.md#t5)
            \tat dev.storagelab.lsm.BlockCache$Shard.get(BlockCache.java:120)
            \tat org.openjdk.jmh.runner.BenchmarkHandler$BenchmarkTask.call(BenchmarkHandler.java:527)

            java.lang.IllegalStateException: More threads than expected
            \tat org.openjdk.jmh.runner.InfraControlL2.preTearDown(InfraControl.java:350)
            """;

    @TempDir
    Path tmp;

    @Test
    void aFailedBenchmarkIsNamedWithTheFirstLineOfWhy() throws IOException {
        Path log = Files.writeString(tmp.resolve("lab-05-reference.txt"), LOG);
        JmhRunner.Run run = new JmhRunner.Run(List.of(), true, 0, log);
        assertThat(
                run.failures(),
                contains(new JmhRunner.Failure(
                        "dev.storagelab.lsm.bench.BlockCacheBenchmark.getOrInsert",
                        "blocks=4096 impl=sharded",
                        "lab-05 T5 Shard.get is not implemented yet (lab-05-lsm/README.md#t5)")));
        assertThat(run.failures().get(0).shortName(), is("BlockCacheBenchmark.getOrInsert"));
    }

    /** A quick run's report of lab-05 with one result and one benchmark failed on the workspace's own code. */
    private static BenchReport oneResultOneFailure(boolean release, String workspace) {
        Comparison measured = new Comparison(
                "BlockBenchmark.get", "entries=256", "avgt", "ns/op", 412.345, Double.NaN, null, null, null, Map.of());
        BenchReport.Failed failed = new BenchReport.Failed(
                "BlockCacheBenchmark.getOrInsert",
                "blocks=4096 impl=sharded",
                "reference",
                "lab-05 T5 Shard.get is not implemented yet (lab-05-lsm/README.md#t5)");
        return new BenchReport(
                "2026-11-25",
                Map.of(),
                true,
                release,
                workspace,
                null,
                List.of(new LabBench("lab-05", null, List.of(measured), List.of(failed))),
                null);
    }

    @Test
    void theTableKeepsEveryResultAndGivesEachFailureOneLine() {
        String table = BenchTable.render(oneResultOneFailure(false, "/ws"));
        assertThat(table, containsString("BlockBenchmark.get"));
        assertThat(table, containsString("412.3"));
        assertThat(
                table,
                containsString("BlockCacheBenchmark.getOrInsert  blocks=4096 impl=sharded FAILED on the reference:"
                        + " lab-05 T5 Shard.get is not implemented yet"));
        assertThat("no stack trace, no whole-run problem", table, not(containsString("PROBLEM")));
        assertThat(table, not(containsString("\tat ")));
    }

    @Test
    void inAReleaseTheTableCallsTheWorkspacesOwnCodeTheStudents() {
        String table = BenchTable.render(oneResultOneFailure(true, "/release"));
        assertThat(
                "a release's failure is the student's own code's",
                table,
                containsString("FAILED on your code: lab-05 T5 Shard.get is not implemented yet"));
        assertThat("the measured column is named for the student's code", table, containsString("your code"));
        assertThat("a release's code is never called the reference", table, not(containsString("reference")));
    }
}
