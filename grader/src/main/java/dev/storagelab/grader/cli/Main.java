package dev.storagelab.grader.cli;

import dev.storagelab.grader.Exporter;
import dev.storagelab.grader.InstructorCommands;
import dev.storagelab.grader.Workspace;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./storagelab}: the workspace's single entry point. */
@Command(
        name = "storagelab",
        mixinStandardHelpOptions = true,
        version = "storagelab 1.0",
        description = "Grade, export and measure storagelab workspaces.",
        subcommands = {
            ExportCommand.class,
            UpdateCommand.class,
            TestCommand.class,
            GradeCommand.class,
            AuditCommand.class,
            GradeAllCommand.class,
            GradeStoppedCommand.class,
            GradescopeCommand.class,
            PrairieLearnCommand.class,
            BenchCommand.class,
            WorkbenchVerbs.WorkloadVerb.class,
            WorkbenchVerbs.ArenaVerb.class,
            WorkbenchVerbs.ShellVerb.class,
            WorkbenchVerbs.RepairVerb.class,
            WorkbenchVerbs.LsmSimVerb.class,
            WorkbenchVerbs.HybridCalibrateVerb.class,
            WorkbenchVerbs.VizVerb.class,
            WorkbenchVerbs.BookVerb.class,
            WorkbenchVerbs.FiguresVerb.class
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
        cli.setParameterExceptionHandler((e, given) -> {
            if (main.inRelease()) {
                forRelease(cli);
                String refused = refusal(e);
                if (refused != null) {
                    err.println("storagelab: " + refused);
                    return EXIT_COULD_NOT_RUN;
                }
            }
            return usageError(e, given);
        });
        cli.setExecutionStrategy(parsed -> {
            if (main.inRelease()) {
                forRelease(cli);
                String refused = refusal(parsed.subcommand());
                if (refused != null) {
                    err.println("storagelab: " + refused);
                    return EXIT_COULD_NOT_RUN;
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
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
    public static final int EXIT_OK = 0;
    /** Exit status: the verb ran and found failures (test: a test failed; bench: a benchmark or workload failed). */
    public static final int EXIT_FAILURES = 1;
    /** Exit status: the verb could not do its job: bad input, a build that failed, an internal error. */
    public static final int EXIT_COULD_NOT_RUN = 2;

    /**
     * Why a grading that requires all three walls ({@code --require-walls}) must not run here; null
     * when it may (all three stand, or they are not required).
     */
    static String refusalWithoutWalls(boolean required) {
        dev.storagelab.grader.Walls walls = dev.storagelab.grader.Walls.current(true);
        if (!required || walls.all()) {
            return null;
        }
        return "refused to grade without all three walls (--require-walls): missing "
                + String.join(" and ", walls.reasons())
                + "; grade as root on a JDK the grader supports, or leave out --require-walls";
    }

    /**
     * A usage error (an unknown command or option, a missing or malformed value): one line that
     * says what is wrong, names the closest command or option when one was mistyped, and points
     * to the command's help; exit status 2.
     */
    static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String message = e.getMessage();
        // A mistyped required option is reported missing first: the word typed for it is the cause.
        List<String> unmatched = e instanceof CommandLine.UnmatchedArgumentException u
                ? u.getUnmatched()
                : e instanceof CommandLine.MissingParameterException ? cmd.getUnmatchedArguments() : List.of();
        if (!unmatched.isEmpty()) {
            String first = unmatched.get(0);
            boolean option = first.startsWith("-");
            List<String> commands = commands(cmd);
            boolean command = !option && !commands.isEmpty();
            List<String> options = cmd.getCommandSpec().options().stream()
                    .filter(o -> !o.hidden())
                    .flatMap(o -> java.util.Arrays.stream(o.names()))
                    .toList();
            String close = Suggestion.closest(
                    first.replaceFirst("=.*", ""), option ? options : command ? commands : List.of());
            message = (option ? "unknown option '" : command ? "unknown command '" : "unexpected argument '") + first
                    + "'"
                    + (close != null
                            ? "; did you mean '" + close + "'?"
                            : command ? "; the commands are " + String.join(", ", commands) : "");
        }
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message + " (see '" + help + "')");
        return EXIT_COULD_NOT_RUN;
    }

    /** One line that names the input, what is wrong with it and, where it helps, what to do. */
    public static String explain(Throwable e) {
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

    /** The commands {@code cmd} offers: its subcommands but those its help leaves out. */
    private static List<String> commands(CommandLine cmd) {
        return cmd.getSubcommands().entrySet().stream()
                .filter(c -> !c.getValue().getCommandSpec().usageMessage().hidden())
                .map(java.util.Map.Entry::getKey)
                .toList();
    }

    /** Whether the workspace this command runs in is a student release (false where none is found). */
    boolean inRelease() {
        try {
            return workspace != null
                    ? Exporter.isRelease(workspace)
                    : Workspace.find(Path.of(""))
                            .map(w -> Exporter.isRelease(w.root()))
                            .orElse(false);
        } catch (RuntimeException e) {
            return false; // no workspace to read: the command itself says so
        }
    }

    /**
     * The CLI as a student release offers it: the instructor's verbs and options
     * ({@link InstructorCommands}) left out of its help, and the commands described as they work
     * there. The release's help texts ({@code grader/help/release/}) are this usage.
     */
    public static CommandLine forRelease(CommandLine cli) {
        cli.getCommandSpec().usageMessage().description(RELEASE_DESCRIPTION);
        InstructorCommands.VERBS
                .keySet()
                .forEach(verb -> cli.getSubcommands()
                        .get(verb)
                        .getCommandSpec()
                        .usageMessage()
                        .hidden(true));
        InstructorCommands.OPTIONS.forEach((verb, options) -> {
            CommandLine.Model.CommandSpec spec = cli.getSubcommands().get(verb).getCommandSpec();
            for (String name : options.keySet()) {
                CommandLine.Model.OptionSpec option = spec.findOption(name);
                if (option != null && !option.hidden()) {
                    spec.remove(option);
                    spec.addOption(option.toBuilder().hidden(true).build());
                }
            }
        });
        cli.getSubcommands().get("bench").getCommandSpec().usageMessage().description(BenchCommand.RELEASE_DESCRIPTION);
        cli.getSubcommands().get("grade").getCommandSpec().usageMessage().description(GradeCommand.RELEASE_DESCRIPTION);
        return cli;
    }

    /** What {@code ./storagelab --help} says it is in a student release. */
    static final String RELEASE_DESCRIPTION =
            "Test, grade and measure your code in this storagelab workspace, and run its engines.";

    /** Why the command {@code verb} (its parse) cannot run in a release, or null. */
    private static String refusal(CommandLine.ParseResult verb) {
        if (verb == null) {
            return null;
        }
        Set<String> options = new java.util.HashSet<>();
        verb.matchedOptions().forEach(o -> options.add(o.longestName()));
        return InstructorCommands.refusal(verb.commandSpec().name(), options);
    }

    /** Why a command line that failed to parse names what a release does not have, or null: its verb or the option it failed on. */
    private static String refusal(CommandLine.ParameterException e) {
        CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
        if (spec.parent() == null) {
            return null;
        }
        List<CommandLine.Model.ArgSpec> failed = e instanceof CommandLine.MissingParameterException m
                ? m.getMissing()
                : e.getArgSpec() == null ? List.of() : List.of(e.getArgSpec());
        Set<String> options = new java.util.HashSet<>();
        failed.stream()
                .filter(a -> a instanceof CommandLine.Model.OptionSpec)
                .forEach(a -> options.add(((CommandLine.Model.OptionSpec) a).longestName()));
        return InstructorCommands.refusal(spec.name(), options);
    }

    /** The CLI as {@link #run} executes it: for parsing a command line without running it (the docs' checks). */
    public static CommandLine commandLine(Main main) {
        CommandLine cli = new CommandLine(main);
        for (String verb : List.of(
                "workload", "arena", "shell", "repair", "lsm-sim", "hybrid-calibrate", "viz", "book", "figures")) {
            // Everything after the verb belongs to the workbench, which parses and documents it.
            cli.getSubcommands().get(verb).setUnmatchedOptionsArePositionalParams(true);
        }
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command: " + String.join(", ", commands(spec.commandLine())));
    }

    Workspace workspace() {
        if (workspace != null) {
            return Workspace.at(workspace);
        }
        return Workspace.find(Path.of(""))
                .orElseThrow(() -> new IllegalArgumentException(
                        "not inside a storagelab workspace; run from the workspace or pass --workspace"));
    }
}
