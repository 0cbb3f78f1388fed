package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.workloads.Workload;
import dev.storagelab.workbench.workloads.WorkloadRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each view of the viewer, at the level of the JSON its pane is drawn from, for a run the
 * workbench recorded from a real engine ({@code ./storagelab workload ... --events RUN.jsonl}):
 * what the view needs is in the state, and it agrees with the events of the run.
 */
class VizViewsTest {

    @TempDir
    Path dir;

    private RecordedRun record(Engine engine, Workload workload, long keys, long ops) throws IOException {
        Path file = dir.resolve(engine.id() + "-" + workload.id() + ".jsonl");
        try (Engine.Handle handle = engine.open(Files.createDirectories(dir.resolve(engine.id() + ".data")))) {
            EventTaps.runRecorded(handle, workload, new WorkloadRunner.Spec(keys, ops, 100, 42), file, null);
        }
        RecordedRun run = RecordedRun.open(0, file, RunFormat.MAX_BYTES);
        assertThat(file + " opens: " + run.error(), run.error() == null, is(true));
        assertThat(run.warnings().toString(), run.warnings().isEmpty(), is(true));
        return run;
    }

    private static int countOf(JsonObject state, String type) {
        JsonObject c = state.getAsJsonObject("counts");
        return c.has(type) ? c.get(type).getAsInt() : 0;
    }

    /** The state at the last picture of {@code view} before the end, and the number of frames etc. it holds. */
    private static JsonObject stateAtSnapshot(RecordedRun run, String view, int k) {
        RecordedRun.IntList snaps = run.snapshots(RecordedRun.VIEWS.indexOf(view));
        assertThat("the run has pictures of " + view, snaps.size(), greaterThan(k));
        return RunState.at(run, snaps.get(k));
    }

    @Test
    void theBTreeViewShowsPagesWithTheirFillSplitsAndTheFramesPinsLatchesDirtAndEvictions() throws IOException {
        RecordedRun run = record(Engine.BTREE, Workload.FILLRANDOM, 60_000, 60_000);
        JsonObject end = RunState.at(run, run.count() - 1);
        JsonObject btree = end.getAsJsonObject("btree");
        assertThat("the tree grew past one page", btree.get("height").getAsInt(), greaterThan(1));
        assertThat(countOf(end, "page.split"), greaterThan(100));
        assertThat("a root split is found", btree.get("lastRootSplit").getAsInt(), greaterThanOrEqualTo(0));
        JsonArray pages = btree.getAsJsonArray("pages");
        assertThat(pages.size(), greaterThan(1));
        for (JsonElement e : pages) {
            double fill = e.getAsJsonObject().get("fill").getAsDouble();
            assertThat("page " + e + " has a fill between 0 and 1", fill >= 0 && fill <= 1, is(true));
        }
        int leaves = 0;
        for (JsonElement e : pages) {
            leaves += e.getAsJsonObject().get("leaf").getAsBoolean() ? 1 : 0;
        }
        assertThat("leaves and internal pages are told apart", leaves, greaterThan(0));

        // the pool: every frame with its page, pins, dirt and latch; evictions since 4 MiB of frames fill up
        JsonObject pool = end.getAsJsonObject("pool");
        JsonArray frames = pool.getAsJsonArray("frames");
        assertThat("btree's pool has 1024 frames", frames.size(), equalTo(1024));
        for (JsonElement e : frames) {
            JsonObject f = e.getAsJsonObject();
            assertThat(f.toString(), f.get("pins").getAsInt(), greaterThanOrEqualTo(0));
            assertThat(f.toString(), f.get("latch").getAsString(), anyOf(equalTo(""), equalTo("s"), equalTo("x")));
            assertThat(f.toString(), f.get("dirty"), notNullValue());
        }
        assertThat(
                "60,000 keys do not fit in 4 MiB of frames",
                pool.get("evictions").getAsLong(),
                greaterThan(0L));
        assertThat(countOf(end, "page.evict"), greaterThan(0));
        int mid = run.snapshots(RecordedRun.VIEWS.indexOf("pool")).size() / 2;
        JsonObject middle = stateAtSnapshot(run, "pool", mid).getAsJsonObject("pool");
        int dirty = 0;
        for (JsonElement e : middle.getAsJsonArray("frames")) {
            dirty += e.getAsJsonObject().get("dirty").getAsBoolean() ? 1 : 0;
        }
        assertThat("halfway through a fill, frames hold pages not yet written back", dirty, greaterThan(0));
        int evict = run.positions(EventTypeCodes.PAGE_EVICT)
                .firstAfter(run.snapshots(RecordedRun.VIEWS.indexOf("pool")).get(mid));
        JsonObject afterEvict = RunState.at(run, evict).getAsJsonObject("pool");
        assertThat(
                "an eviction after the picture marks its frame",
                afterEvict.getAsJsonArray("evictedSince").size(),
                greaterThan(0));
    }

