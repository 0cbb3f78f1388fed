package dev.storagelab.grader.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.grade.Gradebook;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output of a grade says which of the three walls stood ({@link Walls}): the terminal,
 * {@code results.json} (Gradescope), PrairieLearn's results, {@code grade.json}, {@code report.md}
 * and the gradebook. A grade without one prints a warning line, and {@code --require-walls} (the
 * platforms' packages grade with it) refuses it with exit status 2. A wall is taken away by running
 * the grader in a JVM of its own with the policy turned off ({@code STORAGELAB_SANDBOX=off}).
 */
class WallsTest {

    @TempDir
    static Path tmp;

    private static Path workspace;

    @BeforeAll
    static void fixture() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
    }

    private record Run(int exit, String out) {}

    /** The fixture's reference, built once in this test JVM ({@link Fixtures#sharedReference}), for --reference-build. */
    private static String reference() throws IOException {
        return Fixtures.sharedReference(workspace).toString();
    }

    /** {@code args} and {@code --reference-build} with {@link #reference()}. */
    private static String[] withReference(String... args) throws IOException {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--reference-build";
        all[args.length + 1] = reference();
        return all;
    }

    /** {@code ./storagelab --workspace WS ARGS...} in a JVM of its own, with the policy turned off. */
    private static Run withoutPolicy(String... args) throws Exception {
        return without("STORAGELAB_SANDBOX", args);
    }

    /** {@code ./storagelab --workspace WS ARGS...} in a JVM of its own, with the wall {@code variable} names turned off. */
    private static Run without(String variable, String... args) throws Exception {
        Path log = Files.createTempFile(tmp, "grader", ".log");
        Process p = Fixtures.graderProcess(workspace, null, Map.of(variable, "off"), log, args);
        boolean ended = p.waitFor(10, TimeUnit.MINUTES);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(out, ended, is(true));
        return new Run(p.exitValue(), out);
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void aGradeWithoutThePolicySaysSoInEveryOutputAndWarnsInTheTerminal() throws Exception {
        Path out = tmp.resolve("without-policy");
        Run run = withoutPolicy(
                "grade", "--offline", "--lab", "02", "--out", out.toString(), "--reference-build", reference());
        assertThat(run.out(), run.exit(), is(0));
        assertThat(run.out(), containsString("missing: in-JVM policy"));
        assertThat(
                "a warning line, with why",
                run.out(),
                containsString(
                        "warning: graded without the in-JVM policy: no in-JVM policy: turned off by STORAGELAB_SANDBOX=off"));

        JsonObject results = json(out.resolve("results.json"));
        assertThat("it was graded", results.get("score").getAsDouble(), closeTo(3.0, 1e-9));
        assertThat(results.get("output").getAsString(), containsString("missing: in-JVM policy"));
        assertThat(
                json(out.resolve(dev.storagelab.grader.report.ReportWriter.PRAIRIELEARN))
                        .get("message")
                        .getAsString(),
                containsString("missing: in-JVM policy"));
        JsonObject walls = json(out.resolve("grade.json")).getAsJsonObject("walls");
        assertThat(walls.get("allow_list").getAsBoolean(), is(true));
        assertThat(walls.get("in_jvm_policy").getAsBoolean(), is(false));
        assertThat(walls.getAsJsonArray("missing").toString(), containsString("in-JVM policy"));
        String report = Files.readString(out.resolve("report.md"));
        assertThat(report, containsString("**Graded without:**"));
        assertThat(report, containsString("STORAGELAB\\_SANDBOX=off"));
    }

    /**
     * As a grader that is not root grades (an instructor's laptop): the test JVMs and the
     * benchmarks' JVMs run as the grader's user, on the build's class path, and the policy is their wall. They get the runner's
     * classes alone: with the grader's classes on their class path, the policy's agent started from
     * the grader's copy of itself, and every test JVM stopped before its first test.
     */
    @Test
    void aGradeWithoutThePerRunUserGradesWholeBehindThePolicy() throws Exception {
        assumeTrue(SandboxPolicy.available(), "no in-JVM policy here");
        Path out = tmp.resolve("without-user");
        Run run = without(
                "STORAGELAB_CONFINE", "grade", "--offline", "--out", out.toString(), "--reference-build", reference());
        assertThat(run.out(), run.exit(), is(0));
        assertThat(run.out(), containsString("walls: allow-list, in-JVM policy; missing: per-run user\n"));
        assertThat(
                run.out(),
                containsString(
                        "warning: graded without the per-run user: not confined: turned off by STORAGELAB_CONFINE=off"));
        JsonObject results = json(out.resolve("results.json"));
        assertThat(
                "every test and benchmark ran: " + run.out(),
                results.get("score").getAsDouble(),
                closeTo(16.0, 1e-9));
        assertThat(run.out(), containsString("perf squares                3/3"));
        JsonObject walls = json(out.resolve("grade.json")).getAsJsonObject("walls");
        assertThat(walls.get("in_jvm_policy").getAsBoolean(), is(true));
        assertThat(walls.getAsJsonArray("missing").toString(), containsString("per-run user"));
    }

    @Test
    void requireWallsRefusesAGradeWithoutThePolicyAndSaysWhyInTheResults() throws Exception {
        Path out = tmp.resolve("refused");
        Run run = withoutPolicy("grade", "--offline", "--lab", "02", "--out", out.toString(), "--require-walls");
        assertThat(run.out(), run.exit(), is(2));
        assertThat(
                run.out(),
                containsString("refused to grade without all three walls (--require-walls): missing in-JVM policy"));
        JsonObject results = json(out.resolve("results.json"));
        assertThat(results.get("score").getAsDouble(), closeTo(0.0, 1e-9));
        assertThat(results.get("output").getAsString(), containsString("Grading could not run: refused to grade"));

        Path submissions = Files.createDirectories(tmp.resolve("class").resolve("someone"));
        Run all = withoutPolicy(
                "grade-all",
                "--offline",
                "--out",
                tmp.resolve("class-out").toString(),
                "--require-walls",
                submissions.getParent().toString());
        assertThat(all.out(), all.exit(), is(2));
        assertThat(all.out(), containsString("missing in-JVM policy"));
        assertThat("nothing was graded", Files.exists(tmp.resolve("class-out")), is(false));
    }

    @Test
    void whereEveryWallStandsTheGradeSaysSoAndRequireWallsGrades() throws IOException {
        assumeTrue(
                Walls.current(true).all(),
                "not every wall stands here: " + Walls.current(true).reasons());
        Path out = tmp.resolve("all-walls");
        String[] args = {"grade", "--offline", "--lab", "02", "--out", out.toString(), "--require-walls"};
        Fixtures.CliRun run = Fixtures.cli(workspace, withReference(args));
        assertThat(run.out() + run.err(), run.exit(), is(0));
        assertThat(run.out(), containsString("walls: allow-list, in-JVM policy, per-run user\n"));
        assertThat(run.out(), not(containsString("warning:")));
        assertThat(
                json(out.resolve("results.json")).get("output").getAsString(),
                endsWith("Grading walls: allow-list, in-JVM policy, per-run user."));
        assertThat(Files.readString(out.resolve("report.md")), containsString("(all three)"));
    }

    @Test
    void theGradebookHasAColumnOfTheWalls() {
        Gradebook gradebook = new Gradebook(
                Workspace.at(workspace), true, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        GradeReport behindTwo = new GradeReport("a", List.of(), List.of(), 0, null, new Walls(true, false, true));
        GradeReport behindAll = new GradeReport("b", List.of(), List.of(), 0, null, new Walls(true, true, true));
        String csv = gradebook.csv(new java.util.TreeMap<>(Map.of("a", behindTwo, "b", behindAll)));
        List<String> rows = csv.lines().toList();
        assertThat(rows.get(0), endsWith(",error,walls"));
        assertThat(rows.get(1), endsWith(",\"allow-list, per-run user; missing: in-JVM policy\""));
        assertThat(rows.get(2), endsWith(",\"allow-list, in-JVM policy, per-run user\""));
    }

    @Test
    void aWallsLineNamesWhatStoodAndWhatDidNot() {
        assertThat(new Walls(true, true, true).line(), is("walls: allow-list, in-JVM policy, per-run user"));
        assertThat(new Walls(true, false, false).line(), is("walls: allow-list; missing: in-JVM policy, per-run user"));
        assertThat(new Walls(false, false, false).line(), containsString("walls: none;"));
        assertThat(new Walls(true, true, true).warnings(), is(List.of()));
        assertThat(new Walls(false, true, true).warnings().size(), is(1));
    }
}
