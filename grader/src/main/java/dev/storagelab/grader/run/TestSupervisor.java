package dev.storagelab.grader.run;

import dev.storagelab.grader.runner.HiddenTestRunner;
import dev.storagelab.grader.sandbox.Confinement;
import dev.storagelab.grader.sandbox.DiskQuota;
import dev.storagelab.grader.sandbox.RunnerClasses;
import dev.storagelab.grader.sandbox.SandboxPolicy;
import dev.storagelab.grader.sandbox.TestJvmLimits;
import dev.storagelab.grader.workspace.ChildProcesses;
import dev.storagelab.grader.workspace.ContainerLimits;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Rubric;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs one lab's hidden tests in child JVMs and survives whatever they do. Each child runs the
 * tests not yet decided; the parent follows the child's event file with its own clock. A test
 * that runs past its deadline is killed (with the whole process tree) and marked timed out; a
 * child that dies or exits marks the running test crashed, with the reason; then a new child
 * runs the rest. Nothing the child says about points or the list of tests is used: the parent
 * has both from the instructor's build. Where the grader is root, each child runs as an
 * unprivileged user of its own ({@link Confinement}).
 */
public final class TestSupervisor {

    /** How a test ended. */
    public enum Status {
        PASSED,
        FAILED,
        /** No thread of it ran for seconds, each waiting for another (the runner's hang watch). */
        HUNG,
        TIMED_OUT,
        CRASHED,
        NOT_RUN
    }

    /** One test's outcome: status, an explanation for the student, and the wall time it took. */
    public record Outcome(Status status, String message, double seconds) {
        public boolean passed() {
            return status == Status.PASSED;
        }
    }

    private static final long POLL_MILLIS = 25;

    private final Rubric rubric;
    private final Path scratch;
    private final Confinement confinement;
    private final List<String> tampering = new ArrayList<>();

    /**
     * What the last {@link #run} saw of tampering with its results (a forged, replayed or
     * reordered event line); empty for an honest run. When not empty, no test of the run passed.
     */
    public List<String> tampering() {
        return List.copyOf(tampering);
    }

    /**
     * @param scratch a directory the supervisor owns: children run with it as their working
     *                directory and temp directory, unless they are confined ({@link Confinement}:
     *                then each run gets folders of its own, which only its user can use)
     */
    public TestSupervisor(Rubric rubric, Path scratch) {
        this.rubric = rubric;
        this.scratch = scratch;
        this.confinement = Confinement.current();
    }

    private GradingClock clock = GradingClock.UNLIMITED;

    /** Stops the run when the whole grading's time is up, too, not only the lab's. */
    public TestSupervisor within(GradingClock gradingClock) {
        this.clock = gradingClock;
        return this;
    }

    /** What stopped a run at {@code labDeadline}: the lab's own deadline, or the grading's time limit. */
    private String deadlineWords(long labDeadline) {
        return clock.deadlineNanos() <= labDeadline
                ? clock.limitWords()
                : "the lab's deadline of " + rubric.labDeadline().toSeconds() + " s";
    }

    /** Names the runner's sockets: each in a folder of one grading, named by this grader alone. */
    private static final java.util.concurrent.atomic.AtomicLong SOCKETS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Refuses, before any work, a temp folder ({@code java.io.tmpdir}) whose path leaves no room
     * for the runner's sockets in the folders a grading makes in it: a Unix socket's path has at most
     * 107 bytes.
     */
    public static void requireShortTempFolder() {
        String tmp =
                Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
        // <tmp>/storagelab-confined<20 digits>/run<20 digits>/ev<10 digits>.sock at the longest
        int taken = 20 + 20 + 4 + 20 + 3 + 10 + 5;
        if (tmp.getBytes(StandardCharsets.UTF_8).length + taken > RunnerEvents.MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("the grader's temp folder " + tmp + " has too long a path for its test"
                    + " runs' sockets (a Unix socket's path has at most " + RunnerEvents.MAX_SOCKET_PATH + " bytes, and"
                    + " a grading's folders take " + taken
                    + " of them): give the grader a shorter one, such as /tmp (JDK_JAVA_OPTIONS=-Djava.io.tmpdir=/tmp),"
                    + " and grade again");
        }
    }

