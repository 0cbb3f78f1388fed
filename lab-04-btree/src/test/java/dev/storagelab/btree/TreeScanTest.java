package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.b;
import static dev.storagelab.btree.Trees.drain;
import static dev.storagelab.btree.Trees.height;
import static dev.storagelab.btree.Trees.key;
import static dev.storagelab.btree.Trees.range;
import static dev.storagelab.btree.Trees.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests for lab-04 T9: {@link BPlusTree#scan} and {@link BPlusTree#scanReverse}, through
 * {@code TreeScan.refill}. A scan returns the entries of a half-open range {@code [from, to)} (a
 * null end is open) in increasing or decreasing key order, one leaf per batch: it seeks from the
 * root once, then follows the leaves' next (or prev) links while the tree does not change. It
 * holds no lock and no pin between batches, so writes may happen between two {@code next()}
 * calls; then it seeks again from the last key it returned. Either way every key that is in the
 * tree for the whole scan is returned exactly once, in order.
 *
 * <p>Trees of 512-byte pages, so a few hundred keys span dozens of leaves; the oracle is a
 * {@link TreeMap}.
 */
class TreeScanTest {

    /** A tree of {@code n} random keys from key(0) to key(2n), values value(i), and its model. */
    private static BPlusTree randomTree(TreeMap<Bytes, Bytes> model, int n, long seed) throws IOException {
        BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(seed));
        Random random = new Random(seed);
        while (model.size() < n) {
            int k = random.nextInt(2 * n);
            tree.put(key(k), value(k));
            model.put(key(k), value(k));
        }
        return tree;
    }

    /** Ranges with bounds present, absent, open, equal, before the first key and after the last. */
    private static final Bytes[][] RANGES = {
        {null, null}, {null, key(300)}, {key(300), null}, {key(101), key(713)}, {key(100), key(101)},
        {key(0), key(1)}, {key(555), key(555)}, {b("a"), b("b")}, {key(5000), null}, {null, key(-1)},
        {key(-1), key(5000)}, {key(1198), null}, {null, key(2)}, {key(400), key(410)},
    };

    @Test
    void forwardScansMatchATreeMapOverEveryKindOfRange() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = randomTree(model, 600, 1)) {
            for (Bytes[] r : RANGES) {
                Trees.assertEntries(
                        "scan(" + r[0] + ", " + r[1] + ") over 600 keys",
                        drain(tree.scan(r[0], r[1]), 600),
                        range(model, r[0], r[1]));
            }
        }
    }

    @Test
    void reverseScansMatchATreeMapOverEveryKindOfRange() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = randomTree(model, 600, 2)) {
            for (Bytes[] r : RANGES) {
                List<Entry> expected = range(model, r[0], r[1]);
                Collections.reverse(expected);
                Trees.assertEntries(
                        "scanReverse(" + r[0] + ", " + r[1] + ") over 600 keys: the same range as scan, in"
                                + " decreasing order",
                        drain(tree.scanReverse(r[0], r[1]), 600),
                        expected);
            }
        }
    }

    @Test
    void emptyTreesAndEmptyRangesYieldNothing() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(3))) {
            assertThat("a scan of an empty tree yields nothing", drain(tree.scan(null, null), 0), is(empty()));
            assertThat("so does a reverse scan", drain(tree.scanReverse(null, null), 0), is(empty()));
            tree.put(b("m"), b("1"));
            tree.put(b("c"), b("2"));
            assertThat(
                    "[d, m) holds nothing: m is the exclusive end", drain(tree.scan(b("d"), b("m")), 2), is(empty()));
            assertThat("reverse [d, m) holds nothing either", drain(tree.scanReverse(b("d"), b("m")), 2), is(empty()));
            assertThat("[m, m) is empty", drain(tree.scan(b("m"), b("m")), 2), is(empty()));
            assertThat("[n, null) is past the last key", drain(tree.scan(b("n"), null), 2), is(empty()));
            assertThat(
                    "reverse [null, c) is before the first key", drain(tree.scanReverse(null, b("c")), 2), is(empty()));
            assertThat("[m, n) holds m", drain(tree.scan(b("m"), b("n")), 2), is(List.of(Entry.put(b("m"), b("1")))));
        }
    }

    @Test
    void aRangeWhoseStartIsAfterItsEndIsRefused() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(4))) {
            tree.put(b("k"), b("v"));
            assertThat(
                    "(setup) [a, z) holds k",
                    drain(tree.scan(b("a"), b("z")), 1).size(),
                    is(1));
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.scan(b("z"), b("a")),
                    "scan(\"z\", \"a\"): a range [from, to) with from > to is a caller's mistake, not an empty range");
            assertThat(
                    "the message names both ends",
                    e.getMessage(),
                    allOf(containsString("\"z\""), containsString("\"a\"")));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> tree.scanReverse(b("z"), b("a")),
                    "scanReverse takes the same [from, to) as scan, so from > to is refused too");
        }
    }

    @Test
    void keysAreScannedInUnsignedByteOrder() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(5))) {
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            Random random = new Random(5);
            for (int i = 0; i < 300; i++) {
                byte[] k = new byte[1 + random.nextInt(4)];
                random.nextBytes(k);
                tree.put(Bytes.wrap(k), value(i));
                model.put(Bytes.wrap(k), value(i));
            }
            Bytes mid = Bytes.wrap(new byte[] {(byte) 0x80});
            Trees.assertEntries(
                    "scan(null, null) of keys with bytes above 0x7f: unsigned order",
                    drain(tree.scan(null, null), 300),
                    range(model, null, null));
            Trees.assertEntries(
                    "scan(0x80, null): keys from 0x80 on are the upper half",
                    drain(tree.scan(mid, null), 300),
                    range(model, mid, null));
        }
    }

    @ParameterizedTest(name = "reverse = {0}")
    @ValueSource(booleans = {false, true})
    void aScanStaysCorrectWhileWritesHappenBetweenItsNextCalls(boolean reverse) throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(6))) {
            // Keys 0, 2, 4, ... 1198. The multiples of 4 stay for the whole scan; the others are deleted and
            // the odd keys inserted while it runs, so leaves split, merge and are freed under it.
            TreeSet<Bytes> stable = new TreeSet<>();
            TreeSet<Bytes> touched = new TreeSet<>();
            for (int i = 0; i < 1200; i += 2) {
                tree.put(key(i), value(i));
                (i % 4 == 0 ? stable : touched).add(key(i));
            }
            Bytes from = key(100);
            Bytes to = key(1100);
            Random random = new Random(reverse ? 8 : 7);
            List<Bytes> seen = new ArrayList<>();
            try (EntryIterator scan = reverse ? tree.scanReverse(from, to) : tree.scan(from, to)) {
                while (scan.hasNext()) {
                    Entry e = scan.next();
                    seen.add(e.key());
                    if (seen.size() > 1500) {
                        throw new AssertionError("the scan yields more than the keys in range: it repeats keys");
                    }
                    int at = Integer.parseInt(e.key().toUtf8().substring(3));
                    assertThat("the value returned with " + e.key(), e.value(), is(value(at)));
                    for (int w = 0; w < 6; w++) {
                        int k = Math.max(0, at + random.nextInt(80) - 40);
                        if (k % 2 == 1) {
                            tree.put(key(k), value(k));
                            touched.add(key(k));
                        } else if (k % 4 == 2) {
                            tree.delete(key(k));
                        }
                    }
                    if (seen.size() % 50 == 0) {
                        for (int k = at - 30; k < at + 30; k++) {
                            if (k >= 0 && k % 4 != 0) { // a burst of deletes around the scan: merges, freed leaves
                                tree.delete(key(k));
                            }
                        }
                        Invariants.check(tree); // also: the open scan holds no pin between next() calls
                    }
                }
            }
            for (int i = 1; i < seen.size(); i++) {
                int c = seen.get(i - 1).compareTo(seen.get(i));
                assertThat(
                        "keys come in strictly " + (reverse ? "decreasing" : "increasing") + " order, none twice: "
                                + seen.get(i - 1) + " then " + seen.get(i),
                        reverse ? c : -c,
                        greaterThan(0));
            }
            for (Bytes k : seen) {
                assertThat(
                        k + " is inside [" + from + ", " + to + ")",
                        k.compareTo(from) >= 0 && k.compareTo(to) < 0,
                        is(true));
                assertThat(
                        k + " was in the tree at some point during the scan",
                        stable.contains(k) || touched.contains(k),
                        is(true));
            }
            List<Bytes> missed = new ArrayList<>(stable.subSet(from, to));
            missed.removeAll(seen);
            assertThat(
                    "every key in range that stayed in the tree for the whole scan is returned", missed, is(empty()));
        }
    }

    @Test
    void aScanOfAnUnchangingTreeFollowsTheSiblingLinks() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = randomTree(model, 1500, 9)) {
            int height = height(tree);
            long leaves = TreeDump.stats(tree).leaves();
            assertThat("(setup) a tree of at least 3 levels", height, greaterThanOrEqualTo(3));
            BufferPool.PoolStats before = tree.poolStats();
            List<Entry> all = drain(tree.scan(null, null), 1500);
            BufferPool.PoolStats after = tree.poolStats();
            long fetches = after.fetches() - before.fetches();
            assertThat("(setup) the scan returns every key", all.size(), is(1500));
            assertThat(
                    "a scan of the " + leaves + " leaves of an unchanged tree seeks once (" + height + " pages) and"
                            + " then follows next links: at most 2 fetches a leaf, where a seek from the root for every leaf"
                            + " would cost " + height,
                    fetches,
                    lessThanOrEqualTo(2 * leaves + height + 2));
            BufferPool.PoolStats beforeReverse = tree.poolStats();
            assertThat(
                    "(setup) the reverse scan returns every key",
                    drain(tree.scanReverse(null, null), 1500).size(),
                    is(1500));
            BufferPool.PoolStats afterReverse = tree.poolStats();
            assertThat(
                    "the same for a reverse scan along the prev links",
                    afterReverse.fetches() - beforeReverse.fetches(),
                    lessThanOrEqualTo(2 * leaves + height + 2));
            assertThat("scans leave no page pinned", tree.pool().pinnedFrames(), is(0));
        }
    }

    @Test
    void aScanOpenedBeforeAPutMaySeeItButNeverOutOfOrder() throws IOException {
        try (BPlusTree tree = Trees.openSmall(new FaultInjectingStorage(10))) {
            for (int i = 0; i < 100; i += 10) {
                tree.put(key(i), value(i));
            }
            List<Bytes> seen = new ArrayList<>();
            try (EntryIterator scan = tree.scan(null, null)) {
                seen.add(scan.next().key()); // key 0
                tree.put(key(5), value(5)); // after the scan's position: in the batch already taken, or not
                tree.put(key(95), value(95)); // far ahead: a later leaf or the same one
                while (scan.hasNext()) {
                    seen.add(scan.next().key());
                }
            }
            List<Bytes> sorted = new ArrayList<>(new TreeSet<>(seen));
            assertThat("the keys come in increasing order, none twice: " + seen, seen, is(sorted));
            List<Bytes> original = new ArrayList<>();
            for (int i = 0; i < 100; i += 10) {
                original.add(key(i));
            }
            assertThat("every key present for the whole scan is seen: " + seen, seen.containsAll(original), is(true));
            assertThat("nothing else is seen", seen.size(), lessThan(original.size() + 3));
        }
    }
}
