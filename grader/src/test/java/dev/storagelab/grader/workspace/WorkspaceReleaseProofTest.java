package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.grader.check.SurefireReports;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.grade.Grader;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.release.ReleaseLeakCheck;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
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
 * The proofs the grader owes on the real workspace's release: the exported release earns 0 and so
 * does the do-nothing release (every task returning at once), the release compiles offline and its
 * public tests fail only with the not-implemented message, filling the regions back gives the
 * workspace's files, and a lab written in full over unstarted earlier labs runs or names what to
 * finish first. The proofs on the reference are {@link WorkspaceProofTest}'s.
 */
class WorkspaceReleaseProofTest {

    @TempDir
    static Path tmp;

    private static RealWorkspace real;
    private static Workspace workspace;
    private static Path release;

    @BeforeAll
    static void open() throws IOException {
        real = new RealWorkspace(tmp);
        workspace = real.workspace;
        release = real.release();
    }

    @AfterAll
    static void workspaceIsNeverModified() {
        real.assertUnmodified();
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

    /**
     * The lab whose hidden tests {@code mvn verify} grades on the exported release; {@code
     * .ci/long-proofs.sh} grades every lab. lab-07's hidden tests are graded in no other proof of
     * {@code mvn verify} (the reference's are lab-02's, the do-nothing release's lab-04's).
     */
    static final String RELEASE_SMOKE_LAB = "07";

    /**
     * The exported release earns nothing: no hidden test awards points to code that throws
     * not-implemented in every task, and a student who has done nothing reads which task to start
     * with. Graded in {@link #RELEASE_SMOKE_LAB} in {@code mvn verify} (each lab is a build of its
     * own, so a lab takes a grading's time), in every lab in {@code .ci/long-proofs.sh} ({@link
     * Fixtures#longProofs()}).
     */
    @Test
    void exportedReleaseScoresZero() throws IOException {
        List<String> labs = Fixtures.proofLabs(workspace, RELEASE_SMOKE_LAB);
        GradeReport report = real.grade(release, labs);
        assertThat(report.error(), nullValue());
        List<String> earned = new ArrayList<>();
        assertThat(report.isolated().size(), equalTo(labs.size()));
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
     * The lab whose hidden tests {@code mvn verify} grades on the do-nothing release; {@code
     * .ci/long-proofs.sh} grades every lab.
     */
    static final String DO_NOTHING_SMOKE_LAB = "04";

    /**
     * The do-nothing release: every task returns at once with the simplest value of its type, as code
     * that was never written but compiles and runs. A hidden test that passes on it awards points
     * for nothing (one of lab-01 once counted only comparisons, which a body that returns at once
     * makes none of). Graded in {@link #DO_NOTHING_SMOKE_LAB} in {@code mvn verify} (each lab is a
     * build of its own, so a lab takes a grading's time), in every lab in {@code .ci/long-proofs.sh}
     * ({@link Fixtures#longProofs()}).
     */
    @Test
    void everyHiddenTestFailsOnTheDoNothingRelease() throws IOException {
        Path submission = tmp.resolve("do-nothing");
        DoNothingRelease.write(workspace, submission);
        List<String> labs = Fixtures.proofLabs(workspace, DO_NOTHING_SMOKE_LAB);
        GradeReport report = real.grade(submission, labs);
        assertThat(report.error(), nullValue());
        assertThat(report.isolated().size(), equalTo(labs.size()));
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

    /**
     * The lab whose public tests {@code mvn verify} grades as local checks on the release; {@code
     * .ci/long-proofs.sh} grades every lab's. Local checks are one mechanism for every lab (the
     * grader takes a release's public tests in place of the hidden ones), so one lab proves it; what
     * differs from lab to lab, that every public test fails only with the not-implemented message,
     * {@link #releaseCompilesOfflineAndPublicTestsFailOnlyWithNotImplemented()} proves for another
     * lab, and for every lab in the long proofs.
     */
    static final String LOCAL_CHECKS_SMOKE_LAB = "01";

    @Test
    void studentReleaseGradesItsPublicTestsAsLocalChecks() throws IOException {
        List<String> labs = Fixtures.proofLabs(workspace, LOCAL_CHECKS_SMOKE_LAB);
        GradeReport report =
                releaseGrader().grade(null, labs, Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), nullValue());
        assertThat(report.isolated().size(), equalTo(labs.size()));
        for (LabResult lab : report.isolated()) {
            assertThat(
                    lab.lab() + " has public tests to run as local checks",
                    lab.tests().size(),
                    greaterThan(20));
            for (TestResult t : lab.tests()) {
                assertThat(
                        t.test().concept(),
                        equalTo(HiddenTests.LOCAL_CHECK
                                + HandoutTasks.concept(t.test().methodName())));
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

    /**
     * The lab whose public tests {@code mvn verify} runs in the release's own Maven build, which
     * compiles every module and every test all the same; {@code .ci/long-proofs.sh} runs every lab's.
     * lab-07's tests run over the code of four earlier labs, so they meet the not-implemented tasks
     * of other labs too.
     */
    static final String PUBLIC_TESTS_SMOKE_LAB = "07";

    /**
     * The release compiles offline, every module and every test, and its public tests fail only
     * with the not-implemented message: {@link #PUBLIC_TESTS_SMOKE_LAB}'s in {@code mvn verify},
     * every lab's in {@code .ci/long-proofs.sh} ({@link Fixtures#longProofs()}).
     */
    @Test
    void releaseCompilesOfflineAndPublicTestsFailOnlyWithNotImplemented() throws Exception {
        // In the release as the grader built it (offline): Maven compiles what the grader's build
        // did not (the grader and the workbench, every test), and runs the public tests.
        releaseGrader();
        Path copy = releaseBuild();
        List<Lab> labs = Fixtures.proofLabs(workspace, PUBLIC_TESTS_SMOKE_LAB).stream()
                .map(workspace::lab)
                .toList();
        runMavenTests(copy, labs);
        List<String> wrongFailures = new ArrayList<>();
        int notImplemented = 0;
        int passed = 0;
        for (Lab lab : labs) {
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
     * student learns it from the handout, not from a failing run). It runs in {@code
     * .ci/long-proofs.sh} ({@link Fixtures#longProofs()}): the release's build of labs 01 to 06 takes
     * about a minute of CPU, and {@code mvn verify} proves the same command over an unfinished earlier
     * lab on the fixture's two labs ({@code LabReleaseTest}).
     */
    @Test
    void lab06WrittenInFullOverAnUnstartedLab05PassesOrNamesWhatToFinishAsItsHandoutSays() throws IOException {
        Fixtures.assumeLongProofs();
        // lab-06's MVCC tasks (T4, T5, T6, T8) need nothing of lab-05
        writtenInFullOverUnstartedEarlierLabs("06", 8, 4);
    }

    /** lab-07's form of the proof above, over a larger lab: in {@code .ci/long-proofs.sh} too ({@link Fixtures#longProofs()}). */
    @Test
    void lab07WrittenInFullOverUnstartedLabs05And06PassesOrNamesWhatToFinishAsItsHandoutSays() throws IOException {
        Fixtures.assumeLongProofs();
        // lab-07's cost model, tracker, replacement policies and write-back cache (T1 to T4) need neither
        writtenInFullOverUnstartedEarlierLabs("07", 11, 4);
    }

    /** The release given out with labs 01 to 04 solved, as exported; and the copy of it the proofs write their lab into. */
    private static Path solvedRelease;

    private static Path writtenCopy;

    private static synchronized void writtenInFullOverUnstartedEarlierLabs(
            String labNumber, int tasks, int passingAtLeast) throws IOException {
        Lab lab = workspace.lab(labNumber);
        if (writtenCopy == null) {
            // As a student gets it who starts at lab-05: labs 01 to 04 given out solved.
            solvedRelease = tmp.resolve("release-solved-01-04");
            new Exporter(workspace).export(solvedRelease, Set.of("01", "02", "03", "04"));
            writtenCopy = tmp.resolve("release-written");
            FileTrees.copy(solvedRelease, writtenCopy, p -> true);
        }
        // One copy for both proofs: this lab written in full, every other lab's files as the release gives
        // them (only the files that differ are written, so its build compiles the labs that changed, and
        // the solved labs and lab-05 once for both).
        for (Lab l : workspace.labs()) {
            mirror(
                    (l.equals(lab) ? workspace.root() : solvedRelease).resolve(l.studentSources()),
                    writtenCopy.resolve(l.studentSources()));
        }
        Fixtures.CliRun run = Fixtures.cli(writtenCopy, "test", "--lab", labNumber, "--offline");
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

    /**
     * Makes {@code dest} hold exactly {@code from}'s files, writing only those whose bytes differ and
     * deleting those {@code from} does not have.
     */
    private static void mirror(Path from, Path dest) throws IOException {
        Set<Path> kept = new java.util.HashSet<>();
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = from.relativize(f);
                Path to = dest.resolve(rel.toString());
                kept.add(Path.of(rel.toString()));
                if (!Files.isRegularFile(to) || Files.mismatch(f, to) != -1) {
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        if (Files.isDirectory(dest)) {
            try (Stream<Path> files = Files.walk(dest)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    if (!kept.contains(Path.of(dest.relativize(f).toString()))) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /**
     * Runs {@code mvn test} in {@code root}: every module compiled, and the public tests of {@code
     * labs} run (those of every lab: every test; of fewer, only the test classes in the packages of
     * their test sources).
     */
    private static void runMavenTests(Path root, List<Lab> labs) throws Exception {
        List<String> cmd = new ArrayList<>(LabBuild.maven());
        if (labs.size() < workspace.labs().size()) {
            cmd.add("-Dtest=" + testsOf(root, labs));
            cmd.add("-Dsurefire.failIfNoSpecifiedTests=false");
        }
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

    /**
     * A Surefire test pattern of every class in the packages of {@code labs}' test sources in {@code
     * root} (each lab's packages are its own), their subpackages included.
     */
    private static String testsOf(Path root, List<Lab> labs) throws IOException {
        java.util.SortedSet<String> packages = new java.util.TreeSet<>();
        for (Lab lab : labs) {
            Path tests = root.resolve(lab.directory()).resolve("src/test/java");
            try (Stream<Path> files = Files.walk(tests)) {
                files.filter(f -> f.toString().endsWith(".java"))
                        .forEach(f ->
                                packages.add(tests.relativize(f.getParent()).toString()));
            }
        }
        assertThat("the public tests of " + labs, packages, not(empty()));
        for (String p : packages) {
            assertThat("a package name", p, Matchers.matchesPattern("[a-z0-9/]+"));
        }
        // a class file's path or a class's name: either separator
        return "%regex[.*("
                + String.join(
                        "|", packages.stream().map(p -> p.replace("/", "[/.]")).toList()) + ")[/.].*]";
    }
}
