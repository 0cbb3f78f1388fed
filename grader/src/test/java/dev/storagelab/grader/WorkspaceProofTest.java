package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
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
import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.TestResult;
import dev.storagelab.grader.bench.JmhRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proofs the grader owes on the real workspace: the reference earns 100%, the exported
 * release earns 0 and so does the do-nothing release (every task returning at once), the release
 * compiles offline and its public tests fail only with the not-implemented message, and filling
 * the regions back makes them pass.
 */
class WorkspaceProofTest {

    @TempDir
    static Path tmp;

    private static Workspace workspace;
    private static Path release;
    private static String digestBefore;

    @BeforeAll
    static void export() throws IOException {
        workspace = Workspace.at(Fixtures.realWorkspace());
        digestBefore = Fixtures.treeDigest(workspace.root());
        release = tmp.resolve("release");
        new Exporter(workspace).export(release);
    }

    @AfterAll
    static void workspaceIsNeverModified() {
        assertThat(
                "export and grade must only read the workspace",
                Fixtures.treeDigest(workspace.root()),
                equalTo(digestBefore));
    }

    private static Grader grader;

    /** Grades with one grader, so the workspace's reference is built once for every proof. */
    private static GradeReport grade(Path submission) throws IOException {
        return grade(submission, List.of());
    }

