package dev.storagelab.workbench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        WorkloadRunner.Operations ops = r.operations();
        long gets = r.latency().containsKey("get") ? r.latency().get("get").count() : 0;
        long rmws = r.latency().containsKey("read_modify_write") ? r.latency().get("read_modify_write").count() : 0;
        assertThat("a read-modify-write gets too", ops.gets(), equalTo(gets + rmws));
        assertThat(ops.scans(), equalTo(r.latency().containsKey("scan") ? r.latency().get("scan").count() : 0L));
        for (Map.Entry<String, Object> c : r.counters().entrySet()) {
            if (c.getValue() instanceof Long n) {
                assertThat("a count over the run is a difference of readings, never negative: " + c, n,
                        greaterThanOrEqualTo(0L));
            }
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
            assertThat(r.counters(), hasKey(Counters.PAGE_READS_PER_GET));
            assertThat(r.counters(), hasKey(Counters.CACHE_HIT_RATE));
            assertThat("the sync after the run checkpoints, so pages reach the disk and count",
                    (Double) r.counters().get(Counters.WRITE_AMPLIFICATION), greaterThan(0.5));
            assertThat("the tree's shape is a gauge, not a counter", r.counters(), not(hasKey(Counters.HEIGHT)));
            assertThat(r.gauges(), hasEntry(Counters.KEYS, (Object) 3_000L));
            assertThat(r.gauges(), hasKey(Counters.LEAF_FILL));
        }
    }

    @Test
    void readrandomCountsThePageReadsOfTheMeasuredGetsAloneNotThePreloads() throws IOException {
        // 40,000 keys make about 1,800 leaves, more than the pool's 1,024 frames: the preload reads
        // thousands of pages back in, while each measured get reads at most its leaf (the pool
        // keeps the few internal pages, which every get touches).
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(40_000, 2_000, 100, 5);
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.READRANDOM, spec, done -> { });
            assertThat(r.operations().gets(), equalTo(spec.ops()));
            assertThat("a get reads at most its leaf once the pool holds the internal pages",
                    (Double) r.counters().get(Counters.PAGE_READS_PER_GET), lessThanOrEqualTo(1.0));
            long sinceOpened = h.counts().get(Counters.PAGE_READS);
            assertThat("with the preload's reads the same figure would be far larger", (double) sinceOpened / spec.ops(),
                    greaterThan(2.0));
            assertThat("a read-only run writes no user bytes", r.counters().get(Counters.USER_BYTES_WRITTEN), equalTo(0L));
        }
    }

    static Stream<Arguments> writeWorkloadsOnEveryDiskEngine() {
        List<Arguments> all = new ArrayList<>();
        for (EngineFactory e : Engines.all()) {
            if (e.onDisk()) {
                all.add(Arguments.of(e, Workload.FILLSEQ));
                all.add(Arguments.of(e, Workload.OVERWRITE));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("writeWorkloadsOnEveryDiskEngine")
    void userBytesWrittenAreTheMeasuredPutsKeysAndValuesAndNotThePreloads(EngineFactory engine, Workload workload)
            throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(500, 700, 20, 13);
        long perPut = 16 + spec.valueBytes(); // a 16-byte key and its value
        try (Engine.Handle h = engine.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, workload, spec, done -> { });
            assertThat(r.operations().writes(), equalTo(spec.ops()));
            assertThat("the measured puts' bytes, without the " + workload.preload(spec.keys()) + " preloaded keys'",
                    r.counters().get(Counters.USER_BYTES_WRITTEN), equalTo(spec.ops() * perPut));
            assertThat("since it was opened, the engine counts the preload too", h.counts().get(Counters.USER_BYTES_WRITTEN),
                    equalTo((workload.preload(spec.keys()) + spec.ops()) * perPut));
        }
    }

    @Test
    void writeAmplificationIsTheRunsDiskBytesOverTheRunsUserBytes() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(3_000, 1_000, 100, 17);
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.OVERWRITE, spec, done -> { });
            long user = (Long) r.counters().get(Counters.USER_BYTES_WRITTEN);
            long disk = (Long) r.counters().get(Counters.DISK_BYTES_WRITTEN);
            assertThat("the run's own user bytes", user, equalTo(spec.ops() * (16 + spec.valueBytes())));
            assertThat((Double) r.counters().get(Counters.WRITE_AMPLIFICATION), closeTo((double) disk / user, 1e-12));
            Map<String, Long> total = h.counts();
            assertThat("the preload's checkpoint is not the run's: the run wrote fewer disk bytes than the engine did", disk,
                    lessThan(total.get(Counters.DISK_BYTES_WRITTEN)));
        }
    }

    @Test
    void readwhilewritingCountsTheBackgroundWritersPutsAsWrites() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(2_000, 3_000, 20, 19);
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.READWHILEWRITING, spec, done -> { });
            assertThat("the measured operations are the gets", r.operations().gets(), equalTo(spec.ops()));
            assertThat("every user byte the run wrote is one of the background writer's puts",
                    r.counters().get(Counters.USER_BYTES_WRITTEN), equalTo(r.operations().writes() * (16 + spec.valueBytes())));
        }
    }
}