    @Test
    void theLsmViewShowsEachTablesKeyRangeAndSizeAndTheCountersGiveTheAmplification() throws IOException {
        RecordedRun run = record(Engine.LSM, Workload.FILLRANDOM, 60_000, 60_000);
        JsonObject end = RunState.at(run, run.count() - 1);
        JsonArray tables = end.getAsJsonObject("lsm").getAsJsonArray("tables");
        assertThat("4 MiB memtables of 60,000 puts flush", tables.size(), greaterThan(0));
        assertThat(countOf(end, "flush.end"), greaterThan(0));
        for (JsonElement e : tables) {
            JsonObject t = e.getAsJsonObject();
            assertThat(
                    t + " has a key range",
                    t.get("lo").getAsString().compareTo(t.get("hi").getAsString()),
                    lessThanOrEqualTo(0));
            assertThat(t + " has a size", t.get("bytes").getAsLong(), greaterThan(0L));
            assertThat(t.get("level").getAsInt(), greaterThanOrEqualTo(0));
        }
        JsonObject counters = end.getAsJsonObject("counters");
        assertThat("the counters come with the run", counters, notNullValue());
        assertThat(counters.get("user_bytes_written").getAsLong(), greaterThan(0L));
        assertThat(
                "write amplification is disk bytes over user bytes",
                counters.get("write_amplification").getAsDouble(),
                greaterThan(0.0));
        int pictures = run.snapshots(RecordedRun.VIEWS.indexOf("counters")).size();
        assertThat(
                "the counters are pictured as the run goes (every 1%), not only at the end", pictures, greaterThan(50));
        JsonObject early = stateAtSnapshot(run, "counters", 10).getAsJsonObject("counters");
        assertThat(
                "and they grow",
                early.get("user_bytes_written").getAsLong(),
                lessThanOrEqualTo(counters.get("user_bytes_written").getAsLong()));
    }

