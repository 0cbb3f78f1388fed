package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.Invariants;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.KilledChild;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
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
    @Graded(
            task = "T3",
            points = 4,
            concept = "after the process was killed mid-write or mid-checkpoint, the reopened tree is "
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
                    + (got.equals(acknowledged)
                            ? "the last acknowledged checkpoint"
                            : got.equals(inFlight) ? "the checkpoint in flight" : "neither")
                    + ")");
            assertThat(
                    "round " + acked + "'s checkpoint was acknowledged before the kill, so the tree holds exactly "
                            + "rounds 0-" + acked + " (or 0-" + (acked + 1)
                            + " if the checkpoint in flight became durable)",
                    got,
                    anyOf(equalTo(acknowledged), equalTo(inFlight)));
            for (var e : got.entrySet()) {
                assertThat(
                        "get(" + e.getKey() + ") after the kill",
                        tree.get(e.getKey()),
                        equalTo(Optional.of(e.getValue())));
            }
            CheckpointUntilKilled.round(tree, (int) acked + 2);
            tree.put(Bytes.of("written-after-recovery"), Bytes.of("yes"));
        }
        TreeMap<Bytes, Bytes> expected = new TreeMap<>(got);
        CheckpointUntilKilled.applyRound(expected, (int) acked + 2);
        expected.put(Bytes.of("written-after-recovery"), Bytes.of("yes"));
        try (BPlusTree tree = BPlusTree.open(DiskStorage.open(dir), CheckpointUntilKilled.OPTIONS)) {
            Invariants.check(tree);
            assertThat(
                    "after recovery the tree takes writes and deletes, closes and reopens with all of them",
                    Trees.contents(tree),
                    equalTo(expected));
        }
        try (DiskStorage storage = DiskStorage.open(dir)) {
            assertThat(
                    "only the page file is left in the directory",
                    storage.list(),
                    equalTo(List.of(BPlusTree.FILE_NAME)));
        }
    }

    /**
     * Starts the child on {@code dir}, waits until it has acknowledged {@link #TARGET} checkpoints,
     * kills it with SIGKILL and returns the highest round it acknowledged.
     */
    private long runAndKill(Path dir) throws Exception {
        return KilledChild.runAndKill(
                CheckpointUntilKilled.class,
                List.of(dir.toString()),
                TARGET,
                "checkpoints",
                WAIT_SECONDS,
                temp.resolve("child-stderr.txt"));
    }
}
