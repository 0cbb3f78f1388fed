package dev.storagelab.mvcc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** lab-06 T8 (bonus): serializable snapshot isolation by read-set validation. */
class SerializableTest {

    private final MvccStore store = new MvccStore(new MemoryOrderedStore());
    private final TransactionManager manager = new TransactionManager(
            store,
            CommitLog.NONE,
            TransactionManager.Options.defaults().withIsolation(TransactionManager.Isolation.SERIALIZABLE));

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private void commitOne(String key, String value) throws IOException {
        try (Transaction t = manager.begin()) {
            t.put(b(key), b(value));
            t.commit();
        }
    }

    @Test
    void writeSkewIsPreventedTheSecondDoctorStaysOnCall() throws IOException {
        commitOne("alice", "on");
        commitOne("bob", "on");
        Transaction t1 = manager.begin();
        Transaction t2 = manager.begin();
        assertThat(t1.get(b("bob")), equalTo(Optional.of(b("on"))));
        t1.put(b("alice"), b("off"));
        assertThat(t2.get(b("alice")), equalTo(Optional.of(b("on"))));
        t2.put(b("bob"), b("off"));
        t1.commit();
        ReadWriteConflictException e = assertThrows(
                ReadWriteConflictException.class, t2::commit, "t2 read alice, which t1 wrote after t2 started");
        assertThat(e.key(), equalTo(b("alice")));
        assertThat(t2.state(), equalTo(Transaction.State.ABORTED));
        try (Transaction t = manager.begin()) {
            assertThat(t.get(b("bob")), equalTo(Optional.of(b("on"))));
        }
    }

    @Test
    void anInsertIntoAScannedRangeIsAConflict() throws IOException {
        commitOne("shift:1", "alice");
        Transaction counter = manager.begin();
        try (EntryIterator it = counter.scan(b("shift:"), b("shift;"))) {
            it.forEachRemaining(e -> {});
        }
        counter.put(b("summary"), b("1 shift"));
        commitOne("shift:2", "bob"); // a phantom for the scan
        assertThrows(ReadWriteConflictException.class, counter::commit);
    }

    @Test
    void readsThatNobodyOverwroteCommit() throws IOException {
        commitOne("a", "1");
        Transaction t = manager.begin();
        t.get(b("a"));
        t.put(b("b"), b("2"));
        commitOne("c", "3"); // a concurrent commit to a key t never read
        t.commit();
        assertThat(t.state(), equalTo(Transaction.State.COMMITTED));
    }
}
