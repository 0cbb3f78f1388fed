package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.RangeScan;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;

/**
 * Hidden tests of lab-02 T4, {@link RangeScan}, and through it T2 and T3: random histories of
 * writes, flushes and compactions on a {@link SortedLogStore}, with scans compared against
 * {@link TreeMap#subMap} and its {@code descendingMap()}, and scans that stay open while flushes,
 * compactions and writes happen. On a failure jqwik shrinks the history to a short one, for
 * example {@code [put("a", ""), flush, put("\xff", "x"), scanReverse["a", +inf)]}.
 * {@link SnapshotReleaseHiddenTest} checks that a scan lets go of its snapshot.
 */
@Tag("hidden")
class RangeScanHiddenTest {

    @Property(tries = 200)
    @Graded(
            task = "T4",
            points = 5,
            concept = "forward range scan disagrees with TreeMap.subMap (wrong bound, a tombstone or an "
                    + "older version shows through, or a prefix scan misses keys)")
    void forwardScansMatchTreeMapSubMap(@ForAll("forwardHistories") List<ScanOp> ops) throws IOException {
        run(ops);
    }

    @Property(tries = 200)
    @Graded(task = "T4", points = 4, concept = "reverse range scan disagrees with TreeMap.subMap(...).descendingMap()")
    void reverseScansMatchTheDescendingMap(@ForAll("reverseHistories") List<ScanOp> ops) throws IOException {
        run(ops);
    }

    @Property(tries = 200)
    @Graded(
            task = "T4",
            points = 4,
            concept = "scan sees a half-applied flush or compaction (a key vanishes, repeats or goes back "
                    + "in time while the scan is open)")
    void scansStayConsistentAcrossFlushesAndCompactions(@ForAll("histories") List<ScanOp> ops) throws IOException {
        run(ops);
    }

    @Property(tries = 300)
    @Graded(
            task = "T4",
            points = 2,
            concept = "prefixEnd is not the smallest key above every key with the prefix (0xFF bytes " + "mishandled)")
    void prefixEndIsTheSmallestKeyAboveThePrefixRange(@ForAll("prefixAndKeys") Tuple.Tuple2<Bytes, List<Bytes>> input) {
        Bytes prefix = input.get1();
        Bytes end = RangeScan.prefixEnd(prefix);
        boolean allFf = true;
        for (int i = 0; i < prefix.length(); i++) {
            allFf &= prefix.byteAt(i) == (byte) 0xff;
        }
        if (allFf) {
            assertThat(
                    "prefixEnd(" + prefix + "): every key above the keys with an all-0xFF prefix also has "
                            + "the prefix, so there is no end (null: scan to the last key)",
                    end,
                    nullValue());
            return;
        }
        assertThat(
                "prefixEnd(" + prefix + ") must exist: the prefix has a byte below 0xFF", end != null, equalTo(true));
        assertThat(
                "prefixEnd(" + prefix + ") = " + end + " must not itself start with the prefix",
                end.startsWith(prefix),
                equalTo(false));
        // Random keys, plus the keys just below the end: if any of them is above the prefix range,
        // the end is not the smallest key above it.
        List<Bytes> probes = new ArrayList<>(input.get2());
        byte[] e = end.toByteArray();
        if (e.length > 1) {
            probes.add(Bytes.copyOf(e, 0, e.length - 1));
        }
        if (e[e.length - 1] != 0) {
            byte[] below = Arrays.copyOf(e, e.length + 4);
            below[e.length - 1]--;
            Arrays.fill(below, e.length, below.length, (byte) 0xff);
            probes.add(Bytes.wrap(below));
        }
        for (Bytes key : probes) {
            if (key.startsWith(prefix)) {
                assertThat(
                        key + " starts with " + prefix + ", so it must be below prefixEnd = " + end,
                        key.compareTo(end),
                        lessThan(0));
            } else if (key.compareTo(prefix) > 0) {
                assertThat(
                        key + " is above every key starting with " + prefix + ", so it must be at or above prefixEnd = "
                                + end + " (the end is the smallest such key)",
                        key.compareTo(end),
                        greaterThanOrEqualTo(0));
            }
        }
    }

