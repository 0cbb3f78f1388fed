package dev.storagelab.workbench.arena;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.WritableFile;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.workbench.cli.WorkbenchMain;
import dev.storagelab.workbench.workloads.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The arena's smoke run (every engine, a tiny budget, a few short intervals) and its answers to bad
 * input; RocksDB's run under the Maven profile {@code peers}, its refusal without it.
 */
class ArenaTest {

    @TempDir
    Path dir;

    /** A run of a second or two per engine: 768 KiB of budget, 4 times as much data, intervals of 100 ms. */
    private static Arena.Spec tiny() {
        return new Arena.Spec(768 << 10, 4, 100, SyncMode.NONE, true, 100, 1, 4, 3, 42);
    }

    @Test
    void theSweepRunsEachCellTheRoundsAskedAndWritesItsMap() throws IOException {
        List<ArenaSweep.Cell> cells = ArenaSweep.run(
                List.of(ArenaEngine.values()),
                tiny(),
                dir.resolve("scratch"),
                dir.resolve("map"),
                List.of(0.99),
                List.of(0.95),
                List.of(1.0),
                2,
                line -> {});
        assertThat("one mix and the e-commerce store", cells.size(), equalTo(2));
        for (ArenaSweep.Cell cell : cells) {
            assertThat(cell.results().size(), equalTo(ArenaEngine.values().length));
            for (Arena.Result r : cell.results()) {
                assertThat(
                        cell.workload() + " " + r.engine() + ": each round's throughput",
                        r.roundsOpsPerSecond().size(),
                        equalTo(2));
            }
            assertThat(cell.workload(), cell.hybridOverBestPure(), greaterThan(0.0));
        }
        assertThat(Files.size(dir.resolve("map").resolve(ArenaSweep.JSON)), greaterThan(0L));
        assertThat(Files.size(dir.resolve("map").resolve(ArenaSweep.PNG)), greaterThan(0L));
    }

    @Test
    void smokeRunOfEveryEngineReportsTheDecidingFiguresFromItsSteadyIntervals() throws IOException {
        ArenaWorkload w = ArenaWorkload.parse("ecommerce");
        Arena.Spec spec = tiny();
        List<Arena.Result> results = Arena.run(List.of(ArenaEngine.values()), w, spec, dir, 1, line -> {});
        JsonObject doc =
                new Gson().toJsonTree(ArenaCommand.report(w, spec, results)).getAsJsonObject();
        JsonArray rows = doc.getAsJsonArray("results");
        assertThat(rows.size(), equalTo(ArenaEngine.values().length));
        for (int i = 0; i < rows.size(); i++) {
            JsonObject r = rows.get(i).getAsJsonObject();
            String engine = r.get("engine").getAsString();
            assertThat(engine, equalTo(ArenaEngine.values()[i].id()));
            assertThat(engine + " ran operations", r.get("opsPerSecond").getAsDouble(), greaterThan(0.0));
            assertThat(engine + " used CPU", r.get("cpuMicrosPerOp").getAsDouble(), greaterThan(0.0));
            assertThat(
                    engine + " wrote to the device", r.get("writeAmplification").getAsDouble(), greaterThan(0.0));
            assertThat(engine + " timed its gets", r.get("getP99Micros").getAsDouble(), greaterThan(0.0));
            assertThat(
                    engine + " read past the page cache",
                    r.get("pageCacheBypassed").getAsBoolean(),
                    equalTo(true));
            assertThat(engine + " held memory", r.get("memoryBytes").getAsLong(), greaterThan(0L));
            assertThat(
                    engine + " data is larger than memory",
                    r.get("dataBytes").getAsLong(),
                    greaterThan(spec.memoryBytes()));
        }
        for (Arena.Result r : results) {
            assertThat(
                    r.engine() + " measured the asked intervals after its warm-up",
                    r.intervals().stream().filter(Arena.Interval::steady).count(),
                    equalTo((long) spec.intervals()));
            assertThat(
                    r.engine() + " ended its warm-up within the cap",
                    r.warmupIntervals(),
                    lessThanOrEqualTo(spec.maxWarmup()));
            double perOp = 1e6 / r.opsPerSecond();
            assertThat(
                    r.engine() + " timed its request thread's device reads, within its time per operation",
                    r.deviceReadMicrosPerOp(),
                    allOf(greaterThan(0.0), lessThan(perOp)));
            double shares = r.latency().values().stream()
                    .mapToDouble(Arena.Latency::timeShare)
                    .sum();
            assertThat(
                    r.engine() + ": the kinds of operation share the measured time (the rest is choosing them)",
                    shares,
                    allOf(greaterThan(0.5), lessThanOrEqualTo(1.0)));
        }
        Arena.Result hybrid = results.get(ArenaEngine.HYBRID.ordinal());
        assertThat(
                "the hybrid says where its keys are and how each key range compacts",
                hybrid.engineState().keySet(),
                hasItems("hotKeys", "range start", "range price/", "range stock/", "lsm.tablesPerLevel"));
        assertThat(
                "the LSM tree says its tables per level",
                results.get(ArenaEngine.LSM.ordinal()).engineState().keySet(),
                hasItems("tablesPerLevel", "blockCacheHitRate"));
        assertThat(
                ArenaCommand.table(w, spec, results),
                allOf(containsString("log sync none"), containsString("page cache bypassed")));
    }

