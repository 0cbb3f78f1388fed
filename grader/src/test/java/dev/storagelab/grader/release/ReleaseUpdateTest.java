package dev.storagelab.grader.release;

import static dev.storagelab.grader.grade.Fixtures.cli;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A student's work survives a new release: {@code export} refuses to write over an earlier
 * release unless told to replace it (and a failed export leaves it as it was), and
 * {@code update} takes a newer release into the student's workspace keeping their code in every
 * task, the files they added, and a copy of any given file they changed.
 */
class ReleaseUpdateTest {

    private static final String CALC = "lab-01-calc/src/main/java/fixture/calc/Calc.java";
    private static final String STUDENT_ADD = "        return a + b; // mine";
    private static final String STUDENT_MAX =
            "        int m = a;\n        if (b > m) {\n            m = b;\n        }\n        return m;";

    @TempDir
    static Path tmp;

    private static Path workspace;

    @BeforeAll
    static void fixture() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
    }

    /** A release of {@code ws} in {@code name}, in which the student then did T1 and T5 and added a file and build output. */
    private static Path studentRelease(Path ws, String name) throws IOException {
        Path release = tmp.resolve(name);
        new Exporter(Workspace.at(ws)).export(release);
        Path calc = release.resolve(CALC);
        String text = Files.readString(calc);
        text = text.replaceFirst(
                "( *)throw new dev\\.storagelab\\.lab\\.NotImplementedException\\(\"lab-01\", \"T1\".*", STUDENT_ADD);
        text = text.replaceFirst(
                "( *)throw new dev\\.storagelab\\.lab\\.NotImplementedException\\(\"lab-01\", \"T5\".*", STUDENT_MAX);
        Files.writeString(calc, text);
        Files.writeString(
                Files.createDirectories(release.resolve("lab-01-calc/src/main/java/fixture/calc"))
                        .resolve("Helper.java"),
                "package fixture.calc;\n\nfinal class Helper {\n}\n");
        Files.writeString(
                Files.createDirectories(release.resolve("lab-01-calc/target")).resolve("built.txt"), "output");
        return release;
    }

    /** A copy of the workspace with {@code edit} applied: the instructor's next version. */
    private static Path nextVersion(String name, String calc, String handout) throws IOException {
        Path next = tmp.resolve(name);
        FileTrees.copy(workspace, next, p -> true);
        Files.writeString(next.resolve(CALC), calc);
        Files.writeString(next.resolve("lab-01-calc/README.md"), handout);
        return next;
    }

    @Test
    void exportRefusesAnEarlierReleaseUnlessAskedToReplaceIt() throws IOException {
        Path release = studentRelease(workspace, "refuse");
        String mine = Files.readString(release.resolve(CALC));
        Fixtures.CliRun refused = cli(workspace, "export", "--out", release.toString());
        assertThat(refused.err(), refused.exit(), is(Main.EXIT_COULD_NOT_RUN));
        assertThat(refused.err(), containsString("already holds a release"));
        assertThat(refused.err(), containsString("--replace"));
        assertThat("the student's work is untouched", Files.readString(release.resolve(CALC)), equalTo(mine));
        assertThat("so is their build output", Files.exists(release.resolve("lab-01-calc/target/built.txt")), is(true));

        Fixtures.CliRun replaced = cli(workspace, "export", "--out", release.toString(), "--replace");
        assertThat(replaced.err(), replaced.exit(), is(0));
        assertThat(
                "asked to, it replaces the release",
                Files.readString(release.resolve(CALC)),
                not(containsString("// mine")));
    }

    @Test
    void aFailedExportLeavesTheEarlierReleaseAsItWas() throws IOException {
        Path release = studentRelease(workspace, "failed-export");
        String mine = Files.readString(release.resolve(CALC));
        Path broken = tmp.resolve("ws-broken");
        FileTrees.copy(workspace, broken, p -> true);
        Files.writeString(
                broken.resolve(CALC), Files.readString(broken.resolve(CALC)).replaceFirst("// END SOLUTION", ""));
        Fixtures.CliRun failed = cli(broken, "export", "--out", release.toString(), "--replace");
        assertThat(failed.err(), failed.exit(), is(Main.EXIT_COULD_NOT_RUN));
        assertThat(failed.err(), containsString("Calc.java:16: region opened at line 10 is not closed"));
        assertThat(Files.readString(release.resolve(CALC)), equalTo(mine));
        try (var siblings = Files.list(tmp)) {
            assertThat(
                    "no half-written release is left beside it",
                    siblings.filter(p -> p.getFileName().toString().contains(".export-"))
                            .count(),
                    is(0L));
        }
    }

    @Test
    void updateKeepsTheStudentsCodeAndFilesAndTakesTheNewerRelease() throws IOException {
        Path student = studentRelease(workspace, "student");
        Files.writeString(student.resolve("README.md"), "my own notes\n");
        String calc = Files.readString(workspace.resolve(CALC))
                .replace(
                        "    public static int add(int a, int b) {",
                        "    /** The sum of a and b (overflow wraps). */\n    public static int add(int a, int b) {");
        String handout = Files.readString(workspace.resolve("lab-01-calc/README.md")) + "\nA fixed sentence.\n";
        Path newer = tmp.resolve("newer");
        new Exporter(Workspace.at(nextVersion("ws-v2", calc, handout))).export(newer);

        Fixtures.CliRun dry = cli(student, "update", newer.toString(), "--dry-run");
        assertThat(dry.err(), dry.exit(), is(0));
        assertThat(
                "a dry run changes nothing",
                Files.readString(student.resolve(CALC)),
                not(containsString("overflow wraps")));

        Fixtures.CliRun update = cli(student, "update", newer.toString());
        assertThat(update.err(), update.exit(), is(0));
        String merged = Files.readString(student.resolve(CALC));
        assertThat("the release's fix arrives", merged, containsString("/** The sum of a and b (overflow wraps). */"));
        assertThat("the student's T1 stays", merged, containsString(STUDENT_ADD));
        assertThat("the student's T5 stays, every line", merged, containsString(STUDENT_MAX));
        assertThat("a task the student has not started keeps its throw", merged, containsString("\"lab-01\", \"T2\""));
        assertThat(Files.readString(student.resolve("lab-01-calc/README.md")), containsString("A fixed sentence."));
        assertThat(
                "files the student added stay",
                Files.exists(student.resolve("lab-01-calc/src/main/java/fixture/calc/Helper.java")),
                is(true));
        assertThat("build output stays", Files.exists(student.resolve("lab-01-calc/target/built.txt")), is(true));
        assertThat(
                "only their regions changed: no copy is needed",
                Files.exists(student.resolve(CALC + ".mine")),
                is(false));
        assertThat(update.out(), containsString("merged   " + CALC + ": your code of lab-01 T1, lab-01 T5 kept"));
        assertThat(update.out(), containsString("updated  lab-01-calc/README.md"));
        assertThat(
                update.out(), containsString("kept     lab-01-calc/src/main/java/fixture/calc/Helper.java: your file"));
        assertThat(
                "a given file only the student changed stays theirs",
                Files.readString(student.resolve("README.md")),
                equalTo("my own notes\n"));
        assertThat(update.out(), containsString("kept     README.md: you changed it; this release did not"));

        Fixtures.CliRun again = cli(student, "update", newer.toString());
        assertThat("a second update has nothing to change", again.out(), containsString("nothing to change"));
    }

    @Test
    void codeWhoseMethodChangedIsKeptInAMineFileAndNamed() throws IOException {
        Path student = studentRelease(workspace, "student-conflict");
        Path readme = student.resolve("lab-01-calc/README.md");
        Files.writeString(readme, Files.readString(readme) + "\nmy notes\n");
        String calc = Files.readString(workspace.resolve(CALC))
                .replace("public static int add(int a, int b) {", "public static long add(long a, long b) {");
        String handout = Files.readString(workspace.resolve("lab-01-calc/README.md")) + "\nA fixed sentence.\n";
        Path newer = tmp.resolve("newer-signature");
        new Exporter(Workspace.at(nextVersion("ws-v3", calc, handout))).export(newer);

        Fixtures.CliRun update = cli(student, "update", newer.toString());
        assertThat(update.err(), update.exit(), is(0));
        assertThat(update.out(), containsString("CHECK    " + CALC));
        assertThat(update.out(), containsString("the methods of lab-01 T1 changed"));
        assertThat(Files.readString(student.resolve(CALC + ".mine")), containsString(STUDENT_ADD));
        String merged = Files.readString(student.resolve(CALC));
        assertThat("the placed task keeps its code", merged, containsString(STUDENT_MAX));
        assertThat("the changed method has the release's throw", merged, containsString("\"lab-01\", \"T1\""));
        assertThat(
                "a given file the student and the release both changed is replaced, and theirs kept beside it",
                Files.readString(student.resolve("lab-01-calc/README.md.mine")),
                containsString("my notes"));
        assertThat(update.out(), containsString("replaced lab-01-calc/README.md"));
    }

    /** Calc.java's {@code max} (task T5), as its own file. */
    private static final String MAX_METHOD = """
                public static int max(int a, int b) {
                    // BEGIN SOLUTION lab-01 T5
                    return Math.max(a, b);
                    // END SOLUTION
                }
            """;

    private static final String EXTREMES = "lab-01-calc/src/main/java/fixture/calc/Extremes.java";

    @Test
    void codeOfATaskWhoseMethodMovedToAnotherFileMovesWithIt() throws IOException {
        Path student = studentRelease(workspace, "student-moved");
        String calc = Files.readString(workspace.resolve(CALC));
        assertThat("the fixture has the method to move", calc, containsString(MAX_METHOD));
        Path next = nextVersion(
                "ws-moved",
                calc.replace(MAX_METHOD + "\n", ""),
                Files.readString(workspace.resolve("lab-01-calc/README.md")));
        Files.writeString(
                next.resolve(EXTREMES),
                "package fixture.calc;\n\n/** The larger of two. */\npublic final class Extremes {\n\n"
                        + "    private Extremes() {\n    }\n\n" + MAX_METHOD + "}\n");
        Path newer = tmp.resolve("newer-moved");
        new Exporter(Workspace.at(next)).export(newer);

        Fixtures.CliRun update = cli(student, "update", newer.toString());
        assertThat(update.err(), update.exit(), is(0));
        assertThat(
                "the student's T5 is where its method now is",
                Files.readString(student.resolve(EXTREMES)),
                containsString(STUDENT_MAX));
        String merged = Files.readString(student.resolve(CALC));
        assertThat(merged, containsString(STUDENT_ADD));
        assertThat(merged, not(containsString("int max(")));
        assertThat(
                "nothing of theirs is left behind: no copy is needed",
                Files.exists(student.resolve(CALC + ".mine")),
                is(false));
        assertThat(
                update.out(),
                containsString("merged   " + EXTREMES
                        + ": new in this release; your code of lab-01 T5 moved here from Calc.java"));
    }

    @Test
    void codeOfATaskTheNewerReleaseNoLongerHasIsKeptInAMineFile() throws IOException {
        Path student = studentRelease(workspace, "student-dropped");
        String calc = Files.readString(workspace.resolve(CALC));
        Path newer = tmp.resolve("newer-dropped");
        new Exporter(Workspace.at(nextVersion(
                        "ws-dropped",
                        calc.replace(MAX_METHOD + "\n", ""),
                        Files.readString(workspace.resolve("lab-01-calc/README.md")))))
                .export(newer);
        // the student has written T5 only: no task of theirs stays in the file to be carried
        String throwT1 = Files.readString(newer.resolve(CALC))
                .lines()
                .filter(l -> l.contains("\"lab-01\", \"T1\""))
                .findFirst()
                .orElseThrow();
        Files.writeString(
                student.resolve(CALC), Files.readString(student.resolve(CALC)).replace(STUDENT_ADD, throwT1));

        Fixtures.CliRun update = cli(student, "update", newer.toString());
        assertThat(update.err(), update.exit(), is(0));
        assertThat(
                "T5's code has nowhere to go in the newer release, so the student's file is kept whole",
                Files.readString(student.resolve(CALC + ".mine")),
                containsString(STUDENT_MAX));
        assertThat(update.out(), containsString("your whole file is in " + CALC + ".mine"));
        assertThat(Files.readString(student.resolve(CALC)), not(containsString("int max(")));
    }

    @Test
    void updateRefusesWhatIsNotAReleaseAndChangesNothing() throws IOException {
        Path student = studentRelease(workspace, "student-bad-input");
        String mine = Files.readString(student.resolve(CALC));
        Fixtures.CliRun missing =
                cli(student, "update", tmp.resolve("no-such-release").toString());
        assertThat(missing.err(), missing.exit(), is(Main.EXIT_COULD_NOT_RUN));
        assertThat(missing.err(), containsString("no-such-release does not exist"));
        Fixtures.CliRun notRelease = cli(student, "update", workspace.toString());
        assertThat(notRelease.err(), notRelease.exit(), is(Main.EXIT_COULD_NOT_RUN));
        assertThat(notRelease.err(), containsString("is not a storagelab release"));
        Fixtures.CliRun instructor = cli(workspace, "update", student.toString());
        assertThat(
                "an instructor's workspace is never updated",
                instructor.err(),
                containsString("is not a student release"));
        assertThat(Files.readString(student.resolve(CALC)), equalTo(mine));
    }
}
