package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SortedLogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyset pagination over a {@link SortedLogStore}: each page continues from the last key of the
 * page before ("{@code WHERE key > :lastKey ORDER BY key LIMIT :n}"), never from a row count.
 *
 * <p>{@code OFFSET} pagination counts rows: page 3 is "skip 200, take 100". A key inserted before
 * the reader's position shifts every later row by one, so the reader sees a row twice; a key
 * deleted there shifts them back, so the reader skips one. It also reads and throws away all
 * skipped rows, so page n costs O(n). A keyset page seeks straight to its first key (one binary
 * search per source) and whatever happens to other keys, it cannot repeat or skip a key that
 * existed throughout.
 *
 * <p>The guarantee: while other threads insert and delete, walking from {@link #first} through
 * {@link #next} until {@link Page#nextCursor()} is null returns every key that existed for the
 * whole walk exactly once, in order. Keys inserted or deleted during the walk may or may not
 * appear. Each page is one {@link RangeScan} over its own snapshot, so no page sees half a flush
 * or compaction, and no snapshot is held between pages.
 *
 * <p>Cursors are signed with the paginator's secret ({@link Cursor}); a page request with a
 * cursor that was tampered with, or issued by a paginator with another secret, fails with
 * {@link InvalidCursorException}. Thread-safe: a paginator holds no state between pages.
 */
public final class KeysetPaginator {

    /** The largest page a caller may ask for. */
    public static final int MAX_LIMIT = 10_000;

    private final SortedLogStore store;
    private final byte[] secret;

    /**
     * A paginator over {@code store} that signs its cursors with {@code secret}.
     *
     * @param secret the signing key (copied); keep it stable across restarts so cursors held by
     *               clients stay valid, and at least 32 random bytes in production
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code secret} is empty
     */
    public KeysetPaginator(SortedLogStore store, byte[] secret) {
        this.store = checkNotNull(store, "store must not be null");
        Cursor.checkSecret(secret);
        this.secret = secret.clone();
    }

    /**
     * The first page: up to {@code limit} live entries from the first key (FORWARD) or the last
     * key (BACKWARD).
     *
     * @throws IllegalArgumentException if {@code limit} is not in [1, {@value #MAX_LIMIT}]
     * @throws NullPointerException     if {@code direction} is null
     */
    public Page first(int limit, Direction direction) {
        checkLimit(limit);
        checkNotNull(direction, "direction must not be null");
        return page(direction, null, limit);
    }

    /**
     * The page after the one that returned {@code cursor}, in that page's direction.
     *
     * @throws InvalidCursorException   if {@code cursor} is malformed or was not issued with this
     *                                  paginator's secret
     * @throws IllegalArgumentException if {@code limit} is not in [1, {@value #MAX_LIMIT}]
     * @throws NullPointerException     if {@code cursor} is null
     */
    public Page next(String cursor, int limit) {
        checkLimit(limit);
        Cursor c = Cursor.decode(cursor, secret);
        return page(c.direction(), c.lastKey(), limit);
    }

    private static void checkLimit(int limit) {
        checkArgument(limit >= 1 && limit <= MAX_LIMIT, "limit must be in [1, %s]: %s", MAX_LIMIT, limit);
    }

    /**
     * The scan a page reads: the live entries strictly after {@code lastKey} in {@code direction}
     * (all of them when {@code lastKey} is null).
     *
     * <p>FORWARD: {@link RangeScan#scan} from {@link #successor(Bytes)} of {@code lastKey}, the
     * smallest key greater than it, to the end. BACKWARD: {@link RangeScan#scanReverse} from the
     * beginning to {@code lastKey}, whose end is exclusive, which is exactly "strictly before".
     */
    private EntryIterator scanAfter(Direction direction, Bytes lastKey) {
        // BEGIN SOLUTION lab-02 T5
        if (direction == Direction.FORWARD) {
            return RangeScan.scan(store, lastKey == null ? null : successor(lastKey), null);
        }
        return RangeScan.scanReverse(store, null, lastKey);
        // END SOLUTION
    }

    /**
     * One page: up to {@code limit} entries of {@link #scanAfter}, and a cursor on the last one if
     * more entries follow, or null if the scan is exhausted (a page that ends exactly at the last
     * key is the last page: peek with {@code hasNext()} rather than handing out a cursor that
     * leads to an empty page). Close the scan before returning: it holds a snapshot.
     */
    private Page page(Direction direction, Bytes lastKey, int limit) {
        // BEGIN SOLUTION lab-02 T5
        try (EntryIterator scan = scanAfter(direction, lastKey)) {
            List<Entry> entries = new ArrayList<>(Math.min(limit, 256));
            while (entries.size() < limit && scan.hasNext()) {
                entries.add(scan.next());
            }
            String nextCursor = scan.hasNext()
                    ? new Cursor(direction, entries.get(entries.size() - 1).key()).encode(secret)
                    : null;
            return new Page(entries, nextCursor);
        }
        // END SOLUTION
    }

    /**
     * The smallest key greater than {@code key} in unsigned byte order: {@code key} followed by
     * one {@code 0x00} byte. Nothing can sort between the two.
     */
    static Bytes successor(Bytes key) {
        byte[] b = new byte[key.length() + 1];
        System.arraycopy(key.toByteArray(), 0, b, 0, key.length());
        return Bytes.wrap(b);
    }
}
