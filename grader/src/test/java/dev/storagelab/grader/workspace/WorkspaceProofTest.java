package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.perf.JmhRunner;
import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.perf.Performance;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.report.Leaderboard;
import dev.storagelab.grader.run.TestSupervisor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * The proofs the grader owes on the real workspace's reference: it earns 100% in every lab, every
 * rubric performance line names one benchmark of it, a planted costly submission loses its counted
 * line against it, and one bug in one region costs only the tests that catch it. The proofs on the
 * release are {@link WorkspaceReleaseProofTest}'s.
 *
 * <p>Three of them are long and run whole in {@code .ci/long-proofs.sh} ({@link Fixtures#longProofs()}):
 * the reference graded in every lab, every performance line run, every lab's planted costly submission
 * run on its counted line. {@code mvn verify} runs a smoke of each: the reference graded in {@link
 * #SMOKE_LAB} (every lab's hidden tests counted, and every line's benchmark checked in the benchmark
 * list), its timed line run (a counted line runs in the costly submissions' proof), {@link
 * #COSTLY_SMOKE_LAB}'s costly submission. The bench with the peers at its quick size and the bug
 * planted in lab-01 run there alone.
 */
class WorkspaceProofTest {

    @TempDir
    static Path tmp;

    private static RealWorkspace real;
    private static Workspace workspace;

    @BeforeAll
    static void open() {
        real = new RealWorkspace(tmp);
        workspace = real.workspace;
    }

    @AfterAll
    static void workspaceIsNeverModified() {
        real.assertUnmodified();
    }

    /**
     * The lab graded whole on the reference in {@code mvn verify}, and whose timed performance line
     * runs there ({@link #SMOKE_LINE}); {@code .ci/long-proofs.sh} grades every lab and runs every line.
     */
    static final String SMOKE_LAB = "02";

    /** The performance line of {@link #SMOKE_LAB} that {@code mvn verify} runs (a timed one). */
    static final String SMOKE_LINE = "heap-merge";

    /**
     * The reference earns 100% in a lab graded whole, every hidden test passing behind the grader's
     * walls: {@link #SMOKE_LAB} in {@code mvn verify}, every lab in {@code .ci/long-proofs.sh}. Every
     * lab has hidden tests to grade, whichever is graded.
     */
    @Test
    void referenceWorkspaceScoresFullMarks() throws IOException {
        Path reference = real.grader().builtReference(workspace.labs(), tmp);
        Rubric rubric = Rubric.of(workspace);
        for (Lab lab : workspace.labs()) {
            assertThat(
                    lab.id() + " must have hidden tests",
                    HiddenTests.scan(reference, lab, rubric).size(),
                    greaterThanOrEqualTo(25));
        }
        List<String> labs = Fixtures.proofLabs(workspace, SMOKE_LAB);
        GradeReport report = real.grade(null, labs);
        assertThat(report.error(), nullValue());
        assertThat(report.isolated().size(), equalTo(labs.size()));
        for (LabResult lab : report.isolated()) {
            List<String> failing = lab.tests().stream()
                    .filter(t -> !t.outcome().passed())
                    .map(t -> t.test().id() + ": " + t.outcome().message())
                    .toList();
            assertThat(lab.lab() + ": the reference must pass every hidden test", failing, empty());
            assertThat(lab.lab() + " must have hidden tests", lab.tests().size(), greaterThanOrEqualTo(25));
            assertThat(lab.percent(), closeTo(100.0, 1e-9));
        }
    }

    /**
     * Every rubric performance line names exactly one benchmark and one parameter set of the
     * reference, read in each lab's JMH benchmark list (the benchmarks the line's expression selects,
     * and the parameter sets each has once the line's parameters are given), and a line runs into one
     * result on the reference ({@link JmhRunner.Settings#QUICK}): {@link #SMOKE_LINE} in {@code mvn
     * verify} (a counted line runs in the planted costly submissions' proof), every line in
     * {@code .ci/long-proofs.sh}.
     */
    @Test
    void everyRubricPerformanceLineNamesExactlyOneBenchmarkOfTheReferenceAndRunsIt() throws IOException {
        Path reference = real.grader().builtReference(workspace.labs(), tmp);
        Rubric rubric = Rubric.of(workspace);
        List<String> wrong = new ArrayList<>();
        int lines = 0;
        boolean withoutParametersMore = false;
        for (Lab lab : workspace.labs()) {
            List<BenchmarkListEntry> benchmarks;
            try (java.io.InputStream in = Files.newInputStream(
                    reference.resolve(lab.directory()).resolve("target/test-classes/META-INF/BenchmarkList"))) {
                benchmarks = BenchmarkList.readBenchmarkList(in);
            }
            for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
                lines++;
                List<String> why = new ArrayList<>();
                int results = results(p.benchmark(), p.params(), benchmarks, why);
                if (results != 1 || !why.isEmpty()) {
                    wrong.add("perf." + lab.id() + "." + p.name() + ": " + results + " results " + why);
                }
                withoutParametersMore |= results(p.benchmark(), Map.of(), benchmarks, new ArrayList<>()) > 1;
            }
        }
        assertThat("a performance line must name one benchmark and one parameter set of the reference", wrong, empty());
        assertThat("a line's parameters choose among a benchmark's sets", withoutParametersMore, is(true));
        assertThat(
                "every lab earns some points for speed",
                lines,
                greaterThanOrEqualTo(workspace.labs().size()));

        List<String> failed = new ArrayList<>();
        int ran = 0;
        for (Lab lab : workspace.labs()) {
            for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
                if (!Fixtures.longProofs()
                        && !(lab.id().equals("lab-" + SMOKE_LAB) && p.name().equals(SMOKE_LINE))) {
                    continue;
                }
                ran++;
                JmhRunner.Run run = referenceRun(reference, lab, p);
                if (!run.ok() || run.scores().size() != 1) {
                    failed.add("perf." + lab.id() + "." + p.name() + ": "
                            + run.scores().size() + " results; " + (run.ok() ? "" : run.problem()));
                }
            }
        }
        assertThat("a performance line runs one benchmark of the reference into one result", failed, empty());
        assertThat(
                "perf.lab-" + SMOKE_LAB + "." + SMOKE_LINE + " is a line of the rubric", ran, greaterThanOrEqualTo(1));
    }

    /**
     * How many results a run of {@code benchmark} with {@code params} gives, by {@code benchmarks}
     * (a lab's JMH benchmark list): each benchmark its expression selects, once per parameter set
     * the given parameters leave; a parameter a selected benchmark does not have goes into {@code
     * wrong} (JMH refuses the run).
     */
    private static int results(
            String benchmark, Map<String, String> params, List<BenchmarkListEntry> benchmarks, List<String> wrong) {
        Pattern include = Pattern.compile("\\." + Pattern.quote(benchmark) + "$");
        int results = 0;
        for (BenchmarkListEntry b : benchmarks) {
            if (!include.matcher(b.getUsername()).find()) {
                continue;
            }
            Map<String, String[]> declared = b.getParams().orElse(Map.of());
            for (String name : params.keySet()) {
                if (!declared.containsKey(name)) {
                    wrong.add(b.getUsername() + " has no parameter " + name);
                }
            }
            int sets = 1;
            for (Map.Entry<String, String[]> p : declared.entrySet()) {
                sets *= params.containsKey(p.getKey()) ? 1 : p.getValue().length;
            }
            results += sets;
        }
        return results;
    }

    private static final java.util.Map<String, JmhRunner.Run> REFERENCE_RUNS = new java.util.HashMap<>();

    /**
     * {@code line}'s benchmark run once on the reference's build ({@link JmhRunner.Settings#QUICK}),
     * once per JVM: the lines' proof and the costly submissions' proof share the runs.
     */
    private static synchronized JmhRunner.Run referenceRun(Path reference, Lab lab, Rubric.PerfBenchmark line)
            throws IOException {
        String key = lab.id() + "-" + line.name();
        JmhRunner.Run run = REFERENCE_RUNS.get(key);
        if (run == null) {
            run = CostlyFixtures.run(
                    reference.resolve(lab.directory()),
                    line,
                    tmp.resolve("perf-lines").resolve(key + ".txt"));
            REFERENCE_RUNS.put(key, run);
        }
        return run;
    }

    /**
     * The lab whose planted costly submission {@code mvn verify} runs on its counted line (lab-01's
     * counts comparisons, on a list of 1,024 keys; the fixtures of work moved out of the count run
     * lab-01's count of the bytes a segment reads); {@code .ci/long-proofs.sh} runs every lab's.
     */
    static final String COSTLY_SMOKE_LAB = "01";

    /**
     * Every planted costly submission ({@link CostlyFixtures}: it passes every test of its lab but
     * does the lab's costly thing) loses points on its counted line: the line's counting pass run
     * once on the reference's build and once on it (its patched classes compiled over the
     * reference's), the two counts' ratio past the rubric's first threshold. A count is the same
     * on any machine, so one run a side proves it; the full gradings, every test and every line, are
     * notes/figures/costly_fixtures.sh's. Every fixture's line is checked in the rubric; the lines run
     * for {@link #COSTLY_SMOKE_LAB} in {@code mvn verify}, for every lab in {@code .ci/long-proofs.sh}
     * ({@link Fixtures#longProofs()}).
     */
    @Test
    void everyPlantedCostlySubmissionLosesItsCountedLine() throws Exception {
        Path reference = real.grader().builtReference(workspace.labs(), tmp);
        Rubric rubric = Rubric.of(workspace);
        List<String> proved = Fixtures.proofLabs(workspace, COSTLY_SMOKE_LAB).stream()
                .map(id -> workspace.lab(id).id())
                .toList();
        List<String> kept = new ArrayList<>();
        java.util.Set<String> labsWithOne = new java.util.TreeSet<>();
        int counted = 0;
        for (CostlyFixtures.Fixture f : CostlyFixtures.all()) {
            labsWithOne.add(f.lab());
            Lab lab = workspace.lab(f.lab().substring("lab-".length()));
            Rubric.PerfBenchmark line = rubric.perf(lab.id()).stream()
                    .filter(p -> p.name().equals(f.line()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(
                            f.dir() + " names perf." + f.lab() + "." + f.line() + ", which the rubric does not have"));
            if (!line.counted() || !proved.contains(lab.id())) {
                continue; // a timed line: only the full gradings prove it; another lab: the long proofs
            }
            counted++;
            Path dir = tmp.resolve("costly").resolve(f.name());
            Path costly = CostlyFixtures.patchedModule(f, workspace, reference, dir);
            double ref =
                    CostlyFixtures.count(referenceRun(reference, lab, line), line, reference.resolve(lab.directory()));
            double cost = CostlyFixtures.count(costly, line, dir.resolve("costly.txt"));
            double fraction = rubric.perfFraction(cost / ref);
            if (!(fraction < 1)) {
                kept.add(f.lab() + "/" + f.name() + ": " + line.count().words() + " " + cost
                        + " against the reference's " + ref + " keeps every point of " + line.name());
            }
        }
        assertThat("a costly submission must lose points on its counted line", kept, empty());
        assertThat(
                "the fixtures of labs 01 to 06 lose counted lines (" + proved + " here)",
                counted,
                greaterThanOrEqualTo(Fixtures.longProofs() ? 6 : proved.size()));
        assertThat(
                "every lab has a planted costly submission",
                labsWithOne,
                equalTo(new java.util.TreeSet<>(
                        workspace.labs().stream().map(Lab::id).toList())));
    }

    /**
     * Work moved out of what a counted line counts wins neither points nor a place ({@link
     * CostlyFixtures#all(String)}, {@code uncounted}): an engine that reads everything when it opens
     * fails the hidden test that bounds what an open reads, so its lab's performance lines do not run;
     * one that answers from what it kept in memory since it wrote the data counts no better than the
     * reference, since another JVM writes the benchmark's data; one that reads the files through a
     * storage of its own, opened at the path the given storage describes, counts no better either,
     * since every storage of the JVM counts what it reads; and on the class's leaderboard the
     * reference solution ranks at or above them all.
     */
    @Test
    void workMovedOutOfTheCountWinsNeitherPointsNorAPlaceAboveTheReference() throws Exception {
        Path reference = real.grader().builtReference(workspace.labs(), tmp);
        Rubric rubric = Rubric.of(workspace);
        java.util.Map<String, GradeReport> board = new java.util.TreeMap<>();
        List<CostlyFixtures.Fixture> fixtures = CostlyFixtures.all("uncounted");
        assertThat(
                "one fixture reads everything when it opens, one answers from memory, one reads through its own storage",
                fixtures.size(),
                greaterThanOrEqualTo(3));
        for (CostlyFixtures.Fixture f : fixtures) {
            Lab lab = workspace.lab(f.lab().substring("lab-".length()));
            Path dir = tmp.resolve("uncounted").resolve(f.name());
            if (f.line().contains(".hidden.")) {
                // The hidden test class alone, on the lab's reference classes with the fixture's compiled over
                // them, as the grader runs it (a full grade of the lab would prove no more: its performance lines
                // run only when every test passes, Performance's gate).
                Path module = CostlyFixtures.patchedModule(f, workspace, reference, dir);
                List<GradedTest> tests = HiddenTests.scan(reference, lab, rubric).stream()
                        .filter(t -> t.className().equals(f.line()))
                        .toList();
                assertThat(f.dir() + " names " + f.line() + ", a hidden test class of " + f.lab(), tests, not(empty()));
                java.util.Map<String, TestSupervisor.Outcome> outcomes =
                        new TestSupervisor(rubric, Files.createDirectories(dir.resolve("scratch"))).run(module, tests);
                assertThat(
                        f.name() + " must fail " + f.line() + ": " + outcomes,
                        outcomes.values().stream().anyMatch(o -> !o.passed()),
                        is(true));
                List<PerfResult> perf =
                        new Performance(rubric, System.out).notRun(lab, "not run: a test of the lab failed");
                board.put(
                        f.name(),
                        new GradeReport(
                                f.name(),
                                List.of(new LabResult(f.lab(), lab.directory(), "isolated", null, List.of(), perf)),
                                List.of(),
                                1,
                                null));
            } else {
                Rubric.PerfBenchmark line = rubric.perf(lab.id()).stream()
                        .filter(p -> p.name().equals(f.line()) && p.counted())
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(f.dir() + " names perf." + f.lab() + "." + f.line()
                                + ", which is not a counted line of the rubric"));
                double ref = CostlyFixtures.count(
                        referenceRun(reference, lab, line), line, reference.resolve(lab.directory()));
                double kept = CostlyFixtures.count(
                        CostlyFixtures.patchedModule(f, workspace, reference, dir), line, dir.resolve("run.txt"));
                assertThat(
                        f.name() + ": " + line.count().words() + " " + kept + " against the reference's " + ref
                                + ": work moved out of the count (answers kept since the writing, files read through"
                                + " a storage of the engine's own) must not count below the reference",
                        kept / ref,
                        greaterThanOrEqualTo(1.0 - 1e-9));
                PerfResult measured = new PerfResult(
                        f.lab(),
                        line.name(),
                        line.benchmark(),
                        "",
                        true,
                        line.count().words(),
                        kept / ref,
                        kept / ref,
                        kept / ref,
                        ref,
                        kept,
                        line.count().words(),
                        1.0,
                        1,
                        true,
                        line.points(),
                        line.points(),
                        PerfResult.MEASURED,
                        "measured");
                board.put(
                        f.name(),
                        new GradeReport(
                                f.name(),
                                List.of(new LabResult(
                                        f.lab(), lab.directory(), "isolated", null, List.of(), List.of(measured))),
                                List.of(),
                                1,
                                null));
            }
        }
        Path out = Files.createDirectories(tmp.resolve("uncounted-leaderboard"));
        Leaderboard.write(board, out);
        String html = Files.readString(out.resolve("leaderboard.html"));
        int referenceRow = html.indexOf("<tr class=\"reference\">");
        assertThat("the leaderboard has the reference's row: " + html, referenceRow, greaterThan(0));
        int ranked = 0;
        for (String line :
                Files.readAllLines(out.resolve(Leaderboard.NAMES_FILE)).subList(1, board.size() + 1)) {
            String pseudonym = line.substring(0, line.indexOf(','));
            int row = html.indexOf("<td>" + pseudonym + "</td>");
            ranked += row < 0 ? 0 : 1;
            assertThat(
                    line + ": the reference ranks at or above work moved out of the count: " + html,
                    row < 0 || row > referenceRow,
                    is(true));
        }
        assertThat("the fixture that counts as the reference does ranks (below it)", ranked, greaterThanOrEqualTo(1));
    }

    /**
     * {@code ./storagelab bench --quick --peers --lab 04}: lab-04's JMH suite, and the workloads on its
     * engines and on every production peer, at the command's quick size. A benchmark run (the
     * workbench built with the peers, a JVM per engine and workload: about 100 CPU-seconds), it runs
     * in {@code .ci/long-proofs.sh} ({@link Fixtures#longProofs()}); {@code mvn verify} runs the
     * bench's JMH side on the fixture ({@code BenchCommandTest}).
     */
    @Test
    void quickBenchWithPeersRunsTheLabsEngineAndEveryProductionEngine() throws Exception {
        Fixtures.assumeLongProofs();
        Path out = tmp.resolve("bench-peers");
        long keys = 0; // the command's own quick size
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        // On the reference the proofs already built (what `./storagelab bench --quick --peers --lab 04`
        // does after copying and building its own). Online: the first run on a machine downloads
        // RocksDB, LevelDB and H2 (the Maven profile `peers`).
        dev.storagelab.grader.bench.BenchReport report = new dev.storagelab.grader.bench.Bench(
                        workspace, new PrintStream(progress, true, StandardCharsets.UTF_8))
                .sharedReference(real.grader().builtReference(List.of(workspace.lab("04")), tmp))
                .run(new dev.storagelab.grader.bench.Bench.Options(
                        List.of("04"), null, true, true, out, false, keys, keys));
        String table = Files.readString(out.resolve("bench.txt")) + progress.toString(StandardCharsets.UTF_8);
        assertThat(table, report.labs().get(0).problem(), nullValue());
        JsonObject bench = JsonParser.parseString(Files.readString(out.resolve("bench.json")))
                .getAsJsonObject();
        JsonObject workloads = bench.getAsJsonObject("workloads");
        assertThat(
                workloads.getAsJsonArray("problems").toString(),
                workloads.getAsJsonArray("problems").size(),
                is(0));
        List<String> ran = new ArrayList<>();
        workloads
                .getAsJsonArray("runs")
                .forEach(r -> ran.add(r.getAsJsonObject().get("workload").getAsString() + " on "
                        + r.getAsJsonObject().get("engine").getAsString()));
        for (String workload : List.of("fillrandom", "readrandom", "seekrandom")) {
            for (String engine : List.of("btree", "rocksdb", "leveldb", "h2")) {
                assertThat(table, ran.contains(workload + " on " + engine), is(true));
            }
        }
        JsonObject lab = bench.getAsJsonArray("labs").get(0).getAsJsonObject();
        assertThat(
                "lab-04's JMH suite ran too", lab.getAsJsonArray("benchmarks").size(), greaterThanOrEqualTo(6));
        assertThat(Files.size(out.resolve("workloads.png")), greaterThan(5_000L));
    }

    /**
     * One bug planted in lab-01's compaction costs only the tests that catch it, and they name its
     * concept. In {@code .ci/long-proofs.sh} ({@link Fixtures#longProofs()}): {@code mvn verify}
     * proves a bug's cost stays in its lab on the fixture ({@code FixtureGradingTest}), and that the
     * hidden tests catch planted bugs by the mutation audit ({@code AuditTest}).
     */
    @Test
    void oneDeliberateBugInOneLab01RegionCostsOnlyTheTestsThatCatchIt() throws IOException {
        Fixtures.assumeLongProofs();
        Lab lab01 = workspace.lab("01");
        Path submission = tmp.resolve("buggy-submission");
        FileTrees.copy(
                workspace.root().resolve(lab01.studentSources()),
                submission.resolve(lab01.studentSources()),
                p -> true);
        Path compactor = submission.resolve(lab01.studentSources()).resolve("dev/storagelab/sortedlog/Compactor.java");
        String fixed = Files.readString(compactor);
        String buggy = fixed.replace("if (e.isTombstone() && dropTombstones) {", "if (e.isTombstone()) {");
        assertThat("the bug must really be planted", buggy, not(equalTo(fixed)));
        Files.writeString(compactor, buggy);

        GradeReport report = real.grade(submission, List.of("01"));
        LabResult lab = report.isolated().get(0);
        List<TestResult> failed =
                lab.tests().stream().filter(t -> !t.outcome().passed()).toList();
        assertThat("dropping tombstones above the bottom must be caught", failed, not(empty()));
        assertThat(
                "a bug in compaction must not cost the other tasks' tests",
                failed.size(),
                lessThan(lab.tests().size() / 4));
        assertThat(
                "the student learns the concept: " + failed,
                failed.stream()
                        .anyMatch(t -> t.test()
                                .concept()
                                .toLowerCase(java.util.Locale.ROOT)
                                .contains("tombstone")),
                is(true));
        assertThat(
                lab.tests().stream()
                        .filter(t -> t.test().className().endsWith("BinarySearchHiddenTest"))
                        .allMatch(t -> t.outcome().passed()),
                is(true));
    }
}
