package dev.storagelab.lsm;

import java.io.IOException;

/**
 * A cursor over encoded {@link InternalKey}s in {@link InternalKey#ORDER} (user key ascending, newest
 * version first), with their values: the shape of every sorted source inside the LSM tree (a
 * memtable, a table, a level, a merge of them), as LevelDB's {@code Iterator}. A {@link Block.Cursor}
 * has the same shape one block down.
 *
 * <p>Positioned by {@link #seekToFirst} or {@link #seek}; not valid before either. Each iterator
 * belongs to one thread. A table's iterator reads blocks, so its moves may throw
 * {@link IOException} (a {@link dev.storagelab.kv.CorruptionException} names the file and offset).
 */
public interface InternalIterator extends AutoCloseable {

    /** Whether the iterator is on an entry. */
    boolean valid();

    /** Positions on the first entry. */
    void seekToFirst() throws IOException;

    /** Positions on the first entry whose encoded internal key is at or after {@code target}. */
    void seek(byte[] target) throws IOException;

    /** Moves to the next entry; past the last one the iterator is no longer valid. */
    void next() throws IOException;

    /** Positions on the last entry (for reverse scans). */
    void seekToLast() throws IOException;

    /** Moves to the previous entry; before the first one the iterator is no longer valid. */
    void prev() throws IOException;

    /** The current entry's encoded internal key. Do not change the array. */
    byte[] key();

    /** The current entry's value (empty for a deletion). Do not change the array. */
    byte[] value();

    /**
     * The array the current value lies in, where it lies: the value is {@link #valueLength} bytes
     * of it from {@link #valueOffset}, until the iterator moves. A table's cursor answers with its
     * block, without the copy {@link #value} makes: a compaction writes each value straight from
     * the input block into the output. Do not change the array.
     */
    default byte[] valueArray() {
        return value();
    }

    /** Where the current value starts in {@link #valueArray}. */
    default int valueOffset() {
        return 0;
    }

    /** The current value's length. */
    default int valueLength() {
        return value().length;
    }

    /** Releases what the iterator holds (table files, a version). Idempotent. */
    @Override
    void close();
}
