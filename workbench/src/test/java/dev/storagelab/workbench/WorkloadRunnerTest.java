package dev.storagelab.workbench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkloadRunnerTest {

    @TempDir
    Path dir;

    static Stream<Arguments> everyWorkloadOnEveryEngine() {
        List<Arguments> all = new ArrayList<>();
        for (EngineFactory e : Engines.all()) {
            for (Workload w : Workload.values()) {
                all.add(Arguments.of(e, w));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyWorkloadOnEveryEngine")
    void everyWorkloadRunsOnEveryEngineAndChecksItsAnswers(EngineFactory engine, Workload workload) throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(400, 600, 20, 7);
        long[] lastProgress = {0};
        WorkloadRunner.Result r;
        try (Engine.Handle h = engine.open(Files.createDirectories(dir.resolve(engine.id())))) {
            r = WorkloadRunner.run(h, workload, spec, done -> {
                assertThat("progress only moves forward", done, greaterThan(lastProgress[0]));
                lastProgress[0] = done;
            });
        }
        assertThat("the last progress report is the last operation", lastProgress[0], equalTo(spec.ops()));
        long counted = r.latency().values().stream().mapToLong(WorkloadRunner.Latency::count).sum();
        assertThat("every measured operation is in a latency histogram", counted, equalTo(spec.ops()));
        assertThat(r.opsPerSecond(), greaterThan(0.0));
        for (WorkloadRunner.Latency l : r.latency().values()) {
            assertThat("percentiles are ordered: " + l, l.p50(), lessThanOrEqualTo(l.p99()));
            assertThat("percentiles are ordered: " + l, l.p99(), lessThanOrEqualTo(l.max()));
        }
    }

    @Test
    void aSeedRepeatsTheSameOperations() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(2_000, 3_000, 50, 11);
        Object[] written = new Object[2];
        for (int run = 0; run < 2; run++) {
            try (Engine.Handle h = Engine.BTREE.open(Files.createDirectories(dir.resolve("run" + run)))) {
                WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.ECOMMERCE, spec, done -> { });
                written[run] = List.of(r.counters().get("user_bytes_written"), r.latency().get("scan").count(),
                        r.latency().get("insert").count());
            }
        }
        assertThat("two runs with one seed write the same bytes and do the same mix", written[1], equalTo(written[0]));
    }

    @Test
    void theBtreeReportsPageReadsHitRateAndWriteAmplificationAfterTheSync() throws IOException {
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.OVERWRITE, new WorkloadRunner.Spec(3_000, 3_000, 100, 3),
                    done -> { });
            assertThat(r.counters(), hasKey("page_reads_per_get"));
            assertThat(r.counters(), hasKey("cache_hit_rate"));
            assertThat("the sync after the run checkpoints, so pages reach the disk and count",
                    (Double) r.counters().get("write_amplification"), greaterThan(0.5));
        }
    }
}
