package dev.storagelab.grader.bench;

import com.google.gson.GsonBuilder;
import dev.storagelab.grader.bench.BenchReport.Comparison;
import dev.storagelab.grader.bench.BenchReport.LabBench;
import dev.storagelab.grader.bench.BenchReport.WorkloadBench;
import dev.storagelab.grader.bench.BenchReport.WorkloadRun;
import dev.storagelab.grader.perf.JmhRunner;
import dev.storagelab.grader.perf.JmhRunner.Score;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.sandbox.ClassScan;
import dev.storagelab.grader.submission.Submission;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Rubric;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./storagelab bench}: runs the JMH suites of the chosen labs on the reference and, given a
 * submission, on the submission too, in the same invocation, and reports each benchmark's ratio;
 * with {@code --peers}, runs the db_bench-style workloads on the labs' engines and on RocksDB,
 * LevelDB and H2 MVStore. Writes {@code bench.json}, a text table and PNG plots.
 *
 * <p>Both sides are scratch copies of the instructor's workspace (the submission's lab sources
 * overlaid on one, every lab it has, as the student runs them), built with Maven. The reference
 * runs first, then the submission, lab by lab; ratios of two runs minutes apart on a quiet machine
 * are what a grade can rest on, absolute times are not.
 */
public final class Bench {

    /**
     * What to run.
     *
     * @param labs       lab ids ({@code 04}, {@code lab-04}); empty: every lab
     * @param submission a student's workspace folder or zip to compare, or null
     * @param peers      also run the workloads on the labs' engines and the production peers
     * @param quick      the smoke: every benchmark once for 100 ms with its lab's small
     *                   parameters, and three small workloads
     * @param keys       the workloads' key space (0: 2,000 quick, 100,000 otherwise)
     * @param ops        the workloads' measured operations (0: the same as keys)
     */
    public record Options(
            List<String> labs,
            Path submission,
            boolean peers,
            boolean quick,
            Path out,
            boolean offline,
            long keys,
            long ops) {}

    /** Where a lab keeps what {@code bench --quick} overrides: the {@code @Param} values of its smoke run. */
    public static final String QUICK_PARAMS = "src/jmh/bench.properties";

    private final Workspace workspace;
    private final PrintStream log;
    private Path sharedReference;

    public Bench(Workspace workspace, PrintStream log) {
        this.workspace = workspace;
        this.log = log;
    }

    /**
     * Benchmarks the reference in {@code dir}, a copy of the workspace that a grader already
     * built ({@code Grader.sharedReference}), instead of copying and building a new one; Maven
     * then only brings it up to date.
     */
    public Bench sharedReference(Path dir) {
        this.sharedReference = dir;
        return this;
    }

    /** Runs the benchmarks, writes {@code bench.json}, {@code bench.txt} and the plots into {@code out}, returns the report. */
    public BenchReport run(Options options) throws IOException, InterruptedException {
        String date = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Lab> labs = options.labs().isEmpty()
                ? workspace.labs()
                : options.labs().stream().map(workspace::lab).distinct().toList();
        Path out = Files.createDirectories(options.out());
        Path logs = Files.createDirectories(out.resolve("logs"));
        Path scratch = FileTrees.temporaryFolder("storagelab-bench");
        try {
            Rubric rubric = Rubric.of(workspace);
            boolean release = Exporter.isRelease(workspace.root());
            log.println((release ? "building your code of " : "building the reference of ")
                    + labs.stream().map(Lab::id).toList() + " ...");
            Path reference = sharedReference != null ? sharedReference : scratch.resolve("reference");
            if (sharedReference == null) {
                WorkspaceCopies.copy(workspace, reference);
            }
            LabBuild.Result refBuild = LabBuild.build(
                    reference, WorkspaceCopies.closure(workspace, labs), rubric.buildDeadline(), options.offline());

            Path student = null;
            LabBuild.Result studentBuild = null;
            if (options.submission() != null) {
                Submission submission = Submission.open(options.submission(), workspace, scratch);
                student = scratch.resolve("submission");
                List<Lab> submitted =
                        workspace.labs().stream().filter(submission::has).toList();
                // The reference's classes for every lab the submission leaves alone: only its labs compile.
                WorkspaceCopies.seed(workspace, reference, student, submitted);
                for (Lab lab : submitted) {
                    submission.overlay(lab, student);
                }
                log.println("building the submission " + options.submission() + " ...");
                studentBuild = LabBuild.build(
                        student, WorkspaceCopies.closure(workspace, labs), rubric.buildDeadline(), options.offline());
            }

            List<LabBench> labResults = new ArrayList<>();
            for (Lab lab : labs) {
                labResults.add(
                        benchLab(lab, reference, refBuild, student, studentBuild, options.quick(), release, logs));
            }
            WorkloadBench workloads = options.peers() ? workloads(labs, reference, student, options, logs) : null;
            BenchReport report = new BenchReport(
                    date,
                    machine(),
                    options.quick(),
                    release,
                    workspace.root().toString(),
                    options.submission() == null ? null : options.submission().toString(),
                    labResults,
                    workloads);
            write(report, out);
            return report;
        } finally {
            FileTrees.deleteRecursively(scratch);
        }
    }

