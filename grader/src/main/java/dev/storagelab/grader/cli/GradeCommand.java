package dev.storagelab.grader.cli;

import dev.storagelab.grader.Exporter;
import dev.storagelab.grader.FileTrees;
import dev.storagelab.grader.GradeReport;
import dev.storagelab.grader.Grader;
import dev.storagelab.grader.LabTests;
import dev.storagelab.grader.TestSupervisor;
import dev.storagelab.grader.Workspace;
import dev.storagelab.grader.report.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "grade",
        mixinStandardHelpOptions = true,
        description = "Grade a submission (default: this workspace's reference) with the hidden tests.")
final class GradeCommand implements Callable<Integer> {
    /** What the command does in a student release, which has the public tests and no hidden ones. */
    static final String RELEASE_DESCRIPTION = "Grade your code (default: this workspace) with the labs' public tests,"
            + " as local checks, under the same supervision as the real grading (deadlines, heap cap).";

    @CommandLine.ParentCommand
    Main main;

    @Parameters(
            arity = "0..1",
            paramLabel = "SUBMISSION",
            description = "A student workspace folder or zip (default: this workspace).")
    Path submission;

    @Option(names = "--lab", paramLabel = "NN", description = "Grade only this lab (repeatable).")
    List<String> labs = new ArrayList<>();

    @Option(
            names = "--isolated",
            description = "Only the isolated results (each lab over the reference of the others).")
    boolean isolatedOnly;

    @Option(names = "--integrated", description = "Only the integrated results (every submitted lab together).")
    boolean integratedOnly;

    @Option(
            names = "--out",
            defaultValue = "storagelab-out/grade",
            description = "Where to write results.json, grade.json, report.md and junit/ (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--work",
            description = "Scratch directory for builds (default: a new temporary directory, deleted afterwards).")
    Path work;

    @Option(names = "--keep-work", description = "Keep the scratch directory.")
    boolean keepWork;

    @Option(
            names = "--only",
            paramLabel = "REGEX",
            description =
                    "Run only hidden tests whose class#method id matches (for a quick check; the score covers only those).")
    String only;

    @Option(names = "--offline", description = "Run Maven offline (the cache must already hold every dependency).")
    boolean offline;

    @Option(
            names = "--no-perf",
            description =
                    "Skip the performance benchmarks (the rubric's perf.* lines); the score covers the tests only.")
    boolean noPerf;

    @Option(
            names = "--reference-build",
            paramLabel = "DIR",
            description = "Keep the built reference in DIR and reuse it"
                    + " while the workspace is unchanged (each grading then builds only the submission's labs).")
    Path referenceBuild;

    @Option(
            names = "--prepare",
            description = "With --reference-build: build the reference there and grade nothing"
                    + " (a Gradescope image's setup).")
    boolean prepare;

    @Option(
            names = "--time-limit",
            paramLabel = "SECONDS",
            description =
                    "Stop grading after this long, as a platform's"
                            + " timeout would, but keep what was graded: what was not reached says so and earns 0. The results in --out"
                            + " are rewritten after each lab, so a grading stopped from outside keeps its points too (see grade-stopped).")
    Long timeLimit;

