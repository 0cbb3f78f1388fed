package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmInternals;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.WriteBatch;
import dev.storagelab.testkit.PausePoint;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race tests of lab-05 T7's {@code StoreWriter.apply}: a writer stopped inside {@code apply}
 * while readers, which take no lock, read every key of its batch. Readers read at
 * {@code lastSequence}, so what they may see is decided by when {@code apply} moves it: after the
 * log record is written and after the last operation is in the memtable. A stress run of readers
 * beside a writer meets the few instructions between those steps almost never, so each test forces
 * the interleaving instead, with one pause point in given code (no timing; the same interleaving on
 * every run):
 * <ul>
 *   <li>after the first operation of a batch goes into the memtable ({@link WriteBatch#forEach}, the
 *       way the handout's {@code apply} fills the memtable): an {@code apply} that moved
 *       {@code lastSequence} before the memtable held the whole batch (before {@code forEach}, or
 *       one operation at a time inside it) lets a reader see the first key of the batch new and the
 *       others old;</li>
 *   <li>in the log append: an {@code apply} that filled the memtable and moved {@code lastSequence}
 *       before it logged the batch lets a reader see a write that a crash at that moment would take
 *       back.</li>
 * </ul>
 * The store runs without background threads and with a memtable that never fills, so the writer is
 * the only thread that changes it.
 */
@Tag("hidden")
class WriteRaceHiddenTest {

    private static final String WRITER = "race-writer";
    private static final int KEYS = 4;

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "a reader sees part of a write batch: lastSequence moves past the batch (or past "
                    + "each operation) before every operation of the batch is in the memtable")
    void aReaderBesideABatchHalfInTheMemtableSeesNoneOfIt() throws Exception {
        PausePoint pause = new PausePoint(WRITER);
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(), options())) {
            Map<Bytes, Bytes> before = writeFirstVersions(store);
            WriteBatch batch = LsmInternals.afterEachOperation(secondVersions(), pause::point);
            Map<Bytes, Bytes> seen = readBesideTheWriter(
                    store,
                    batch,
                    pause,
                    "after the first operation of its batch went " + "into the memtable (WriteBatch.forEach)");
            if (seen != null) {
                assertThat(
                        "a reader beside a writer stopped after the first of the " + KEYS + " operations of a batch "
                                + "went into the memtable must see none of the batch: lastSequence may move past a batch only "
                                + "when all of it is in the memtable, or a reader sees half of an atomic write",
                        seen,
                        equalTo(before));
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "a reader sees a write before its log record is written: apply fills the memtable "
                    + "and moves lastSequence before it logs the batch")
    void aReaderSeesABatchOnlyAfterItsLogRecordIsWritten() throws Exception {
        PausePoint pause = new PausePoint(WRITER);
        try (LsmStore store = LsmStore.open(new PausingLogs(new FaultInjectingStorage(), pause), options())) {
            Map<Bytes, Bytes> before = writeFirstVersions(store);
            Map<Bytes, Bytes> seen =
                    readBesideTheWriter(store, secondVersions(), pause, "in the log append of its batch");
            assertThat("the writer never appended its batch to the log", seen, notNullValue());
            assertThat(
                    "a reader beside a writer stopped in the append of its batch's log record must not see the batch: "
                            + "a crash now would lose it, and the reader would have seen a write that never happened",
                    seen,
                    equalTo(before));
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static LsmOptions options() {
        return LsmOptions.tiny().withBackgroundWork(false).withMemtableBytes(1 << 20);
    }

    private static Bytes key(int i) {
        return Bytes.of("key-" + i);
    }

    /** Writes version 1 of every key, one batch; returns the store's contents. */
    private static Map<Bytes, Bytes> writeFirstVersions(LsmStore store) throws IOException {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < KEYS; i++) {
            batch.put(key(i), Bytes.of("first " + i));
        }
        store.write(batch);
        Map<Bytes, Bytes> contents = read(store);
        assertThat("the first batch, read back", contents.size(), equalTo(KEYS));
        return contents;
    }

    /** Version 2 of every key, one batch. */
    private static WriteBatch secondVersions() {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < KEYS; i++) {
            batch.put(key(i), Bytes.of("second " + i));
        }
        return batch;
    }

    /**
     * Writes {@code batch} on a thread of its own, stopped at {@code pause}; reads every key, by gets and
     * by scans both ways, while it is stopped; then lets it finish and checks that the whole batch
     * is there. Returns what the reads saw if they all agree (fails if they do not), or null if
     * the writer finished without reaching the pause point (an {@code apply} that fills the
     * memtable without {@link WriteBatch#forEach}: no window to show).
     */
    private static Map<Bytes, Bytes> readBesideTheWriter(
            LsmStore store, WriteBatch batch, PausePoint pause, String where) throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<Bytes, Bytes> seen;
        try {
            Thread writer = TestThreads.start(WRITER, () -> store.write(batch), failures);
            seen = pause.awaitHeld(writer) ? read(store) : null;
            pause.release();
            TestThreads.joinAll(List.of(writer));
        } finally {
            pause.release();
        }
        TestThreads.rethrow(failures, "the batch's write, stopped " + where);
        Map<Bytes, Bytes> after = new LinkedHashMap<>();
        batch.operations().forEach(e -> after.put(e.key(), e.value()));
        assertThat("every key once the batch's write returned", read(store), equalTo(after));
        return seen;
    }

    /**
     * Every key, by a get each, a forward scan and a reverse scan: the map all three saw, or an
     * assertion error naming the reads that disagree (a torn batch can show in one and not another).
     */
    private static Map<Bytes, Bytes> read(LsmStore store) throws IOException {
        Map<Bytes, Bytes> gets = new LinkedHashMap<>();
        for (int i = 0; i < KEYS; i++) {
            Bytes key = key(i);
            store.get(key).ifPresent(v -> gets.put(key, v));
        }
        Map<Bytes, Bytes> forward = new LinkedHashMap<>();
        try (EntryIterator it = store.scan(null, null)) {
            it.forEachRemaining(e -> forward.put(e.key(), e.value()));
        }
        List<Entry> backward = new ArrayList<>();
        try (EntryIterator it = store.scanReverse(null, null)) {
            it.forEachRemaining(backward::add);
        }
        Map<Bytes, Bytes> reverse = new LinkedHashMap<>();
        for (int i = backward.size() - 1; i >= 0; i--) {
            reverse.put(backward.get(i).key(), backward.get(i).value());
        }
        assertThat("a forward scan beside the stopped writer, against gets of each key", forward, equalTo(gets));
        assertThat("a reverse scan beside the stopped writer, against gets of each key", reverse, equalTo(gets));
        return gets;
    }

    /** A storage whose log files' appends are pause points. */
    private static final class PausingLogs extends ForwardingStorage {
        private final PausePoint pause;

        PausingLogs(Storage delegate, PausePoint pause) {
            super(delegate);
            this.pause = pause;
        }

        @Override
        public WritableFile create(String name) throws IOException {
            WritableFile file = super.create(name);
            if (!name.endsWith(".log")) {
                return file;
            }
            return new ForwardingWritableFile(file) {
                @Override
                public void append(ByteBuffer src) throws IOException {
                    pause.point();
                    super.append(src);
                }
            };
        }
    }
}
