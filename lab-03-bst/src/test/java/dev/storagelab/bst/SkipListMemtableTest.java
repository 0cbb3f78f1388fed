package dev.storagelab.bst;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-03 T7: {@link SkipListMemtable#apply}, {@link SkipListMemtable#get},
 * {@link SkipListMemtable#iterator(Bytes)} and {@link SkipListMemtable#descendingIterator(Bytes)}:
 * the lab-01 {@link dev.storagelab.kv.Memtable} contract on this lab's skip list. A delete is
 * recorded as a tombstone and returned as one (null means "this memtable knows nothing of the
 * key, look in older data"); {@code approximateBytes()} charges each live entry once, so the store
 * flushes at the right size; a frozen memtable refuses writes; and the lab-01
 * {@link SortedLogStore} runs on it unchanged, through
 * {@code SortedLogOptions.builder().memtableFactory(SkipListMemtable::new)}.
 *
 * <p>The oracle is a {@link TreeMap} from key to newest entry. Keys include bytes above 0x7f, which
 * {@link Bytes} orders unsigned.
 */
class SkipListMemtableTest {

    @TempDir
    Path dir;

    /** Bytes where signed and unsigned order disagree, plus ordinary letters. */
    private static final byte[] KEY_BYTES = {0x00, 'a', 'k', 0x7f, (byte) 0x80, (byte) 0xff};

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private static Entry put(String key, String value) {
        return Entry.put(b(key), b(value));
    }

    private static Entry tombstone(String key) {
        return Entry.tombstone(b(key));
    }

    private static Bytes randomKey(Random random, int maxLength) {
        byte[] key = new byte[1 + random.nextInt(maxLength)];
        for (int i = 0; i < key.length; i++) {
            key[i] = KEY_BYTES[random.nextInt(KEY_BYTES.length)];
        }
        return Bytes.wrap(key);
    }

    private static Entry randomEntry(Random random, int maxKeyLength) {
        Bytes key = randomKey(random, maxKeyLength);
        return random.nextInt(4) == 0 ? Entry.tombstone(key) : Entry.put(key, b("v".repeat(random.nextInt(20))));
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                out.add(it.next());
                assertThat(
                        "the scan yields more entries than any memtable here holds: does it go round in a cycle?",
                        out.size() < 100_000,
                        is(true));
            }
        }
        return out;
    }

    private static SkipListMemtable memtableOf(Entry... entries) {
        SkipListMemtable m = new SkipListMemtable(1);
        for (Entry e : entries) {
            m.apply(e);
        }
        return m;
    }

    @Test
    void getReturnsTheNewestEntryTombstonesIncluded() {
        SkipListMemtable m = memtableOf(put("a", "1"), put("b", "2"), tombstone("c"));
        assertThat("get(a) returns the entry applied for a", m.get(b("a")), is(put("a", "1")));
        assertThat(
                "get(c) returns the tombstone, not null: the store must stop here and not find an older value"
                        + " of c in a segment",
                m.get(b("c")),
                is(tombstone("c")));
        assertThat("get of a key never applied is null: look in older data", m.get(b("d")), is(nullValue()));
        m.apply(put("a", "3"));
        assertThat("a newer entry for a replaces the older one", m.get(b("a")), is(put("a", "3")));
        m.apply(tombstone("b"));
        assertThat("a tombstone replaces a value", m.get(b("b")), is(tombstone("b")));
        m.apply(put("c", "4"));
        assertThat("a value replaces a tombstone", m.get(b("c")), is(put("c", "4")));
        assertThat("size() counts distinct keys, tombstones included", m.size(), is(3));
    }

    @Test
    void anEmptyMemtableHoldsNothing() {
        SkipListMemtable m = new SkipListMemtable();
        assertThat("get on an empty memtable", m.get(b("k")), is(nullValue()));
        assertThat("an empty memtable scans to nothing", drain(m.iterator()), is(empty()));
        assertThat("an empty memtable scans backwards to nothing", drain(m.descendingIterator(null)), is(empty()));
        assertThat("an empty memtable holds no bytes", m.approximateBytes(), is(0L));
    }

    @Test
    void approximateBytesChargesEachLiveEntryOnce() {
        SkipListMemtable m = new SkipListMemtable(2);
        Entry small = put("key", "v");
        m.apply(small);
        assertThat("one entry: its approximateBytes()", m.approximateBytes(), is(small.approximateBytes()));
        Entry large = put("key", "a much longer value");
        m.apply(large);
        assertThat(
                "a replacement subtracts the old entry and adds the new one: the store flushes by this number,"
                        + " and a memtable that is overwritten in place does not grow",
                m.approximateBytes(),
                is(large.approximateBytes()));
        Entry deleted = tombstone("key");
        m.apply(deleted);
        assertThat(
                "a tombstone replacing a value: only the tombstone is charged",
                m.approximateBytes(),
                is(deleted.approximateBytes()));
        Entry other = put("other", "x");
        m.apply(other);
        assertThat(
                "two keys: the sum of their entries",
                m.approximateBytes(),
                is(deleted.approximateBytes() + other.approximateBytes()));

        Random random = new Random(71);
        SkipListMemtable r = new SkipListMemtable(3);
        TreeMap<Bytes, Entry> oracle = new TreeMap<>();
        for (int i = 0; i < 2_000; i++) {
            Entry e = randomEntry(random, 2);
            r.apply(e);
            oracle.put(e.key(), e);
            long expected =
                    oracle.values().stream().mapToLong(Entry::approximateBytes).sum();
            assertThat(
                    "approximateBytes after " + (i + 1) + " random writes over few keys (most replace an entry):"
                            + " the sum over the entries held",
                    r.approximateBytes(),
                    is(expected));
        }
        assertThat("size() counts the distinct keys", r.size(), is(oracle.size()));
    }

    @Test
    void iteratorFromSeeksToTheFirstKeyAtOrAfter() {
        SkipListMemtable m = memtableOf(put("b", "1"), tombstone("d"), put("f", "3"));
        List<Entry> all = List.of(put("b", "1"), tombstone("d"), put("f", "3"));
        assertThat(
                "iterator(null) scans everything in key order, tombstones included",
                drain(m.iterator(null)),
                equalTo(all));
        assertThat("iterator(a): a is below the first key, so everything", drain(m.iterator(b("a"))), equalTo(all));
        assertThat("iterator(b): a present key is included", drain(m.iterator(b("b"))), equalTo(all));
        assertThat(
                "iterator(c): an absent key starts at the next one, d",
                drain(m.iterator(b("c"))),
                equalTo(all.subList(1, 3)));
        assertThat("iterator(f): the last key alone", drain(m.iterator(b("f"))), equalTo(all.subList(2, 3)));
        assertThat("iterator(g): above the last key, nothing", drain(m.iterator(b("g"))), is(empty()));
    }

    @Test
    void descendingIteratorFromSeeksToTheLastKeyAtOrBefore() {
        SkipListMemtable m = memtableOf(put("b", "1"), tombstone("d"), put("f", "3"));
        List<Entry> all = List.of(put("f", "3"), tombstone("d"), put("b", "1"));
        assertThat(
                "descendingIterator(null) scans everything in decreasing key order",
                drain(m.descendingIterator(null)),
                equalTo(all));
        assertThat(
                "descendingIterator(g): above the last key, so everything",
                drain(m.descendingIterator(b("g"))),
                equalTo(all));
        assertThat(
                "descendingIterator(f): a present key is included", drain(m.descendingIterator(b("f"))), equalTo(all));
        assertThat(
                "descendingIterator(e): an absent key starts at the one before, d",
                drain(m.descendingIterator(b("e"))),
                equalTo(all.subList(1, 3)));
        assertThat(
                "descendingIterator(b): the first key alone",
                drain(m.descendingIterator(b("b"))),
                equalTo(all.subList(2, 3)));
        assertThat(
                "descendingIterator(a): below the first key, nothing",
                drain(m.descendingIterator(b("a"))),
                is(empty()));
        EntryIterator done = m.descendingIterator(b("a"));
        assertThrows(NoSuchElementException.class, done::next, "next() after the end of a scan throws");
    }

    @Test
    void scansFromEveryKeyMatchTheOracle() {
        Random random = new Random(72);
        SkipListMemtable m = new SkipListMemtable(4);
        TreeMap<Bytes, Entry> oracle = new TreeMap<>();
        for (int i = 0; i < 600; i++) {
            Entry e = randomEntry(random, 3);
            m.apply(e);
            oracle.put(e.key(), e);
        }
        assertThat(
                "the whole scan is in unsigned byte order (0x80 and 0xff sort after 0x7f)",
                drain(m.iterator()),
                equalTo(new ArrayList<>(oracle.values())));
        for (int i = 0; i < 300; i++) {
            Bytes from = randomKey(random, 3);
            assertThat(
                    "iterator(" + from + "): the entries with keys >= from, in order",
                    drain(m.iterator(from)),
                    equalTo(new ArrayList<>(oracle.tailMap(from, true).values())));
            assertThat(
                    "descendingIterator(" + from + "): the entries with keys <= from, in decreasing order",
                    drain(m.descendingIterator(from)),
                    equalTo(new ArrayList<>(
                            oracle.headMap(from, true).descendingMap().values())));
        }
    }

    @Test
    void aScanGoesOnInOrderWhileWritesContinue() {
        SkipListMemtable m = new SkipListMemtable(5);
        for (int i = 0; i < 100; i += 2) {
            m.apply(put(String.format("k%03d", i), "even"));
        }
        List<Entry> seen = new ArrayList<>();
        try (EntryIterator it = m.iterator()) {
            for (int i = 0; i < 10; i++) {
                seen.add(it.next());
            }
            for (int i = 1; i < 100; i += 2) {
                m.apply(put(String.format("k%03d", i), "odd"));
            }
            seen.addAll(Iterations.toList(it, 90));
        }
        for (int i = 1; i < seen.size(); i++) {
            assertThat(
                    "a scan that runs while writes land keeps strictly increasing keys; "
                            + seen.get(i - 1).key() + " came before "
                            + seen.get(i).key(),
                    seen.get(i - 1).key().compareTo(seen.get(i).key()) < 0,
                    is(true));
        }
        assertThat(
                "it sees every entry written before it started: all 50 even keys",
                seen.stream().filter(e -> e.value().toUtf8().equals("even")).count(),
                is(50L));
    }

    @Test
    void aFrozenMemtableRejectsWritesAndKeepsItsContents() {
        SkipListMemtable m = memtableOf(put("a", "1"), tombstone("b"));
        long bytes = m.approximateBytes();
        assertThat("a new memtable is not frozen", m.isFrozen(), is(false));
        m.freeze();
        assertThat("freeze() makes it frozen", m.isFrozen(), is(true));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> m.apply(put("c", "3")),
                "apply on a frozen memtable: it is being flushed, and a write that lands now could be lost");
        assertThat("the message says the memtable is frozen", String.valueOf(e.getMessage()), containsString("frozen"));
        assertThrows(
                IllegalStateException.class,
                () -> m.apply(put("a", "new")),
                "a replacement is a write too, and is rejected");
        assertThat(
                "the rejected writes left no trace: the flush reads exactly what was there",
                drain(m.iterator()),
                equalTo(List.of(put("a", "1"), tombstone("b"))));
        assertThat("get still serves readers", m.get(b("a")), is(put("a", "1")));
        assertThat("size is unchanged", m.size(), is(2));
        assertThat("approximateBytes is unchanged", m.approximateBytes(), is(bytes));
    }

    @Test
    void theLab01StoreRunsOnTheSkipListMemtable() throws IOException {
        // Small memtables: the store fills one, freezes it, flushes it to a segment and starts the next many times.
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(16 * 1024)
                .blockSize(512)
                .compactionTrigger(0)
                .memtableFactory(SkipListMemtable::new)
                .build();
        Random random = new Random(73);
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), options)) {
            randomWrites(store, oracle, random, 4_000);
            assertThat(
                    "4000 writes of about 50 bytes each fill a 16 KiB memtable many times: the store flushed",
                    store.segmentNames().size(),
                    is(greaterThan(3)));
            assertMatchesOracle(store, oracle, "after 4000 writes (segments plus the active memtable)");
            store.flush();
            store.compact();
            assertThat(
                    "compaction merged every segment into one",
                    store.segmentNames().size(),
                    is(1));
            assertMatchesOracle(store, oracle, "after flush and compaction");
            randomWrites(store, oracle, random, 300); // left in the log, replayed on reopening
        }
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), options)) {
            assertMatchesOracle(
                    store,
                    oracle,
                    "after close and reopen (recovery replays the log into a new" + " SkipListMemtable)");
        }
    }

    private static Bytes storeKey(int i) {
        return Bytes.of(String.format("key%05d", i));
    }

    private static void randomWrites(SortedLogStore store, TreeMap<Bytes, Bytes> oracle, Random random, int count)
            throws IOException {
        for (int i = 0; i < count; i++) {
            Bytes key = storeKey(random.nextInt(1_000));
            if (random.nextInt(4) == 0) {
                store.delete(key);
                oracle.remove(key);
            } else {
                Bytes value = b("value-" + i + "-" + "x".repeat(random.nextInt(30)));
                store.put(key, value);
                oracle.put(key, value);
            }
        }
    }

    private static void assertMatchesOracle(SortedLogStore store, TreeMap<Bytes, Bytes> oracle, String when)
            throws IOException {
        for (int i = 0; i < 1_010; i++) {
            Bytes key = storeKey(i);
            assertThat(
                    when + ": get(" + key + ") must return the newest write of the key, or empty if it was"
                            + " deleted (the memtable's tombstone hides older values)",
                    store.get(key),
                    equalTo(Optional.ofNullable(oracle.get(key))));
        }
    }

    @Test
    void keysAreOrderedAsUnsignedBytes() {
        Bytes low = Bytes.wrap(new byte[] {0x7f});
        Bytes high = Bytes.wrap(new byte[] {(byte) 0x80});
        Bytes top = Bytes.wrap(new byte[] {(byte) 0xff});
        SkipListMemtable m = memtableOf(Entry.put(top, b("3")), Entry.put(low, b("1")), Entry.put(high, b("2")));
        assertThat(
                "0x7f < 0x80 < 0xff as unsigned bytes (as signed bytes 0x80 and 0xff would come first)",
                drain(m.iterator()).stream().map(Entry::key).toList(),
                equalTo(Arrays.asList(low, high, top)));
    }
}