    @Option(
            names = "--require-walls",
            description = "Refuse to grade (exit status 2) unless all three walls stand: the allow-list, the in-JVM"
                    + " policy and a user of its own for each test JVM (the grader must be root). The Gradescope"
                    + " and PrairieLearn packages grade with it.")
    boolean requireWalls;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (prepare) {
            if (referenceBuild == null || submission != null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--prepare needs --reference-build and no submission");
            }
            new Grader(main.workspace(), main.progress, offline)
                    .sharedReference(referenceBuild.toAbsolutePath())
                    .prepareReference(labs);
            spec.commandLine().getOut().println("the reference is built in " + referenceBuild.toAbsolutePath());
            return 0;
        }
        if (isolatedOnly && integratedOnly) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--isolated and --integrated exclude each other");
        }
        Grader.Mode mode =
                isolatedOnly ? Grader.Mode.ISOLATED : integratedOnly ? Grader.Mode.INTEGRATED : Grader.Mode.BOTH;
        Workspace checked = main.workspace();
        labs.forEach(checked::lab); // an unknown lab is a usage error, before any work
        TestSupervisor.requireShortTempFolder();
        // So is a path that cannot be a submission or a results folder: the command then changes nothing.
        if (submission != null && !Files.exists(submission)) {
            throw new IllegalArgumentException("submission " + submission
                    + " does not exist; name a student's workspace" + " folder or a zip of it");
        }
        if (submission != null
                && Files.isRegularFile(submission)
                && !submission
                        .getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .endsWith(".zip")) {
            throw new IllegalArgumentException("submission " + submission
                    + " is a file but not a .zip; name a student's" + " workspace folder or a zip of it");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new java.nio.file.NotDirectoryException(out.toString());
        }
        if (timeLimit != null && timeLimit < 60) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--time-limit must be at least 60 seconds, not " + timeLimit);
        }
        String refusal = Main.refusalWithoutWalls(requireWalls);
        if (refusal != null) {
            GradeReport refused =
                    GradeReport.failed(submission == null ? "reference" : submission.toString(), refusal, 0);
            writeResults(refused, out);
            ReportWriter.printTable(refused, spec.commandLine().getOut());
            main.progress.println("storagelab: " + refusal);
            return Main.EXIT_COULD_NOT_RUN;
        }
        Path scratch = work != null
                ? Files.createDirectories(work)
                : keepWork
                        ? Files.createTempDirectory("storagelab-grade")
                        : FileTrees.temporaryFolder("storagelab-grade"); // deleted however the grader ends
        GradeReport report;
        int exit = 0;
        try {
            Workspace ws = main.workspace();
            Grader grader = new Grader(ws, main.progress, offline).only(only).perf(!noPerf);
            if (referenceBuild != null) {
                grader.sharedReference(referenceBuild.toAbsolutePath());
            }
            if (timeLimit != null) {
                grader.timeLimit(java.time.Duration.ofSeconds(timeLimit));
            }
            grader.partialResults(partial -> {
                try {
                    writeResults(partial, out);
                } catch (java.io.IOException e) {
                    main.progress.println("warning: could not write the results so far: " + Main.explain(e));
                }
            });
            report = grader.grade(submission, labs, mode, scratch);
        } catch (Throwable t) {
            // Whatever went wrong, the results file says so: a grader never leaves nothing behind.
            report = GradeReport.failed(
                    submission == null ? "reference" : submission.toString(), "internal grader error: " + t, 0);
            exit = 2;
        } finally {
            if (!keepWork && work == null) {
                FileTrees.deleteRecursively(scratch);
            }
        }
        writeResults(report, out);
        ReportWriter.printTable(report, spec.commandLine().getOut());
        if (submission == null && Exporter.isRelease(checked.root())) {
            LabTests.printLocalFailures(report, spec.commandLine().getOut());
        }
        spec.commandLine().getOut().println("results written to " + out.toAbsolutePath());
        if (report.error() != null) {
            // The results say so too (Gradescope shows them); a script sees it in the status.
            main.progress.println("storagelab: "
                    + ReportWriter.terminal(report.error().lines().findFirst().orElse(report.error())));
            return Main.EXIT_COULD_NOT_RUN;
        }
        return exit;
    }

    /**
     * Writes a grading's results into {@code out} as a whole: they are written beside it first,
     * then each replaces the file or folder of the same name, so no result of an earlier grading
     * (a stale {@code junit/} file) is left among them, and other files in {@code out} stay.
     */
    static void writeResults(GradeReport report, Path out) throws java.io.IOException {
        Path target = out.toAbsolutePath().normalize();
        Files.createDirectories(target);
        Path staging = Files.createDirectory(
                target.resolveSibling("." + target.getFileName() + ".writing-" + Long.toHexString(System.nanoTime())));
        try {
            ReportWriter.writeAll(report, staging);
            try (java.util.stream.Stream<Path> written = Files.list(staging)) {
                for (Path p : written.toList()) {
                    Path dest = target.resolve(p.getFileName().toString());
                    FileTrees.deleteRecursively(dest);
                    Files.move(p, dest);
                }
            }
        } finally {
            FileTrees.deleteRecursively(staging);
        }
    }
}