    private static synchronized GradeReport grade(Path submission, List<String> labs) throws IOException {
        return grader().grade(submission, labs, Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
    }

    private static synchronized Grader grader() throws IOException {
        if (grader == null) {
            // Performance is measured by the fixture's proofs and by `./storagelab grade` itself:
            // here, every lab's benchmarks twice on each side would cost minutes.
            // The reference is this `mvn verify`'s own build of the labs, copied: compiling every
            // lab again would give the same classes (the grader's copy-and-build of a whole
            // workspace is proven on the release, by releaseGrader()).
            grader = new Grader(workspace, new PrintStream(OutputStream.nullOutputStream()), true)
                    .perf(false)
                    .sharedReference(Fixtures.reactorReference(workspace, tmp.resolve("reference")));
        }
        return grader;
    }

    private static Grader releaseGrader;

    /**
     * The grader of the student release (a copy of it, as a student's workspace), its reference
     * (the release itself) copied and built once by the grader's own build, offline: the local
     * checks run on that build, and `mvn test` runs in it ({@link #releaseBuild()}), so the release
     * is compiled once for both proofs.
     */
    private static synchronized Grader releaseGrader() throws IOException {
        if (releaseGrader == null) {
            Path copy = tmp.resolve("release-local");
            FileTrees.copy(release, copy, p -> true);
            releaseGrader = new Grader(Workspace.at(copy), new PrintStream(OutputStream.nullOutputStream()), true)
                    .sharedReference(releaseBuild());
            releaseGrader.prepareReference(List.of());
        }
        return releaseGrader;
    }

    /** Where {@link #releaseGrader()} builds the release. */
    private static Path releaseBuild() {
        return tmp.resolve("release-build");
    }

    @Test
    void referenceWorkspaceScoresFullMarksOnEveryLab() throws IOException {
        GradeReport report = grade(null);
        assertThat(report.error(), nullValue());
        assertThat(report.isolated().size(), equalTo(workspace.labs().size()));
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

    @Test
    void everyRubricPerformanceLineRunsExactlyOneBenchmarkOfTheReference() throws IOException {
        Path reference = grader().builtReference(workspace.labs(), tmp);
        Rubric rubric = Rubric.of(workspace);
        List<String> wrong = new ArrayList<>();
        int lines = 0;
        for (Lab lab : workspace.labs()) {
            for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
                lines++;
                JmhRunner.Run run = referenceRun(reference, lab, p);
                if (!run.ok() || run.scores().size() != 1) {
                    wrong.add("perf." + lab.id() + "." + p.name() + ": "
                            + run.scores().size() + " results; " + (run.ok() ? "" : run.problem()));
                }
            }
        }
        assertThat("a performance line must name one benchmark and one parameter set of the reference", wrong, empty());
        assertThat(
                "every lab earns some points for speed",
                lines,
                greaterThanOrEqualTo(workspace.labs().size()));
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
     * Every planted costly submission ({@link CostlyFixtures}: it passes every test of its lab but
     * does the lab's costly thing) loses points on its counted line: the line's counting pass run
     * once on the reference's build and once on it (its patched classes compiled over the
     * reference's), the two counts' ratio past the rubric's first threshold. A count is the same
     * on any machine, so one run a side proves it; the full gradings, every test and every line, are
     * notes/figures/costly_fixtures.sh's.
     */
    @Test
    void everyPlantedCostlySubmissionLosesItsCountedLine() throws Exception {
        Path reference = grader().builtReference(workspace.labs(), tmp);
        Rubric rubric = Rubric.of(workspace);
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
            if (!line.counted()) {
                continue; // a timed line: only the full gradings prove it
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
        assertThat("the fixtures of labs 01 to 06 lose counted lines", counted, greaterThanOrEqualTo(6));
        assertThat(
                "every lab has a planted costly submission",
                labsWithOne,
                equalTo(new java.util.TreeSet<>(
                        workspace.labs().stream().map(Lab::id).toList())));
    }

    @Test
    void quickBenchWithPeersRunsTheLabsEngineAndEveryProductionEngine() throws Exception {
        Path out = tmp.resolve("bench-peers");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        // On the reference the proofs already built (what `./storagelab bench --quick --peers --lab 04`
        // does after copying and building its own). Online: the first run on a machine downloads
        // RocksDB, LevelDB and H2 (the Maven profile `peers`).
        dev.storagelab.grader.bench.BenchReport report = new dev.storagelab.grader.bench.Bench(
                        workspace, new PrintStream(progress, true, StandardCharsets.UTF_8))
                .sharedReference(grader().builtReference(List.of(workspace.lab("04")), tmp))
                .run(new dev.storagelab.grader.bench.Bench.Options(List.of("04"), null, true, true, out, false, 0, 0));
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

    @Test
    void exportedReleaseScoresZero() throws IOException {
        GradeReport report = grade(release);
        assertThat(report.error(), nullValue());
        List<String> earned = new ArrayList<>();
        assertThat(report.isolated().size(), equalTo(workspace.labs().size()));
        for (LabResult lab : report.isolated()) {
            // a release lab whose build or hidden tests fail to compile also scores 0: that must fail here
            assertThat(lab.lab() + " built on the release and ran its hidden tests", lab.problem(), nullValue());
            assertThat(
                    lab.lab() + " ran hidden tests on the release", lab.tests().isEmpty(), equalTo(false));
            for (TestResult t : lab.tests()) {
                if (t.earned() > 0) {
                    earned.add(t.test().id());
                }
            }
        }
        assertThat("these hidden tests award points without any student work", earned, empty());
        assertThat(report.max(), greaterThan(0.0));

        // What a student who has done nothing reads: a table of tasks first; each lab's first line
        // names a task that is not implemented (the cause), not a concept the tests detect; no
        // library banner or JVM warning in any message.
        Path out = tmp.resolve("release-report");
        dev.storagelab.grader.report.ReportWriter.writeAll(report, out);
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md.indexOf("| lab |"), is(md.indexOf("| lab | task | handout | points |")));
        for (LabResult lab : report.isolated()) {
            assertThat(md, containsString("| " + lab.lab() + " | T1 | "));
            String heading = "\n## " + lab.lab() + "\n";
            assertThat(md, containsString(heading));
            String section =
                    md.substring(md.indexOf(heading) + heading.length()).strip();
            String first = section.substring(0, section.indexOf('\n'));
            assertThat(
                    "the first line of " + lab.lab() + " names a task not implemented",
                    first,
                    Matchers.matchesPattern("\\*\\*" + lab.lab() + " T\\d+ .* is not implemented yet .*"));
        }
        for (String noise : List.of("jqwik", "tries = ", "WARNING:", "VM warning", "deprecated")) {
            assertThat(md, not(containsString(noise)));
        }
    }

    /**
     * The do-nothing release: every task returns at once with the simplest value of its type, as code
     * that was never written but compiles and runs. A hidden test that passes on it awards points
     * for nothing (one of lab-01 once counted only comparisons, which a body that returns at once
     * makes none of).
     */
    @Test
    void everyHiddenTestFailsOnTheDoNothingRelease() throws IOException {
        Path submission = tmp.resolve("do-nothing");
        DoNothingRelease.write(workspace, submission);
        GradeReport report = grade(submission);
        assertThat(report.error(), nullValue());
        List<String> passing = new ArrayList<>();
        for (LabResult lab : report.isolated()) {
            assertThat(
                    lab.lab() + " built on the do-nothing release and ran its hidden tests",
                    lab.problem(),
                    nullValue());
            for (TestResult t : lab.tests()) {
                if (t.outcome().passed()) {
                    passing.add(t.test().id());
                }
            }
        }
        assertThat("these hidden tests pass on code that does nothing", passing, empty());
    }

    @Test
    void oneDeliberateBugInOneLab01RegionCostsOnlyTheTestsThatCatchIt() throws IOException {
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

        GradeReport report = grade(submission, List.of("01"));
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

    @Test
    void studentReleaseGradesItsPublicTestsAsLocalChecks() throws IOException {
        GradeReport report =
                releaseGrader().grade(null, List.of(), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), nullValue());
        assertThat(report.isolated().size(), equalTo(workspace.labs().size()));
        for (LabResult lab : report.isolated()) {
            assertThat(
                    lab.lab() + " has public tests to run as local checks",
                    lab.tests().size(),
                    greaterThan(20));
            for (TestResult t : lab.tests()) {
                assertThat(
                        t.test().concept(),
                        equalTo(HiddenTests.LOCAL_CHECK
                                + LabTests.concept(t.test().methodName())));
                assertThat(
                        "on the starter every local check of student work fails as not implemented: "
                                + t.test().id(),
                        t.outcome().message(),
                        containsString("is not implemented yet"));
            }
        }
    }

    @Test
    void exportIsByteIdenticalAndLeavesInstructorFilesBehind() throws IOException {
        Path again = tmp.resolve("release-again");
        new Exporter(workspace).export(again);
        assertThat(
                "exporting twice must give the same bytes",
                Fixtures.treeDigest(again),
                equalTo(Fixtures.treeDigest(release)));
        try (Stream<Path> files = Files.walk(release)) {
            List<String> leaked = files.map(p -> release.relativize(p).toString())
                    .filter(p -> p.contains("src/hidden") || p.startsWith(".ci") || p.startsWith("grader/src/test"))
                    .toList();
            assertThat(leaked, empty());
        }
        assertThat(
                "instructor-only Markdown stays behind",
                Files.readString(release.resolve("README.md")),
                not(containsString("Writing a lab (instructors only)")));
        assertThat(Files.isExecutable(release.resolve("storagelab")), is(true));
    }

    @Test
    void releaseCarriesNoSolutionNoAuditRecordAndNoHiddenTest() throws IOException {
        // export has refused to write a release that fails this check; here it runs on the release
        // every other proof uses, and shows that it had something to look for.
        ReleaseLeakCheck.Report report =
                ReleaseLeakCheck.of(workspace, java.util.Set.of()).check(release);
        assertThat(report.describe(), report.leaks(), empty());
        assertThat("every lab's regions are read", report.regions(), greaterThan(100));
        assertThat(report.regionWindows(), greaterThan(1000));
        assertThat("the audit's records and the hidden tests are read", report.instructorWindows(), greaterThan(1000));
        assertThat("the release's text files are all read", report.filesChecked(), greaterThan(1000));
        for (String leftOut : List.of(
                "notes/audit.md", "notes/data/audit-lab-04.txt", "notes/data/lab07/bench/whatif-dirty-view.patch")) {
            assertThat(leftOut + " stays behind", Files.exists(release.resolve(leftOut)), is(false));
        }
        assertThat(
                "a note in the release cites no file the release leaves out",
                ReleaseLeakCheck.citationsOfLeftOutFiles(workspace.root(), release),
                empty());
    }

    @Test
    void releaseCompilesOfflineAndPublicTestsFailOnlyWithNotImplemented() throws Exception {
        // In the release as the grader built it (offline): Maven compiles what the grader's build
        // did not (the grader and the workbench), and runs every public test.
        releaseGrader();
        Path copy = releaseBuild();
        runMavenTests(copy);
        List<String> wrongFailures = new ArrayList<>();
        int notImplemented = 0;
        int passed = 0;
        for (Lab lab : workspace.labs()) {
            for (SurefireReports.Case t : SurefireReports.read(copy.resolve(lab.directory()))) {
                if (t.passed()) {
                    passed++;
                } else if (t.failure() != null
                        && t.failure().contains("NotImplementedException")
                        && t.failure().contains("is not implemented yet")) {
                    notImplemented++;
                } else {
                    wrongFailures.add(t.className() + "#" + t.name() + ": "
                            + String.valueOf(t.failure()).lines().limit(3).toList());
                }
            }
        }
        assertThat("a starter test may only fail because a region is not implemented yet", wrongFailures, empty());
        assertThat("the starter's public tests must exercise the student regions", notImplemented, greaterThan(20));
        assertThat("tests of code the students are given pass in the release", passed, greaterThan(0));

        // Filling every region back from the reference gives the workspace's own files, byte for
        // byte: the sources, the public tests and the build. So this `mvn verify`'s run of every
        // lab's public tests on the reference is the proof that they pass on a completed release;
        // running them a second time here would prove nothing more.
        // (On a copy of its own: the build above stays the release's, for the local checks.)
        Path filled = tmp.resolve("release-filled");
        FileTrees.copy(release, filled, p -> true);
        List<String> differ = new ArrayList<>();
        for (Lab lab : workspace.labs()) {
            FileTrees.copy(
                    workspace.root().resolve(lab.studentSources()), filled.resolve(lab.studentSources()), p -> true);
            Path module = filled.resolve(lab.directory());
            try (Stream<Path> files = Files.walk(module)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String rel = filled.relativize(f).toString();
                    if (rel.contains("/target/") || rel.endsWith(".md") || rel.contains("/.jqwik-database")) {
                        continue; // build output; handouts lose their instructor parts by design
                    }
                    Path original = workspace.root().resolve(rel);
                    if (!Files.exists(original) || Files.mismatch(f, original) != -1) {
                        differ.add(rel);
                    }
                }
            }
        }
        assertThat("with the regions filled back in, the release's lab files are the workspace's", differ, empty());
    }

    /**
     * A stuck lab does not block the next one where it need not: in a release given out with labs
     * 01 to 04 solved and the labs between them not started, lab-06 (and lab-07) written in full
     * runs its tests; each task's line either passes, or names the earlier task to finish first,
     * and then the handout's section of that task says it needs that task, or all of that lab (so a
     * student learns it from the handout, not from a failing run).
     */
    @Test
    void lab06WrittenInFullOverAnUnstartedLab05PassesOrNamesWhatToFinishAsItsHandoutSays() throws IOException {
        // lab-06's MVCC tasks (T4, T5, T6, T8) need nothing of lab-05
        writtenInFullOverUnstartedEarlierLabs("06", 8, 4);
    }

    @Test
    void lab07WrittenInFullOverUnstartedLabs05And06PassesOrNamesWhatToFinishAsItsHandoutSays() throws IOException {
        // lab-07's cost model, tracker, replacement policies and write-back cache (T1 to T4) need neither
        writtenInFullOverUnstartedEarlierLabs("07", 11, 4);
    }

    private static void writtenInFullOverUnstartedEarlierLabs(String labNumber, int tasks, int passingAtLeast)
            throws IOException {
        Lab lab = workspace.lab(labNumber);
        Path copy = tmp.resolve("release-" + lab.id() + "-written");
        // As a student gets it who starts at lab-05: labs 01 to 04 given out solved.
        new Exporter(workspace).export(copy, Set.of("01", "02", "03", "04"));
        FileTrees.copy(workspace.root().resolve(lab.studentSources()), copy.resolve(lab.studentSources()), p -> true);
        Fixtures.CliRun run = Fixtures.cli(copy, "test", "--lab", labNumber, "--offline");
        String handout = Files.readString(
                workspace.root().resolve(lab.directory()).resolve("README.md"), StandardCharsets.UTF_8);
        List<String> taskLines =
                run.out().lines().filter(l -> l.matches("^T\\d+\\s.*")).toList();
        assertThat(run.out() + run.err(), taskLines.size(), is(tasks));
        Pattern finishFirst = Pattern.compile("finish (lab-0[1-6] T\\d+) first");
        int passing = 0;
        for (String line : taskLines) {
            String task = line.substring(0, line.indexOf(' '));
            Matcher blocked = finishFirst.matcher(line);
            if (blocked.find()) {
                String section = handout.substring(handout.indexOf("\n## " + task + "\n"));
                section = section.substring(0, section.indexOf("\n## ", 1));
                String earlierLab = blocked.group(1).substring(0, "lab-05".length());
                assertThat(
                        lab.id() + " " + task + "'s tests need " + blocked.group(1) + ": its handout section says so",
                        section,
                        anyOf(containsString(blocked.group(1)), containsString("all of " + earlierLab)));
            } else {
                assertThat("a task that needs no earlier task passes", line, containsString("all pass"));
                passing++;
            }
        }
        assertThat(run.out(), passing, greaterThanOrEqualTo(passingAtLeast));
    }

    private static void runMavenTests(Path root) throws Exception {
        List<String> cmd = new ArrayList<>(LabBuild.maven());
        // Sources against classes by time, as the grader's build compiled them: what that build
        // compiled is not compiled again.
        cmd.addAll(List.of(
                "-B",
                "-q",
                "-o",
                "-Dstyle.color=never",
                "-Denforcer.skip=true",
                "-Dmaven.compiler.useIncrementalCompilation=false",
                "-Dmaven.test.failure.ignore=true",
                "test"));
        Path log = tmp.resolve("mvn-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat("maven must finish", p.waitFor(10, TimeUnit.MINUTES), is(true));
        assertThat("the release must compile and its tests run:\n" + Files.readString(log), p.exitValue(), is(0));
    }
}
