package dev.storagelab.sortedlog;

import static dev.storagelab.sortedlog.LogFormat.*;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads a log file front to back (format in {@link LogFormat}), checking every checksum, and
 * tells a torn tail (the last write was cut short by a crash: expected, cut it off) from
 * corruption (bytes that were once good have changed: report it, never return it as data).
 *
 * <p>Typical use, rebuilding an index on open:
 * <pre>{@code
 * try (LogReader reader = LogReader.open(storage, "store.log", RecoveryMode.TOLERATE_TORN_TAIL)) {
 *     for (LogRecord r = reader.next(); r != null; r = reader.next()) { ... }
 *     if (reader.tornTail()) storage.truncate(name, reader.validEnd());
 * }
 * }</pre>
 */
public final class LogReader implements AutoCloseable {

    private static final int WINDOW = 64 * 1024;

    private final ReadableFile file;
    private final String describe;
    private final RecoveryMode mode;
    private final long fileSize;
    private long position;
    private boolean tornTail;
    private boolean done;

    // A read-ahead window over the file, so a scan makes one read per 64 KiB, not two per record.
    private ByteBuffer window = ByteBuffer.allocate(0);
    private long windowStart;

    private LogReader(ReadableFile file, String describe, RecoveryMode mode) throws IOException {
        this.file = file;
        this.describe = describe;
        this.mode = mode;
        this.fileSize = file.size();
    }

