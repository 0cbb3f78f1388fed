package dev.storagelab.workbench.tables;

import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Md;
import dev.storagelab.workbench.workloads.ThreadTimes;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./storagelab figures lsm-table}: a workspace engine beside its production peers on every
 * db_bench workload, one line per workload, ours over each peer's, with the machine the runs were
 * taken on. With {@code --run} it takes the runs first, each in a JVM of its own and the engines
 * in turn (A B, then B A), so that a drift of the machine's speed falls on both sides; without, it
 * reads the runs {@code notes/figures/run_benchmarks.sh} wrote. Beside readwhilewriting it names
 * each engine's busiest threads over the gets ({@link
 * dev.storagelab.workbench.workloads.ThreadTimes}): a reader that never blocks serves fewer gets
 * only if something else had the processors.
 */
@Command(
        name = "lsm-table",
        mixinStandardHelpOptions = true,
        description = "An engine beside its peers (default lsm beside rocksdb-lsmopts) on every db_bench workload: per"
                + " workload the median ops/s of each engine's runs in DIR (ENGINE-WORKLOAD-N.json), the first"
                + " engine's over each other's, each run pair's ratio, and the machine and load of the runs"
                + " (DIR/machine.txt, ENGINE-WORKLOAD-N.load); beside readwhilewriting, each writer's puts a second"
                + " and each engine's busiest threads over the gets (seconds running, and waiting for a core). With"
                + " --run it takes the runs first, each in a JVM of its own, the engines alternating.")
public final class LsmTable extends FigureTables.Table {

    /** The db_bench workloads of the workbench, in db_bench's order. */
    static final List<String> WORKLOADS = List.of(
            "fillseq", "fillrandom", "overwrite", "readrandom", "readmissing", "seekrandom", "readwhilewriting");

    /** The machine's description, written by {@code --run} (and by run_benchmarks.sh) beside the runs. */
    static final String MACHINE_FILE = "machine.txt";

    @Parameters(index = "0", paramLabel = "DIR", description = "The runs' folder (written with --run).")
    Path dir;

    @Parameters(
            index = "1..*",
            paramLabel = "ENGINE",
            description = "Ours first, then the peers it is compared with (default: lsm rocksdb-lsmopts).")
    List<String> engines = new ArrayList<>();

    @Option(names = "--run", description = "Take the runs first, into DIR, then print the table.")
    boolean run;

    @Option(
            names = "--keys",
            defaultValue = "1000000",
            description = "With --run: the key space (default ${DEFAULT-VALUE}).")
    long keys;

    @Option(
            names = "--ops",
            defaultValue = "200000",
            description = "With --run: measured operations of the workloads that are not fills (default"
                    + " ${DEFAULT-VALUE}; a fill puts every key).")
    long ops;

    @Option(
            names = "--runs",
            defaultValue = "2",
            description = "With --run: runs of each engine on each workload (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--workloads",
            split = ",",
            description = "The workloads (default: fillseq,fillrandom,overwrite,readrandom,readmissing,seekrandom,"
                    + "readwhilewriting).")
    List<String> workloads = new ArrayList<>();

    @Option(
            names = "--heap",
            defaultValue = "4g",
            description = "With --run: each run's -Xmx (default ${DEFAULT-VALUE}, run_benchmarks.sh's).")
    String heap;

    @Override
    public Integer call() throws Exception {
        List<String> es = engines.isEmpty() ? List.of("lsm", "rocksdb-lsmopts") : engines;
        if (es.size() < 2) {
            throw new IllegalArgumentException("name ours and at least one peer: " + es);
        }
        List<String> ws = workloads.isEmpty() ? WORKLOADS : workloads;
        for (String w : ws) {
            if (!WORKLOADS.contains(w)) {
                throw new IllegalArgumentException("no db_bench workload named '" + w + "'; they are " + WORKLOADS);
            }
        }
        if (run) {
            if (runs < 1 || keys < 1 || ops < 1) {
                throw new IllegalArgumentException("--runs, --keys and --ops must be positive");
            }
            takeRuns(es, ws);
        }
        print(es, ws, out);
        return 0;
    }

