package dev.storagelab.grader.cli;

import dev.storagelab.grader.grade.Gradebook;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "grade-all",
        mixinStandardHelpOptions = true,
        description = "Grade every submission (folder or zip) in a folder, in parallel, and write the gradebook"
                + " (gradebook.csv, a row per student), each student's results and, unless --no-perf, the class's"
                + " performance leaderboard (leaderboard.csv and leaderboard.html, under pseudonyms; pseudonyms.csv"
                + " names them, for the instructor alone).")
final class GradeAllCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Parameters(paramLabel = "SUBMISSIONS_DIR", description = "A folder with one folder or zip per student.")
    Path submissions;

    @Option(names = "--lab", paramLabel = "NN", description = "Grade only this lab (repeatable).")
    List<String> labs = new ArrayList<>();

    @Option(
            names = "--out",
            required = true,
            description = "Where to write gradebook.csv, the leaderboard and each student's results.")
    Path out;

    @Option(names = "--jobs", description = "Submissions graded at once (default: the number of cores).")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--offline", description = "Run Maven offline.")
    boolean offline;

    @Option(
            names = "--no-perf",
            description = "Skip the performance benchmarks (the rubric's perf.* lines), and so the leaderboard.")
    boolean noPerf;

    @Option(
            names = "--require-walls",
            description = "Refuse to grade (exit status 2) unless all three walls stand: the allow-list, the in-JVM"
                    + " policy and a user of its own for each test JVM (the grader must be root).")
    boolean requireWalls;

    @Option(
            names = "--reference-build",
            paramLabel = "DIR",
            description = "Keep the built reference in DIR and reuse it while the workspace is unchanged"
                    + " (the class graded again builds only the submissions' labs); as grade's --reference-build.")
    Path referenceBuild;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (jobs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, not " + jobs);
        }
        Workspace ws = main.workspace();
        labs.forEach(ws::lab);
        dev.storagelab.grader.run.TestSupervisor.requireShortTempFolder();
        if (!Files.isDirectory(submissions)) {
            throw new IllegalArgumentException(
                    submissions + (Files.exists(submissions) ? " is a file, not a folder" : " does not exist")
                            + "; name a folder that holds one folder or .zip per student");
        }
        String refusal = Main.refusalWithoutWalls(requireWalls);
        if (refusal != null) {
            main.progress.println("storagelab: " + refusal);
            return Main.EXIT_COULD_NOT_RUN;
        }
        Gradebook gradebook = new Gradebook(ws, offline, main.progress).perf(!noPerf);
        if (referenceBuild != null) {
            gradebook.sharedReference(referenceBuild.toAbsolutePath());
        }
        Map<String, GradeReport> reports = gradebook.gradeAll(submissions, labs, out, jobs);
        for (Map.Entry<String, GradeReport> e : reports.entrySet()) {
            GradeReport r = e.getValue();
            spec.commandLine()
                    .getOut()
                    .printf(
                            java.util.Locale.ROOT,
                            "%-24s %6.1f%%  %s%n",
                            ReportWriter.terminal(e.getKey()),
                            r.percent(),
                            r.error() == null
                                    ? ""
                                    : ReportWriter.terminal(
                                            r.error().lines().findFirst().orElse("")));
        }
        // Every grading of one run stands behind the same walls: said once, under the rows.
        reports.values().stream()
                .findFirst()
                .ifPresent(r -> dev.storagelab.grader.report.ReportWriter.printWalls(
                        r.walls(), spec.commandLine().getOut()));
        spec.commandLine()
                .getOut()
                .println("gradebook written to " + out.resolve("gradebook.csv").toAbsolutePath());
        if (!noPerf) {
            spec.commandLine()
                    .getOut()
                    .println("leaderboard written to "
                            + out.resolve("leaderboard.html").toAbsolutePath()
                            + " and leaderboard.csv (pseudonyms; " + out.resolve("pseudonyms.csv")
                            + " names them, for you alone)");
        }
        long ungraded = reports.values().stream().filter(r -> r.error() != null).count();
        if (ungraded > 0) {
            main.progress.println("storagelab: " + ungraded + " of " + reports.size()
                    + " submissions could not be graded" + " (their rows in the gradebook say why)");
            return Main.EXIT_FAILURES;
        }
        return Main.EXIT_OK;
    }
}
