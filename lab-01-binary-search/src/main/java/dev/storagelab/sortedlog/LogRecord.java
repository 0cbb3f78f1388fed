package dev.storagelab.sortedlog;

import dev.storagelab.kv.Entry;

/**
 * One record read back from a log: the entry, where it starts and how many bytes it takes.
 *
 * @param offset the byte offset of the record header in the file
 * @param size   header plus payload, in bytes; the next record starts at {@code offset + size}
 * @param entry  the decoded key and value or tombstone
 */
public record LogRecord(long offset, int size, Entry entry) {

    /** The offset just past this record. */
    public long end() {
        return offset + size;
    }
}
