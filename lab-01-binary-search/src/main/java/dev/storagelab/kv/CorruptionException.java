package dev.storagelab.kv;

import java.io.IOException;

/**
 * Stored bytes failed a check: a checksum, a magic number, a length that runs past the end. The
 * message always names the file, the offset and what failed, so an operator can find the bad
 * bytes ("000007.seg @ 12288: block checksum mismatch").
 */
public final class CorruptionException extends IOException {

    private final String file;
    private final long offset;

    public CorruptionException(String file, long offset, String what) {
        super(file + " @ " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    /** The file the corruption was found in. */
    public String file() {
        return file;
    }

    /** The byte offset in {@link #file()} where the bad data starts. */
    public long offset() {
        return offset;
    }
}