    private LabBench benchLab(
            Lab lab,
            Path reference,
            LabBuild.Result refBuild,
            Path student,
            LabBuild.Result studentBuild,
            boolean quick,
            boolean release,
            Path logs)
            throws IOException {
        Path module = reference.resolve(lab.directory());
        if (!LabBuild.built(reference, lab)) {
            return new LabBench(
                    lab.id(),
                    (release ? "your code does not build:\n" : "the reference does not build:\n")
                            + LabBuild.errorsFor(refBuild.log(), reference, lab),
                    List.of());
        }
        Set<String> packages = benchmarkPackages(module);
        if (packages.isEmpty()) {
            return new LabBench(
                    lab.id(), "no JMH benchmarks (" + lab.directory() + "/src/jmh/java/**/*Benchmark.java)", List.of());
        }
        String include =
                "^(" + String.join("|", packages.stream().map(Pattern::quote).toList()) + ")\\.";
        Map<String, String> params = quick ? quickParams(module) : Map.of();
        JmhRunner.Settings settings = quick ? JmhRunner.Settings.QUICK : JmhRunner.Settings.AS_ANNOTATED;
        Duration deadline = quick ? Duration.ofMinutes(10) : Duration.ofHours(12);

        log.println("benchmarking " + lab.id() + (release ? " on your code" : " on the reference")
                + (quick ? " (quick)" : "") + " ...");
        JmhRunner.Run ref = JmhRunner.run(
                module, include, params, settings, deadline, logs.resolve(lab.id() + "-reference.txt"), log);
        List<String> problems = new ArrayList<>();
        List<BenchReport.Failed> failed = new ArrayList<>();
        collect(ref, "reference", problems, failed);
        Map<String, Score> theirs = new LinkedHashMap<>();
        if (student != null) {
            if (!LabBuild.built(student, lab)) {
                problems.add("the submission does not build:\n" + LabBuild.errorsFor(studentBuild.log(), student, lab));
            } else {
                // the same allow-list as grading's: a submission's code runs here too
                List<ClassScan.Finding> findings = new ArrayList<>();
                for (Lab l : WorkspaceCopies.closure(workspace, List.of(lab))) {
                    findings.addAll(ClassScan.scanSubmission(reference, student, l));
                }
                if (!findings.isEmpty()) {
                    problems.add("the submission is not benchmarked: " + ClassScan.problem(findings));
                } else {
                    log.println("benchmarking " + lab.id() + " on the submission ...");
                    JmhRunner.Run sub = JmhRunner.run(
                            student.resolve(lab.directory()),
                            include,
                            params,
                            settings,
                            deadline,
                            logs.resolve(lab.id() + "-submission.txt"),
                            log);
                    collect(sub, "submission", problems, failed);
                    sub.scores().forEach(s -> theirs.put(s.key(), s));
                }
            }
        }
        List<Comparison> rows = new ArrayList<>();
        for (Score r : ref.scores()) {
            Score s = theirs.get(r.key());
            rows.add(new Comparison(
                    r.shortName(),
                    r.paramText(),
                    r.mode(),
                    r.unit(),
                    r.score(),
                    r.error(),
                    s == null ? null : s.score(),
                    s == null ? null : s.error(),
                    s == null ? null : timeRatio(r, s),
                    r.secondary()));
        }
        return new LabBench(lab.id(), problems.isEmpty() ? null : String.join("\n", problems), rows, failed);
    }

    /**
     * A run's failures: each benchmark that failed on its own is one entry of {@code failed}; the
     * run is a problem as a whole only when it failed without naming one (it crashed, did not
     * finish, or did not start).
     */
    private static void collect(JmhRunner.Run run, String side, List<String> problems, List<BenchReport.Failed> failed)
            throws IOException {
        List<JmhRunner.Failure> failures = run.failures();
        for (JmhRunner.Failure f : failures) {
            failed.add(new BenchReport.Failed(f.shortName(), f.params(), side, f.reason()));
        }
        if (!run.ok() && (failures.isEmpty() || !run.finished())) {
            problems.add(side + ": " + run.problem());
        }
    }

    /**
     * The submission's time per operation over the reference's: above 1 is slower, whatever the
     * benchmark's mode (a throughput is inverted).
     */
    public static double timeRatio(Score reference, Score submission) {
        return reference.higherIsBetter()
                ? reference.score() / submission.score()
                : submission.score() / reference.score();
    }

