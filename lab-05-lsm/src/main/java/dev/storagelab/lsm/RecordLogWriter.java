package dev.storagelab.lsm;

import static dev.storagelab.lsm.RecordLogFormat.*;

import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Appends opaque records to a record log (format in {@link RecordLogFormat}): the LSM tree's WAL
 * (a record is a {@link WriteBatch}) and its MANIFEST (a record is a {@link VersionEdit}). A record
 * larger than what is left of the current 32 KiB block is split into fragments. Each
 * {@link #addRecord} is one append of the record's fragments and any padding before them; it is
 * durable once {@link #force()} returns. Not thread-safe: lab-06's group commit serialises the
 * writers in front of it.
 */
public final class RecordLogWriter implements AutoCloseable {

    private final WritableFile file;
    /** The file's end: tracked here so an append needs no size() system call. */
    private long size;
    /** Set when an append or force failed: the file's tail is unknown, so nothing may follow it. */
    private IOException failure;

    private RecordLogWriter(WritableFile file, long size) {
        this.file = file;
        this.size = size;
    }

    /**
     * Creates a new log file, writes its header and forces it. The caller syncs the directory
     * before anything relies on the file's existence.
     */
    public static RecordLogWriter create(Storage storage, String name, Kind kind) throws IOException {
        return create(storage, name, kind, true);
    }

    /**
     * {@link #create} without the force: the header reaches the disk with the log's first
     * {@link #force}. For a log nothing relies on until it is forced (the write-ahead log a store
     * starts at a memtable switch, whose writes are durable only once a sync forces it): a switch
     * then costs the writer no force. The header lies in the file's first sector, so a power loss
     * leaves all of it or none, and a log shorter than its header reads as empty
     * ({@link RecordLogReader#open}).
     */
    public static RecordLogWriter createUnforced(Storage storage, String name, Kind kind) throws IOException {
        return create(storage, name, kind, false);
    }

    private static RecordLogWriter create(Storage storage, String name, Kind kind, boolean force) throws IOException {
        Objects.requireNonNull(kind, "kind");
        WritableFile file = storage.create(name);
        try {
            byte[] header = new byte[FILE_HEADER_SIZE];
            putInt(header, 0, MAGIC);
            header[4] = (byte) (VERSION >>> 8);
            header[5] = (byte) VERSION;
            header[6] = (byte) kind.code();
            file.append(header);
            if (force) {
                file.force();
            }
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        return new RecordLogWriter(file, FILE_HEADER_SIZE);
    }

    /**
     * Opens an existing, already recovered log (its torn tail cut at the reader's
     * {@link RecordLogReader#validEnd()}) for appending at its end: the block position continues
     * from the file's size.
     */
    public static RecordLogWriter openAppend(Storage storage, String name) throws IOException {
        WritableFile file = storage.openAppend(name);
        try {
            long size = file.size();
            if (size < FILE_HEADER_SIZE) {
                throw new IOException(
                        storage.describe(name) + " is " + size + " bytes, shorter than a log header: recover it first");
            }
            return new RecordLogWriter(file, size);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * The bytes that append {@code record} to a log whose end is at {@code position}: zero padding
     * if fewer than {@link RecordLogFormat#FRAGMENT_HEADER_SIZE} bytes are left in the current
     * block, then the record's fragments.
     *
     * <p>While bytes of the record remain (and at least once, so that an empty record is one empty
     * FULL fragment): if the block has no room for a header, pad it with zeros and move to the next
     * block; then take as many bytes as fit after a header in what is left of the block, and write
     * a fragment of type FULL (the whole record fits), FIRST (the first piece of several), LAST
     * (the final piece of several) or MIDDLE. A fragment's header is its length, its type, the
     * CRC32C of its payload and the CRC32C of those first 7 header bytes. Exactly
     * {@code FRAGMENT_HEADER_SIZE} bytes left in a block give a FIRST fragment of length 0, as in
     * LevelDB.
     *
     * @param record   the record's payload, at most {@link RecordLogFormat#MAX_RECORD} bytes
     * @param position the file offset the returned bytes will be appended at (at least the header)
     * @return the bytes to append, ending exactly where the record ends
     */
    public static byte[] frame(byte[] record, long position) {
        if (record.length > MAX_RECORD) {
            throw new IllegalArgumentException(
                    "record of " + record.length + " bytes is larger than the " + MAX_RECORD + " a log accepts");
        }
        if (position < FILE_HEADER_SIZE) {
            throw new IllegalArgumentException(
                    "records start after the " + FILE_HEADER_SIZE + "-byte file header: " + position);
        }
        // BEGIN SOLUTION lab-05 T6
        // Room for the payload, a header per fragment and up to a header's worth of padding before each.
        int fragments = record.length / (BLOCK_SIZE - FRAGMENT_HEADER_SIZE) + 2;
        byte[] out = new byte[record.length + fragments * 2 * FRAGMENT_HEADER_SIZE];
        int n = 0;
        int taken = 0;
        long pos = position;
        boolean first = true;
        while (true) {
            int left = blockRemaining(pos);
            if (left < FRAGMENT_HEADER_SIZE) {
                n += left; // the array is zeroed: the padding is already there
                pos += left;
                left = BLOCK_SIZE;
            }
            int length = Math.min(record.length - taken, left - FRAGMENT_HEADER_SIZE);
            boolean last = taken + length == record.length;
            byte type = first && last ? TYPE_FULL : first ? TYPE_FIRST : last ? TYPE_LAST : TYPE_MIDDLE;
            writeFragment(out, n, type, record, taken, length);
            n += FRAGMENT_HEADER_SIZE + length;
            pos += FRAGMENT_HEADER_SIZE + length;
            taken += length;
            first = false;
            if (last) {
                return Arrays.copyOf(out, n);
            }
        }
        // END SOLUTION
    }

    /** Writes one fragment (header and payload) into {@code out} at {@code at}. */
    static void writeFragment(byte[] out, int at, byte type, byte[] payload, int from, int length) {
        out[at] = (byte) (length >>> 8);
        out[at + 1] = (byte) length;
        out[at + 2] = type;
        CRC32C crc = new CRC32C();
        crc.update(payload, from, length);
        putInt(out, at + 3, (int) crc.getValue());
        crc.reset();
        crc.update(out, at, HEADER_CRC_COVERS);
        putInt(out, at + HEADER_CRC_COVERS, (int) crc.getValue());
        System.arraycopy(payload, from, out, at + FRAGMENT_HEADER_SIZE, length);
    }

    /**
     * Appends one record (not yet durable: see {@link #force()}).
     *
     * @return the offset of the record's first fragment: what a reader reports for it
     */
    public long addRecord(byte[] record) throws IOException {
        checkUsable();
        byte[] bytes = frame(record, size);
        long start = blockRemaining(size) < FRAGMENT_HEADER_SIZE ? size + blockRemaining(size) : size;
        try {
            file.append(ByteBuffer.wrap(bytes));
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
        size += bytes.length;
        return start;
    }

    /**
     * Appends several records in one storage write (lab-06's group commit: one write, then one
     * force, for a whole group of commits). The file holds exactly what {@link #addRecord} one
     * record at a time would have written; a crash may leave any prefix of the records, the last
     * one torn.
     *
     * @return the offset of each record's first fragment
     */
    public long[] addRecords(List<byte[]> records) throws IOException {
        checkUsable();
        long[] starts = new long[records.size()];
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long end = size;
        for (int i = 0; i < starts.length; i++) {
            byte[] framed = frame(records.get(i), end);
            starts[i] = blockRemaining(end) < FRAGMENT_HEADER_SIZE ? end + blockRemaining(end) : end;
            bytes.write(framed, 0, framed.length);
            end += framed.length;
        }
        try {
            file.append(ByteBuffer.wrap(bytes.toByteArray()));
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
        size = end;
        return starts;
    }

    /** Makes every appended record durable. After a failed force the writer refuses all calls. */
    public void force() throws IOException {
        checkUsable();
        try {
            file.force();
        } catch (IOException | RuntimeException e) {
            // fsync failed: what reached the disk is unknown (PostgreSQL's "fsyncgate"); never retry.
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
    }

    /**
     * After a failed write the log may end in part of a record; a record appended after it would
     * sit behind garbage, where recovery cannot tell it from corruption. So the writer refuses.
     */
    private void checkUsable() throws IOException {
        if (failure != null) {
            throw new IOException(
                    file.name() + " is unusable after a failed write; recover the log before writing again", failure);
        }
    }

    /** The log's size in bytes, unforced appends included. */
    public long size() {
        return size;
    }

    /** The file's name. */
    public String name() {
        return file.name();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