    /**
     * Opens {@code name} and checks its file header. A file shorter than the header is a log whose
     * creation was torn: it reads as empty, with {@link #tornTail()} set.
     *
     * @throws CorruptionException on a wrong magic number or an unknown version
     */
    public static LogReader open(Storage storage, String name, RecoveryMode mode) throws IOException {
        ReadableFile file = storage.openRead(name);
        LogReader reader;
        try {
            reader = new LogReader(file, storage.describe(name), mode);
            reader.readFileHeader();
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        return reader;
    }

    private void readFileHeader() throws IOException {
        if (fileSize < FILE_HEADER_SIZE) {
            if (mode == RecoveryMode.ABSOLUTE_CONSISTENCY) {
                throw new CorruptionException(describe, 0, "log file header is truncated (" + fileSize + " bytes)");
            }
            tornTail = fileSize > 0;
            done = true;
            position = 0;
            return;
        }
        ByteBuffer header = bytes(0, FILE_HEADER_SIZE);
        int magic = header.getInt();
        int version = header.getInt();
        if (magic != MAGIC) {
            throw new CorruptionException(
                    describe,
                    0,
                    String.format("wrong magic number 0x%08x, expected 0x%08x (not a log file)", magic, MAGIC));
        }
        if (version != VERSION) {
            throw new CorruptionException(describe, 4, "unsupported log version " + version + ", expected " + VERSION);
        }
        position = FILE_HEADER_SIZE;
    }

    /**
     * Reads the next record.
     *
     * <p>At offset {@code p} of a file of {@code size} bytes, in this order:
     * <ol>
     *   <li>{@code p == size}: the clean end; return null.</li>
     *   <li>fewer than 12 bytes left: a torn header.</li>
     *   <li>the header checksum fails: torn if every byte left is zero (space the file system
     *       allocated but never wrote), corruption otherwise.</li>
     *   <li>the length exceeds {@link LogFormat#MAX_PAYLOAD}: corruption.</li>
     *   <li>the record runs past the end of the file: torn.</li>
     *   <li>the payload checksum fails: torn if the record ends exactly at the end of the file
     *       (the final write was garbled), corruption otherwise.</li>
     *   <li>the payload does not decode ({@link #decode}): corruption.</li>
     * </ol>
     * "Torn" means: under {@link RecoveryMode#TOLERATE_TORN_TAIL} set {@link #tornTail()} and
     * return null, leaving {@link #validEnd()} at {@code p}; under
     * {@link RecoveryMode#ABSOLUTE_CONSISTENCY} throw. "Corruption" always throws a
     * {@link CorruptionException} naming the file and {@code p}.
     *
     * @return the record, or null at the end of the valid log
     */
    public LogRecord next() throws IOException {
        if (done) {
            return null;
        }
        long p = position;
        long left = fileSize - p;
        // BEGIN SOLUTION lab-01 T3
        if (left == 0) {
            return end(false);
        }
        if (left < RECORD_HEADER_SIZE) {
            return torn(p, "record header is cut short: " + left + " bytes left");
        }
        ByteBuffer header = bytes(p, RECORD_HEADER_SIZE);
        int length = header.getInt(0);
        int storedHeaderCrc = header.getInt(8);
        if (crc(header, 0, 8) != storedHeaderCrc) {
            if (allZero(p, left)) {
                return torn(p, "record header is zero-filled");
            }
            throw new CorruptionException(describe, p, "record header checksum mismatch");
        }
        if (length < PAYLOAD_PREFIX_SIZE || length > MAX_PAYLOAD) {
            throw new CorruptionException(describe, p, "record length " + length + " is out of range");
        }
        if (left < RECORD_HEADER_SIZE + (long) length) {
            return torn(p, "record of " + length + " bytes runs past the end of the file");
        }
        ByteBuffer record = bytes(p, RECORD_HEADER_SIZE + length);
        if (crc(record, RECORD_HEADER_SIZE, length) != record.getInt(4)) {
            if (left == RECORD_HEADER_SIZE + (long) length) {
                return torn(p, "final record fails its payload checksum");
            }
            throw new CorruptionException(describe, p, "record payload checksum mismatch");
        }
        Entry entry = decode(record, describe, p);
        position = p + RECORD_HEADER_SIZE + length;
        return new LogRecord(p, RECORD_HEADER_SIZE + length, entry);
        // END SOLUTION
    }

    /**
     * Checks and decodes one complete record (header and payload) read back from {@code file} at
     * {@code offset}: both checksums, the type, and every length against the bytes that remain.
     *
     * @param record a buffer whose remaining bytes are exactly one record
     * @throws CorruptionException naming {@code file} and {@code offset} if any check fails
     */
    public static Entry decode(ByteBuffer record, String file, long offset) throws CorruptionException {
        ByteBuffer r = record.slice();
        if (r.remaining() < RECORD_HEADER_SIZE + PAYLOAD_PREFIX_SIZE) {
            throw new CorruptionException(file, offset, "record is " + r.remaining() + " bytes, shorter than a header");
        }
        int length = r.getInt(0);
        if (crc(r, 0, 8) != r.getInt(8)) {
            throw new CorruptionException(file, offset, "record header checksum mismatch");
        }
        if (length != r.remaining() - RECORD_HEADER_SIZE) {
            throw new CorruptionException(
                    file,
                    offset,
                    "record length " + length + " does not match the " + (r.remaining() - RECORD_HEADER_SIZE)
                            + " payload bytes present");
        }
        if (crc(r, RECORD_HEADER_SIZE, length) != r.getInt(4)) {
            throw new CorruptionException(file, offset, "record payload checksum mismatch");
        }
        r.position(RECORD_HEADER_SIZE);
        byte type = r.get();
        int keyLength = r.getInt();
        if (keyLength <= 0 || keyLength > r.remaining()) {
            throw new CorruptionException(
                    file,
                    offset,
                    "key length " + keyLength + " does not fit the " + r.remaining() + " payload bytes left");
        }
        Bytes key = Bytes.read(r, keyLength);
        if (type == TYPE_TOMBSTONE) {
            if (r.hasRemaining()) {
                throw new CorruptionException(
                        file, offset, "tombstone record carries " + r.remaining() + " value bytes");
            }
            return Entry.tombstone(key);
        }
        if (type != TYPE_VALUE) {
            throw new CorruptionException(file, offset, "unknown record type " + type);
        }
        return Entry.put(key, Bytes.read(r, r.remaining()));
    }

    private LogRecord end(boolean torn) {
        done = true;
        tornTail = torn;
        return null;
    }

    private LogRecord torn(long p, String why) throws CorruptionException {
        if (mode == RecoveryMode.ABSOLUTE_CONSISTENCY) {
            throw new CorruptionException(describe, p, why);
        }
        position = p;
        return end(true);
    }

    private static int crc(ByteBuffer buf, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.slice(from, length));
        return (int) crc.getValue();
    }

    private boolean allZero(long from, long length) throws IOException {
        for (long p = from; p < from + length; ) {
            int n = (int) Math.min(WINDOW, from + length - p);
            ByteBuffer b = bytes(p, n);
            while (b.hasRemaining()) {
                if (b.get() != 0) {
                    return false;
                }
            }
            p += n;
        }
        return true;
    }

    /** {@code length} bytes at {@code pos}, served from the read-ahead window. */
    private ByteBuffer bytes(long pos, int length) throws IOException {
        if (pos < windowStart || pos + length > windowStart + window.limit()) {
            int size = (int) Math.min(Math.max(WINDOW, length), fileSize - pos);
            if (window.capacity() < size) {
                window = ByteBuffer.allocate(size);
            }
            window.clear().limit(size);
            file.readFully(pos, window);
            window.flip();
            windowStart = pos;
        }
        return window.slice((int) (pos - windowStart), length);
    }

    /** The offset just past the last good record: where appends may resume. */
    public long validEnd() {
        return position;
    }

    /** Whether reading stopped at a torn tail rather than the clean end of the file. */
    public boolean tornTail() {
        return tornTail;
    }

    /** The size of the file when it was opened. */
    public long fileSize() {
        return fileSize;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
