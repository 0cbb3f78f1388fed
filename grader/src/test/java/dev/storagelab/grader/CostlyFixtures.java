package dev.storagelab.grader;

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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The planted costly submissions: for each lab, code that passes every test of the lab but does
 * the lab's costly thing (a table read past its Bloom filter's "absent", a scan where the lab
 * teaches a binary search, a force per commit instead of a group's), under
 * {@code fixtures/costly/<lab>/<name>/}:
 *
 * <ul>
 *   <li>{@code costly.patch}: a unified diff against the workspace's reference (paths from its root,
 *       {@code a/} and {@code b/});
 *   <li>{@code loses}: first line, the rubric line ({@code perf.<lab>.<line>}) it must lose points
 *       on; then {@code #} lines saying what the costly thing is and why every test still passes.
 * </ul>
 *
 * The full gradings (every test and every line, five times each on a quiet and a busy machine) are
 * {@code notes/figures/costly_fixtures.sh}; {@code mvn verify} proves the counted lines cheaply
 * ({@link #count}): the patched lab's classes compiled over the built reference's, and the line's
 * counting pass run once on each.
 */
final class CostlyFixtures {

    /** One planted submission. */
    record Fixture(String lab, String name, Path dir, String line) {

        Path patch() {
            return dir.resolve("costly.patch");
        }

        /** The workspace files the patch changes, relative to the workspace's root. */
        List<String> files() throws IOException {
            return Fixtures.patchedFiles(patch());
        }
    }

    private CostlyFixtures() {}

    /** Every fixture, by lab and name. */
    static List<Fixture> all() throws IOException {
        return all("costly");
    }

    /**
     * Every fixture under {@code fixtures/<folder>/}, by lab and name: {@code costly}, those that do
     * the lab's costly thing; {@code uncounted}, those that move work out of what a counted line
     * counts (the first line of {@code loses} names the hidden test class they fail, or the counted
     * line on which they do no better than the reference).
     */
    static List<Fixture> all(String folder) throws IOException {
        Path root = Fixtures.resources().resolve(folder);
        List<Fixture> fixtures = new ArrayList<>();
        try (Stream<Path> patches = Files.walk(root)) {
            for (Path patch : patches.filter(p -> p.getFileName().toString().equals("costly.patch"))
                    .sorted()
                    .toList()) {
                Path dir = patch.getParent();
                String line = Files.readAllLines(dir.resolve("loses"), StandardCharsets.UTF_8)
                        .get(0)
                        .strip();
                fixtures.add(new Fixture(
                        dir.getParent().getFileName().toString(),
                        dir.getFileName().toString(),
                        dir,
                        line));
            }
        }
        return fixtures;
    }

    /**
     * The submission {@code fixture} stands for, written to {@code dir}: the workspace's files the
     * patch touches, patched, and nothing else (what a student hands in; every other file is the
     * instructor's when graded).
     */
    static Path submission(Fixture fixture, Path workspaceRoot, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (String f : fixture.files()) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.copy(workspaceRoot.resolve(f), dir.resolve(f));
        }
        Fixtures.applyPatch(fixture.patch(), dir);
        return dir;
    }

    /**
     * The built reference's module of {@code fixture}'s lab, copied to {@code dir} with the patched
     * files compiled over the reference's classes (the patch keeps every signature, so the lab's
     * benchmarks and the later labs' classes link against it as they are).
     */
    static Path patchedModule(Fixture fixture, Workspace workspace, Path reference, Path dir)
            throws IOException, InterruptedException {
        Lab lab = workspace.lab(fixture.lab().substring("lab-".length()));
        Path module = dir.resolve(lab.directory());
        Path target = module.resolve("target");
        Path built = reference.resolve(lab.directory()).resolve("target");
        for (String part : List.of("classes", "test-classes")) {
            FileTrees.copy(built.resolve(part), target.resolve(part), p -> true);
        }
        Files.copy(built.resolve("test-classpath.txt"), target.resolve("test-classpath.txt"));
        Path sources = submission(fixture, workspace.root(), dir.resolve("submission"));
        List<String> args = new ArrayList<>(List.of(
                "--release",
                "17",
                "-proc:none",
                "-nowarn",
                "-d",
                target.resolve("classes").toString(),
                "-cp",
                String.join(
                        java.io.File.pathSeparator,
                        LabBuild.testClasspath(module).stream()
                                .map(Path::toString)
                                .toList())));
        for (String f : fixture.files()) {
            args.add(sources.resolve(f).toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (javac.run(null, errors, errors, args.toArray(String[]::new)) != 0) {
            throw new IOException(fixture.dir() + " does not compile over the reference:\n" + errors);
        }
        return module;
    }

    /** {@code line}'s count per operation on {@code module} (a built lab module): its counting pass, run once. */
    static double count(Path module, Rubric.PerfBenchmark line, Path log) throws IOException {
        return count(run(module, line, log), line, module);
    }

    /** {@code line}'s benchmark run once on {@code module} as a smoke run ({@link JmhRunner.Settings#QUICK}). */
    static JmhRunner.Run run(Path module, Rubric.PerfBenchmark line, Path log) throws IOException {
        return JmhRunner.run(
                module,
                "\\." + Pattern.quote(line.benchmark()) + "$",
                line.params(),
                JmhRunner.Settings.QUICK,
                java.time.Duration.ofMinutes(5),
                log,
                new PrintStream(OutputStream.nullOutputStream()));
    }

    /** {@code line}'s count per operation in {@code run}, a run of it on {@code module}. */
    static double count(JmhRunner.Run run, Rubric.PerfBenchmark line, Path module) throws IOException {
        if (!run.ok() || run.scores().size() != 1) {
            throw new IOException(line.name() + " did not run on " + module + ": " + run.problem());
        }
        return Performance.countPerOperation(run.scores().get(0), line.count());
    }
}