    /**
     * The arena's hybrid compacts each key range of the e-commerce store in its own style, and the
     * classification is not fooled by the load: loaded in key order ({@code order/CUSTOMER/ORDER}),
     * the order range's keys arrive in increasing order while their time (the order's number) jumps
     * back at every customer. Every write and read of the load and of the measured mix is reported
     * as the hybrid reports a cold key's (all keys are taken as cold here); the order range is never
     * given time windows, and the load leaves it leveled.
     */
    @Test
    void theHybridsAdaptiveCompactionTakesNeitherTheKeyOrderLoadNorTheMixForTimeOrderedAppends() {
        ArenaWorkload w = ArenaWorkload.parse("ecommerce");
        int keys = 20_000;
        dev.storagelab.hybrid.HybridOptions options = ArenaEngine.hybridOptions(
                768 << 10, SyncMode.NONE, 100 + w.keyBytes(), (long) keys * (100 + w.keyBytes()), w.ranges());
        assertThat("the arena's hybrid runs adaptive compaction", options.adaptiveCompaction() != null, equalTo(true));
        AdaptiveCompaction a = options.adaptiveCompaction().get();
        int orders = a.rangeOf(w.preloadKey(keys - 1, keys));
        dev.storagelab.kv.Bytes[] load = new dev.storagelab.kv.Bytes[keys];
        for (int i = 0; i < keys; i++) {
            load[i] = w.preloadKey(i, keys);
        }
        java.util.Arrays.sort(load); // as the arena loads them
        for (dev.storagelab.kv.Bytes k : load) {
            a.recordWrite(k);
            assertThat("loading " + k + ": " + a.stats(orders), a.styleOf(orders), not(equalTo(Style.TIME_WINDOW)));
        }
        assertThat(
                "the load in key order leaves the order range leveled: " + a.stats(orders),
                a.styleOf(orders),
                equalTo(Style.LEVELED));
        Workload.Generator mix = w.generator(keys, RandomSource.XO_RO_SHI_RO_128_PP.create(42));
        for (long n = 0; n < 20_000; n++) {
            Workload.Op op = mix.next(n);
            switch (op.kind()) {
                case GET -> a.recordRead(op.key());
                case PUT, INSERT -> a.recordWrite(op.key());
                case READ_MODIFY_WRITE -> {
                    a.recordRead(op.key());
                    a.recordWrite(op.key());
                }
                case SCAN -> {} // the hybrid reports gets and writes, not scans
            }
            assertThat(
                    "after " + n + " operations of the mix: " + a.stats(orders),
                    a.styleOf(orders),
                    not(equalTo(Style.TIME_WINDOW)));
        }
    }

    @Test
    void theHybridsTrackerTakesAtMostASixteenthOfTheBudget() {
        for (long budget : new long[] {1 << 20, 2 << 20, 4 << 20, 64 << 20}) {
            int width = ArenaEngine.trackerWidth(budget);
            long held = new dev.storagelab.hybrid.track.AccessTracker(width, ArenaEngine.TRACKER_SAMPLE).memoryBytes();
            assertThat("budget " + budget + ": width " + width + " holds " + held, held <= budget / 16, equalTo(true));
            long twice =
                    new dev.storagelab.hybrid.track.AccessTracker(2 * width, ArenaEngine.TRACKER_SAMPLE).memoryBytes();
            assertThat(
                    "budget " + budget + ": the widest that fits, up to the most",
                    width == ArenaEngine.MAX_TRACKER_WIDTH || twice > budget / 16,
                    equalTo(true));
        }
        assertThat(ArenaEngine.trackerWidth(4 << 20), equalTo(1 << 12));
        dev.storagelab.hybrid.HybridOptions options =
                ArenaEngine.hybridOptions(4 << 20, SyncMode.NONE, 120, 32 << 20, List.of());
        assertThat(options.trackerWidth(), equalTo(1 << 12));
    }

