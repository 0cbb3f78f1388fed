package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests for lab-01 T3: {@link LogReader#next()} telling a torn tail from corruption.
 *
 * <p>Each test writes a small log with {@link LogWriter} on a {@link FaultInjectingStorage}, damages it
 * the way a crash or bit rot would ({@link FaultInjectingStorage#truncate}, {@link
 * FaultInjectingStorage#flipBit}, {@link FaultInjectingStorage#plant}), and reads it back. A torn
 * tail is what a crash leaves: reading stops before it, {@code tornTail()} is set and {@code
 * validEnd()} is where appends may resume. Corruption is bytes that were once good and changed: it
 * is reported with a {@link CorruptionException} naming the file and the record's offset.
 */
class LogReaderTest {

    private static final String LOG = "test.log";
    private static final int RECORDS = 5;

    private final FaultInjectingStorage storage = new FaultInjectingStorage(7);
    private final List<Entry> entries = new ArrayList<>();
    /** offsets.get(i) is where record i starts; offsets.get(RECORDS) is the end of the log. */
    private final List<Long> offsets = new ArrayList<>();

    /** Writes {@link #RECORDS} records, one of them a tombstone, and records where each starts. */
    private void writeLog() throws IOException {
        try (LogWriter writer = LogWriter.create(storage, LOG)) {
            for (int i = 0; i < RECORDS; i++) {
                Bytes key = Bytes.of("key-" + i);
                Entry e = i == 2 ? Entry.tombstone(key) : Entry.put(key, Bytes.of("value-" + "x".repeat(10 * i)));
                entries.add(e);
                offsets.add(writer.append(e));
            }
            offsets.add(writer.size());
            writer.force();
        }
    }

    private long lastRecordOffset() {
        return offsets.get(RECORDS - 1);
    }

    /** What one pass of a reader saw. */
    private record Scan(List<LogRecord> records, boolean tornTail, long validEnd) {
        List<Entry> entries() {
            return records.stream().map(LogRecord::entry).toList();
        }
    }

    private Scan scan(RecoveryMode mode) throws IOException {
        try (LogReader reader = LogReader.open(storage, LOG, mode)) {
            List<LogRecord> records = new ArrayList<>();
            for (LogRecord r = reader.next(); r != null; r = reader.next()) {
                records.add(r);
            }
            assertThat("once next() has returned null it must keep returning null", reader.next(), nullValue());
            return new Scan(records, reader.tornTail(), reader.validEnd());
        }
    }

    /** Reads until the reader throws, checking that the records before the bad one came back first. */
    private CorruptionException scanExpectingCorruption(RecoveryMode mode, int goodRecordsBefore) throws IOException {
        try (LogReader reader = LogReader.open(storage, LOG, mode)) {
            for (int i = 0; i < goodRecordsBefore; i++) {
                LogRecord r = reader.next();
                assertThat(
                        "record " + i + " is intact and comes before the damage, so it must be returned",
                        r == null ? null : r.entry(),
                        equalTo(entries.get(i)));
            }
            return assertThrows(
                    CorruptionException.class,
                    reader::next,
                    "the record at offset " + offsets.get(goodRecordsBefore) + " is damaged and this is not a torn"
                            + " tail, so next() must throw a CorruptionException rather than return null or data");
        }
    }

    private void assertNamesFileAndOffset(CorruptionException e, long offset, String why) {
        String file = storage.describe(LOG);
        assertThat("CorruptionException.offset() must be where the bad record starts: " + why, e.offset(), is(offset));
        assertThat("CorruptionException.file() must name the file as Storage.describe does", e.file(), is(file));
        assertThat(
                "the message must let an operator find the bad bytes: file and offset",
                e.getMessage(),
                containsString(file + " @ " + offset));
    }

    /** Scans the log, which must end at a torn tail: quietly, with every record before it. */
    private void assertTornAt(long validEnd, int recordsKept, String why) {
        Scan scan = assertDoesNotThrow(
                () -> scan(RecoveryMode.TOLERATE_TORN_TAIL),
                "under TOLERATE_TORN_TAIL a torn"
                        + " tail ends the scan quietly (next() returns null with tornTail() set); it must not throw: "
                        + why);
        assertThat(
                "every record before the torn tail must be returned, in order: " + why,
                scan.entries(),
                equalTo(entries.subList(0, recordsKept)));
        assertThat("tornTail() must be set: " + why, scan.tornTail(), is(true));
        assertThat(
                "validEnd() must be the start of the torn record, where appends may resume: " + why,
                scan.validEnd(),
                is(validEnd));
    }

    /** Appends raw bytes to the end of the log, the way a test plants damage. */
    private void appendRaw(byte[] bytes) throws IOException {
        byte[] old = storage.contents(LOG);
        byte[] grown = Arrays.copyOf(old, old.length + bytes.length);
        System.arraycopy(bytes, 0, grown, old.length, bytes.length);
        storage.plant(LOG, grown);
    }

    /** A record header with the given length and payload CRC, and a correct header CRC. */
    private static ByteBuffer header(int length, int payloadCrc) {
        ByteBuffer h =
                ByteBuffer.allocate(LogFormat.RECORD_HEADER_SIZE).putInt(length).putInt(payloadCrc);
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, 8);
        return h.putInt((int) crc.getValue()).flip();
    }

    // ------------------------------------------------------------------------ clean logs

    @Test
    void cleanLogReturnsEveryRecordWithItsOffsetThenEnds() throws IOException {
        writeLog();
        Scan scan = scan(RecoveryMode.TOLERATE_TORN_TAIL);
        assertThat(
                "every record written must come back, in order, tombstones included", scan.entries(), equalTo(entries));
        for (int i = 0; i < RECORDS; i++) {
            LogRecord r = scan.records().get(i);
            assertThat(
                    "record " + i + ": offset() is where LogWriter.append said it starts",
                    r.offset(),
                    is(offsets.get(i)));
            assertThat(
                    "record " + i + ": size() is header + payload, so the next record starts at end()",
                    r.end(),
                    is(offsets.get(i + 1)));
        }
        assertThat(
                "a log that ends exactly after its last record ends cleanly: tornTail() is false",
                scan.tornTail(),
                is(false));
        assertThat("validEnd() of a clean log is its size", scan.validEnd(), is(offsets.get(RECORDS)));
    }

    @Test
    void logWithOnlyItsFileHeaderIsEmptyAndClean() throws IOException {
        LogWriter.create(storage, LOG).close();
        Scan scan = scan(RecoveryMode.TOLERATE_TORN_TAIL);
        assertThat("a new log holds no records", scan.records(), is(List.of()));
        assertThat("and ends cleanly", scan.tornTail(), is(false));
        assertThat("appends resume right after the 8-byte file header", scan.validEnd(), is((long)
                LogFormat.FILE_HEADER_SIZE));
    }

    @Test
    void cleanLogReadsTheSameUnderAbsoluteConsistency() throws IOException {
        writeLog();
        Scan scan = scan(RecoveryMode.ABSOLUTE_CONSISTENCY);
        assertThat(
                "ABSOLUTE_CONSISTENCY only changes what happens to a bad tail; a clean log reads fully",
                scan.entries(),
                equalTo(entries));
        assertThat("a clean log has no torn tail in either mode", scan.tornTail(), is(false));
    }

    // ------------------------------------------------------------------------ torn tails

    @ParameterizedTest(name = "final record cut after {0} bytes")
    @ValueSource(ints = {1, 4, 11, 12, 13, 20})
    void finalRecordCutShortIsATornTail(int bytesKept) throws IOException {
        writeLog();
        storage.truncate(LOG, lastRecordOffset() + bytesKept);
        String why = "a crash cut the final record after " + bytesKept + " of its "
                + (offsets.get(RECORDS) - lastRecordOffset()) + " bytes"
                + (bytesKept < LogFormat.RECORD_HEADER_SIZE
                        ? " (not even a whole 12-byte header)"
                        : " (it runs past the end of the file)");
        assertTornAt(lastRecordOffset(), RECORDS - 1, why);
    }

    @Test
    void finalRecordMissingItsLastByteIsATornTail() throws IOException {
        writeLog();
        storage.truncate(LOG, offsets.get(RECORDS) - 1);
        assertTornAt(
                lastRecordOffset(), RECORDS - 1, "the final record's length says one more byte than the file holds");
    }

    @ParameterizedTest(name = "{0} zero bytes after the last record")
    @ValueSource(ints = {5, 12, 100, 4096})
    void zeroFilledTailIsATornTail(int zeros) throws IOException {
        writeLog();
        appendRaw(new byte[zeros]);
        assertTornAt(
                offsets.get(RECORDS),
                RECORDS,
                zeros + " zero bytes follow the last record: space the file system allocated but the crash"
                        + " never let it write. All zero means torn, not corrupt");
    }

    @Test
    void finalRecordFailingItsPayloadChecksumIsATornTail() throws IOException {
        writeLog();
        storage.flipBit(LOG, lastRecordOffset() + LogFormat.RECORD_HEADER_SIZE + 3, 2);
        assertTornAt(
                lastRecordOffset(),
                RECORDS - 1,
                "the final record's payload fails its checksum and the record ends exactly at the end of the"
                        + " file: the last write was garbled by the crash");
    }

    // ------------------------------------------------------------------------ corruption

    @Test
    void middleRecordFailingItsPayloadChecksumIsCorruption() throws IOException {
        writeLog();
        int bad = 2;
        storage.flipBit(LOG, offsets.get(bad) + LogFormat.RECORD_HEADER_SIZE + 3, 2);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.TOLERATE_TORN_TAIL, bad);
        assertNamesFileAndOffset(
                e,
                offsets.get(bad),
                "a record with good records after it fails its payload"
                        + " checksum: a crash only tears the end, so this is corruption");
    }

    @ParameterizedTest(name = "bit flipped in header byte {0}")
    @ValueSource(ints = {0, 3, 5, 9})
    void finalRecordFailingItsHeaderChecksumIsCorruption(int headerByte) throws IOException {
        writeLog();
        storage.flipBit(LOG, lastRecordOffset() + headerByte, 0);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.TOLERATE_TORN_TAIL, RECORDS - 1);
        assertNamesFileAndOffset(
                e,
                lastRecordOffset(),
                "the header checksum fails and the bytes left are not"
                        + " all zero; a flipped length would otherwise pass for a torn record and be cut away silently");
    }

    @Test
    void middleRecordFailingItsHeaderChecksumIsCorruption() throws IOException {
        writeLog();
        int bad = 1;
        storage.flipBit(LOG, offsets.get(bad) + 1, 6);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.TOLERATE_TORN_TAIL, bad);
        assertNamesFileAndOffset(e, offsets.get(bad), "a record header in the middle of the log fails its checksum");
    }

    @Test
    void lengthBeyondMaxPayloadIsCorruptionEvenAtTheTail() throws IOException {
        writeLog();
        // A header with a correct checksum but an impossible length: no writer ever produced it.
        ByteBuffer h = header(LogFormat.MAX_PAYLOAD + 1, 0);
        appendRaw(Arrays.copyOf(h.array(), h.remaining() + 16));
        CorruptionException e = scanExpectingCorruption(RecoveryMode.TOLERATE_TORN_TAIL, RECORDS);
        assertNamesFileAndOffset(
                e,
                offsets.get(RECORDS),
                "the length " + (LogFormat.MAX_PAYLOAD + 1)
                        + " exceeds LogFormat.MAX_PAYLOAD, so it is checked before the 'runs past the end' rule");
    }

    @Test
    void payloadThatDoesNotDecodeIsCorruptionEvenAtTheTail() throws IOException {
        writeLog();
        // Both checksums are right, but type 9 does not exist: decode must reject it.
        byte[] payload = ByteBuffer.allocate(LogFormat.PAYLOAD_PREFIX_SIZE + 1)
                .put((byte) 9)
                .putInt(1)
                .put((byte) 'k')
                .array();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer h = header(payload.length, (int) crc.getValue());
        appendRaw(ByteBuffer.allocate(h.remaining() + payload.length)
                .put(h)
                .put(payload)
                .array());
        CorruptionException e = scanExpectingCorruption(RecoveryMode.TOLERATE_TORN_TAIL, RECORDS);
        assertNamesFileAndOffset(
                e,
                offsets.get(RECORDS),
                "the record passes both checksums, so it was written"
                        + " like this: a payload that does not decode is corruption, never a torn tail");
    }

    @Test
    void wrongMagicNumberIsRejectedWhenOpening() throws IOException {
        writeLog();
        assertThat(
                "control: the undamaged log reads back",
                scan(RecoveryMode.TOLERATE_TORN_TAIL).entries(),
                equalTo(entries));
        storage.flipBit(LOG, 1, 3);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> LogReader.open(storage, LOG, RecoveryMode.TOLERATE_TORN_TAIL)
                        .close(),
                "the file does not start with \"SLOG\", so it is not a log: open must refuse it");
        assertNamesFileAndOffset(e, 0, "the magic number is the file's first 4 bytes");
    }

    // ------------------------------------------------------------------------ absolute consistency

    @Test
    void absoluteConsistencyReportsARecordCutShort() throws IOException {
        writeLog();
        storage.truncate(LOG, lastRecordOffset() + 15);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.ABSOLUTE_CONSISTENCY, RECORDS - 1);
        assertNamesFileAndOffset(e, lastRecordOffset(), "under ABSOLUTE_CONSISTENCY a torn tail is reported, not cut");
    }

    @Test
    void absoluteConsistencyReportsATornHeader() throws IOException {
        writeLog();
        storage.truncate(LOG, lastRecordOffset() + 5);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.ABSOLUTE_CONSISTENCY, RECORDS - 1);
        assertNamesFileAndOffset(e, lastRecordOffset(), "under ABSOLUTE_CONSISTENCY a partial header is reported");
    }

    @Test
    void absoluteConsistencyReportsAZeroFilledTail() throws IOException {
        writeLog();
        appendRaw(new byte[64]);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.ABSOLUTE_CONSISTENCY, RECORDS);
        assertNamesFileAndOffset(e, offsets.get(RECORDS), "under ABSOLUTE_CONSISTENCY a zero-filled tail is reported");
    }

    @Test
    void absoluteConsistencyReportsAGarbledFinalRecord() throws IOException {
        writeLog();
        storage.flipBit(LOG, lastRecordOffset() + LogFormat.RECORD_HEADER_SIZE + 3, 2);
        CorruptionException e = scanExpectingCorruption(RecoveryMode.ABSOLUTE_CONSISTENCY, RECORDS - 1);
        assertNamesFileAndOffset(
                e,
                lastRecordOffset(),
                "under ABSOLUTE_CONSISTENCY a final record failing its payload checksum is reported");
    }
}
