package dev.storagelab.mvcc.hidden;

import static dev.storagelab.mvcc.hidden.Engines.drain;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.mvcc.VersionedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the MVCC store (lab-06 T4): random histories of versioned writes against a model
 * {@code TreeMap<key, TreeMap<ts, value or tombstone>>}, read back by gets and scans at every
 * timestamp, over the in-memory engine (jqwik shrinks a failure to a short history), the lab-04
 * B+tree and the lab-05 LSM tree; that reads seek instead of walking versions; and corruption.
 */
@Tag("hidden")
class MvccStoreHiddenTest {

    /** Keys that are prefixes of each other and hold the bytes an escape encoding must handle. */
    private static final List<Bytes> KEYS = List.of(
            Bytes.wrap(new byte[] {0}),
            Bytes.wrap(new byte[] {0, 0}),
            Bytes.of("a"),
            Bytes.wrap(new byte[] {'a', 0}),
            Bytes.wrap(new byte[] {'a', 0, 1}),
            Bytes.of("ab"),
            Bytes.of("b"),
            Bytes.wrap(new byte[] {(byte) 0xff}),
            Bytes.wrap(new byte[] {(byte) 0xff, 0}));

    /** One commit of a history: (key index, value or -1 for a delete) pairs. */
    record Commit(List<Integer> keys, List<Integer> values) {}

    @Provide
    Arbitrary<List<Commit>> histories() {
        Arbitrary<Commit> commit = Combinators.combine(
                        Arbitraries.integers()
                                .between(0, KEYS.size() - 1)
                                .list()
                                .ofMinSize(1)
                                .ofMaxSize(4),
                        Arbitraries.integers().between(-1, 20).list().ofSize(4))
                .as(Commit::new);
        return commit.list().ofMinSize(1).ofMaxSize(40);
    }

    private static TreeMap<Bytes, TreeMap<Long, Bytes>> apply(MvccStore store, List<Commit> history)
            throws IOException {
        TreeMap<Bytes, TreeMap<Long, Bytes>> model = new TreeMap<>();
        long ts = 0;
        for (Commit c : history) {
            ts += 1;
            TreeMap<Bytes, Entry> writes = new TreeMap<>();
            for (int i = 0; i < c.keys().size(); i++) {
                Bytes k = KEYS.get(c.keys().get(i));
                int v = c.values().get(i);
                writes.put(k, v < 0 ? Entry.tombstone(k) : Entry.put(k, Bytes.of("v" + v + "@" + ts)));
            }
            store.write(ts, new ArrayList<>(writes.values()));
            for (Entry e : writes.values()) {
                model.computeIfAbsent(e.key(), k -> new TreeMap<>()).put(ts, e.value());
            }
        }
        return model;
    }

    private static Optional<Bytes> read(TreeMap<Bytes, TreeMap<Long, Bytes>> model, Bytes key, long ts) {
        TreeMap<Long, Bytes> versions = model.get(key);
        Map.Entry<Long, Bytes> e = versions == null ? null : versions.floorEntry(ts);
        return e == null ? Optional.empty() : Optional.ofNullable(e.getValue());
    }

    private static List<Entry> scanModel(TreeMap<Bytes, TreeMap<Long, Bytes>> model, Bytes from, Bytes to, long ts) {
        List<Entry> out = new ArrayList<>();
        for (Bytes k : model.keySet()) {
            if ((from == null || k.compareTo(from) >= 0) && (to == null || k.compareTo(to) < 0)) {
                read(model, k, ts).ifPresent(v -> out.add(Entry.put(k, v)));
            }
        }
        return out;
    }

    private static void checkEveryTimestamp(
            MvccStore store, TreeMap<Bytes, TreeMap<Long, Bytes>> model, long last, List<Bytes> keys)
            throws IOException {
        for (long ts = 0; ts <= last + 1; ts++) {
            for (Bytes k : keys) {
                assertThat("get " + k + " at " + ts, store.get(k, ts), equalTo(read(model, k, ts)));
            }
            assertThat(
                    "scan everything at " + ts,
                    drain(store.scan(null, null, ts)),
                    equalTo(scanModel(model, null, null, ts)));
        }
    }

