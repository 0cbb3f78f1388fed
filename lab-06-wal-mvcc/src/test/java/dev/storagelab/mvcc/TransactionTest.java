package dev.storagelab.mvcc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** lab-06 T5: snapshot-isolation transactions: snapshots, read-your-writes, first committer wins, visibility. */
class TransactionTest {

    private final MemoryOrderedStore engine = new MemoryOrderedStore();
    private final MvccStore store = new MvccStore(engine);
    private final TransactionManager manager = new TransactionManager(store, CommitLog.NONE);

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private static List<String> drain(EntryIterator it) {
        List<String> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(e -> out.add(e.key().toUtf8() + "=" + e.value().toUtf8()));
        }
        return out;
    }

    private long commitOne(String key, String value) throws IOException {
        try (Transaction t = manager.begin()) {
            t.put(b(key), b(value));
            return t.commit();
        }
    }

    @Test
    void aTransactionReadsItsOwnWritesBeforeTheSnapshot() throws IOException {
        commitOne("a", "old");
        commitOne("b", "old");
        try (Transaction t = manager.begin()) {
            t.put(b("a"), b("mine"));
            t.delete(b("b"));
            t.put(b("c"), b("new"));
            assertThat(t.get(b("a")), equalTo(Optional.of(b("mine"))));
            assertThat("its own delete hides the committed value", t.get(b("b")), equalTo(Optional.empty()));
            assertThat(t.get(b("c")), equalTo(Optional.of(b("new"))));
            assertThat(
                    "a scan merges the write set with the snapshot",
                    drain(t.scan(null, null)),
                    contains("a=mine", "c=new"));
            try (Transaction other = manager.begin()) {
                assertThat("nobody else sees uncommitted writes", other.get(b("a")), equalTo(Optional.of(b("old"))));
            }
        }
    }

    @Test
    void aSnapshotDoesNotSeeLaterCommits() throws IOException {
        commitOne("k", "v1");
        try (Transaction reader = manager.begin()) {
            long ts = commitOne("k", "v2");
            assertThat("commit timestamps follow the reader's start", ts, equalTo(reader.startTs() + 1));
            assertThat(reader.get(b("k")), equalTo(Optional.of(b("v1"))));
            assertThat(drain(reader.scan(null, null)), contains("k=v1"));
        }
        try (Transaction later = manager.begin()) {
            assertThat(later.get(b("k")), equalTo(Optional.of(b("v2"))));
        }
    }

    @Test
    void theFirstCommitterWinsAndTheSecondAbortsNamingTheKey() throws IOException {
        commitOne("x", "0");
        Transaction t1 = manager.begin();
        Transaction t2 = manager.begin();
        t1.put(b("x"), b("1"));
        t2.put(b("x"), b("2"));
        t2.put(b("y"), b("2"));
        long ts1 = t1.commit();
        WriteConflictException e = assertThrows(WriteConflictException.class, t2::commit);
        assertThat(e.key(), equalTo(b("x")));
        assertThat(e.conflictingCommitTs(), equalTo(ts1));
        assertThat(e.startTs(), equalTo(t2.startTs()));
        assertThat(t2.state(), equalTo(Transaction.State.ABORTED));
        assertThrows(IllegalStateException.class, () -> t2.get(b("x")), "an aborted transaction is over");
        try (Transaction t = manager.begin()) {
            assertThat(t.get(b("x")), equalTo(Optional.of(b("1"))));
            assertThat("nothing of the aborted transaction is applied", t.get(b("y")), equalTo(Optional.empty()));
        }
        assertThat("no transaction is left active", manager.activeTransactions(), equalTo(0));
    }

    @Test
    void transactionsWritingDifferentKeysBothCommit() throws IOException {
        Transaction t1 = manager.begin();
        Transaction t2 = manager.begin();
        t1.put(b("a"), b("1"));
        t2.put(b("b"), b("2"));
        assertThat(t1.commit(), equalTo(1L));
        assertThat(t2.commit(), equalTo(2L));
        assertThat(manager.visibleTs(), equalTo(2L));
    }

    @Test
    void aReadOnlyTransactionCommitsWithoutATimestamp() throws IOException {
        commitOne("k", "v");
        Transaction t = manager.begin();
        t.get(b("k"));
        assertThat(t.commit(), equalTo(t.startTs()));
        assertThat(manager.visibleTs(), equalTo(1L));
        assertThat(t.state(), equalTo(Transaction.State.COMMITTED));
    }

    @Test
    void theVisibleTimestampAdvancesOnlyOverContiguousCommits() throws IOException {
        TimestampOracle oracle = new TimestampOracle(10);
        long start = oracle.begin();
        long first = oracle.validateAndAssign(start, Set.of(b("a")), null);
        long second = oracle.validateAndAssign(start, Set.of(b("b")), null);
        assertThat(first, equalTo(11L));
        assertThat(second, equalTo(12L));
        oracle.markFinished(second);
        assertThat(
                "12 is applied but 11 is not: a reader must not see 12 without 11", oracle.visibleTs(), equalTo(10L));
        oracle.markFinished(first);
        assertThat(oracle.visibleTs(), equalTo(12L));
    }

    @Test
    void aCommitValidatedButNotYetAppliedStillConflicts() throws IOException {
        TimestampOracle oracle = new TimestampOracle(0);
        long t1 = oracle.begin();
        long t2 = oracle.begin();
        oracle.validateAndAssign(t1, Set.of(b("k")), null); // assigned 1, not applied: the store does not show it
        WriteConflictException e = assertThrows(
                WriteConflictException.class, () -> oracle.validateAndAssign(t2, Set.of(b("j"), b("k")), null));
        assertThat(e.key(), equalTo(b("k")));
    }

    @Test
    void writeSkewHappensUnderSnapshotIsolation() throws IOException {
        // Two doctors on call; each may go off call if the other is still on. Both check, both go off.
        commitOne("alice", "on");
        commitOne("bob", "on");
        Transaction t1 = manager.begin();
        Transaction t2 = manager.begin();
        assertThat(t1.get(b("bob")), equalTo(Optional.of(b("on"))));
        t1.put(b("alice"), b("off"));
        assertThat(t2.get(b("alice")), equalTo(Optional.of(b("on"))));
        t2.put(b("bob"), b("off"));
        t1.commit();
        t2.commit(); // disjoint write sets: snapshot isolation lets both commit
        try (Transaction t = manager.begin()) {
            assertThat("write skew: nobody is on call", drain(t.scan(null, null)), contains("alice=off", "bob=off"));
        }
    }

    @Test
    void aFailedLogWriteAbortsAndTheManagerRefusesLaterCommits() throws IOException {
        List<Long> logged = new ArrayList<>();
        boolean[] fail = {false};
        TransactionManager m = new TransactionManager(store, (ts, writes) -> {
            if (fail[0]) {
                throw new IOException("disk full");
            }
            logged.add(ts);
        });
        Transaction ok = m.begin();
        ok.put(b("k"), b("1"));
        ok.commit();
        fail[0] = true;
        Transaction bad = m.begin();
        bad.put(b("k"), b("2"));
        assertThrows(IOException.class, bad::commit);
        assertThat(bad.state(), equalTo(Transaction.State.ABORTED));
        assertThat(m.refusesCommits(), is(true));
        fail[0] = false;
        Transaction after = m.begin();
        after.put(b("j"), b("3"));
        assertThrows(IOException.class, after::commit, "after a failed log write every commit is refused");
        assertThat(logged, contains(1L));
        try (Transaction t = m.begin()) {
            assertThat("the failed commit was not applied", t.get(b("k")), equalTo(Optional.of(b("1"))));
        }
    }

    @Test
    void theLogSeesEveryCommitWithItsTimestampBeforeItIsVisible() throws IOException {
        List<String> logged = new ArrayList<>();
        TransactionManager[] self = new TransactionManager[1];
        self[0] = new TransactionManager(store, (ts, writes) -> {
            assertThat("not visible while it is being logged", self[0].visibleTs(), equalTo(ts - 1));
            logged.add(ts + ":" + writes);
        });
        try (Transaction t = self[0].begin()) {
            t.put(b("b"), b("2"));
            t.put(b("a"), b("1"));
            t.delete(b("c"));
            t.commit();
        }
        assertThat(
                logged,
                contains(
                        "1:" + List.of(Entry.put(b("a"), b("1")), Entry.put(b("b"), b("2")), Entry.tombstone(b("c")))));
    }

    @Test
    void theClockResumesAfterTheRecoveredCommitTimestamp() throws IOException {
        store.write(41, List.of(Entry.put(b("k"), b("recovered"))));
        TransactionManager m = new TransactionManager(
                store, CommitLog.NONE, TransactionManager.Options.defaults().withLastCommitTs(41));
        try (Transaction t = m.begin()) {
            assertThat(t.startTs(), equalTo(41L));
            assertThat(t.get(b("k")), equalTo(Optional.of(b("recovered"))));
            t.put(b("k"), b("next"));
            assertThat(t.commit(), equalTo(42L));
        }
    }

    @Test
    void closeAbortsAnActiveTransaction() throws IOException {
        Transaction t = manager.begin();
        t.put(b("k"), b("v"));
        t.close();
        assertThat(t.state(), equalTo(Transaction.State.ABORTED));
        assertThat(manager.activeTransactions(), equalTo(0));
        try (Transaction r = manager.begin()) {
            assertThat(drain(r.scan(null, null)), empty());
        }
    }
}
