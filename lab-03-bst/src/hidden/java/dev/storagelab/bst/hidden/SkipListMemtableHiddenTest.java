package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bst.Internals;
import dev.storagelab.bst.SkipListMemtable;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.TestThreads;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-03 T7, {@link SkipListMemtable}: the byte count against a model, tombstones
 * as answers, scans from every kind of start key against a {@link TreeMap}, freezing (no write may
 * land after {@code freeze()} returns), two writers of one key queued together (each reads the entry it
 * replaces under the writer lock), and scans concurrent with writes.
 * {@link MemtableInStoreHiddenTest} runs the lab-01 store on it.
 */
@Tag("hidden")
class SkipListMemtableHiddenTest {

    /** A small key pool rich in bytes that signed order gets wrong, and keys that are prefixes of others. */
    static final List<Bytes> KEYS = List.of(
            Bytes.of("a"),
            Bytes.of("ab"),
            Bytes.of("b"),
            Bytes.of("ba"),
            Bytes.copyOf(new byte[] {0x00}),
            Bytes.copyOf(new byte[] {0x7f}),
            Bytes.copyOf(new byte[] {(byte) 0x80}),
            Bytes.copyOf(new byte[] {(byte) 0xff}),
            Bytes.copyOf(new byte[] {(byte) 0xff, 0x00}),
            Bytes.copyOf(new byte[] {'a', 0x00}));

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T7",
            points = 3,
            concept = "memtable approximateBytes() is not the sum of its live entries' sizes (a "
                    + "replaced entry or a tombstone is counted wrongly), or get/size disagree with the writes")
    void approximateBytesIsTheSumOfTheLiveEntries(@ForAll("writes") List<Entry> writes) {
        SkipListMemtable memtable = new SkipListMemtable(writes.hashCode());
        TreeMap<Bytes, Entry> model = new TreeMap<>();
        for (int i = 0; i < writes.size(); i++) {
            Entry entry = writes.get(i);
            memtable.apply(entry);
            model.put(entry.key(), entry);
            String where = "after applying " + writes.subList(0, i + 1);
            long expected =
                    model.values().stream().mapToLong(Entry::approximateBytes).sum();
            assertThat(
                    where + ": approximateBytes() is the sum of Entry.approximateBytes() of the entry each key "
                            + "holds now (a replacement subtracts the entry it replaced)",
                    memtable.approximateBytes(),
                    equalTo(expected));
            assertThat(
                    where + ": size() counts distinct keys, tombstones included",
                    memtable.size(),
                    equalTo(model.size()));
            for (Bytes key : KEYS) {
                assertThat(where + ": get(" + key + ")", memtable.get(key), equalTo(model.get(key)));
            }
        }
        assertThat(
                "after applying " + writes + ": a full scan",
                drain(memtable.iterator(), model.size()),
                equalTo(new ArrayList<>(model.values())));
    }

    @Example
    @Graded(
            task = "T7",
            points = 2,
            concept = "memtable get() returns null for a deleted key instead of its tombstone (the "
                    + "store would then read an older value from disk and resurrect it)")
    void getReturnsTheTombstoneOfADeletedKey() {
        SkipListMemtable memtable = new SkipListMemtable(1L);
        Bytes a = Bytes.of("a");
        Bytes b = Bytes.of("b");
        Entry value = Entry.put(a, Bytes.of("first value"));
        memtable.apply(value);
        assertThat("get(a) after put(a)", memtable.get(a), equalTo(value));
        memtable.apply(Entry.tombstone(a));
        assertThat(
                "get(a) after delete(a) is the tombstone, not null: null means 'ask older data'",
                memtable.get(a),
                equalTo(Entry.tombstone(a)));
        assertThat(
                "a value replaced by a tombstone: approximateBytes() counts the tombstone only",
                memtable.approximateBytes(),
                equalTo(Entry.tombstone(a).approximateBytes()));
        Entry again = Entry.put(a, Bytes.of("back"));
        memtable.apply(again);
        assertThat("get(a) after the tombstone is replaced by a value", memtable.get(a), equalTo(again));
        assertThat(
                "a tombstone replaced by a value: approximateBytes() counts the value only",
                memtable.approximateBytes(),
                equalTo(again.approximateBytes()));
        memtable.apply(Entry.tombstone(b));
        assertThat(
                "get(b) after deleting a key this memtable never held: still a tombstone (older data may hold b)",
                memtable.get(b),
                equalTo(Entry.tombstone(b)));
        assertThat("get(c) of a key never written here", memtable.get(Bytes.of("c")), nullValue());
        assertThat("size() counts tombstones", memtable.size(), equalTo(2));
        assertThat(
                "scans include tombstones", drain(memtable.iterator(), 2), equalTo(List.of(again, Entry.tombstone(b))));
        assertThat(
                "reverse scans include tombstones",
                drain(memtable.descendingIterator(null), 2),
                equalTo(List.of(Entry.tombstone(b), again)));
    }

    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T7",
            points = 3,
            concept = "memtable iterator(from) or descendingIterator(from) starts at the wrong entry "
                    + "(a present, absent, below-first or above-last start key, or null) or walks out of order")
    void scansFromAnyStartMatchTheTreeMap(@ForAll("writes") List<Entry> writes) {
        SkipListMemtable memtable = new SkipListMemtable(writes.hashCode());
        TreeMap<Bytes, Entry> model = new TreeMap<>();
        for (Entry entry : writes) {
            memtable.apply(entry);
            model.put(entry.key(), entry);
        }
        TreeSet<Bytes> starts = new TreeSet<>(KEYS);
        for (Bytes key : KEYS) {
            byte[] above = java.util.Arrays.copyOf(key.toByteArray(), key.length() + 1);
            starts.add(Bytes.wrap(above)); // just above the key, below any other key
        }
        starts.add(Bytes.EMPTY); // below every key
        starts.add(Bytes.copyOf(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})); // above every key
        List<Bytes> froms = new ArrayList<>(starts);
        froms.add(null);
        for (Bytes from : froms) {
            String where = "after applying " + writes + " (keys " + model.keySet() + ")";
            NavigableMap<Bytes, Entry> up = from == null ? model : model.tailMap(from, true);
            NavigableMap<Bytes, Entry> down = from == null
                    ? model.descendingMap()
                    : model.headMap(from, true).descendingMap();
            try (EntryIterator it = memtable.iterator(from)) {
                assertThat(
                        where + ": iterator(" + from + ") yields the entries with keys >= " + from + " in order",
                        drain(it, up.size()),
                        equalTo(new ArrayList<>(up.values())));
            }
            try (EntryIterator it = memtable.descendingIterator(from)) {
                assertThat(
                        where + ": descendingIterator(" + from + ") yields the entries with keys <= " + from
                                + " in decreasing order",
                        drain(it, down.size()),
                        equalTo(new ArrayList<>(down.values())));
            }
        }
    }

    @Example
    @Graded(task = "T7", points = 2, concept = "frozen memtable still accepts writes, or loses content when frozen")
    void aFrozenMemtableRejectsWritesAndKeepsItsContent() {
        SkipListMemtable memtable = new SkipListMemtable(2L);
        List<Entry> entries = List.of(
                Entry.put(Bytes.of("a"), Bytes.of("1")),
                Entry.tombstone(Bytes.of("b")),
                Entry.put(Bytes.of("c"), Bytes.of("3")));
        entries.forEach(memtable::apply);
        long bytes = memtable.approximateBytes();
        memtable.freeze();
        assertThat("isFrozen() after freeze()", memtable.isFrozen(), equalTo(true));
        assertThrows(
                IllegalStateException.class,
                () -> memtable.apply(Entry.put(Bytes.of("d"), Bytes.of("4"))),
                "apply() of a new key on a frozen memtable must throw IllegalStateException");
        assertThrows(
                IllegalStateException.class,
                () -> memtable.apply(Entry.put(Bytes.of("a"), Bytes.of("x"))),
                "apply() over a present key on a frozen memtable must throw IllegalStateException");
        assertThrows(
                IllegalStateException.class,
                () -> memtable.apply(Entry.tombstone(Bytes.of("c"))),
                "apply() of a tombstone on a frozen memtable must throw IllegalStateException");
        assertThat("a rejected write changes nothing: the scan", drain(memtable.iterator(), 3), equalTo(entries));
        assertThat("a rejected write changes nothing: get(d)", memtable.get(Bytes.of("d")), nullValue());
        assertThat("a rejected write changes nothing: get(a)", memtable.get(Bytes.of("a")), equalTo(entries.get(0)));
        assertThat("a rejected write changes nothing: size()", memtable.size(), equalTo(3));
        assertThat("a rejected write changes nothing: approximateBytes()", memtable.approximateBytes(), equalTo(bytes));
    }

    @Example
    @Graded(
            task = "T7",
            points = 2,
            concept = "memtable write lands after freeze() returned: apply does not hold the writer "
                    + "lock across its frozen check and its insert")
    void noWriteLandsAfterFreezeReturns() throws InterruptedException {
        SkipListMemtable memtable = new SkipListMemtable(4L);
        Entry a = Entry.put(Bytes.of("a"), Bytes.of("1"));
        Entry late = Entry.put(Bytes.of("late"), Bytes.of("written while freezing"));
        memtable.apply(a);
        ReentrantLock writeLock = Internals.writeLock(memtable);
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean applied = new AtomicBoolean();
        AtomicReference<IllegalStateException> rejected = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        // The test holds the writer lock: a write is in progress. freeze() queues for the lock
        // first, then an apply() queues behind it. When the lock is released, freeze() gets it
        // first (the lock hands over in queue order), so the apply must find the memtable frozen.
        writeLock.lock();
        try {
            Thread freezer = TestThreads.start("freezer", memtable::freeze, failures);
            threads.add(freezer);
            assertThat(
                    "freeze() must wait for the write in progress (it takes the writer lock)",
                    TestThreads.awaitQueued(writeLock, freezer),
                    equalTo(true));
            assertThat(
                    "isFrozen() while freeze() waits for the write in progress", memtable.isFrozen(), equalTo(false));
            Thread writer = TestThreads.start(
                    "writer",
                    () -> {
                        try {
                            memtable.apply(late);
                            applied.set(true);
                        } catch (IllegalStateException e) {
                            rejected.set(e);
                        }
                    },
                    failures);
            threads.add(writer);
            assertThat(
                    "apply() must wait for the writer lock while another write is in progress",
                    TestThreads.awaitQueued(writeLock, writer),
                    equalTo(true));
        } finally {
            writeLock.unlock();
            TestThreads.joinAll(threads);
        }
        TestThreads.rethrow(failures, "freezing while a write waited");
        assertThat("isFrozen() after freeze() returned", memtable.isFrozen(), equalTo(true));
        assertThat(
                "an apply() that got the writer lock after freeze() must throw IllegalStateException; it returned "
                        + "normally, so a write landed in a frozen memtable (check frozen under the lock)",
                applied.get(),
                equalTo(false));
        assertThat("the apply() queued behind freeze() must be rejected", rejected.get() != null, equalTo(true));
        assertThat("the rejected write is not in the memtable", memtable.get(late.key()), nullValue());
        assertThat(
                "the frozen memtable holds what was written before",
                drain(memtable.iterator(), 1),
                equalTo(List.of(a)));
        assertThat(
                "approximateBytes() of the frozen memtable",
                memtable.approximateBytes(),
                equalTo(a.approximateBytes()));
    }

    @Example
    @Graded(
            task = "T7",
            points = 2,
            concept = "memtable approximateBytes() drifts when two writers replace one key at once: "
                    + "apply reads the entry it replaces outside the writer lock, so both subtract the same old entry")
    void twoWritesOfOneKeyQueuedTogetherChargeOnlyTheEntryThatStays() throws InterruptedException {
        Bytes key = Bytes.of("k");
        // Three sizes, all different: a write that subtracted the wrong old entry cannot come out right by chance.
        Entry before = Entry.put(key, Bytes.of("0123456789"));
        Entry first = Entry.put(key, Bytes.of("a"));
        Entry second = Entry.put(key, Bytes.of("a much longer value than either of the others"));
        for (boolean present : new boolean[] {false, true}) {
            SkipListMemtable memtable = new SkipListMemtable(5L);
            if (present) {
                memtable.apply(before);
            }
            String when = "two writers of one key " + (present ? "already present" : "not yet present")
                    + ", queued behind a write in progress";
            ReentrantLock writeLock = Internals.writeLock(memtable);
            Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            // The test holds the writer lock (a write in progress) while both writers start; each
            // must wait for it before it looks at what the key holds. Once the lock is released they
            // apply one after the other, in queue order: the second replaces the first.
            writeLock.lock();
            try {
                Thread one = TestThreads.start("first-writer", () -> memtable.apply(first), failures);
                threads.add(one);
                assertThat(
                        when + ": the first apply() must wait for the writer lock",
                        TestThreads.awaitQueued(writeLock, one),
                        equalTo(true));
                Thread two = TestThreads.start("second-writer", () -> memtable.apply(second), failures);
                threads.add(two);
                assertThat(
                        when + ": the second apply() must wait for the writer lock",
                        TestThreads.awaitQueued(writeLock, two),
                        equalTo(true));
            } finally {
                writeLock.unlock();
                TestThreads.joinAll(threads);
            }
            TestThreads.rethrow(failures, when);
            assertThat(when + ": get(k) is the write that got the lock last", memtable.get(key), equalTo(second));
            assertThat(when + ": size()", memtable.size(), equalTo(1));
            assertThat(
                    when + ": approximateBytes() counts the one entry k holds; each apply must read the entry it "
                            + "replaces under the writer lock (a read before the lock lets both writers subtract the same one)",
                    memtable.approximateBytes(),
                    equalTo(second.approximateBytes()));
        }
    }

    @Example
    @Graded(
            task = "T7",
            points = 2,
            concept = "memtable scans or gets concurrent with writes see keys out of order, miss a key "
                    + "that was never changed, or see a half-written entry")
    void scansConcurrentWithWritesSeeAConsistentMemtable() throws InterruptedException {
        int stable = 600;
        SkipListMemtable memtable = new SkipListMemtable(6L);
        TreeMap<Bytes, Entry> model = new TreeMap<>();
        for (int i = 0; i < stable; i++) {
            Entry e = Entry.put(key(2 * i), Bytes.of("s" + 2 * i));
            memtable.apply(e);
            model.put(e.key(), e);
        }
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean writerDone = new AtomicBoolean();
        Thread writer = TestThreads.start(
                "writer",
                () -> {
                    Random random = new Random(12);
                    for (int step = 0; step < 20_000; step++) {
                        int k = 2 * random.nextInt(stable) + 1;
                        Entry e = random.nextInt(3) == 0
                                ? Entry.tombstone(key(k))
                                : Entry.put(key(k), Bytes.of("w" + k + "-" + step));
                        memtable.apply(e);
                        model.put(e.key(), e);
                    }
                },
                failures);
        Bytes middle = key(stable);
        List<Thread> readers = List.of(
                TestThreads.start(
                        "forward-scanner",
                        () -> {
                            for (int pass = 0; pass < 3 || !writerDone.get(); pass++) {
                                checkScan(memtable.iterator(null), true, stable, "iterator(null)");
                                checkScan(memtable.iterator(middle), true, stable / 2, "iterator(" + middle + ")");
                            }
                        },
                        failures),
                TestThreads.start(
                        "backward-scanner",
                        () -> {
                            for (int pass = 0; pass < 3 || !writerDone.get(); pass++) {
                                checkScan(memtable.descendingIterator(null), false, stable, "descendingIterator(null)");
                                checkScan(
                                        memtable.descendingIterator(middle),
                                        false,
                                        stable / 2 + 1,
                                        "descendingIterator(" + middle + ")");
                            }
                        },
                        failures),
                TestThreads.start(
                        "getter",
                        () -> {
                            for (int pass = 0; pass < 3 || !writerDone.get(); pass++) {
                                for (int i = 0; i < stable; i += 5) {
                                    assertThat(
                                            "get of a key never changed during the writes",
                                            memtable.get(key(2 * i)),
                                            equalTo(Entry.put(key(2 * i), Bytes.of("s" + 2 * i))));
                                }
                            }
                        },
                        failures));
        try {
            TestThreads.joinAll(List.of(writer));
        } finally {
            writerDone.set(true);
            TestThreads.joinAll(readers);
        }
        TestThreads.rethrow(failures, "while a writer applied entries and three readers scanned");
        assertThat(
                "after the writer finished: a full scan",
                drain(memtable.iterator(), model.size()),
                equalTo(new ArrayList<>(model.values())));
        assertThat(
                "after the writer finished: approximateBytes()",
                memtable.approximateBytes(),
                equalTo(model.values().stream()
                        .mapToLong(Entry::approximateBytes)
                        .sum()));
    }

    // ---------------------------------------------------------------------------------- helpers

    /** Keys that sort as their numbers do. */
    private static Bytes key(int i) {
        return Bytes.of(String.format("k%05d", i));
    }

    /**
     * A scan during writes: strictly ordered, each stable (even) key present with its value, each
     * odd key a value its writer wrote or a tombstone, {@code stableInRange} stable keys in all.
     */
    private static void checkScan(EntryIterator scan, boolean ascending, int stableInRange, String what) {
        try (scan) {
            Bytes previous = null;
            int stableSeen = 0;
            while (scan.hasNext()) {
                Entry e = scan.next();
                if (previous != null) {
                    int order = previous.compareTo(e.key());
                    if (ascending ? order >= 0 : order <= 0) {
                        throw new AssertionError(what + " during writes: keys must be strictly "
                                + (ascending ? "increasing" : "decreasing") + ", but " + previous + " came before "
                                + e.key());
                    }
                }
                previous = e.key();
                int k = Integer.parseInt(e.key().toUtf8().substring(1));
                if (k % 2 == 0) {
                    assertThat(
                            what + " during writes: a key never changed",
                            e,
                            equalTo(Entry.put(e.key(), Bytes.of("s" + k))));
                    stableSeen++;
                } else if (!e.isTombstone()) {
                    assertThat(
                            what + " during writes: the value of " + e.key() + " must be one written for it",
                            e.value().toUtf8(),
                            startsWith("w" + k + "-"));
                }
            }
            assertThat(
                    what + " during writes: every key never changed must be seen", stableSeen, equalTo(stableInRange));
        }
    }

    /** Drains {@code it}, failing if it yields more than {@code expected} + 1 entries (it never ends). */
    static List<Entry> drain(EntryIterator it, int expected) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                out.add(it.next());
                if (out.size() > expected + 1) {
                    throw new AssertionError("the scan yields more than the " + expected + " entries expected: " + out);
                }
            }
        }
        return out;
    }

    @Provide
    Arbitrary<List<Entry>> writes() {
        Arbitrary<Bytes> keys = Arbitraries.of(KEYS);
        // A distinct tag and a length up to 40 bytes: replacements change the byte count, and a stale
        // value shows as a different tag.
        Arbitrary<Bytes> values = Combinators.combine(
                        Arbitraries.integers().between(0, 99),
                        Arbitraries.integers().between(0, 40))
                .as((tag, length) -> Bytes.of(tag + "v".repeat(length)));
        Arbitrary<Entry> puts = Combinators.combine(keys, values).as(Entry::put);
        Arbitrary<Entry> tombstones = keys.map(Entry::tombstone);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, puts), net.jqwik.api.Tuple.of(1, tombstones))
                .list()
                .ofMaxSize(60)
                .withSizeDistribution(RandomDistribution.uniform());
    }
}
