package dev.storagelab.sortedlog;

import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Merges two sorted sources into one sorted stream in which each key appears once: when both
 * hold the key, the newer source's entry wins (a tombstone included, so a delete hides the older
 * value). Stacking merges, {@code merge(s1, merge(s2, merge(s3, s4)))}, merges any number of
 * sources at O(k) comparisons per entry; lab-02's heap-based merging iterator does it in
 * O(log k).
 */
public final class NewestWinsMerge implements EntryIterator {

    private final EntryIterator newer;
    private final EntryIterator older;
    private Entry nextNewer;
    private Entry nextOlder;
    private Entry next;

    public NewestWinsMerge(EntryIterator newer, EntryIterator older) {
        this.newer = newer;
        this.older = older;
        this.nextNewer = newer.hasNext() ? newer.next() : null;
        this.nextOlder = older.hasNext() ? older.next() : null;
    }

    /** Merges {@code newestFirst} (index 0 is the newest source) into one stream. */
    public static EntryIterator of(List<EntryIterator> newestFirst) {
        if (newestFirst.isEmpty()) {
            return EntryIterator.of(java.util.Collections.emptyIterator());
        }
        EntryIterator merged = newestFirst.get(newestFirst.size() - 1);
        for (int i = newestFirst.size() - 2; i >= 0; i--) {
            merged = new NewestWinsMerge(newestFirst.get(i), merged);
        }
        return merged;
    }

    /**
     * Computes the next entry of the merge into {@link #next}, or leaves it null when both sources
     * are exhausted. {@link #nextNewer} and {@link #nextOlder} hold each source's head (null when
     * that source is exhausted). Take the smaller head; on equal keys take the newer one and skip
     * the older one, so the key appears once.
     */
    private void advance() {
        // BEGIN SOLUTION lab-01 T9
        if (nextNewer == null && nextOlder == null) {
            next = null;
            return;
        }
        int c = nextNewer == null ? 1 : nextOlder == null ? -1 : nextNewer.key().compareTo(nextOlder.key());
        if (c <= 0) {
            next = nextNewer;
            nextNewer = newer.hasNext() ? newer.next() : null;
            if (c == 0) {
                nextOlder = older.hasNext() ? older.next() : null;
            }
        } else {
            next = nextOlder;
            nextOlder = older.hasNext() ? older.next() : null;
        }
        // END SOLUTION
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            advance();
        }
        return next != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Entry e = next;
        next = null;
        return e;
    }

    @Override
    public void close() {
        newer.close();
        older.close();
    }
}
