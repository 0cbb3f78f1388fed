package dev.storagelab.grader.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.grader.bench.BenchReport.Comparison;
import dev.storagelab.grader.bench.BenchReport.LabBench;
import dev.storagelab.grader.bench.BenchReport.WorkloadBench;
import dev.storagelab.grader.bench.BenchReport.WorkloadRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plots of a bench report: one per benchmark class, the ratios, the workloads; PNGs that are not empty. */
class BenchPlotsTest {

    @TempDir
    Path dir;

    @Test
    void writesOnePngPerBenchmarkClassTheRatiosAndTheWorkloads() throws IOException {
        List<Comparison> rows = List.of(
                new Comparison(
                        "ReadBenchmark.readrandom",
                        "impl=BPlusTree keys=2000",
                        "avgt",
                        "us/op",
                        6255,
                        10,
                        7000.0,
                        12.0,
                        7000.0 / 6255,
                        Map.of()),
                new Comparison(
                        "ReadBenchmark.seekscan",
                        "impl=BPlusTree keys=2000",
                        "avgt",
                        "us/op",
                        2.5,
                        0.1,
                        null,
                        null,
                        null,
                        Map.of()),
                new Comparison(
                        "FillBenchmark.fill",
                        "impl=BPlusTree",
                        "avgt",
                        "ms/op",
                        143,
                        Double.NaN,
                        150.0,
                        Double.NaN,
                        150.0 / 143,
                        Map.of()));
        List<WorkloadRun> runs = List.of(
                new WorkloadRun("btree", "reference", "fillrandom", 6033, 18.9, 2042, Map.of(), 1.0),
                new WorkloadRun("btree", "submission", "fillrandom", 5000, 20, 2100, Map.of(), 1.2),
                new WorkloadRun("rocksdb", "peer", "fillrandom", 11158, 7.7, 49, Map.of(), 0.54),
                new WorkloadRun("rocksdb", "peer", "readrandom", 53324, 2.4, 14, Map.of(), 1.05),
                new WorkloadRun("bst", "reference", "readrandom", 2_000_000, 0.3, 1, Map.of(), 0.03));
        BenchReport report = new BenchReport(
                "2026-11-22T00:00:00Z",
                Map.of("cores", 2),
                true,
                false,
                "/ws",
                "/student",
                List.of(new LabBench("lab-04", null, rows)),
                new WorkloadBench("btree", 2000, 2000, runs, List.of()));

        List<String> written = BenchPlots.write(report, dir);

        assertThat(
                written,
                containsInAnyOrder(
                        "lab-04-ReadBenchmark.png", "lab-04-FillBenchmark.png", "ratios.png", "workloads.png"));
        for (String file : written) {
            assertThat(file + " must hold an image", Files.size(dir.resolve(file)), greaterThan(5_000L));
        }
    }
}
