package dev.storagelab.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file open for writing: {@link #append} adds bytes at the end (a log), {@link #writeAt}
 * overwrites bytes in place (a page file). Nothing is durable until {@link #force()} returns.
 * Implementations are safe for use by one thread at a time; callers that share a file serialise
 * their writes themselves (that is lab-01 T5).
 */
public interface WritableFile extends Closeable {

    /** Appends every remaining byte of {@code src}. */
    void append(ByteBuffer src) throws IOException;

    /** Appends {@code length} bytes of {@code src} starting at {@code offset}. */
    default void append(byte[] src, int offset, int length) throws IOException {
        append(ByteBuffer.wrap(src, offset, length));
    }

    /** Appends all of {@code src}. */
    default void append(byte[] src) throws IOException {
        append(ByteBuffer.wrap(src));
    }

    /**
     * Writes every remaining byte of {@code src} at {@code position}, replacing the bytes there (a
     * positional write, as {@code pwrite}). A write that runs past the end extends the file; one
     * that starts past the end would leave a hole, so {@code position} must be in
     * {@code [0, size()]}.
     *
     * <p>Nothing is durable until {@link #force()} returns. An unforced overwrite cut short by a
     * power loss may leave each 512-byte sector it touched (aligned to file offsets) old or new,
     * independently of the others, but never a mix inside one sector: a torn write at sector
     * granularity, because a disk guarantees only that a single sector is written whole or not at
     * all. An engine that needs a page whole must detect a torn one (a checksum) or avoid it (a
     * journal).
     *
     * @throws IllegalArgumentException if {@code position} is negative or past the end; the message
     *                                  names the file, the position and the size
     */
    void writeAt(long position, ByteBuffer src) throws IOException;

    /** Writes all of {@code src} at {@code position}, as {@link #writeAt(long, ByteBuffer)}. */
    default void writeAt(long position, byte[] src) throws IOException {
        writeAt(position, ByteBuffer.wrap(src));
    }

    /** The file's size, including bytes written but not yet forced. */
    long size() throws IOException;

    /** Makes every byte written so far durable (fsync / fdatasync). */
    void force() throws IOException;

    /** The file's name inside its directory. */
    String name();

    /**
     * Checks a {@link #writeAt} position against the file's size and returns it: implementations
     * call this before they write.
     */
    static long checkWritePosition(String name, long position, long size) {
        if (position < 0 || position > size) {
            throw new IllegalArgumentException("writeAt position " + position + " is outside " + name + " (size " + size
                    + "): a positional write may start anywhere from 0 to the end of the file, never past it");
        }
        return position;
    }
}
