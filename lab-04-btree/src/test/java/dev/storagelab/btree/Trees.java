package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * What the B+tree tests share: small trees (512-byte pages, so a few dozen keys already make
 * several levels), keys that sort as their numbers do, and comparisons with a {@link java.util.TreeMap}
 * oracle.
 */
final class Trees {

    private Trees() {}

    /** The smallest pages and pool the tree accepts, with plain LRU: splits and evictions come early. */
    static BTreeOptions small() {
        return BTreeOptions.defaults()
                .withPageSize(PageFormat.MIN_PAGE_SIZE)
                .withPoolFrames(BTreeOptions.MIN_POOL_FRAMES)
                .withReplacer(Replacer.Kind.LRU);
    }

    static BPlusTree openSmall(Storage storage) throws IOException {
        return BPlusTree.open(storage, small());
    }

    /** "key000042": fixed width, so byte order is number order. */
    static Bytes key(int i) {
        return Bytes.of(String.format("key%06d", i));
    }

    static Bytes value(int i) {
        return Bytes.of("value-" + i);
    }

    static Bytes b(String s) {
        return Bytes.of(s);
    }

    /** The tree's height: 0 when empty, 1 for a root leaf. Walks down the leftmost path only. */
    static int height(BPlusTree tree) throws IOException {
        tree.lock().writeLock().lock();
        try {
            if (tree.rootId() == PageFormat.NO_PAGE) {
                return 0;
            }
            int height = 1;
            for (SlottedPage page = tree.copyOf(tree.rootId());
                    !page.isLeaf();
                    page = tree.copyOf(page.leftmostChild())) {
                height++;
            }
            return height;
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    /** A copy of page {@code pageId}, taken under the tree's read lock. */
    static SlottedPage copyOf(BPlusTree tree, long pageId) throws IOException {
        tree.lock().writeLock().lock();
        try {
            return tree.copyOf(pageId);
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    /** Checks that {@code tree} holds exactly {@code model}: size, every key's value, and {@code absent} keys missing. */
    static void assertHolds(BPlusTree tree, NavigableMap<Bytes, Bytes> model, String when) throws IOException {
        assertThat(when + ": size() counts the keys in the tree", tree.size(), is((long) model.size()));
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
            Optional<Bytes> got = tree.get(e.getKey());
            assertThat(
                    when + ": get(" + e.getKey() + ") returns the value last put", got, is(Optional.of(e.getValue())));
        }
    }

    /**
     * The entries left in {@code it}, which should number at most {@code expected}; closes it. A
     * sibling link that points back makes a scan go round forever: this names the problem instead.
     */
    static List<Entry> drain(EntryIterator it, int expected) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                out.add(it.next());
                if (out.size() > expected) {
                    throw new AssertionError("the scan yields more than the " + expected + " entries expected: it"
                            + " returns a key twice or the leaf links form a cycle. It began "
                            + out.subList(0, Math.min(out.size(), 20)));
                }
            }
        }
        return out;
    }

    /** The entries of {@code model} in {@code [from, to)} (null: open end), in increasing order. */
    static List<Entry> range(NavigableMap<Bytes, Bytes> model, Bytes from, Bytes to) {
        NavigableMap<Bytes, Bytes> sub = model;
        if (from != null) {
            sub = sub.tailMap(from, true);
        }
        if (to != null) {
            sub = sub.headMap(to, false);
        }
        List<Entry> out = new ArrayList<>();
        sub.forEach((k, v) -> out.add(Entry.put(k, v)));
        return out;
    }

    /** Checks that {@code actual} equals {@code expected}, naming the first difference. */
    static void assertEntries(String what, List<Entry> actual, List<Entry> expected) {
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            assertThat(
                    what + ": entry " + i + " (of " + expected.size() + " expected)",
                    actual.get(i),
                    equalTo(expected.get(i)));
        }
        assertThat(what + ": the number of entries", actual.size(), is(expected.size()));
    }
}
