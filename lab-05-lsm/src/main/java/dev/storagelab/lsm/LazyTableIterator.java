package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One table as a scan's source, opened only when the scan needs its entries. A seek to a key at or
 * before the table's first entry does not read the table: the first entry's key is in the manifest
 * ({@link FileMeta#smallest}), so the iterator stands on it without a block, and the merge orders
 * it by that key. The table is opened, and its first block read, only when its first entry is taken
 * (its value, or a step past it) or a seek lands inside it. A scan of one key range then reads no
 * block of a table that holds only keys after the entries it takes: with flushes cut per key range,
 * most of level 0 (RocksDB positions its level iterators this lazily). Given code.
 *
 * <p>Not thread-safe; closing it closes the table's cursor if it was opened.
 */
final class LazyTableIterator implements InternalIterator {

    private final FileMeta file;
    private final LevelIterator.Opener opener;
    /** The table's first entry's encoded key, from the manifest. */
    private final byte[] first;

    private InternalIterator cursor;
    /** Standing on the first entry without having read it. */
    private boolean atFirstUnread;

    LazyTableIterator(FileMeta file, LevelIterator.Opener opener) {
        this.file = file;
        this.opener = opener;
        this.first = file.smallest().encode();
    }

    @Override
    public boolean valid() {
        return atFirstUnread || (cursor != null && cursor.valid());
    }

    @Override
    public void seekToFirst() {
        atFirstUnread = true;
    }

    @Override
    public void seek(byte[] target) throws IOException {
        if (InternalKey.ORDER.compare(target, first) <= 0) {
            atFirstUnread = true;
            return;
        }
        atFirstUnread = false;
        open().seek(target);
    }

    @Override
    public void next() throws IOException {
        readFirst();
        cursor.next();
    }

    @Override
    public void seekToLast() throws IOException {
        atFirstUnread = false;
        open().seekToLast();
    }

    @Override
    public void prev() throws IOException {
        readFirst();
        cursor.prev();
    }

    @Override
    public byte[] key() {
        return atFirstUnread ? first : cursor.key();
    }

    @Override
    public byte[] value() {
        try {
            readFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cursor.value();
    }

    @Override
    public void close() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
        atFirstUnread = false;
    }

    private InternalIterator open() throws IOException {
        if (cursor == null) {
            cursor = opener.open(file);
        }
        return cursor;
    }

    /**
     * If standing on the first entry unread, reads it: opens the table and seeks its first entry,
     * which must be the key the manifest names (else the merge was ordered by a wrong key).
     */
    private void readFirst() throws IOException {
        if (!atFirstUnread) {
            return;
        }
        open().seekToFirst();
        atFirstUnread = false;
        if (!cursor.valid() || !Arrays.equals(cursor.key(), first)) {
            throw new CorruptionException(
                    LsmFileNames.table(file.number()),
                    0,
                    "the first entry is " + (cursor.valid() ? "another key" : "missing") + ": the manifest says "
                            + file.smallest());
        }
    }
}
