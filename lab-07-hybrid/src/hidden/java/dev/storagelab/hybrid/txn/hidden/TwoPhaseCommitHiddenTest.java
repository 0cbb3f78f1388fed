package dev.storagelab.hybrid.txn.hidden;

import static dev.storagelab.hybrid.txn.TxnWorkload.cold;
import static dev.storagelab.hybrid.txn.TxnWorkload.hot;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.txn.Coordinator;
import dev.storagelab.hybrid.txn.CrossEngineStore;
import dev.storagelab.hybrid.txn.Participant;
import dev.storagelab.hybrid.txn.TxnRecord;
import dev.storagelab.hybrid.txn.TxnWorkload;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-07 T9: the protocol's forces, prepared writes invisible, presumed abort after
 * a failed prepare, no abort after a failed decision, recovery's END, checkpoints that keep in-doubt
 * PREPAREs and the largest transaction id, corrupt participant logs, and a model-based run with
 * checkpoints, reopens and power losses.
 */
@Tag("hidden")
class TwoPhaseCommitHiddenTest {

    private static final WalOptions SMALL_SEGMENTS =
            WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE).withSegmentBytes(1024);

    /** Three storages of one machine: a power loss loses each one's unforced state. */
    private static final class Machine {
        final FaultInjectingStorage hot;
        final FaultInjectingStorage cold;
        final FaultInjectingStorage coordinator;

        Machine(long seed, CrashMode mode) {
            hot = new FaultInjectingStorage(seed).crashMode(mode);
            cold = new FaultInjectingStorage(seed + 1).crashMode(mode);
            coordinator = new FaultInjectingStorage(seed + 2).crashMode(mode);
        }

        CrossEngineStore open() throws IOException {
            return CrossEngineStore.open(hot, cold, coordinator, TxnWorkload.ROUTE, CrossEngineStore.Options.small());
        }

        void powerLoss() {
            hot.powerLoss();
            cold.powerLoss();
            coordinator.powerLoss();
        }
    }

    private static long forces(Participant p) {
        return p.wal().stats().forces();
    }

    private static Participant btreeParticipant(FaultInjectingStorage storage) throws IOException {
        return btreeParticipant(storage, SMALL_SEGMENTS);
    }

    private static Participant btreeParticipant(FaultInjectingStorage storage, WalOptions wal) throws IOException {
        BPlusTree tree = BPlusTree.open(
                storage, BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32));
        return Participant.open(CrossEngineStore.HOT, storage, Engine.of(tree), wal);
    }

    private static Participant lsmParticipant(FaultInjectingStorage storage) throws IOException {
        return lsmParticipant(storage, SMALL_SEGMENTS);
    }

    private static Participant lsmParticipant(FaultInjectingStorage storage, WalOptions wal) throws IOException {
        return Participant.open(
                CrossEngineStore.COLD,
                storage,
                Engine.of(LsmStore.open(storage, LsmOptions.tiny().withoutWal())),
                wal);
    }

    private static Bytes value(int t) {
        return Bytes.of("value-" + t + "-" + "z".repeat(30));
    }

    /** Transaction t's writes: its value under the HOT key 0 and the COLD key 0. */
    private static List<Entry> both(int t) {
        return List.of(Entry.put(hot(0), value(t)), Entry.put(cold(0), value(t)));
    }

    @Test
    @Graded(
            task = "T9",
            points = 3,
            concept =
                    "a cross-engine commit does not force each participant's PREPARE and COMMIT and the "
                            + "coordinator's decision exactly once each (or it forces an ABORT or an END, which presumed abort leaves unforced)")
    void eachCrossEngineCommitForcesTwoPreparesOneDecisionAndTwoCommits() throws IOException {
        Machine m = new Machine(1, CrashMode.LOSE_UNSYNCED);
        CrossEngineStore store = m.open();
        for (int t = 0; t < 20; t++) {
            long hot = forces(store.hot());
            long cold = forces(store.cold());
            long coordinator = store.coordinator().wal().stats().forces();
            long coordinatorRecords = store.coordinator().wal().lastLsn();
            store.write(both(t));
            assertThat(
                    "transaction " + t + ": HOT participant forces (PREPARE, COMMIT)",
                    forces(store.hot()) - hot,
                    equalTo(2L));
            assertThat(
                    "transaction " + t + ": COLD participant forces (PREPARE, COMMIT)",
                    forces(store.cold()) - cold,
                    equalTo(2L));
            assertThat(
                    "transaction " + t + ": coordinator forces (DECISION only)",
                    store.coordinator().wal().stats().forces() - coordinator,
                    equalTo(1L));
            assertThat(
                    "transaction " + t + ": coordinator records (DECISION, END)",
                    store.coordinator().wal().lastLsn() - coordinatorRecords,
                    equalTo(2L));
        }
        Participant p = store.hot();
        p.prepare(1000, List.of(Entry.put(hot(1), value(1000))));
        long before = forces(p);
        p.abort(1000);
        assertThat("an ABORT is not forced", forces(p), equalTo(before));
    }

    @Test
    @Graded(
            task = "T9",
            points = 3,
            concept = "a prepared but uncommitted write is visible to a get or a scan, in the B+tree or the "
                    + "LSM tree participant, or an aborted one replaces the old value")
    void preparedWritesAreInvisibleToGetsAndScansUntilCommittedInBothEngines() throws IOException {
        for (boolean btree : new boolean[] {true, false}) {
            FaultInjectingStorage storage = new FaultInjectingStorage(2).crashMode(CrashMode.RANDOM);
            Participant p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
            Bytes k = btree ? hot(1) : cold(1);
            p.write(1, List.of(Entry.put(k, value(1))));
            p.prepare(2, List.of(Entry.put(k, value(2)), Entry.tombstone(btree ? hot(9) : cold(9))));
            p.prepare(3, List.of(Entry.put(k, value(3))));
            String engine = btree ? "B+tree: " : "LSM tree: ";
            assertThat(engine + "a get sees the committed value", p.get(k), equalTo(Optional.of(value(1))));
            try (EntryIterator it = p.scan(null, null)) {
                List<Entry> all = new ArrayList<>();
                it.forEachRemaining(all::add);
                assertThat(
                        engine + "a scan sees the committed entries only",
                        all,
                        equalTo(List.of(Entry.put(k, value(1)))));
            }
            p.abort(3);
            storage.powerLoss();
            p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
            assertThat(engine + "transaction 2 in doubt after a power loss", p.inDoubt(), contains(2L));
            assertThat(engine + "still invisible after recovery", p.get(k), equalTo(Optional.of(value(1))));
            p.abort(2);
            assertThat(engine + "aborted: the old value stays", p.get(k), equalTo(Optional.of(value(1))));
            p.prepare(4, List.of(Entry.put(k, value(4))));
            p.commit(4);
            assertThat(engine + "committed: the new value", p.get(k), equalTo(Optional.of(value(4))));
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 4,
            concept = "when a participant fails to prepare, the others that prepared are not aborted, or the "
                    + "coordinator logs something (presumed abort logs nothing), or the transaction survives the crash")
    void aFailedPrepareAbortsThePreparedParticipantsAndLogsNothingAtTheCoordinator() throws IOException {
        Machine m = new Machine(3, CrashMode.KEEP_UNSYNCED);
        CrossEngineStore store = m.open();
        store.write(both(1));
        long coordinatorRecords = store.coordinator().wal().lastLsn();
        m.cold.failNext(FaultInjectingStorage.Op.FORCE);
        IOException failure = null;
        try {
            store.write(both(2));
        } catch (IOException e) {
            failure = e;
        }
        assertThat("the failed prepare reaches the caller", failure != null, is(true));
        assertThat(
                "the HOT participant, which had prepared, was told to abort",
                store.hot().inDoubt(),
                empty());
        assertThat(
                "the HOT participant's committed value stays", store.hot().get(hot(0)), equalTo(Optional.of(value(1))));
        assertThat(
                "presumed abort: no coordinator record for an aborted transaction",
                store.coordinator().wal().lastLsn(),
                equalTo(coordinatorRecords));
        m.powerLoss();
        CrossEngineStore recovered = m.open();
        assertThat(recovered.get(hot(0)), equalTo(Optional.of(value(1))));
        assertThat(recovered.get(cold(0)), equalTo(Optional.of(value(1))));
        assertThat(
                recovered.hot().inDoubt().isEmpty()
                        && recovered.cold().inDoubt().isEmpty(),
                is(true));
    }

    @Test
    @Graded(
            task = "T9",
            points = 3,
            concept = "when the decision's force fails, the coordinator aborts the participants although the "
                    + "DECISION may be on disk (the outcome is unknown: only recovery may decide it)")
    void aFailedDecisionLeavesTheParticipantsInDoubtAndRecoveryFollowsTheLog() throws IOException {
        for (CrashMode mode : new CrashMode[] {CrashMode.KEEP_UNSYNCED, CrashMode.LOSE_UNSYNCED}) {
            Machine m = new Machine(4, mode);
            CrossEngineStore store = m.open();
            store.write(both(1));
            m.coordinator.failNext(FaultInjectingStorage.Op.FORCE);
            long txId = -1;
            try {
                store.write(both(2));
            } catch (IOException e) {
                txId = store.coordinator().lastTxId();
            }
            assertThat(mode + ": the failed decision reaches the caller", txId, greaterThan(0L));
            assertThat(
                    mode + ": HOT participant still in doubt (not aborted)",
                    store.hot().inDoubt(),
                    contains(txId));
            assertThat(
                    mode + ": COLD participant still in doubt (not aborted)",
                    store.cold().inDoubt(),
                    contains(txId));
            m.powerLoss();
            CrossEngineStore recovered = m.open();
            Optional<Bytes> expected = Optional.of(mode == CrashMode.KEEP_UNSYNCED ? value(2) : value(1));
            String outcome = mode == CrashMode.KEEP_UNSYNCED
                    ? "the DECISION survived: committed"
                    : "the DECISION was lost: aborted";
            assertThat(mode + ": " + outcome + ", hot", recovered.get(hot(0)), equalTo(expected));
            assertThat(mode + ": " + outcome + ", cold", recovered.get(cold(0)), equalTo(expected));
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 4,
            concept = "recovery does not commit an in-doubt transaction whose DECISION is durable, aborts one "
                    + "without a decision wrongly, or does not write END once every participant committed")
    void recoveryCommitsDecidedTransactionsAbortsTheRestAndWritesEnd() throws IOException {
        Machine m = new Machine(5, CrashMode.LOSE_UNSYNCED);
        CrossEngineStore store = m.open();
        store.write(both(1));
        // A DECISION durable in the coordinator's log, the participants prepared, no COMMIT: the
        // coordinator crashed right after its commit point. Written by hand, as the protocol would.
        store.hot().prepare(10, List.of(Entry.put(hot(0), value(10))));
        store.cold().prepare(10, List.of(Entry.put(cold(0), value(10))));
        store.hot().prepare(11, List.of(Entry.put(hot(2), value(11))));
        store.cold().prepare(11, List.of(Entry.put(cold(2), value(11))));
        try (Wal wal = store.coordinator().wal()) {
            wal.commit(TxnRecord.decision(10, List.of(CrossEngineStore.HOT, CrossEngineStore.COLD))
                    .encode());
        }
        m.powerLoss();
        CrossEngineStore recovered = m.open();
        assertThat(
                "transaction 10 had a durable DECISION: committed, hot",
                recovered.get(hot(0)),
                equalTo(Optional.of(value(10))));
        assertThat(
                "transaction 10 had a durable DECISION: committed, cold",
                recovered.get(cold(0)),
                equalTo(Optional.of(value(10))));
        assertThat("transaction 11 had none: aborted, hot", recovered.get(hot(2)), equalTo(Optional.empty()));
        assertThat("transaction 11 had none: aborted, cold", recovered.get(cold(2)), equalTo(Optional.empty()));
        assertThat(
                recovered.hot().inDoubt().isEmpty()
                        && recovered.cold().inDoubt().isEmpty(),
                is(true));
        assertThat(
                "recovery forgot the decision",
                recovered.coordinator().pendingDecisions().isEmpty(),
                is(true));
        long[] types = new long[18];
        recovered
                .coordinator()
                .wal()
                .replay(
                        0,
                        (lsn, payload) -> types[
                                TxnRecord.decode(payload, "coordinator", lsn).type() == TxnRecord.Type.END
                                        ? 17
                                        : 16]++);
        assertThat("recovery wrote END after the participants committed", types[17], equalTo(2L));
        assertThat("and no other record: presumed abort logs nothing for transaction 11", types[16], equalTo(2L));
        assertThat("new ids start past every id seen", recovered.write(both(12)), greaterThan(11L));
    }

    @Test
    @Graded(
            task = "T9",
            points = 4,
            concept =
                    "a participant checkpoint truncates the log past the PREPARE of a transaction still in "
                            + "doubt (its writes are lost when the coordinator commits it), or loses the largest transaction id")
    void checkpointsKeepInDoubtPreparesAndTheLargestTransactionId() throws IOException {
        for (boolean btree : new boolean[] {true, false}) {
            for (boolean decideCommit : new boolean[] {true, false}) {
                FaultInjectingStorage storage = new FaultInjectingStorage(6).crashMode(CrashMode.RANDOM);
                Participant p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
                Bytes k = btree ? hot(0) : cold(0);
                Bytes other = btree ? hot(1) : cold(1);
                p.write(1, List.of(Entry.put(k, value(1))));
                p.prepare(2, List.of(Entry.put(k, value(2))));
                for (int t = 3; t < 80; t++) {
                    p.write(t, List.of(Entry.put(other, value(t))));
                    if (t % 7 == 0) {
                        p.checkpoint();
                    }
                }
                p.prepare(80, List.of(Entry.put(other, value(80))));
                p.checkpoint();
                String when = (btree ? "B+tree" : "LSM tree") + ", " + (decideCommit ? "commit" : "abort");
                assertThat(
                        when + ": the log rolled over many segments",
                        p.wal().segmentNames().size(),
                        greaterThan(3));
                storage.powerLoss();
                p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
                assertThat(when + ": both PREPAREs survived the checkpoints", p.inDoubt(), contains(2L, 80L));
                if (decideCommit) {
                    p.commit(2);
                } else {
                    p.abort(2);
                }
                p.checkpoint();
                storage.powerLoss();
                p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
                assertThat(
                        when + ": transaction 2's outcome",
                        p.get(k),
                        equalTo(Optional.of(value(decideCommit ? 2 : 1))));
                assertThat(when + ": transaction 80 still in doubt", p.inDoubt(), contains(80L));
                p.commit(80);
                p.checkpoint();
                assertThat(
                        when + ": nothing in doubt, the log truncated to its active segment",
                        p.wal().segmentNames().size(),
                        equalTo(1));
                storage.powerLoss();
                p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
                assertThat(when + ": transaction 80 committed", p.get(other), equalTo(Optional.of(value(80))));
                assertThat(when + ": the largest transaction id survives the truncated log", p.maxTxId(), equalTo(80L));
            }
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 2,
            concept = "a replay that starts before the checkpoint (a PREPARE was in doubt) re-applies some "
                    + "of what the checkpoint holds and not the rest, bringing an older value back")
    void aReplayFromAnInDoubtPrepareAppliesNothingTheCheckpointHolds() throws IOException {
        for (boolean btree : new boolean[] {true, false}) {
            FaultInjectingStorage storage = new FaultInjectingStorage(9).crashMode(CrashMode.LOSE_UNSYNCED);
            Participant p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
            Bytes k = btree ? hot(3) : cold(3);
            Bytes other = btree ? hot(4) : cold(4);
            p.prepare(1, List.of(Entry.put(other, value(1)))); // in doubt across the checkpoint
            p.prepare(2, List.of(Entry.put(k, value(2))));
            p.commit(2); // k = 2, by a COMMIT
            p.write(3, List.of(Entry.put(k, value(3)))); // k = 3, by a WRITE after it
            p.write(4, List.of(Entry.tombstone(k), Entry.put(k, value(4)), Entry.tombstone(k)));
            p.prepare(5, List.of(Entry.put(k, value(5))));
            p.commit(5); // k = 5
            p.checkpoint();
            storage.powerLoss();
            p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
            String engine = btree ? "B+tree: " : "LSM tree: ";
            assertThat(
                    engine + "the newest value, as the checkpoint holds it", p.get(k), equalTo(Optional.of(value(5))));
            assertThat(engine + "transaction 1 still in doubt", p.inDoubt(), contains(1L));
            p.write(6, List.of(Entry.tombstone(k)));
            p.checkpoint();
            storage.powerLoss();
            p = btree ? btreeParticipant(storage) : lsmParticipant(storage);
            assertThat(engine + "deleted after the second checkpoint", p.get(k), equalTo(Optional.empty()));
            assertThat(engine + "transaction 1 still in doubt", p.inDoubt(), contains(1L));
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 1,
            concept = "a participant checkpoint with nothing in doubt keeps log segments it no longer needs "
                    + "(the log should keep only the records after the covered LSN)")
    void aCheckpointWithNothingInDoubtKeepsOnlyTheActiveSegment() throws IOException {
        // One record per segment: every segment the checkpoint covers can go, and one kept too many shows.
        WalOptions onePerSegment = SMALL_SEGMENTS.withSegmentBytes(1);
        for (boolean btree : new boolean[] {true, false}) {
            FaultInjectingStorage storage = new FaultInjectingStorage(10).crashMode(CrashMode.LOSE_UNSYNCED);
            Participant p = btree ? btreeParticipant(storage, onePerSegment) : lsmParticipant(storage, onePerSegment);
            Bytes k = btree ? hot(5) : cold(5);
            for (int t = 1; t <= 6; t++) {
                p.write(t, List.of(Entry.put(k, value(t))));
            }
            p.prepare(7, List.of(Entry.put(k, value(7))));
            p.commit(7);
            String engineName = btree ? "B+tree: " : "LSM tree: ";
            assertThat(
                    engineName + "one segment per record before the checkpoint",
                    p.wal().segmentNames().size(),
                    greaterThan(6));
            p.checkpoint();
            assertThat(
                    engineName
                            + "after a checkpoint with nothing in doubt, only the segment of the last record is left",
                    p.wal().segmentNames(),
                    equalTo(List.of(String.format("%020d.wal", p.wal().lastLsn()))));
            p.close();
            p = btree ? btreeParticipant(storage, onePerSegment) : lsmParticipant(storage, onePerSegment);
            assertThat(engineName + "the value survives the truncation", p.get(k), equalTo(Optional.of(value(7))));
            assertThat(engineName + "and the largest transaction id", p.maxTxId(), equalTo(7L));
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 1,
            concept =
                    "when a prepare fails and the abort of a participant that prepared fails too, the "
                            + "abort's failure is lost (not attached to the exception the caller gets), or the transaction survives")
    void aFailedAbortAfterAFailedPrepareReachesTheCallerAndRecoveryStillAborts() throws IOException {
        WalOptions onePerSegment = SMALL_SEGMENTS.withSegmentBytes(1);
        FaultInjectingStorage hotStorage = new FaultInjectingStorage(11).crashMode(CrashMode.LOSE_UNSYNCED);
        FaultInjectingStorage coldStorage = new FaultInjectingStorage(12).crashMode(CrashMode.LOSE_UNSYNCED);
        FaultInjectingStorage coordinatorStorage = new FaultInjectingStorage(13).crashMode(CrashMode.LOSE_UNSYNCED);
        Participant hotP = btreeParticipant(hotStorage, onePerSegment);
        Participant coldP = lsmParticipant(coldStorage, onePerSegment);
        Coordinator coordinator = Coordinator.open(coordinatorStorage, SMALL_SEGMENTS, List.of(hotP, coldP));
        Map<String, List<Entry>> first = new LinkedHashMap<>();
        first.put(CrossEngineStore.HOT, List.of(Entry.put(hot(0), value(1))));
        first.put(CrossEngineStore.COLD, List.of(Entry.put(cold(0), value(1))));
        coordinator.commit(first);
        // The HOT participant prepares (one segment), the COLD one fails to force its PREPARE, and the
        // HOT participant's ABORT, which starts the next segment, fails to create it.
        long hotLast = hotP.wal().lastLsn();
        hotStorage.failNext(FaultInjectingStorage.Op.CREATE, String.format("%020d.wal", hotLast + 2));
        coldStorage.failNext(FaultInjectingStorage.Op.FORCE);
        Map<String, List<Entry>> second = new LinkedHashMap<>();
        second.put(CrossEngineStore.HOT, List.of(Entry.put(hot(0), value(2))));
        second.put(CrossEngineStore.COLD, List.of(Entry.put(cold(0), value(2))));
        IOException failure = null;
        try {
            coordinator.commit(second);
        } catch (IOException e) {
            failure = e;
        }
        assertThat("the failed prepare reaches the caller", failure != null, is(true));
        assertThat("the prepare's failure is the one thrown", failure.getMessage(), containsString("FORCE"));
        assertThat(
                "the failed abort is attached to it (addSuppressed), not lost",
                failure.getSuppressed().length,
                equalTo(1));
        assertThat("the failed abort's cause", failure.getSuppressed()[0].getMessage(), containsString("CREATE"));
        assertThat(
                "the HOT participant could not log its abort: still in doubt",
                hotP.inDoubt().size(),
                equalTo(1));
        hotStorage.powerLoss();
        coldStorage.powerLoss();
        coordinatorStorage.powerLoss();
        CrossEngineStore recovered = CrossEngineStore.open(
                hotStorage,
                coldStorage,
                coordinatorStorage,
                TxnWorkload.ROUTE,
                new CrossEngineStore.Options(
                        BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32),
                        LsmOptions.tiny(),
                        onePerSegment));
        assertThat("no DECISION: presumed abort, hot", recovered.get(hot(0)), equalTo(Optional.of(value(1))));
        assertThat("no DECISION: presumed abort, cold", recovered.get(cold(0)), equalTo(Optional.of(value(1))));
        assertThat(
                recovered.hot().inDoubt().isEmpty()
                        && recovered.cold().inDoubt().isEmpty(),
                is(true));
    }

    @Test
    @Graded(
            task = "T9",
            points = 3,
            concept = "a participant's recovery accepts a coordinator's record in its log, or a COMMIT after "
                    + "its checkpoint for a transaction it never prepared, instead of naming the corruption")
    void aParticipantLogWithForeignOrImpossibleRecordsIsCorruption() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(7);
        try (Wal wal = Wal.open(storage, SMALL_SEGMENTS)) {
            wal.commit(TxnRecord.write(1, List.of(Entry.put(cold(1), value(1)))).encode());
            wal.commit(TxnRecord.decision(2, List.of("cold")).encode());
        }
        try {
            lsmParticipant(storage);
            throw new AssertionError("a DECISION in a participant's log was accepted");
        } catch (CorruptionException e) {
            assertThat("the message names the log", e.getMessage(), containsString("mem:"));
        }
        FaultInjectingStorage other = new FaultInjectingStorage(8);
        try (Wal wal = Wal.open(other, SMALL_SEGMENTS)) {
            wal.commit(
                    TxnRecord.prepare(1, List.of(Entry.put(cold(1), value(1)))).encode());
            wal.commit(TxnRecord.commit(5).encode());
        }
        try {
            lsmParticipant(other);
            throw new AssertionError("a COMMIT of a transaction never prepared was accepted");
        } catch (CorruptionException e) {
            assertThat("the message names the log", e.getMessage(), containsString("mem:"));
        }
    }

    @Test
    @Graded(
            task = "T9",
            points = 5,
            concept =
                    "against a TreeMap, the cross-engine store returns a wrong value after random "
                            + "transactions, checkpoints, reopens, power losses and coordinator crashes between prepare and decision")
    void randomRunsWithCheckpointsReopensAndPowerLossesMatchATreeMap() throws IOException {
        for (int seed = 1; seed <= 4; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Machine m = new Machine(seed * 10L, CrashMode.values()[seed % 3]);
            CrossEngineStore store = m.open();
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            long lastId = 0;
            for (int step = 0; step < 200; step++) {
                String when = "seed " + seed + ", step " + step;
                int op = random.nextInt(100);
                if (op < 55) {
                    List<Entry> batch = new ArrayList<>();
                    for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                        Bytes k = random.nextBoolean() ? hot(random.nextInt(8)) : cold(random.nextInt(8));
                        batch.add(random.nextInt(5) == 0 ? Entry.tombstone(k) : Entry.put(k, value(step)));
                    }
                    long id = store.write(batch);
                    assertThat(when + ": transaction ids grow", id, greaterThan(lastId));
                    lastId = id;
                    for (Entry e : batch) {
                        if (e.isTombstone()) {
                            model.remove(e.key());
                        } else {
                            model.put(e.key(), e.value());
                        }
                    }
                } else if (op < 75) {
                    Bytes k = random.nextBoolean() ? hot(random.nextInt(8)) : cold(random.nextInt(8));
                    assertThat(when + ": get " + k, store.get(k), equalTo(Optional.ofNullable(model.get(k))));
                } else if (op < 83) {
                    store.checkpoint();
                } else if (op < 88) {
                    store.close();
                    store = m.open();
                } else if (op < 93) {
                    m.powerLoss(); // every acknowledged transaction was forced
                    store = m.open();
                } else {
                    // a coordinator that crashed after some prepares, before its decision
                    long id = lastId + 1 + random.nextInt(3);
                    if (random.nextBoolean()) {
                        store.hot().prepare(id, List.of(Entry.put(hot(random.nextInt(8)), Bytes.of("never"))));
                    }
                    store.cold().prepare(id, List.of(Entry.put(cold(random.nextInt(8)), Bytes.of("never"))));
                    if (random.nextBoolean()) {
                        store.hot().checkpoint();
                    }
                    m.powerLoss();
                    store = m.open();
                    lastId = Math.max(lastId, id);
                }
            }
            m.powerLoss();
            store = m.open();
            TreeMap<Bytes, Bytes> got = new TreeMap<>();
            try (EntryIterator it = store.scan(null, null)) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    got.put(e.key(), e.value());
                }
            }
            assertThat("seed " + seed + ": the whole store at the end", got, equalTo(model));
        }
    }
}
