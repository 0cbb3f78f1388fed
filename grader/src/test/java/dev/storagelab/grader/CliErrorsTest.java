package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.cli.WorkbenchVerb;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input, verb by verb: each prints one line on standard error that names the input, says what
 * is wrong and what to do, with no stack trace, and exits with status 2 (could not do its job).
 * The README's table of exit statuses is the specification.
 */
class CliErrorsTest {

    @TempDir
    static Path tmp;

    private static Path ws;

    @BeforeAll
    static void fixtures() throws IOException {
        ws = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(tmp.resolve("file.txt"), "not a workspace");
        Files.write(tmp.resolve("corrupt.zip"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        Files.createDirectories(tmp.resolve("not-a-release"));
        Files.writeString(tmp.resolve("not-a-release/notes.txt"), "mine");
        Files.createDirectories(tmp.resolve("students/alice"));
        Files.createDirectories(tmp.resolve("a-folder"));
    }

    /** One bad command line: its arguments ({ws}, {tmp} replaced), and a part of the one line it must print. */
    record Case(String args, String message) {
        @Override
        public String toString() {
            return "storagelab " + args;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("", "name a command: export, update, test, grade"),
                new Case("xyzzy", "unknown command 'xyzzy'; the commands are export, update, test, grade"),
                new Case("grde --lab 01", "unknown command 'grde'; did you mean 'grade'?"),
                new Case("frobnicate", "unknown command 'frobnicate'; the commands are export, update, test, grade"),
                new Case("exprot --out {tmp}/r9", "unknown command 'exprot'; did you mean 'export'?"),
                new Case("export --out {tmp}/r8 --sovled 01", "unknown option '--sovled'; did you mean '--solved'?"),
                new Case("tset --lab 01", "unknown command 'tset'; did you mean 'test'?"),
                new Case("worklaod --engine lsm", "unknown command 'worklaod'; did you mean 'workload'?"),
                new Case("test --lab 01 --tsk 1", "unknown option '--tsk'; did you mean '--task'?"),
                new Case("test --lba 01", "unknown option '--lba'; did you mean '--lab'?"),
                new Case("test --lab 01 --tsk=1", "unknown option '--tsk=1'; did you mean '--task'?"),
                new Case("grade --no-pref", "unknown option '--no-pref'; did you mean '--no-perf'?"),
                new Case("update", "Missing required parameter: 'NEWER_RELEASE'"),
                new Case("update /nonexistent/release", "/nonexistent/release does not exist"),
                new Case("--workspace /nonexistent/ws export --out {tmp}/r0", "/nonexistent/ws does not exist"),
                new Case("--workspace {tmp}/file.txt grade", "file.txt is a file"),
                new Case("--workspace {tmp}/empty grade", "is not a storagelab workspace: it has no pom.xml"),
                new Case("export", "Missing required option: '--out"),
                new Case("export --out {tmp}/not-a-release", "is not empty and is not an earlier release"),
                new Case("export --out {tmp}/file.txt", "file.txt is a file, not a folder"),
                new Case("export --out {ws}/inside", "must be written outside the workspace"),
                new Case("export --out {tmp}/r1 --solved 09", "no lab 09 in this workspace; labs are [lab-01, lab-02]"),
                new Case("export --out {tmp}/r2 --solved first", "a lab is named like 01 or lab-01: first"),
                new Case("export --out /proc/1/nope/release", "/proc/1/nope"),
                new Case("test", "Missing required option: '--lab"),
                new Case("test --lab 09", "no lab 09 in this workspace"),
                new Case("test --lab abc", "a lab is named like 01 or lab-01: abc"),
                new Case("test --lab 01 --task T99", "lab-01 has no task T99; its tasks are [T1, T2]"),
                new Case("test --lab 01 --task 99", "lab-01 has no task T99; its tasks are [T1, T2]"),
                new Case("test --lab 01 --task t99", "lab-01 has no task T99; its tasks are [T1, T2]"),
                new Case(
                        "grade /nonexistent/submission --out {tmp}/g1",
                        "submission /nonexistent/submission does not exist"),
                new Case("grade {tmp}/file.txt --out {tmp}/g2", "is a file but not a .zip"),
                new Case("grade {tmp}/corrupt.zip --out {tmp}/g3", "cannot find a storagelab workspace in submission"),
                new Case("grade {tmp}/empty --out {tmp}/g4", "cannot find a storagelab workspace in submission"),
                new Case("grade --lab 09 --out {tmp}/g5", "no lab 09 in this workspace"),
                new Case("grade --isolated --integrated", "--isolated and --integrated exclude each other"),
                new Case("grade --prepare", "--prepare needs --reference-build"),
                new Case("grade --jobs 2", "unknown option '--jobs'"),
                new Case("grade-all /nonexistent/class --out {tmp}/ga1", "/nonexistent/class does not exist"),
                new Case("grade-all {tmp}/empty --out {tmp}/ga2", "holds no submissions"),
                new Case("grade-all {tmp}/file.txt --out {tmp}/ga3", "file.txt is a file, not a folder"),
                new Case("grade-all {tmp}/students --out {tmp}/ga4 --jobs 0", "--jobs must be at least 1, not 0"),
                new Case("grade-all {tmp}/students --out {tmp}/ga5 --lab 09", "no lab 09 in this workspace"),
                new Case("grade-all {tmp}/students", "Missing required option: '--out"),
                new Case("bench --keys -5 --out {tmp}/b1", "--keys must be a positive number"),
                new Case("bench --ops -1 --out {tmp}/b2", "--ops must be a positive number"),
                new Case("bench --keys many --out {tmp}/b3", "Invalid value for option '--keys'"),
                new Case("bench --lab 09 --out {tmp}/b4", "no lab 09 in this workspace"),
                new Case(
                        "bench --submission /nonexistent/sub --out {tmp}/b5",
                        "submission /nonexistent/sub does not exist"),
                new Case("gradescope --out {tmp}/a-folder", "is a folder; --out names the zip to write"),
                new Case("gradescope --lab 09 --out {tmp}/a.zip", "no lab 09 in this workspace"),
                new Case("grade --time-limit 10 --out {tmp}/g6", "--time-limit must be at least 60 seconds, not 10"),
                new Case("grade-stopped --status 137", "Missing required option: '--out"),
                new Case("prairielearn --out {tmp}/pl1", "Missing required option: '--lab"),
                new Case("prairielearn --lab 09 --out {tmp}/pl2", "no lab 09 in this workspace"),
                new Case("prairielearn --lab 01 --out {tmp}/file.txt", "file.txt is a file, not a folder"),
                new Case(
                        "export --out {tmp}/r7 --classroom --solved 01,02",
                        "no lab of this release has a task with public tests"),
                new Case("export --out {tmp}/r6 --classroom-lab 01", "--classroom-lab needs --classroom"),
                new Case("export --out {tmp}/r5 --classroom --classroom-lab 09", "no lab 09 in this workspace"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputPrintsOneLineThatSaysWhatIsWrongAndExitsWithTwo(Case c) {
        List<String> args = new ArrayList<>(List.of("--workspace", ws.toString()));
        String line = c.args().replace("{ws}", ws.toString()).replace("{tmp}", tmp.toString());
        if (line.startsWith("--workspace")) {
            args.clear();
        }
        if (!line.isBlank()) {
            args.addAll(List.of(line.split(" ")));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(
                args.toArray(String[]::new),
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed, exit, is(Main.EXIT_COULD_NOT_RUN));
        assertThat(printed, containsString(c.message()));
        assertThat("no stack trace without --verbose", printed, not(containsString("\tat ")));
        assertThat("one line", printed.strip().lines().count(), is(1L));
    }

    /** Runs the CLI on the fixture workspace; returns what it printed on standard error, and its exit status. */
    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        List<String> all = new ArrayList<>(List.of("--workspace", ws.toString()));
        all.addAll(List.of(args));
        return Main.run(
                all.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** A student release of the fixture workspace, exported once. */
    private static synchronized Path release() throws IOException {
        Path release = tmp.resolve("release");
        if (!Files.isDirectory(release)) {
            new Exporter(Workspace.at(ws)).export(release);
        }
        return release;
    }

    /**
     * In a student release, a command of the instructor's workspace alone says so in one line, with
     * what it needs, however it is typed; a mistyped command is matched against the release's own.
     */
    @ParameterizedTest(name = "in a release: storagelab {0}")
    @org.junit.jupiter.params.provider.CsvSource(
            delimiter = '|',
            value = {
                "export --out {tmp}/rr1 | export needs the instructor's workspace (it writes a student release"
                        + " from the reference solution); this folder is a student release",
                "export                 | export needs the instructor's workspace",
                "export --help          | export needs the instructor's workspace",
                "export --bogus         | export needs the instructor's workspace",
                "audit --lab 01         | audit needs the instructor's workspace (it measures the hidden tests)",
                "grade-all {tmp}/students --out {tmp}/rga | grade-all needs the instructor's workspace",
                "grade-stopped --status 137 --out {tmp}/rgs | grade-stopped needs the instructor's workspace",
                "gradescope --out {tmp}/ra.zip | gradescope needs the instructor's workspace",
                "prairielearn --lab 01 --out {tmp}/rpl | prairielearn needs the instructor's workspace",
                "bench --submission {tmp}/students --out {tmp}/rb | bench --submission needs the instructor's workspace"
                        + " (it measures a submission against the reference solution; here, bench measures your own code",
                "bench --submission     | bench --submission needs the instructor's workspace",
                "exprot --out {tmp}/rr2 | unknown command 'exprot'; the commands are update, test, grade, bench,",
                "tset --lab 01          | unknown command 'tset'; did you mean 'test'?",
                "test --lab 01 --tsk 1  | unknown option '--tsk'; did you mean '--task'?",
                "test --lab 01 --task 99 | lab-01 has no task T99",
                "''                     | name a command: update, test, grade, bench, workload"
            })
    void inAReleaseACommandOfTheInstructorsSaysWhatItNeedsInOneLine(String line, String message) throws IOException {
        List<String> args = new ArrayList<>(List.of("--workspace", release().toString()));
        if (!line.isBlank()) {
            args.addAll(List.of(line.trim().replace("{tmp}", tmp.toString()).split(" ")));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(
                args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed, exit, is(Main.EXIT_COULD_NOT_RUN));
        assertThat(printed, containsString(message.trim()));
        assertThat("nothing on standard output", out.toString(StandardCharsets.UTF_8), is(""));
        assertThat("no stack trace offered", printed, not(containsString("--verbose")));
        assertThat("one line", printed.strip().lines().count(), is(1L));
        assertThat(
                "nothing written", Files.exists(tmp.resolve("rr1")) || Files.exists(tmp.resolve("ra.zip")), is(false));
    }

    /** The release's own help lists the commands it offers, and only them. */
    @Test
    void aReleasesHelpListsOnlyTheCommandsThatWorkThere() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(
                new String[] {"--workspace", release().toString(), "--help"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()));
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(exit, is(0));
        assertThat(help, containsString("\n  test "));
        assertThat(help, containsString("\n  bench "));
        for (String verb : InstructorCommands.VERBS.keySet()) {
            assertThat(help, not(containsString("\n  " + verb + " ")));
        }
        ByteArrayOutputStream bench = new ByteArrayOutputStream();
        Main.run(
                new String[] {"--workspace", release().toString(), "bench", "--help"},
                new PrintStream(bench, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(bench.toString(StandardCharsets.UTF_8), containsString("on your code"));
        assertThat(bench.toString(StandardCharsets.UTF_8), not(containsString("--submission")));
    }

    @ParameterizedTest(name = "storagelab {0} --help")
    @MethodSource("graderVerbs")
    void everyVerbAnswersHelpWithItsUsageAndExitsWithZero(String verb) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = run(out, err, verb, "--help");
        assertThat(err.toString(StandardCharsets.UTF_8), exit, is(0));
        assertThat(out.toString(StandardCharsets.UTF_8), containsString("Usage: storagelab " + verb));
    }

    /** The verbs the grader answers itself; the workbench's get {@code --help} passed on (see below). */
    static Stream<String> graderVerbs() {
        return Main.commandLine(new Main()).getSubcommands().entrySet().stream()
                .filter(e -> !(e.getValue().getCommand() instanceof WorkbenchVerb))
                .map(java.util.Map.Entry::getKey);
    }

    @Test
    void theWorkbenchsVerbsPassHelpOnToTheWorkbench() {
        for (var e : Main.commandLine(new Main()).getSubcommands().entrySet()) {
            if (e.getValue().getCommand() instanceof WorkbenchVerb) {
                WorkbenchVerb verb = (WorkbenchVerb) Main.commandLine(new Main())
                        .parseArgs(e.getKey(), "--help")
                        .subcommand()
                        .commandSpec()
                        .userObject();
                assertThat(
                        e.getKey() + " hands --help to the workbench, which documents its options",
                        verb.args(),
                        is(List.of("--help")));
            }
        }
    }

    @Test
    void aGradeThatCannotStartLeavesTheEarlierResultsAsTheyWere() throws IOException {
        Path results = Files.createDirectories(tmp.resolve("earlier-results"));
        Files.writeString(results.resolve("report.md"), "the earlier grading");
        Files.createDirectories(results.resolve("junit"));
        Files.writeString(results.resolve("junit/TEST-lab-01.xml"), "<testsuite/>");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                run(new ByteArrayOutputStream(), err, "grade", "/nonexistent/submission", "--out", results.toString());
        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed, exit, is(Main.EXIT_COULD_NOT_RUN));
        assertThat("the error is printed once", printed.split("does not exist", -1).length, is(2));
        assertThat(Files.readString(results.resolve("report.md")), is("the earlier grading"));
        assertThat(Files.exists(results.resolve("junit/TEST-lab-01.xml")), is(true));
    }

    @Test
    void theTableCoversEnoughCases() {
        assertThat(cases().count(), greaterThanOrEqualTo(30L));
    }

    @Test
    void verbosePrintsTheStackTrace() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(
                new String[] {
                    "--verbose",
                    "--workspace",
                    ws.toString(),
                    "export",
                    "--out",
                    tmp.resolve("file.txt").toString()
                },
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit, is(2));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("\tat "));
    }

    @Test
    void aSubmissionFromAnotherVersionOfTheWorkspaceIsNamedInAWarning() throws IOException {
        Path release = tmp.resolve("old-release");
        new Exporter(Workspace.at(ws)).export(release);
        Path changed = tmp.resolve("ws-changed");
        FileTrees.copy(ws, changed, p -> true);
        Path given = changed.resolve("lab-01-calc/src/main/java/fixture/calc/Constants.java");
        Files.writeString(
                given,
                "package fixture.calc;\n\n/** Given code added after the release. */\nfinal class Constants {\n"
                        + "    private Constants() {\n    }\n}\n");
        // What the grader compares before grading (and warns about, naming the submission).
        String recorded = Exporter.recordedGivenDigest(release).orElseThrow();
        assertThat(
                "a release of this very workspace matches it",
                recorded,
                is(Exporter.givenDigest(ws, Workspace.at(ws), java.util.Set.of())));
        assertThat(
                "given code added since the release is noticed",
                recorded,
                not(Exporter.givenDigest(changed, Workspace.at(changed), java.util.Set.of())));
    }
}