    @Test
    void directReadsReturnTheBytesAtAnyOffsetAndCountWholeBlocks() throws IOException {
        byte[] data = new byte[3 * 4096 + 123];
        new Random(1).nextBytes(data);
        try (DeviceStorage storage = DeviceStorage.open(dir, true)) {
            try (WritableFile out = storage.create("f")) {
                out.append(data);
            }
            assertThat(storage.bytesWritten(), equalTo((long) data.length));
            try (ReadableFile in = storage.openRead("f")) {
                Random r = new Random(2);
                long asked = 0;
                for (int i = 0; i < 200; i++) {
                    int at = r.nextInt(data.length);
                    int len = 1 + r.nextInt(data.length - at);
                    asked += len;
                    byte[] got = in.readFully(at, len);
                    assertThat(
                            "bytes " + at + ".." + (at + len),
                            ByteBuffer.wrap(got),
                            equalTo(ByteBuffer.wrap(data, at, len)));
                }
                assertThat("the device read whole blocks around each read", storage.bytesRead(), greaterThan(asked));
                assertThat(
                        "a read past the end finds nothing",
                        in.read(data.length, ByteBuffer.allocate(10)),
                        equalTo(-1));
            }
        }
    }

    @Test
    void unknownEngineNamesTheEnginesThereAre() {
        assertThat(
                error("--engines", "btree,rocks"),
                allOf(
                        containsString("no arena engine named 'rocks'"),
                        containsString("btree"),
                        containsString("hybrid")));
    }

    @Test
    void peersThatCannotBeHeldToTheTermsSayWhichTermInOneLine() {
        assertThat(
                error("--engines", "btree,leveldb"),
                allOf(
                        containsString("leveldb cannot be held to the arena's terms"),
                        containsString("no block cache"),
                        containsString("no direct I/O"),
                        containsString("workload --engine leveldb")));
        assertThat(
                error("--engines", "h2"),
                allOf(
                        containsString("h2 cannot be held to the arena's terms"),
                        containsString("no write-ahead log"),
                        containsString("no direct I/O")));
        assertThat(error("--engines", "h2-pool"), containsString("no write-ahead log"));
        assertThat(error("--engines", "rocksdb-lsmopts"), containsString("use --engines rocksdb"));
    }

    @Test
    void rocksdbInABuildWithoutThePeersNamesTheBuildThatHasIt() {
        assumeFalse(rocksdbBuilt(), "this build has the peers (-Ppeers): the peer's own run is tested instead");
        assertThat(
                error("--engines", "lsm,rocksdb"),
                allOf(
                        containsString("rocksdb is a production peer"),
                        containsString("mvn -Ppeers -pl workbench -am package")));
    }

