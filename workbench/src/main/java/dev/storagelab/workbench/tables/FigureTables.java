package dev.storagelab.workbench.tables;

import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Workspaces;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The tables the notes quote from runs of several JVMs (medians over runs, ratios between
 * engines), and a Flight Recorder profile by method: {@code ./storagelab figures arena-table},
 * {@code hybrid-table} and {@code jfr-profile} ({@code lsm-table} is {@link LsmTable}).
 */
public final class FigureTables {

    private FigureTables() {}

    /** Standard output in UTF-8, whatever the JVM's default charset (a table has µ and –). */
    public static PrintStream stdout() {
        return new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    }

    /** A command that prints a table: on standard output in UTF-8, or where a test points {@link #out}. */
    abstract static class Table implements Callable<Integer> {
        PrintStream out = stdout();
    }

    /** The workload runs ({@code ENGINE-WORKLOAD[-N].json}) in {@code dir} of each engine and workload. */
    static Map<String, List<JsonObject>> runs(Path dir, List<String> engines, List<String> workloads, boolean numbered)
            throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " does not exist; name the folder of the runs");
        }
        Map<String, List<JsonObject>> runs = new LinkedHashMap<>();
        List<String> longestFirst = engines.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                String name = p.getFileName().toString().replaceFirst("\\.json$", "");
                String stem = numbered ? name.replaceFirst("-(\\d+)$", "") : name;
                if (numbered && stem.equals(name)) {
                    continue;
                }
                found:
                for (String e : longestFirst) {
                    for (String w : workloads) {
                        if (stem.equals(e + "-" + w) || !numbered && name.startsWith(e + "-" + w + "-")) {
                            if (Files.size(p) == 0) {
                                throw new IllegalArgumentException(p + " is empty: a run still going, or one that"
                                        + " died before it wrote its result; wait for it, or take it again");
                            }
                            JsonObject r = Jmh.json(p).getAsJsonObject();
                            Path load = p.resolveSibling(name + ".load");
                            r.addProperty("_load", Files.isRegularFile(load) ? Files.readString(load) : "");
                            runs.computeIfAbsent(e + "/" + w, k -> new ArrayList<>())
                                    .add(r);
                            break found;
                        }
                    }
                }
            }
        }
        return runs;
    }

    /** The median of the numbers (None and NaN left out), or null. */
    static Double median(Stream<Double> values) {
        List<Double> v = values.filter(x -> x != null && !x.isNaN()).toList();
        return v.isEmpty() ? null : Jmh.median(v);
    }

    /** The median ops/s of {@code runs}, or null if there are none. */
    static Double ops(List<JsonObject> runs) {
        return median(runs.stream().map(r -> number(r, "opsPerSecond")));
    }

    /** The load averages recorded before and after each of {@code runs} (their .load files), sorted. */
    static List<Double> loads(List<JsonObject> runs) {
        return runs.stream()
                .flatMap(r -> Stream.of(r.get("_load").getAsString().trim().split("\\s+")))
                .filter(s -> s.matches("\\d+(\\.\\d+)?"))
                .map(Double::parseDouble)
                .sorted()
                .toList();
    }

    /** The machine the runs in {@code dir} were taken on: its machine.txt in one line. */
    static String machine(Path dir) throws java.io.IOException {
        Path machine = dir.resolve(LsmTable.MACHINE_FILE);
        return Files.isRegularFile(machine)
                ? Files.readString(machine, StandardCharsets.UTF_8)
                        .strip()
                        .lines()
                        .collect(Collectors.joining("; "))
                : "not recorded (no " + LsmTable.MACHINE_FILE + " in " + dir + ")";
    }

    static Double number(JsonObject o, String k) {
        JsonElement e = o == null ? null : o.get(k);
        return e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() ? null : e.getAsDouble();
    }

    static String fmt(Double v, String pattern) {
        return v == null ? "–" : f(pattern, v);
    }

    @Command(
            name = "hybrid-table",
            mixinStandardHelpOptions = true,
            description = "lab-07's workload table (notes/07-hybrid.md §7.10) in Markdown: per workload and engine the"
                    + " median of the runs in DIR (ENGINE-WORKLOAD-N.json, the load in ENGINE-WORKLOAD-N.load), then the"
                    + " targets on ecommerce. notes/figures/measure_lab07.sh writes it to DIR/TABLE.md.")
    public static final class HybridTable implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Parameters(index = "1..*", paramLabel = "ENGINE", description = "default: btree lsm hybrid")
        List<String> engines = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            HybridTables.print(dir, engines.isEmpty() ? List.of("btree", "lsm", "hybrid") : engines, stdout());
            return 0;
        }
    }

    @Command(
            name = "arena-table",
            mixinStandardHelpOptions = true,
            description =
                    "The arena's tables for notes/07-hybrid.md §7.15 from notes/figures/measure_arena.sh's output in"
                            + " DIR (default notes/data/lab07/arena): printed, and written to DIR/TABLE.md.")
    public static final class ArenaTable implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Path d = dir != null ? dir : Workspaces.root(null).resolve("notes/data/lab07/arena");
            String table = HybridTables.arena(d);
            Files.writeString(d.resolve("TABLE.md"), table, StandardCharsets.UTF_8);
            stdout().print(table);
            return 0;
        }
    }

    @Command(
            name = "jfr-profile",
            mixinStandardHelpOptions = true,
            description = "CPU samples of a Flight Recorder recording by method, self and inclusive, from the text of"
                    + " `jfr print --stack-depth 64 --events jdk.ExecutionSample run.jfr` (or jdk.NativeMethodSample):"
                    + " only the threads whose name matches THREAD, only the samples with a frame matching WITHIN.")
    public static final class JfrProfile implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN.txt")
        Path file;

        @Parameters(index = "1", arity = "0..1", paramLabel = "THREAD")
        String thread;

        @Parameters(index = "2", arity = "0..1", paramLabel = "WITHIN")
        String within;

        @Override
        public Integer call() throws Exception {
            String txt = Files.readString(file, StandardCharsets.UTF_8);
            Pattern thr = thread == null ? null : Pattern.compile(thread);
            Pattern in = within == null ? null : Pattern.compile(within);
            Pattern frame = Pattern.compile("(?m)^\\s{4}(\\S[^\\n]*?)(?:\\s+line: \\d+)?$");
            Pattern sampled = Pattern.compile("sampledThread = \"([^\"]*)\"");
            Map<String, Integer> self = new LinkedHashMap<>();
            Map<String, Integer> incl = new LinkedHashMap<>();
            Map<String, Integer> threads = new LinkedHashMap<>();
            int n = 0;
            String[] events = txt.split("jdk\\.(?:ExecutionSample|NativeMethodSample) \\{");
            for (int i = 1; i < events.length; i++) {
                String e = events[i];
                Matcher m = sampled.matcher(e);
                String t = m.find() ? m.group(1) : "?";
                threads.merge(t, 1, Integer::sum);
                if (thr != null && !thr.matcher(t).find()) {
                    continue;
                }
                int stack = e.indexOf("stackTrace = [");
                if (stack < 0) {
                    continue;
                }
                List<String> frames = new ArrayList<>();
                Matcher fm = frame.matcher(e.substring(stack + "stackTrace = [".length()));
                while (fm.find()) {
                    String fr = fm.group(1);
                    if (!fr.equals("...") && !fr.startsWith("]")) {
                        frames.add(fr.replaceAll("\\(.*\\)", ""));
                    }
                }
                if (frames.isEmpty()
                        || in != null
                                && frames.stream().noneMatch(x -> in.matcher(x).find())) {
                    continue;
                }
                n++;
                self.merge(frames.get(0), 1, Integer::sum);
                frames.stream().distinct().forEach(x -> incl.merge(x, 1, Integer::sum));
            }
            PrintStream out = stdout();
            out.println("threads "
                    + top(threads, 10).stream()
                            .map(x -> "('" + x.getKey() + "', " + x.getValue() + ")")
                            .collect(Collectors.joining(", ", "[", "]")));
            out.println("samples " + n);
            out.println("--- self");
            for (var x : top(self, 30)) {
                out.println(f("%5.1f%% %s", x.getValue() * 100.0 / n, x.getKey()));
            }
            out.println("--- inclusive");
            for (var x : top(incl, 45)) {
                out.println(f("%5.1f%% %s", x.getValue() * 100.0 / n, x.getKey()));
            }
            return 0;
        }

        private static List<Map.Entry<String, Integer>> top(Map<String, Integer> counts, int k) {
            return counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .limit(k)
                    .toList();
        }
    }
}
