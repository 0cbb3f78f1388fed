package dev.storagelab.workbench.viz;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmEvents;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.BenchData;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Recorded runs for the viewer's tests: real ones of the lab-05 LSM tree, with tiny sizes, so it
 * flushes and compacts within a second; a synthetic run of a million events; and a hostile one.
 */
final class VizTestRuns {

    private VizTestRuns() {}

    /** Records {@code keys} random puts into a fresh LSM tree of {@code style} into {@code file}. */
    static Path lsmRun(Path dir, String name, LsmOptions.CompactionStyle style, int keys) throws IOException {
        Path file = dir.resolve(name);
        Path data = Files.createDirectories(dir.resolve(name + ".data"));
        LsmOptions options = LsmOptions.tiny().withCompaction(style);
        try (EventRecorder recorder = new EventRecorder(
                        file,
                        Map.of(
                                "engine",
                                style == LsmOptions.CompactionStyle.LEVELED ? "lsm" : "lsm-tiered",
                                "workload",
                                "fillrandom",
                                "keys",
                                keys,
                                "ops",
                                keys),
                        null);
                LsmStore store = LsmStore.open(DiskStorage.open(data), options)) {
            store.setEventListener(recorder);
            recorder.onEvent(LsmEvents.levels(store));
            Random random = new Random(42);
            for (int i = 0; i < keys; i++) {
                store.put(
                        Bytes.wrap(BenchData.keyBytes(random.nextInt(keys * 4))),
                        Bytes.wrap(BenchData.valueBytes(random)));
            }
            recorder.onEvent(LsmEvents.levels(store));
            store.setEventListener(null);
        }
        return file;
    }