    /**
     * Under the Maven profile {@code peers}: RocksDB in the arena with every write synced, read past
     * the page cache, its bytes from its own counters, its memory within the budget.
     */
    @Test
    void rocksdbUnderThePeersIsHeldToTheBudgetTheSyncModeAndDirectReads() throws IOException {
        assumeTrue(
                rocksdbBuilt(),
                "a build without the peers: rocksdbInABuildWithoutThePeersNamesTheBuildThatHasIt runs instead");
        ArenaWorkload w = ArenaWorkload.parse("ecommerce");
        Arena.Spec spec = new Arena.Spec(768 << 10, 4, 100, SyncMode.EVERY_WRITE, true, 100, 1, 4, 3, 42);
        Arena.Result r = Arena.run(List.of(ArenaEntrant.byId("rocksdb")), w, spec, dir, 1, line -> {})
                .get(0);
        assertThat("rocksdb ran operations", r.opsPerSecond(), greaterThan(0.0));
        assertThat("rocksdb read with direct I/O", r.pageCacheBypassed(), equalTo(true));
        assertThat("rocksdb wrote to its files", r.writeAmplification(), greaterThan(1.0));
        assertThat("rocksdb's caches held memory", r.memoryBytes(), greaterThan(0L));
        // the block cache may overshoot a little (pinned blocks): a tenth over is still the budget
        assertThat(
                "rocksdb kept within the budget: " + r.memory(),
                (double) r.memoryBytes(),
                lessThanOrEqualTo(spec.memoryBytes() * 1.1));
        assertThat(r.memory().keySet(), equalTo(java.util.Set.of("blockCache", "memtables", "tableReaders")));
        long writes = r.latency().entrySet().stream()
                .filter(e -> !e.getKey().equals("get") && !e.getKey().equals("scan"))
                .mapToLong(e -> e.getValue().count())
                .sum();
        assertThat(
                "every-write synced the log once per write at least",
                r.engineCounts().get("walSyncs"),
                greaterThanOrEqualTo(writes));
        assertThat(
                "every figure not measured at the device is named",
                r.ownCounters().keySet(),
                equalTo(java.util.Set.of(
                        "writeBytesPerOp", "writeAmplification", "readBytesPerOp", "memoryBytes", "memory")));
        assertThat(
                "the result names the counters its bytes came from",
                r.ownCounters().toString(),
                allOf(
                        containsString("WAL_FILE_BYTES"),
                        containsString("LAST_LEVEL_READ_BYTES"),
                        containsString("rocksdb.block-cache-usage")));
    }

    @Test
    void aRegisteredArenaPeerWhoseClassIsMissingIsLeftOutNotFatal() throws IOException {
        // What a default build finds after a -Ppeers build: the peer's registration, not its classes.
        List<String> built = ArenaEntrant.peers().stream().map(ArenaPeer::id).toList();
        Path services = Files.createDirectories(dir.resolve("classes/META-INF/services"));
        Files.writeString(
                services.resolve(ArenaPeer.class.getName()), "dev.storagelab.workbench.peers.NoSuchArenaPeer\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader stale =
                new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(stale);
            assertThat(
                    "the missing peer is left out, the others found",
                    ArenaEntrant.peers().stream().map(ArenaPeer::id).toList(),
                    equalTo(built));
            assertThat(
                    assertThrows(IllegalArgumentException.class, () -> ArenaEntrant.byId("NoSuchArenaPeer"))
                            .getMessage(),
                    containsString("no arena engine named 'NoSuchArenaPeer'"));
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    /** Whether this build has RocksDB in the arena (the Maven profile peers). */
    private static boolean rocksdbBuilt() {
        return ArenaEntrant.peers().stream().anyMatch(p -> p.id().equals("rocksdb"));
    }

    @Test
    void memoryTooSmallForAnEngineNamesTheSizeItNeeds() {
        assertThat(
                error("--engines", "hybrid", "--memory", "64k"),
                allOf(containsString("too small for hybrid"), containsString("give --memory")));
    }

    @Test
    void dataSmallerThanMemoryInALargerThanMemoryRunNamesTheFix() {
        assertThat(
                error("--data", "0.5"), allOf(containsString("smaller than --memory"), containsString("--in-memory")));
    }

    @Test
    void aFileSystemWithoutDirectIoNamesTheFix() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DeviceStorage.probeDirect(dir, path -> {
                    throw new UnsupportedOperationException("O_DIRECT not supported by this file system");
                }));
        assertThat(
                e.getMessage(),
                allOf(containsString("has no direct I/O"), containsString("--dir"), containsString("--io buffered")));
        assertThat("one line", e.getMessage().contains("\n"), equalTo(false));
    }

    @Test
    void unknownWorkloadAndBadMixNameTheForms() {
        assertThat(error("--workload", "ycsb-z"), containsString("mix:read=0.95,theta=0.99,hot=0.1"));
        assertThat(error("--workload", "mix:reads=2"), containsString("is not read=SHARE"));
    }

    /** The one-line error the arena prints for {@code args} (before any engine opens). */
    private String error(String... args) {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = WorkbenchMain.commandLine();
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 5];
        all[0] = "arena";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--dir";
        all[args.length + 2] = dir.toString();
        all[args.length + 3] = "--intervals";
        all[args.length + 4] = "1";
        int status = cl.execute(all);
        assertThat("bad input exits 2: " + String.join(" ", all), status, equalTo(2));
        String text = err.toString().trim();
        assertThat("one line: " + text, text.contains("\n"), equalTo(false));
        return text;
    }
}
