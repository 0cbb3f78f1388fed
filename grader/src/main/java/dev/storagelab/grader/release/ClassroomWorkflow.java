package dev.storagelab.grader.release;

import dev.storagelab.grader.workspace.HandoutTasks;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GitHub Classroom autograding workflow a release gets with {@code export --classroom}: on
 * every push, each task of each lab the release grades runs its public tests
 * ({@code ./storagelab test --lab NN --task TN}, never the hidden ones: the release has none) as a
 * step of {@code classroom-resources/autograding-command-grader}, worth one point per public test
 * method of the task (as the grader's local checks count them), and
 * {@code autograding-grading-reporter} reports the points per task to Classroom and in the run's
 * summary. Classroom needs the workflow named {@code Autograding Tests} with one job,
 * {@code run-autograding-tests}.
 */
public final class ClassroomWorkflow {

    /** Where the workflow goes in the release. */
    public static final String PATH = ".github/workflows/classroom.yml";
    /** Minutes one task's step may run (autograding-command-grader's timeout). */
    static final int STEP_MINUTES = 20;

    private static final Pattern TEST_METHOD =
            Pattern.compile("@(Test|ParameterizedTest|RepeatedTest|Property|Example)\\b");

    private ClassroomWorkflow() {}

    /** One step: a task of a lab, its command and its points. */
    record Step(String id, String name, String command, int points) {}

    /**
     * The steps for every lab not given out {@code solved}, in lab and task order; only the labs in
     * {@code only} (lab ids) when it is not empty: an assignment of one lab runs that lab's tasks.
     */
    static List<Step> steps(Workspace workspace, Set<String> solved, Set<String> only) throws IOException {
        List<Step> steps = new ArrayList<>();
        for (Lab lab : workspace.labs()) {
            if (solved.contains(lab.id()) || !only.isEmpty() && !only.contains(lab.id())) {
                continue;
            }
            for (HandoutTasks.Task task : HandoutTasks.tasks(workspace, lab)) {
                if (!task.id().matches("T\\d+") || task.testClasses().isEmpty()) {
                    continue; // the given row, and tasks that have hidden tests only
                }
                int points = testMethods(workspace, lab, task.testClasses());
                if (points == 0) {
                    continue;
                }
                String nn = String.format(java.util.Locale.ROOT, "%02d", lab.number());
                steps.add(new Step(
                        lab.id() + "-" + task.id().toLowerCase(java.util.Locale.ROOT),
                        lab.id() + " " + task.id() + " (" + String.join(", ", task.testClasses()) + ")",
                        "./storagelab test --lab " + nn + " --task " + task.id(),
                        points));
            }
        }
        return steps;
    }

    /** The public test methods of {@code classes} (simple names) in {@code lab}'s src/test/java. */
    private static int testMethods(Workspace workspace, Lab lab, List<String> classes) throws IOException {
        Path tests = workspace.root().resolve(lab.directory()).resolve("src/test/java");
        if (!Files.isDirectory(tests)) {
            return 0;
        }
        int n = 0;
        try (var walk = Files.walk(tests)) {
            for (Path p : walk.filter(
                            f -> classes.contains(f.getFileName().toString().replaceFirst("\\.java$", "")))
                    .toList()) {
                Matcher m = TEST_METHOD.matcher(Files.readString(p, StandardCharsets.UTF_8));
                while (m.find()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The workflow's text. */
    static String yaml(List<Step> steps) {
        StringBuilder y = new StringBuilder("""
                # GitHub Classroom autograding: every push runs each task's public tests and reports its points.
                # Written by ./storagelab export --classroom; Classroom reads the workflow's and the job's names.
                name: Autograding Tests
                on:
                  - push
                  - workflow_dispatch
                permissions:
                  checks: write
                  actions: read
                  contents: read
                jobs:
                  run-autograding-tests:
                    runs-on: ubuntu-latest
                    if: github.actor != 'github-classroom[bot]'
                    steps:
                      - name: Checkout code
                        uses: actions/checkout@v4
                      - name: JDK 17
                        uses: actions/setup-java@v4
                        with:
                          distribution: temurin
                          java-version: '17'
                          cache: maven
                      - name: Build the grader and the labs
                        run: ./storagelab --help > /dev/null && mvn -B -q -DskipTests -Denforcer.skip=true -Dstoragelab.lockcheck=WARN test-compile
                """);
        for (Step s : steps) {
            y.append("      - name: ")
                    .append(s.name())
                    .append('\n')
                    .append("        id: ")
                    .append(s.id())
                    .append('\n')
                    .append("        uses: classroom-resources/autograding-command-grader@v1\n")
                    .append("        with:\n")
                    .append("          test-name: ")
                    .append(s.name())
                    .append('\n')
                    .append("          command: ")
                    .append(s.command())
                    .append('\n')
                    .append("          timeout: ")
                    .append(STEP_MINUTES)
                    .append('\n')
                    .append("          max-score: ")
                    .append(s.points())
                    .append('\n');
        }
        y.append("      - name: Autograding Reporter\n")
                .append("        uses: classroom-resources/autograding-grading-reporter@v1\n")
                .append("        env:\n");
        for (Step s : steps) {
            y.append("          ")
                    .append(s.id().toUpperCase(java.util.Locale.ROOT))
                    .append("_RESULTS: \"${{steps.")
                    .append(s.id())
                    .append(".outputs.result}}\"\n");
        }
        y.append("        with:\n          runners: ")
                .append(String.join(",", steps.stream().map(Step::id).toList()))
                .append('\n');
        return y.toString();
    }

    /** Writes the workflow for {@code only} (empty: every lab not solved) into the release at {@code release}. */
    static void write(Workspace workspace, Set<String> solved, Set<String> only, Path release) throws IOException {
        List<Step> steps = steps(workspace, solved, only);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException(
                    "no lab of this release has a task with public tests: no Classroom workflow to write");
        }
        Path file = release.resolve(PATH);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml(steps), StandardCharsets.UTF_8);
    }
}
