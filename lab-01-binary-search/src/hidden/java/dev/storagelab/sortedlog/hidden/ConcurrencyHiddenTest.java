package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Readers and writers at once: readers of a {@link SortedLogStore} never see a half-flushed or
 * half-compacted state (lab-01 T8 and T9: versions are installed whole), many writers lose nothing
 * across memtable rotations (T8's backpressure), and readers of a {@link HashIndexLog} never meet
 * a record that is not the key's (T5: append and index update under one lock).
 */
@Tag("hidden")
class ConcurrencyHiddenTest {

    private static final int KEYS = 64;
    private static final int VERSIONS = 30;

    @Test
    @Graded(
            task = "T8",
            points = 4,
            concept = "readers see a half-flushed or half-compacted store (a value vanishes or goes back "
                    + "to an older version)")
    void readersNeverSeeAHalfFlushedOrHalfCompactedStore() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(2048)
                .blockSize(256)
                .compactionTrigger(3)
                .build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int k = 0; k < KEYS; k++) {
                store.put(key(k), versioned(k, 0));
            }
            store.flush();
            List<Thread> readers = TestThreads.startTogether(
                    4,
                    "reader",
                    r -> {
                        int[] lastSeen = new int[KEYS];
                        int k = r;
                        while (writing.get() && failures.size() < 10) {
                            k = (k + 7) % KEYS;
                            Optional<Bytes> value = store.get(key(k));
                            reads.incrementAndGet();
                            if (value.isEmpty()) {
                                failures.add(
                                        new AssertionError(key(k) + " is never deleted, yet a reader found it absent: "
                                                + "a flush or compaction exposed a state without it"));
                                continue;
                            }
                            int version = versionOf(k, value.get());
                            if (version < lastSeen[k]) {
                                failures.add(new AssertionError(key(k) + " went back from version " + lastSeen[k]
                                        + " to " + version + ": an older source was read in place of a newer one"));
                            }
                            lastSeen[k] = Math.max(lastSeen[k], version);
                        }
                    },
                    failures);
            List<Thread> writer = TestThreads.startTogether(
                    1,
                    "writer",
                    w -> {
                        try {
                            for (int v = 1; v <= VERSIONS; v++) {
                                for (int k = 0; k < KEYS; k++) {
                                    store.put(key(k), versioned(k, v));
                                }
                                store.flush();
                                if (v % 5 == 0) {
                                    store.compact();
                                }
                            }
                        } finally {
                            writing.set(false);
                        }
                    },
                    failures);
            TestThreads.joinAll(writer);
            TestThreads.joinAll(readers);
            assertThat("readers must only ever see whole versions of the store", failures, empty());
            assertThat("the readers ran alongside the writer", reads.get(), greaterThan(0L));
            assertThat(
                    "the writer flushed after every version",
                    store.metrics().snapshot().flushes(),
                    greaterThanOrEqualTo((long) VERSIONS));
            for (int k = 0; k < KEYS; k++) {
                assertThat(
                        "after the writer is done, " + key(k),
                        store.get(key(k)),
                        equalTo(Optional.of(versioned(k, VERSIONS))));
            }
        }
    }

    @Test
    @Graded(task = "T8", points = 3, concept = "writes lost when many writers race through memtable rotations")
    void eightWritersAcrossMemtableRotationsLoseNothing() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(2048)
                .blockSize(256)
                .compactionTrigger(3)
                .build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int threads = 8;
        int perThread = 250;
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            TestThreads.runAll(
                    threads,
                    t -> {
                        for (int i = 0; i < perThread; i++) {
                            store.put(HashIndexLogHiddenTest.key(t, i), HashIndexLogHiddenTest.value(t, i));
                        }
                    },
                    failures);
            assertThat("no writer may fail", failures, empty());
            assertEveryWrite(store, threads, perThread, "with " + threads + " writers done");
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertEveryWrite(store, threads, perThread, "after a reopen");
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept =
                    "a reader of the hash index log meets another key's record or a torn one " + "while writers append")
    void hashIndexLogReadersSeeOnlyTheirKeysRecordsWhileWritersAppend() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        int shared = 32;
        try (HashIndexLog store = HashIndexLog.open(new JitteryStorage(storage))) {
            List<Thread> readers = TestThreads.startTogether(
                    4,
                    "reader",
                    r -> {
                        int k = r;
                        while (writing.get() && failures.size() < 10) {
                            k = (k + 5) % shared;
                            Optional<Bytes> value = store.get(Bytes.of("shared-" + k));
                            if (value.isPresent() && !value.get().toUtf8().startsWith("shared-" + k + "|")) {
                                failures.add(new AssertionError("get(shared-" + k + ") returned " + value.get()
                                        + ", a value written for another key"));
                            }
                        }
                    },
                    failures);
            // 150 writes a writer: every storage call gives up the CPU, and on a busy machine each
            // yield waits its turn behind every other runnable process, so the work stays small.
            List<Thread> writers = TestThreads.startTogether(
                    4,
                    "writer",
                    w -> {
                        for (int i = 0; i < 150; i++) {
                            int k = (i * 3 + w) % shared;
                            store.put(
                                    Bytes.of("shared-" + k), Bytes.of("shared-" + k + "|writer " + w + "|write " + i));
                        }
                    },
                    failures);
            TestThreads.joinAll(writers);
            writing.set(false);
            TestThreads.joinAll(readers);
            assertThat(
                    "readers and writers must not fail; a CorruptionException here means the index pointed at "
                            + "a record that was not (yet) the key's",
                    failures,
                    empty());
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static Bytes key(int k) {
        return Bytes.of(String.format("key-%02d", k));
    }

    private static Bytes versioned(int k, int version) {
        return Bytes.of(key(k).toUtf8() + "|v" + version + "|" + "=".repeat((k * 7 + version) % 40));
    }

    private static int versionOf(int k, Bytes value) {
        String[] parts = value.toUtf8().split("\\|");
        if (parts.length < 2 || !parts[0].equals(key(k).toUtf8())) {
            throw new AssertionError("get(" + key(k) + ") returned " + value + ", a value written for another key");
        }
        return Integer.parseInt(parts[1].substring(1));
    }

    private static void assertEveryWrite(SortedLogStore store, int threads, int perThread, String when)
            throws IOException {
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(
                        when + ": write " + i + " of writer " + t,
                        store.get(HashIndexLogHiddenTest.key(t, i)),
                        equalTo(Optional.of(HashIndexLogHiddenTest.value(t, i))));
            }
        }
    }
}
