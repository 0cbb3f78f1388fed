package dev.storagelab.io;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file open for positional reads. Safe for concurrent use by many threads. */
public interface ReadableFile extends Closeable {

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code position}.
     *
     * @return the number of bytes read, or -1 at end of file
     */
    int read(long position, ByteBuffer dst) throws IOException;

    /**
     * Fills {@code dst} from {@code position}.
     *
     * @throws EOFException if the file ends first; the message names the file and the offsets
     */
    default void readFully(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = read(pos, dst);
            if (n < 0) {
                throw new EOFException(name() + ": wanted " + dst.remaining() + " more bytes at offset " + pos
                        + " but the file ends at " + size());
            }
            pos += n;
        }
    }

    /** Reads exactly {@code length} bytes at {@code position} into a new array. */
    default byte[] readFully(long position, int length) throws IOException {
        byte[] out = new byte[length];
        readFully(position, ByteBuffer.wrap(out));
        return out;
    }

    /** The file's current size in bytes. */
    long size() throws IOException;

    /** The file's name inside its directory. */
    String name();
}
