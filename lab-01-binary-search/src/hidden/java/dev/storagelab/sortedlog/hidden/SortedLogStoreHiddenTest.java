package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-01 T8: {@code SortedLogStore.lookup} (active memtable, frozen memtable,
 * then segments newest to oldest; the first source that knows the key decides) and
 * {@code SortedLogStore.makeRoomForWrite} (rotate a full memtable; while a flush is still
 * running, writers wait rather than drop writes or pile up memtables). {@link GatedStorage}
 * holds a flush in progress so the tests can look at the store mid-flush.
 */
@Tag("hidden")
class SortedLogStoreHiddenTest {

    private static final int BUDGET = 1024;

    /** Waits until {@code writer} stalls behind a held flush (the store counts it) or ends. */
    private static void awaitStallOrEnd(SortedLogStore store, Thread writer) throws InterruptedException {
        while (store.metrics().snapshot().writeStalls() == 0 && writer.isAlive()) {
            Thread.sleep(1);
        }
    }

    private static SortedLogOptions options() {
        return SortedLogOptions.builder()
                .memtableBytes(BUDGET)
                .blockSize(256)
                .compactionTrigger(0)
                .build();
    }

    @Test
    @Graded(
            task = "T8",
            points = 4,
            concept = "older source shadows a newer write (lookup order wrong, or a tombstone "
                    + "does not stop the search)")
    void lookupLetsTheNewestSourceDecide() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(128)
                .compactionTrigger(0)
                .build();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            Recorder r = new Recorder(store, oracle);
            for (String k : List.of("a", "b", "c", "d", "e", "f", "g")) {
                r.put(k, "1");
            }
            store.flush(); // oldest segment: a..g = 1
            r.put("a", "2");
            r.delete("b");
            r.put("c", "2");
            r.delete("d");
            store.flush(); // newer segment: a = 2, b deleted, c = 2, d deleted
            r.put("b", "3");
            r.delete("c");
            r.put("e", "3");
            r.delete("f");
            // active memtable: b = 3, c deleted, e = 3, f deleted
            assertThat("two segments on disk, four writes in the memtable", store.segmentNames(), hasSize(2));
            r.checkAll("with a memtable over two segments");
            store.flush();
            r.checkAll("after flushing the memtable into a third segment");
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            new Recorder(store, oracle).checkAll("after reopening");
        }
    }

    @Test
    @Graded(task = "T8", points = 3, concept = "values in the memtable being flushed are invisible to readers")
    void frozenMemtableIsReadWhileItFlushes() throws Exception {
        GatedStorage storage = new GatedStorage(new FaultInjectingStorage());
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options())) {
            try {
                Recorder r = new Recorder(store, oracle);
                long bytes = 0;
                int i = 0;
                // Fill the memtable to its budget; the next write freezes it and starts the flush.
                while (bytes < BUDGET) {
                    Entry e = r.put(String.format("key-%03d", i++), "value " + "v".repeat(i % 40));
                    bytes += e.approximateBytes();
                }
                r.put("written-after-rotation", "in the new memtable");
                storage.awaitFlushHeld();
                r.checkAll("while the full memtable is frozen and its flush is held back");
                r.put("key-000", "overwritten in the active memtable");
                r.delete("key-001");
                r.checkAll("with newer writes in the active memtable over the frozen one");
                storage.open();
                store.flush();
                assertThat("the frozen memtable became one segment", store.segmentNames(), hasSize(2));
                r.checkAll("after the flush completes");
            } finally {
                storage.open();
            }
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 3,
            concept = "no backpressure: writes run ahead (or are dropped) while the previous "
                    + "memtable's flush is still running")
    void writersWaitForTheFlushInsteadOfDroppingWrites() throws Exception {
        GatedStorage storage = new GatedStorage(new FaultInjectingStorage());
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int writes = 60; // about four memtables' worth
        AtomicInteger acknowledged = new AtomicInteger();
        try (SortedLogStore store = SortedLogStore.open(storage, options())) {
            try {
                List<Thread> writer = TestThreads.startTogether(
                        1,
                        "writer",
                        t -> {
                            for (int i = 0; i < writes; i++) {
                                store.put(key(i), value(i));
                                acknowledged.incrementAndGet();
                            }
                        },
                        failures);
                storage.awaitFlushHeld(writer.get(0));
                assertThat("no write may fail", failures, empty());
                awaitStallOrEnd(store, writer.get(0));
                assertThat("no write may fail", failures, empty());
                assertThat(
                        "the writer finished " + writes + " writes (four memtables' worth) while the first flush "
                                + "was held back: with a frozen memtable still flushing, a full active memtable must make "
                                + "writers wait, not rotate again or grow without bound",
                        writer.get(0).isAlive(),
                        is(true));
                int seen = acknowledged.get();
                for (int i = 0; i < seen; i++) {
                    assertThat(
                            "while the writer waits, acknowledged write " + i + " is readable",
                            store.get(key(i)),
                            equalTo(Optional.of(value(i))));
                }
                storage.open();
                TestThreads.joinAll(writer);
                assertThat("no write may fail", failures, empty());
                assertThat("the stall is counted", store.metrics().snapshot().writeStalls(), greaterThanOrEqualTo(1L));
                for (int i = 0; i < writes; i++) {
                    assertThat(
                            "after the flush completes, write " + i, store.get(key(i)), equalTo(Optional.of(value(i))));
                }
            } finally {
                storage.open();
            }
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "a writer waiting for a flush that then fails is not told (it goes on writing over the "
                    + "failure, or waits forever)")
    void aWriterWaitingForAFailedFlushGetsTheFailure() throws Exception {
        FaultInjectingStorage inner = new FaultInjectingStorage();
        GatedStorage storage = new GatedStorage(inner);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger acknowledged = new AtomicInteger();
        SortedLogStore store = SortedLogStore.open(storage, options());
        try {
            List<Thread> writer = TestThreads.startTogether(
                    1,
                    "writer",
                    t -> {
                        for (int i = 0; i < 60; i++) {
                            store.put(key(i), value(i));
                            acknowledged.incrementAndGet();
                        }
                    },
                    failures);
            storage.awaitFlushHeld(writer.get(0));
            awaitStallOrEnd(store, writer.get(0));
            assertThat(
                    "the writer waits for the held flush (backpressure)",
                    writer.get(0).isAlive(),
                    is(true));
            inner.failNext(FaultInjectingStorage.Op.CREATE); // the held flush now fails to create its segment
            storage.open();
            TestThreads.joinAll(writer);
            assertThat(
                    "the waiting writer wakes up to the flush's failure and throws it (checkWritable after each "
                            + "wake-up), instead of writing on",
                    failures,
                    hasSize(1));
            assertThat("the failure is an IOException", failures.peek() instanceof IOException, is(true));
            for (int i = 0; i < acknowledged.get(); i++) {
                assertThat(
                        "acknowledged write " + i + " is still readable",
                        store.get(key(i)),
                        equalTo(Optional.of(value(i))));
            }
        } finally {
            storage.open();
            try {
                store.close();
            } catch (IOException | RuntimeException e) {
                // the store failed on purpose: close may report it
            }
        }
    }

    @Test
    @Graded(task = "T8", points = 2, concept = "full memtable never flushed (memtableBytes ignored)")
    void aFullMemtableIsFlushedWithoutBeingAsked() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        long approximate = 0;
        int writes = 400;
        try (SortedLogStore store = SortedLogStore.open(storage, options())) {
            for (int i = 0; i < writes; i++) {
                store.put(key(i), value(i));
                approximate += Entry.put(key(i), value(i)).approximateBytes();
            }
            long memtables = approximate / BUDGET;
            // Each rotation after the first waits for the flush before it, so all but the last
            // one or two have become segments by now.
            assertThat(
                    approximate + " bytes of writes into " + BUDGET + "-byte memtables must have been flushed "
                            + "as they filled, without a call to flush()",
                    (long) store.segmentNames().size(),
                    greaterThanOrEqualTo(memtables - 2));
            for (int i = 0; i < writes; i++) {
                assertThat("write " + i + " across many flushes", store.get(key(i)), equalTo(Optional.of(value(i))));
            }
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static Bytes key(int i) {
        return Bytes.of(String.format("key-%04d", i));
    }

    private static Bytes value(int i) {
        return Bytes.of("value " + i + " " + "#".repeat(i % 30));
    }

    /** Writes to the store and the oracle together, and compares every key written. */
    private record Recorder(SortedLogStore store, TreeMap<Bytes, Bytes> oracle) {
        Entry put(String key, String value) throws IOException {
            store.put(Bytes.of(key), Bytes.of(value));
            oracle.put(Bytes.of(key), Bytes.of(value));
            return Entry.put(Bytes.of(key), Bytes.of(value));
        }

        void delete(String key) throws IOException {
            store.delete(Bytes.of(key));
            oracle.put(Bytes.of(key), null); // remembered as a key to check, absent
        }

        void checkAll(String when) throws IOException {
            for (var e : oracle.entrySet()) {
                assertThat(
                        when + ": the value of " + e.getKey(),
                        store.get(e.getKey()),
                        equalTo(Optional.ofNullable(e.getValue())));
            }
        }
    }
}
