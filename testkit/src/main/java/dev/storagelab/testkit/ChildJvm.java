package dev.storagelab.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class run in a child JVM on this JVM's class path, under this JVM's lab policy where it
 * has one ({@link KilledChild#sandbox}): the crash tests' victim ({@link KilledChild}), and the
 * process that writes a benchmark's data ({@link #runToEnd}), so that the JVM that measures opens
 * files it did not write and nothing it kept in memory since the writing can answer.
 */
public final class ChildJvm {

    private ChildJvm() {}

    /**
     * The flags of a JVM that runs to its end soon ({@link #runToEnd}): a writer of a few seconds
     * spends less CPU compiling with C1 alone and collecting with one thread than it would gain.
     */
    static final List<String> SHORT_LIVED = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** The command that runs {@code main} with {@code args} in a child JVM with a heap of {@code heapMegabytes}. */
    static List<String> command(Class<?> main, List<String> args, int heapMegabytes) {
        return command(main, args, heapMegabytes, List.of());
    }

    /** As {@link #command(Class, List, int)}, with {@code flags} for the child's JVM. */
    static List<String> command(Class<?> main, List<String> args, int heapMegabytes, List<String> flags) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heapMegabytes + "m"));
        cmd.addAll(flags);
        cmd.addAll(KilledChild.sandbox());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Runs {@code main} with {@code args} in a child JVM with a heap of {@code heapMegabytes} and
     * waits for it to end, at most {@code deadline}; throws, with the end of its output, if it does
     * not exit with 0 in time. Its standard output and error go to {@code output}, a file this JVM
     * reads only when it fails.
     */
    public static void runToEnd(Class<?> main, List<String> args, int heapMegabytes, Duration deadline, Path output)
            throws IOException {
        Process child = new ProcessBuilder(command(main, args, heapMegabytes, SHORT_LIVED))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        try {
            if (!child.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
                throw new IOException(main.getName() + " did not end within " + deadline.toSeconds()
                        + " s in its child JVM; the end of its output:\n" + tail(output));
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + main.getName() + " ran in its child JVM", e);
        } finally {
            child.getOutputStream().close();
        }
        if (child.exitValue() != 0) {
            throw new IOException(main.getName() + " ended with exit code " + child.exitValue()
                    + " in its child JVM; the end of its output:\n" + tail(output));
        }
    }

    /** The last 20 lines of {@code file}, for a failure message. */
    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
