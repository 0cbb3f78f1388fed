package dev.storagelab.kv;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link ConcurrentSkipListMemtable} against a {@link TreeMap} oracle: after any sequence of puts
 * and deletes it holds the newest entry of each key, in key order, tombstones included.
 */
class ConcurrentSkipListMemtableTest {

    /** Keys over bytes where signed and unsigned order disagree, few enough to overwrite often. */
    @Provide
    Arbitrary<Bytes> keys() {
        return Arbitraries.of((byte) 0x00, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 'k')
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(2)
                .map(Bytes::wrap);
    }

    @Provide
    Arbitrary<List<Entry>> writes() {
        Arbitrary<Bytes> values = Arbitraries.strings().alpha().ofMaxLength(8).map(Bytes::of);
        Arbitrary<Entry> puts = keys().flatMap(k -> values.map(v -> Entry.put(k, v)));
        Arbitrary<Entry> deletes = keys().map(Entry::tombstone);
        return Arbitraries.frequencyOf(Tuple.of(3, puts), Tuple.of(1, deletes))
                .list()
                .ofMaxSize(40);
    }

    private static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Property(tries = 300)
    void holdsTheNewestEntryOfEachKeyInKeyOrder(@ForAll("writes") List<Entry> writes, @ForAll("keys") Bytes probe) {
        ConcurrentSkipListMemtable m = new ConcurrentSkipListMemtable();
        TreeMap<Bytes, Entry> oracle = new TreeMap<>();
        for (Entry e : writes) {
            m.apply(e);
            oracle.put(e.key(), e);
        }
        assertThat("one entry per distinct key, tombstones included", m.size(), is(oracle.size()));
        for (Bytes key : oracle.keySet()) {
            assertThat("get(" + key + ") is the newest entry, value or tombstone", m.get(key), is(oracle.get(key)));
        }
        assertThat("get of a key never written is null: look in older data", m.get(probe), is(oracle.get(probe)));
        assertThat(
                "iteration is in unsigned key order", drain(m.iterator()), equalTo(new ArrayList<>(oracle.values())));
        assertThat(
                "iterator(from) starts at the first key >= " + probe,
                drain(m.iterator(probe)),
                equalTo(new ArrayList<>(oracle.tailMap(probe, true).values())));
        long bytes = oracle.values().stream().mapToLong(Entry::approximateBytes).sum();
        assertThat(
                "approximateBytes is the sum over the entries held; overwritten ones are not charged",
                m.approximateBytes(),
                is(bytes));
    }

    @Example
    void aNewMemtableIsEmptyAndWritable() {
        ConcurrentSkipListMemtable m = new ConcurrentSkipListMemtable();
        assertThat(m.size(), is(0));
        assertThat(m.approximateBytes(), is(0L));
        assertThat(drain(m.iterator()), is(empty()));
        assertThat(m.get(Bytes.of("k")), is(nullValue()));
        assertThat(m.isFrozen(), is(false));
    }

    @Example
    void aDeleteIsRememberedAsATombstoneNotForgotten() {
        ConcurrentSkipListMemtable m = new ConcurrentSkipListMemtable();
        m.apply(Entry.put(Bytes.of("k"), Bytes.of("v")));
        m.apply(Entry.tombstone(Bytes.of("k")));
        assertThat(
                "get returns the tombstone, so the store does not look in older data and resurrect v",
                m.get(Bytes.of("k")),
                is(Entry.tombstone(Bytes.of("k"))));
        assertThat(drain(m.iterator()), equalTo(List.of(Entry.tombstone(Bytes.of("k")))));
    }

    @Example
    void aFrozenMemtableRejectsWritesAndStillServesReads() {
        ConcurrentSkipListMemtable m = new ConcurrentSkipListMemtable();
        m.apply(Entry.put(Bytes.of("k"), Bytes.of("v")));
        m.freeze();
        assertThat(m.isFrozen(), is(true));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> m.apply(Entry.put(Bytes.of("k2"), Bytes.of("v2"))),
                "a frozen memtable is being flushed; a write to it could be lost");
        assertThat(e.getMessage(), containsString("frozen"));
        assertThat("the rejected write left no trace", m.size(), is(1));
        assertThat(
                "readers and the flush still read it",
                m.get(Bytes.of("k")),
                is(Entry.put(Bytes.of("k"), Bytes.of("v"))));
    }

    private static Bytes intKey(int i) {
        return Bytes.wrap(ByteBuffer.allocate(4).putInt(i).array());
    }

    @Example
    void readersIteratingDuringWritesSeeSortedCompleteEntries() throws InterruptedException {
        int n = 5_000;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(1));
        ConcurrentSkipListMemtable m = new ConcurrentSkipListMemtable();
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread t = new Thread(() -> {
                started.countDown();
                try {
                    do {
                        Bytes previous = null;
                        for (Entry e : drain(m.iterator())) {
                            if (previous != null) {
                                assertThat(
                                        "keys strictly increase while a writer runs",
                                        previous.compareTo(e.key()),
                                        lessThan(0));
                            }
                            assertThat("an entry is seen whole: its value belongs to its key", e.value(), is(e.key()));
                            previous = e.key();
                        }
                    } while (!done.get());
                } catch (Throwable t2) {
                    failures.add(t2);
                }
            });
            t.start();
            readers.add(t);
        }
        started.await();
        for (int i : order) {
            m.apply(Entry.put(intKey(i), intKey(i)));
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertThat("reader failures", failures, is(empty()));
        assertThat(m.size(), is(n));
    }
}
