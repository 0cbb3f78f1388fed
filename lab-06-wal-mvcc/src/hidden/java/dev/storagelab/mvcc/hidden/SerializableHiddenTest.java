package dev.storagelab.mvcc.hidden;

import static dev.storagelab.mvcc.hidden.Engines.drain;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.mvcc.CommitLog;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.ReadWriteConflictException;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionManager;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the bonus (lab-06 T8): serializable snapshot isolation by read-set validation
 * prevents write skew, alone and under concurrency, and phantoms in scanned ranges, without
 * aborting transactions whose reads nobody overwrote.
 */
@Tag("hidden")
class SerializableHiddenTest {

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private static TransactionManager serializable() {
        return new TransactionManager(
                new MvccStore(new MemoryOrderedStore()),
                CommitLog.NONE,
                TransactionManager.Options.defaults().withIsolation(TransactionManager.Isolation.SERIALIZABLE));
    }

    private static long onCall(Transaction t) throws IOException {
        return drain(t.scan(b("doctor:"), b("doctor;"))).stream()
                .filter(e -> e.value().equals(b("on")))
                .count();
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "bonus (serializable): write skew still happens: doctors go off call concurrently until "
                    + "nobody is on call")
    void writeSkewIsPreventedUnderConcurrency() throws Exception {
        TransactionManager m = serializable();
        int doctors = 8;
        try (Transaction t = m.begin()) {
            for (int d = 0; d < doctors; d++) {
                t.put(b("doctor:" + d), b("on"));
            }
            t.commit();
        }
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        TestThreads.runAll(
                doctors,
                d -> {
                    for (int attempt = 0; attempt < 50; attempt++) {
                        try (Transaction t = m.begin()) {
                            if (onCall(t) < 2
                                    || t.get(b("doctor:" + d)).orElseThrow().equals(b("off"))) {
                                t.commit();
                                return;
                            }
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(1, 50_000));
                            t.put(b("doctor:" + d), b("off"));
                            t.commit();
                            return;
                        } catch (ConflictException e) {
                            // someone else went off call meanwhile: look again
                        }
                    }
                },
                failures);
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.get(0));
        }
        try (Transaction t = m.begin()) {
            assertThat("at least one doctor is still on call", onCall(t), greaterThanOrEqualTo(1L));
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 1,
            concept = "bonus (serializable): a key inserted into a range a transaction scanned (a phantom) is not "
                    + "a conflict, or a deleted key that was read is not")
    void phantomsAndDeletesInTheReadSetConflict() throws IOException {
        TransactionManager m = serializable();
        try (Transaction t = m.begin()) {
            t.put(b("item:1"), b("1"));
            t.put(b("flag"), b("x"));
            t.commit();
        }
        Transaction scanner = m.begin();
        assertThat(drain(scanner.scan(b("item:"), b("item;"))).size(), equalTo(1));
        scanner.put(b("count"), b("1"));
        try (Transaction t = m.begin()) {
            t.put(b("item:2"), b("2"));
            t.commit();
        }
        assertThrows(ReadWriteConflictException.class, scanner::commit);

        Transaction reader = m.begin();
        reader.get(b("flag"));
        reader.put(b("derived"), b("y"));
        try (Transaction t = m.begin()) {
            t.delete(b("flag"));
            t.commit();
        }
        ReadWriteConflictException e = assertThrows(ReadWriteConflictException.class, reader::commit);
        assertThat(e.key(), equalTo(b("flag")));
    }

    @Test
    @Graded(
            task = "T8",
            points = 1,
            concept = "bonus (serializable): a transaction aborts although nobody wrote what it read (a commit "
                    + "before or at its start, or to keys it never read, or to a key it read from its own writes)")
    void readsNobodyOverwroteCommit() throws IOException {
        TransactionManager m = serializable();
        try (Transaction t = m.begin()) {
            t.put(b("a"), b("1"));
            t.commit();
        }
        Transaction t1 = m.begin();
        t1.get(b("a"));
        t1.put(b("mine"), b("x"));
        t1.get(b("mine"));
        drain(t1.scan(b("a"), b("b")));
        try (Transaction other = m.begin()) {
            other.put(b("zzz"), b("elsewhere"));
            other.commit();
        }
        t1.commit();
        assertThat(t1.state(), equalTo(Transaction.State.COMMITTED));
        try (Transaction t = m.begin()) {
            assertThat(
                    drain(t.scan(null, null)),
                    equalTo(List.of(
                            Entry.put(b("a"), b("1")),
                            Entry.put(b("mine"), b("x")),
                            Entry.put(b("zzz"), b("elsewhere")))));
        }
        // a commit at exactly a transaction's start timestamp is in its snapshot: no conflict (an older
        // transaction left open keeps that commit among the recent ones the validation walks)
        try (Transaction older = m.begin()) {
            older.get(b("a"));
            try (Transaction w = m.begin()) {
                w.put(b("k"), b("v"));
                w.commit();
            }
            Transaction t2 = m.begin();
            assertThat(t2.get(b("k")), equalTo(Optional.of(b("v"))));
            t2.put(b("out"), b("y"));
            t2.commit();
            assertThat(
                    "a transaction that read a commit at exactly its start timestamp",
                    t2.state(),
                    equalTo(Transaction.State.COMMITTED));
        }
    }

    /** How a transaction under validation reads the key a later commit overwrites. */
    private enum ReadRule {
        GET,
        SCAN,
        GET_THEN_DELETED
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "bonus (serializable): validation stops early when older transactions still running "
                    + "keep earlier commits in view, and misses a later commit that overwrote what was read")
    void validationWalksPastCommitsThatOlderRunningTransactionsKeepInView() throws IOException {
        for (ReadRule rule : ReadRule.values()) {
            for (int older = 0; older <= 2; older++) {
                for (int inView = 0; inView <= 3; inView++) {
                    for (int laterUnrelated = 0; laterUnrelated <= 1; laterUnrelated++) {
                        String history = rule + " with " + older + " older transactions still running, " + inView
                                + " commits in view before it began and " + laterUnrelated + " unrelated after";
                        int o = older;
                        int v = inView;
                        int u = laterUnrelated;
                        ReadWriteConflictException e = assertThrows(
                                ReadWriteConflictException.class, () -> runHistory(rule, o, v, u), history);
                        assertThat(history + ": the conflict names the key read", e.key(), equalTo(b("item:read")));
                    }
                }
            }
        }
    }

    /**
     * Older transactions begin (each reads, so none is read-only, and stays open), {@code inView}
     * commits follow (the older ones keep them among the recent commits validation walks), the
     * transaction under validation begins and reads by {@code rule}, {@code laterUnrelated}
     * commits write elsewhere, one commit overwrites (or deletes) what it read, and it commits.
     */
    private static void runHistory(ReadRule rule, int older, int inView, int laterUnrelated) throws IOException {
        TransactionManager m = serializable();
        try (Transaction t = m.begin()) {
            t.put(b("item:read"), b("0"));
            t.commit();
        }
        List<Transaction> running = new ArrayList<>();
        try {
            for (int i = 0; i < older; i++) {
                Transaction o = m.begin();
                o.get(b("item:read"));
                running.add(o);
            }
            for (int i = 0; i < inView; i++) {
                try (Transaction t = m.begin()) {
                    t.put(b("seen:" + i), b("v"));
                    t.commit();
                }
            }
            Transaction validated = m.begin();
            switch (rule) {
                case GET, GET_THEN_DELETED -> validated.get(b("item:read"));
                case SCAN -> drain(validated.scan(b("item:"), b("item;")));
            }
            validated.put(b("result"), b("derived"));
            for (int i = 0; i < laterUnrelated; i++) {
                try (Transaction t = m.begin()) {
                    t.put(b("elsewhere:" + i), b("v"));
                    t.commit();
                }
            }
            try (Transaction t = m.begin()) {
                if (rule == ReadRule.GET_THEN_DELETED) {
                    t.delete(b("item:read"));
                } else {
                    t.put(b("item:read"), b("1"));
                }
                t.commit();
            }
            validated.commit();
        } finally {
            for (Transaction o : running) {
                o.close();
            }
        }
    }
}
