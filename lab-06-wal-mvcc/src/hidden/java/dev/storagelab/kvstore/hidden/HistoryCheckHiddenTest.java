package dev.storagelab.kvstore.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.mvcc.CommitLog;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.TransactionManager;
import dev.storagelab.mvcc.check.History;
import dev.storagelab.mvcc.check.HistoryChecker;
import dev.storagelab.mvcc.check.HistoryRunner;
import dev.storagelab.mvcc.check.IsolationLevel;
import dev.storagelab.mvcc.check.Report;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The transaction-history checker over the students' transactions: 30 random concurrent
 * list-append runs over the transaction manager in memory, and runs over KvStore on both engines
 * with checkpoints and garbage collection going on. Under snapshot isolation the checker must find
 * nothing that snapshot isolation forbids (it may find write skew, G2, which it allows), with real
 * time: a transaction that begins after another committed sees it.
 */
@Tag("hidden")
class HistoryCheckHiddenTest {

    private static void assertSnapshotIsolation(Report report, String run) {
        assertThat(
                run + ": every transaction's outcome is known (no exception but conflicts)\n" + report,
                report.indeterminate(),
                empty());
        assertThat(
                run + ": the history has nothing strong snapshot isolation forbids\n" + report,
                report.allowedUnder(IsolationLevel.STRONG_SNAPSHOT_ISOLATION),
                is(true));
    }

    @Test
    @Graded(
            task = "T5",
            points = 6,
            concept = "random concurrent transactions show an anomaly snapshot isolation forbids (lost "
                    + "update, dirty or intermediate read, read skew, a stale snapshot, a write cycle)")
    void thirtyRandomRunsOverTheTransactionManagerShowNothingSnapshotIsolationForbids() {
        // 30 runs, not 100: the checker's work grows with each run, and on a busy machine a hundred
        // outlasted the grader's per-test deadline; the planted anomalies show within the first few.
        long committed = 0;
        for (long seed = 1; seed <= 30; seed++) {
            TransactionManager tm = new TransactionManager(new MvccStore(new MemoryOrderedStore()), CommitLog.NONE);
            History h = HistoryRunner.run(tm, 6, 40, 3, seed);
            Report r = HistoryChecker.checkRealtime(h);
            assertSnapshotIsolation(r, "seed " + seed);
            committed += h.count(dev.storagelab.mvcc.check.Txn.Status.COMMITTED);
            tm.close();
        }
        assertThat("the runs committed transactions", committed, greaterThan(1_500L));
    }

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "transactions through the crash-safe store (log, checkpoints, garbage collection) "
                    + "show an anomaly snapshot isolation forbids")
    void runsOverTheKeyValueStoreOnBothEnginesShowNothingSnapshotIsolationForbids() throws IOException {
        for (KvOptions.EngineKind engine : KvOptions.EngineKind.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                FaultInjectingStorage storage = new FaultInjectingStorage(seed);
                KvOptions options = KvOptions.defaults()
                        .withEngine(engine)
                        .withCheckpointLogBytes(16 << 10)
                        .withGcInterval(Duration.ofMillis(5))
                        .withBtree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32))
                        .withLsm(LsmOptions.tiny());
                try (KvStore store = KvStore.open(storage, options)) {
                    Report r = HistoryChecker.checkRealtime(HistoryRunner.run(store, 6, 60, 3, seed));
                    assertSnapshotIsolation(r, engine + " seed " + seed);
                }
            }
        }
    }
}
