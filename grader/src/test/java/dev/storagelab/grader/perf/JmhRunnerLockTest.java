package dev.storagelab.grader.perf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measuring run that found JMH's lock taken is recognised, and only that one; a grader waiting for
 * the lock gets it between two runs of another that benchmarks line after line, and gives up at its
 * deadline if it never comes free.
 */
class JmhRunnerLockTest {

    @TempDir
    Path dir;

    private JmhRunner.Run run(String output, boolean finished, int exit, List<JmhRunner.Score> scores)
            throws IOException {
        Path log = dir.resolve("jmh.txt");
        Files.writeString(log, output, StandardCharsets.UTF_8);
        return new JmhRunner.Run(scores, finished, exit, log);
    }

    @Test
    void jmhsOwnMessageForATakenLockIsRecognised() throws IOException {
        // JMH 1.37's Runner prints this and exits before any benchmark runs.
        String jmh = "ERROR: " + JmhRunner.LOCK_MESSAGE + ". Unable to acquire the JMH lock (/tmp/jmh.lock), exiting. "
                + "Use -Djmh.ignoreLock=true to forcefully continue.\n";
        assertThat(JmhRunner.lockWasHeld(run(jmh, true, 1, List.of())), is(true));
    }

    @Test
    void otherFailuresAndKilledRunsAreNotALockHeld() throws IOException {
        assertThat(
                "a benchmark that threw",
                JmhRunner.lockWasHeld(
                        run("# Benchmark: x\n<failure>\njava.lang.IllegalStateException\n", true, 1, List.of())),
                is(false));
        assertThat(
                "a run killed at its deadline",
                JmhRunner.lockWasHeld(run("ERROR: " + JmhRunner.LOCK_MESSAGE + "\n", false, -1, List.of())),
                is(false));
    }

    /**
     * Another process that benchmarks line after line, as a grader does: it holds the lock for
     * {@code holdMillis}, lets it go and takes it again 20 ms later, {@code cycles} times (forever
     * for 0), then exits. It prints "holding" once it first holds the lock.
     */
    private Process holder(Path lockFile, int cycles, int holdMillis) throws IOException, InterruptedException {
        Path source = dir.resolve("Holder.java");
        Files.writeString(source, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel ch = FileChannel.open(
                                Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                            int cycles = Integer.parseInt(a[1]);
                            for (int i = 0; cycles == 0 || i < cycles; i++) {
                                try (var lock = ch.lock()) {
                                    if (i == 0) {
                                        System.out.println("holding");
                                        System.out.flush();
                                    }
                                    Thread.sleep(Long.parseLong(a[2]));
                                }
                                Thread.sleep(20); // between two runs: the grader's bookkeeping
                            }
                        }
                    }
                }
                """, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        source.toString(),
                        lockFile.toString(),
                        Integer.toString(cycles),
                        Integer.toString(holdMillis))
                .redirectErrorStream(true)
                .start();
        String first = new java.io.BufferedReader(
                        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat("the other process holds the lock", first, is("holding"));
        return p;
    }

    @Test
    void aWaiterGetsTheLockBetweenTwoRunsOfAnotherGrader() throws Exception {
        Path lockFile = dir.resolve("jmh.lock");
        // 40 runs of 250 ms, each taking the lock again the moment it let it go
        Process other = holder(lockFile, 40, 250);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = JmhRunner.lockWithin(channel, Duration.ofSeconds(60));
            assertThat(lock, notNullValue());
            assertThat("the lock came between two of the other's runs, not after its last", other.isAlive(), is(true));
            lock.release();
        } finally {
            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWaiterGivesUpAtItsDeadlineAndIsNotLeftInterrupted() throws Exception {
        Path lockFile = dir.resolve("jmh.lock");
        Process other = holder(lockFile, 0, 60_000);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            assertThat(JmhRunner.lockWithin(channel, Duration.ofMillis(500)), nullValue());
            assertThat(Thread.currentThread().isInterrupted(), is(false));
        } finally {
            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
