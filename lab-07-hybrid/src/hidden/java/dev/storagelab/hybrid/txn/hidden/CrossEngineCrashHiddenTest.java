package dev.storagelab.hybrid.txn.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.hybrid.txn.CrashSweep;
import dev.storagelab.hybrid.txn.TxnWorkload;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-07 T9, failure mode 5: a power loss before every file operation of a run of
 * transactions across the B+tree and the LSM tree (and one-engine ones, deletes, checkpoints), in
 * the HOT participant's log and files, the COLD one's, and the coordinator's log, which share one
 * crash counter; crashes during recovery, recovered again; and the naive store, which writes to each
 * engine in turn, shown losing atomicity in the same sweep.
 */
@Tag("hidden")
class CrossEngineCrashHiddenTest {

    private static void report(String what, CrashSweep.Result r) {
        System.out.println("[2pc crash sweep] " + what + ": " + r.points + " crash points (hot " + r.perView[0]
                + ", cold " + r.perView[1] + ", coordinator " + r.perView[2] + "), " + r.recoveryPoints
                + " crashes during recovery");
    }

    private static void bothParticipantsAndTheCoordinator(CrashSweep.Result r) {
        assertThat("crash points in the HOT participant", r.perView[0], greaterThan(20L));
        assertThat("crash points in the COLD participant", r.perView[1], greaterThan(20L));
        assertThat("crash points in the coordinator", r.perView[2], greaterThan(10L));
    }

    @Test
    @Graded(
            task = "T9",
            points = 8,
            concept =
                    "after a power loss at some step of prepare, decision, commit or checkpoint (unforced "
                            + "state lost), a transaction is visible in one engine and not the other, or an acknowledged one is lost")
    void aPowerLossBeforeEveryFileOperationLeavesEveryTransactionWholeOrAbsent() throws IOException {
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(36, 21, 9), CrashMode.LOSE_UNSYNCED, 1, 0, 0);
        bothParticipantsAndTheCoordinator(r);
        report("LOSE_UNSYNCED, every point", r);
    }

    @Test
    @Graded(
            task = "T9",
            points = 6,
            concept =
                    "after a power loss that keeps a random part of the unforced state (torn log tails, "
                            + "unforced ABORT and END records kept or lost), a transaction is half visible or an acknowledged one is lost")
    void aPowerLossThatKeepsPartOfTheUnforcedStateLeavesEveryTransactionWholeOrAbsent() throws IOException {
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(24, 22, 8), CrashMode.RANDOM, 2, 0, 0);
        r.add(CrashSweep.sweep(() -> new TxnWorkload(24, 22, 8), CrashMode.KEEP_UNSYNCED, 2, 1, 0));
        bothParticipantsAndTheCoordinator(r);
        report("RANDOM at odd points, KEEP_UNSYNCED at even ones", r);
    }

    @Test
    @Graded(
            task = "T9",
            points = 6,
            concept = "a crash during recovery (while it commits or aborts in-doubt transactions or writes "
                    + "END) leaves a transaction half visible after the next recovery: recovery is not idempotent")
    void aCrashDuringRecoveryThenRecoveryAgainLeavesEveryTransactionWholeOrAbsent() throws IOException {
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(12, 24, 5), CrashMode.LOSE_UNSYNCED, 2, 0, 6);
        r.add(CrashSweep.sweep(() -> new TxnWorkload(12, 25, 5), CrashMode.RANDOM, 3, 1, 6));
        assertThat("crashes during recovery", r.recoveryPoints, greaterThan(200L));
        report("crashed recoveries", r);
    }

    @Test
    @Graded(
            task = "T9",
            points = 4,
            concept = "the two-phase-commit store is not atomic in the sweep that shows the naive store "
                    + "(each engine written in turn, no coordinator) leaving half a transaction")
    void theNaiveStoreLeavesHalfATransactionWhereTwoPhaseCommitLeavesNone() throws IOException {
        CrashSweep.Result naive = CrashSweep.sweepNaive(() -> new TxnWorkload(20, 26, 0), CrashMode.LOSE_UNSYNCED, 1);
        assertThat(
                "crash points where the naive store kept one engine's share and lost the other's (failure mode 5)",
                naive.broken,
                greaterThan(10L));
        System.out.println("[2pc crash sweep] naive store: " + naive.broken + " of " + naive.points
                + " crash points leave half a transaction");
        CrashSweep.Result r = CrashSweep.sweep(() -> new TxnWorkload(20, 26, 0), CrashMode.LOSE_UNSYNCED, 1, 0, 0);
        assertThat("the same sweep over two-phase commit: every point checked", r.points, equalTo(r.total));
        report("the naive store's workload", r);
    }
}
