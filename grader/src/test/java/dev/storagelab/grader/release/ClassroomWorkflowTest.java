package dev.storagelab.grader.release;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --classroom}: the release's GitHub Classroom workflow, a step per task with its
 * public tests' points, in the names Classroom reads; and the commands its steps run, run here on
 * the release (every task fails, not implemented) and, for one task, on the reference (it passes).
 */
class ClassroomWorkflowTest {

    @TempDir
    static Path tmp;

    private static Path workspace;
    private static Path release;
    private static String yaml;

    @BeforeAll
    static void export() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        release = tmp.resolve("release");
        Fixtures.CliRun run = Fixtures.cli(workspace, "export", "--classroom", "--out", release.toString());
        assertThat(run.err(), run.exit(), is(0));
        assertThat(run.out(), containsString("GitHub Classroom workflow: " + ClassroomWorkflow.PATH));
        yaml = Files.readString(release.resolve(ClassroomWorkflow.PATH));
    }

    /** The commands of the workflow's grading steps, in order. */
    private static List<String> commands() {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^ {10}command: (.*)$").matcher(yaml);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void everyTaskIsAStepWithItsPublicTestsPointsInClassroomsNames() {
        assertThat(yaml, containsString("\nname: Autograding Tests\n"));
        assertThat(yaml, containsString("\n  run-autograding-tests:\n"));
        assertThat(
                commands(),
                is(List.of(
                        "./storagelab test --lab 01 --task T1",
                        "./storagelab test --lab 01 --task T2",
                        "./storagelab test --lab 02 --task T1")));
        assertThat(
                "AddTest has two test methods",
                yaml,
                containsString(
                        "test-name: lab-01 T1 (AddTest)\n"
                                + "          command: ./storagelab test --lab 01 --task T1\n          timeout: 20\n          max-score: 2\n"));
        assertThat(yaml, containsString("max-score: 1\n"));
        assertThat(yaml, containsString("LAB-01-T1_RESULTS: \"${{steps.lab-01-t1.outputs.result}}\""));
        assertThat(yaml, containsString("runners: lab-01-t1,lab-01-t2,lab-02-t1\n"));
        assertThat("the hidden tests are never run", yaml, not(containsString("./storagelab grade")));
        assertThat(yaml, not(containsString("hidden")));
    }

    @Test
    void aLabGivenOutSolvedHasNoStepsAndAnAssignmentOfOneLabHasOnlyItsOwn() throws IOException {
        List<ClassroomWorkflow.Step> steps =
                ClassroomWorkflow.steps(Workspace.at(workspace), Set.of("lab-01"), Set.of());
        assertThat(steps.stream().map(ClassroomWorkflow.Step::id).toList(), is(List.of("lab-02-t1")));
        List<ClassroomWorkflow.Step> lab01 =
                ClassroomWorkflow.steps(Workspace.at(workspace), Set.of(), Set.of("lab-01"));
        assertThat(lab01.stream().map(ClassroomWorkflow.Step::id).toList(), is(List.of("lab-01-t1", "lab-01-t2")));
    }

    @Test
    void theStepsCommandsFailOnTheReleaseAndPassOnTheReference() {
        List<String> commands = commands();
        for (String command : commands) {
            assertThat(command, command.startsWith("./storagelab "), is(true));
            String[] args = command.substring("./storagelab ".length()).split(" ");
            Fixtures.CliRun onRelease = Fixtures.cli(release, args);
            assertThat(
                    command + " on the release\n" + onRelease.out() + onRelease.err(),
                    onRelease.exit(),
                    is(Main.EXIT_FAILURES));
            assertThat(onRelease.out(), containsString("is not implemented yet"));
        }
        // One task on the reference is enough to prove a step can pass: they are all the same command.
        String[] first = commands.get(0).substring("./storagelab ".length()).split(" ");
        Fixtures.CliRun onReference = Fixtures.cli(workspace, first);
        assertThat(
                commands.get(0) + " on the reference\n" + onReference.out() + onReference.err(),
                onReference.exit(),
                is(Main.EXIT_OK));
    }
}
