package dev.storagelab.sortedlog;

import static dev.storagelab.sortedlog.LogFormat.*;

import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Appends framed records to a log file (format in {@link LogFormat}). Not thread-safe: a store
 * that shares one log among threads serialises its appends (lab-01 T5).
 */
public final class LogWriter implements AutoCloseable {

    private final WritableFile file;
    /** The file's end: tracked here so an append needs no size() system call. */
    private long size;
    /** Set when an append or force failed: the file's tail is unknown, so nothing may follow it. */
    private IOException failure;

    private LogWriter(WritableFile file) throws IOException {
        this.file = file;
        this.size = file.size();
    }

    /** Creates a new log file, writes its header and forces it. The caller syncs the directory. */
    public static LogWriter create(Storage storage, String name) throws IOException {
        WritableFile file = storage.create(name);
        try {
            ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_SIZE)
                    .putInt(MAGIC)
                    .putInt(VERSION)
                    .flip();
            file.append(header);
            file.force();
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        return new LogWriter(file);
    }

    /** Opens an existing, already recovered log for appending at its end. */
    public static LogWriter openAppend(Storage storage, String name) throws IOException {
        return new LogWriter(storage.openAppend(name));
    }

    /**
     * Encodes {@code entry} as one complete record: header and payload, ready to append.
     *
     * <p>Write the payload first (type, key length, key, value), then the header: the payload
     * length, the CRC32C of the payload, and the CRC32C of those first 8 header bytes. Use
     * {@link java.util.zip.CRC32C}.
     *
     * @return a buffer positioned at 0 whose remaining bytes are the record
     */
    public static ByteBuffer encode(Entry entry) {
        int keyLength = entry.key().length();
        int valueLength = entry.isTombstone() ? 0 : entry.value().length();
        int payloadLength = PAYLOAD_PREFIX_SIZE + keyLength + valueLength;
        // BEGIN SOLUTION lab-01 T2
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER_SIZE + payloadLength);
        buf.position(RECORD_HEADER_SIZE);
        buf.put(entry.isTombstone() ? TYPE_TOMBSTONE : TYPE_VALUE);
        buf.putInt(keyLength);
        entry.key().writeTo(buf);
        if (!entry.isTombstone()) {
            entry.value().writeTo(buf);
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), RECORD_HEADER_SIZE, payloadLength);
        buf.putInt(0, payloadLength);
        buf.putInt(4, (int) crc.getValue());
        crc.reset();
        crc.update(buf.array(), 0, 8);
        buf.putInt(8, (int) crc.getValue());
        buf.position(0);
        return buf;
        // END SOLUTION
    }

    /**
     * Appends an encoded record (from {@link #encode}).
     *
     * @return the offset the record starts at
     */
    public long append(ByteBuffer record) throws IOException {
        checkUsable();
        long offset = size;
        int length = record.remaining();
        try {
            file.append(record);
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
        size += length;
        return offset;
    }

    /**
     * After a failed write the log may end in part of a record; a record appended after it would
     * sit behind garbage, where recovery cannot tell it from corruption. So the writer refuses;
     * reopening the store recovers the log and cuts the partial record.
     */
    private void checkUsable() throws IOException {
        if (failure != null) {
            throw new IOException(
                    file.name() + " is unusable after a failed write; reopen the store to recover it", failure);
        }
    }

    /** Encodes and appends {@code entry}; returns the offset it starts at. */
    public long append(Entry entry) throws IOException {
        return append(encode(entry));
    }

    /** The log's size in bytes, unforced appends included. */
    public long size() {
        return size;
    }

    /** Makes every appended record durable. */
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

    /** The file's name. */
    public String name() {
        return file.name();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
