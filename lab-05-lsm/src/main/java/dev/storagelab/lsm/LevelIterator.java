package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.List;

/**
 * One level below level 0 as one iterator (LevelDB's two-level iterator over a level's file list):
 * the level's tables hold disjoint, sorted user-key ranges, so only one table is open at a time,
 * and a seek binary-searches the tables' largest keys and seeks one table instead of all of them.
 * A scan's merge then holds one source per level, not one per table: with 100 tables below level 0,
 * a seek costs a handful of index lookups instead of 100. A compaction merges each input level
 * whose tables hold disjoint key ranges through one too, as RocksDB's compaction does: one source
 * per level instead of one per table, so each entry's step through the merge compares against a
 * few sources, not dozens (a level whose tables overlap is merged table by table). Given code.
 *
 * <p>Not thread-safe; closing it closes the open table's cursor.
 */
final class LevelIterator implements InternalIterator {

    /** Opens a table's cursor (not yet positioned). */
    @FunctionalInterface
    interface Opener {
        InternalIterator open(FileMeta file) throws IOException;
    }

    private final List<FileMeta> files;
    private final Opener opener;
    private int index = -1;
    private InternalIterator cursor;

    /**
     * @param files  the level's tables in key order, with disjoint user-key ranges (as
     *               {@link Version#files} gives them for levels 1 and down)
     * @param opener opens one table's cursor when the iteration reaches it
     */
    LevelIterator(List<FileMeta> files, Opener opener) {
        this.files = List.copyOf(files);
        this.opener = opener;
    }

    @Override
    public boolean valid() {
        return cursor != null && cursor.valid();
    }

    @Override
    public void seekToFirst() throws IOException {
        if (open(0)) {
            cursor.seekToFirst();
            skipForward();
        }
    }

    @Override
    public void seek(byte[] target) throws IOException {
        Bytes user = Bytes.copyOf(target, 0, target.length - InternalKey.TRAILER_BYTES);
        // The first table whose largest user key is at or after the target's: no table before it
        // holds the key or anything after it. Its versions of that key may all be older than the
        // target's sequence; then the seek runs off its end and the next table answers.
        int lo = 0;
        int hi = files.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (files.get(mid).largest().userKey().compareTo(user) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (open(lo)) {
            cursor.seek(target);
            skipForward();
        }
    }

    @Override
    public void next() throws IOException {
        cursor.next();
        skipForward();
    }

    @Override
    public void seekToLast() throws IOException {
        if (open(files.size() - 1)) {
            cursor.seekToLast();
            skipBackward();
        }
    }

    @Override
    public void prev() throws IOException {
        cursor.prev();
        skipBackward();
    }

    @Override
    public byte[] key() {
        return cursor.key();
    }

    @Override
    public byte[] value() {
        return cursor.value();
    }

    @Override
    public byte[] valueArray() {
        return cursor.valueArray();
    }

    @Override
    public int valueOffset() {
        return cursor.valueOffset();
    }

    @Override
    public int valueLength() {
        return cursor.valueLength();
    }

    @Override
    public void close() {
        closeCursor();
        index = -1;
    }

    /** While the open table is exhausted, moves to the next table's first entry. */
    private void skipForward() throws IOException {
        while (!cursor.valid()) {
            if (!open(index + 1)) {
                return;
            }
            cursor.seekToFirst();
        }
    }

    /** While the open table is exhausted, moves to the previous table's last entry. */
    private void skipBackward() throws IOException {
        while (!cursor.valid()) {
            if (!open(index - 1)) {
                return;
            }
            cursor.seekToLast();
        }
    }

    /** Opens table {@code i} in place of the open one; false (and nothing open) if there is none. */
    private boolean open(int i) throws IOException {
        if (i == index && cursor != null) {
            return true;
        }
        closeCursor();
        if (i < 0 || i >= files.size()) {
            index = -1;
            return false;
        }
        cursor = opener.open(files.get(i));
        index = i;
        return true;
    }

    private void closeCursor() {
        if (cursor != null) {
            InternalIterator c = cursor;
            cursor = null;
            c.close();
        }
    }
}