    @Property(tries = 150)
    @Graded(
            task = "T4",
            points = 4,
            concept =
                    "a read at a timestamp does not return the newest version at or before it (a newer "
                            + "version, an older one, a deleted key, or a prefix key mixed up with a longer one), by get or by scan")
    void historiesMatchTheModelAtEveryTimestamp(@ForAll("histories") List<Commit> history) throws IOException {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        MvccStore store = new MvccStore(engine);
        TreeMap<Bytes, TreeMap<Long, Bytes>> model = apply(store, history);
        checkEveryTimestamp(store, model, history.size(), KEYS);
        // the same versions read by scans that seek after one or two steps: every seek path taken
        checkEveryTimestamp(new MvccStore(engine, 1), model, history.size(), KEYS);
        checkEveryTimestamp(new MvccStore(engine, 2), model, history.size(), KEYS);
        Random random = new Random(history.hashCode());
        for (int i = 0; i < 60; i++) {
            Bytes a = KEYS.get(random.nextInt(KEYS.size()));
            Bytes b = KEYS.get(random.nextInt(KEYS.size()));
            Bytes from = a.compareTo(b) <= 0 ? a : b;
            Bytes to = a.compareTo(b) <= 0 ? b : a;
            long ts = random.nextInt(history.size() + 2);
            MvccStore reader = i % 2 == 0 ? store : new MvccStore(engine, 1);
            assertThat(
                    "scan [" + from + ", " + to + ") at " + ts,
                    drain(reader.scan(from, to, ts)),
                    equalTo(scanModel(model, from, to, ts)));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "MVCC reads are wrong over the lab-04 B+tree or the lab-05 LSM tree (versions spread "
                    + "over many pages, tables and levels)")
    void historiesMatchTheModelOverTheBTreeAndTheLsm() throws IOException {
        for (Engines.Kind kind : List.of(Engines.Kind.BTREE, Engines.Kind.LSM)) {
            try (OrderedStore engine = Engines.open(kind)) {
                MvccStore store = new MvccStore(engine);
                Random random = new Random(kind.ordinal() + 11);
                List<Commit> history = new ArrayList<>();
                for (int c = 0; c < 250; c++) {
                    List<Integer> keys = new ArrayList<>();
                    List<Integer> values = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        keys.add(random.nextInt(KEYS.size()));
                        values.add(random.nextInt(10) == 0 ? -1 : random.nextInt(1000));
                    }
                    history.add(new Commit(keys, values));
                }
                TreeMap<Bytes, TreeMap<Long, Bytes>> model = apply(store, history);
                for (long ts = 0; ts <= history.size() + 1; ts += 1 + random.nextInt(4)) {
                    for (Bytes k : KEYS) {
                        assertThat(kind + ": get " + k + " at " + ts, store.get(k, ts), equalTo(read(model, k, ts)));
                    }
                    assertThat(
                            kind + ": scan at " + ts,
                            drain(store.scan(null, null, ts)),
                            equalTo(scanModel(model, null, null, ts)));
                    assertThat(
                            kind + ": scan at " + ts + ", seeking after 2 steps",
                            drain(new MvccStore(engine, 2).scan(null, null, ts)),
                            equalTo(scanModel(model, null, null, ts)));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "a snapshot scan walks every version of a key (newer or older than its snapshot) "
                    + "instead of seeking past them after a few steps")
    void aScanSeeksPastLongVersionChains() throws IOException {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        MvccStore store = new MvccStore(engine);
        int keys = 20;
        for (long ts = 1; ts <= 200; ts++) {
            List<Entry> writes = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                writes.add(Entry.put(Engines.key(k), Bytes.of("v" + ts)));
            }
            store.write(ts, writes);
        }
        for (long readTs : new long[] {1, 100, 200}) {
            long before = engine.entriesRead();
            List<Entry> got = drain(store.scan(null, null, readTs));
            assertThat(got.size(), equalTo(keys));
            assertThat(got.get(7).value(), equalTo(Bytes.of("v" + readTs)));
            long perKey = (engine.entriesRead() - before) / keys;
            assertThat(
                    "engine entries read per key at " + readTs + " (200 versions each)",
                    perKey,
                    lessThanOrEqualTo(2L * MvccStore.MAX_SEQUENTIAL_SKIP + 3));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "a snapshot scan seeks before it has stepped over maxSequentialSkip versions of a key, "
                    + "or never steps and seeks every key: a seek is a new engine scan, dearer than a step")
    void aScanStepsOverShortRunsWithoutSeeking() throws IOException {
        int max = 3;
        int keys = 10;
        int versions = 6;
        MemoryOrderedStore engine = new MemoryOrderedStore();
        MvccStore store = new MvccStore(engine, max);
        for (long ts = 1; ts <= versions; ts++) {
            List<Entry> writes = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                writes.add(Entry.put(Engines.key(k), Bytes.of("v" + ts)));
            }
            store.write(ts, writes);
        }
        // at readTs the first pass runs over versions - readTs newer versions, the second over the
        // visible one and the readTs - 1 older ones: each run longer than max costs one seek per key
        for (long readTs = 0; readTs <= versions + 1; readTs++) {
            long newer = Math.max(0, versions - readTs);
            long visibleAndOlder = Math.min(readTs, versions);
            long seeksPerKey = (newer > max ? 1 : 0) + (visibleAndOlder > max ? 1 : 0);
            long before = engine.scansOpened();
            List<Entry> got = drain(store.scan(null, null, readTs));
            assertThat("keys read at " + readTs, got.size(), equalTo(readTs == 0 ? 0 : keys));
            assertThat(
                    "engine scans opened by a scan at " + readTs + " (" + newer + " newer versions, then "
                            + visibleAndOlder + " at or before it, per key; seeking after " + max + " steps)",
                    engine.scansOpened() - before,
                    equalTo(1 + keys * seeksPerKey));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "a get walks the versions newer than its read timestamp instead of seeking to its version")
    void aGetIsOneSeek() throws IOException {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        MvccStore store = new MvccStore(engine);
        for (long ts = 1; ts <= 100; ts++) {
            store.write(
                    ts,
                    List.of(
                            Entry.put(Bytes.of("k"), Bytes.of("v" + ts)),
                            Entry.put(Bytes.of("l"), Bytes.of("w" + ts))));
        }
        for (long readTs = 0; readTs <= 101; readTs++) {
            long entries = engine.entriesRead();
            long scans = engine.scansOpened();
            Optional<Bytes> v = store.get(Bytes.of("k"), readTs);
            assertThat(v, equalTo(readTs == 0 ? Optional.empty() : Optional.of(Bytes.of("v" + Math.min(readTs, 100)))));
            assertThat("entries read by a get at " + readTs, engine.entriesRead() - entries, lessThanOrEqualTo(1L));
            assertThat("scans opened by a get", engine.scansOpened() - scans, equalTo(1L));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "a stored version with an unknown kind byte, or an engine key that is not a versioned "
                    + "key, is read as data instead of reported as corruption naming the key")
    void corruptVersionsAreReported() throws IOException {
        MemoryOrderedStore engine = new MemoryOrderedStore();
        MvccStore store = new MvccStore(engine);
        store.write(1, List.of(Entry.put(Bytes.of("k"), Bytes.of("v"))));
        engine.put(new VersionedKey(Bytes.of("k"), 2).encode(), Bytes.wrap(new byte[] {7, 'x'}));
        CorruptionException bad = assertThrows(CorruptionException.class, () -> store.get(Bytes.of("k"), 2));
        assertThat(
                "the message names the key: " + bad.getMessage(),
                bad.getMessage().contains("versioned key \"k"),
                equalTo(true));
        assertThat(
                "the version below it is still readable",
                store.get(Bytes.of("k"), 1),
                equalTo(Optional.of(Bytes.of("v"))));
        engine.put(Bytes.of("zz-not-versioned"), Bytes.wrap(new byte[] {1}));
        try (EntryIterator it = store.scan(Bytes.of("l"), null, 5)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> it.forEachRemaining(x -> {}));
            assertThat(e.getCause(), instanceOf(CorruptionException.class));
        }
    }
}
