package dev.storagelab.wal.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.TestThreads;
import dev.storagelab.wal.GatedStorage;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-06 T2, group commit: N commits queued behind a forcing leader take one write
 * and one force (and EVERY_WRITE takes N); a group stays within its byte bound; a failed force fails
 * every commit of its group and every later one, and none of them is durable; under GROUP and
 * EVERY_WRITE every commit that returned survives a power loss in the middle of 16 committing
 * threads; 64 threads with tiny segments get gap-free LSNs with their own payloads.
 */
@Tag("hidden")
class GroupCommitHiddenTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static byte[] payload(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

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
                throw new AssertionError("only " + wal.stats().waitingCommits() + " of " + n + " commits queued after "
                        + TestThreads.LIVENESS_BOUND_SECONDS + " s");
            }
            Thread.sleep(1);
        }
    }

    /** A commit held in its force at the gate, {@code payloads.size()} commits queued behind it, then the gate opens. */
    private List<Future<Long>> queueBehindAForce(Wal wal, GatedStorage gated, List<byte[]> payloads) throws Exception {
        gated.closeGateBeforeNextForce();
        List<Future<Long>> all = new ArrayList<>();
        all.add(pool.submit(() -> wal.commit(payload("leader"))));
        gated.awaitForceAtGate(all.get(0));
        for (byte[] p : payloads) {
            all.add(pool.submit(() -> wal.commit(p)));
        }
        try {
            awaitQueued(wal, payloads.size() + 1, all.subList(1, all.size()));
        } catch (Throwable t) {
            gated.openGate(); // the leader holds the log until its force returns
            throw t;
        }
        return all;
    }

    private static Map<Long, byte[]> replayAll(FaultInjectingStorage storage) throws IOException {
        Map<Long, byte[]> out = new HashMap<>();
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            wal.replay(0, out::put);
        }
        return out;
    }

    @Test
    @Graded(
            task = "T2",
            points = 4,
            concept = "commits queued behind a leader's force are not written by the next leader in one "
                    + "storage write with one force (no group commit), or get wrong LSNs")
    void thirtyOneQueuedCommitsTakeOneWriteAndOneForce() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        GatedStorage gated = new GatedStorage(storage);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            payloads.add(payload("follower " + i));
        }
        try (Wal wal = Wal.open(gated, WalOptions.defaults())) {
            long appends = gated.appends();
            long forces = gated.forces();
            List<Future<Long>> futures = queueBehindAForce(wal, gated, payloads);
            gated.openGate();
            Map<Long, byte[]> byLsn = new HashMap<>();
            for (int i = 0; i < futures.size(); i++) {
                long lsn = futures.get(i).get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
                byLsn.put(lsn, i == 0 ? payload("leader") : payloads.get(i - 1));
            }
            assertThat("32 distinct LSNs", byLsn.size(), equalTo(32));
            assertThat(
                    "storage writes: the leader's, then one for the group of 31",
                    gated.appends() - appends,
                    equalTo(2L));
            assertThat("forces: the leader's, then one for the group of 31", gated.forces() - forces, equalTo(2L));
            assertThat("WalStats.forces", wal.stats().forces(), equalTo(2L));
            assertThat("WalStats.commitGroups", wal.stats().commitGroups(), equalTo(2L));
            assertThat("WalStats.meanGroupSize", wal.stats().meanGroupSize(), equalTo(16.0));
            assertThat("nobody waits any more", wal.stats().waitingCommits(), equalTo(0));
            Map<Long, byte[]> replayed = new HashMap<>();
            wal.replay(0, replayed::put);
            for (long lsn = 1; lsn <= 32; lsn++) {
                assertThat(
                        "LSN " + lsn + " holds the payload of the commit it was returned to",
                        Arrays.equals(replayed.get(lsn), byLsn.get(lsn)),
                        equalTo(true));
            }
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "under EVERY_WRITE commits are grouped (or skip their force) instead of each "
                    + "writing and forcing alone")
    void underEveryWriteQueuedCommitsEachWriteAndForceAlone() throws Exception {
        GatedStorage gated = new GatedStorage(new FaultInjectingStorage());
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            payloads.add(payload("c" + i));
        }
        try (Wal wal = Wal.open(gated, WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE))) {
            long appends = gated.appends();
            long forces = gated.forces();
            List<Future<Long>> futures = queueBehindAForce(wal, gated, payloads);
            gated.openGate();
            for (Future<Long> f : futures) {
                f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            }
            assertThat("one write per commit", gated.appends() - appends, equalTo(13L));
            assertThat("one force per commit", gated.forces() - forces, equalTo(13L));
            assertThat(wal.stats().commitGroups(), equalTo(13L));
        }
    }

    /**
     * Queues {@code commits} commits of {@code bytes} each behind a leader held at its force, with
     * {@code maxGroupBytes} of 1 MiB, and returns the log's appends once all are done: the
     * leader's own, then one per group.
     */
    private long appendsForCommitsOf(int commits, int bytes) throws Exception {
        GatedStorage gated = new GatedStorage(new FaultInjectingStorage());
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < commits; i++) {
            byte[] p = new byte[bytes];
            Arrays.fill(p, (byte) i);
            payloads.add(p);
        }
        try (Wal wal = Wal.open(gated, WalOptions.defaults().withMaxGroupBytes(1 << 20))) {
            long appends = gated.appends();
            List<Future<Long>> futures = queueBehindAForce(wal, gated, payloads);
            gated.openGate();
            for (Future<Long> f : futures) {
                f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            }
            return gated.appends() - appends;
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "a group commit takes more bytes than maxGroupBytes from the queue in one write")
    void aGroupStaysWithinItsByteBound() throws Exception {
        assertThat(
                "ten commits of 300 KiB in groups of at most 1 MiB: the leader's write, then 3 + 3 + 3 + 1",
                appendsForCommitsOf(10, 300 << 10),
                equalTo(5L));
    }

    @Test
    @Graded(
            task = "T2",
            points = 1,
            concept = "a group commit whose payloads add up to exactly maxGroupBytes is cut one commit "
                    + "early (the bound is inclusive)")
    void aGroupOfExactlyMaxGroupBytesIsOneWrite() throws Exception {
        assertThat(
                "eight commits of 256 KiB in groups of at most 1 MiB: the leader's write, then 4 + 4",
                appendsForCommitsOf(8, 256 << 10),
                equalTo(3L));
    }

    @Test
    @Graded(
            task = "T2",
            points = 4,
            concept = "when a group's force fails, a commit of that group returns success, or a later "
                    + "commit succeeds (fsyncgate), or a failed commit's record is durable")
    void aFailedForceFailsEveryCommitOfTheGroupAndEveryLaterOne() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage().crashMode(CrashMode.LOSE_UNSYNCED);
        GatedStorage gated = new GatedStorage(storage);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            payloads.add(payload("doomed " + i));
        }
        try (Wal wal = Wal.open(gated, WalOptions.defaults())) {
            List<Future<Long>> futures = queueBehindAForce(wal, gated, payloads);
            gated.failForce((int) gated.forces() + 2);
            gated.openGate();
            assertThat(
                    "the leader's own force succeeded",
                    futures.get(0).get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS),
                    equalTo(1L));
            for (int i = 1; i < futures.size(); i++) {
                Future<Long> f = futures.get(i);
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS),
                        "commit " + i + " of the group whose force failed");
                assertThat("it fails with an IOException", e.getCause() instanceof IOException, equalTo(true));
            }
            assertThat("a failed group is not durable", wal.durableLsn(), equalTo(1L));
            List<Future<Long>> later = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                later.add(pool.submit(() -> wal.commit(payload("later"))));
            }
            for (Future<Long> f : later) {
                assertThrows(
                        ExecutionException.class,
                        () -> f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS),
                        "a commit after the failed force");
            }
        } catch (IOException closing) {
            // close may report the failure again
        }
        storage.powerLoss();
        Map<Long, byte[]> replayed = replayAll(storage);
        assertThat("only the leader's record survives", replayed.keySet(), equalTo(java.util.Set.of(1L)));
    }

    /** 16 threads commit until a power loss; every commit that returned must be in the reopened log. */
    private void acknowledgedCommitsSurviveAPowerLoss(SyncMode mode) throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage(mode.ordinal()).crashMode(CrashMode.LOSE_UNSYNCED);
        ConcurrentHashMap<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger early = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Wal wal = Wal.open(storage, WalOptions.defaults().withSyncMode(mode).withSegmentBytes(2048));
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            threads.add(pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String p = thread + "/" + i;
                    long lsn;
                    try {
                        lsn = wal.commit(payload(p));
                    } catch (IOException e) {
                        return null; // the power went out
                    }
                    if (wal.durableLsn() < lsn) {
                        early.incrementAndGet();
                    }
                    acknowledged.put(lsn, p);
                }
                return null;
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (acknowledged.size() < 400
                && System.nanoTime() < deadline
                && !threads.stream().allMatch(Future::isDone)) {
            Thread.sleep(1);
        }
        storage.powerLoss();
        stop.set(true);
        for (Future<?> f : threads) {
            f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
        }
        try {
            wal.close();
        } catch (IOException expected) {
            // its handles died with the power
        }
        storage.powerLoss();
        assertThat(
                mode + ": commits acknowledged before the power loss", acknowledged.size(), greaterThanOrEqualTo(400));
        assertThat(mode + ": commits that returned before durableLsn covered them", early.get(), equalTo(0));
        Map<Long, byte[]> replayed = replayAll(storage);
        for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
            byte[] r = replayed.get(e.getKey());
            assertThat(
                    mode + ": acknowledged commit " + e.getKey() + " (" + e.getValue() + ") after the power loss",
                    r == null ? null : new String(r, StandardCharsets.UTF_8),
                    equalTo(e.getValue()));
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 4,
            concept = "under GROUP a commit returns before its record is durable: a power loss loses an "
                    + "acknowledged commit")
    void underGroupEveryCommitThatReturnedSurvivesAPowerLoss() throws Exception {
        acknowledgedCommitsSurviveAPowerLoss(SyncMode.GROUP);
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "under EVERY_WRITE a commit returns before its record is durable: a power loss loses "
                    + "an acknowledged commit")
    void underEveryWriteEveryCommitThatReturnedSurvivesAPowerLoss() throws Exception {
        acknowledgedCommitsSurviveAPowerLoss(SyncMode.EVERY_WRITE);
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "force() returns before the records appended before it are durable, or appends "
                    + "under NONE are forced")
    void forceMakesEveryEarlierAppendDurable() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage().crashMode(CrashMode.LOSE_UNSYNCED);
        GatedStorage gated = new GatedStorage(storage);
        try (Wal wal = Wal.open(
                gated, WalOptions.defaults().withSyncMode(SyncMode.NONE).withSegmentBytes(512))) {
            long forces = gated.forces();
            List<Future<Long>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    long last = 0;
                    for (int i = 0; i < 25; i++) {
                        last = i % 2 == 0
                                ? wal.append(payload(thread + "/" + i))
                                : wal.commit(payload(thread + "/" + i));
                    }
                    return last;
                }));
            }
            for (Future<Long> f : futures) {
                f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            }
            long segmentsFull = wal.segmentNames().size() - 1;
            assertThat(
                    "under NONE only a full segment is forced",
                    gated.forces() - forces,
                    lessThanOrEqualTo(2 * segmentsFull));
            wal.force();
            assertThat(wal.durableLsn(), equalTo(200L));
            storage.powerLoss();
        } catch (IOException closing) {
            // the power went out under it
        }
        assertThat(
                "everything appended before force() survives",
                replayAll(storage).size(),
                equalTo(200));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "64 threads committing through tiny segments deadlock, lose a wake-up, repeat or "
                    + "skip an LSN, or swap payloads")
    void sixtyFourThreadsGetGapFreeLsnsWithTheirOwnPayloads() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        ConcurrentHashMap<Long, String> acknowledged = new ConcurrentHashMap<>();
        try (Wal wal =
                Wal.open(storage, WalOptions.defaults().withSegmentBytes(1024).withMaxGroupBytes(200))) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        String p = thread + "/" + i;
                        long lsn = i % 4 == 0 ? wal.append(payload(p)) : wal.commit(payload(p));
                        if (acknowledged.put(lsn, p) != null) {
                            throw new AssertionError("LSN " + lsn + " returned twice");
                        }
                        if (i % 10 == 9) {
                            wal.truncateBefore(lsn / 2);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            }
            assertThat(wal.lastLsn(), equalTo(64L * 40));
            assertThat("groups formed", wal.stats().commitGroups(), greaterThan(0L));
        }
        Map<Long, byte[]> replayed = new HashMap<>();
        long first;
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            first = Long.parseLong(wal.segmentNames().get(0).substring(0, 20));
            wal.replay(first - 1, replayed::put);
        }
        for (long lsn = first; lsn <= 64L * 40; lsn++) {
            byte[] r = replayed.get(lsn);
            assertThat(
                    "LSN " + lsn,
                    r == null ? null : new String(r, StandardCharsets.UTF_8),
                    equalTo(acknowledged.get(lsn)));
        }
    }
}