    /** The number of the first event of {@code type} in the recording, or -1. */
    static int first(Path file, String type) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int k = 1; k < lines.size(); k++) {
            if (lines.get(k).contains("\"type\":\"" + type + "\"")) {
                return k - 1;
            }
        }
        return -1;
    }

    private static Path millionEventRun;

    /**
     * One recording of a million {@link #writeSyntheticBtreeRun} events for every test class of this JVM
     * (80 MB: written once, not once per class), in a temporary folder deleted when the JVM exits.
     */
    static synchronized Path millionEventRun() throws IOException {
        if (millionEventRun == null) {
            Path dir = Files.createTempDirectory("viz-million");
            Path file = writeSyntheticBtreeRun(dir.resolve("million.jsonl"), 1_000_000);
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit(); // deleted first: deleteOnExit runs in reverse order
            millionEventRun = file;
        }
        return millionEventRun;
    }

    /**
     * A valid recording of {@code events} B+tree events written directly in {@link RunFormat}, with
     * no engine behind it, so a run of a million events is made in a second or two: leaf splits,
     * evictions and group commits in turn, a root split every 100,000 events, and a picture of the
     * tree every 10,000 events (as the workbench's sampler takes one every 1% of a run).
     */
    private static Path writeSyntheticBtreeRun(Path file, int events) throws IOException {
        CRC32C crc = new CRC32C();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            line(
                    out,
                    crc,
                    "{\"format\":\"" + RunFormat.FORMAT + "\",\"version\":" + RunFormat.VERSION
                            + ",\"engine\":\"btree\","
                            + "\"workload\":\"fillrandom\",\"keys\":" + events + ",\"ops\":" + events + ",\"seed\":42,"
                            + "\"startedAt\":\"2026-11-25T10:00:00Z\"}");
            StringBuilder sb = new StringBuilder(512);
            for (int i = 0; i < events; i++) {
                sb.setLength(0);
                sb.append("{\"i\":")
                        .append(i)
                        .append(",\"t\":")
                        .append(1000L * i)
                        .append(",\"type\":");
                if (i % 10_000 == 0) {
                    sb.append("\"snapshot\",\"view\":\"btree\",\"height\":2,\"root\":1,\"pageCount\":33,\"pages\":[");
                    sb.append("{\"id\":1,\"level\":0,\"leaf\":false,\"fill\":0.4}");
                    for (int p = 2; p < 34; p++) {
                        sb.append(",{\"id\":").append(p).append(",\"level\":1,\"leaf\":true,\"fill\":0.7}");
                    }
                    sb.append("]}");
                } else if (i % 3 == 1 || i % 100_000 == 50_001) {
                    boolean root = i % 100_000 == 50_001;
                    sb.append("\"page.split\",\"page\":")
                            .append(2 + i % 32)
                            .append(",\"right\":")
                            .append(100 + i)
                            .append(",\"level\":")
                            .append(root ? 0 : 1)
                            .append(",\"leaf\":")
                            .append(!root)
                            .append(",\"fill\":0.5,\"separator\":\"key-")
                            .append(String.format(Locale.ROOT, "%012d", i))
                            .append("\",\"root\":")
                            .append(root)
                            .append('}');
                } else if (i % 3 == 2) {
                    sb.append("\"page.evict\",\"frame\":")
                            .append(i % 64)
                            .append(",\"evictions\":")
                            .append(i / 3)
                            .append('}');
                } else {
                    sb.append("\"wal.group_commit\",\"size\":")
                            .append(1 + i % 7)
                            .append(",\"bytes\":")
                            .append(120 * (1 + i % 7))
                            .append(",\"firstLsn\":")
                            .append(i)
                            .append(",\"segments\":")
                            .append(1 + i / 250_000)
                            .append('}');
                }
                line(out, crc, sb.toString());
            }
            String end = "{\"end\":true,\"events\":" + events + ",\"crc32c\":\"" + String.format("%08x", crc.getValue())
                    + "\"}\n";
            out.write(end.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /**
     * What a hostile recording puts in its strings: markup that would run script (each sets
     * {@code window.__pwned}) if the viewer ever parsed a recorded value as HTML, in every context
     * it could be put in: text, a quoted attribute, an SVG title, a script, a URL.
     */
    static final List<String> PAYLOADS = List.of(
            "<img src=x onerror=\"window.__pwned='img'\">",
            "</script><script>window.__pwned='script'</script>",
            "\"><svg onload=\"window.__pwned='svg'\">",
            "'><iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
            "javascript:window.__pwned='href'//",
            "</title></rect></svg><img src=x onerror=\"window.__pwned='title'\"><b>bold</b>");

    /** A file name the file system allows (no slash) that is markup too. */
    static final String HOSTILE_NAME = "<img src=x onerror=\"window.__pwned='name'\">.jsonl";

    /**
     * A valid recording (its checksum right) in which every string an engine or a test could
     * record is one of the {@link #PAYLOADS}, and so are the numbers the server passes through
     * without reading them: the header (engine, workload, the failing test, its message, what it
     * expected and got), the pictures of the tree, the pool, the levels, the counters, MVCC and
     * the hybrid, an event of each type with its fields, an event of a type the viewer does not
     * know, and a burst of evictions the event list groups. The numbers the server computes with
     * (page ids, levels, table files, timestamps) stay numbers, so that every view is drawn.
     */
    static Path hostileRun(Path dir) throws IOException {
        Path file = dir.resolve(HOSTILE_NAME);
        int[] k = {0};
        java.util.function.Supplier<String> p = () -> PAYLOADS.get(k[0]++ % PAYLOADS.size());
        JsonObject header = new JsonObject();
        header.addProperty("format", RunFormat.FORMAT);
        header.addProperty("version", RunFormat.VERSION);
        header.addProperty("engine", "lsm-tiered " + p.get());
        header.addProperty("workload", p.get());
        header.addProperty("view", "lsm");
        header.addProperty("test", p.get());
        header.addProperty("failure", p.get() + "\n" + p.get());
        header.addProperty("expected", p.get());
        header.addProperty("actual", p.get());
        header.addProperty("failedAt", p.get());
        header.addProperty("startedAt", p.get());
        List<JsonObject> events = new java.util.ArrayList<>();
        java.util.function.Function<String, JsonObject> event = type -> {
            JsonObject e = new JsonObject();
            e.addProperty("i", events.size());
            e.addProperty("t", 1000L * events.size());
            e.addProperty("type", type);
            events.add(e);
            return e;
        };
        JsonObject btree = event.apply("snapshot");
        btree.addProperty("view", "btree");
        btree.addProperty("height", 2);
        btree.addProperty("root", 1);
        btree.addProperty("pageCount", 3);
        JsonArray pages = new JsonArray();
        for (int id = 1; id <= 3; id++) {
            JsonObject page = new JsonObject();
            page.addProperty("id", id);
            page.addProperty("level", id == 1 ? 0 : 1);
            page.addProperty("leaf", id != 1);
            page.addProperty("fill", 0.5);
            page.addProperty("first", p.get());
            pages.add(page);
        }
        btree.add("pages", pages);
        JsonObject pool = event.apply("snapshot");
        pool.addProperty("view", "pool");
        JsonArray frames = new JsonArray();
        for (int f = 0; f < 4; f++) {
            JsonObject frame = new JsonObject();
            frame.addProperty("frame", f == 3 ? p.get() : String.valueOf(f));
            if (f == 0) {
                frame.addProperty("page", p.get());
            } else {
                frame.addProperty("page", f); // pages 1 to 3: their frames' latches and pins reach the tree's view
            }
            frame.addProperty("pins", p.get());
            frame.addProperty("dirty", f % 2 == 0);
            frame.addProperty("latch", p.get());
            frames.add(frame);
        }
        pool.add("frames", frames);
        for (String counter : List.of("hits", "misses", "evictions")) {
            pool.addProperty(counter, p.get());
        }
        JsonObject split = event.apply("page.split");
        split.addProperty("page", 2);
        split.addProperty("right", 4);
        split.addProperty("level", 1);
        split.addProperty("leaf", true);
        split.addProperty("root", false);
        split.addProperty("fill", 0.5);
        split.addProperty("separator", p.get());
        JsonObject merge = event.apply("page.merge");
        merge.addProperty("page", p.get());
        merge.addProperty("freed", 3);
        for (int n = 0; n < 3; n++) {
            event.apply("page.evict").addProperty("frame", p.get());
        }
        event.apply("checkpoint").addProperty("lsn", p.get());
        JsonObject lsm = event.apply("snapshot");
        lsm.addProperty("view", "lsm");
        lsm.add("tables", tables(p, 1, 0));
        event.apply("flush.begin").addProperty("memtableBytes", p.get());
        event.apply("flush.end").add("tables", tables(p, 2, 0));
        JsonObject picked = event.apply("compaction.picked");
        picked.addProperty("level", p.get());
        picked.addProperty("output", p.get());
        picked.add("inputs", inputs(1, 2));
        JsonObject finished = event.apply("compaction.finished");
        finished.addProperty("level", p.get());
        finished.addProperty("output", p.get());
        finished.add("inputs", inputs(1, 2));
        finished.add("outputs", tables(p, 3, 1));
        finished.addProperty("trivialMove", false);
        JsonObject running = event.apply("compaction.picked");
        running.addProperty("level", 1);
        running.addProperty("output", 2);
        running.add("inputs", inputs(3));
        JsonObject counters = event.apply("snapshot");
        counters.addProperty("view", "counters");
        counters.addProperty("i", p.get());
        counters.addProperty("user_bytes_written", 10);
        counters.addProperty("disk_bytes_written", 30);
        counters.addProperty("page_reads", p.get());
        counters.addProperty(p.get(), p.get());
        JsonObject group = event.apply("wal.group_commit");
        group.addProperty("i", p.get());
        group.addProperty("size", 3);
        for (String field : List.of("bytes", "firstLsn", "segments")) {
            group.addProperty(field, p.get());
        }
        event.apply("txn.begin").addProperty("startTs", p.get());
        String key = p.get();
        for (long ts : new long[] {2, 3, 7}) { // at a GC watermark of 5: 7 is live, 3 the newest below it, 2 garbage
            JsonObject commit = event.apply("txn.commit");
            commit.addProperty("commitTs", ts);
            commit.addProperty("startTs", p.get());
            JsonArray keys = new JsonArray();
            keys.add(key);
            keys.add(p.get());
            commit.add("keys", keys);
        }
        event.apply("txn.abort").addProperty("startTs", p.get());
        JsonObject conflict = event.apply("txn.conflict");
        conflict.addProperty("startTs", p.get());
        JsonArray conflictKeys = new JsonArray();
        conflictKeys.add(p.get());
        conflict.add("keys", conflictKeys);
        JsonObject gc = event.apply("version.gc");
        gc.addProperty("watermark", 5);
        gc.addProperty("versionsRemoved", p.get());
        gc.addProperty("versionsScanned", p.get());
        JsonObject mvcc = event.apply("snapshot");
        mvcc.addProperty("view", "mvcc");
        mvcc.addProperty("visibleTs", p.get());
        mvcc.addProperty("activeTransactions", p.get());
        mvcc.addProperty("gcWatermark", 5);
        for (String type :
                List.of("route.decision", "migration.begin", "migration.switch", "migration.delete_old", "tier.move")) {
            JsonObject e = event.apply(type);
            e.addProperty(type.equals("tier.move") ? "table" : "key", p.get());
            e.addProperty("from", p.get());
            e.addProperty("to", p.get());
            e.addProperty("moved", true);
        }
        JsonObject hybrid = event.apply("snapshot");
        hybrid.addProperty("view", "hybrid");
        for (String field : List.of(
                "hotCount",
                "migrations",
                "queued",
                "deferred",
                "cacheEntries",
                "tiers",
                "hotBytes",
                "coldBytes",
                "archiveBytes")) {
            hybrid.addProperty(field, p.get());
        }
        hybrid.addProperty("cacheHits", 1);
        hybrid.addProperty("cacheMisses", 1);
        JsonArray hot = new JsonArray();
        hot.add(p.get());
        hot.add(p.get());
        hybrid.add("hotKeys", hot);
        event.apply("snapshot").addProperty("view", p.get());
        JsonObject unknown = event.apply(p.get()); // a type the viewer does not know
        unknown.addProperty("i", p.get());
        unknown.addProperty("detail", p.get());
        event.apply(RunFormat.PHASE).addProperty("phase", p.get());
        CRC32C crc = new CRC32C();
        try (OutputStream out = Files.newOutputStream(file)) {
            line(out, crc, EventRecorder.GSON.toJson(header));
            for (JsonObject e : events) {
                line(out, crc, EventRecorder.GSON.toJson(e));
            }
            String end = "{\"end\":true,\"events\":" + events.size() + ",\"crc32c\":\""
                    + String.format("%08x", crc.getValue()) + "\"}\n";
            out.write(end.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** One table of {@code file} at {@code level}, its key range and size recorded as payloads. */
    private static JsonArray tables(java.util.function.Supplier<String> p, long file, int level) {
        JsonObject t = new JsonObject();
        t.addProperty("file", file);
        t.addProperty("level", level);
        t.addProperty("lo", p.get());
        t.addProperty("hi", p.get());
        t.addProperty("bytes", p.get());
        JsonArray a = new JsonArray();
        a.add(t);
        return a;
    }

    private static JsonArray inputs(long... files) {
        JsonArray a = new JsonArray();
        for (long f : files) {
            JsonObject t = new JsonObject();
            t.addProperty("file", f);
            t.addProperty("level", 0);
            a.add(t);
        }
        return a;
    }

    private static void line(OutputStream out, CRC32C crc, String line) throws IOException {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        crc.update(b);
        out.write(b);
    }
}
