package dev.storagelab.grader.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs inside the child JVM the grader starts for one lab: runs the given test methods through
 * the JUnit Platform and writes one line per event to the parent, over a Unix-domain socket the
 * parent listens on, flushed at once, so the parent knows which test was running if this JVM dies,
 * hangs or exits.
 *
 * <pre>
 * {@value #MARK} seq S id                 test method id started          (id = class#method)
 * {@value #MARK} seq F id status message  test method finished: PASS or FAIL, message Base64 (UTF-8)
 * {@value #MARK} seq C class message      a class failed before its tests could run (e.g. in @BeforeAll)
 * {@value #MARK} seq H id message         test method hangs ({@link HangWatch}): this JVM ends right after
 * {@value #MARK} seq D                    every test ran
 * </pre>
 *
 * The tests run in the order the file lists them, a class at a time: each run of consecutive ids of
 * one class is one execution of the JUnit Platform, so the grader decides which tests come first
 * (a task that spent its share of the lab's time goes last).
 *
 * The parent trusts none of it beyond "this test said it passed": it knows the tests and their
 * points itself, keeps its own clock, and treats a missing line as a failure. The verdicts need no
 * secret. The runner connects first, before a single class of the submission loads, and the parent
 * accepts that one connection and no other; from then on the only way into it is this class's own
 * channel. Lab code can neither reflect to reach it nor open sockets or file descriptors (the
 * allow-list refuses the APIs, the JVM's policy the permissions: {@code SandboxPolicy}), and a
 * socket, unlike a pipe or a file, cannot be opened again through {@code /proc}. Nor can lab code
 * close it by what it does to threads: it is written without blocking ({@link Events}), and an
 * interrupt closes only a channel a thread blocks on. Standard output and error are only test
 * output, capped. The sequence numbers let the parent notice a line lost or repeated.
 */
public final class HiddenTestRunner {

    /**
     * The most of a message sent, in characters: enough for an expected and an actual value of some
     * thousands of characters each, which the grader narrows to where they differ ({@code
     * LibraryNoise}); its Base64 (three bytes a character at most) fits an event line.
     */
    private static final int MAX_MESSAGE = 12_000;
    /** A test that prints more than this fails: a flood of output is a bug, and costs that test. */
    static final long OUTPUT_CAP = 1L << 20;
    /** How long a test's leftover threads get to finish before they count against it. */
    private static final long THREAD_GRACE_MILLIS = 2000;

    private HiddenTestRunner() {}

    /** What starts every event line. */
    public static final String MARK = "@@storagelab-event";

    /**
     * The system property through which the grader names the class folders of lab code (separated as
     * a class path is): a hang's verdict shows frames of those classes only.
     */
    public static final String LAB_CODE = "storagelab.runner.labCode";

    /** The arguments: the parent's socket, then a file listing {@code class#method} ids, one per line. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: HiddenTestRunner EVENTS_SOCKET TESTS_FILE");
            Runtime.getRuntime().halt(2);
        }
        // The channel first, before the test plan loads a single class of the submission: the
        // parent takes this one connection and no other.
        java.nio.channels.SocketChannel channel =
                java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(Path.of(args[0])));
        Events events = new Events(channel);
        PrintStream stderr = System.err;
        System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
        List<String> ids = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8).stream()
                .filter(s -> !s.isBlank())
                .toList();
        // Test output is not the grader's business: cap what a test can print, so a flood costs
        // the test time, never the grader memory or disk.
        CappedSink out = new CappedSink(stderr, 64 * 1024);
        CappedSink err = new CappedSink(stderr, 64 * 1024);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));

        // The watch starts before any class of the submission loads: its threads are not the JVM's own.
        HangWatch watch = new HangWatch(HangReport.fromProperty(), (test, message) -> {
                    events.println("H " + test + " " + encode(message));
                    Runtime.getRuntime()
                            .halt(HANG_EXIT); // the hung threads cannot be freed: the next JVM runs the rest
                })
                .start();
        Launcher launcher = LauncherFactory.create();
        Listener listener = new Listener(events, out, err, watch);
        for (List<String> run : classRuns(ids)) {
            launcher.execute(request(run), listener);
        }
        events.println("D");
        // Tests may leave non-daemon threads behind; they must not keep this JVM alive.
        Runtime.getRuntime().halt(0);
    }

    /** How this JVM ends when a test hangs. */
    static final int HANG_EXIT = 3;

    /** {@code ids} cut into runs of consecutive ids of one class, in their order. */
    static List<List<String>> classRuns(List<String> ids) {
        List<List<String>> runs = new ArrayList<>();
        String cls = null;
        for (String id : ids) {
            String c = id.substring(0, id.indexOf('#'));
            if (!c.equals(cls)) {
                runs.add(new ArrayList<>());
                cls = c;
            }
            runs.get(runs.size() - 1).add(id);
        }
        return runs;
    }

    /**
     * The request that runs {@code run}, ids of one class: the class selected, then only the wanted
     * methods kept (a method selector needs the parameter types of a property or parameterized test,
     * and a name is all there is).
     */
    private static LauncherDiscoveryRequest request(List<String> run) {
        Set<String> wanted = Set.copyOf(run);
        ClassSelector selector = DiscoverySelectors.selectClass(
                run.get(0).substring(0, run.get(0).indexOf('#')));
        PostDiscoveryFilter onlyWanted = descriptor -> {
            if (descriptor.getSource().orElse(null) instanceof MethodSource m) {
                String id = m.getClassName() + "#" + m.getMethodName();
                return wanted.contains(id) ? FilterResult.included("graded") : FilterResult.excluded("not asked for");
            }
            return FilterResult.included("container");
        };
        return LauncherDiscoveryRequestBuilder.request()
                .selectors(selector)
                .filters(onlyWanted)
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                // jqwik's report (seed, original and shrunk sample) as reporting entries, which
                // become the student's feedback; by default jqwik prints it to standard output.
                .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                .build();
    }

    private static String encode(String s) {
        String capped = s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "\n[... cut]" : s;
        return Base64.getEncoder().encodeToString(capped.getBytes(StandardCharsets.UTF_8));
    }

    private static final class Listener implements TestExecutionListener {
        private final Events events;
        private TestPlan plan;
        private final Map<String, StringBuilder> failures = new HashMap<>();
        private final Map<String, StringBuilder> reports = new HashMap<>();
        private final CappedSink out;
        private final CappedSink err;
        private final HangWatch watch;
        private Set<Thread> threadsBefore = Set.of();

        Listener(Events events, CappedSink out, CappedSink err, HangWatch watch) {
            this.events = events;
            this.out = out;
            this.err = err;
            this.watch = watch;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        private static Optional<String> methodId(TestIdentifier id) {
            Optional<TestSource> source = id.getSource();
            if (source.isPresent() && source.get() instanceof MethodSource m) {
                return Optional.of(m.getClassName() + "#" + m.getMethodName());
            }
            return Optional.empty();
        }

        /** Whether {@code id} is the outermost node of its test method (a property or a parameterized container). */
        private boolean isMethodRoot(TestIdentifier id) {
            Optional<String> mine = methodId(id);
            if (mine.isEmpty()) {
                return false;
            }
            return plan.getParent(id)
                    .flatMap(Listener::methodId)
                    .map(p -> !p.equals(mine.get()))
                    .orElse(true);
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            if (isMethodRoot(id)) {
                String m = methodId(id).orElseThrow();
                failures.remove(m);
                reports.remove(m);
                out.resetCount();
                err.resetCount();
                threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
                events.println("S " + m);
                watch.started(m);
            }
        }

        @Override
        public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
            methodId(id).ifPresent(m -> {
                StringBuilder sb = reports.computeIfAbsent(m, k -> new StringBuilder());
                entry.getKeyValuePairs()
                        .forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            });
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (isMethodRoot(id)) {
                String m = methodId(id).orElseThrow();
                events.println("S " + m);
                events.println("F " + m + " FAIL " + encode("skipped: " + reason));
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            Optional<String> m = methodId(id);
            if (m.isPresent()) {
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    StringBuilder sb = failures.computeIfAbsent(m.get(), k -> new StringBuilder());
                    if (sb.length() < MAX_MESSAGE) {
                        sb.append(describe(result)).append('\n');
                    }
                }
                if (isMethodRoot(id)) {
                    long printed = out.count() + err.count();
                    if (printed > OUTPUT_CAP) {
                        failures.computeIfAbsent(m.get(), k -> new StringBuilder())
                                .append("flooded its output: printed ")
                                .append(printed)
                                .append(" bytes; a test may print at most ")
                                .append(OUTPUT_CAP)
                                .append('\n');
                    }
                    List<String> leftover = leftoverThreads();
                    if (!leftover.isEmpty()) {
                        failures.computeIfAbsent(m.get(), k -> new StringBuilder())
                                .append("left threads running after it finished (they never end): ")
                                .append(leftover)
                                .append(" — stop or join every thread you start, or make it a daemon\n");
                    }
                    StringBuilder failure = failures.remove(m.get());
                    StringBuilder report = reports.remove(m.get());
                    String message =
                            (failure == null ? "" : failure.toString()) + (report == null ? "" : report.toString());
                    watch.ended();
                    events.println("F " + m.get() + " " + (failure == null ? "PASS" : "FAIL") + " " + encode(message));
                }
            } else if (id.getSource().isPresent()
                    && id.getSource().get() instanceof ClassSource c
                    && result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                events.println("C " + c.getClassName() + " " + encode(describe(result)));
            }
        }

        /** Non-daemon threads started during the test that are still alive after a grace period. */
        private List<String> leftoverThreads() {
            long deadline = System.currentTimeMillis() + THREAD_GRACE_MILLIS;
            List<Thread> alive = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (!threadsBefore.contains(t) && !t.isDaemon() && t.isAlive() && t != Thread.currentThread()) {
                    alive.add(t);
                }
            }
            List<String> names = new ArrayList<>();
            for (Thread t : alive) {
                try {
                    t.join(Math.max(1, deadline - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (t.isAlive()) {
                    names.add(t.getName());
                }
            }
            return names;
        }

        private static String describe(TestExecutionResult result) {
            if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                return "aborted: "
                        + result.getThrowable().map(Throwable::getMessage).orElse("");
            }
            return result.getThrowable()
                    .map(t -> {
                        String msg = t.getClass().getName() + ": " + t.getMessage();
                        Throwable cause = t.getCause();
                        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
                            msg += "\ncaused by " + cause.getClass().getName() + ": " + cause.getMessage();
                        }
                        return msg;
                    })
                    .orElse(result.getStatus().toString());
        }
    }

    /**
     * Passes through the first {@code cap} bytes, then swallows the rest, counting what each test
     * printed.
     */
    private static final class CappedSink extends OutputStream {
        private final OutputStream out;
        private long left;
        private final java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();

        CappedSink(OutputStream out, long cap) {
            this.out = out;
            this.left = cap;
        }

        void resetCount() {
            count.set(0);
        }

        long count() {
            return count.get();
        }

        @Override
        public synchronized void write(int b) throws IOException {
            count.incrementAndGet();
            if (left > 0) {
                left--;
                out.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            count.addAndGet(len);
            int n = (int) Math.min(len, Math.max(0, left));
            if (n > 0) {
                out.write(b, off, n);
                left -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /**
     * Numbered event lines on the parent's socket, each written whole before the test goes on.
     *
     * <p>The channel is in non-blocking mode, which no thread's interrupt can close: a blocking
     * socket channel is an interruptible one, and closes itself when the thread that writes to it
     * is interrupted, so a test that interrupted its own thread (or lab code that interrupts the
     * thread that called it, as an executor's shutdown does) cut the channel, and every verdict
     * after it read as a crash. A full socket buffer is waited out here instead of in the channel.
     */
    static final class Events {
        private final java.nio.channels.SocketChannel channel;
        private long seq;
        private boolean gone;

        Events(java.nio.channels.SocketChannel channel) throws IOException {
            this.channel = channel;
            channel.configureBlocking(false);
        }

        synchronized void println(String body) {
            if (gone) {
                return;
            }
            java.nio.ByteBuffer line =
                    java.nio.ByteBuffer.wrap((MARK + " " + seq++ + " " + body + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                while (line.hasRemaining()) {
                    if (channel.write(line) == 0) {
                        waitForRoom();
                    }
                }
            } catch (IOException e) {
                gone = true; // the parent has stopped listening: it is ending this JVM
            }
        }

        /** Waits a moment for the parent to read, whatever this thread's interrupt status (kept as it was). */
        private static void waitForRoom() {
            boolean interrupted = Thread.interrupted();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
