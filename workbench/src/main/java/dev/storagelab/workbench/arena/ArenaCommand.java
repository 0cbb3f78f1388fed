package dev.storagelab.workbench.arena;

import com.google.gson.GsonBuilder;
import dev.storagelab.wal.SyncMode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code arena}: engines compared on equal terms in one run ({@link Arena}), or with
 * {@code --sweep DIR} the crossover map over skew, read share and hot-set size ({@link ArenaSweep}).
 */
@Command(
        name = "arena",
        mixinStandardHelpOptions = true,
        description = "Compare engines on equal terms in one run: the same memory budget, log and sync mode,"
                + " data larger than memory read past the page cache, a warm-up, then steady-state figures.")
public final class ArenaCommand implements Callable<Integer> {

    @Option(
            names = "--workload",
            defaultValue = "ecommerce",
            description = "ecommerce, ycsb-a, ycsb-b, ycsb-c, uniform, or"
                    + " mix:read=R,theta=T,hot=H (default ${DEFAULT-VALUE}).")
    String workload;

    @Option(
            names = "--engines",
            defaultValue = "btree,lsm,hybrid",
            split = ",",
            description = "Engines, comma-separated"
                    + " (default ${DEFAULT-VALUE}): btree, the lab-04 B+tree behind the lab-06 log; lsm, the lab-05 LSM tree with its"
                    + " own log; hybrid, lab-07's store; rocksdb, the production LSM, in a build with the Maven profile peers"
                    + " (LevelDB and H2 cannot be held to these terms: the arena says why).")
    List<String> engines;

    @Option(
            names = "--memory",
            defaultValue = "8m",
            description = "The memory budget of each engine, as 64m, 512k, 1g" + " (default ${DEFAULT-VALUE}).")
    String memory;

    @Option(
            names = "--data",
            defaultValue = "8",
            description = "The data set as a multiple of --memory (default ${DEFAULT-VALUE}).")
    double data;

    @Option(names = "--in-memory", description = "A run whose data fits in the budget: --data at most 1.")
    boolean inMemory;

    @Option(
            names = "--sync",
            defaultValue = "none",
            description = "The log's sync mode for every engine: none (written, forced"
                    + " at checkpoints), group or every-write (default ${DEFAULT-VALUE}).")
    String sync;

    @Option(
            names = "--io",
            defaultValue = "direct",
            description = "direct: reads bypass the page cache (O_DIRECT); buffered:"
                    + " the page cache serves them (default ${DEFAULT-VALUE}).")
    String io;

    @Option(
            names = "--interval",
            defaultValue = "1000",
            description = "Milliseconds per interval (default ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(
            names = "--warmup-min",
            defaultValue = "3",
            description = "Warm-up intervals at least (default ${DEFAULT-VALUE}).")
    int warmupMin;

    @Option(
            names = "--warmup-max",
            defaultValue = "30",
            description = "Warm-up intervals at most (default ${DEFAULT-VALUE}).")
    int warmupMax;

