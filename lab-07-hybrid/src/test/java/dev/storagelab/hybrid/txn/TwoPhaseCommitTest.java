package dev.storagelab.hybrid.txn;

import static dev.storagelab.hybrid.txn.TxnWorkload.cold;
import static dev.storagelab.hybrid.txn.TxnWorkload.hot;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** T9: two-phase commit across the B+tree and the LSM tree, each with its own log. */
class TwoPhaseCommitTest {

    private static final Bytes V = Bytes.of("v");

    private static CrossEngineStore open(SharedDisk disk) throws IOException {
        return CrashSweep.open(disk);
    }

    private static long forces(CrossEngineStore s) {
        return s.hot().wal().stats().forces()
                + s.cold().wal().stats().forces()
                + s.coordinator().wal().stats().forces();
    }

    /** A participant over an LSM tree alone, in its own storage, with 1 KiB log segments. */
    private static Participant lsmParticipant(FaultInjectingStorage storage) throws IOException {
        LsmStore lsm = LsmStore.open(storage, LsmOptions.tiny().withoutWal());
        return Participant.open(
                "cold",
                storage,
                Engine.of(lsm),
                WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE).withSegmentBytes(1024));
    }

    @Test
    void aTransactionAcrossBothEnginesIsVisibleInEach() throws IOException {
        SharedDisk disk = new SharedDisk(1, CrashMode.LOSE_UNSYNCED);
        CrossEngineStore store = open(disk);
        store.write(List.of(Entry.put(hot(1), V), Entry.put(cold(1), V)));
        assertThat("the HOT key is in the B+tree's participant", store.hot().get(hot(1)), equalTo(Optional.of(V)));
        assertThat("the COLD key is in the LSM tree's participant", store.cold().get(cold(1)), equalTo(Optional.of(V)));
        assertThat("the HOT key is not written to the LSM tree", store.cold().get(hot(1)), equalTo(Optional.empty()));
        assertThat("nothing stays in doubt", store.hot().inDoubt(), empty());
        assertThat(
                "the coordinator forgot the transaction (END)",
                store.coordinator().pendingDecisions().isEmpty(),
                is(true));
        store.close();
        CrossEngineStore reopened = open(disk);
        assertThat(reopened.get(hot(1)), equalTo(Optional.of(V)));
        assertThat(reopened.get(cold(1)), equalTo(Optional.of(V)));
    }

    @Test
    void preparedWritesAreDurableButInvisibleUntilCommit() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(3).crashMode(CrashMode.LOSE_UNSYNCED);
        Participant p = lsmParticipant(storage);
        p.prepare(7, List.of(Entry.put(cold(1), V)));
        assertThat("a prepared write must not be read before its commit", p.get(cold(1)), equalTo(Optional.empty()));
        storage.powerLoss();
        Participant recovered = lsmParticipant(storage);
        assertThat(
                "the PREPARE was forced: after a power loss the transaction is in doubt",
                recovered.inDoubt(),
                contains(7L));
        assertThat("still invisible after recovery", recovered.get(cold(1)), equalTo(Optional.empty()));
        assertThat("commit of a prepared transaction", recovered.commit(7), is(true));
        assertThat("visible once committed", recovered.get(cold(1)), equalTo(Optional.of(V)));
        storage.powerLoss();
        Participant again = lsmParticipant(storage);
        assertThat("the COMMIT was forced", again.get(cold(1)), equalTo(Optional.of(V)));
        assertThat(again.inDoubt(), empty());
    }

    @Test
    void anAbortDropsThePreparedWritesWithoutAForce() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(4).crashMode(CrashMode.KEEP_UNSYNCED);
        Participant p = lsmParticipant(storage);
        p.prepare(3, List.of(Entry.put(cold(2), V)));
        long forces = p.wal().stats().forces();
        assertThat(p.abort(3), is(true));
        assertThat(
                "presumed abort: an ABORT record is not forced", p.wal().stats().forces(), equalTo(forces));
        assertThat(p.get(cold(2)), equalTo(Optional.empty()));
        storage.powerLoss();
        Participant recovered = lsmParticipant(storage);
        assertThat(
                "the ABORT reached the log (kept by this power loss): nothing in doubt", recovered.inDoubt(), empty());
        assertThat(recovered.get(cold(2)), equalTo(Optional.empty()));
    }

    @Test
    void aCrossEngineCommitForcesFiveTimesAndAOneEngineWriteOnce() throws IOException {
        CrossEngineStore store = open(new SharedDisk(1, CrashMode.LOSE_UNSYNCED));
        long before = forces(store);
        long coordinatorBefore = store.coordinator().wal().stats().forces();
        store.write(List.of(Entry.put(hot(1), V), Entry.put(cold(1), V)));
        assertThat(
                "two PREPAREs, the DECISION and two COMMITs are forced; END is not",
                forces(store) - before,
                equalTo(5L));
        assertThat(
                "the coordinator forces its decision only",
                store.coordinator().wal().stats().forces() - coordinatorBefore,
                equalTo(1L));
        long coordinatorRecords = store.coordinator().wal().lastLsn();
        before = forces(store);
        store.write(List.of(Entry.put(cold(2), V), Entry.put(cold(3), V)));
        assertThat("a transaction of one engine is a one-phase commit: one force", forces(store) - before, equalTo(1L));
        assertThat("and no coordinator record", store.coordinator().wal().lastLsn(), equalTo(coordinatorRecords));
    }

    @Test
    void aCrashBeforeTheDecisionAbortsAndAfterItCommits() throws IOException {
        // Find the mutations of one cross-engine transaction: hot PREPARE (append, force), cold PREPARE,
        // the DECISION, hot COMMIT, cold COMMIT, END.
        SharedDisk dry = new SharedDisk(1, CrashMode.LOSE_UNSYNCED);
        CrossEngineStore store = open(dry);
        dry.trace = true;
        store.write(List.of(Entry.put(hot(1), V), Entry.put(cold(1), V)));
        List<Character> owners = dry.owners;
        int decisionForce = owners.indexOf('k') + 1; // the DECISION's append, then its force
        assertThat(
                "the coordinator writes its decision after both prepares " + owners,
                owners.subList(0, decisionForce - 1).containsAll(List.of('h', 'c')),
                is(true));
        for (int n = 1; n <= owners.size(); n++) {
            SharedDisk disk = new SharedDisk(n, CrashMode.LOSE_UNSYNCED);
            CrossEngineStore s = open(disk);
            disk.disk.crashBeforeMutation(n);
            try {
                s.write(List.of(Entry.put(hot(1), V), Entry.put(cold(1), V)));
            } catch (IOException e) {
                // the crash
            }
            disk.disk.powerLoss();
            CrossEngineStore r = open(disk);
            Optional<Bytes> expected = n > decisionForce + 1 ? Optional.of(V) : Optional.empty();
            String when = "crash before mutation " + n + " of " + owners.size() + " " + owners
                    + (expected.isPresent()
                            ? " (after the decision was forced)"
                            : " (before the decision was durable)");
            assertThat(when + ": hot", r.get(hot(1)), equalTo(expected));
            assertThat(when + ": cold", r.get(cold(1)), equalTo(expected));
            assertThat(
                    when + ": nothing in doubt",
                    r.hot().inDoubt().isEmpty() && r.cold().inDoubt().isEmpty(),
                    is(true));
            assertThat(
                    when + ": every decision ended",
                    r.coordinator().pendingDecisions().isEmpty(),
                    is(true));
        }
    }

    @Test
    void aCheckpointKeepsThePrepareOfATransactionInDoubt() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(5).crashMode(CrashMode.LOSE_UNSYNCED);
        Participant p = lsmParticipant(storage);
        p.prepare(1, List.of(Entry.put(cold(0), V)));
        for (int t = 2; t < 60; t++) {
            p.write(t, List.of(Entry.put(cold(1 + t % 4), Bytes.of("value " + t + " " + "y".repeat(50)))));
            if (t % 10 == 0) {
                p.checkpoint();
            }
        }
        assertThat(
                "the log has rolled over segments a checkpoint could truncate",
                p.wal().segmentNames().size(),
                greaterThan(2));
        storage.powerLoss();
        Participant recovered = lsmParticipant(storage);
        assertThat(
                "the checkpoints kept the PREPARE of transaction 1, still in doubt", recovered.inDoubt(), contains(1L));
        recovered.commit(1);
        assertThat(recovered.get(cold(0)), equalTo(Optional.of(V)));
        recovered.checkpoint();
        assertThat(
                "resolved: the next checkpoint truncates the log",
                recovered.wal().segmentNames().size(),
                equalTo(1));
        storage.powerLoss();
        assertThat(lsmParticipant(storage).get(cold(0)), equalTo(Optional.of(V)));
    }

    @Test
    void transactionIdsAreNeverReusedAfterACrash() throws IOException {
        SharedDisk disk = new SharedDisk(1, CrashMode.LOSE_UNSYNCED);
        CrossEngineStore store = open(disk);
        store.write(List.of(Entry.put(hot(1), V), Entry.put(cold(1), V)));
        store.hot().prepare(50, List.of(Entry.put(hot(2), V))); // a coordinator that crashed right after this prepare
        disk.disk.powerLoss();
        CrossEngineStore recovered = open(disk);
        assertThat("no decision: transaction 50 is aborted", recovered.get(hot(2)), equalTo(Optional.empty()));
        assertThat(
                "the next transaction id is past every id a participant has seen",
                recovered.write(List.of(Entry.put(hot(3), V), Entry.put(cold(3), V))),
                greaterThan(50L));
    }

    @Test
    void aPowerLossBeforeAnyFileOperationLeavesEachTransactionWhole() throws IOException {
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(12, 7, 5), CrashMode.LOSE_UNSYNCED, 1, 0, 0);
        assertThat("crash points in the HOT participant", r.perView[0], greaterThan(10L));
        assertThat("crash points in the COLD participant", r.perView[1], greaterThan(10L));
        assertThat("crash points in the coordinator", r.perView[2], greaterThan(5L));
    }

    @Test
    void aCrashDuringRecoveryIsRecoveredByRecoveringAgain() throws IOException {
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(6, 11, 0), CrashMode.LOSE_UNSYNCED, 3, 1, 4);
        assertThat("crashes during recovery", r.recoveryPoints, greaterThan(20L));
    }

    @Test
    void theNaiveStoreLosesAtomicityWhereTwoPhaseCommitKeepsIt() throws IOException {
        CrashSweep.Result naive = CrashSweep.sweepNaive(() -> new TxnWorkload(12, 7, 0), CrashMode.LOSE_UNSYNCED, 1);
        assertThat(
                "some crash point leaves the naive store with half a transaction (failure mode 5)",
                naive.broken,
                greaterThan(0L));
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(12, 7, 0), CrashMode.LOSE_UNSYNCED, 1, 0, 0);
        System.out.println("[T9 failure mode 5] the naive store: " + naive.broken + " of " + naive.points
                + " crash points leave half a transaction; two-phase commit: 0 of " + r.points);
    }

    @Test
    void aDecisionNamesItsParticipants() throws IOException {
        CrossEngineStore store = open(new SharedDisk(1, CrashMode.LOSE_UNSYNCED));
        long before = store.coordinator().wal().lastLsn();
        long txId = store.coordinator().commit(Map.of(CrossEngineStore.HOT, List.of(Entry.put(hot(4), V))));
        assertThat("a DECISION and an END", store.coordinator().wal().lastLsn() - before, equalTo(2L));
        assertThat(txId, greaterThan(0L));
        assertThat(store.get(hot(4)), equalTo(Optional.of(V)));
    }
}
