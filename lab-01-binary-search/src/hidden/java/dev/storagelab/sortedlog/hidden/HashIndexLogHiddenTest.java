package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.LogRecord;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.RecoveryReport;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-01 T4 ({@code HashIndexLog.recover}: rebuild the index, cut a torn tail)
 * and T5 ({@code HashIndexLog.append}: concurrent appends under one lock). Recovery tests plant
 * logs built by {@link SpecLog}, so they do not depend on the student's encoder.
 */
@Tag("hidden")
class HashIndexLogHiddenTest {

    private static final HashIndexLog.Options STRICT =
            new HashIndexLog.Options(false, RecoveryMode.ABSOLUTE_CONSISTENCY);

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "hash index not rebuilt correctly from the log on reopen (overwrites or "
                    + "deletes replayed wrongly)")
    void reopenRebuildsTheIndexFromPutsOverwritesAndDeletes() throws IOException {
        Random random = new Random(41);
        List<Entry> writes = new ArrayList<>();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        for (int i = 0; i < 1500; i++) {
            Bytes key = Bytes.of("key-" + random.nextInt(60));
            Entry e = random.nextInt(4) == 0 ? Entry.tombstone(key) : Entry.put(key, Bytes.of("v" + i));
            writes.add(e);
            apply(oracle, e);
        }
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(HashIndexLog.LOG_NAME, SpecLog.log(writes).bytes());

        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertMatches(store, oracle, keysOf(writes), "after opening a log of 1500 puts and deletes");
            assertThat(
                    "every record is replayed on open", store.recoveryReport().records(), equalTo(1500L));
            assertThat("nothing is cut from a clean log", store.recoveryReport().truncatedBytes(), equalTo(0L));
            // Appends after recovery go after the last record, and reopen again.
            for (int i = 0; i < 200; i++) {
                Bytes key = Bytes.of("key-" + random.nextInt(60));
                if (random.nextBoolean()) {
                    store.delete(key);
                    oracle.remove(key);
                } else {
                    store.put(key, Bytes.of("w" + i));
                    oracle.put(key, Bytes.of("w" + i));
                }
            }
        }
        try (HashIndexLog store = HashIndexLog.open(storage, STRICT)) {
            assertMatches(store, oracle, keysOf(writes), "after appending to a recovered log and reopening");
        }
    }

    @Test
    @Graded(task = "T4", points = 4, concept = "torn log tail not truncated (new records appended after garbage)")
    void tornTailIsCutSoLaterAppendsAreReadable() throws IOException {
        List<Entry> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            writes.add(Entry.put(Bytes.of("k" + (i % 7)), Bytes.of("value number " + i)));
        }
        SpecLog.Built log = SpecLog.log(writes);
        long lastStart = log.lastStart();
        TreeMap<Bytes, Bytes> beforeLast = new TreeMap<>();
        writes.subList(0, writes.size() - 1).forEach(e -> apply(beforeLast, e));

        for (int cut = (int) lastStart + 1; cut < log.bytes().length; cut++) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(HashIndexLog.LOG_NAME, Arrays.copyOf(log.bytes(), cut));
            String where = "a log whose last record (at " + lastStart + ") was cut at byte " + cut;
            TreeMap<Bytes, Bytes> oracle = new TreeMap<>(beforeLast);
            try (HashIndexLog store = HashIndexLog.open(storage)) {
                RecoveryReport report = store.recoveryReport();
                assertThat(
                        where + ": the torn record is cut off, so the log ends where it started",
                        storage.size(HashIndexLog.LOG_NAME),
                        equalTo(lastStart));
                assertThat(
                        where + ": the recovery report counts the bytes cut",
                        report.truncatedBytes(),
                        equalTo(cut - lastStart));
                assertThat(
                        where + ": the recovery report counts the bytes kept", report.validBytes(), equalTo(lastStart));
                assertMatches(store, oracle, keysOf(writes), where + ", on open");
                store.put(Bytes.of("after"), Bytes.of("written after recovery"));
                oracle.put(Bytes.of("after"), Bytes.of("written after recovery"));
            }
            try (HashIndexLog store = HashIndexLog.open(storage, STRICT)) {
                assertMatches(
                        store,
                        oracle,
                        keysOf(writes, "after"),
                        where + ", after a write and a reopen that tolerates no bad "
                                + "record (the new record must follow the last good one, not the garbage)");
            }
        }
    }

    @Test
    @Graded(task = "T4", points = 2, concept = "log whose file header was torn is not recreated on open")
    void tornFileHeaderIsReplacedByAFreshLog() throws IOException {
        byte[] header = SpecLog.fileHeader();
        for (int k = 0; k < header.length; k++) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(HashIndexLog.LOG_NAME, Arrays.copyOf(header, k));
            String where = "a log holding only " + k + " bytes of its 8-byte header (its creation was torn)";
            try (HashIndexLog store = HashIndexLog.open(storage)) {
                assertThat(where + " holds no keys", store.size(), equalTo(0));
                store.put(Bytes.of("k"), Bytes.of("v"));
            }
            try (HashIndexLog store = HashIndexLog.open(storage, STRICT)) {
                assertThat(
                        where + ": after open, a write and a strict reopen the write is there",
                        store.get(Bytes.of("k")),
                        equalTo(Optional.of(Bytes.of("v"))));
            }
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "recovery's repairs are not durable (a recreated log not synced into its directory, "
                    + "a torn tail cut but the cut not forced), or a fresh log has no recovery report")
    void recoveryMakesItsRepairsDurable() throws IOException {
        HashIndexLog.Options syncing = new HashIndexLog.Options(true, RecoveryMode.TOLERATE_TORN_TAIL);
        FaultInjectingStorage fresh =
                new FaultInjectingStorage(1).crashMode(FaultInjectingStorage.CrashMode.LOSE_UNSYNCED);
        try (HashIndexLog store = HashIndexLog.open(fresh, syncing)) {
            assertThat(
                    "a log created on open replayed nothing and cut nothing",
                    store.recoveryReport(),
                    equalTo(RecoveryReport.EMPTY));
        }

        byte[] header = SpecLog.fileHeader();
        for (int k = 1; k < header.length; k++) {
            FaultInjectingStorage storage =
                    new FaultInjectingStorage(2).crashMode(FaultInjectingStorage.CrashMode.LOSE_UNSYNCED);
            storage.plant(HashIndexLog.LOG_NAME, Arrays.copyOf(header, k));
            try (HashIndexLog store = HashIndexLog.open(storage, syncing)) {
                store.put(Bytes.of("k"), Bytes.of("acknowledged"));
            }
            storage.powerLoss();
            try (HashIndexLog store = HashIndexLog.open(storage, STRICT)) {
                assertThat(
                        "a log whose " + k
                                + "-byte header was torn is recreated; a write synced into the new log survives"
                                + " a power loss only if the new file was synced into its directory",
                        store.get(Bytes.of("k")),
                        equalTo(Optional.of(Bytes.of("acknowledged"))));
            }
        }

        List<Entry> writes = List.of(
                Entry.put(Bytes.of("a"), Bytes.of("1")),
                Entry.put(Bytes.of("b"), Bytes.of("22")),
                Entry.put(Bytes.of("c"), Bytes.of("333")));
        SpecLog.Built log = SpecLog.log(writes);
        long lastStart = log.lastStart();
        FaultInjectingStorage storage =
                new FaultInjectingStorage(3).crashMode(FaultInjectingStorage.CrashMode.LOSE_UNSYNCED);
        storage.plant(HashIndexLog.LOG_NAME, Arrays.copyOf(log.bytes(), log.bytes().length - 2));
        try (HashIndexLog store =
                HashIndexLog.open(storage, new HashIndexLog.Options(false, RecoveryMode.TOLERATE_TORN_TAIL))) {
            assertThat(
                    "a torn tail is cut, and the cut is forced before any write (the garbage must not come back)",
                    storage.durableContents(HashIndexLog.LOG_NAME).length,
                    equalTo((int) lastStart));
        }
    }

    @Test
    @Graded(task = "T5", points = 4, concept = "concurrent appends to the log interleave or lose records")
    void eightWritersLoseNoRecords() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        int threads = 8;
        int perThread = 400;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (HashIndexLog store = HashIndexLog.open(new JitteryStorage(storage))) {
            TestThreads.runAll(
                    threads,
                    t -> {
                        for (int i = 0; i < perThread; i++) {
                            store.put(key(t, i), value(t, i));
                        }
                    },
                    failures);
            assertThat("no writer may fail", failures, empty());
            assertThat(
                    "every distinct key written by " + threads + " threads is indexed",
                    store.size(),
                    equalTo(threads * perThread));
            assertEveryRecordReadable(store, threads, perThread, "while open");
        }
        try (HashIndexLog store = HashIndexLog.open(storage, STRICT)) {
            assertThat(
                    "the log holds exactly one record per write, none torn or interleaved",
                    store.recoveryReport().records(),
                    equalTo((long) threads * perThread));
            assertEveryRecordReadable(store, threads, perThread, "after reopening");
        }
    }

    @Test
    @Graded(task = "T5", points = 3, concept = "index races: an older record wins the index after a newer one")
    void racingWritesToOneKeyLeaveTheIndexOnTheNewestRecord() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        int threads = 8;
        int rounds = 200;
        CyclicBarrier together = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<Bytes, Optional<Bytes>> served = new HashMap<>();
        try (HashIndexLog store = HashIndexLog.open(
                new JitteryStorage(storage), new HashIndexLog.Options(true, RecoveryMode.TOLERATE_TORN_TAIL))) {
            // Each round, every thread writes the same key at the same moment.
            TestThreads.runAll(
                    threads,
                    t -> {
                        for (int r = 0; r < rounds; r++) {
                            together.await(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
                            store.put(Bytes.of("round-" + r), value(t, r));
                        }
                    },
                    failures);
            assertThat("no writer may fail", failures, empty());
            for (int r = 0; r < rounds; r++) {
                served.put(Bytes.of("round-" + r), store.get(Bytes.of("round-" + r)));
            }
        }
        // The log order is the truth: replaying it decides which write was last.
        TreeMap<Bytes, Bytes> replayed = new TreeMap<>();
        SpecLog.ReadOutcome read = SpecLog.readAll(storage, HashIndexLog.LOG_NAME, RecoveryMode.ABSOLUTE_CONSISTENCY);
        assertThat("the log must read cleanly", read.failure(), equalTo(null));
        read.records().stream().map(LogRecord::entry).forEach(e -> apply(replayed, e));
        for (Map.Entry<Bytes, Optional<Bytes>> e : served.entrySet()) {
            assertThat(
                    "the value of " + e.getKey() + " served from the index must be the newest record in the log "
                            + "for it; append and index update must happen under one lock",
                    e.getValue(),
                    equalTo(Optional.ofNullable(replayed.get(e.getKey()))));
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    static Bytes key(int thread, int i) {
        return Bytes.of("t" + thread + "-" + i);
    }

    static Bytes value(int thread, int i) {
        return Bytes.of("value of thread " + thread + " write " + i + " " + "x".repeat(i % 50));
    }

    private static void assertEveryRecordReadable(HashIndexLog store, int threads, int perThread, String when)
            throws IOException {
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(
                        when + ": the value of " + key(t, i) + " (one writer, one write)",
                        store.get(key(t, i)),
                        equalTo(Optional.of(value(t, i))));
            }
        }
    }

    static void apply(TreeMap<Bytes, Bytes> oracle, Entry e) {
        if (e.isTombstone()) {
            oracle.remove(e.key());
        } else {
            oracle.put(e.key(), e.value());
        }
    }

    /** Checks every key of {@code universe} (live or not) against the oracle, and the live count. */
    private static void assertMatches(
            HashIndexLog store, TreeMap<Bytes, Bytes> oracle, Set<Bytes> universe, String when) throws IOException {
        for (Bytes key : universe) {
            assertThat(when + ": the value of " + key, store.get(key), equalTo(Optional.ofNullable(oracle.get(key))));
        }
        assertThat(when + ": the number of live keys", store.size(), equalTo(oracle.size()));
    }

    private static Set<Bytes> keysOf(List<Entry> writes, String... more) {
        Set<Bytes> keys = new TreeSet<>();
        writes.forEach(e -> keys.add(e.key()));
        for (String k : more) {
            keys.add(Bytes.of(k));
        }
        return keys;
    }
}