    @Example
    @Graded(task = "T4", points = 2, concept = "scan misses the frozen memtable: keys vanish while a flush is running")
    void scansWhileAFlushIsRunningSeeTheFrozenMemtable() throws Exception {
        FlushGateStorage storage = new FlushGateStorage(new FaultInjectingStorage());
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        SortedLogStore store = Stores.open(storage, 0);
        try {
            // Over the 1 KiB budget (after about 14 writes): the memtable is frozen and its flush is
            // held at the gate. The new memtable stays under budget, or the next write would wait
            // for the held flush.
            for (int i = 0; i < 20; i++) {
                Bytes key = Bytes.of(String.format("frozen-%02d", i));
                Bytes value = Bytes.of("value " + i + " written before the flush");
                store.put(key, value);
                oracle.put(key, value);
            }
            storage.awaitFlushHeld();
            for (int i = 0; i < 3; i++) {
                Bytes key = Bytes.of(String.format("active-%02d", i));
                store.put(key, Bytes.of("in the new memtable"));
                oracle.put(key, Bytes.of("in the new memtable"));
            }
            store.put(Bytes.of("frozen-07"), Bytes.of("newer, in the active memtable"));
            oracle.put(Bytes.of("frozen-07"), Bytes.of("newer, in the active memtable"));
            store.delete(Bytes.of("frozen-11"));
            oracle.remove(Bytes.of("frozen-11"));
            List<Entry> expected = new ArrayList<>();
            oracle.forEach((k, v) -> expected.add(Entry.put(k, v)));
            try (EntryIterator scan = RangeScan.scan(store, null, null)) {
                assertThat(
                        "a scan while a flush is running must read the frozen memtable too (newest first: active, "
                                + "frozen, segments)",
                        Sources.drain(scan, expected.size() + 1, "a full scan"),
                        equalTo(expected));
            }
            List<Entry> descending = new ArrayList<>(expected);
            Collections.reverse(descending);
            try (EntryIterator scan = RangeScan.scanReverse(store, null, null)) {
                assertThat(
                        "a reverse scan while a flush is running must read the frozen memtable too",
                        Sources.drain(scan, expected.size() + 1, "a full reverse scan"),
                        equalTo(descending));
            }
        } finally {
            storage.open();
            store.close();
        }
    }

    // ------------------------------------------------------------------------------ the model