    @Option(names = "--intervals", defaultValue = "10", description = "Measured intervals (default ${DEFAULT-VALUE}).")
    int intervals;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            description =
                    "Runs per engine (per engine and cell with --sweep), the order rotated each round; each"
                            + " engine's result is its median round, every round's throughput beside it (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per value (default ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of every random choice (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--dir",
            description = "Where the engines' files go (default: the temporary directory); deleted after.")
    Path dir;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(
            names = "--sweep",
            description = "Instead of one workload, sweep Zipf theta, read share and hot-set size plus"
                    + " ecommerce, and write the crossover map (crossover.json, crossover.png) to this directory.")
    Path sweep;

    @Option(
            names = "--sweep-theta",
            split = ",",
            description = "The sweep's Zipf constants, 0 for uniform (default 0,0.8,0.99).")
    List<Double> sweepThetas = ArenaSweep.THETAS;

    @Option(names = "--sweep-read", split = ",", description = "The sweep's read shares (default 0.5,0.95).")
    List<Double> sweepReads = ArenaSweep.READS;

    @Option(
            names = "--sweep-hot",
            split = ",",
            description = "The sweep's hot-set shares of the keys (default 0.05,1).")
    List<Double> sweepHots = ArenaSweep.HOTS;

    @Override
    public Integer call() throws Exception {
        List<ArenaEntrant> chosen = new ArrayList<>();
        for (String id : engines) {
            chosen.add(ArenaEntrant.byId(id.trim()));
        }
        Arena.Spec spec = spec();
        Path where = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
        if (spec.direct()) {
            DeviceStorage.probeDirect(where);
        }
        PrintStream err =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (sweep != null) {
            ArenaSweep.run(
                    chosen,
                    spec,
                    where,
                    sweep,
                    sweepThetas,
                    sweepReads,
                    sweepHots,
                    rounds,
                    line -> err.println("arena: " + line));
            out.println("crossover map: " + sweep.resolve(ArenaSweep.JSON) + ", " + sweep.resolve(ArenaSweep.PNG));
            return 0;
        }
        ArenaWorkload w = ArenaWorkload.parse(workload);
        for (ArenaEntrant e : chosen) {
            e.checkBudget(spec.memoryBytes());
        }
        List<Arena.Result> results = Arena.run(chosen, w, spec, where, rounds, line -> err.println("arena: " + line));
        if (json) {
            out.println(new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeSpecialFloatingPointValues()
                    .create()
                    .toJson(report(w, spec, results)));
        } else {
            out.print(table(w, spec, results));
        }
        return 0;
    }

    /** The spec the options ask for, or a one-line error that names the fix. */
    Arena.Spec spec() {
        long budget = Arena.parseSize(memory);
        if (!inMemory && data < 1) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "--data %s makes the data smaller than --memory, but the"
                            + " arena runs larger than memory: give --data 1 or more (8 is the default), or add --in-memory",
                    data));
        }
        if (inMemory && data > 1) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "--in-memory asks for data that fits in --memory, but --data %s is larger: give --data 1 or less",
                    data));
        }
        SyncMode mode = switch (sync) {
            case "none" -> SyncMode.NONE;
            case "group" -> SyncMode.GROUP;
            case "every-write" -> SyncMode.EVERY_WRITE;
            default ->
                throw new IllegalArgumentException(
                        "--sync '" + sync + "' is not a sync mode: use none, group or every-write");
        };
        boolean direct = switch (io) {
            case "direct" -> true;
            case "buffered" -> false;
            default ->
                throw new IllegalArgumentException("--io '" + io + "' is not an I/O mode: use direct or buffered");
        };
        return new Arena.Spec(
                budget, data, valueBytes, mode, direct, intervalMillis, warmupMin, warmupMax, intervals, seed);
    }

    /** The JSON document: the run's terms, then one result per engine. */
    static Map<String, Object> report(ArenaWorkload w, Arena.Spec spec, List<Arena.Result> results) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("workload", w.name());
        doc.put("memoryBudget", spec.memoryBytes());
        doc.put("dataMultiple", spec.dataMultiple());
        doc.put("syncMode", spec.sync().name().toLowerCase(Locale.ROOT));
        doc.put("pageCacheBypassed", spec.direct());
        doc.put(
                "bypass",
                spec.direct()
                        ? "direct I/O (O_DIRECT) for every read; writes buffered"
                        : "none: the page cache serves reads");
        doc.put("intervalMillis", spec.intervalMillis());
        doc.put("steadyIntervals", spec.intervals());
        doc.put("results", results);
        return doc;
    }

    static String table(ArenaWorkload w, Arena.Spec spec, List<Arena.Result> results) {
        StringBuilder sb = new StringBuilder();
        Arena.Result first = results.get(0);
        sb.append(String.format(
                Locale.ROOT,
                "arena: %s, %,d keys (%s, %.1fx the budget), memory %s per engine, log sync %s," + " reads %s%n",
                w.name(),
                first.keys(),
                Arena.size(first.dataBytes()),
                spec.dataMultiple(),
                Arena.size(spec.memoryBytes()),
                spec.sync().name().toLowerCase(Locale.ROOT),
                spec.direct() ? "direct (page cache bypassed)" : "buffered (page cache NOT bypassed)"));
        double best =
                results.stream().mapToDouble(Arena.Result::opsPerSecond).max().orElse(1);
        sb.append(String.format(
                Locale.ROOT,
                "%-8s %10s %6s %8s %7s %9s %9s %9s %9s %9s %6s %9s %s%n",
                "engine",
                "ops/s",
                "/best",
                "cpu us/op",
                "w-amp",
                "get p50",
                "get p99",
                "get p99.9",
                "rd B/op",
                "wr B/op",
                "s-amp",
                "memory",
                "warm-up"));
        for (Arena.Result r : results) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-8s %,10.0f %6.2f %8.1f %7.2f %9.1f %9.1f %9.1f %,9.0f %,9.0f %6.2f %9s %s%n",
                    r.engine(),
                    r.opsPerSecond(),
                    r.opsPerSecond() / best,
                    r.cpuMicrosPerOp(),
                    r.writeAmplification(),
                    r.getP50Micros(),
                    r.getP99Micros(),
                    r.getP999Micros(),
                    r.readBytesPerOp(),
                    r.writeBytesPerOp(),
                    r.spaceAmplification(),
                    Arena.size(r.memoryBytes()),
                    String.format(
                            Locale.ROOT, "%d intervals%s", r.warmupIntervals(), r.settled() ? "" : " (not settled)")));
        }
        if (results.stream().anyMatch(r -> r.roundsOpsPerSecond().size() > 1)) {
            for (Arena.Result r : results) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %s rounds: ops/s %s, cpu us/op %s%n",
                        r.engine(),
                        r.roundsOpsPerSecond().stream()
                                .map(v -> String.format(Locale.ROOT, "%,.0f", v))
                                .toList(),
                        r.roundsCpuMicrosPerOp().stream()
                                .map(v -> String.format(Locale.ROOT, "%.1f", v))
                                .toList()));
            }
        }
        for (Arena.Result r : results) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  %s: %s; latency (us) %s%s%n",
                    r.engine(),
                    r.split(),
                    latencies(r),
                    r.engineCounts().isEmpty() ? "" : "; " + r.engineCounts()));
            if (r.deviceReadMicrosPerOp() >= 0) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %s: %.1f us per operation, %.1f of them waiting for the device's reads%s%n",
                        r.engine(),
                        1e6 / r.opsPerSecond(),
                        r.deviceReadMicrosPerOp(),
                        r.engineState().isEmpty() ? "" : "; " + r.engineState()));
            }
            if (!r.ownCounters().isEmpty()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %s counts its own bytes, not the device: %s%n",
                        r.engine(),
                        String.join(
                                "; ",
                                r.ownCounters().entrySet().stream()
                                        .map(e -> e.getKey() + " = " + e.getValue())
                                        .toList())));
            }
        }
        return sb.toString();
    }

    private static String latencies(Arena.Result r) {
        List<String> parts = new ArrayList<>();
        r.latency()
                .forEach((k, l) -> parts.add(String.format(
                        Locale.ROOT,
                        "%s %.1f/%.1f/%.1f (%.0f%% of the time)",
                        k,
                        l.p50(),
                        l.p99(),
                        l.p999(),
                        100 * l.timeShare())));
        return String.join(", ", parts);
    }
}
