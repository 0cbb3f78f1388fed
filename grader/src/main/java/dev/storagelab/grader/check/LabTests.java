package dev.storagelab.grader.check;

import static dev.storagelab.grader.workspace.HandoutTasks.concept;
import static dev.storagelab.grader.workspace.HandoutTasks.method;
import static dev.storagelab.grader.workspace.HandoutTasks.tasks;
import static dev.storagelab.grader.workspace.HandoutTasks.testClasses;

import dev.storagelab.grader.feedback.LibraryNoise;
import dev.storagelab.grader.feedback.NotImplemented;
import dev.storagelab.grader.feedback.TerminalText;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.workspace.ChildProcesses;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.HandoutTasks.Task;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./storagelab test}: runs one lab's public tests, or one task's, on the code in the
 * workspace, and prints one line per task. Maven builds the lab and the labs it builds on
 * ({@code -am}) but runs only this lab's tests, so an earlier lab that is unfinished (its methods
 * still throw not-implemented) never stops the run. Which test classes belong to which task comes
 * from the task table at the top of the lab's handout, the one place that says it.
 */
public final class LabTests {

    /** How long a test run may take before it is stopped. */
    private static final Duration DEADLINE = Duration.ofMinutes(30);

    private LabTests() {}

    /**
     * Runs the public tests of {@code lab} ({@code task}: only that task's) and prints one line per
     * task to {@code out}, Maven's own output going to a log file. Returns the exit code: 0 when
     * every test ran and passed, 1 when some failed, 2 when the tests could not run (a lab does not
     * compile, Maven failed).
     */
    public static int run(
            Workspace workspace, Lab lab, String task, boolean offline, PrintWriter out, PrintStream progress)
            throws IOException {
        List<Task> tasks = tasks(workspace, lab);
        List<String> all = testClasses(workspace, lab);
        List<String> selected = all;
        String onlyTask = null;
        if (task != null) {
            String wanted = task.trim().toUpperCase(Locale.ROOT);
            Task t = tasks.stream()
                    .filter(x -> x.id().equalsIgnoreCase(wanted))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(lab.id() + " has no task " + task
                            + "; its tasks are " + tasks.stream().map(Task::id).toList() + " (the table at the top of "
                            + lab.directory() + "/README.md)"));
            onlyTask = t.id();
            selected = all.stream()
                    .filter(c -> t.testClasses().contains(c.substring(c.lastIndexOf('.') + 1)))
                    .toList();
            if (selected.isEmpty()) {
                throw new IllegalArgumentException(lab.id() + " " + t.id() + " lists the tests " + t.testClasses()
                        + ", but " + lab.directory() + "/src/test/java has none of them");
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException(lab.directory() + " has no public tests (src/test/java/**/*Test.java)");
        }
        Path module = workspace.root().resolve(lab.directory());
        FileTrees.deleteRecursively(module.resolve("target/surefire-reports")); // no stale results
        Path recordings = module.resolve(RECORDINGS);
        FileTrees.deleteRecursively(recordings);
        Path log = Files.createDirectories(module.resolve("target")).resolve("storagelab-test.log");

        List<String> cmd = LabBuild.maven();
        cmd.addAll(List.of(
                "-B",
                "-Dstyle.color=never",
                "-Denforcer.skip=true",
                "-pl",
                lab.directory(),
                "-am",
                "test",
                "-Dtest=" + String.join(",", selected),
                "-Dsurefire.failIfNoSpecifiedTests=false",
                "-Dmaven.test.failure.ignore=true",
                // a failing test of an engine leaves a recording of its events (testkit's FailureRecording)
                "-D" + RECORD_PROPERTY + "=" + recordings.toAbsolutePath(),
                "-Djunit.jupiter.extensions.autodetection.enabled=true"));
        if (offline) {
            cmd.add("-o");
        }
        progress.println("building " + lab.directory() + " and the labs it builds on, then running " + selected.size()
                + (selected.size() == 1 ? " test class" : " test classes") + " (Maven's output: "
                + workspace.root().relativize(log) + ") ...");
        Process p = ChildProcesses.start(new ProcessBuilder(cmd)
                .directory(workspace.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        boolean finished;
        try {
            finished = ChildProcesses.awaitOrKill(p, DEADLINE);
        } catch (InterruptedException e) {
            ChildProcesses.kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the tests ran", e);
        }
        String mavenLog = Files.readString(log, StandardCharsets.UTF_8).replaceAll("\u001B\\[[;\\d]*m", "");
        List<SurefireReports.Case> cases = SurefireReports.read(module);
        if (!finished || p.exitValue() != 0) {
            out.println(lab.id() + ": the tests could not run: "
                    + (finished
                            ? "Maven failed (exit " + p.exitValue() + ")"
                            : "stopped after " + DEADLINE.toMinutes() + " minutes"));
            for (Lab l : WorkspaceCopies.closure(workspace, List.of(lab))) {
                String errors = LabBuild.errorsFor(mavenLog, workspace.root(), l);
                if (!errors.isBlank() && mavenLog.contains(l.directory() + "/")) {
                    out.println(errors);
                    break;
                }
            }
            out.println("the whole Maven output is in " + log);
            return 2;
        }
        print(lab, tasks, onlyTask, cases, workspace.root().relativize(module), recordings(workspace, recordings), out);
        out.println("reports: " + module.resolve("target/surefire-reports") + "; Maven's output: " + log);
        return cases.isEmpty() || cases.stream().anyMatch(c -> !c.passed() && !c.skipped()) ? 1 : 0;
    }

    /** At most this many failures are shown per task; the reports have every one. */
    public static final int FAILURES_SHOWN = 3;
    /** A failure message is shown in at most this many lines ... */
    static final int MESSAGE_LINES = 6;
    /** ... of at most this many characters each, wrapped at words. */
    static final int LINE_CHARS = 160;

    /** Where the whole message of a test of {@code module} is: its class's Surefire report. */
    static String reportOf(Path module, SurefireReports.Case c) {
        return module.resolve("target/surefire-reports/TEST-" + c.className() + ".xml")
                .toString();
    }

    /**
     * One line per task (and one for the given code, and one for tests no task lists), each
     * failing task followed by its failures (the test, the concept its name states, the message and
     * jqwik's shrunk sample), then how many of the student's tasks pass, and on a line of its own
     * how the given code's tests did.
     */
    static void print(Lab lab, List<Task> tasks, String onlyTask, List<SurefireReports.Case> cases, PrintWriter out) {
        print(lab, tasks, onlyTask, cases, Path.of(lab.directory()), Map.of(), out);
    }

    /** Where a lab's failing tests leave their recordings, in its module. */
    static final String RECORDINGS = "target/storagelab-failures";
    /** The system property that asks the tests for recordings (testkit's {@code FailureRecorder.PROPERTY}). */
    static final String RECORD_PROPERTY = "storagelab.failures";

    /**
     * The recordings the failing tests left in {@code dir}, by {@code Class.method} (a test's
     * first), each as the path to give {@code ./storagelab viz}, from the workspace root.
     */
    static Map<String, Path> recordings(Workspace workspace, Path dir) throws IOException {
        Map<String, Path> byTest = new java.util.TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return byTest;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jsonl")) {
                    String test =
                            name.substring(0, name.length() - ".jsonl".length()).replaceFirst("\\[.*$", "");
                    byTest.putIfAbsent(test, workspace.root().relativize(f.toAbsolutePath()));
                }
            }
        }
        return byTest;
    }

    static void print(
            Lab lab,
            List<Task> tasks,
            String onlyTask,
            List<SurefireReports.Case> cases,
            Path module,
            Map<String, Path> recordings,
            PrintWriter out) {
        Map<String, List<SurefireReports.Case>> byTask = new LinkedHashMap<>();
        for (Task t : tasks) {
            if (onlyTask == null || onlyTask.equals(t.id())) {
                byTask.put(t.id(), new ArrayList<>());
            }
        }
        String other = "other";
        for (SurefireReports.Case c : cases) {
            String owner = tasks.stream()
                    .filter(t -> t.testClasses().contains(c.simpleClassName()))
                    .map(Task::id)
                    .filter(byTask::containsKey)
                    .findFirst()
                    .orElse(other);
            byTask.computeIfAbsent(owner, k -> new ArrayList<>()).add(c);
        }
        int tasksPassing = 0;
        int studentTasks = 0;
        List<String> passing = new ArrayList<>();
        for (Map.Entry<String, List<SurefireReports.Case>> e : byTask.entrySet()) {
            List<SurefireReports.Case> list = e.getValue();
            long passed = list.stream().filter(SurefireReports.Case::passed).count();
            List<SurefireReports.Case> failed =
                    list.stream().filter(c -> c.failure() != null).toList();
            Map<String, NotImplemented> notImplemented = new LinkedHashMap<>(); // by message
            List<SurefireReports.Case> wrong = new ArrayList<>();
            for (SurefireReports.Case c : failed) {
                java.util.Optional<NotImplemented> n = NotImplemented.in(c.failure());
                if (n.isPresent()) {
                    notImplemented.putIfAbsent(n.get().message(), n.get());
                } else {
                    wrong.add(c);
                }
            }
            boolean isTask = e.getKey().matches("T\\d+");
            if (isTask) {
                studentTasks++;
                if (!list.isEmpty() && passed == list.size()) {
                    tasksPassing++;
                    passing.add(e.getKey());
                }
            }
            String verdict;
            if (list.isEmpty()) {
                verdict = "no tests ran";
            } else if (passed == list.size()) {
                verdict = "all pass";
            } else if (failed.isEmpty()) {
                verdict = "skipped";
            } else if (wrong.isEmpty()) {
                verdict = notImplementedLine(
                        lab.id(), e.getKey(), notImplemented.values().iterator().next());
            } else {
                verdict = wrong.size()
                        + (wrong.size() == 1 ? " test fails" : " tests fail")
                        + (notImplemented.isEmpty() ? "" : ", " + (failed.size() - wrong.size()) + " not implemented");
            }
            out.printf(
                    Locale.ROOT,
                    "%-6s %9s  %s%n",
                    e.getKey(),
                    passed + "/" + list.size(),
                    verdict + "  " + classesOf(e.getKey(), list));
            if (!wrong.isEmpty()) {
                for (NotImplemented n : notImplemented.values()) {
                    out.println("         " + notImplementedLine(lab.id(), e.getKey(), n));
                }
                for (SurefireReports.Case c : wrong.subList(0, Math.min(FAILURES_SHOWN, wrong.size()))) {
                    failure(c, reportOf(module, c)).forEach(line -> out.println("         " + line));
                    Path recording = recordings.get(c.simpleClassName() + "." + method(c.name()));
                    if (recording != null) {
                        out.println("           watch your engine fail, at the failing step: ./storagelab viz "
                                + recording);
                    }
                }
                if (wrong.size() > FAILURES_SHOWN) {
                    out.println("         ... and " + (wrong.size() - FAILURES_SHOWN) + " more (every message is in "
                            + module.resolve("target/surefire-reports") + ")");
                }
            }
        }
        List<SurefireReports.Case> given = byTask.getOrDefault("given", List.of());
        if (onlyTask != null) {
            List<SurefireReports.Case> mine = byTask.getOrDefault(onlyTask, List.of());
            long passed = mine.stream().filter(SurefireReports.Case::passed).count();
            out.printf(
                    Locale.ROOT,
                    "%s %s: %s (%d of %d tests pass)%n",
                    lab.id(),
                    onlyTask,
                    !mine.isEmpty() && passed == mine.size() ? "passes" : "does not pass yet",
                    passed,
                    mine.size());
        } else {
            long testsPassed = cases.stream()
                    .filter(c -> !given.contains(c))
                    .filter(SurefireReports.Case::passed)
                    .count();
            out.printf(
                    Locale.ROOT,
                    "%s: %d of %d tasks pass%s; their tests: %d of %d pass%n",
                    lab.id(),
                    tasksPassing,
                    studentTasks,
                    passing.isEmpty() ? "" : " (" + String.join(", ", passing) + ")",
                    testsPassed,
                    cases.size() - given.size());
        }
        if (!given.isEmpty()) {
            long passed = given.stream().filter(SurefireReports.Case::passed).count();
            out.printf(
                    Locale.ROOT,
                    "given code (not yours to write): %d of %d tests pass%s%n",
                    passed,
                    given.size(),
                    passed == given.size()
                            ? ""
                            : "; a change to a given file breaks them (the grader uses its own copy)");
        }
    }

    /** The test classes of a row, named whole: the given code's are counted, not listed. */
    private static String classesOf(String row, List<SurefireReports.Case> list) {
        List<String> classes = list.stream()
                .map(SurefireReports.Case::simpleClassName)
                .distinct()
                .toList();
        if (classes.isEmpty()) {
            return "";
        }
        if (row.equals("given") && classes.size() > 2) {
            return "(" + classes.size() + " test classes)";
        }
        return "(" + String.join(", ", classes) + ")";
    }

    /**
     * A not-implemented message, as the row of task {@code row} shows it: one of another task says
     * that this task's tests need that one first, and one of an earlier lab how to test that task.
     */
    private static String notImplementedLine(String lab, String row, NotImplemented n) {
        if (!n.lab().equals(lab)) {
            return n.message() + ": these tests run on " + n.lab() + "'s code; finish " + n.key()
                    + " first (./storagelab test" + " --lab " + n.lab().substring(4) + " --task " + n.task() + ")";
        }
        return n.task().equals(row) || !row.matches("T\\d+")
                ? n.message()
                : n.message() + ": " + row + "'s tests need " + n.task() + " first";
    }

    /**
     * A failed test as the terminal shows it: the test and the concept its name states, then its
     * message (wrapped at words to {@link #MESSAGE_LINES} lines of {@link #LINE_CHARS} characters;
     * what is left is in {@code whole}) and jqwik's shrunk sample. Never an empty message: a
     * failure without one names its type and where it was thrown.
     */
    static List<String> failure(SurefireReports.Case c, String whole) {
        String message =
                c.message() == null ? "" : LibraryNoise.strip(c.message()).strip();
        if (message.isEmpty()) {
            String first = c.failureLine();
            message = first.contains(":")
                    ? first.substring(first.indexOf(':') + 1).strip()
                    : "";
        }
        String type = c.failureType();
        String where = c.failure()
                .lines()
                .map(String::strip)
                .filter(l -> l.startsWith("at ") && l.contains(c.simpleClassName()))
                .findFirst()
                .orElse("");
        boolean assertion = type.equals("AssertionError") || type.equals("AssertionFailedError");
        return failure(
                c.simpleClassName() + "#" + c.name(),
                concept(c.name()),
                assertion || message.isEmpty() ? message : type + ": " + message,
                message.isEmpty() ? type + " with no message" + (where.isEmpty() ? "" : ", " + where) : null,
                c.sample(),
                whole);
    }

    /**
     * A failed test as the terminal shows it: {@code test (concept)}, then the message, wrapped at
     * words to {@link #MESSAGE_LINES} lines of {@link #LINE_CHARS} characters, the rest counted
     * and left to {@code whole} ({@code ifEmpty} when it has no text: never an empty line), then
     * the shrunk sample, if any.
     */
    static List<String> failure(
            String test, String concept, String message, String ifEmpty, List<String> sample, String whole) {
        List<String> lines = new ArrayList<>();
        lines.add("x " + test + " (" + concept + ")");
        List<String> text = message == null || message.isBlank()
                ? List.of()
                : TerminalText.wrap(message, LINE_CHARS, MESSAGE_LINES, whole);
        if (text.isEmpty()) {
            lines.add("  " + (ifEmpty == null ? "failed, with no message" : ifEmpty));
        }
        text.forEach(l -> lines.add("  " + l));
        if (!sample.isEmpty()) {
            TerminalText.wrap("shrunk sample: " + String.join(", ", sample), LINE_CHARS, MESSAGE_LINES, whole)
                    .forEach(l -> lines.add("  " + l));
        }
        return lines;
    }

    /**
     * The failures of a release's self-grade (local checks), in the terminal: per lab, the tasks
     * not implemented yet, then the first {@link #FAILURES_SHOWN} other failures with the
     * concept their name states and their message; and why its count differs from {@code test}'s.
     */
    public static void printLocalFailures(GradeReport report, PrintWriter out) {
        for (GradeReport.LabResult lab : report.isolated()) {
            Map<String, NotImplemented> notImplemented = new java.util.TreeMap<>(); // by message
            List<GradeReport.TestResult> wrong = new ArrayList<>();
            for (GradeReport.TestResult t : lab.tests()) {
                if (t.outcome().passed()) {
                    continue;
                }
                java.util.Optional<NotImplemented> n =
                        NotImplemented.in(t.outcome().message());
                if (n.isPresent()) {
                    notImplemented.putIfAbsent(n.get().message(), n.get());
                } else {
                    wrong.add(t);
                }
            }
            if (notImplemented.isEmpty() && wrong.isEmpty()) {
                continue;
            }
            out.println(lab.lab() + ":");
            // an earlier lab's task says that this lab's tests run on it, and how to test it
            notImplemented.values().forEach(n -> out.println("  " + notImplementedLine(lab.lab(), "", n)));
            for (GradeReport.TestResult t : wrong.subList(0, Math.min(FAILURES_SHOWN, wrong.size()))) {
                // the message as the grader keeps it (LibraryNoise has been over it): jqwik's sample
                // on a line of its own, as ./storagelab test shows it
                String message = t.outcome().message();
                List<String> sample = message == null ? List.of() : SurefireReports.shrunkSample(message);
                if (!sample.isEmpty()) {
                    message = message.substring(0, SurefireReports.sampleStart(message));
                }
                failure(
                                t.test().displayName(),
                                concept(t.test().methodName()),
                                message,
                                t.outcome().status().toString().toLowerCase(java.util.Locale.ROOT),
                                sample,
                                "report.md")
                        .forEach(line -> out.println("  " + line));
            }
            if (wrong.size() > FAILURES_SHOWN) {
                out.println(
                        "  ... and " + (wrong.size() - FAILURES_SHOWN) + " more failures (every one is in report.md)");
            }
        }
        out.println(
                "local checks count each public test method of your tasks (of the packages that hold them, and the ones the"
                        + " handout's task table lists) once (a parameterized"
                        + " test or a property is one check); ./storagelab test counts each of their cases, and the tests of the"
                        + " given code too, so its counts are larger");
    }
}
