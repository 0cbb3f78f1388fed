package dev.storagelab.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file open for appending. Appends go to the end of the file; nothing is durable until
 * {@link #force()} returns. Implementations are safe for use by one thread at a time; callers that
 * share a file serialise their appends themselves (that is lab-01 T5).
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

    /** The file's size, including bytes appended but not yet forced. */
    long size() throws IOException;

    /** Makes every byte appended so far durable (fsync / fdatasync). */
    void force() throws IOException;

    /** The file's name inside its directory. */
    String name();
}
