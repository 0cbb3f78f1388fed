package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-01 T5: {@code HashIndexLog.append}, concurrent appends under one lock.
 *
 * <p>Eight writers start together at a {@link CyclicBarrier} and write their own keys and a set of
 * keys they all share. Then the log itself is the oracle: scanned with a {@link LogReader}, it must
 * hold every write as one whole record (no interleaving, nothing lost), each thread's writes in the
 * order the thread made them, and for every key the store must answer with the <em>last</em> record
 * the log holds for it.
 *
 * <p>A race needs another thread to run between two steps of an append, which on a machine with few
 * cores rarely happens by chance. So the storage is wrapped to yield the CPU around every file call
 * ({@link #yielding}), giving each unprotected gap a real chance of being hit.
 */
class ConcurrentAppendTest {

    private static final int THREADS = 8;
    /** Enough for the yields to hit every gap of an unprotected append many times; small enough to finish at load 20. */
    private static final int WRITES_PER_THREAD = 250;

    private static final int SYNCED_WRITES_PER_THREAD = 60;
    private static final int SHARED_KEYS = 16;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);

    @AfterEach
    void stopThreads() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    /**
     * {@code inner}, with every call on it, and on the files it opens for appending, preceded and
     * followed by {@link Thread#yield()}.
     */
    @SuppressWarnings("unchecked")
    private static <T> T yielding(Class<T> type, T inner) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Thread.yield();
            Object result;
            try {
                result = method.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            Thread.yield();
            return result instanceof WritableFile file ? yielding(WritableFile.class, file) : result;
        });
    }

    /** The value a thread writes encodes who wrote it and when: "t3 #41". */
    private static Bytes value(int thread, int seq) {
        return Bytes.of("t" + thread + " #" + seq + " " + "p".repeat(seq % 50));
    }

    private static Bytes key(int thread, int seq) {
        // Every third write goes to a key all threads share; the rest to the thread's own keys.
        return seq % 3 == 0 ? Bytes.of("shared-" + (seq / 3) % SHARED_KEYS) : Bytes.of("own-t" + thread + "-" + seq);
    }

    /** Runs {@link #THREADS} writers from a common start; shared keys are sometimes deleted. */
    private void writeConcurrently(HashIndexLog store) throws Exception {
        writeConcurrently(store, WRITES_PER_THREAD);
    }

    /** {@link #writeConcurrently(HashIndexLog)} with {@code writesPerThread} writes each. */
    private void writeConcurrently(HashIndexLog store, int writesPerThread) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            writers.add(pool.submit(() -> {
                start.await();
                for (int seq = 0; seq < writesPerThread; seq++) {
                    Bytes key = key(thread, seq);
                    if (seq % 9 == 0) {
                        store.delete(key);
                    } else {
                        store.put(key, value(thread, seq));
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : writers) {
            Work.join(w);
        }
    }

    /** Every record of the log, in log order; fails if the log does not scan cleanly to its end. */
    private static List<Entry> scanLog(Storage storage) throws IOException {
        List<Entry> records = new ArrayList<>();
        try (LogReader reader = LogReader.open(storage, HashIndexLog.LOG_NAME, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            for (LogRecord r = reader.next(); r != null; r = reader.next()) {
                records.add(r.entry());
            }
            assertThat(
                    "the log must scan cleanly to its last byte: every append is one whole record",
                    reader.validEnd(),
                    is(reader.fileSize()));
        }
        return records;
    }

    private static void assertLogHoldsEveryWriteInThreadOrder(List<Entry> log) {
        assertThat(
                "the log must hold exactly one record per write: " + THREADS + " threads x " + WRITES_PER_THREAD
                        + " (fewer means appends overwrote each other)",
                log.size(),
                is(THREADS * WRITES_PER_THREAD));
        int[] nextSeq = new int[THREADS];
        for (Entry e : log) {
            if (e.isTombstone()) {
                continue;
            }
            String v = e.value().toUtf8();
            int thread = Integer.parseInt(v.substring(1, v.indexOf(' ')));
            int seq = Integer.parseInt(v.substring(v.indexOf('#') + 1, v.indexOf(' ', v.indexOf('#'))));
            assertThat(
                    "thread " + thread + "'s write #" + seq + " comes after its write #" + (nextSeq[thread] - 1)
                            + " in the log: a thread's writes must reach the log in the order it made them",
                    seq >= nextSeq[thread],
                    is(true));
            assertThat(
                    "record " + e + " must carry the key its writer used: a record is never torn apart",
                    e.key(),
                    equalTo(key(thread, seq)));
            nextSeq[thread] = seq + 1;
        }
    }

    /** For each key, what its last record in the log says: a value, or empty after a tombstone. */
    private static Map<Bytes, Optional<Bytes>> lastRecordPerKey(List<Entry> log) {
        Map<Bytes, Optional<Bytes>> last = new HashMap<>();
        for (Entry e : log) {
            last.put(e.key(), Optional.ofNullable(e.value()));
        }
        return last;
    }

    private static void assertIndexPointsAtLastRecords(
            HashIndexLog store, Map<Bytes, Optional<Bytes>> expected, String when) throws IOException {
        long live = 0;
        for (Map.Entry<Bytes, Optional<Bytes>> e : expected.entrySet()) {
            assertThat(
                    when + ": get(" + e.getKey() + ") must match the key's last record in the log; the index"
                            + " must not keep an older record that lost a race to a newer one",
                    store.get(e.getKey()),
                    equalTo(e.getValue()));
            live += e.getValue().isPresent() ? 1 : 0;
        }
        assertThat(when + ": size() must count the keys whose last record is a value", (long) store.size(), is(live));
    }

    @Test
    void concurrentAppendsAreWholeRecordsAndTheIndexPointsAtTheNewest() throws Exception {
        Storage storage = yielding(Storage.class, DiskStorage.open(dir));
        Map<Bytes, Optional<Bytes>> expected;
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            writeConcurrently(store);
            store.sync();
            List<Entry> log = scanLog(storage);
            assertLogHoldsEveryWriteInThreadOrder(log);
            expected = lastRecordPerKey(log);
            assertIndexPointsAtLastRecords(store, expected, "after the writers finished");
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertIndexPointsAtLastRecords(store, expected, "after reopening (index rebuilt from the log)");
        }
    }

    @Test
    void readersNeverSeeARecordBeforeItIsWritten() throws Exception {
        Storage storage = yielding(Storage.class, DiskStorage.open(dir));
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            Queue<Throwable> readerFailures = new ConcurrentLinkedQueue<>();
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    while (writing.get()) {
                        for (int k = 0; k < SHARED_KEYS; k++) {
                            try {
                                // Any value is fine: the point is that the index never points at bytes
                                // that are not yet in the file, or at another key's record.
                                store.get(Bytes.of("shared-" + k));
                            } catch (IOException | RuntimeException e) {
                                readerFailures.add(e);
                            }
                        }
                    }
                }));
            }
            try {
                writeConcurrently(store);
            } finally {
                writing.set(false);
            }
            for (Future<?> r : readers) {
                Work.join(r);
            }
            assertThat(
                    "gets racing with appends failed: the index must be updated only after the record is"
                            + " in the file",
                    readerFailures.stream()
                            .map(Throwable::toString)
                            .distinct()
                            .limit(3)
                            .toList(),
                    is(empty()));
        }
    }

    @Test
    void syncedConcurrentWritesSurvivePowerLoss() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage(21).crashMode(CrashMode.LOSE_UNSYNCED);
        HashIndexLog.Options syncWrites = new HashIndexLog.Options(true, RecoveryMode.TOLERATE_TORN_TAIL);
        HashIndexLog crashed = HashIndexLog.open(yielding(Storage.class, storage), syncWrites);
        // Fewer writes: each is forced, and every yield around a force gives the CPU to whatever else
        // the machine runs (on a loaded machine, for a whole time slice).
        writeConcurrently(crashed, SYNCED_WRITES_PER_THREAD);
        Map<Bytes, Optional<Bytes>> expected = lastRecordPerKey(scanLog(storage));
        storage.powerLoss(); // the process dies: the store is never closed

        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat(
                    "with syncWrites every write was forced before it returned, so the power loss keeps all of"
                            + " them",
                    store.recoveryReport().records(),
                    is((long) THREADS * SYNCED_WRITES_PER_THREAD));
            assertIndexPointsAtLastRecords(store, expected, "after a power loss with syncWrites");
        }
    }
}