    /** Runs {@code tests}, all of one lab built in {@code module}, and returns an outcome for each. */
    public Map<String, Outcome> run(Path module, List<GradedTest> tests) throws IOException {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Set<String> remaining = new LinkedHashSet<>();
        tests.forEach(t -> remaining.add(t.id()));
        long start = System.nanoTime();
        long labDeadline = Math.min(start + rubric.labDeadline().toNanos(), clock.deadlineNanos());
        TaskShares shares = new TaskShares(tests, Math.max(0, labDeadline - start));
        List<Path> entries = new ArrayList<>(LabBuild.testClasspath(module));
        if (!confinement.on()) {
            // As the grader's user: the build's own class path, and the grader's scratch space.
            Path work = Files.createDirectories(scratch.resolve("work"));
            Path tmp = Files.createDirectories(scratch.resolve("tmp"));
            List<SandboxPolicy.Entry> classpath = new ArrayList<>();
            entries.forEach(p -> classpath.add(new SandboxPolicy.Entry(p.toString(), SandboxPolicy.isLabClasses(p))));
            classpath.add(new SandboxPolicy.Entry(RunnerClasses.shared().toString(), false));
            rounds(remaining, outcomes, labDeadline, shares, classpath, work, tmp, null);
        } else {
            // As a user of its own, on copies it can read but not change, in folders no other run can see.
            try (Confinement.Run run = confinement.open(entries)) {
                rounds(remaining, outcomes, labDeadline, shares, run.sandboxClasspath(), run.work(), run.tmp(), run);
            }
        }
        if (!tampering.isEmpty()) {
            // Nothing a tampered run says can be trusted, not even the verdicts before the forgery.
            for (GradedTest t : tests) {
                outcomes.put(t.id(), new Outcome(Status.FAILED, "the run was invalid", 0));
            }
        }
        Map<String, Outcome> ordered = new LinkedHashMap<>();
        for (GradedTest t : tests) {
            ordered.put(t.id(), outcomes.getOrDefault(t.id(), new Outcome(Status.NOT_RUN, "not run", 0)));
        }
        return ordered;
    }

    /**
     * Runs child JVMs, each on the tests not yet decided (the tasks that spent their share last:
     * {@link TaskShares}), until every test is decided or the lab's time is up.
     */
    private void rounds(
            Set<String> remaining,
            Map<String, Outcome> outcomes,
            long labDeadline,
            TaskShares shares,
            List<SandboxPolicy.Entry> classpath,
            Path work,
            Path tmp,
            Confinement.Run confined)
            throws IOException {
        int round = 0;
        while (!remaining.isEmpty() && tampering.isEmpty()) {
            if (System.nanoTime() > labDeadline) {
                for (String id : remaining) {
                    outcomes.put(id, new Outcome(Status.NOT_RUN, shares.notRun(id, deadlineWords(labDeadline)), 0));
                }
                break;
            }
            round++;
            int before = remaining.size();
            List<String> order = shares.order(remaining);
            Path testsFile;
            if (confined == null) {
                testsFile = scratch.resolve("tests-" + round + ".txt");
                Files.write(testsFile, order, StandardCharsets.UTF_8);
            } else {
                testsFile = confined.testsFile(round, order);
            }
            runChild(classpath, work, tmp, testsFile, remaining, outcomes, labDeadline, confined);
            for (String id : order) {
                if (!remaining.contains(id) && outcomes.containsKey(id)) {
                    shares.ended(id, outcomes.get(id));
                }
            }
            if (remaining.size() == before) {
                // The child decided nothing: it cannot start, or dies before the first test.
                for (String id : remaining) {
                    outcomes.putIfAbsent(id, new Outcome(Status.FAILED, "not run: " + lastChildProblem, 0));
                }
                remaining.clear();
            }
        }
    }