    /** Every run, workload by workload, the engines in turn and the turn reversed on every other round. */
    private void takeRuns(List<String> es, List<String> ws) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MACHINE_FILE), machine(), StandardCharsets.UTF_8);
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("java.class.path");
        for (String w : ws) {
            for (int r = 1; r <= runs; r++) {
                List<String> order = new ArrayList<>(es);
                if (r % 2 == 0) {
                    Collections.reverse(order);
                }
                for (String e : order) {
                    String name = e + "-" + w + "-" + r;
                    long n = w.startsWith("fill") ? keys : ops;
                    Path store = Files.createTempDirectory("storagelab-lsm-table-");
                    String before = loadAverage();
                    out.flush();
                    System.err.println(name + ": " + keys + " keys, " + n + " ops (load average " + before + ")");
                    ProcessBuilder pb = new ProcessBuilder(
                            java,
                            "-Xmx" + heap,
                            "-cp",
                            classpath,
                            "dev.storagelab.workbench.cli.WorkbenchMain",
                            "workload",
                            "--engine",
                            e,
                            "--workload",
                            w,
                            "--keys",
                            Long.toString(keys),
                            "--ops",
                            Long.toString(n),
                            "--dir",
                            store.toString(),
                            "--json",
                            "--no-progress");
                    pb.environment().put("STORAGELAB_EXIT_WITH_PARENT", "1");
                    pb.redirectOutput(dir.resolve(name + ".json").toFile());
                    pb.redirectError(dir.resolve(name + ".log").toFile());
                    int exit;
                    try {
                        exit = pb.start().waitFor();
                    } finally {
                        deleteTree(store);
                    }
                    Files.writeString(
                            dir.resolve(name + ".load"), before + " " + loadAverage(), StandardCharsets.UTF_8);
                    if (exit != 0) {
                        throw new IOException(
                                name + " failed (exit " + exit + "); its output is in " + dir.resolve(name + ".log"));
                    }
                }
            }
        }
    }

    /** Prints the machine line, the table and the readwhilewriting writers' rates. */
    private void print(List<String> es, List<String> ws, PrintStream t) throws IOException {
        Map<String, List<JsonObject>> runsByCell = FigureTables.runs(dir, es, ws, false);
        String ours = es.get(0);
        List<String> peers = es.subList(1, es.size());
        t.println("machine: " + FigureTables.machine(dir));
        List<Double> loads = FigureTables.loads(
                runsByCell.values().stream().flatMap(List::stream).toList());
        t.println("load average during the runs: "
                + (loads.isEmpty() ? "not recorded" : f("%.1f to %.1f", loads.get(0), loads.get(loads.size() - 1))));
        t.println();
        List<String> header = new ArrayList<>(List.of("workload"));
        es.forEach(e -> header.add(e + " ops/s (runs)"));
        peers.forEach(p -> {
            header.add(ours + " / " + p);
            header.add("run by run");
        });
        header.add("write amplification, " + String.join(" / ", es));
        // what a get reads from the file: pages for a B+tree, blocks for an LSM tree
        boolean pages = runsByCell.entrySet().stream()
                .filter(c -> c.getKey().startsWith(ours + "/"))
                .flatMap(c -> c.getValue().stream())
                .anyMatch(r -> r.getAsJsonObject("counters").has("page_reads_per_get"));
        String readsKey = pages ? "page_reads_per_get" : "block_reads_per_get";
        header.add(ours + (pages ? " page reads per get" : " block reads per get"));
        t.println(Md.row(header));
        t.println("|---" + "|---:".repeat(header.size() - 1) + "|");
        Map<String, String> writers = new LinkedHashMap<>();
        for (String w : ws) {
            Map<String, Double> med = new LinkedHashMap<>();
            Map<String, List<Double>> byRun = new LinkedHashMap<>();
            List<String> cells = new ArrayList<>(List.of(w));
            for (String e : es) {
                List<JsonObject> rs = runsByCell.getOrDefault(e + "/" + w, List.of());
                List<Double> ops = rs.stream()
                        .map(r -> FigureTables.number(r, "opsPerSecond"))
                        .toList();
                byRun.put(e, ops);
                if (ops.isEmpty()) {
                    cells.add("–");
                    continue;
                }
                med.put(e, FigureTables.ops(rs));
                cells.add(f("%,.0f", med.get(e)) + " ("
                        + ops.stream().map(o -> f("%,.0fk", o / 1000)).collect(Collectors.joining(", ")) + ")");
                if (w.equals("readwhilewriting")) {
                    writers.put(
                            e,
                            f(
                                    "%,.0f",
                                    FigureTables.median(rs.stream().map(BaselineTable.Baseline::writerPutsPerSecond))));
                }
            }
            for (String p : peers) {
                if (!med.containsKey(ours) || !med.containsKey(p)) {
                    cells.add("–");
                    cells.add("–");
                    continue;
                }
                List<Double> a = byRun.get(ours);
                List<Double> b = byRun.get(p);
                List<String> pairs = new ArrayList<>();
                for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                    pairs.add(f("%.2f", a.get(i) / b.get(i)));
                }
                cells.add("**" + f("%.2f", med.get(ours) / med.get(p)) + "**");
                cells.add(String.join(", ", pairs));
            }
            List<String> amplification = new ArrayList<>();
            for (String e : es) {
                Double wa = FigureTables.median(runsByCell.getOrDefault(e + "/" + w, List.of()).stream()
                        .map(r -> FigureTables.number(r.getAsJsonObject("counters"), "write_amplification")));
                amplification.add(FigureTables.fmt(wa, "%.2f"));
            }
            cells.add(amplification.stream().allMatch("–"::equals) ? "–" : String.join(" / ", amplification));
            Double reads = w.startsWith("fill")
                    ? null
                    : FigureTables.median(runsByCell.getOrDefault(ours + "/" + w, List.of()).stream()
                            .map(r -> FigureTables.number(r.getAsJsonObject("counters"), readsKey)));
            cells.add(FigureTables.fmt(reads, "%.3f"));
            t.println(Md.row(cells));
        }
        if (!writers.isEmpty()) {
            t.println();
            t.println("readwhilewriting's writer, puts/s beside the reads (median): "
                    + writers.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")));
            List<String> threads = new ArrayList<>();
            for (String e : es) {
                String busiest = busiestThreads(runsByCell.getOrDefault(e + "/readwhilewriting", List.of()));
                if (!busiest.isEmpty()) {
                    threads.add("  " + e + ": " + busiest);
                }
            }
            if (!threads.isEmpty()) {
                t.println("readwhilewriting's threads over the gets, seconds running (waiting for a core),"
                        + " median of the runs:");
                threads.forEach(t::println);
            }
        }
    }

    /**
     * The six groups of threads that ran longest over the measured operations of {@code runs}, the
     * median of each over the runs (a run without the group counts 0), as {@code name cpu (wait)}
     * in seconds; groups under 0.01 s are left out. Empty if the runs recorded no threads.
     */
    static String busiestThreads(List<JsonObject> runs) {
        Map<String, List<double[]>> byGroup = new LinkedHashMap<>();
        int recorded = 0;
        for (JsonObject r : runs) {
            JsonObject threads =
                    r.has("threads") && r.get("threads").isJsonObject() ? r.getAsJsonObject("threads") : null;
            if (threads == null || threads.isEmpty()) {
                continue;
            }
            recorded++;
            for (String g : threads.keySet()) {
                JsonObject times = threads.getAsJsonObject(g);
                byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(new double[] {
                    times.get("cpuSeconds").getAsDouble(),
                    times.get("waitSeconds").getAsDouble()
                });
            }
        }
        record Busy(String group, double cpu, double waiting) {}
        List<Busy> busy = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> g : byGroup.entrySet()) {
            List<Double> cpu =
                    new ArrayList<>(Collections.nCopies(recorded - g.getValue().size(), 0.0));
            List<Double> wait = new ArrayList<>(cpu);
            g.getValue().forEach(v -> {
                cpu.add(v[0]);
                wait.add(v[1]);
            });
            double c = FigureTables.median(cpu.stream());
            if (c >= ThreadTimes.PRINTED_SECONDS) {
                busy.add(new Busy(g.getKey(), c, FigureTables.median(wait.stream())));
            }
        }
        busy.sort(Comparator.comparingDouble(Busy::cpu).reversed());
        return busy.stream()
                .limit(6)
                .map(b -> b.group() + " " + f("%.2f", b.cpu()) + " (" + f("%.2f", b.waiting()) + ")")
                .collect(Collectors.joining(", "));
    }

    /** The machine in a few lines: processors, memory, system, JVM, when. */
    static String machine() throws IOException {
        StringBuilder m = new StringBuilder();
        String model = "";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            model = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .map(s -> " (" + s + ")")
                    .orElse("");
        }
        m.append(Runtime.getRuntime().availableProcessors())
                .append(" processors")
                .append(model)
                .append('\n');
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            m.append(f("%.1f GiB of memory%n", os.getTotalMemorySize() / (double) (1L << 30)));
        }
        m.append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.version"))
                .append(", ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.runtime.version"))
                .append('\n');
        m.append("taken from ")
                .append(Instant.now().truncatedTo(ChronoUnit.MINUTES))
                .append('\n');
        return m.toString();
    }

    /** The one-minute load average, or "?" where the system does not say. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8)
                    .split(" ")[0];
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return l < 0 ? "?" : f("%.2f", l);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
