package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.Invariants;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM ({@link CheckpointUntilKilled}) writes to a B+tree on disk
 * ({@link DiskStorage}) in rounds, checkpoints after each and prints each acknowledged round; the
 * test kills it with SIGKILL in the middle of a round or a checkpoint, reopens the tree and checks
 * that it is exactly the last acknowledged checkpoint or the one in flight, that it passes every
 * invariant, and that it keeps working (lab-04 T3 with everything that writes pages). Every wait
 * is bounded.
 */
@Tag("hidden")
class ChildProcessCrashHiddenTest {

    /** How many acknowledged checkpoints to wait for before the kill. */
    private static final long TARGET = 50;
    private static final long WAIT_SECONDS = 90;

    @TempDir
    Path temp;

    @Test
    @Graded(points = 4, concept = "after the process was killed mid-write or mid-checkpoint, the reopened tree is "
            + "not its last acknowledged checkpoint (or the one in flight), or is corrupt")
    void aTreeKilledWithSigkillReopensAtItsLastCheckpoint() throws Exception {
        Path dir = temp.resolve("tree");
        long acked = runAndKill(dir);
        TreeMap<Bytes, Bytes> acknowledged = CheckpointUntilKilled.model((int) acked + 1);
        TreeMap<Bytes, Bytes> inFlight = CheckpointUntilKilled.model((int) acked + 2);
        TreeMap<Bytes, Bytes> got;
        try (BPlusTree tree = BPlusTree.open(DiskStorage.open(dir), CheckpointUntilKilled.OPTIONS)) {
            Invariants.check(tree);
            got = Trees.contents(tree);
            System.out.println("ChildProcessCrashHiddenTest: killed the child after " + (acked + 1)
                    + " acknowledged checkpoints; the tree reopened with " + got.size() + " keys ("
                    + (got.equals(acknowledged) ? "the last acknowledged checkpoint" : got.equals(inFlight)
                    ? "the checkpoint in flight" : "neither") + ")");
            assertThat("round " + acked + "'s checkpoint was acknowledged before the kill, so the tree holds exactly "
                    + "rounds 0-" + acked + " (or 0-" + (acked + 1) + " if the checkpoint in flight became durable)",
                    got, anyOf(equalTo(acknowledged), equalTo(inFlight)));
            for (var e : got.entrySet()) {
                assertThat("get(" + e.getKey() + ") after the kill", tree.get(e.getKey()), equalTo(Optional.of(e.getValue())));
            }
            CheckpointUntilKilled.round(tree, (int) acked + 2);
            tree.put(Bytes.of("written-after-recovery"), Bytes.of("yes"));
        }
        TreeMap<Bytes, Bytes> expected = new TreeMap<>(got);
        CheckpointUntilKilled.applyRound(expected, (int) acked + 2);
        expected.put(Bytes.of("written-after-recovery"), Bytes.of("yes"));
        try (BPlusTree tree = BPlusTree.open(DiskStorage.open(dir), CheckpointUntilKilled.OPTIONS)) {
            Invariants.check(tree);
            assertThat("after recovery the tree takes writes and deletes, closes and reopens with all of them",
                    Trees.contents(tree), equalTo(expected));
        }
        try (DiskStorage storage = DiskStorage.open(dir)) {
            assertThat("only the page file is left in the directory", storage.list(), equalTo(List.of(BPlusTree.FILE_NAME)));
        }
    }

    /**
     * Starts the child on {@code dir}, waits until it has acknowledged {@link #TARGET} checkpoints,
     * kills it with SIGKILL and returns the highest round it acknowledged.
     */
    private long runAndKill(Path dir) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path stderr = temp.resolve("child-stderr.txt");
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                CheckpointUntilKilled.class.getName(), dir.toString())
                .redirectError(stderr.toFile())
                .start();
        AtomicLong lastAcked = new AtomicLong(-1);
        CountDownLatch enough = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> protocolErrors = new ConcurrentLinkedQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    long n = Long.parseLong(line.trim());
                    if (n != lastAcked.get() + 1) {
                        protocolErrors.add("child acknowledged round " + n + " after " + lastAcked.get());
                    }
                    lastAcked.set(n);
                    if (n + 1 >= TARGET) {
                        enough.countDown();
                    }
                }
            } catch (IOException | NumberFormatException e) {
                protocolErrors.add("reading the child's output failed: " + e);
            } finally {
                enough.countDown(); // the child is gone: stop waiting
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean reached = enough.await(WAIT_SECONDS, TimeUnit.SECONDS) && lastAcked.get() + 1 >= TARGET;
            assertThat("the child must stay up and acknowledge " + TARGET + " checkpoints within " + WAIT_SECONDS
                    + " s (a liveness bound); it acknowledged " + (lastAcked.get() + 1) + ", alive: " + child.isAlive()
                    + "; its stderr: " + tail(stderr), reached, equalTo(true));
            // SIGKILL through the ProcessHandle, which only signals; Process.destroyForcibly() would
            // also close the pipe we still read the last acknowledgements from.
            assertThat("the kill signal must be sent", child.toHandle().destroyForcibly(), equalTo(true));
            assertThat("the killed child must exit", child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), equalTo(true));
            reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat("the child's output must end once it is dead", reader.isAlive(), equalTo(false));
            assertThat("the child acknowledges rounds in order, one per line", protocolErrors, empty());
            return lastAcked.get();
        } finally {
            child.destroyForcibly();
            child.getOutputStream().close();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