    private String lastChildProblem = "the test JVM did not start";

    /**
     * The test JVM compiles with C1 alone. Hidden tests check answers and count work, never time (the
     * performance lines run in JMH's own JVMs, with the full compiler), and a test JVM lives seconds
     * to a minute, too short for C2's compiling (on the other core) to pay back. Lincheck's model
     * checker gains most. A grade of the reference without performance lines, on 2 quiet cores, took
     * 2 min 52 s and 183 CPU-seconds this way against 3 min 34 s and 332 with both compilers, and
     * lab-05's model-checking test 10.4 s against 19.6 s.
     */
    static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";

    private void runChild(
            List<SandboxPolicy.Entry> classpath,
            Path work,
            Path tmp,
            Path testsFile,
            Set<String> remaining,
            Map<String, Outcome> outcomes,
            long labDeadline,
            Confinement.Run confined)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(rubric.testJvmMemoryFlags());
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add(QUICK_JIT);
        cmd.add("-Djava.io.tmpdir=" + tmp);
        if (confined != null) {
            cmd.add("-Duser.home=" + work); // the leased user has no account, so no home of its own
        }
        cmd.add("-Djava.awt.headless=true");
        if (SandboxPolicy.available()) {
            cmd.addAll(SandboxPolicy.flags(classpath, List.of(work, tmp))); // the testkit's KilledChild passes them on
        }
        // the lab's classes, whose frames a hang's verdict may show (never a test's)
        cmd.add("-D" + HiddenTestRunner.LAB_CODE + "="
                + String.join(
                        File.pathSeparator,
                        classpath.stream()
                                .filter(SandboxPolicy.Entry::labCode)
                                .map(SandboxPolicy.Entry::path)
                                .toList()));
        cmd.add("-cp");
        cmd.add(String.join(
                File.pathSeparator,
                classpath.stream().map(SandboxPolicy.Entry::path).toList()));
        cmd.add(HiddenTestRunner.class.getName());
        Path socket =
                (confined == null ? scratch : confined.channels()).resolve("ev" + SOCKETS.incrementAndGet() + ".sock");
        cmd.add(socket.toString());
        cmd.add(testsFile.toString());
        long quotaBytes = rubric.diskQuotaMegabytes() << 20;
        ProcessBuilder builder = new ProcessBuilder(TestJvmLimits.command(
                        confined == null ? cmd : confined.command(cmd, quotaBytes),
                        rubric.testJvmMemoryMegabytes() << 20,
                        quotaBytes))
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        if (confined != null) {
            builder.environment().clear();
            builder.environment().putAll(confined.environment());
        }
        builder.environment().remove("JDK_JAVA_OPTIONS"); // nothing of the grader's environment adds to its flags
        RunnerEvents events = RunnerEvents.listen(socket, confined);
        long oomKillsBefore = ContainerLimits.current().oomKills();
        Process child;
        try {
            child = ChildProcesses.start(builder);
        } catch (IOException e) {
            events.close();
            throw e;
        }
        events.start();
        long seq = 0;
        OutputTail output = new OutputTail(child.getInputStream(), 16 * 1024);
        output.start();