    /** Runs {@code ops} on a fresh store with a TreeMap beside it, checking every scan. */
    private static void run(List<ScanOp> ops) throws IOException {
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = Stores.open(new FaultInjectingStorage(ops.hashCode()), 0)) {
            for (int i = 0; i < ops.size(); i++) {
                ScanOp op = ops.get(i);
                String step = "step " + i + " " + op;
                ScanOp.Scan scanned =
                        op instanceof ScanOp.Scan s ? s : op instanceof ScanOp.ScanAcross a ? a.scan() : null;
                if (scanned != null && inverted(scanned)) {
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> open(store, scanned).close(),
                            step + ": a range whose start is after its end is an error ([from, to) needs from <= to)");
                    continue;
                }
                if (op instanceof ScanOp.Scan scan) {
                    List<Entry> expected = expected(oracle, scan);
                    try (EntryIterator it = open(store, scan)) {
                        assertThat(
                                step + ": the scan must yield what a TreeMap given the same writes holds in that "
                                        + "range, live entries only",
                                Sources.drain(it, expected.size() + 1, step),
                                equalTo(expected));
                    }
                } else if (op instanceof ScanOp.ScanAcross across) {
                    checkScanAcross(store, oracle, across, step);
                } else {
                    apply(store, oracle, op, null);
                }
            }
        }
    }

    private static void apply(
            SortedLogStore store, TreeMap<Bytes, Bytes> oracle, ScanOp op, Map<Bytes, Set<Optional<Bytes>>> history)
            throws IOException {
        ScanOp.applyWrite(store, oracle, op);
        if (history != null && (op instanceof ScanOp.Put || op instanceof ScanOp.Delete)) {
            Bytes key = op instanceof ScanOp.Put p ? p.key() : ((ScanOp.Delete) op).key();
            history.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(Optional.ofNullable(oracle.get(key)));
        }
    }

    /**
     * A scan paused while writes, flushes and compactions run. It reads one snapshot, but the
     * active memtable keeps taking writes, so a key written during the pause may show any state it
     * had during the scan; every other key must be exactly as it was, and the scan must stay in
     * range, in order, without repeats or tombstones.
     */
    private static void checkScanAcross(
            SortedLogStore store, TreeMap<Bytes, Bytes> oracle, ScanOp.ScanAcross across, String step)
            throws IOException {
        ScanOp.Scan scan = across.scan();
        List<Entry> before = expected(oracle, scan);
        Map<Bytes, Set<Optional<Bytes>>> history = new HashMap<>();
        List<Entry> seen = new ArrayList<>();
        int writes = 0;
        try (EntryIterator it = open(store, scan)) {
            while (seen.size() < across.pauseAfter() && it.hasNext()) {
                seen.add(it.next());
            }
            assertThat(
                    step + ": the entries read before the pause, when nothing had changed yet",
                    seen,
                    equalTo(before.subList(0, seen.size())));
            for (ScanOp op : across.meanwhile()) {
                Bytes key = op instanceof ScanOp.Put p ? p.key() : op instanceof ScanOp.Delete d ? d.key() : null;
                if (key != null) {
                    history.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(Optional.ofNullable(oracle.get(key)));
                    writes++;
                }
                apply(store, oracle, op, history);
            }
            seen.addAll(Sources.drain(it, before.size() + writes + 1, step));
        }
        for (int i = 1; i < seen.size(); i++) {
            int order = seen.get(i - 1).key().compareTo(seen.get(i).key());
            assertThat(
                    step + ": keys must be strictly "
                            + (scan.kind() == ScanOp.Kind.REVERSE ? "descending" : "ascending")
                            + " with no repeats, but " + seen.get(i - 1).key() + " came before "
                            + seen.get(i).key() + " in "
                            + seen,
                    scan.kind() == ScanOp.Kind.REVERSE ? order > 0 : order < 0,
                    equalTo(true));
        }
        Map<Bytes, Bytes> got = new HashMap<>();
        for (Entry e : seen) {
            assertThat(step + ": " + e + " is outside the scanned range", inRange(scan, e.key()), equalTo(true));
            assertThat(
                    step + ": a scan yields live entries only, but it returned " + e, e.isTombstone(), equalTo(false));
            got.put(e.key(), e.value());
        }
        Map<Bytes, Bytes> expectedBefore = before.stream().collect(Collectors.toMap(Entry::key, Entry::value));
        Set<Bytes> keys = new TreeSet<>(expectedBefore.keySet());
        keys.addAll(history.keySet());
        keys.addAll(got.keySet());
        for (Bytes key : keys) {
            if (!inRange(scan, key)) {
                continue;
            }
            Optional<Bytes> actual = Optional.ofNullable(got.get(key));
            Set<Optional<Bytes>> allowed = history.get(key);
            if (allowed == null) {
                assertThat(
                        step + ": " + key + " was not written while the scan was open, so the scan must show it as it "
                                + "was (empty = absent); got " + seen,
                        actual,
                        equalTo(Optional.ofNullable(expectedBefore.get(key))));
            } else {
                assertThat(
                        step + ": " + key + " was written while the scan was open; the scan may show any state it had "
                                + "meanwhile " + allowed + " (empty = absent); got " + seen,
                        allowed,
                        hasItem(actual));
            }
        }
    }

    private static EntryIterator open(SortedLogStore store, ScanOp.Scan scan) {
        return switch (scan.kind()) {
            case FORWARD -> RangeScan.scan(store, scan.from(), scan.to());
            case REVERSE -> RangeScan.scanReverse(store, scan.from(), scan.to());
            case PREFIX -> RangeScan.scanPrefix(store, scan.from());
        };
    }

    private static boolean inverted(ScanOp.Scan scan) {
        return scan.kind() != ScanOp.Kind.PREFIX
                && scan.from() != null
                && scan.to() != null
                && scan.from().compareTo(scan.to()) > 0;
    }

    private static boolean inRange(ScanOp.Scan scan, Bytes key) {
        if (scan.kind() == ScanOp.Kind.PREFIX) {
            return key.startsWith(scan.from());
        }
        return (scan.from() == null || key.compareTo(scan.from()) >= 0)
                && (scan.to() == null || key.compareTo(scan.to()) < 0);
    }

    /** What the oracle holds in the scan's range, in the scan's order. */
    private static List<Entry> expected(TreeMap<Bytes, Bytes> oracle, ScanOp.Scan scan) {
        NavigableMap<Bytes, Bytes> range;
        if (scan.kind() == ScanOp.Kind.PREFIX) {
            range = new TreeMap<>();
            for (Map.Entry<Bytes, Bytes> e : oracle.entrySet()) {
                if (e.getKey().startsWith(scan.from())) {
                    range.put(e.getKey(), e.getValue());
                }
            }
        } else if (scan.from() == null) {
            range = scan.to() == null ? oracle : oracle.headMap(scan.to(), false);
        } else {
            range = scan.to() == null
                    ? oracle.tailMap(scan.from(), true)
                    : oracle.subMap(scan.from(), true, scan.to(), false);
        }
        if (scan.kind() == ScanOp.Kind.REVERSE) {
            range = range.descendingMap();
        }
        List<Entry> out = new ArrayList<>();
        range.forEach((k, v) -> out.add(Entry.put(k, v)));
        return out;
    }

    // ---------------------------------------------------------------------------------- helpers

    // ------------------------------------------------------------------------------- generators

    private static Arbitrary<ScanOp> writes() {
        Arbitrary<Bytes> keys = Stores.keys(2);
        return Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(keys, Stores.values()).as(ScanOp.Put::new)),
                Tuple.of(2, keys.map(ScanOp.Delete::new)),
                Tuple.of(1, Arbitraries.just(new ScanOp.Flush())),
                Tuple.of(1, Arbitraries.just(new ScanOp.Compact())));
    }

    private static Arbitrary<ScanOp.Scan> scans(ScanOp.Kind... kinds) {
        Arbitrary<Bytes> bound =
                Arbitraries.frequencyOf(Tuple.of(4, Stores.keys(2)), Tuple.of(1, Arbitraries.just((Bytes) null)));
        return Combinators.combine(
                        Arbitraries.of(kinds),
                        bound,
                        bound,
                        Stores.keys(2),
                        Arbitraries.integers().between(0, 7))
                .as((kind, a, b, prefix, keepInverted) -> {
                    if (kind == ScanOp.Kind.PREFIX) {
                        return new ScanOp.Scan(kind, prefix, null);
                    }
                    // Mostly from <= to; one time in eight from > to, which the scan must refuse.
                    boolean swap = a != null && b != null && a.compareTo(b) > 0 && keepInverted != 0;
                    return swap ? new ScanOp.Scan(kind, b, a) : new ScanOp.Scan(kind, a, b);
                });
    }

    private static Arbitrary<List<ScanOp>> histories(Arbitrary<ScanOp.Scan> scans, boolean across) {
        List<Tuple.Tuple2<Integer, Arbitrary<ScanOp>>> choices =
                new ArrayList<>(List.of(Tuple.of(10, writes()), Tuple.of(3, scans.map(s -> (ScanOp) s))));
        if (across) {
            Arbitrary<List<ScanOp>> meanwhile = Arbitraries.frequencyOf(
                            Tuple.of(3, Arbitraries.<ScanOp>of(new ScanOp.Flush(), new ScanOp.Compact())),
                            Tuple.of(2, writes()))
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(8);
            choices.add(Tuple.of(
                    4,
                    Combinators.combine(scans, Arbitraries.integers().between(0, 6), meanwhile)
                            .as(ScanOp.ScanAcross::new)));
        }
        return Arbitraries.frequencyOf(choices)
                .list()
                .ofMaxSize(120)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<ScanOp>> forwardHistories() {
        return histories(scans(ScanOp.Kind.FORWARD, ScanOp.Kind.PREFIX), false);
    }

    @Provide
    Arbitrary<List<ScanOp>> reverseHistories() {
        return histories(scans(ScanOp.Kind.REVERSE), false);
    }

    @Provide
    Arbitrary<List<ScanOp>> histories() {
        return histories(scans(ScanOp.Kind.FORWARD, ScanOp.Kind.REVERSE, ScanOp.Kind.PREFIX), true);
    }

    @Provide
    Arbitrary<Tuple.Tuple2<Bytes, List<Bytes>>> prefixAndKeys() {
        return Combinators.combine(
                        Stores.keys(3), Stores.keys(5).list().ofMinSize(1).ofMaxSize(40))
                .as(Tuple::of);
    }
}
