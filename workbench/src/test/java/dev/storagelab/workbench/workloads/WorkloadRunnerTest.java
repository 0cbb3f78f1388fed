package dev.storagelab.workbench.workloads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.mvcc.ForwardingTransaction;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.EngineFactory;
import dev.storagelab.workbench.engines.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WorkloadRunnerTest {

    @TempDir
    Path dir;

    static Stream<Arguments> everyWorkloadOnEveryEngine() {
        List<Arguments> all = new ArrayList<>();
        for (EngineFactory e : Engines.all()) {
            for (Workload w : Workload.values()) {
                if (!w.transactional()) { // the bank reports its own way: its tests are below
                    all.add(Arguments.of(e, w));
                }
            }
        }
        return all.stream();
    }

    /** The kinds of measured operation each workload mixes, as the latency histograms name them. */
    private static Set<String> kinds(Workload workload) {
        return switch (workload) {
            case FILLSEQ, FILLRANDOM, OVERWRITE -> Set.of("put");
            case READRANDOM, READMISSING, READWHILEWRITING, YCSB_C -> Set.of("get");
            case SEEKRANDOM -> Set.of("scan");
            case YCSB_A, YCSB_B -> Set.of("get", "put");
            case YCSB_D -> Set.of("get", "insert");
            case YCSB_E -> Set.of("scan", "insert");
            case YCSB_F -> Set.of("get", "read_modify_write");
            case ECOMMERCE -> Set.of("put", "read_modify_write", "get", "insert", "scan");
            case BANK -> throw new IllegalArgumentException("the bank reports its own way: its tests are below");
        };
    }

    /**
     * Each pair on 400 keys (one preload batch) and 300 operations, the e-commerce store's 600 (its
     * history scans are 1% of its mix): enough that every kind of operation a workload mixes runs,
     * which is checked, and few enough that the engines which force their log at each commit (kv,
     * kv-lsm, hybrid) do not pay for hundreds of forces the checks do not need.
     */
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyWorkloadOnEveryEngine")
    void everyWorkloadRunsOnEveryEngineAndChecksItsAnswers(EngineFactory engine, Workload workload) throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(400, workload == Workload.ECOMMERCE ? 600 : 300, 20, 7);
        long[] lastProgress = {0};
        // Opened by the runner: a disk engine's preloaded store is closed and opened again, so every
        // engine must find its preload in its files.
        WorkloadRunner.Result r = WorkloadRunner.run(
                engine,
                Files.createDirectories(dir.resolve(engine.id())),
                workload,
                spec,
                BankWorkload.Threads.DEFAULT,
                done -> {
                    assertThat("progress only moves forward", done, greaterThan(lastProgress[0]));
                    lastProgress[0] = done;
                });
        assertThat(
                "a disk engine's preloaded store is reopened before the measured operations",
                r.reopened(),
                equalTo(engine.onDisk() && workload.preload(spec.keys()) > 0));
        assertThat(r.gauges(), hasKey(Counters.HEAP_HELD_BYTES));
        assertThat("the last progress report is the last operation", lastProgress[0], equalTo(spec.ops()));
        long counted = r.latency().values().stream()
                .mapToLong(WorkloadRunner.Latency::count)
                .sum();
        assertThat("every measured operation is in a latency histogram", counted, equalTo(spec.ops()));
        assertThat(
                "every kind of operation the workload mixes ran, and no other",
                r.latency().keySet(),
                equalTo(kinds(workload)));
        assertThat(r.opsPerSecond(), greaterThan(0.0));
        for (WorkloadRunner.Latency l : r.latency().values()) {
            assertThat("percentiles are ordered: " + l, l.p50(), lessThanOrEqualTo(l.p99()));
            assertThat("percentiles are ordered: " + l, l.p99(), lessThanOrEqualTo(l.max()));
        }
        WorkloadRunner.Operations ops = r.operations();
        long gets = r.latency().containsKey("get") ? r.latency().get("get").count() : 0;
        long rmws = r.latency().containsKey("read_modify_write")
                ? r.latency().get("read_modify_write").count()
                : 0;
        assertThat("a read-modify-write gets too", ops.gets(), equalTo(gets + rmws));
        assertThat(
                ops.scans(),
                equalTo(
                        r.latency().containsKey("scan")
                                ? r.latency().get("scan").count()
                                : 0L));
        for (Map.Entry<String, Object> c : r.counters().entrySet()) {
            if (c.getValue() instanceof Long n) {
                assertThat(
                        "a count over the run is a difference of readings, never negative: " + c,
                        n,
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
                WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.ECOMMERCE, spec, done -> {});
                written[run] = List.of(
                        r.counters().get("user_bytes_written"),
                        r.latency().get("scan").count(),
                        r.latency().get("insert").count());
            }
        }
        assertThat("two runs with one seed write the same bytes and do the same mix", written[1], equalTo(written[0]));
    }

    @Test
    void theBtreeReportsPageReadsHitRateAndWriteAmplificationAfterTheSync() throws IOException {
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(
                    h, Workload.OVERWRITE, new WorkloadRunner.Spec(3_000, 3_000, 100, 3), done -> {});
            assertThat(r.counters(), hasKey(Counters.PAGE_READS_PER_GET));
            assertThat(r.counters(), hasKey(Counters.CACHE_HIT_RATE));
            assertThat(
                    "the sync after the run checkpoints, so pages reach the disk and count",
                    (Double) r.counters().get(Counters.WRITE_AMPLIFICATION),
                    greaterThan(0.5));
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
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.READRANDOM, spec, done -> {});
            assertThat(r.operations().gets(), equalTo(spec.ops()));
            assertThat(
                    "a get reads at most its leaf once the pool holds the internal pages",
                    (Double) r.counters().get(Counters.PAGE_READS_PER_GET),
                    lessThanOrEqualTo(1.0));
            long sinceOpened = h.counts().get(Counters.PAGE_READS);
            assertThat(
                    "with the preload's reads the same figure would be far larger",
                    (double) sinceOpened / spec.ops(),
                    greaterThan(2.0));
            assertThat(
                    "a read-only run writes no user bytes", r.counters().get(Counters.USER_BYTES_WRITTEN), equalTo(0L));
        }
    }

    @Test
    void aReadRunStartsFromTheFilesWithTheBtreesPoolColdNotWithWhatThePreloadLeftInIt() throws IOException {
        // 2,000 keys make about 90 leaves, all of which the preload leaves in the pool's 1,024 frames:
        // on the store as the preload left it, no measured get reads a page; reopened, each page a
        // get needs is read from the file once.
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(2_000, 4_000, 100, 31);
        WorkloadRunner.Result warm;
        try (Engine.Handle h = Engine.BTREE.open(Files.createDirectories(dir.resolve("warm")))) {
            warm = WorkloadRunner.run(h, Workload.READRANDOM, spec, done -> {});
        }
        WorkloadRunner.Result cold = WorkloadRunner.run(
                Engine.BTREE,
                Files.createDirectories(dir.resolve("cold")),
                Workload.READRANDOM,
                spec,
                BankWorkload.Threads.DEFAULT,
                done -> {});
        assertThat(warm.reopened(), equalTo(false));
        assertThat(cold.reopened(), equalTo(true));
        assertThat("the preload left every page in the pool", warm.counters().get(Counters.PAGE_READS), equalTo(0L));
        long leaves = (Long) cold.counters().get(Counters.PAGE_READS);
        assertThat("the reopened tree reads its pages from the file", leaves, greaterThan(50L));
        assertThat("each page once: they all fit in the pool", leaves, lessThan(200L));
        assertThat(
                "the open tree's pool of 1,024 frames of 4 KiB is on the heap",
                (Long) cold.gauges().get(Counters.HEAP_HELD_BYTES),
                greaterThan(4L << 20));
    }

    @Test
    void h2sPageCacheOf4MiBHoldsAboutItsSizeNotEveryPageItRead() throws IOException {
        EngineFactory h2 = Engines.all().stream()
                .filter(e -> e.id().equals("h2-pool"))
                .findFirst()
                .orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(h2 != null, "the peers are built with -Ppeers");
        // 60,000 keys of 116 bytes make about 9 MiB of H2's pages: random gets read them all. A cache
        // that kept every evicted page it met again behind a weak reference held them all.
        WorkloadRunner.Result r = WorkloadRunner.run(
                h2,
                Files.createDirectories(dir.resolve("h2")),
                Workload.READRANDOM,
                new WorkloadRunner.Spec(60_000, 120_000, 100, 41),
                BankWorkload.Threads.DEFAULT,
                done -> {});
        long held = (Long) r.gauges().get(Counters.HEAP_HELD_BYTES);
        assertThat("4 MiB of cache, and what H2 keeps beside it: " + held + " bytes", held, lessThan(7L << 20));
    }

    @Test
    void anInMemoryEngineKeepsItsPreloadSinceItHasNoFilesToReopen() throws IOException {
        WorkloadRunner.Result r = WorkloadRunner.run(
                Engine.SKIPLIST,
                Files.createDirectories(dir.resolve("mem")),
                Workload.READRANDOM,
                new WorkloadRunner.Spec(500, 500, 20, 37),
                BankWorkload.Threads.DEFAULT,
                done -> {});
        assertThat(r.reopened(), equalTo(false));
        assertThat(r.operations().gets(), equalTo(500L)); // each get found its key, or the run would have failed
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
            WorkloadRunner.Result r = WorkloadRunner.run(h, workload, spec, done -> {});
            assertThat(r.operations().writes(), equalTo(spec.ops()));
            assertThat(
                    "the measured puts' bytes, without the " + workload.preload(spec.keys()) + " preloaded keys'",
                    r.counters().get(Counters.USER_BYTES_WRITTEN),
                    equalTo(spec.ops() * perPut));
            assertThat(
                    "since it was opened, the engine counts the preload too",
                    h.counts().get(Counters.USER_BYTES_WRITTEN),
                    equalTo((workload.preload(spec.keys()) + spec.ops()) * perPut));
        }
    }

    @Test
    void writeAmplificationIsTheRunsDiskBytesOverTheRunsUserBytes() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(3_000, 1_000, 100, 17);
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.OVERWRITE, spec, done -> {});
            long user = (Long) r.counters().get(Counters.USER_BYTES_WRITTEN);
            long disk = (Long) r.counters().get(Counters.DISK_BYTES_WRITTEN);
            assertThat("the run's own user bytes", user, equalTo(spec.ops() * (16 + spec.valueBytes())));
            assertThat((Double) r.counters().get(Counters.WRITE_AMPLIFICATION), closeTo((double) disk / user, 1e-12));
            Map<String, Long> total = h.counts();
            assertThat(
                    "the preload's checkpoint is not the run's: the run wrote fewer disk bytes than the engine did",
                    disk,
                    lessThan(total.get(Counters.DISK_BYTES_WRITTEN)));
        }
    }

    @Test
    void theHybridCountsItsMigrationsAndItsLogAndSaysWhereItsBytesAre() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(5_000, 5_000, 100, 19);
        try (Engine.Handle h = Engine.HYBRID.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.ECOMMERCE, spec, done -> {});
            for (String count : List.of(
                    Counters.MIGRATIONS,
                    Counters.MIGRATIONS_DEFERRED,
                    Counters.CACHE_HIT_RATE,
                    Counters.PAGE_READS,
                    Counters.BLOCK_READS)) {
                assertThat(r.counters(), hasKey(count));
            }
            assertThat(
                    "every put reaches the log, framed, and the final sync forces it: at least the user's bytes",
                    (Double) r.counters().get(Counters.WRITE_AMPLIFICATION),
                    greaterThan(1.0));
            long moved = (Long) r.counters().get(Counters.MIGRATIONS);
            assertThat(
                    "the run's migrations, the preload's excluded",
                    moved,
                    lessThanOrEqualTo(h.counts().get(Counters.MIGRATIONS)));
            assertThat(
                    "the preload went to the LSM tree (every key starts cold)",
                    (Long) r.gauges().get(Counters.COLD_BYTES),
                    greaterThan(0L));
            assertThat(
                    "the B+tree's file exists from the start",
                    (Long) r.gauges().get(Counters.HOT_BYTES),
                    greaterThan(0L));
            assertThat((Long) r.gauges().get(Counters.TRACKER_BYTES), greaterThan(0L));
            for (String gauge : List.of(
                    Counters.HOT_KEYS,
                    Counters.DUPLICATE_KEYS,
                    Counters.QUEUED_MIGRATIONS,
                    Counters.MIGRATION_TOKENS,
                    Counters.WRITE_AMPLIFICATION_SINCE_OPEN,
                    Counters.CACHE_HIT_RATE_SINCE_OPEN)) {
                assertThat(r.gauges(), hasKey(gauge));
            }
            assertThat("migrations are counts, not gauges", r.gauges(), not(hasKey(Counters.MIGRATIONS)));
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"KV", "KV_LSM"})
    void theBankMovesMoneyAndNoSnapshotEverSeesTheTotalChange(Engine engine) throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(20, 400, 0, 23);
        WorkloadRunner.Result r;
        try (Engine.Handle h = engine.open(dir)) {
            r = WorkloadRunner.run(h, Workload.BANK, spec, new BankWorkload.Threads(4, 2), done -> {});
        }
        BankWorkload.Report bank = r.bank();
        assertThat("the invariant held: " + bank.firstViolations(), bank.invariantHeld(), equalTo(true));
        assertThat("every ticket became a committed transfer", bank.transfers(), equalTo(spec.ops()));
        assertThat(bank.expectedTotal(), equalTo(20 * BankWorkload.INITIAL_BALANCE));
        assertThat("the final scan found all the money", bank.finalTotal(), equalTo(bank.expectedTotal()));
        assertThat(
                "each of the two readers checked at least one snapshot",
                bank.snapshotChecks(),
                greaterThanOrEqualTo(2L));
        assertThat(r.latency().get("transfer").count(), equalTo(spec.ops()));
        assertThat(r.latency().get("snapshot_check").count(), equalTo(bank.snapshotChecks()));
        assertThat("a transfer writes two balances", r.operations().writes(), equalTo(2 * spec.ops()));
        assertThat(
                "one log record per committed transfer: a conflict or an abort writes nothing to the log",
                r.counters().get(Counters.LOG_RECORDS),
                equalTo(spec.ops()));
        assertThat(r.opsPerSecond(), greaterThan(0.0));
    }

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"BTREE", "LSM", "AVL"})
    void theBankRefusesAnEngineWithoutTransactions(Engine engine) throws IOException {
        try (Engine.Handle h = engine.open(dir)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> WorkloadRunner.run(h, Workload.BANK, new WorkloadRunner.Spec(10, 10, 0, 1), done -> {}));
            assertThat(
                    e.getMessage(),
                    equalTo("the bank workload runs transactions, and " + engine.id()
                            + " has none: run it on kv, kv-lsm"));
        }
    }

    @Test
    void theBankCatchesAStoreThatAppliesHalfATransfer() throws IOException {
        try (KvStore kv = KvStore.open(dir, KvOptions.defaults())) {
            HalfCommittingStore broken = new HalfCommittingStore(kv);
            Engine.Handle h = new Engine.Handle(Engine.KV, broken) {
                @Override
                public Map<String, Long> counts() {
                    return Map.of();
                }

                @Override
                public Map<String, Object> gauges() {
                    return Map.of();
                }

                @Override
                public String dump(boolean dot) {
                    return "";
                }
            };
            WorkloadRunner.Result r = WorkloadRunner.run(
                    h,
                    Workload.BANK,
                    new WorkloadRunner.Spec(10, 200, 0, 29),
                    new BankWorkload.Threads(2, 1),
                    done -> {});
            BankWorkload.Report bank = r.bank();
            assertThat("a transfer's credit was lost: the bank must notice", bank.invariantHeld(), equalTo(false));
            assertThat(
                    "the money that vanished is missing at the end", bank.finalTotal(), lessThan(bank.expectedTotal()));
            assertThat(
                    "the readers' snapshots saw it too",
                    bank.firstViolations().toString(),
                    containsString("the total in the snapshot at timestamp "));
            assertThat("every violation is counted, the first few kept", bank.violations(), greaterThanOrEqualTo((long)
                    bank.firstViolations().size()));
            assertThat(bank.firstViolations().size(), lessThanOrEqualTo(BankWorkload.VIOLATIONS_KEPT));
        }
    }

    /** A broken store: its transactions drop the second write of each commit (a transfer's credit). */
    private static final class HalfCommittingStore extends ForwardingOrderedStore implements TransactionalStore {
        private final KvStore kv;

        HalfCommittingStore(KvStore kv) {
            super(kv);
            this.kv = kv;
        }

        @Override
        public Transaction begin() {
            return new ForwardingTransaction(kv.begin()) {
                private int puts;

                @Override
                public void put(Bytes key, Bytes value) throws IOException {
                    if (puts++ != 1) {
                        super.put(key, value);
                    }
                }
            };
        }

        @Override
        public void close() {
            // the test closes the KvStore
        }
    }

    @Test
    void readwhilewritingCountsTheBackgroundWritersPutsAsWrites() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(2_000, 3_000, 20, 19);
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.READWHILEWRITING, spec, done -> {});
            assertThat("the measured operations are the gets", r.operations().gets(), equalTo(spec.ops()));
            assertThat(
                    "every user byte the run wrote is one of the background writer's puts",
                    r.counters().get(Counters.USER_BYTES_WRITTEN),
                    equalTo(r.operations().writes() * (16 + spec.valueBytes())));
        }
    }

    /** db_bench's --benchmark_write_rate_limit: the writer puts no faster than the rate it is given. */
    @Test
    void readwhilewritingsWriterKeepsToItsRate() throws IOException {
        WorkloadRunner.Spec spec = new WorkloadRunner.Spec(2_000, 100_000, 20, 19, 400);
        try (Engine.Handle h = Engine.BTREE.open(dir)) {
            WorkloadRunner.Result r = WorkloadRunner.run(h, Workload.READWHILEWRITING, spec, done -> {});
            assertThat("the gets ran long enough to hold the writer to something", r.seconds(), greaterThan(0.05));
            assertThat(
                    "puts beside " + r.seconds() + " s of gets at 400 a second (and 50 ms for the writer's"
                            + " start and stop, outside the measured window)",
                    (double) r.operations().writes(),
                    lessThanOrEqualTo(400 * (r.seconds() + 0.05) + 2));
            if (!ThreadTimes.sample().isEmpty()) { // Linux: the writer's time is counted, sampled before it stopped
                assertThat(r.threads(), hasKey("readwhilewritin")); // the kernel keeps 15 bytes of a name
                assertThat(r.threads().get("readwhilewritin").threads(), equalTo(1));
                assertThat(r.threads().get("readwhilewritin").cpuSeconds(), greaterThan(0.0));
            }
        }
    }
}