        DiskQuota quota = new DiskQuota(List.of(work, tmp), quotaBytes);
        Map<String, String> classFailures = new HashMap<>();
        String current = null;
        long currentStart = 0;
        TestClock testClock = TestClock.of(child.toHandle()); // the test's own time: a neighbour's load is not counted
        boolean done = false;
        long testDeadline = rubric.testDeadline().toNanos();
        try {
            while (true) {
                String line = events.poll(POLL_MILLIS);
                if (line == RunnerEvents.END || (line == null && !child.isAlive() && events.neverConnected())) {
                    break;
                }
                if (line != null) {
                    String body;
                    try {
                        body = RunnerEvents.event(line, seq++);
                    } catch (IllegalArgumentException e) {
                        tampering.add(e.getMessage());
                        ChildProcesses.kill(child);
                        return;
                    }
                    if (body == null) {
                        seq--; // not an event: the JVM's own words, which belong on standard error
                        continue;
                    }
                    String[] f = body.split(" ", 4);
                    switch (f[0]) {
                        case "S" -> {
                            if (f.length >= 2 && remaining.contains(f[1])) {
                                current = f[1];
                                currentStart = System.nanoTime();
                                testClock.restart(currentStart);
                            }
                        }
                        case "F" -> {
                            if (f.length >= 3 && f[1].equals(current)) {
                                String message = f.length == 4 ? RunnerEvents.decode(f[3]) : "";
                                double secs = (System.nanoTime() - currentStart) / 1e9;
                                outcomes.put(
                                        current,
                                        f[2].equals("PASS")
                                                ? new Outcome(Status.PASSED, "", secs)
                                                : new Outcome(Status.FAILED, message.strip(), secs));
                                remaining.remove(current);
                                current = null;
                            }
                        }
                        case "H" -> {
                            if (f.length >= 3 && f[1].equals(current)) {
                                // the runner's watch: no thread of the test ran for seconds (it ends its JVM)
                                String message = RunnerEvents.decode(f[2]);
                                outcomes.put(
                                        current,
                                        new Outcome(
                                                Status.HUNG,
                                                message.strip(),
                                                (System.nanoTime() - currentStart) / 1e9));
                                remaining.remove(current);
                                ChildProcesses.kill(child);
                                return;
                            }
                        }
                        case "C" -> {
                            if (f.length >= 2) {
                                classFailures.put(f[1], f.length >= 3 ? RunnerEvents.decode(f[2]) : "");
                            }
                        }
                        case "D" -> done = true;
                        default -> {
                            // not ours: ignore
                        }
                    }
                }
                long now = System.nanoTime();
                if (current != null && testClock.advance(now) > testDeadline) {
                    ChildProcesses.kill(child);
                    long starved = testClock.starvedNanos() / 1_000_000_000L;
                    outcomes.put(
                            current,
                            new Outcome(
                                    Status.TIMED_OUT,
                                    "timed out: still running after "
                                            + rubric.testDeadline().toSeconds()
                                            + " s (an infinite loop, a deadlock, or far too slow);"
                                            + " the test JVM was killed"
                                            + (starved > 0
                                                    ? " (not counted: " + starved
                                                            + " s in which the machine's CPUs ran other work while the test was ready)"
                                                    : ""),
                                    (now - currentStart) / 1e9));
                    remaining.remove(current);
                    return;
                }
                if (now > labDeadline) {
                    ChildProcesses.kill(child);
                    if (current != null) {
                        outcomes.put(
                                current,
                                new Outcome(
                                        Status.TIMED_OUT,
                                        "stopped: " + deadlineWords(labDeadline) + " was reached while this test ran",
                                        (now - currentStart) / 1e9));
                        remaining.remove(current);
                    }
                    return;
                }
                String overQuota = quota.exceeded();
                if (overQuota != null) {
                    ChildProcesses.kill(child);
                    emptyFolders(work, tmp); // the tests after this one start with room
                    if (current != null) {
                        outcomes.put(
                                current,
                                new Outcome(Status.CRASHED, "stopped: " + overQuota, (now - currentStart) / 1e9));
                        remaining.remove(current);
                    }
                    return;
                }
            }
            try {
                child.waitFor(5, java.util.concurrent.TimeUnit.SECONDS); // its pipe is closed: it is ending
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ChildProcesses.kill(child);
                throw new IOException("interrupted while supervising tests", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ChildProcesses.kill(child);
            throw new IOException("interrupted while supervising tests", e);
        } finally {
            if (child.isAlive()) {
                ChildProcesses.kill(child);
            }
            events.close();
        }
        output.finish();
        int exit = child.exitValue();
        String tail = output.text();
        if (current != null) {
            boolean containerOom = ContainerLimits.current().oomKills() > oomKillsBefore;
            outcomes.put(
                    current,
                    new Outcome(
                            Status.CRASHED,
                            containerOom ? containerOutOfMemory() : crashReason(exit, tail),
                            (System.nanoTime() - currentStart) / 1e9));
            remaining.remove(current);
        }
        // Tests whose class failed before they could start (a static initialiser, @BeforeAll).
        for (String id : List.copyOf(remaining)) {
            String cls = id.substring(0, id.indexOf('#'));
            if (classFailures.containsKey(cls)) {
                outcomes.put(
                        id,
                        new Outcome(
                                Status.FAILED,
                                "its test class failed before the test could run: "
                                        + classFailures.get(cls).strip(),
                                0));
                remaining.remove(id);
            }
        }
        if (done) {
            for (String id : List.copyOf(remaining)) {
                outcomes.put(id, new Outcome(Status.FAILED, "did not run: the test engine did not find it", 0));
                remaining.remove(id);
            }
        }
        lastChildProblem = current == null && !done
                ? "the test JVM stopped (exit status " + exit + ") before running a test: " + lastLines(tail, 8)
                : "the test JVM stopped";
    }

    /** Deletes what is inside {@code folders}, leaving the folders. */
    private static void emptyFolders(Path... folders) throws IOException {
        for (Path folder : folders) {
            try (java.util.stream.Stream<Path> entries = Files.list(folder)) {
                for (Path p : entries.toList()) {
                    FileTrees.deleteRecursively(p);
                }
            }
        }
    }

    /**
     * Why the test JVM died while a test ran, from its exit status and its last output. The output
     * itself (which student code can print) is not repeated: only what the grader recognised in it.
     */
    private String crashReason(int exit, String tail) {
        if (tail.contains("OutOfMemoryError: Java heap space") || tail.contains("OutOfMemoryError: GC overhead")) {
            return "crashed: ran out of memory (the heap is capped at " + rubric.testHeapMegabytes() + " MiB)";
        }
        if (tail.contains("OutOfMemoryError") || tail.contains("insufficient memory for the Java Runtime")) {
            return "crashed: ran out of memory beside the heap (" + besideTheHeap(tail) + ": the test JVM may use "
                    + rubric.testJvmMemoryMegabytes() + " MiB in all, its heap " + rubric.testHeapMegabytes()
                    + " MiB of it)";
        }
        if (tail.contains("StackOverflowError")) {
            return "crashed: StackOverflowError (unbounded recursion?)";
        }
        return "crashed: the test JVM exited with status " + exit + " while this test ran (killed, or a JVM crash)";
    }

    /**
     * Which memory beside the heap ran out, as the JVM's last words name it: a student (and an
     * instructor reading a crash on the reference) learns what to look at. The JVM's kinds, from
     * its messages; any other is the general list.
     */
    public static String besideTheHeap(String tail) {
        if (tail.contains("OutOfMemoryError: Direct buffer memory")) {
            return "direct buffers: ByteBuffer.allocateDirect, or the JDK's temporary buffers for I/O through"
                    + " heap buffers, past the cap";
        }
        if (tail.contains("OutOfMemoryError: Metaspace") || tail.contains("OutOfMemoryError: Compressed class space")) {
            return "class metadata: classes loaded or generated past the cap";
        }
        if (tail.contains("unable to create native thread") || tail.contains("unable to create new native thread")) {
            return "a new thread's stack: the OS refused to start another thread";
        }
        if (tail.contains("insufficient memory for the Java Runtime")) {
            return "the JVM's own memory: the OS refused it more (compiled code, the collector's structures,"
                    + " thread stacks)";
        }
        return "thread stacks, class metadata, direct buffers";
    }

    /**
     * Why a test JVM that the kernel's out-of-memory killer stopped failed its test: read by this
     * side from the container's own counter, never from what the test JVM printed.
     */
    public static String containerOutOfMemory() {
        return "stopped: the grading container ran out of memory (its limit, "
                + ContainerLimits.current().memoryLimitMegabytes()
                + " MiB, holds the grader and the tests together) while this test ran; the tests after it ran in a new JVM";
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size()).stream()
                .collect(Collectors.joining("\n"));
    }
}
