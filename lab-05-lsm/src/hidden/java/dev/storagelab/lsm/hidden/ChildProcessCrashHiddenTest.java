package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.KilledChild;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM ({@link SyncUntilKilled}) writes a batch per round to an LSM store on
 * disk, with flushes and compactions running on their background threads, syncs and acknowledges
 * each round; the test kills it with SIGKILL mid-round, mid-flush or mid-compaction, reopens the
 * store and checks that it holds exactly the acknowledged rounds (or one more, the round in
 * flight, whole), and that it keeps working. Every wait is bounded.
 */
@Tag("hidden")
class ChildProcessCrashHiddenTest {

    /** How many synced rounds to wait for before the kill: enough for many flushes and compactions. */
    private static final long TARGET = 300;

    private static final long WAIT_SECONDS = 90;

    @TempDir
    Path temp;

    private static TreeMap<Bytes, Bytes> contents(LsmStore store) {
        TreeMap<Bytes, Bytes> m = new TreeMap<>();
        try (EntryIterator it = store.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                m.put(e.key(), e.value());
            }
        }
        return m;
    }

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "after the process was killed during writes, flushes or compactions, the reopened "
                    + "LSM store lost a synced batch, kept part of a batch, or cannot be opened")
    void aStoreKilledWithSigkillReopensWithEverySyncedBatch() throws Exception {
        Path dir = temp.resolve("lsm");
        long acked = KilledChild.runAndKill(
                SyncUntilKilled.class,
                List.of(dir.toString()),
                TARGET,
                "synced batches",
                WAIT_SECONDS,
                temp.resolve("child-stderr.txt"));
        TreeMap<Bytes, Bytes> acknowledged = SyncUntilKilled.model((int) acked + 1);
        TreeMap<Bytes, Bytes> inFlight = SyncUntilKilled.model((int) acked + 2);
        TreeMap<Bytes, Bytes> got;
        try (LsmStore store = LsmStore.open(DiskStorage.open(dir), SyncUntilKilled.OPTIONS)) {
            got = contents(store);
            System.out.println("lab-05 ChildProcessCrashHiddenTest: killed after " + (acked + 1) + " synced batches; "
                    + "reopened at round " + got.get(SyncUntilKilled.ROUND) + "\n" + store.describeLevels());
            assertThat(
                    "rounds 0-" + acked + " were synced before the kill: the store holds exactly them, or them and "
                            + "the whole round in flight",
                    got,
                    anyOf(equalTo(acknowledged), equalTo(inFlight)));
            store.write(SyncUntilKilled.batch(100_000));
            store.compactAll();
        }
        TreeMap<Bytes, Bytes> expected = new TreeMap<>(got);
        SyncUntilKilled.batch(100_000).operations().forEach(e -> {
            if (e.isTombstone()) {
                expected.remove(e.key());
            } else {
                expected.put(e.key(), e.value());
            }
        });
        try (LsmStore store = LsmStore.open(DiskStorage.open(dir), SyncUntilKilled.OPTIONS)) {
            assertThat(
                    "after recovery the store takes a batch and a full compaction, closes and reopens with it",
                    contents(store),
                    equalTo(expected));
        }
    }
}
