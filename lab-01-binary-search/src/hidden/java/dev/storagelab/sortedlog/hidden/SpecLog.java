package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Entry;
import dev.storagelab.sortedlog.LogFormat;
import dev.storagelab.sortedlog.LogReader;
import dev.storagelab.sortedlog.LogRecord;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Log files built straight from the byte layout in {@link LogFormat}, independently of the
 * student's {@code LogWriter.encode} (T2), so the reader and recovery tests (T3, T4) grade those
 * tasks alone.
 */
final class SpecLog {

    private SpecLog() {}

    /** The 8-byte file header: magic, version. */
    static byte[] fileHeader() {
        return ByteBuffer.allocate(LogFormat.FILE_HEADER_SIZE)
                .putInt(LogFormat.MAGIC)
                .putInt(LogFormat.VERSION)
                .array();
    }

    /** One record exactly as {@link LogFormat} draws it. */
    static byte[] record(Entry entry) {
        byte[] key = entry.key().toByteArray();
        byte[] value = entry.isTombstone() ? new byte[0] : entry.value().toByteArray();
        ByteBuffer payload = ByteBuffer.allocate(LogFormat.PAYLOAD_PREFIX_SIZE + key.length + value.length)
                .put(entry.isTombstone() ? LogFormat.TYPE_TOMBSTONE : LogFormat.TYPE_VALUE)
                .putInt(key.length)
                .put(key)
                .put(value);
        return frame(payload.array());
    }

    /** Header (length, payload CRC32C, header CRC32C) followed by {@code payload}. */
    static byte[] frame(byte[] payload) {
        ByteBuffer header = ByteBuffer.allocate(LogFormat.RECORD_HEADER_SIZE)
                .putInt(payload.length)
                .putInt(crc(payload, 0, payload.length));
        header.putInt(crc(header.array(), 0, 8));
        return ByteBuffer.allocate(LogFormat.RECORD_HEADER_SIZE + payload.length)
                .put(header.array())
                .put(payload)
                .array();
    }

    /** A whole log file: header, then each entry's record. */
    static Built log(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(fileHeader());
        List<Long> offsets = new ArrayList<>();
        for (Entry e : entries) {
            offsets.add((long) out.size());
            out.writeBytes(record(e));
        }
        return new Built(out.toByteArray(), offsets);
    }

    /** A built log's bytes and where each record starts. */
    record Built(byte[] bytes, List<Long> offsets) {
        /** The offset of the last record. */
        long lastStart() {
            return offsets.get(offsets.size() - 1);
        }
    }

    static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    /** What a reader made of a log: the records it returned, and how it stopped. */
    record ReadOutcome(List<LogRecord> records, IOException failure, boolean tornTail, long validEnd) {
        List<Entry> entries() {
            return records.stream().map(LogRecord::entry).toList();
        }
    }

    /** Reads {@code name} to its end (or its first exception) with a {@link LogReader}. */
    static ReadOutcome readAll(FaultInjectingStorage storage, String name, RecoveryMode mode) {
        List<LogRecord> records = new ArrayList<>();
        try (LogReader reader = LogReader.open(storage, name, mode)) {
            for (LogRecord r = reader.next(); r != null; r = reader.next()) {
                records.add(r);
                if (records.size() > 100_000) {
                    throw new AssertionError(
                            "the reader returned over 100000 records from a small file: it never ends");
                }
            }
            return new ReadOutcome(records, null, reader.tornTail(), reader.validEnd());
        } catch (IOException e) {
            return new ReadOutcome(records, e, false, -1);
        }
    }
}
