package dev.storagelab.mvcc.check;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.NotImplementedException;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.ForwardingTransaction;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import dev.storagelab.mvcc.check.Anomaly.Type;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The runner and the checker together over toy stores whose isolation level is known (see
 * {@link ToyStores}): a serial store shows nothing, a read-committed one loses updates, a dirty one
 * exposes uncommitted state, and snapshot isolation shows write skew and nothing it forbids.
 * Whether an anomaly shows up depends on how the threads interleave, so the tests that expect one
 * look across seeds; the ones that expect none check every seed.
 */
class HistoryRunnerTest {

    private static final int SEEDS = 20;

    @Test
    void aSerialStoreShowsNoAnomalyAcrossSeeds() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            History h = HistoryRunner.run(new ToyStores.SerialStore(), 4, 30, 3, seed);
            Report r = HistoryChecker.check(h);
            assertThat("seed " + seed + ":\n" + r, r.isClean(), is(true));
            assertThat(
                    "a lock-everything store never aborts: " + h.summary(),
                    h.count(Txn.Status.COMMITTED),
                    equalTo(121));
        }
    }

    @Test
    void aReadCommittedStoreLosesUpdates() {
        Set<Type> seen = EnumSet.noneOf(Type.class);
        for (long seed = 1; seed <= SEEDS; seed++) {
            Report r = HistoryChecker.check(HistoryRunner.run(new ToyStores.ReadCommittedStore(), 4, 50, 2, seed));
            seen.addAll(r.types());
            assertThat(
                    "seed " + seed + ": read committed's own guarantees hold:\n" + r,
                    r.allowedUnder(IsolationLevel.READ_COMMITTED),
                    is(true));
        }
        assertThat(
                "read-modify-writes with no conflict check must lose updates or skew reads somewhere in " + SEEDS
                        + " runs; seen: " + seen,
                seen.contains(Type.LOST_UPDATE) || seen.contains(Type.G_SINGLE),
                is(true));
    }

    @Test
    void aStoreThatExposesUncommittedWritesShowsAbortedAndIntermediateReads() {
        Set<Type> seen = EnumSet.noneOf(Type.class);
        for (long seed = 1; seed <= SEEDS && !seen.containsAll(EnumSet.of(Type.G1A, Type.G1B)); seed++) {
            Report r = HistoryChecker.check(HistoryRunner.run(new ToyStores.DirtyStore(seed, 4), 4, 50, 3, seed));
            seen.addAll(r.types());
        }
        assertThat("seen: " + seen, seen.containsAll(EnumSet.of(Type.G1A, Type.G1B)), is(true));
    }

    @Test
    void snapshotIsolationShowsWriteSkewAndNothingItForbids() {
        Set<Type> seen = EnumSet.noneOf(Type.class);
        long aborted = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            History h = HistoryRunner.run(new ToyStores.SnapshotStore(), 4, 50, 2, seed);
            Report r = HistoryChecker.check(h);
            assertThat(
                    "seed " + seed + ": snapshot isolation forbids these:\n" + r,
                    r.forbiddenUnder(IsolationLevel.SNAPSHOT_ISOLATION),
                    hasSize(0));
            aborted += h.count(Txn.Status.ABORTED);
            seen.addAll(r.types());
        }
        // Across the runs, not in each: whether one run's threads overlap at all is the scheduler's
        // choice (on a quiet machine one thread can finish its 50 transactions before the next starts).
        assertThat("first committer wins aborts some transactions across " + SEEDS + " runs", aborted, greaterThan(0L));
        assertThat("write skew, and only write skew, across " + SEEDS + " runs", seen, equalTo(EnumSet.of(Type.G2)));
    }

    @Test
    void inRealTimeSnapshotIsolationThatBeginsAtTheNewestCommitIsStrong() {
        for (long seed = 1; seed <= 10; seed++) {
            Report r = HistoryChecker.checkRealtime(HistoryRunner.run(new ToyStores.SnapshotStore(), 4, 50, 2, seed));
            assertThat("seed " + seed + ":\n" + r, r.allowedUnder(IsolationLevel.STRONG_SNAPSHOT_ISOLATION), is(true));
        }
    }

    @Test
    void inRealTimeASnapshotBehindTheNewestCommitIsAStaleRead() {
        Set<Type> seen = EnumSet.noneOf(Type.class);
        for (long seed = 1; seed <= SEEDS && !(seed > 5 && seen.contains(Type.G_SINGLE_REALTIME)); seed++) {
            Report r = HistoryChecker.checkRealtime(HistoryRunner.run(new ToyStores.SnapshotStore(2), 4, 50, 2, seed));
            assertThat(
                    "seed " + seed + ": still snapshot isolation:\n" + r,
                    r.allowedUnder(IsolationLevel.SNAPSHOT_ISOLATION),
                    is(true));
            seen.addAll(r.types());
        }
        assertThat("seen: " + seen, seen.contains(Type.G_SINGLE_REALTIME), is(true));
    }

    @Test
    void inRealTimeASerialStoreIsStrictlySerializable() {
        for (long seed = 1; seed <= 5; seed++) {
            Report r = HistoryChecker.checkRealtime(HistoryRunner.run(new ToyStores.SerialStore(), 4, 30, 3, seed));
            assertThat("seed " + seed + ":\n" + r, r.allowedUnder(IsolationLevel.STRICT_SERIALIZABLE), is(true));
        }
    }

    @Test
    void sixteenThreadsOfFiveHundredTransactionsUnderSnapshotIsolation() {
        History h = HistoryRunner.run(new ToyStores.SnapshotStore(), 16, 500, 8, 7);
        assertThat(h.transactions(), hasSize(16 * 500 + 1));
        Report r = HistoryChecker.checkRealtime(h);
        assertThat(r.toString(), r.allowedUnder(IsolationLevel.STRONG_SNAPSHOT_ISOLATION), is(true));
    }

    @Test
    void theHistoryRecordsEachAppendAsAReadThenTheAppend() {
        History h = HistoryRunner.run(
                new ToyStores.SerialStore(), 1, 30, new HistoryRunner.Workload(2, 3, 0.0, 0, true), 5);
        for (Txn t : h.transactions().subList(0, 30)) {
            assertThat(t.toString(), t.ops().size() % 2, equalTo(0));
            for (int i = 0; i < t.ops().size(); i += 2) {
                assertThat(t.ops().get(i), org.hamcrest.Matchers.instanceOf(MicroOp.Read.class));
                assertThat(t.ops().get(i + 1), org.hamcrest.Matchers.instanceOf(MicroOp.Append.class));
                assertThat(t.ops().get(i).key(), equalTo(t.ops().get(i + 1).key()));
            }
        }
        Txn last = h.transactions().get(30);
        assertThat("the final read is the last transaction and reads every key", last.id(), equalTo(31));
        assertThat(last.ops().stream().map(MicroOp::key).toList(), equalTo(List.of("k0", "k1")));
        long appends = h.transactions().stream()
                .flatMap(t -> t.ops().stream())
                .filter(o -> o instanceof MicroOp.Append)
                .count();
        long finalElements = last.ops().stream()
                .mapToLong(o -> ((MicroOp.Read) o).value().size())
                .sum();
        assertThat("every committed append is in the final read", finalElements, equalTo(appends));
    }

    @Test
    void oneThreadWithOneSeedRecordsTheSameHistoryTwice() {
        History a = HistoryRunner.run(new ToyStores.SerialStore(), 1, 40, 3, 11);
        History b = HistoryRunner.run(new ToyStores.SerialStore(), 1, 40, 3, 11);
        assertThat(a.toString(), equalTo(b.toString()));
        History c = HistoryRunner.run(new ToyStores.SerialStore(), 1, 40, 3, 12);
        assertThat("another seed, other transactions", c.toString().equals(a.toString()), is(false));
    }

    @Test
    void conflictsAreAbortsAndOtherExceptionsAreUnknownOutcomes() {
        AtomicInteger commits = new AtomicInteger();
        TransactionalStore inner = new ToyStores.SerialStore();
        TransactionalStore store = () -> {
            Transaction tx = inner.begin();
            return new ForwardingTransaction(tx) {
                @Override
                public long commit() throws IOException {
                    switch (commits.incrementAndGet() % 3) {
                        case 1:
                            tx.abort();
                            throw new ConflictException(Bytes.of("k0"), "conflict on k0");
                        case 2:
                            tx.abort();
                            throw new IOException("disk on fire");
                        default:
                            return tx.commit();
                    }
                }
            };
        };
        History h = HistoryRunner.run(store, 1, 30, new HistoryRunner.Workload(2, 4, 0.5, 32, false), 3);
        assertThat(h.count(Txn.Status.ABORTED), equalTo(10));
        assertThat(h.count(Txn.Status.UNKNOWN), equalTo(10));
        assertThat(
                h.withStatus(Txn.Status.UNKNOWN).stream().map(Txn::error).toList(),
                everyItem(equalTo("IOException: disk on fire")));
        assertThat(h.withStatus(Txn.Status.ABORTED).get(0).error(), startsWith("ConflictException: conflict on k0"));
        Report r = HistoryChecker.check(h);
        assertThat(r.toString(), r.isClean(), is(true));
        assertThat(r.toString(), containsString("10 transactions ended with an unexpected exception"));
    }

    @Test
    void aValueThatIsNotAListEndsItsTransactionAsUnknownWithTheBytes() {
        TransactionalStore inner = new ToyStores.SerialStore();
        History h = HistoryRunner.run(
                () -> {
                    Transaction tx = inner.begin();
                    tx.put(Bytes.of("k0"), Bytes.of("1,x"));
                    return tx;
                },
                1,
                3,
                1,
                1);
        assertThat(h.count(Txn.Status.UNKNOWN), equalTo(4));
        assertThat(h.transactions().get(0).error(), containsString("key k0 holds \"1,x\", which is not a list"));
    }

    @Test
    void valuesAreCommaSeparatedNumbers() {
        assertThat(HistoryRunner.encode(List.of(3L, 17L, 42L)), equalTo(Bytes.of("3,17,42")));
        assertThat(HistoryRunner.decode("k", Optional.of(Bytes.of("3,17,42"))), equalTo(List.of(3L, 17L, 42L)));
        assertThat(HistoryRunner.decode("k", Optional.empty()), equalTo(List.of()));
        assertThat(HistoryRunner.decode("k", Optional.of(Bytes.EMPTY)), equalTo(List.of()));
        assertThrows(IllegalStateException.class, () -> HistoryRunner.decode("k", Optional.of(Bytes.of("3,,4"))));
    }

    @Test
    void aThreadKilledByAnErrorFailsTheRun() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> HistoryRunner.run(
                        () -> {
                            throw new AssertionError("begin is broken");
                        },
                        2,
                        5,
                        2,
                        1));
        assertThat(e.getMessage(), containsString("a history thread died"));
        assertThat(e.getMessage(), containsString("begin is broken"));
    }

    @Test
    void anUnwrittenStoreEndsTheRunWithItsNotImplementedException() {
        NotImplementedException e = assertThrows(
                NotImplementedException.class,
                () -> HistoryRunner.run(
                        () -> {
                            throw new NotImplementedException(
                                    "lab-06", "T5", "TransactionManager.begin", "lab-06-wal-mvcc/README.md#t5");
                        },
                        2,
                        5,
                        2,
                        1));
        assertThat(
                e.getMessage(),
                equalTo("lab-06 T5 TransactionManager.begin is not implemented yet (lab-06-wal-mvcc/README.md#t5)"));
    }

    @Test
    void workloadsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new HistoryRunner.Workload(0, 4, 0.5, 32, true));
        assertThrows(IllegalArgumentException.class, () -> new HistoryRunner.Workload(2, 0, 0.5, 32, true));
        assertThrows(IllegalArgumentException.class, () -> new HistoryRunner.Workload(2, 4, 1.5, 32, true));
        assertThat(HistoryRunner.Workload.listAppend(3).maxOpsPerTxn(), lessThanOrEqualTo(4));
    }
}
