package dev.storagelab.wal.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.KilledChild;
import dev.storagelab.wal.Wal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM ({@link CommitUntilKilled}) runs 16 threads committing under GROUP to
 * a log on disk whose 4 KiB segments roll over all the time; the test kills it with SIGKILL, in the
 * middle of group writes, forces and segment creations, reopens the log and checks that it holds
 * every acknowledged commit, that the log is gap-free, and that each thread's commits are in it in
 * the order the thread made them, with nothing after the first one missing; then that the log
 * takes commits again. Every wait is bounded.
 */
@Tag("hidden")
class ChildProcessCrashWalHiddenTest {

    private static final long TARGET = 3000;
    private static final long WAIT_SECONDS = 90;

    @TempDir
    Path temp;

    @Test
    @Graded(
            task = "T2",
            points = 4,
            concept = "after the process was killed while 16 threads committed, the reopened log lost an "
                    + "acknowledged commit, has a gap or a thread's commits out of order, or cannot be opened")
    void aLogKilledWithSigkillReopensWithEveryAcknowledgedCommit() throws Exception {
        Path dir = temp.resolve("wal");
        long acked = KilledChild.runAndKill(
                CommitUntilKilled.class,
                List.of(dir.toString()),
                TARGET,
                "commits",
                WAIT_SECONDS,
                temp.resolve("child-stderr.txt"));
        List<List<Integer>> perThread = new ArrayList<>();
        for (int t = 0; t < CommitUntilKilled.THREADS; t++) {
            perThread.add(new ArrayList<>());
        }
        try (Wal wal = Wal.open(DiskStorage.open(dir), CommitUntilKilled.OPTIONS)) {
            System.out.println("lab-06 ChildProcessCrashWalHiddenTest: killed after " + (acked + 1)
                    + " acknowledged commits; reopened at LSN " + wal.lastLsn() + " in "
                    + wal.segmentNames().size()
                    + " segments");
            assertThat(
                    "LSNs 1 to " + (acked + 1) + " were acknowledged before the kill",
                    wal.lastLsn(),
                    greaterThanOrEqualTo(acked + 1));
            long[] next = {1};
            wal.replay(0, (lsn, payload) -> {
                assertThat("replay is gap-free", lsn, equalTo(next[0]++));
                String[] parts = new String(payload, StandardCharsets.UTF_8).split("/");
                perThread.get(Integer.parseInt(parts[0])).add(Integer.parseInt(parts[1]));
            });
            assertThat(next[0] - 1, equalTo(wal.lastLsn()));
            for (int t = 0; t < perThread.size(); t++) {
                List<Integer> commits = perThread.get(t);
                for (int i = 0; i < commits.size(); i++) {
                    assertThat(
                            "thread " + t + "'s commits in the log, in order and without a gap",
                            commits.get(i),
                            equalTo(i));
                }
            }
            long lsn = wal.commit("after".getBytes(StandardCharsets.UTF_8));
            assertThat("the recovered log takes commits", lsn, equalTo(next[0]));
        }
        try (Wal wal = Wal.open(DiskStorage.open(dir), CommitUntilKilled.OPTIONS)) {
            assertThat(wal.durableLsn(), equalTo(wal.lastLsn()));
        }
    }
}
