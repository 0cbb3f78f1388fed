package dev.storagelab.wal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.testkit.TestThreads;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-06 T2, group commit: commits queued behind a leader that is forcing are written
 * by the next leader in one storage write and made durable by one force; under EVERY_WRITE each
 * forces alone; under NONE nobody forces; concurrent commits get distinct, gap-free LSNs.
 */
class GroupCommitTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static byte[] payload(int i) {
        return ("commit " + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Waits (without a time limit on the outcome: only a bound on how long to wait) until n writers are queued. */
    /**
     * Waits until {@code n} commits are queued (the first of them held in its force at the gate). A
     * commit that ends meanwhile ends the wait: its exception is the test's, and a commit that
     * returned while the leader's force was held is a failure of its own.
     */
    static void awaitQueued(Wal wal, int n, List<? extends Future<?>> commits)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (wal.stats().waitingCommits() < n) {
            for (Future<?> f : commits) {
                if (f.isDone()) {
                    f.get();
                    throw new AssertionError(
                            "a commit returned while the force of the group ahead of it was still running");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "only " + wal.stats().waitingCommits() + " of " + n + " commits queued after 30 s");
            }
            Thread.sleep(1);
        }
    }

    /**
     * One commit is forcing (held at the gate), {@code n} more queue behind it; then the gate opens.
     *
     * @return the LSNs the n queued commits got
     */
    private List<Long> queueBehindAForce(Wal wal, GatedStorage gated, int n) throws Exception {
        gated.closeGateBeforeNextForce();
        Future<Long> leader = pool.submit(() -> wal.commit(payload(0)));
        gated.awaitForceAtGate(leader);
        List<Future<Long>> followers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int k = i;
            followers.add(pool.submit(() -> wal.commit(payload(k))));
        }
        try {
            awaitQueued(wal, n + 1, followers);
        } finally {
            gated.openGate(); // even on failure: the leader holds the log until its force returns
        }
        assertThat("the first commit", leader.get(30, TimeUnit.SECONDS), equalTo(1L));
        List<Long> lsns = new ArrayList<>();
        for (Future<Long> f : followers) {
            lsns.add(f.get(30, TimeUnit.SECONDS));
        }
        return lsns;
    }

    @Test
    void commitsQueuedBehindAForceShareOneWriteAndOneForce() throws Exception {
        GatedStorage gated = new GatedStorage(new FaultInjectingStorage());
        try (Wal wal = Wal.open(gated, WalOptions.defaults().withSyncMode(SyncMode.GROUP))) {
            long appends = gated.appends();
            long forces = gated.forces();
            List<Long> lsns = queueBehindAForce(wal, gated, 10);
            assertThat(
                    "the queued commits get LSNs 2 to 11",
                    Set.copyOf(lsns),
                    equalTo(Set.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L)));
            assertThat(
                    "storage writes: one for the first commit, one for the group of 10",
                    gated.appends() - appends,
                    equalTo(2L));
            assertThat(
                    "forces: one for the first commit, one for the group of 10", gated.forces() - forces, equalTo(2L));
            assertThat("stats: commit groups", wal.stats().commitGroups(), equalTo(2L));
            assertThat("stats: forces", wal.stats().forces(), equalTo(2L));
            assertThat(wal.durableLsn(), equalTo(11L));
        }
    }

    @Test
    void underEveryWriteEachCommitForcesAlone() throws Exception {
        GatedStorage gated = new GatedStorage(new FaultInjectingStorage());
        try (Wal wal = Wal.open(gated, WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE))) {
            long forces = gated.forces();
            List<Long> lsns = queueBehindAForce(wal, gated, 6);
            assertThat(Set.copyOf(lsns), equalTo(Set.of(2L, 3L, 4L, 5L, 6L, 7L)));
            assertThat("one force per commit", gated.forces() - forces, equalTo(7L));
            assertThat("one group per commit", wal.stats().meanGroupSize(), equalTo(1.0));
        }
    }

    @Test
    void underNoneNoCommitForces() throws Exception {
        GatedStorage gated = new GatedStorage(new FaultInjectingStorage());
        try (Wal wal = Wal.open(gated, WalOptions.defaults().withSyncMode(SyncMode.NONE))) {
            long forces = gated.forces();
            for (int i = 1; i <= 20; i++) {
                assertThat(wal.commit(payload(i)), equalTo((long) i));
            }
            assertThat("NONE never forces", gated.forces() - forces, equalTo(0L));
            assertThat("so nothing new is durable", wal.durableLsn(), equalTo(0L));
        }
    }

    @Test
    void concurrentCommitsGetDistinctGapFreeLsnsAndReplayTheirOwnPayloads() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        int threads = 8;
        int each = 100;
        ConcurrentHashMap<Long, String> acknowledged = new ConcurrentHashMap<>();
        try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(4096))) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        String p = thread + "/" + i;
                        long lsn = wal.commit(p.getBytes(StandardCharsets.UTF_8));
                        if (acknowledged.put(lsn, p) != null) {
                            throw new AssertionError("LSN " + lsn + " given twice");
                        }
                        if (wal.durableLsn() < lsn) {
                            throw new AssertionError("commit " + lsn + " returned before it was durable (durableLsn "
                                    + wal.durableLsn() + ")");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(wal.lastLsn(), equalTo((long) threads * each));
        }
        storage.powerLoss();
        TreeMap<Long, String> replayed = new TreeMap<>();
        try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(4096))) {
            wal.replay(0, (lsn, p) -> replayed.put(lsn, new String(p, StandardCharsets.UTF_8)));
        }
        assertThat(
                "every acknowledged commit is in the log at its LSN", replayed, equalTo(new TreeMap<>(acknowledged)));
    }
}
