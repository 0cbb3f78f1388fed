package dev.storagelab.mvcc.hidden;

import static dev.storagelab.mvcc.hidden.Engines.drain;
import static dev.storagelab.mvcc.hidden.Engines.key;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.ForwardingOrderedStore;
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
import dev.storagelab.mvcc.VersionedKey;
import dev.storagelab.mvcc.WriteConflictException;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of garbage collection (lab-06 T6): random interleavings of transactions and
 * collections against a model of the history and of the versions that must remain (jqwik shrinks a
 * failure to a short interleaving), exact removal counts over the three engines, the order a
 * tombstone goes in, collections racing with transactions that begin, read and commit, and the
 * background collector held back by a long reader.
 */
@Tag("hidden")
class GarbageCollectionHiddenTest {

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    /** The versions an engine holds, decoded: key -> ts -> value (null: tombstone). */
    private static TreeMap<Bytes, TreeMap<Long, Bytes>> stored(OrderedStore engine) throws IOException {
        TreeMap<Bytes, TreeMap<Long, Bytes>> out = new TreeMap<>();
        for (Entry e : drain(engine.scan(null, null))) {
            VersionedKey v = VersionedKey.decode(e.key());
            out.computeIfAbsent(v.userKey(), k -> new TreeMap<>())
                    .put(v.commitTs(), MvccStore.decodeValue(e.value(), e.key()));
        }
        return out;
    }

    /** The documented rule, on a model of the stored versions; returns how many it removes. */
    private static long collect(TreeMap<Bytes, TreeMap<Long, Bytes>> stored, long watermark) {
        long removed = 0;
        for (var it = stored.entrySet().iterator(); it.hasNext(); ) {
            TreeMap<Long, Bytes> versions = it.next().getValue();
            Long base = versions.floorKey(watermark);
            if (base == null) {
                continue;
            }
            int before = versions.size();
            versions.headMap(base, false).clear();
            if (versions.get(base) == null && versions.lastKey().equals(base)) {
                versions.remove(base);
            }
            removed += before - versions.size();
            if (versions.isEmpty()) {
                it.remove();
            }
        }
        return removed;
    }

    private static Optional<Bytes> read(Map<Bytes, TreeMap<Long, Bytes>> history, Bytes key, long ts) {
        TreeMap<Long, Bytes> versions = history.get(key);
        Map.Entry<Long, Bytes> e = versions == null ? null : versions.floorEntry(ts);
        return e == null ? Optional.empty() : Optional.ofNullable(e.getValue());
    }

    // ------------------------------------------------------------------ model-based interleavings

    sealed interface Op permits Begin, Write, Commit, Abort, Gc {}

    record Begin(int slot) implements Op {}

    /** A put of {@code value}, or a delete if it is negative. */
    record Write(int slot, int key, int value) implements Op {}

    record Commit(int slot) implements Op {}

    record Abort(int slot) implements Op {}

    record Gc() implements Op {}

    private static final int SLOTS = 4;
    private static final int KEYS = 5;