    @Test
    void theSortedLogIsDrawnAsLevelsItsFlushedSegmentsAboveItsMergedOne() throws IOException {
        // 17 MB through a 4 MiB memtable: the first flush begins a quarter of the way in and has ended
        // long before the run does, however busy the machine (with 7 MB, the one flush could still be
        // writing when the run ended).
        RecordedRun live = record(Engine.SORTEDLOG, Workload.FILLRANDOM, 150_000, 150_000);
        assertThat(
                "the lab-01 engine records a run",
                countOf(RunState.at(live, live.count() - 1), "flush.end"),
                greaterThan(0));

        Path file = dir.resolve("sortedlog-small.jsonl");
        try (EventRecorder recorder =
                        new EventRecorder(file, java.util.Map.of("engine", "sortedlog", "workload", "puts"), null);
                dev.storagelab.sortedlog.SortedLogStore store = dev.storagelab.sortedlog.SortedLogStore.open(
                        dev.storagelab.io.DiskStorage.open(Files.createDirectories(dir.resolve("small"))),
                        dev.storagelab.sortedlog.SortedLogOptions.builder()
                                .memtableBytes(16 << 10)
                                .compactionTrigger(3)
                                .build())) {
            store.setEventListener(recorder);
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 4_000; i++) {
                store.put(
                        dev.storagelab.kv.Bytes.wrap(dev.storagelab.testkit.BenchData.keyBytes(random.nextInt(2_000))),
                        dev.storagelab.kv.Bytes.wrap(dev.storagelab.testkit.BenchData.valueBytes(random)));
            }
            store.flush();
            recorder.onEvent(dev.storagelab.sortedlog.SortedLogEvents.segments(store));
            store.setEventListener(null);
        }
        RecordedRun run = RecordedRun.open(1, file, RunFormat.MAX_BYTES);
        JsonObject end = RunState.at(run, run.count() - 1);
        assertThat(countOf(end, "compaction.finished"), greaterThan(0));
        JsonArray tables = end.getAsJsonObject("lsm").getAsJsonArray("tables");
        int merged = 0;
        for (JsonElement e : tables) {
            merged += e.getAsJsonObject().get("level").getAsInt() == 1 ? 1 : 0;
        }
        assertThat("one merged segment, at level 1: " + tables, merged, is(1));
        int last =
                run.positions(RecordedRun.TYPES.indexOf("compaction.finished")).lastAtMost(run.count() - 1);
        JsonObject before = RunState.at(run, last - 1);
        JsonObject after = RunState.at(run, last);
        assertThat(
                "a compaction merges every segment into one",
                after.getAsJsonObject("lsm").getAsJsonArray("tables").size(),
                lessThanOrEqualTo(
                        before.getAsJsonObject("lsm").getAsJsonArray("tables").size()));
    }

    @Test
    void theLogAndMvccViewsShowGroupCommitsSegmentsVersionsAndTheGcHorizon() throws IOException {
        // 1,000 transfers: 1,001 commits in some forty group commits, and every account's versions
        RecordedRun run = record(Engine.KV, Workload.BANK, 50, 1000);
        JsonObject end = RunState.at(run, run.count() - 1);
        JsonArray groups = end.getAsJsonArray("wal");
        assertThat("group commits are listed", groups.size(), greaterThan(0));
        for (JsonElement e : groups) {
            JsonObject g = e.getAsJsonObject();
            assertThat(g + ": a batch of at least one commit", g.get("size").getAsInt(), greaterThanOrEqualTo(1));
            assertThat(g + ": the log's segments", g.get("segments").getAsInt(), greaterThanOrEqualTo(1));
            assertThat(g.get("bytes").getAsLong(), greaterThan(0L));
        }
        assertThat(countOf(end, "wal.group_commit"), greaterThanOrEqualTo(groups.size()));

        JsonObject mvcc = end.getAsJsonObject("mvcc");
        assertThat(countOf(end, "txn.commit"), greaterThan(0));
        JsonObject versions = mvcc.getAsJsonObject("versions");
        assertThat("the keys written last, with their versions", versions.size(), greaterThan(0));
        for (String key : versions.keySet()) {
            JsonArray ts = versions.getAsJsonArray(key);
            for (int k = 1; k < ts.size(); k++) {
                assertThat(
                        key + "'s versions are newest first",
                        ts.get(k).getAsLong(),
                        lessThanOrEqualTo(ts.get(k - 1).getAsLong()));
            }
        }
        JsonObject snapshot = mvcc.getAsJsonObject("snapshot");
        assertThat("the MVCC picture has the GC horizon", snapshot.get("gcWatermark"), notNullValue());
        assertThat(
                snapshot.get("visibleTs").getAsLong(),
                greaterThanOrEqualTo(snapshot.get("gcWatermark").getAsLong()));
    }

    @Test
    void theHybridViewShowsWhereKeysLiveTheMovesTheCacheAndTheTiers() throws IOException {
        // 5,000 operations on 5,000 keys: the hybrid routes and moves keys some 280 times
        RecordedRun run = record(Engine.HYBRID, Workload.YCSB_A, 5000, 5000);
        JsonObject end = RunState.at(run, run.count() - 1);
        JsonObject hybrid = end.getAsJsonObject("hybrid");
        JsonObject snap = hybrid.getAsJsonObject("snapshot");
        assertThat("the hybrid is pictured", snap, notNullValue());
        assertThat(
                snap.get("hotKeys").getAsJsonArray().size(),
                lessThanOrEqualTo(snap.get("hotCount").getAsInt()));
        assertThat(
                "the cache is pictured",
                snap.get("cacheHits").getAsLong() + snap.get("cacheMisses").getAsLong(),
                greaterThan(0L));
        assertThat("the tiers are pictured", snap.get("tiers").getAsString().isEmpty(), is(false));
        assertThat(hybrid.getAsJsonArray("inFlight"), notNullValue());
        int decisions = countOf(end, "route.decision");
        int switches = countOf(end, "migration.switch");
        assertThat("a skewed workload moves keys between the engines", decisions + switches, greaterThan(0));
        assertThat(
                "the recent moves are listed",
                hybrid.getAsJsonArray("routes").size()
                        + hybrid.getAsJsonArray("moves").size(),
                greaterThan(0));
        // the tree of hot keys and the LSM tree of cold ones are pictured too
        assertThat(end.getAsJsonObject("btree").getAsJsonArray("pages").size(), greaterThan(0));
        assertThat(end.getAsJsonObject("lsm").getAsJsonArray("tables"), notNullValue());
    }

    /** The codes of the event types the tests look up in a run's index. */
    private static final class EventTypeCodes {
        static final int PAGE_EVICT = RecordedRun.TYPES.indexOf("page.evict");
    }
}