    /** The packages of a module's benchmark classes ({@code src/jmh/java/**}{@code /*Benchmark.java}). */
    static Set<String> benchmarkPackages(Path module) throws IOException {
        Path root = module.resolve("src/jmh/java");
        Set<String> packages = new LinkedHashSet<>();
        if (!Files.isDirectory(root)) {
            return packages;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.getFileName().toString().endsWith("Benchmark.java"))
                    .map(f -> root.relativize(f.getParent()).toString().replace(java.io.File.separatorChar, '.'))
                    .sorted()
                    .forEach(packages::add);
        }
        return packages;
    }

    /** A lab's quick {@code @Param} values ({@value #QUICK_PARAMS}; none if it has none). */
    static Map<String, String> quickParams(Path module) throws IOException {
        Map<String, String> params = new TreeMap<>();
        Path file = module.resolve(QUICK_PARAMS);
        if (Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> params.put(k, p.getProperty(k).replace(" ", "")));
        }
        return params;
    }

    private WorkloadBench workloads(List<Lab> labs, Path reference, Path student, Options options, Path logs)
            throws IOException, InterruptedException {
        long keys = options.keys() > 0 ? options.keys() : options.quick() ? 2_000 : 100_000;
        long ops = options.ops() > 0 ? options.ops() : keys;
        List<String> problems = new ArrayList<>();
        log.println("building the workbench with the production peers (RocksDB, LevelDB, H2) ...");
        Path wbLog = logs.resolve("workbench-build.txt");
        if (!Workbench.build(reference, true, options.offline(), true, ProcessBuilder.Redirect.to(wbLog.toFile()))) {
            problems.add(
                    "the reference workbench (with -P" + Workbench.PEERS_PROFILE + ") does not build; see " + wbLog);
            return new WorkloadBench(null, keys, ops, List.of(), problems);
        }
        Path refJar = Workbench.jar(reference);
        Map<String, List<String>> byLab = WorkloadSuite.enginesByLab(refJar, logs);
        List<String> ours = labs.stream()
                .flatMap(l -> byLab.getOrDefault(l.id(), List.of()).stream())
                .toList();
        List<String> peers = List.of("rocksdb", "leveldb", "h2");
        Path studentJar = null;
        if (student != null && !ours.isEmpty()) {
            Path sLog = logs.resolve("workbench-build-submission.txt");
            if (Workbench.build(student, false, options.offline(), true, ProcessBuilder.Redirect.to(sLog.toFile()))) {
                studentJar = Workbench.jar(student);
            } else {
                problems.add("the submission's engines do not build into the workbench; see " + sLog);
            }
        }
        String baseline = ours.contains("btree") ? "btree" : ours.isEmpty() ? peers.get(0) : ours.get(ours.size() - 1);
        Duration deadline = options.quick() ? Duration.ofMinutes(3) : Duration.ofHours(2);
        List<WorkloadRun> runs = new ArrayList<>();
        for (String workload : options.quick() ? WorkloadSuite.QUICK : WorkloadSuite.FULL) {
            List<WorkloadRun> these = new ArrayList<>();
            List<String[]> plan = new ArrayList<>();
            ours.forEach(e -> plan.add(new String[] {e, "reference"}));
            if (studentJar != null) {
                ours.forEach(e -> plan.add(new String[] {e, "submission"}));
            }
            peers.forEach(e -> plan.add(new String[] {e, "peer"}));
            for (String[] p : plan) {
                if (p[0].equals("bst") && workload.equals("fillseq")) {
                    continue; // increasing keys make the unbalanced tree a list: n^2/2 comparisons, lab-03's lesson
                }
                log.println("  " + workload + " on " + p[0] + " (" + p[1] + "), " + keys + " keys, " + ops + " ops");
                try {
                    Path jar = p[1].equals("submission") ? studentJar : refJar;
                    these.add(WorkloadSuite.run(
                            jar, p[0], p[1], workload, keys, workload.startsWith("fill") ? keys : ops, deadline, logs));
                } catch (IOException e) {
                    problems.add(e.getMessage());
                }
            }
            WorkloadRun base = these.stream()
                    .filter(r -> r.engine().equals(baseline) && !r.side().equals("submission"))
                    .findFirst()
                    .orElse(null);
            for (WorkloadRun r : these) {
                runs.add(new WorkloadRun(
                        r.engine(),
                        r.side(),
                        r.workload(),
                        r.opsPerSecond(),
                        r.p50Micros(),
                        r.p99Micros(),
                        r.counters(),
                        base == null ? null : base.opsPerSecond() / r.opsPerSecond()));
            }
        }
        return new WorkloadBench(baseline, keys, ops, runs, problems);
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        m.put("memory_gib", Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024)));
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }

    private void write(BenchReport report, Path out) throws IOException {
        Files.writeString(
                out.resolve("bench.json"),
                new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeNulls()
                        .serializeSpecialFloatingPointValues()
                        .disableHtmlEscaping()
                        .create()
                        .toJson(report),
                StandardCharsets.UTF_8);
        Files.writeString(out.resolve("bench.txt"), BenchTable.render(report), StandardCharsets.UTF_8);
        BenchPlots.write(report, out);
    }
}
