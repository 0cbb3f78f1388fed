package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.LogReader;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.RecoveryReport;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM ({@link AppendUntilKilled}) appends numbered records with
 * {@code syncWrites=true} to a store on disk and prints each acknowledged number; the test kills
 * it with SIGKILL mid-append, reopens the store and checks that every acknowledged record is there
 * and that recovery left a clean log (lab-01 T4 for the {@link HashIndexLog}, T8 and the
 * recovery around it for the {@link SortedLogStore}). Every wait is bounded.
 */
@Tag("hidden")
class ChildProcessCrashHiddenTest {

    /** How many acknowledged records to wait for before the kill. */
    private static final long TARGET = 300;
    private static final long WAIT_SECONDS = 90;

    @TempDir
    Path temp;

    @Test
    @Graded(points = 4, concept = "acknowledged write lost, or torn log tail not recovered, after the process "
            + "was killed mid-append (HashIndexLog)")
    void hashIndexLogKeepsEveryAcknowledgedRecordAfterSigkill() throws Exception {
        Path dir = temp.resolve("store");
        long acked = runAndKill("hash", dir);
        try (KeyValueStore store = AppendUntilKilled.open("hash", dir, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertEveryAcknowledgedRecord(store, acked);
            RecoveryReport report = ((HashIndexLog) store).recoveryReport();
            System.out.println("ChildProcessCrashHiddenTest: killed the HashIndexLog child after " + (acked + 1)
                    + " acknowledged records; recovery replayed " + report.records() + " and cut " + report.truncatedBytes()
                    + " bytes");
            assertThat("recovery replays at least every acknowledged record", report.records(),
                    greaterThanOrEqualTo(acked + 1));
        }
        try (DiskStorage storage = DiskStorage.open(dir);
             LogReader reader = LogReader.open(storage, HashIndexLog.LOG_NAME, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            long records = 0;
            while (reader.next() != null) {
                records++;
            }
            assertThat("after recovery the log reads to its end with no bad record: a torn tail left by the kill "
                    + "must have been truncated", records, greaterThanOrEqualTo(acked + 1));
        }
        assertStoreTakesWritesAfterRecovery("hash", dir, acked);
    }

    @Test
    @Graded(points = 3, concept = "acknowledged write lost, or store not recoverable, after the process was "
            + "killed mid-append across flushes and compactions (SortedLogStore)")
    void sortedLogStoreKeepsEveryAcknowledgedRecordAfterSigkill() throws Exception {
        Path dir = temp.resolve("store");
        long acked = runAndKill("sorted", dir);
        try (KeyValueStore store = AppendUntilKilled.open("sorted", dir, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertEveryAcknowledgedRecord(store, acked);
            System.out.println("ChildProcessCrashHiddenTest: killed the SortedLogStore child after " + (acked + 1)
                    + " acknowledged records; segments after recovery: " + ((SortedLogStore) store).segmentNames());
            assertThat("records of " + acked + " writes of about 70 bytes into 4 KiB memtables were flushed "
                    + "into segments", ((SortedLogStore) store).segmentNames().size(), greaterThan(0));
        }
        try (DiskStorage storage = DiskStorage.open(dir)) {
            assertThat("recovery deletes every temp file a killed flush or compaction left",
                    storage.list().stream().filter(n -> n.endsWith(".tmp")).toList(), empty());
        }
        assertStoreTakesWritesAfterRecovery("sorted", dir, acked);
    }

    /**
     * Starts the child on {@code dir}, waits until it has acknowledged {@link #TARGET} records,
     * kills it with SIGKILL and returns the highest record number it acknowledged.
     */
    private long runAndKill(String engine, Path dir) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path stderr = temp.resolve("child-stderr.txt");
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                AppendUntilKilled.class.getName(), engine, dir.toString())
                .redirectError(stderr.toFile())
                .start();
        AtomicLong lastAcked = new AtomicLong(-1);
        CountDownLatch enough = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> protocolErrors = new ConcurrentLinkedQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    long n = Long.parseLong(line.trim());
                    if (n != lastAcked.get() + 1) {
                        protocolErrors.add("child acknowledged " + n + " after " + lastAcked.get());
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
            boolean reached = enough.await(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat("the child must stay up and acknowledge " + TARGET + " records within " + WAIT_SECONDS
                    + " s (a liveness bound); it acknowledged " + (lastAcked.get() + 1) + ", alive: " + child.isAlive()
                    + "; its stderr: " + tail(stderr), reached && child.isAlive(), equalTo(true));
            // SIGKILL: no shutdown hooks, no close(), mid-append. Through the ProcessHandle, which
            // only signals; Process.destroyForcibly() would also close the pipe we still read the
            // last acknowledgements from.
            assertThat("the kill signal must be sent", child.toHandle().destroyForcibly(), equalTo(true));
            assertThat("the killed child must exit", child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), equalTo(true));
            reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat("the child's output must end once it is dead", reader.isAlive(), equalTo(false));
            assertThat("the child acknowledges records in order, one per line", protocolErrors, empty());
            return lastAcked.get();
        } finally {
            child.destroyForcibly();
            child.getOutputStream().close();
        }
    }

    private static void assertEveryAcknowledgedRecord(KeyValueStore store, long acked) throws IOException {
        for (long i = 0; i <= acked; i++) {
            assertThat("record " + i + " was acknowledged (syncWrites=true) before the kill, so it is durable",
                    store.get(AppendUntilKilled.key(i)), equalTo(Optional.of(AppendUntilKilled.value(i))));
        }
    }

    /** The recovered store takes a write, and reopens under ABSOLUTE_CONSISTENCY with everything in place. */
    private static void assertStoreTakesWritesAfterRecovery(String engine, Path dir, long acked) throws IOException {
        Bytes marker = Bytes.of("written-after-recovery");
        try (KeyValueStore store = AppendUntilKilled.open(engine, dir, RecoveryMode.TOLERATE_TORN_TAIL)) {
            store.put(marker, Bytes.of("yes"));
        }
        try (KeyValueStore store = AppendUntilKilled.open(engine, dir, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            assertThat("a write after recovery survives a strict reopen", store.get(marker), equalTo(Optional.of(Bytes.of("yes"))));
            assertEveryAcknowledgedRecord(store, acked);
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
