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
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
    @Graded(
            task = "T4",
            points = 4,
            concept = "acknowledged write lost, or torn log tail not recovered, after the process "
                    + "was killed mid-append (HashIndexLog)")
    void hashIndexLogKeepsEveryAcknowledgedRecordAfterSigkill() throws Exception {
        Path dir = temp.resolve("store");
        long acked = runAndKill("hash", dir);
        try (KeyValueStore store = AppendUntilKilled.open("hash", dir, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertEveryAcknowledgedRecord(store, acked);
            RecoveryReport report = ((HashIndexLog) store).recoveryReport();
            System.out.println("ChildProcessCrashHiddenTest: killed the HashIndexLog child after " + (acked + 1)
                    + " acknowledged records; recovery replayed " + report.records() + " and cut "
                    + report.truncatedBytes()
                    + " bytes");
            assertThat(
                    "recovery replays at least every acknowledged record",
                    report.records(),
                    greaterThanOrEqualTo(acked + 1));
        }
        try (DiskStorage storage = DiskStorage.open(dir);
                LogReader reader = LogReader.open(storage, HashIndexLog.LOG_NAME, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            long records = 0;
            while (reader.next() != null) {
                records++;
            }
            assertThat(
                    "after recovery the log reads to its end with no bad record: a torn tail left by the kill "
                            + "must have been truncated",
                    records,
                    greaterThanOrEqualTo(acked + 1));
        }
        assertStoreTakesWritesAfterRecovery("hash", dir, acked);
    }

    @Test
    @Graded(
            task = "T8",
            points = 3,
            concept = "acknowledged write lost, or store not recoverable, after the process was "
                    + "killed mid-append across flushes and compactions (SortedLogStore)")
    void sortedLogStoreKeepsEveryAcknowledgedRecordAfterSigkill() throws Exception {
        Path dir = temp.resolve("store");
        long acked = runAndKill("sorted", dir);
        try (KeyValueStore store = AppendUntilKilled.open("sorted", dir, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertEveryAcknowledgedRecord(store, acked);
            System.out.println("ChildProcessCrashHiddenTest: killed the SortedLogStore child after " + (acked + 1)
                    + " acknowledged records; segments after recovery: " + ((SortedLogStore) store).segmentNames());
            assertThat(
                    "records of " + acked + " writes of about 70 bytes into 4 KiB memtables were flushed "
                            + "into segments",
                    ((SortedLogStore) store).segmentNames().size(),
                    greaterThan(0));
        }
        try (DiskStorage storage = DiskStorage.open(dir)) {
            assertThat(
                    "recovery deletes every temp file a killed flush or compaction left",
                    storage.list().stream().filter(n -> n.endsWith(".tmp")).toList(),
                    empty());
        }
        assertStoreTakesWritesAfterRecovery("sorted", dir, acked);
    }

    /**
     * Starts the child on {@code dir}, waits until it has acknowledged {@link #TARGET} records,
     * kills it with SIGKILL and returns the highest record number it acknowledged.
     */
    private long runAndKill(String engine, Path dir) throws Exception {
        return KilledChild.runAndKill(
                AppendUntilKilled.class,
                List.of(engine, dir.toString()),
                TARGET,
                "records",
                WAIT_SECONDS,
                temp.resolve("child-stderr.txt"));
    }

    private static void assertEveryAcknowledgedRecord(KeyValueStore store, long acked) throws IOException {
        for (long i = 0; i <= acked; i++) {
            assertThat(
                    "record " + i + " was acknowledged (syncWrites=true) before the kill, so it is durable",
                    store.get(AppendUntilKilled.key(i)),
                    equalTo(Optional.of(AppendUntilKilled.value(i))));
        }
    }

    /** The recovered store takes a write, and reopens under ABSOLUTE_CONSISTENCY with everything in place. */
    private static void assertStoreTakesWritesAfterRecovery(String engine, Path dir, long acked) throws IOException {
        Bytes marker = Bytes.of("written-after-recovery");
        try (KeyValueStore store = AppendUntilKilled.open(engine, dir, RecoveryMode.TOLERATE_TORN_TAIL)) {
            store.put(marker, Bytes.of("yes"));
        }
        try (KeyValueStore store = AppendUntilKilled.open(engine, dir, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            assertThat(
                    "a write after recovery survives a strict reopen",
                    store.get(marker),
                    equalTo(Optional.of(Bytes.of("yes"))));
            assertEveryAcknowledgedRecord(store, acked);
        }
    }
}
