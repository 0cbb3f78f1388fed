package dev.storagelab.btree.hidden;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.Replacer;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the lab-04 hidden tests share: small-page options (512-byte pages and 16 frames, so a few
 * hundred keys split, merge and evict constantly), the key and value vocabulary, and reading a
 * tree's whole contents through its scans.
 */
final class Trees {

    private Trees() {}

    /** Key indexes run from 0 to {@code KEY_SPACE - 1}. */
    static final int KEY_SPACE = 1000;

    static final BTreeOptions SMALL_LRU =
            BTreeOptions.defaults().withPageSize(512).withPoolFrames(16).withReplacer(Replacer.Kind.LRU);
    static final BTreeOptions SMALL_LRU_2 = SMALL_LRU.withReplacer(Replacer.Kind.LRU_2);

    /**
     * Key {@code i}: a first byte that grows with {@code i} from 0x00 to 0xff (so half the keys
     * start with a byte a signed comparison puts first), then {@code i} in four decimal digits, then
     * 0-2 dots (keys of unequal lengths). Increasing in {@code i} in unsigned byte order.
     */
    static Bytes key(int i) {
        byte[] tail = (String.format("%04d", i) + ".".repeat(i % 3)).getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[1 + tail.length];
        k[0] = (byte) (i * 256 / KEY_SPACE);
        System.arraycopy(tail, 0, k, 1, tail.length);
        return Bytes.wrap(k);
    }

    /** Key {@code i} padded with 'p' to {@code length} bytes: long keys make internal pages split and merge. */
    static Bytes longKey(int i, int length) {
        byte[] k = key(i).toByteArray();
        byte[] padded = new byte[Math.max(length, k.length)];
        System.arraycopy(k, 0, padded, 0, k.length);
        for (int j = k.length; j < padded.length; j++) {
            padded[j] = 'p';
        }
        return Bytes.wrap(padded);
    }

    /** A value of {@code length} bytes determined by {@code tag}: two tags almost never give the same bytes. */
    static Bytes value(long tag, int length) {
        byte[] v = new byte[length];
        long x = tag * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int j = 0; j < length; j++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            v[j] = (byte) x;
        }
        return Bytes.wrap(v);
    }

    /** The tree's entries in key order, read with one forward scan. */
    static TreeMap<Bytes, Bytes> contents(OrderedStore store) throws IOException {
        TreeMap<Bytes, Bytes> out = new TreeMap<>();
        for (Entry e : scan(store, null, null, false)) {
            out.put(e.key(), e.value());
        }
        return out;
    }

    /** The entries of a scan ({@code reverse}: {@code scanReverse}), in the order it returns them. */
    static List<Entry> scan(OrderedStore store, Bytes from, Bytes to, boolean reverse) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (EntryIterator it = reverse ? store.scanReverse(from, to) : store.scan(from, to)) {
            while (it.hasNext()) {
                out.add(it.next());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }

    /** The model's entries in {@code [from, to)} (null: open), in scan order, as a scan returns them. */
    static List<Entry> expected(TreeMap<Bytes, Bytes> model, Bytes from, Bytes to, boolean reverse) {
        Map<Bytes, Bytes> range = from == null && to == null
                ? model
                : from == null
                        ? model.headMap(to, false)
                        : to == null ? model.tailMap(from, true) : model.subMap(from, true, to, false);
        List<Entry> out = new ArrayList<>();
        range.forEach((k, v) -> out.add(Entry.put(k, v)));
        if (reverse) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    /** Closes {@code tree} if it is not null, ignoring what a crashed storage throws. */
    static void closeQuietly(BPlusTree tree) {
        if (tree == null) {
            return;
        }
        try {
            tree.close();
        } catch (IOException | RuntimeException ignored) {
            // a crashed storage fails every call; the tree is abandoned
        }
    }

    /** A short description of a map, for messages: its size and first and last keys. */
    static String describe(Map<Bytes, Bytes> map) {
        if (map.isEmpty()) {
            return "{} (empty)";
        }
        TreeMap<Bytes, Bytes> t = new TreeMap<>(map);
        return map.size() + " keys from " + t.firstKey() + " to " + t.lastKey();
    }
}
