package dev.storagelab.kvstore.bench;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvOptions.EngineKind;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Recovery time against the checkpoint interval: for each engine and each
 * {@link KvOptions#checkpointLogBytes()} C, a child JVM opens a {@link KvStore}, puts one key
 * (16 bytes) and value (100 bytes) per commit until the log has grown by 1.9 C (so one background
 * checkpoint has fired, at C or a little after, and the crash comes about 0.9 C after it), calls
 * {@link KvStore#sync()} and dies at once ({@link Runtime#halt}: no close, no last checkpoint, the
 * process crash a SIGKILL gives). The directory is then a crash image. Each measurement copies the
 * image to a fresh directory and times {@link KvStore#open} in a fresh child JVM (recovery runs in a
 * restarted process, with a cold JIT), three times with the copied files in the page cache
 * ("warm") and once after {@code dd iflag=nocache} dropped them ("cold"); the child reports how
 * many log records recovery replayed and checks that the recovered clock is the last commit's
 * timestamp (no acknowledged commit lost).
 *
 * <p>The commits are written under {@link SyncMode#NONE} and forced once by {@code sync()} before
 * the crash: the log's bytes are the same as under GROUP, written faster. Garbage collection is
 * off, so that nothing but the checkpoints writes in the background.
 *
 * <pre>
 * java -cp &lt;lab-06 test classpath&gt; dev.storagelab.kvstore.bench.RecoveryTime DIR OUT.json [quick]
 * </pre>
 */
public final class RecoveryTime {

    /** Up to 16 MiB: 64 MiB (KvOptions' default) would take about 80 s of writing per engine on this machine. */
    static final long[] INTERVALS = {256L << 10, 1L << 20, 4L << 20, 16L << 20};

    static final long[] QUICK_INTERVALS = {16L << 10, 64L << 10};
    static final int KEYS = 200_000;
    static final int VALUE_BYTES = 100;
    static final double CRASH_AT = 1.9;
    static final int WARM_OPENS = 3;

    private RecoveryTime() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("write")) {
            write(EngineKind.valueOf(args[1]), Path.of(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
            return;
        }
        if (args.length >= 1 && args[0].equals("open")) {
            open(EngineKind.valueOf(args[1]), Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: RecoveryTime DIR OUT.json [quick]");
            System.exit(2);
        }
        boolean quick = args.length > 2 && args[2].equals("quick");
        Files.writeString(Path.of(args[1]), run(Files.createDirectories(Path.of(args[0])), quick));
    }

    static KvOptions options(EngineKind engine, long checkpointLogBytes) {
        return KvOptions.defaults()
                .withEngine(engine)
                .withSyncMode(SyncMode.NONE)
                .withCheckpointLogBytes(checkpointLogBytes)
                .withGcInterval(Duration.ZERO);
    }

    /** The parent: every engine and interval, a crash image each, then the timed opens. */
    static String run(Path base, boolean quick) throws Exception {
        return run(base, EngineKind.values(), quick ? QUICK_INTERVALS : INTERVALS, quick ? 1 : WARM_OPENS);
    }

    static String run(Path base, EngineKind[] engines, long[] intervals, int warmOpens) throws Exception {
        List<String> rows = new ArrayList<>();
        Json json = new Json()
                .field("loadavgBefore", Bench.loadavg())
                .field("fileSystem", Bench.fileSystem(base))
                .field("keys", KEYS)
                .field("valueBytes", VALUE_BYTES)
                .field("crashAt", CRASH_AT);
        System.out.printf(
                "%-6s %10s %12s %8s %8s %12s %10s %10s %10s %s%n",
                "engine",
                "interval",
                "log at crash",
                "ckpts",
                "write s",
                "replayed",
                "replay MB",
                "warm ms",
                "cold ms",
                "load");
        for (EngineKind engine : engines) {
            for (long interval : intervals) {
                Path image = Files.createTempDirectory(base, "crash-image");
                try {
                    long target = (long) (CRASH_AT * interval);
                    Map<String, String> w = child(List.of(
                            "write", engine.name(), image.toString(), Long.toString(interval), Long.toString(target)));
                    long imageBytes = Bench.directoryBytes(image);
                    long walFileBytes = 0;
                    try (Stream<Path> files = Files.list(image)) {
                        for (Path f : files.toList()) {
                            if (f.getFileName().toString().endsWith(".wal")) {
                                walFileBytes += Files.size(f);
                            }
                        }
                    }
                    double bytesPerRecord =
                            Double.parseDouble(w.get("walBytes")) / Double.parseDouble(w.get("walRecords"));
                    long lastTs = Long.parseLong(w.get("lastTs"));
                    double[] warm = new double[warmOpens];
                    Map<String, String> o = null;
                    Map<String, String> coldOpen = null;
                    for (int i = 0; i <= warmOpens; i++) {
                        boolean cold = i == warmOpens;
                        Path copy = Files.createTempDirectory(base, "recover");
                        try {
                            Files.delete(copy);
                            Bench.copyFiles(image, copy);
                            if (cold) {
                                try (Stream<Path> files = Files.list(copy)) {
                                    for (Path f : files.toList()) {
                                        Bench.dropFromPageCache(f);
                                    }
                                }
                            }
                            Map<String, String> r =
                                    child(List.of("open", engine.name(), copy.toString(), Long.toString(lastTs)));
                            if (!r.get("allCommitsRecovered").equals("true")) {
                                throw new IllegalStateException("recovery lost commits: " + r + " after " + w);
                            }
                            if (cold) {
                                coldOpen = withPrefix(r, "cold");
                            } else {
                                warm[i] = Double.parseDouble(r.get("openMs"));
                                if (o == null) {
                                    o = r;
                                }
                            }
                        } finally {
                            Bench.deleteTree(copy);
                        }
                    }
                    Map<String, String> all = new TreeMap<>(w);
                    all.putAll(o);
                    all.putAll(coldOpen);
                    double[] sorted = warm.clone();
                    Arrays.sort(sorted);
                    long replayed = Long.parseLong(all.get("replayedRecords"));
                    Json row = new Json()
                            .field("engine", engine.name().toLowerCase(Locale.ROOT))
                            .field("checkpointLogBytes", interval)
                            .field("targetLogBytes", target)
                            .field("imageBytes", imageBytes)
                            .field("walFileBytes", walFileBytes)
                            .field("replayedLogBytes", (long) (replayed * bytesPerRecord))
                            .field("warmOpenMsMedian", sorted[sorted.length / 2])
                            .raw("warmOpenMs", Arrays.toString(warm));
                    for (Map.Entry<String, String> e : all.entrySet()) {
                        row.raw(
                                e.getKey(),
                                e.getValue().matches("-?[0-9.]+(E-?[0-9]+)?|true|false")
                                        ? e.getValue()
                                        : Json.quote(e.getValue()));
                    }
                    row.field("loadavg", Bench.loadavg());
                    rows.add(row.toString());
                    System.out.printf(
                            Locale.ROOT,
                            "%-6s %10d %12s %8s %8.1f %12d %10.2f %10.1f %10s %s%n",
                            engine.name().toLowerCase(Locale.ROOT),
                            interval,
                            w.get("walBytes"),
                            w.get("checkpoints"),
                            Double.parseDouble(w.get("writeSeconds")),
                            replayed,
                            replayed * bytesPerRecord / 1e6,
                            sorted[sorted.length / 2],
                            all.get("coldOpenMs"),
                            Bench.loadavg());
                } finally {
                    Bench.deleteTree(image);
                }
            }
        }
        json.array("runs", rows).field("loadavgAfter", Bench.loadavg());
        return json.toString();
    }

    private static Map<String, String> withPrefix(Map<String, String> m, String prefix) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(prefix + Character.toUpperCase(k.charAt(0)) + k.substring(1), v));
        return out;
    }

    /** Runs this class's main in a child JVM; returns the {@code key=value} pairs of its last output line. */
    static Map<String, String> child(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-cp",
                System.getProperty("java.class.path"),
                RecoveryTime.class.getName()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith("result ")) {
                    last = line;
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("child " + args + " did not finish");
        }
        if (p.exitValue() != 0 || last == null) {
            // the child's exception first, on the first line (a student release's "... is not implemented yet")
            String cause = output.stream()
                    .filter(l -> l.contains("Exception"))
                    .findFirst()
                    .orElse("no exception");
            throw new IllegalStateException(cause.substring(
                            cause.indexOf(':') < 0
                                    ? 0
                                    : cause.indexOf("Exception in thread") >= 0
                                            ? cause.indexOf('"', cause.indexOf('"') + 1) + 2
                                            : 0)
                    + " -- in child " + args + ", exit "
                    + p.exitValue() + "; its output: "
                    + String.join(" | ", output.subList(Math.max(0, output.size() - 30), output.size())));
        }
        Map<String, String> out = new TreeMap<>();
        for (String kv : last.substring("result ".length()).trim().split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    static Bytes key(int i) {
        return Bytes.wrap(String.format("key%013d", i).getBytes(StandardCharsets.US_ASCII));
    }

    /** The child that writes until the log holds {@code targetLogBytes}, syncs and dies. */
    static void write(EngineKind engine, Path dir, long checkpointLogBytes, long targetLogBytes) throws IOException {
        KvStore kv = KvStore.open(dir, options(engine, checkpointLogBytes));
        SplittableRandom random = new SplittableRandom(2026);
        byte[] value = new byte[VALUE_BYTES];
        long commits = 0;
        long t0 = System.nanoTime();
        while (true) {
            if ((commits & 255) == 0 && kv.stats().wal().bytes() >= targetLogBytes) {
                break;
            }
            random.nextBytes(value);
            kv.put(key(random.nextInt(KEYS)), Bytes.copyOf(value));
            commits++;
        }
        kv.sync();
        double seconds = (System.nanoTime() - t0) / 1e9;
        KvStore.Stats s = kv.stats();
        if (s.maintenanceFailure() != null) {
            throw new IllegalStateException("a background checkpoint failed", s.maintenanceFailure());
        }
        WalStats wal = s.wal();
        System.out.printf(
                Locale.ROOT,
                "result commits=%d walRecords=%d walBytes=%d checkpoints=%d writeSeconds=%.3f "
                        + "lastTs=%d writeLoadavg=%s%n",
                commits,
                wal.records(),
                wal.bytes(),
                s.checkpoints(),
                seconds,
                s.visibleTs(),
                Bench.loadavg().replace(' ', '/'));
        System.out.flush();
        Runtime.getRuntime().halt(0); // the crash: no close, no last checkpoint
    }

    /** The child that recovers: times {@link KvStore#open}, reports and dies without closing. */
    static void open(EngineKind engine, Path dir, long lastTs) throws IOException {
        long t0 = System.nanoTime();
        KvStore kv = KvStore.open(dir, options(engine, 1L << 40));
        double ms = (System.nanoTime() - t0) / 1e6;
        KvStore.Stats s = kv.stats();
        System.out.printf(
                Locale.ROOT,
                "result openMs=%.3f replayedRecords=%d recoveredClock=%d allCommitsRecovered=%b " + "openLoadavg=%s%n",
                ms,
                s.replayedRecords(),
                s.recoveredClock(),
                s.recoveredClock() == lastTs,
                Bench.loadavg().replace(' ', '/'));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
