package dev.storagelab.mvcc.hidden;

import static dev.storagelab.mvcc.hidden.Engines.drain;
import static dev.storagelab.mvcc.hidden.Engines.key;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.mvcc.CommitLog;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionManager;
import dev.storagelab.mvcc.WriteConflictException;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of snapshot-isolation transactions (lab-06 T5): lost updates, read-your-writes
 * against a model, snapshot stability and the bank invariant under concurrent commits over the
 * three engines, contiguous visibility and conflicts with commits not yet applied (a log that holds
 * a commit back), write skew under SI, log and apply failures, the resumed clock, and the oracle
 * forgetting old commits.
 */
@Tag("hidden")
class TransactionHiddenTest {

    private static final long BOUND = TestThreads.LIVENESS_BOUND_SECONDS;

    /** A log that holds each commit for a random few microseconds: commits finish out of timestamp order. */
    private static final CommitLog JITTER = (ts, writes) -> {
        if (ThreadLocalRandom.current().nextBoolean()) {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(1, 30_000));
        }
    };

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(BOUND, TimeUnit.SECONDS)) {
                throw new AssertionError("a latch was not released within " + BOUND + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for {@code latch}, failing at once with the thread's failure if a thread it waits for died. */
    private static void await(CountDownLatch latch, List<Throwable> failures) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND);
        while (!latch.await(1, TimeUnit.MILLISECONDS)) {
            check(failures);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a latch was not released within " + BOUND + " s");
            }
        }
    }

    private static void check(List<Throwable> failures) {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed; the first: " + failures.get(0));
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    // ------------------------------------------------------------------ lost update

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "a lost update: two transactions that read and write the same key both commit (first "
                    + "committer wins is not enforced), alone or under concurrency")
    void concurrentIncrementsNeverLoseAnUpdate() throws Exception {
        TransactionManager m = new TransactionManager(new MvccStore(new MemoryOrderedStore()), JITTER);
        try (Transaction t = m.begin()) {
            t.put(b("counter"), b("0"));
            t.commit();
        }
        Transaction t1 = m.begin();
        Transaction t2 = m.begin();
        t1.put(
                b("counter"),
                b(Integer.parseInt(t1.get(b("counter")).orElseThrow().toUtf8()) + 1 + ""));
        t2.put(
                b("counter"),
                b(Integer.parseInt(t2.get(b("counter")).orElseThrow().toUtf8()) + 1 + ""));
        t1.commit();
        assertThrows(WriteConflictException.class, t2::commit);

        int threads = 8;
        int each = 40;
        AtomicInteger conflicts = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        TestThreads.runAll(
                threads,
                i -> {
                    for (int n = 0; n < each; n++) {
                        while (true) {
                            try (Transaction t = m.begin()) {
                                int v = Integer.parseInt(
                                        t.get(b("counter")).orElseThrow().toUtf8());
                                LockSupport.parkNanos(
                                        ThreadLocalRandom.current().nextInt(1, 20_000));
                                t.put(b("counter"), b(String.valueOf(v + 1)));
                                t.commit();
                                break;
                            } catch (ConflictException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                },
                failures);
        check(failures);
        try (Transaction t = m.begin()) {
            assertThat(
                    "every committed increment counts",
                    t.get(b("counter")),
                    equalTo(Optional.of(b(String.valueOf(1 + threads * each)))));
        }
        assertThat("the threads overlapped, so some increments had to retry", conflicts.get(), greaterThan(0));
    }

    // ------------------------------------------------------------------ read your writes

    /** One step inside a transaction: put (value >= 0), delete (value < 0), or read everything (key < 0). */
    record Step(int key, int value) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(
                        Arbitraries.integers().between(-1, 9),
                        Arbitraries.integers().between(-1, 99))
                .as(Step::new)
                .list()
                .ofMaxSize(40);
    }

    @Property(tries = 100)
    @Graded(
            task = "T5",
            points = 2,
            concept = "a transaction does not read its own writes (get or scan), or its own delete does not hide "
                    + "the snapshot's value, or its uncommitted writes leak to another transaction")
    void aTransactionReadsItsWritesOverItsSnapshot(@ForAll("steps") List<Step> steps) throws IOException {
        TransactionManager m = new TransactionManager(new MvccStore(new MemoryOrderedStore()), CommitLog.NONE);
        TreeMap<Bytes, Bytes> committed = new TreeMap<>();
        try (Transaction setup = m.begin()) {
            for (int k = 0; k < 10; k += 2) {
                setup.put(key(k), b("c" + k));
                committed.put(key(k), b("c" + k));
            }
            setup.commit();
        }
        TreeMap<Bytes, Bytes> model = new TreeMap<>(committed);
        try (Transaction t = m.begin();
                Transaction other = m.begin()) {
            for (Step s : steps) {
                if (s.key() < 0) {
                    assertThat(drain(t.scan(null, null)), equalTo(entries(model)));
                    assertThat(
                            "a range scan",
                            drain(t.scan(key(2), key(7))),
                            equalTo(entries(model.subMap(key(2), key(7)))));
                    assertThat(
                            "the other transaction sees only the committed state",
                            drain(other.scan(null, null)),
                            equalTo(entries(committed)));
                } else if (s.value() >= 0) {
                    t.put(key(s.key()), b("t" + s.value()));
                    model.put(key(s.key()), b("t" + s.value()));
                } else {
                    t.delete(key(s.key()));
                    model.remove(key(s.key()));
                }
                for (int k = 0; k < 10; k++) {
                    assertThat("get " + key(k), t.get(key(k)), equalTo(Optional.ofNullable(model.get(key(k)))));
                }
            }
            assertThat(drain(t.scan(null, null)), equalTo(entries(model)));
            t.commit();
        }
        try (Transaction after = m.begin()) {
            assertThat(
                    "the commit installs exactly the transaction's view",
                    drain(after.scan(null, null)),
                    equalTo(entries(model)));
        }
    }

    private static List<Entry> entries(Map<Bytes, Bytes> map) {
        List<Entry> out = new ArrayList<>();
        map.forEach((k, v) -> out.add(Entry.put(k, v)));
        return out;
    }

    // ------------------------------------------------------------------ snapshots under concurrency

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "a long-running transaction's snapshot changes while other transactions commit (it sees "
                    + "a later commit, by get or by scan)")
    void aLongReaderSeesTheSameSnapshotThroughout() throws Exception {
        for (Engines.Kind kind : Engines.Kind.values()) {
            try (OrderedStore engine = Engines.open(kind)) {
                TransactionManager m = new TransactionManager(new MvccStore(engine), JITTER);
                int keys = 24;
                try (Transaction setup = m.begin()) {
                    for (int k = 0; k < keys; k++) {
                        setup.put(key(k), b("initial" + k));
                    }
                    setup.commit();
                }
                Transaction reader = m.begin();
                List<Entry> first = drain(reader.scan(null, null));
                AtomicBoolean done = new AtomicBoolean();
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                List<Thread> writers = TestThreads.startTogether(
                        3,
                        "writer",
                        w -> {
                            try {
                                for (int n = 0; n < 60; n++) {
                                    try (Transaction t = m.begin()) {
                                        int k = ThreadLocalRandom.current().nextInt(keys);
                                        t.put(key(k), b("w" + w + "." + n));
                                        if (n % 7 == 0) {
                                            t.delete(key((k + 1) % keys));
                                        }
                                        t.commit();
                                    } catch (ConflictException e) {
                                        // another writer won; fine
                                    }
                                }
                            } finally {
                                done.set(true);
                            }
                        },
                        failures);
                int rounds = 0;
                while (!done.get() || rounds < 3) {
                    rounds++;
                    assertThat(
                            kind + ": the reader's scan, round " + rounds,
                            drain(reader.scan(null, null)),
                            equalTo(first));
                    int k = rounds % keys;
                    assertThat(kind + ": the reader's get", reader.get(key(k)), equalTo(Optional.of(b("initial" + k))));
                }
                TestThreads.joinAll(writers);
                check(failures);
                assertThat(drain(reader.scan(null, null)), equalTo(first));
                reader.close();
                try (Transaction t = m.begin()) {
                    assertThat(
                            "the writers changed something",
                            drain(t.scan(null, null)).equals(first),
                            is(false));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 4,
            concept = "a reader sees part of a multi-key commit, or a later commit without an earlier one: the "
                    + "bank's total changes under concurrent transfers")
    void theBankTotalNeverChangesUnderConcurrentTransfers() throws Exception {
        for (Engines.Kind kind : Engines.Kind.values()) {
            try (OrderedStore engine = Engines.open(kind)) {
                TransactionManager m = new TransactionManager(new MvccStore(engine), JITTER);
                int accounts = 16;
                try (Transaction setup = m.begin()) {
                    for (int a = 0; a < accounts; a++) {
                        setup.put(key(a), b("100"));
                    }
                    setup.commit();
                }
                AtomicInteger transfersLeft = new AtomicInteger(6);
                AtomicLong audits = new AtomicLong();
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                TestThreads.runAll(
                        8,
                        thread -> {
                            ThreadLocalRandom random = ThreadLocalRandom.current();
                            if (thread < 6) {
                                try {
                                    for (int n = 0; n < 120; n++) {
                                        int from = random.nextInt(accounts);
                                        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                                        try (Transaction t = m.begin()) {
                                            int x = Integer.parseInt(t.get(key(from))
                                                    .orElseThrow()
                                                    .toUtf8());
                                            int y = Integer.parseInt(
                                                    t.get(key(to)).orElseThrow().toUtf8());
                                            int amount = random.nextInt(0, 20);
                                            t.put(key(from), b(String.valueOf(x - amount)));
                                            t.put(key(to), b(String.valueOf(y + amount)));
                                            t.commit();
                                        } catch (ConflictException e) {
                                            // retried as a new transfer
                                        }
                                    }
                                } finally {
                                    transfersLeft.decrementAndGet();
                                }
                            } else {
                                while (transfersLeft.get() > 0 || audits.get() < 4) {
                                    try (Transaction t = m.begin()) {
                                        long total = 0;
                                        int n = 0;
                                        for (Entry e : drain(t.scan(null, null))) {
                                            total += Integer.parseInt(e.value().toUtf8());
                                            n++;
                                        }
                                        assertThat(kind + ": accounts in a snapshot", n, equalTo(accounts));
                                        assertThat(
                                                kind + ": the total in a snapshot (scan) at " + t.startTs(),
                                                total,
                                                equalTo(100L * accounts));
                                        long byGets = 0;
                                        for (int a = accounts - 1; a >= 0; a--) {
                                            byGets += Integer.parseInt(
                                                    t.get(key(a)).orElseThrow().toUtf8());
                                        }
                                        assertThat(
                                                kind + ": the total in a snapshot (gets)",
                                                byGets,
                                                equalTo(100L * accounts));
                                        t.commit();
                                        audits.incrementAndGet();
                                    }
                                }
                            }
                        },
                        failures);
                check(failures);
                assertThat(m.activeTransactions(), equalTo(0));
            }
        }
    }

    // ------------------------------------------------------------------ visibility and the oracle

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "a commit becomes visible before an earlier commit is applied (visibility does not advance "
                    + "contiguously), or a commit returns before it is visible")
    void aCommitIsNotVisibleBeforeTheCommitsBeforeIt() throws Exception {
        CountDownLatch firstInLog = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        MvccStore store = new MvccStore(new MemoryOrderedStore());
        TransactionManager m = new TransactionManager(store, (ts, writes) -> {
            if (ts == 1) {
                firstInLog.countDown();
                await(releaseFirst);
            }
        });
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Thread first = TestThreads.start(
                "first",
                () -> {
                    try (Transaction t = m.begin()) {
                        t.put(b("a"), b("1"));
                        assertThat(t.commit(), equalTo(1L));
                    }
                },
                failures);
        await(firstInLog, failures);
        AtomicBoolean secondReturned = new AtomicBoolean();
        Thread second = TestThreads.start(
                "second",
                () -> {
                    try (Transaction t = m.begin()) {
                        t.put(b("b"), b("2"));
                        assertThat(t.commit(), equalTo(2L));
                        assertThat("when commit returns, the commit is visible", m.visibleTs(), equalTo(2L));
                        secondReturned.set(true);
                    }
                },
                failures);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND);
        while (store.newestCommitTs(b("b")).isEmpty()) {
            check(failures);
            assertThat("the second commit reached the store", System.nanoTime() < deadline, is(true));
            Thread.sleep(1);
        }
        Thread.sleep(20);
        assertThat("commit 2 is applied, commit 1 is not: nothing is visible yet", m.visibleTs(), equalTo(0L));
        try (Transaction reader = m.begin()) {
            assertThat(reader.startTs(), equalTo(0L));
            assertThat(reader.get(b("b")), equalTo(Optional.empty()));
        }
        assertThat("commit 2 must not return before it is visible", secondReturned.get(), is(false));
        releaseFirst.countDown();
        TestThreads.joinAll(List.of(first, second));
        check(failures);
        assertThat(m.visibleTs(), equalTo(2L));
        try (Transaction reader = m.begin()) {
            assertThat(
                    drain(reader.scan(null, null)),
                    equalTo(List.of(Entry.put(b("a"), b("1")), Entry.put(b("b"), b("2")))));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "a write conflict with a commit that is validated but not yet applied goes undetected "
                    + "(the oracle must remember assigned commits, not ask the store)")
    void aCommitStillInTheLogConflicts() throws Exception {
        CountDownLatch inLog = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger logged = new java.util.concurrent.atomic.AtomicInteger();
        TransactionManager m = new TransactionManager(new MvccStore(new MemoryOrderedStore()), (ts, writes) -> {
            if (logged.getAndIncrement() > 0) { // only the first commit is held in the log: it fails at once
                throw new AssertionError("the commit at " + ts + " reached the log while commit 1 was still in it,"
                        + " though it writes a key commit 1 writes");
            }
            inLog.countDown();
            await(release);
        });
        Transaction early = m.begin();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Thread committer = TestThreads.start(
                "committer",
                () -> {
                    try (Transaction t = m.begin()) {
                        t.put(b("k"), b("first"));
                        t.commit();
                    }
                },
                failures);
        await(inLog, failures);
        Transaction late = m.begin(); // begins while commit 1 is not visible: it reads at 0 too
        early.put(b("k"), b("early"));
        WriteConflictException e = assertThrows(WriteConflictException.class, early::commit);
        assertThat(e.conflictingCommitTs(), equalTo(1L));
        late.put(b("k"), b("late"));
        late.put(b("other"), b("x"));
        assertThrows(WriteConflictException.class, late::commit);
        release.countDown();
        TestThreads.joinAll(List.of(committer));
        check(failures);
        try (Transaction t = m.begin()) {
            assertThat(t.get(b("k")), equalTo(Optional.of(b("first"))));
            assertThat(t.get(b("other")), equalTo(Optional.empty()));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 1,
            concept = "write skew does not happen under snapshot isolation (two doctors both go off call), so "
                    + "something stricter than SI is enforced by default")
    void writeSkewHappensUnderSnapshotIsolation() throws IOException {
        TransactionManager m = new TransactionManager(new MvccStore(new MemoryOrderedStore()), CommitLog.NONE);
        try (Transaction t = m.begin()) {
            t.put(b("doctor:alice"), b("on"));
            t.put(b("doctor:bob"), b("on"));
            t.commit();
        }
        Transaction t1 = m.begin();
        Transaction t2 = m.begin();
        for (Transaction t : List.of(t1, t2)) {
            long onCall = drain(t.scan(b("doctor:"), b("doctor;"))).stream()
                    .filter(e -> e.value().equals(b("on")))
                    .count();
            assertThat(onCall, equalTo(2L));
        }
        t1.put(b("doctor:alice"), b("off"));
        t2.put(b("doctor:bob"), b("off"));
        t1.commit();
        t2.commit();
        try (Transaction t = m.begin()) {
            assertThat(
                    "nobody is on call",
                    drain(t.scan(b("doctor:"), b("doctor;"))).stream()
                            .filter(e -> e.value().equals(b("on")))
                            .toList(),
                    empty());
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "after a failed log write the transaction is applied anyway, later commits are accepted, "
                    + "or visibility stalls behind the failed commit")
    void aFailedLogWriteIsAbortedAndRefusesLaterCommits() throws IOException {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        AtomicBoolean fail = new AtomicBoolean();
        TransactionManager m = new TransactionManager(new MvccStore(engine), (ts, writes) -> {
            if (fail.get()) {
                throw new IOException("injected: the force failed");
            }
        });
        try (Transaction t = m.begin()) {
            t.put(b("k"), b("durable"));
            t.commit();
        }
        Transaction reader = m.begin();
        fail.set(true);
        Transaction bad = m.begin();
        bad.put(b("k"), b("lost"));
        bad.put(b("j"), b("lost"));
        IOException e = assertThrows(IOException.class, bad::commit);
        assertThat(e.getMessage(), equalTo("injected: the force failed"));
        assertThat(bad.state(), equalTo(Transaction.State.ABORTED));
        assertThat("no version of the failed commit reached the engine", engine.size(), equalTo(1));
        assertThat("visibility passes the failed commit, which holds nothing", m.visibleTs(), equalTo(2L));
        fail.set(false);
        Transaction after = m.begin();
        after.put(b("x"), b("1"));
        assertThrows(IOException.class, after::commit);
        assertThat(after.state(), equalTo(Transaction.State.ABORTED));
        assertThat("reads go on", reader.get(b("k")), equalTo(Optional.of(b("durable"))));
        reader.close();
        assertThat(m.activeTransactions(), equalTo(0));
    }

    @Test
    @Graded(
            task = "T5",
            points = 1,
            concept = "after recovery the transaction clock restarts below the replayed commits (a new commit "
                    + "reuses a timestamp, or a new snapshot misses replayed data)")
    void theClockResumesAfterRecovery() throws IOException {
        MvccStore store = new MvccStore(new MemoryOrderedStore());
        store.write(1000, List.of(Entry.put(b("k"), b("replayed"))));
        TransactionManager m = new TransactionManager(
                store, CommitLog.NONE, TransactionManager.Options.defaults().withLastCommitTs(1000));
        assertThat(m.visibleTs(), equalTo(1000L));
        try (Transaction t = m.begin()) {
            assertThat(t.get(b("k")), equalTo(Optional.of(b("replayed"))));
            t.put(b("k"), b("new"));
            assertThat(t.commit(), equalTo(1001L));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 1,
            concept = "the oracle's record of recent commits grows forever, or forgets a commit an active "
                    + "transaction can still conflict with")
    void theOracleForgetsOnlyCommitsNoTransactionCanConflictWith() throws IOException {
        TransactionManager m = new TransactionManager(new MvccStore(new MemoryOrderedStore()), CommitLog.NONE);
        Transaction old = m.begin();
        for (int i = 0; i < 300; i++) {
            try (Transaction t = m.begin()) {
                t.put(key(i), b("v"));
                t.commit();
            }
        }
        assertThat(
                "an active transaction from before them keeps the 300 commits",
                m.oracle().trackedKeys(),
                equalTo(300));
        old.put(key(0), b("old"));
        assertThrows(WriteConflictException.class, old::commit);
        try (Transaction t = m.begin()) {
            t.put(key(1), b("again"));
            t.commit();
        }
        assertThat(
                "with no transaction active, nothing needs remembering",
                m.oracle().trackedKeys(),
                equalTo(0));
    }
}
