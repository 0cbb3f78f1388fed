package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;

import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.run.TestSupervisor.Status;
import dev.storagelab.grader.workspace.RealWorkspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planted hangs, one per lab whose code waits on other threads (lab-04's latches, lab-06's
 * group commit, lab-07's moves), under {@code fixtures/hangs/<lab>/<name>/}:
 *
 * <ul>
 *   <li>{@code hang.patch}: a unified diff against the workspace's reference (paths from its root,
 *       {@code a/} and {@code b/}): every task right but one, whose bug leaves threads waiting for
 *       ever;
 *   <li>{@code hangs}: first line, the tasks whose tests must hang (a bug in one task hangs the tests
 *       of every task that runs its code); second line, a regular expression each of their lines of
 *       the report must match (the wait: the lock and the lab's frames); third line, the tasks whose
 *       every test must pass all the same (the ones that do not run the planted code); then
 *       fourth line, {@code smoke: } and a regular expression of hidden test ids: the classes the
 *       smoke grades (some of the tests that hang, and some of the tasks the bug does not touch);
 *       then {@code #} lines saying what the bug is.
 * </ul>
 *
 * Each is graded (its lab, isolated, without performance), the three side by side (a hang's
 * seconds are idle ones), and must come out with no test left unrun, every hang found by the test
 * JVM's watch (hung, never timed out at the deadline), said once at each task with its wait, and
 * every test of the untouched tasks passing. In {@code mvn verify} each grades its smoke's tests;
 * {@code notes/figures/hang_fixtures.sh} ({@code -Dstoragelab.hangs.whole=true}) grades each lab
 * whole, every hidden test in the lab's own time: minutes, not seconds.
 */
class HangFixturesTest {

    @TempDir
    static Path tmp;

    private static RealWorkspace real;

    /** Every hidden test of each lab, not only the smoke's (with the other long proofs too: {@link Fixtures#longProofs()}). */
    static final boolean WHOLE = Boolean.getBoolean("storagelab.hangs.whole") || Fixtures.longProofs();

    @BeforeAll
    static void open() {
        real = new RealWorkspace(tmp);
    }

    @AfterAll
    static void workspaceIsNeverModified() {
        real.assertUnmodified();
    }

    /** One planted hang. */
    record Fixture(
            String lab,
            String name,
            Path dir,
            List<String> tasks,
            String waitPattern,
            List<String> untouched,
            String smoke) {
        Path patch() {
            return dir.resolve("hang.patch");
        }

        @Override
        public String toString() {
            return lab + "/" + name;
        }
    }

    static List<Fixture> fixtures() throws IOException {
        List<Fixture> fixtures = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Fixtures.resources().resolve("hangs"))) {
            for (Path patch : files.filter(p -> p.getFileName().toString().equals("hang.patch"))
                    .sorted()
                    .toList()) {
                Path dir = patch.getParent();
                List<String> lines = Files.readAllLines(dir.resolve("hangs"), StandardCharsets.UTF_8);
                fixtures.add(new Fixture(
                        dir.getParent().getFileName().toString(),
                        dir.getFileName().toString(),
                        dir,
                        Arrays.asList(lines.get(0).strip().split("\\s+")),
                        lines.get(1).strip(),
                        Arrays.asList(lines.get(2).strip().split("\\s+")),
                        smoke(dir, lines.get(3))));
            }
        }
        return fixtures;
    }

    private static String smoke(Path dir, String line) {
        if (!line.startsWith("smoke: ")) {
            throw new IllegalArgumentException(dir + "/hangs: the fourth line must be `smoke: ` and a regular"
                    + " expression of the hidden test ids the smoke grades, not " + line);
        }
        return line.substring("smoke: ".length()).strip();
    }

    @Test
    void everyPlantedHangIsFoundInSecondsAndSaidAtItsTasksAndTheOtherTasksTestsAllRun() throws Exception {
        List<Fixture> fixtures = fixtures();
        Set<String> labs = new TreeSet<>();
        fixtures.forEach(f -> labs.add(f.lab()));
        assertThat(labs, hasItems("lab-04", "lab-06", "lab-07"));
        Grader grader = real.grader();
        if (!WHOLE) { // ids name their lab's package, so one expression selects each fixture's own
            grader.only(String.join("|", fixtures.stream().map(Fixture::smoke).toList()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(fixtures.size());
        List<Future<String>> problems = new ArrayList<>();
        for (Fixture f : fixtures) {
            Path submission = Fixtures.patchedSubmission(f.patch(), real.workspace.root(), tmp.resolve(f.name()));
            problems.add(pool.submit(() -> {
                long start = System.nanoTime();
                GradeReport report = grader.grade(
                        submission,
                        List.of(f.lab().substring("lab-".length())),
                        Grader.Mode.ISOLATED,
                        Files.createTempDirectory(tmp, "scratch"));
                return problems(f, report, (System.nanoTime() - start) / 1e9);
            }));
        }
        pool.shutdown();
        List<String> found = new ArrayList<>();
        for (Future<String> p : problems) {
            if (!p.get().isEmpty()) {
                found.add(p.get());
            }
        }
        assertThat(found, empty());
    }

    /** What is wrong with {@code f}'s grading, {@code report}; empty if nothing. */
    private static String problems(Fixture f, GradeReport report, double seconds) {
        LabResult lab = report.isolated().get(0);
        if (lab.problem() != null) {
            return f + ": " + lab.problem();
        }
        List<String> wrong = new ArrayList<>();
        Set<String> hungTasks = new TreeSet<>();
        for (TestResult t : lab.tests()) {
            Status s = t.outcome().status();
            String line = t.test().task() + " " + t.test().displayName() + " " + s + ": "
                    + t.outcome().message();
            if (s == Status.NOT_RUN) {
                wrong.add("left unrun: " + line);
            } else if (s == Status.TIMED_OUT) {
                wrong.add("found at the deadline, not by the watch: " + line);
            } else if (s == Status.HUNG) {
                hungTasks.add(t.test().task());
                System.out.println(f + ": hung: " + t.test().id());
            }
            if (f.untouched().contains(t.test().task()) && !t.outcome().passed()) {
                wrong.add("a test of a task the bug does not touch fails: " + line);
            }
        }
        if (!WHOLE && lab.tests().size() == 0) {
            wrong.add("the smoke selects no test: " + f.smoke());
        }
        if (!hungTasks.containsAll(f.tasks())) {
            wrong.add("these tasks must hang: " + f.tasks() + "; the tasks that hang: " + hungTasks);
        }
        StringWriter terminal = new StringWriter();
        ReportWriter.printTable(report, new PrintWriter(terminal, true));
        for (String task : f.tasks()) {
            String head = f.lab() + " " + task + " hangs (";
            List<String> lines = terminal.toString()
                    .lines()
                    .map(String::strip)
                    .filter(l -> l.startsWith(head))
                    .toList();
            if (lines.size() != 1 || !lines.get(0).matches(".*" + f.waitPattern() + ".*")) {
                wrong.add(task + "'s hang must be said once, with its wait (" + f.waitPattern() + "): " + lines);
            }
        }
        System.out.printf(
                "%s: graded in %.0f s; %d of %d tests passed; hung in %s%n",
                f, seconds, lab.passed(), lab.tests().size(), hungTasks);
        return wrong.isEmpty() ? "" : f + ":\n" + String.join("\n", wrong);
    }
}
