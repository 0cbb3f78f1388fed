package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real crash for crash tests: runs a main class in a child JVM on this JVM's class path, lets it
 * work until it has acknowledged enough, and kills it with SIGKILL in the middle of whatever it is
 * doing: no shutdown hook, no {@code close()}, no flush.
 *
 * <p>The protocol: the child prints one number per line on standard output, 0, 1, 2, ..., each
 * only after the work it numbers is durable (a synced write, a completed checkpoint). The highest
 * number printed before the kill is what the test may expect to find after recovery. The child
 * calls {@link #exitWhenParentDies()} first. Every wait is bounded, and every failure names what
 * went wrong and shows the end of the child's stderr.
 */
public final class KilledChild {

    private KilledChild() {}

    /**
     * The flags that hold a child to this JVM's own lab policy, where it has one (the grader runs lab
     * code under one: an agent, {@code storagelab.sandbox.agent}, with the labs' class folders and the
     * folders lab code may use as properties, and the JVM's switches beside it): the child runs lab
     * code too, so it gets the same wall, and the same temp folder, the only one that policy lets lab
     * code use.
     */
    static List<String> sandbox() {
        String agent = System.getProperty("storagelab.sandbox.agent");
        if (agent == null) {
            return List.of();
        }
        List<String> flags = new ArrayList<>(
                List.of("-javaagent:" + agent, "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        for (String name : List.of(
                "storagelab.sandbox.agent",
                "storagelab.sandbox.labCode",
                "storagelab.sandbox.folders",
                "storagelab.sandbox.switches")) {
            String value = System.getProperty(name);
            if (value != null) {
                flags.add("-D" + name + "=" + value);
            }
        }
        String switches = System.getProperty("storagelab.sandbox.switches", "");
        for (String s : switches.split(" ")) {
            if (!s.isBlank()) {
                flags.add(s);
            }
        }
        return flags;
    }

    /**
     * The system property a grader sets, in a container whose memory the grader, the test JVM and
     * this child share, to the child's heap in MiB; without it, {@value #DEFAULT_HEAP_MB}.
     */
    public static final String HEAP_PROPERTY = "storagelab.child.heap.mb";

    static final int DEFAULT_HEAP_MB = 128;

    /** The child's heap in MiB: {@link #HEAP_PROPERTY} when it holds a size from 16 to 4096, else the default. */
    static int heapMegabytes() {
        String value = System.getProperty(HEAP_PROPERTY);
        if (value != null && value.matches("\\d{2,4}")) {
            int mb = Integer.parseInt(value);
            if (mb >= 16 && mb <= 4096) {
                return mb;
            }
        }
        return DEFAULT_HEAP_MB;
    }

    /**
     * Starts {@code main} with {@code args} (and a heap of {@link #heapMegabytes()}), waits until it has acknowledged
     * {@code target} units of work ({@code 0 .. target - 1}), kills it with SIGKILL and returns the
     * highest number it acknowledged (at least {@code target - 1}).
     *
     * @param unit        what the child acknowledges, for messages ("records", "checkpoints")
     * @param waitSeconds the liveness bound of each wait
     * @param stderr      where the child's standard error goes
     */
    public static long runAndKill(
            Class<?> main, List<String> args, long target, String unit, long waitSeconds, Path stderr)
            throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(main, args, heapMegabytes()))
                .redirectError(stderr.toFile())
                .start();
        AtomicLong lastAcked = new AtomicLong(-1);
        CountDownLatch enough = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> protocolErrors = new ConcurrentLinkedQueue<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            long n = Long.parseLong(line.trim());
                            if (n != lastAcked.get() + 1) {
                                protocolErrors.add("child acknowledged " + n + " after " + lastAcked.get());
                            }
                            lastAcked.set(n);
                            if (n + 1 >= target) {
                                enough.countDown();
                            }
                        }
                    } catch (IOException | NumberFormatException e) {
                        protocolErrors.add("reading the child's output failed: " + e);
                    } finally {
                        enough.countDown(); // the child is gone: stop waiting
                    }
                },
                "child-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean reached = enough.await(waitSeconds, TimeUnit.SECONDS) && lastAcked.get() + 1 >= target;
            assertThat(
                    "the child must stay up and acknowledge " + target + " " + unit + " within " + waitSeconds
                            + " s (a liveness bound); it acknowledged " + (lastAcked.get() + 1) + ", alive: "
                            + child.isAlive()
                            + "; its stderr: " + ChildJvm.tail(stderr),
                    reached,
                    equalTo(true));
            // SIGKILL through the ProcessHandle, which only signals; Process.destroyForcibly() would
            // also close the pipe we still read the last acknowledgements from.
            assertThat("the kill signal must be sent", child.toHandle().destroyForcibly(), equalTo(true));
            assertThat("the killed child must exit", child.waitFor(waitSeconds, TimeUnit.SECONDS), equalTo(true));
            reader.join(TimeUnit.SECONDS.toMillis(waitSeconds));
            assertThat("the child's output must end once it is dead", reader.isAlive(), equalTo(false));
            assertThat("the child acknowledges " + unit + " in order, one per line", protocolErrors, empty());
            return lastAcked.get();
        } finally {
            child.destroyForcibly();
            child.getOutputStream().close();
        }
    }

    /**
     * The child's side: call first thing in the child's {@code main}. A daemon thread reads the
     * child's standard input, which the parent never writes, and halts the JVM at end of input:
     * if the test process dies before it can kill the child, the child does not live on as an
     * orphan, writing forever.
     */
    public static void exitWhenParentDies() {
        Thread orphanGuard = new Thread(
                () -> {
                    try {
                        while (System.in.read() >= 0) {
                            // the parent never writes; EOF means it is gone
                        }
                    } catch (IOException ignored) {
                        // same as EOF
                    }
                    Runtime.getRuntime().halt(3);
                },
                "orphan-guard");
        orphanGuard.setDaemon(true);
        orphanGuard.start();
    }
}