    @Provide
    Arbitrary<List<Op>> interleavings() {
        Arbitrary<Integer> slot = Arbitraries.integers().between(0, SLOTS - 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, slot.map(Begin::new)),
                net.jqwik.api.Tuple.of(
                        8,
                        Combinators.combine(
                                        slot,
                                        Arbitraries.integers().between(0, KEYS - 1),
                                        Arbitraries.integers().between(-2, 9))
                                .as(Write::new)),
                net.jqwik.api.Tuple.of(4, slot.map(Commit::new)),
                net.jqwik.api.Tuple.of(1, slot.map(Abort::new)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new Gc())));
        return op.list().ofMinSize(5).ofMaxSize(70);
    }

    /** A live transaction of the model: its start and its writes (null value: delete). */
    private static final class Live {
        final Transaction txn;
        final long startTs;
        final TreeMap<Bytes, Bytes> writes = new TreeMap<>();
        final TreeMap<Bytes, Boolean> written = new TreeMap<>();

        Live(Transaction txn, long startTs) {
            this.txn = txn;
            this.startTs = startTs;
        }
    }

    @Property(tries = 250)
    @Graded(
            task = "T6",
            points = 4,
            concept = "garbage collection removes a version that a live snapshot can still read, or keeps or "
                    + "removes the wrong versions, over random interleavings of transactions and collections")
    void gcNeverRemovesAVersionALiveSnapshotCanRead(@ForAll("interleavings") List<Op> ops) throws IOException {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        TransactionManager m = new TransactionManager(new MvccStore(engine), CommitLog.NONE);
        Map<Bytes, TreeMap<Long, Bytes>> history = new HashMap<>();
        TreeMap<Bytes, TreeMap<Long, Bytes>> model = new TreeMap<>();
        Live[] slots = new Live[SLOTS];
        long lastTs = 0;
        for (Op op : ops) {
            if (op instanceof Begin begin) {
                if (slots[begin.slot()] == null) {
                    Transaction t = m.begin();
                    assertThat("a transaction starts at the newest commit", t.startTs(), equalTo(lastTs));
                    slots[begin.slot()] = new Live(t, t.startTs());
                }
            } else if (op instanceof Write w) {
                Live l = slots[w.slot()];
                if (l != null) {
                    Bytes k = key(w.key());
                    Bytes v = w.value() < 0 ? null : b("v" + w.value() + "." + w.slot());
                    if (v == null) {
                        l.txn.delete(k);
                    } else {
                        l.txn.put(k, v);
                    }
                    l.writes.put(k, v);
                    l.written.put(k, true);
                }
            } else if (op instanceof Commit c) {
                Live l = slots[c.slot()];
                if (l != null) {
                    slots[c.slot()] = null;
                    boolean conflict = false;
                    for (Bytes k : l.written.keySet()) {
                        TreeMap<Long, Bytes> versions = history.get(k);
                        conflict |= versions != null && versions.lastKey() > l.startTs;
                    }
                    if (l.written.isEmpty()) {
                        assertThat(l.txn.commit(), equalTo(l.startTs));
                    } else if (conflict) {
                        assertThrows(WriteConflictException.class, l.txn::commit);
                    } else {
                        long ts = l.txn.commit();
                        assertThat(ts, equalTo(++lastTs));
                        for (Bytes k : l.written.keySet()) {
                            history.computeIfAbsent(k, x -> new TreeMap<>()).put(ts, l.writes.get(k));
                            model.computeIfAbsent(k, x -> new TreeMap<>()).put(ts, l.writes.get(k));
                        }
                    }
                }
            } else if (op instanceof Abort a) {
                if (slots[a.slot()] != null) {
                    slots[a.slot()].txn.abort();
                    slots[a.slot()] = null;
                }
            } else {
                long watermark = lastTs;
                for (Live l : slots) {
                    if (l != null) {
                        watermark = Math.min(watermark, l.startTs);
                    }
                }
                assertThat(
                        "the watermark: the oldest live start, or the newest commit",
                        m.gcWatermark(),
                        equalTo(watermark));
                MvccStore.GcResult r = m.collectGarbage();
                long removed = collect(model, watermark);
                assertThat("versions left after a collection at " + watermark, stored(engine), equalTo(model));
                assertThat("versions removed", r.versionsRemoved(), equalTo(removed));
                for (Live l : slots) {
                    if (l != null) {
                        for (int k = 0; k < KEYS; k++) {
                            Bytes key = key(k);
                            Optional<Bytes> expected = l.written.containsKey(key)
                                    ? Optional.ofNullable(l.writes.get(key))
                                    : read(history, key, l.startTs);
                            assertThat(
                                    "a snapshot at " + l.startTs + " reads " + key + " after a collection at "
                                            + watermark,
                                    l.txn.get(key),
                                    equalTo(expected));
                        }
                        TreeMap<Bytes, Bytes> view = new TreeMap<>();
                        for (Bytes key : history.keySet()) {
                            read(history, key, l.startTs).ifPresent(v -> view.put(key, v));
                        }
                        l.writes.forEach((k, v) -> {
                            if (v == null) {
                                view.remove(k);
                            } else {
                                view.put(k, v);
                            }
                        });
                        List<Entry> scan = new ArrayList<>();
                        view.forEach((k, v) -> scan.add(Entry.put(k, v)));
                        assertThat(
                                "a snapshot's scan after a collection", drain(l.txn.scan(null, null)), equalTo(scan));
                    }
                }
            }
        }
        for (Live l : slots) {
            if (l != null) {
                l.txn.close();
            }
        }
        assertThat(m.activeTransactions(), equalTo(0));
    }

    // ------------------------------------------------------------------ what a pass removes

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept =
                    "a garbage-collection pass does not remove exactly the versions older than the newest at "
                            + "or below the watermark (and the tombstones nothing newer follows), or miscounts them, on one of the engines")
    void aPassRemovesExactlyWhatTheRuleSaysOnEveryEngine() throws IOException {
        for (Engines.Kind kind : Engines.Kind.values()) {
            try (OrderedStore engine = Engines.open(kind)) {
                MvccStore store = new MvccStore(engine);
                TreeMap<Bytes, TreeMap<Long, Bytes>> model = new TreeMap<>();
                Random random = new Random(42 + kind.ordinal());
                long ts = 0;
                long watermark = 0;
                for (int round = 0; round < 6; round++) {
                    for (int c = 0; c < 60; c++) {
                        ts++;
                        TreeMap<Bytes, Entry> writes = new TreeMap<>();
                        for (int i = 0; i < 3; i++) {
                            Bytes k = key(random.nextInt(40));
                            writes.put(k, random.nextInt(5) == 0 ? Entry.tombstone(k) : Entry.put(k, b("v" + ts)));
                        }
                        store.write(ts, new ArrayList<>(writes.values()));
                        for (Entry e : writes.values()) {
                            model.computeIfAbsent(e.key(), x -> new TreeMap<>()).put(ts, e.value());
                        }
                    }
                    watermark = Math.min(ts, watermark + random.nextInt(90));
                    long versions =
                            model.values().stream().mapToLong(TreeMap::size).sum();
                    long keys = model.size();
                    long removed = collect(model, watermark);
                    MvccStore.GcResult r = store.collectGarbage(watermark);
                    assertThat(
                            kind + ": the pass's counts at watermark " + watermark,
                            r,
                            equalTo(new MvccStore.GcResult(keys, versions, removed)));
                    assertThat(kind + ": the versions left", stored(engine), equalTo(model));
                }
                assertThat(
                        "the test removed something",
                        model.values().stream().mapToLong(TreeMap::size).sum(),
                        greaterThan(0L));
            }
        }
    }

    /** An engine that records the engine keys it deletes, in order. */
    private static final class RecordingEngine extends ForwardingOrderedStore {
        final List<Bytes> deleted = new ArrayList<>();

        RecordingEngine(OrderedStore delegate) {
            super(delegate);
        }

        @Override
        public void delete(Bytes key) throws IOException {
            deleted.add(key);
            super.delete(key);
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a tombstone is collected before the older versions it hides (a reader or a crash in "
                    + "between sees a deleted value come back), or a tombstone with a newer version is collected")
    void aTombstoneGoesAfterTheVersionsItHides() throws IOException {
        RecordingEngine engine = new RecordingEngine(new MemoryOrderedStore());
        MvccStore store = new MvccStore(engine);
        for (long ts = 1; ts <= 5; ts++) {
            store.write(ts, List.of(Entry.put(b("gone"), b("v" + ts)), Entry.put(b("kept"), b("w" + ts))));
        }
        store.write(6, List.of(Entry.tombstone(b("gone")), Entry.tombstone(b("kept"))));
        store.write(9, List.of(Entry.put(b("kept"), b("back"))));
        MvccStore.GcResult r = store.collectGarbage(7);
        List<VersionedKey> order = new ArrayList<>();
        for (Bytes k : engine.deleted) {
            order.add(VersionedKey.decode(k));
        }
        int tombstoneAt = order.indexOf(new VersionedKey(b("gone"), 6));
        assertThat("the tombstone of gone is collected: " + order, tombstoneAt, greaterThanOrEqualTo(0));
        for (long ts = 1; ts <= 5; ts++) {
            int at = order.indexOf(new VersionedKey(b("gone"), ts));
            assertThat(
                    "gone@" + ts + " is collected before its tombstone: " + order,
                    at >= 0 && at < tombstoneAt,
                    is(true));
        }
        assertThat(
                "kept's tombstone has a newer version above the watermark and stays",
                order.contains(new VersionedKey(b("kept"), 6)),
                is(false));
        assertThat(r.versionsRemoved(), equalTo(11L));
        assertThat(store.get(b("kept"), 7), equalTo(Optional.empty()));
        assertThat(store.get(b("kept"), 9), equalTo(Optional.of(b("back"))));
    }

    // ------------------------------------------------------------------ collections racing with transactions

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a garbage collection racing with transactions that begin, read and commit removes a "
                    + "version one of them can read (the watermark misses a transaction that is starting)")
    void collectionsRacingWithTransactionsNeverBreakASnapshot() throws Exception {
        for (Engines.Kind kind : Engines.Kind.values()) {
            try (OrderedStore engine = Engines.open(kind)) {
                TransactionManager m = new TransactionManager(new MvccStore(engine), CommitLog.NONE);
                int pairs = 8;
                AtomicInteger writersLeft = new AtomicInteger(3);
                AtomicInteger checks = new AtomicInteger();
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                TestThreads.runAll(
                        6,
                        thread -> {
                            ThreadLocalRandom random = ThreadLocalRandom.current();
                            if (thread == 0) {
                                while (writersLeft.get() > 0) {
                                    m.collectGarbage();
                                }
                            } else if (thread <= 3) {
                                try {
                                    for (int n = 0; n < 150; n++) {
                                        int p = random.nextInt(pairs);
                                        try (Transaction t = m.begin()) {
                                            if (random.nextInt(4) == 0) {
                                                t.delete(b("pair" + p + ":a"));
                                                t.delete(b("pair" + p + ":b"));
                                            } else {
                                                t.put(b("pair" + p + ":a"), b(thread + "." + n));
                                                t.put(b("pair" + p + ":b"), b(thread + "." + n));
                                            }
                                            t.commit();
                                        } catch (ConflictException e) {
                                            // fine: another writer won
                                        }
                                    }
                                } finally {
                                    writersLeft.decrementAndGet();
                                }
                            } else {
                                while (writersLeft.get() > 0 || checks.get() < 10) {
                                    try (Transaction t = m.begin()) {
                                        int p = random.nextInt(pairs);
                                        Optional<Bytes> a = t.get(b("pair" + p + ":a"));
                                        Thread.yield();
                                        List<Entry> scan = drain(t.scan(null, null));
                                        Optional<Bytes> b2 = t.get(b("pair" + p + ":b"));
                                        Optional<Bytes> again = t.get(b("pair" + p + ":a"));
                                        assertThat(
                                                kind + ": a pair written together is read together at " + t.startTs(),
                                                b2,
                                                equalTo(a));
                                        assertThat(kind + ": a snapshot reads the same value twice", again, equalTo(a));
                                        assertThat(kind + ": a scan holds whole pairs", scan.size() % 2, equalTo(0));
                                        for (int i = 0; i + 1 < scan.size(); i += 2) {
                                            assertThat(
                                                    scan.get(i).value(),
                                                    equalTo(scan.get(i + 1).value()));
                                        }
                                        checks.incrementAndGet();
                                    }
                                }
                            }
                        },
                        failures);
                if (!failures.isEmpty()) {
                    AssertionError e = new AssertionError(kind + ": " + failures.get(0), failures.get(0));
                    throw e;
                }
                m.collectGarbage();
                long live;
                try (Transaction t = m.begin()) {
                    live = drain(t.scan(null, null)).size();
                }
                assertThat(
                        kind + ": with no transaction open, one version per live key is left",
                        (long) drain(engine.scan(null, null)).size(),
                        equalTo(live));
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "the background collector removes versions a long-running reader needs, never runs, or "
                    + "does not catch up once the reader closes")
    void theBackgroundCollectorWaitsForTheLongReader() throws Exception {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        TransactionManager m = new TransactionManager(
                new MvccStore(engine),
                CommitLog.NONE,
                TransactionManager.Options.defaults().withGcInterval(Duration.ofMillis(1)));
        try {
            try (Transaction t = m.begin()) {
                t.put(b("k"), b("first"));
                t.commit();
            }
            Transaction reader = m.begin();
            for (int i = 0; i < 50; i++) {
                try (Transaction t = m.begin()) {
                    t.put(b("k"), b("v" + i));
                    t.commit();
                }
            }
            long runs = m.gcRuns();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
            while (m.gcRuns() < runs + 3) {
                if (m.lastGcFailure() != null) {
                    throw new AssertionError("the background collection failed", m.lastGcFailure());
                }
                assertThat("the background collector runs", System.nanoTime() < deadline, is(true));
                Thread.sleep(1);
            }
            assertThat(reader.get(b("k")), equalTo(Optional.of(b("first"))));
            assertThat("the reader's version and every newer one stay", engine.size(), equalTo(51));
            reader.close();
            while (engine.size() > 1) {
                if (m.lastGcFailure() != null) {
                    throw new AssertionError("the background collection failed", m.lastGcFailure());
                }
                assertThat("the collector catches up once the reader is gone", System.nanoTime() < deadline, is(true));
                Thread.sleep(1);
            }
            try (Transaction t = m.begin()) {
                assertThat(t.get(b("k")), equalTo(Optional.of(b("v49"))));
            }
        } finally {
            m.close();
        }
        assertThat(m.lastGcFailure() == null, is(true));
    }
}
