package dev.storagelab.grader;

import dev.storagelab.grader.report.ReportWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
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

/** {@code ./storagelab}: the workspace's single entry point. */
@Command(
        name = "storagelab",
        mixinStandardHelpOptions = true,
        version = "storagelab 1.0",
        description = "Grade, export and measure storagelab workspaces.",
        subcommands = {
            Main.Export.class,
            Main.Update.class,
            Main.TestVerb.class,
            Main.Grade.class,
            Main.AuditVerb.class,
            Main.GradeAll.class,
            Main.GradeStopped.class,
            Main.Gradescope.class,
            Main.PrairieLearnVerb.class,
            Main.BenchVerb.class,
            Main.WorkloadVerb.class,
            Main.ArenaVerb.class,
            Main.ShellVerb.class,
            Main.RepairVerb.class,
            Main.LsmSimVerb.class,
            Main.HybridCalibrateVerb.class,
            Main.VizVerb.class
        })
public final class Main implements Runnable {

    @Option(names = "--workspace", description = "The workspace root (default: found from the current directory).")
    Path workspace;

    @Option(names = "--verbose", description = "On an error, print the stack trace too.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where progress lines go (standard error, so standard output stays the result). */
    PrintStream progress = System.err;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI with the given streams and returns the exit code (for tests). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main();
        main.progress = err;
        CommandLine cli = commandLine(main);
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("storagelab: " + explain(e));
            if (main.verbose) {
                e.printStackTrace(err);
            } else if (!(e instanceof IllegalArgumentException || e instanceof java.nio.file.FileSystemException)) {
                err.println("storagelab: run again with --verbose for the stack trace");
            }
            return EXIT_COULD_NOT_RUN;
        });
        return cli.execute(args);
    }

    /** Exit status: the verb did its job (grade: grading ran, whatever the score; test: every test passed). */
    static final int EXIT_OK = 0;
    /** Exit status: the verb ran and found failures (test: a test failed; bench: a benchmark or workload failed). */
    static final int EXIT_FAILURES = 1;
    /** Exit status: the verb could not do its job: bad input, a build that failed, an internal error. */
    static final int EXIT_COULD_NOT_RUN = 2;

    /**
     * A usage error (an unknown command or option, a missing or malformed value): one line that
     * says what is wrong, names the closest command or option when one was mistyped, and points
     * to the command's help; exit status 2.
     */
    static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            boolean option = first.startsWith("-");
            boolean command = !option && !cmd.getSubcommands().isEmpty();
            List<String> close =
                    u.getSuggestions().stream().filter(s -> plausible(first, s)).toList();
            message = (option ? "unknown option '" : command ? "unknown command '" : "unexpected argument '") + first
                    + "'"
                    + (!close.isEmpty()
                            ? "; did you mean '" + close.get(0) + "'?"
                            : command
                                    ? "; the commands are "
                                            + String.join(
                                                    ", ", cmd.getSubcommands().keySet())
                                    : "");
        }
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message + " (see '" + help + "')");
        return EXIT_COULD_NOT_RUN;
    }

    /**
     * Whether {@code suggestion} is a plausible reading of the mistyped {@code typed}: picocli offers
     * its closest name whatever was typed ('frobnicate' got 'update'), so a suggestion is kept only
     * if it starts as the typed word does (past its dashes), or holds the same letters in another order.
     */
    static boolean plausible(String typed, String suggestion) {
        String t = typed.replaceFirst("^-+", "");
        String s = suggestion.replaceFirst("^-+", "");
        if (t.isEmpty() || s.isEmpty()) {
            return false;
        }
        if (t.charAt(0) == s.charAt(0)) {
            return true;
        }
        char[] a = t.toCharArray();
        char[] b = s.toCharArray();
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        return java.util.Arrays.equals(a, b);
    }

    /** One line that names the input, what is wrong with it and, where it helps, what to do. */
    static String explain(Throwable e) {
        if (e instanceof java.io.UncheckedIOException u && u.getCause() != null) {
            return explain(u.getCause());
        }
        if (e instanceof java.nio.file.NoSuchFileException f) {
            return f.getFile() + ": no such file or folder"
                    + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")") + "; check the path";
        }
        if (e instanceof java.nio.file.AccessDeniedException f) {
            return f.getFile() + ": permission denied; choose a folder you can write to, or fix its permissions";
        }
        if (e instanceof java.nio.file.NotDirectoryException f) {
            return f.getFile() + " is a file, not a folder; name a folder";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + " is in the way (a file where a folder is needed); remove it or choose another path";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() == null ? "cannot be used" : f.getReason());
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return e.getMessage();
        }
        return "internal error: " + e;
    }

    /** The CLI as {@link #run} executes it: for parsing a command line without running it (the docs' checks). */
    static CommandLine commandLine(Main main) {
        CommandLine cli = new CommandLine(main);
        for (String verb : List.of("workload", "arena", "shell", "repair", "lsm-sim", "hybrid-calibrate", "viz")) {
            // Everything after the verb belongs to the workbench, which parses and documents it.
            cli.getSubcommands().get(verb).setUnmatchedOptionsArePositionalParams(true);
        }
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "name a command: export, update, test, grade, audit, grade-all, grade-stopped, gradescope, prairielearn, bench, workload, arena, shell, repair, lsm-sim, hybrid-calibrate or viz");
    }

    Workspace workspace() {
        if (workspace != null) {
            return Workspace.at(workspace);
        }
        return Workspace.find(Path.of(""))
                .orElseThrow(() -> new IllegalArgumentException(
                        "not inside a storagelab workspace; run from the workspace or pass --workspace"));
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Write the student release: regions become not-implemented throws, hidden tests stay behind.")
    static final class Export implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(
                names = "--out",
                required = true,
                description = "Where to write the release: a new or empty folder (or, with"
                        + " --replace, an earlier release).")
        Path out;

        @Option(
                names = "--replace",
                description = "Overwrite the earlier release in --out, and everything in it (a student's"
                        + " work too: to keep it, run update in that workspace instead).")
        boolean replace;

        @Option(
                names = "--solved",
                split = ",",
                paramLabel = "NN",
                description = "Labs given out solved, e.g. --solved 01,02:"
                        + " they keep the reference code, and grading the release grades only the others.")
        List<String> solved = new ArrayList<>();

        @Option(
                names = "--classroom",
                description = "Add GitHub Classroom's autograding workflow (" + ClassroomWorkflow.PATH
                        + "): every push runs each task's public tests and reports its points.")
        boolean classroom;

        @Option(
                names = "--classroom-lab",
                split = ",",
                paramLabel = "NN",
                description =
                        "With --classroom: only these labs'"
                                + " tasks, e.g. --classroom-lab 05 for an assignment of lab 05 (default: every lab not given out solved).")
        List<String> classroomLabs = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Workspace ws = main.workspace();
            if (!classroomLabs.isEmpty() && !classroom) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--classroom-lab needs --classroom");
            }
            Exporter.Summary s = new Exporter(ws)
                    .export(
                            out,
                            new java.util.HashSet<>(solved),
                            replace,
                            classroom,
                            new java.util.HashSet<>(classroomLabs));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "exported %d files with %d student regions to %s%n",
                            s.files(), s.regions(), out.toAbsolutePath());
            for (Map.Entry<String, Map<String, Integer>> e :
                    s.regionsByLabAndTask().entrySet()) {
                spec.commandLine()
                        .getOut()
                        .printf("  %s: tasks %s%n", e.getKey(), e.getValue().keySet());
            }
            for (String lab : s.solved()) {
                spec.commandLine()
                        .getOut()
                        .printf("  %s: solved (the reference code, not graded in this release)%n", lab);
            }
            if (classroom) {
                spec.commandLine().getOut().printf("  GitHub Classroom workflow: %s%n", ClassroomWorkflow.PATH);
            }
            return 0;
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = "Take a newer release (a fixed handout, a new"
                    + " lab) into this workspace, keeping your work: your code in every task, the files you added, and a .mine copy of"
                    + " any given file you changed. Prints what it changed.")
    static final class Update implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Parameters(
                paramLabel = "NEWER_RELEASE",
                description = "The folder of the newer release (what ./storagelab export wrote).")
        Path newer;

        @Option(names = "--dry-run", description = "Print what would change, and change nothing.")
        boolean dryRun;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path root = main.workspace().root();
            List<ReleaseUpdate.Change> changes =
                    ReleaseUpdate.plan(root, newer.toAbsolutePath().normalize());
            if (!dryRun) {
                ReleaseUpdate.apply(changes);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println((dryRun ? "would update " : "updated ") + root + " from "
                    + newer.toAbsolutePath().normalize() + ":");
            out.print(ReleaseUpdate.report(root, changes));
            out.flush();
            return EXIT_OK;
        }
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description = "Run one lab's public tests (or one task's) on the code in this workspace and print"
                    + " a line per task. Only that lab's tests run: an unfinished earlier lab does not stop them. Exit 0: all pass;"
                    + " 1: some fail; 2: they could not run.")
    static final class TestVerb implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(names = "--lab", required = true, paramLabel = "NN", description = "The lab, e.g. 04.")
        String lab;

        @Option(
                names = "--task",
                paramLabel = "TN",
                description =
                        "Only this task's tests, e.g. T3 (the handout's task table" + " says which tests are whose).")
        String task;

        @Option(names = "--offline", description = "Run Maven offline.")
        boolean offline;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Workspace ws = main.workspace();
            return LabTests.run(
                    ws, ws.lab(lab), task, offline, spec.commandLine().getOut(), main.progress);
        }
    }

    @Command(
            name = "grade",
            mixinStandardHelpOptions = true,
            description = "Grade a submission (default: this workspace's reference) with the hidden tests.")
    static final class Grade implements Callable<Integer> {
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
                description =
                        "Where to write results.json, grade.json, report.md and junit/ (default: ${DEFAULT-VALUE}).")
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
            Path scratch = work != null ? Files.createDirectories(work) : Files.createTempDirectory("storagelab-grade");
            GradeReport report;
            int exit = 0;
            try {
                Workspace ws = main.workspace();
                Grader grader =
                        new Grader(ws, main.progress, offline).only(only).perf(!noPerf);
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
                        main.progress.println("warning: could not write the results so far: " + explain(e));
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
                main.progress.println(
                        "storagelab: " + report.error().lines().findFirst().orElse(report.error()));
                return EXIT_COULD_NOT_RUN;
            }
            return exit;
        }
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

    @Command(
            name = "audit",
            mixinStandardHelpOptions = true,
            description = "Mutation testing (PIT) of a lab's solution regions: how many planted bugs the"
                    + " hidden tests, and the public tests alone, catch, per task, with every surviving mutant. Minutes to hours;"
                    + " not part of mvn verify.")
    static final class AuditVerb implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(names = "--lab", required = true, paramLabel = "NN", description = "The lab to audit.")
        String lab;

        @Option(names = "--task", paramLabel = "TN", description = "Only this task's regions.")
        String task;

        @Option(
                names = "--out",
                defaultValue = "storagelab-out/audit",
                description =
                        "Where to write audit.txt, audit.json" + " and PIT's HTML reports (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--offline", description = "Run Maven offline.")
        boolean offline;

        @Option(
                names = "--timeout-const",
                paramLabel = "MS",
                defaultValue = "0",
                description =
                        "PIT's timeoutConstant: the"
                                + " milliseconds a mutant's tests may run beyond 1.25 times their unmutated time before the mutant counts as"
                                + " timed out (killed); 0 keeps PIT's 4000. Raise it on a loaded machine, where a slow test can time out.")
        long timeoutConst;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Workspace ws = main.workspace();
            Audit.Report report = new Audit(ws, main.progress, offline, timeoutConst).run(ws.lab(lab), task, out);
            spec.commandLine().getOut().print(Audit.text(report));
            spec.commandLine().getOut().println("reports written to " + out.toAbsolutePath());
            return EXIT_OK;
        }
    }

    @Command(
            name = "grade-all",
            mixinStandardHelpOptions = true,
            description = "Grade every submission (folder or zip) in a folder, in parallel, and write a gradebook.")
    static final class GradeAll implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Parameters(paramLabel = "SUBMISSIONS_DIR", description = "A folder with one folder or zip per student.")
        Path submissions;

        @Option(names = "--lab", paramLabel = "NN", description = "Grade only this lab (repeatable).")
        List<String> labs = new ArrayList<>();

        @Option(
                names = "--out",
                required = true,
                description = "Where to write gradebook.csv and each student's results.")
        Path out;

        @Option(names = "--jobs", description = "Submissions graded at once (default: the number of cores).")
        int jobs = Runtime.getRuntime().availableProcessors();

        @Option(names = "--offline", description = "Run Maven offline.")
        boolean offline;

        @Option(names = "--no-perf", description = "Skip the performance benchmarks (the rubric's perf.* lines).")
        boolean noPerf;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (jobs < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, not " + jobs);
            }
            Workspace ws = main.workspace();
            labs.forEach(ws::lab);
            if (!Files.isDirectory(submissions)) {
                throw new IllegalArgumentException(
                        submissions + (Files.exists(submissions) ? " is a file, not a folder" : " does not exist")
                                + "; name a folder that holds one folder or .zip per student");
            }
            Map<String, GradeReport> reports =
                    new Gradebook(ws, offline, main.progress).perf(!noPerf).gradeAll(submissions, labs, out, jobs);
            for (Map.Entry<String, GradeReport> e : reports.entrySet()) {
                GradeReport r = e.getValue();
                spec.commandLine()
                        .getOut()
                        .printf(
                                java.util.Locale.ROOT,
                                "%-24s %6.1f%%  %s%n",
                                e.getKey(),
                                r.percent(),
                                r.error() == null
                                        ? ""
                                        : r.error().lines().findFirst().orElse(""));
            }
            spec.commandLine()
                    .getOut()
                    .println("gradebook written to "
                            + out.resolve("gradebook.csv").toAbsolutePath());
            long ungraded =
                    reports.values().stream().filter(r -> r.error() != null).count();
            if (ungraded > 0) {
                main.progress.println("storagelab: " + ungraded + " of " + reports.size()
                        + " submissions could not be graded" + " (their rows in the gradebook say why)");
                return EXIT_FAILURES;
            }
            return EXIT_OK;
        }
    }

    @Command(
            name = "grade-stopped",
            mixinStandardHelpOptions = true,
            description =
                    "After a grading that was stopped from"
                            + " outside (the container's memory, a timeout), say why in one line at the top of its results in --out"
                            + " (Gradescope's results.json and PrairieLearn's), keeping the points they hold; where it left none, write"
                            + " results that say so. The platforms' scripts run it; the reason is read from the container, not the submission.")
    static final class GradeStopped implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(
                names = "--out",
                required = true,
                description = "The results folder of the stopped grading (grade --out).")
        Path out;

        @Option(names = "--status", required = true, description = "The grading's exit status (137: killed).")
        int status;

        @Option(
                names = "--timed-out",
                paramLabel = "SECONDS",
                description = "The time limit the grading was stopped at, if it was.")
        Long timedOut;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String reason = StoppedGrading.reason(status, timedOut, ContainerLimits.current());
            StoppedGrading.note(out, reason);
            spec.commandLine().getOut().println("noted in " + out.toAbsolutePath() + ": " + reason);
            return EXIT_OK;
        }
    }

    @Command(
            name = "gradescope",
            mixinStandardHelpOptions = true,
            description = "Build the autograder zip Gradescope expects (setup.sh, run_autograder, the workspace).")
    static final class Gradescope implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(
                names = "--lab",
                paramLabel = "NN",
                description = "The lab(s) this assignment grades (repeatable; default: all).")
        List<String> labs = new ArrayList<>();

        @Option(
                names = "--out",
                defaultValue = "autograder.zip",
                description = "The zip to write (default: ${DEFAULT-VALUE}).")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (Files.isDirectory(out)) {
                throw new IllegalArgumentException(
                        out + " is a folder; --out names the zip to write, e.g. " + out.resolve("autograder.zip"));
            }
            int n = GradescopePackage.write(main.workspace(), labs, out);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "wrote %s (%d entries); upload it as the assignment's autograder%n",
                            out.toAbsolutePath(), n);
            return 0;
        }
    }

    @Command(
            name = "prairielearn",
            mixinStandardHelpOptions = true,
            description =
                    "Write what a PrairieLearn course needs to"
                            + " grade a lab as an externally graded question: questions/storagelab-lab-NN/ (info.json with its external grading"
                            + " options, question.html, the files students upload) and grader-image/ (the image's Dockerfile and entrypoint).")
    static final class PrairieLearnVerb implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(names = "--lab", required = true, paramLabel = "NN", description = "The lab the question grades.")
        String lab;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "The course folder to write into (its"
                        + " questions/storagelab-lab-NN and grader-image are replaced; nothing else in it changes).")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Workspace ws = main.workspace();
            ws.lab(lab);
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new java.nio.file.NotDirectoryException(out.toString());
            }
            PrairieLearnPackage.Summary s = PrairieLearnPackage.write(ws, lab, out);
            PrintWriter o = spec.commandLine().getOut();
            o.println("wrote the question " + s.question().toAbsolutePath() + " (students upload "
                    + String.join(", ", s.files()) + ")");
            o.println("wrote the grader image's folder " + s.image().toAbsolutePath()
                    + "; build it with: docker build -t " + PrairieLearnPackage.IMAGE + " "
                    + s.image().toAbsolutePath());
            return EXIT_OK;
        }
    }

    @Command(
            name = "bench",
            mixinStandardHelpOptions = true,
            description =
                    "Run the labs' JMH benchmarks on the reference and, with --submission, on a"
                            + " submission in the same run (each benchmark's ratio, submission over reference); with --peers, the db_bench"
                            + " workloads on the labs' engines and on RocksDB, LevelDB and H2 MVStore. Writes bench.json, bench.txt and PNG plots.")
    static final class BenchVerb implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @Option(names = "--lab", paramLabel = "NN", description = "Benchmark only this lab (repeatable; default: all).")
        List<String> labs = new ArrayList<>();

        @Option(
                names = "--submission",
                paramLabel = "DIR",
                description = "A student workspace folder or zip to measure against the reference.")
        Path submission;

        @Option(
                names = "--peers",
                description = "Also run the workloads on the labs' engines and the production peers"
                        + " (built with the Maven profile peers; downloaded on first use).")
        boolean peers;

        @Option(
                names = "--quick",
                description = "A smoke run of a few seconds per lab: every benchmark once for 100 ms with"
                        + " small parameters, small workloads. Proves the pipeline; the numbers mean nothing.")
        boolean quick;

        @Option(names = "--keys", description = "The workloads' key space (default: 100000; 2000 with --quick).")
        long keys;

        @Option(names = "--ops", description = "The workloads' measured operations (default: as many as keys).")
        long ops;

        @Option(
                names = "--out",
                defaultValue = "storagelab-out/bench",
                description =
                        "Where to write bench.json, bench.txt," + " the plots and logs/ (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--offline", description = "Run Maven offline.")
        boolean offline;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (keys < 0 || ops < 0) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        (keys < 0 ? "--keys" : "--ops") + " must be a positive number of keys or operations, not "
                                + (keys < 0 ? keys : ops));
            }
            Workspace ws = main.workspace();
            labs.forEach(ws::lab);
            if (submission != null && !Files.exists(submission)) {
                throw new IllegalArgumentException(
                        "submission " + submission + " does not exist; name a workspace folder or a zip");
            }
            dev.storagelab.grader.bench.BenchReport report = new dev.storagelab.grader.bench.Bench(ws, main.progress)
                    .run(new dev.storagelab.grader.bench.Bench.Options(
                            labs, submission, peers, quick, out, offline, keys, ops));
            spec.commandLine().getOut().print(Files.readString(out.resolve("bench.txt")));
            spec.commandLine().getOut().println("results written to " + out.toAbsolutePath());
            boolean failed = report.labs().stream()
                            .anyMatch(l -> l.problem() != null || !l.failures().isEmpty())
                    || report.workloads() != null
                            && !report.workloads().problems().isEmpty();
            return failed ? 1 : 0;
        }
    }

    /** A verb the workbench answers: everything after it is passed on, unparsed ({@link Workbench}). */
    abstract static class WorkbenchVerb implements Callable<Integer> {
        @CommandLine.ParentCommand
        Main main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..*", description = "The workbench's options.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<String> all = new ArrayList<>(List.of(spec.name()));
            all.addAll(args);
            return Workbench.run(main.workspace(), all);
        }
    }

    @Command(
            name = "workload",
            description =
                    "Run one workload on one engine: throughput, latency percentiles, the engine's"
                            + " counters. Options: --engine E --workload W [--ops N] [--keys N] [--dir D] [--json]; `workload --help` lists them all.")
    static final class WorkloadVerb extends WorkbenchVerb {}

    @Command(
            name = "arena",
            description =
                    "Compare engines on equal terms in one run: one memory budget, the same log and sync"
                            + " mode, data larger than memory read past the page cache, steady-state figures. Options: --workload W --engines a,b,c"
                            + " --memory SIZE --data N [--sync none|group|every-write] [--json] [--sweep DIR]; `arena --help` lists them all.")
    static final class ArenaVerb extends WorkbenchVerb {}

    @Command(
            name = "shell",
            description =
                    "An interactive shell over one engine (put, get, del, scan, page, stats, flush,"
                            + " compact, dump, help; begin, commit, abort on kv; where, tiers, move on hybrid). Options: --engine E --dir D [--script FILE]; reads standard input when it is not a terminal.")
    static final class ShellVerb extends WorkbenchVerb {}

    @Command(
            name = "lsm-sim",
            description =
                    "Simulate lab-05's compaction policies in memory: the levels as writes go in, the write"
                            + " and space amplification. Options: --policy leveled|tiered --ratio N --keys N --writes N --pattern uniform|zipfian|sequential.")
    static final class LsmSimVerb extends WorkbenchVerb {}

    @Command(
            name = "repair",
            description = "Salvage a store whose open is refused because of its write-ahead log (kv, kv-lsm,"
                    + " hybrid): says what it would cut and whether anything acknowledged is lost; changes the files only with --apply."
                    + " Options: --dir D [--apply].")
    static final class RepairVerb extends WorkbenchVerb {}

    @Command(
            name = "hybrid-calibrate",
            description =
                    "Measure this machine's storage and the lab-04 and lab-05 engines and write"
                            + " the hardware profile lab-07's cost model reads. Options: [--dir D] [--out FILE] [--device nvme|hdd|object-store] [--keys N].")
    static final class HybridCalibrateVerb extends WorkbenchVerb {}

    @Command(
            name = "viz",
            description = "Watch the engines work in the browser: B+tree pages, buffer pool frames, LSM levels and"
                    + " compactions, group commits, MVCC versions, the hybrid's routes; recorded runs (from 'workload ... --events"
                    + " RUN.jsonl') scrubbed, stepped and laid side by side, and live runs started from the page."
                    + " Options: [--port N] [--bind ADDRESS] [RUN.jsonl ...]; GET /health answers 200 when it is up.")
    static final class VizVerb extends WorkbenchVerb {}
}
