package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-06's figures (notes/06-wal-mvcc.md) from what {@code notes/figures/measure_lab06.sh} wrote to
 * {@code notes/data/lab06}: the storage media ({@code storage-media-1.json} and {@code -2}:
 * lab06-storage-media.png), recovery after a crash ({@code recovery-time.json}:
 * lab06-recovery.png), the data written twice ({@code write-twice.json}: lab06-write-twice.png) and
 * a long reader ({@code long-reader/long-reader.json}: lab06-long-reader.png), with the tables
 * notes/data/lab06/FIGURES.md holds.
 */
final class Lab06Figures implements FigureFamily {

    private static final Map<String, String> ENGINE = Map.of("btree", "B+tree", "lsm", "LSM tree");
    private static final Map<String, Color> ENGINE_COLOR = Map.of("btree", Charts.BLUE, "lsm", Charts.RED);

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path dir = data.resolve("lab06");
        storageMedia(dir, out, t, log);
        recovery(dir, out, t, log);
        writeTwice(dir, out, t, log);
        longReader(dir, out, t, log);
    }

    /** A latency in µs for a table: no decimals from 100 up, one below. */
    private static String us(double x) {
        return x >= 100 ? f("%,.0f", x) : f("%.1f", x);
    }

    private static double n(JsonObject o, String k) {
        return o.get(k).getAsDouble();
    }

    private static String s(JsonObject o, String k) {
        return o.get(k).getAsString();
    }

    private static List<JsonObject> rows(JsonObject doc, String key) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : doc.getAsJsonArray(key)) {
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    private static String each(List<JsonObject> runs, String key, int i, Function<JsonObject, String> cell) {
        return runs.stream().map(r -> cell.apply(rows(r, key).get(i))).collect(Collectors.joining(" / "));
    }

    private static void storageMedia(Path dir, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> runs = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            JsonObject d = Jmh.objectIfPresent(dir, "storage-media-" + i + ".json");
            if (d != null) {
                runs.add(d);
            }
        }
        if (runs.isEmpty()) {
            return;
        }
        JsonObject first = runs.get(0);
        t.println("## Storage media on this machine (StorageMedia; µs; run 1 / run 2 of measure_lab06.sh)");
        t.println();
        List<String> loads = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            loads.add("run " + (i + 1) + ": " + s(runs.get(i), "loadavgBefore"));
        }
        t.println("File system: " + s(first, "fileSystem") + ". Load (1/5/15 min) before each run: "
                + String.join("; ", loads) + ".");
        t.println();
        t.println("| force after | ops | p50 | p99 | p99.9 | max |");
        t.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        List<JsonObject> force = rows(first, "force");
        for (int i = 0; i < force.size(); i++) {
            int k = i;
            List<String> cells =
                    new ArrayList<>(List.of(s(force.get(i), "what"), each(runs, "force", k, r -> s(r, "ops"))));
            for (String key : List.of("p50Us", "p99Us", "p999Us", "maxUs")) {
                cells.add(each(runs, "force", k, r -> us(n(r, key))));
            }
            t.println(Md.row(cells));
        }
        t.println();
        t.println("| 4 KiB writes | bytes | MB/s | writes/s | p50 µs (forced each) | p99 µs |");
        t.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        List<JsonObject> bw = rows(first, "writeBandwidth");
        for (int i = 0; i < bw.size(); i++) {
            int k = i;
            boolean forced = bw.get(i).get("forceEach").getAsBoolean();
            t.println(Md.row(
                    s(bw.get(i), "what"),
                    each(runs, "writeBandwidth", k, r -> f("%.1f MiB", n(r, "bytes") / (1 << 20))),
                    each(runs, "writeBandwidth", k, r -> f("%,.1f", n(r, "mbPerSecond"))),
                    each(runs, "writeBandwidth", k, r -> f("%,.0f", n(r, "writesPerSecond"))),
                    forced ? each(runs, "writeBandwidth", k, r -> us(n(r, "p50Us"))) : "-",
                    forced ? each(runs, "writeBandwidth", k, r -> us(n(r, "p99Us"))) : "-"));
        }
        t.println();
        t.println("| random 4 KiB read | ops | p50 | p99 | p99.9 |");
        t.println("| --- | ---: | ---: | ---: | ---: |");
        List<JsonObject> rr = rows(first, "randomRead");
        for (int i = 0; i < rr.size(); i++) {
            JsonObject row = rr.get(i);
            if (row.has("error")) {
                t.println("| " + s(row, "what") + " | failed: " + s(row, "error") + " | | | |");
                continue;
            }
            int k = i;
            List<String> cells = new ArrayList<>(List.of(
                    f("%s, %.0f MiB file", s(row, "what"), n(row, "fileBytes") / (1 << 20)),
                    each(runs, "randomRead", k, r -> s(r, "ops"))));
            for (String key : List.of("p50Us", "p99Us", "p999Us")) {
                cells.add(each(runs, "randomRead", k, r -> us(n(r, key))));
            }
            t.println(Md.row(cells));
        }
        for (JsonObject row : rr) {
            if (row.has("note")) {
                t.println();
                t.println("Page cache check (run 1, " + s(row, "what") + "): " + s(row, "note") + ".");
            }
        }
        t.println();
        String[][] pct = {{"p50Us", "p50"}, {"p99Us", "p99"}, {"p999Us", "p99.9"}};
        Color[] pctColors = {Charts.GREEN, Charts.ORANGE, Charts.RED};
        List<CategoryChart> panels = new ArrayList<>();
        for (String[] panel : new String[][] {
            {"force", "write + force latency"},
            {"writeBandwidth", "4 KiB write bandwidth"},
            {"randomRead", "random 4 KiB read latency"}
        }) {
            List<JsonObject> rs =
                    rows(first, panel[0]).stream().filter(r -> !r.has("error")).toList();
            List<String> labels = rs.stream().map(r -> s(r, "what")).toList();
            boolean bandwidth = panel[0].equals("writeBandwidth");
            CategoryChart c = Charts.bars(700, 560, panel[1], null, bandwidth ? "MB/s (log scale)" : "µs (log scale)");
            c.getStyler().setXAxisLabelRotation(20);
            c.getStyler().setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
            List<List<Double>> all = new ArrayList<>();
            for (int run = 0; run < runs.size(); run++) {
                List<JsonObject> these = rows(runs.get(run), panel[0]).stream()
                        .filter(r -> !r.has("error"))
                        .toList();
                if (bandwidth) {
                    List<Double> ys =
                            these.stream().map(r -> n(r, "mbPerSecond")).toList();
                    c.addSeries("run " + (run + 1), labels, ys).setFillColor(run == 0 ? Charts.BLUE : Charts.PURPLE);
                    all.add(ys);
                } else {
                    for (int j = 0; j < pct.length; j++) {
                        String key = pct[j][0];
                        List<Double> ys = these.stream().map(r -> n(r, key)).toList();
                        CategorySeries cs = c.addSeries(pct[j][1] + " (run " + (run + 1) + ")", labels, ys);
                        Color color = pctColors[j];
                        cs.setFillColor(run == 0 ? color : color.darker());
                        all.add(ys);
                    }
                }
            }
            Charts.logBars(c, all);
            panels.add(c);
        }
        Charts.save(
                Charts.grid(
                        "Storage media on this machine (" + s(first, "fileSystem") + "; load before run 1: "
                                + s(first, "loadavgBefore") + ")",
                        3,
                        700,
                        560,
                        panels),
                out,
                "lab06-storage-media.png",
                log);
        t.println();
    }

    private static void recovery(Path dir, Path out, PrintStream t, PrintStream log) throws IOException {
        JsonObject d = Jmh.objectIfPresent(dir, "recovery-time.json");
        if (d == null) {
            return;
        }
        List<JsonObject> rows = rows(d, "runs");
        String crashAt = Md.g(n(d, "crashAt"));
        t.println(f(
                "## Recovery after a crash (RecoveryTime): puts of a %d-byte value under 16-byte keys (%,d keys), crash"
                        + " at %s x the checkpoint interval; KvStore.open in a fresh JVM, median of 3 warm opens and 1 cold (ms)",
                d.get("valueBytes").getAsInt(), d.get("keys").getAsLong(), crashAt));
        t.println();
        t.println(
                "| engine | checkpoint every | commits | log bytes at crash | checkpoints | log files on disk | records"
                        + " replayed | log replayed | open, warm (ms) | open, cold (ms) | load (1 min) |");
        t.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        double mib = 1 << 20;
        for (JsonObject r : rows) {
            t.println(f(
                    "| %s | %s MiB | %,d | %.1f MiB | %d | %.1f MiB | %,d | %.2f MiB | %,.0f | %,.0f | %s |",
                    ENGINE.get(s(r, "engine")),
                    Md.g(n(r, "checkpointLogBytes") / mib),
                    r.get("commits").getAsLong(),
                    n(r, "walBytes") / mib,
                    r.get("checkpoints").getAsInt(),
                    n(r, "walFileBytes") / mib,
                    r.get("replayedRecords").getAsLong(),
                    n(r, "replayedLogBytes") / mib,
                    n(r, "warmOpenMsMedian"),
                    n(r, "coldOpenMs"),
                    s(r, "loadavg").split(" ")[0]));
        }
        t.println();
        XYChart a = Charts.xy(
                720,
                576,
                "recovery time, crash at " + crashAt + " x the interval",
                "checkpoint interval (MiB of log, log scale)",
                "KvStore.open after the crash (ms)");
        XYChart b = Charts.xy(
                720,
                576,
                "recovery time against the log it replays",
                "log replayed (MiB since the checkpoint)",
                "KvStore.open after the crash (ms)");
        Charts.logXLabels(a, 2, Md::g);
        for (String engine : List.of("btree", "lsm")) {
            List<JsonObject> rs =
                    rows.stream().filter(r -> s(r, "engine").equals(engine)).toList();
            if (rs.isEmpty()) {
                continue;
            }
            String label = ENGINE.get(engine);
            Color color = ENGINE_COLOR.get(engine);
            var marker = engine.equals("btree") ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE;
            double[] xs = Charts.log(
                    rs.stream()
                            .mapToDouble(r -> n(r, "checkpointLogBytes") / mib)
                            .toArray(),
                    2);
            double[] warm =
                    rs.stream().mapToDouble(r -> n(r, "warmOpenMsMedian")).toArray();
            double[] cold = rs.stream().mapToDouble(r -> n(r, "coldOpenMs")).toArray();
            double[] replayed =
                    rs.stream().mapToDouble(r -> n(r, "replayedLogBytes") / mib).toArray();
            Charts.line(a, label + ", warm cache", xs, warm, color, marker, null);
            Charts.line(a, label + ", cold cache", xs, cold, color, SeriesMarkers.CROSS, SeriesLines.DASH_DASH);
            Charts.line(b, label + ", warm", replayed, warm, color, marker, SeriesLines.NONE);
            Charts.line(b, label + ", cold", replayed, cold, color, SeriesMarkers.CROSS, SeriesLines.NONE);
        }
        Charts.save(Charts.grid(null, 2, 720, 576, List.of(a, b)), out, "lab06-recovery.png", log);
        t.println();
    }

    private static void writeTwice(Path dir, Path out, PrintStream t, PrintStream log) throws IOException {
        JsonObject d = Jmh.objectIfPresent(dir, "write-twice.json");
        if (d == null) {
            return;
        }
        List<JsonObject> rows = rows(d, "runs");
        t.println(f(
                "## Writing data twice (WriteTwice): %,d commits of one put each (%d-byte key, %d-byte value, %,d keys),"
                        + " %d threads, then a checkpoint; bytes written / user bytes",
                d.get("commits").getAsLong(),
                d.get("keyBytes").getAsInt(),
                d.get("valueBytes").getAsInt(),
                d.get("keys").getAsLong(),
                d.get("threads").getAsInt()));
        t.println();
        t.println(
                "| engine | sync mode | checkpoint every | commits/s | log | checkpoint record | engine | total | engine's"
                        + " own count | log forces | kernel (pages dirtied) | load (1 min) |");
        t.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        double mib = 1 << 20;
        for (JsonObject r : rows) {
            double u = n(r, "userBytes");
            String own = r.has("btreePageWriteBytes")
                    ? f("%.2f (page writes)", n(r, "btreePageWriteBytes") / u)
                    : f(
                            "%.2f flush + %.2f compaction",
                            n(r, "lsmFlushBytes") / u, n(r, "lsmCompactionBytesWritten") / u);
            t.println(f(
                    "| %s | %s | %s MiB | %,.0f | %.2f | %.4f | %.2f | %.2f | %s | %,d | %.2f | %s |",
                    ENGINE.get(s(r, "engine")),
                    s(r, "syncMode"),
                    Md.g(n(r, "checkpointLogBytes") / mib),
                    n(r, "commitsPerSecond"),
                    n(r, "logWA"),
                    n(r, "checkpointFileBytes") / u,
                    n(r, "engineWA"),
                    n(r, "totalWA"),
                    own,
                    r.get("logForces").getAsLong(),
                    n(r, "kernelWA"),
                    s(r, "loadavg").split(" ")[0]));
        }
        t.println();
        CategoryChart c = Charts.bars(
                1320,
                576,
                f(
                        "write amplification with the log included: %,d commits, %d threads",
                        d.get("commits").getAsLong(), d.get("threads").getAsInt()),
                null,
                "bytes written / user bytes (log scale)");
        c.getStyler().setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
        c.getStyler().setXAxisLabelRotation(15);
        List<String> labels = new ArrayList<>();
        List<Double> logWa = new ArrayList<>();
        List<Double> engineWa = new ArrayList<>();
        List<Double> kernel = new ArrayList<>();
        for (JsonObject r : rows) {
            labels.add(f(
                    "%s %s %s MiB",
                    ENGINE.get(s(r, "engine")), s(r, "syncMode"), Md.g(n(r, "checkpointLogBytes") / mib)));
            logWa.add(n(r, "logWA"));
            engineWa.add(n(r, "engineWA") + n(r, "checkpointFileBytes") / n(r, "userBytes"));
            kernel.add(n(r, "kernelWA"));
        }
        List<Double> total = new ArrayList<>();
        for (int i = 0; i < logWa.size(); i++) {
            total.add(logWa.get(i) + engineWa.get(i));
        }
        c.addSeries("log (*.wal)", labels, logWa).setFillColor(Charts.GRAY);
        c.addSeries("engine files + checkpoint record", labels, engineWa).setFillColor(new Color(0x8fb3d9));
        c.addSeries("total (log + engine)", labels, total).setFillColor(Charts.BLUE);
        c.addSeries("pages the kernel saw dirtied (/proc/self/io write_bytes)", labels, kernel)
                .setFillColor(Color.DARK_GRAY);
        Charts.logBars(c, List.of(logWa, engineWa, kernel));
        Charts.save(c, out, "lab06-write-twice.png", log);
        t.println();
    }

    private static void longReader(Path dir, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> d = Jmh.resultsIfPresent(dir.resolve("long-reader"), "long-reader.json");
        if (d == null) {
            return;
        }
        Map<String, Map<String, Double>> scores = new HashMap<>();
        TreeSet<Integer> ages = new TreeSet<>();
        for (JsonObject r : d) {
            int age = Jmh.intParam(r, "readerAgeCommits");
            ages.add(age);
            scores.computeIfAbsent(Jmh.param(r, "mvccEngine") + "/" + age, x -> new HashMap<>())
                    .put(Jmh.method(r), Jmh.primary(r).get("score").getAsDouble() / 1000.0);
        }
        int keys = Jmh.intParam(d.get(0), "mvccKeys");
        t.println(f("## A long reader (LongReaderBenchmark, %,d keys, skewed overwrites; µs)", keys));
        t.println();
        t.println(
                "| reader's age (commits) | versions per key | key+value MB | get, memory | get, B+tree | 100-key scan,"
                        + " memory | 100-key scan, B+tree |");
        t.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int age : ages) {
            Map<String, Double> m = scores.getOrDefault("memory/" + age, Map.of());
            Map<String, Double> b = scores.getOrDefault("btree/" + age, Map.of());
            t.println(f(
                    "| %,d | %.2f | %.1f | %.2f | %.2f | %.1f | %.1f |",
                    age,
                    (keys + age) / (double) keys,
                    (keys + age) * 127 / 1e6,
                    m.getOrDefault("getHotNewest", 0.0),
                    b.getOrDefault("getHotNewest", 0.0),
                    m.getOrDefault("scanNewest100", 0.0),
                    b.getOrDefault("scanNewest100", 0.0)));
        }
        t.println();
        double[] xs = ages.stream().mapToDouble(a -> a / 1000.0).toArray();
        XYChart a = Charts.xy(
                720,
                576,
                f("what a long reader keeps (%,d keys)", keys),
                "age of the oldest open snapshot (thousands of commits)",
                "versions per key after a collection");
        a.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        a.setYAxisGroupTitle(1, "key+value MB");
        a.getStyler().setLegendVisible(false);
        Charts.line(
                a,
                "versions per key",
                xs,
                ages.stream().mapToDouble(x -> (keys + x) / (double) keys).toArray(),
                Charts.PURPLE,
                SeriesMarkers.CIRCLE,
                null);
        Charts.line(
                        a,
                        "key+value MB",
                        xs,
                        ages.stream().mapToDouble(x -> (keys + x) * 127 / 1e6).toArray(),
                        Charts.PURPLE,
                        SeriesMarkers.CIRCLE,
                        null)
                .setYAxisGroup(1);
        XYChart b = Charts.xy(
                720,
                576,
                "what the old versions cost a reader",
                "age of the oldest open snapshot (thousands of commits)",
                "µs per operation at the newest snapshot (log scale)");
        b.getStyler().setYAxisLogarithmic(true);
        for (String[] e : new String[][] {{"memory", "in memory"}, {"btree", "B+tree"}}) {
            List<Integer> present = ages.stream()
                    .filter(x -> scores.containsKey(e[0] + "/" + x))
                    .toList();
            double[] px = present.stream().mapToDouble(x -> x / 1000.0).toArray();
            Color color = e[0].equals("memory") ? Charts.GREEN : Charts.BLUE;
            var marker = e[0].equals("memory") ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE;
            Charts.line(
                    b,
                    "100-key scan, " + e[1],
                    px,
                    present.stream()
                            .mapToDouble(x -> scores.get(e[0] + "/" + x).get("scanNewest100"))
                            .toArray(),
                    color,
                    marker,
                    null);
            Charts.line(
                    b,
                    "get of a hot key, " + e[1],
                    px,
                    present.stream()
                            .mapToDouble(x -> scores.get(e[0] + "/" + x).get("getHotNewest"))
                            .toArray(),
                    color,
                    SeriesMarkers.CROSS,
                    SeriesLines.DASH_DASH);
        }
        Charts.save(Charts.grid(null, 2, 720, 576, List.of(a, b)), out, "lab06-long-reader.png", log);
        t.println();
    }
}
