package dev.storagelab.lsm;

import static dev.storagelab.lsm.RecordLogFormat.*;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T6, the record log: {@link RecordLogWriter#frame} cuts a record into fragments
 * that never cross a 32 KiB block, and {@link RecordLogReader#next} puts them back together, telling
 * a torn tail (dropped quietly) from corruption (reported with the file and offset).
 */
class RecordLogTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage();

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private List<byte[]> write(String name, byte[]... records) throws IOException {
        try (RecordLogWriter w = RecordLogWriter.create(storage, name, Kind.WAL)) {
            for (byte[] r : records) {
                w.addRecord(r);
            }
            w.force();
        }
        return List.of(records);
    }

    private List<byte[]> readAll(String name) throws IOException {
        try (RecordLogReader r = RecordLogReader.open(storage, name, Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            List<byte[]> out = new ArrayList<>();
            for (byte[] rec = r.next(); rec != null; rec = r.next()) {
                out.add(rec);
            }
            return out;
        }
    }

    private static void assertSameRecords(List<byte[]> actual, List<byte[]> expected) {
        assertThat("number of records read back", actual.size(), equalTo(expected.size()));
        for (int i = 0; i < expected.size(); i++) {
            assertThat(
                    "record " + i + " (" + expected.get(i).length + " bytes)",
                    Arrays.equals(actual.get(i), expected.get(i)),
                    equalTo(true));
        }
    }

    @Test
    void aSmallRecordIsOneFullFragmentWithTheDocumentedHeader() {
        byte[] framed = RecordLogWriter.frame(new byte[] {'h', 'i'}, FILE_HEADER_SIZE);
        assertThat("11-byte header + 2 payload bytes", framed.length, equalTo(FRAGMENT_HEADER_SIZE + 2));
        assertThat("length u16, big-endian", framed[0] << 8 | framed[1], equalTo(2));
        assertThat("type FULL", framed[2], equalTo(TYPE_FULL));
        assertThat(
                "the payload follows the header", Arrays.copyOfRange(framed, 11, 13), equalTo(new byte[] {'h', 'i'}));
        assertThat(
                "headerCrc covers the 7 bytes before it",
                RecordLogReader.crc(framed, 0, 7),
                equalTo(getInt(framed, 7)));
        assertThat("payloadCrc covers the payload", RecordLogReader.crc(framed, 11, 2), equalTo(getInt(framed, 3)));
    }

    @Test
    void aRecordLargerThanABlockIsSplitFirstMiddleLast() {
        byte[] record = bytes(2 * BLOCK_SIZE, 1);
        byte[] framed = RecordLogWriter.frame(record, FILE_HEADER_SIZE);
        assertThat("the first fragment fills block 0", framed[2], equalTo(TYPE_FIRST));
        int second = BLOCK_SIZE - FILE_HEADER_SIZE;
        assertThat("a fragment starts exactly at the block boundary", framed[second + 2], equalTo(TYPE_MIDDLE));
        assertThat("and the next block starts the LAST", framed[second + BLOCK_SIZE + 2], equalTo(TYPE_LAST));
        assertThat("three headers and the payload", framed.length, equalTo(record.length + 3 * FRAGMENT_HEADER_SIZE));
    }

    @Test
    void theHandoutsExampleOf40000BytesAtOffset32000() {
        byte[] framed = RecordLogWriter.frame(bytes(40_000, 9), 32_000);
        int[] lengths = {757, 32_757, 6_486};
        byte[] types = {TYPE_FIRST, TYPE_MIDDLE, TYPE_LAST};
        int at = 0;
        for (int i = 0; i < 3; i++) {
            assertThat("fragment " + i + " type", framed[at + 2], equalTo(types[i]));
            assertThat(
                    "fragment " + i + " length",
                    (framed[at] & 0xff) << 8 | (framed[at + 1] & 0xff),
                    equalTo(lengths[i]));
            at += FRAGMENT_HEADER_SIZE + lengths[i];
        }
        assertThat("nothing after the LAST", framed.length, equalTo(at));
    }

    @Test
    void aBlockTailShorterThanAHeaderIsZeroPadded() {
        long position = BLOCK_SIZE - 5;
        byte[] framed = RecordLogWriter.frame(new byte[] {7}, position);
        assertThat(
                "5 padding bytes, then the fragment in the next block",
                framed.length,
                equalTo(5 + FRAGMENT_HEADER_SIZE + 1));
        assertThat("padding is zeros", Arrays.copyOf(framed, 5), equalTo(new byte[5]));
        assertThat(framed[5 + 2], equalTo(TYPE_FULL));
        byte[] atHeader = RecordLogWriter.frame(new byte[] {7}, BLOCK_SIZE - FRAGMENT_HEADER_SIZE);
        assertThat(
                "exactly a header left: an empty FIRST fragment there, as in LevelDB",
                atHeader[2],
                equalTo(TYPE_FIRST));
        assertThat(atHeader[FRAGMENT_HEADER_SIZE + 2], equalTo(TYPE_LAST));
    }

    @Test
    void recordsOfEverySizeRoundTrip() throws IOException {
        List<byte[]> records = write(
                "000001.log",
                new byte[0],
                bytes(1, 2),
                bytes(BLOCK_SIZE - FILE_HEADER_SIZE - 2 * FRAGMENT_HEADER_SIZE - 1, 3),
                bytes(100 * 1024, 4),
                new byte[0],
                bytes(BLOCK_SIZE, 5),
                bytes(300, 6));
        assertSameRecords(readAll("000001.log"), records);
    }

    @Test
    void aTornLastRecordIsDroppedAndValidEndIsWhereItBegan() throws IOException {
        write("000002.log", bytes(100, 1), bytes(40_000, 2));
        long full = storage.size("000002.log");
        storage.truncate("000002.log", full - 1000);
        try (RecordLogReader r =
                RecordLogReader.open(storage, "000002.log", Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertThat(r.next().length, equalTo(100));
            assertThat("the cut record is dropped whole", r.next(), nullValue());
            assertThat("tornTail() reports the cut", r.tornTail(), equalTo(true));
            assertThat(
                    "validEnd() is the end of the first record",
                    r.validEnd(),
                    equalTo((long) FILE_HEADER_SIZE + FRAGMENT_HEADER_SIZE + 100));
        }
    }

    @Test
    void aBitFlipBeforeTheLastRecordIsCorruptionNamingTheFragment() throws IOException {
        write("000003.log", bytes(100, 1), bytes(100, 2), bytes(100, 3));
        long second = FILE_HEADER_SIZE + FRAGMENT_HEADER_SIZE + 100;
        storage.flipBit("000003.log", second + FRAGMENT_HEADER_SIZE + 50, 3);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> readAll("000003.log"),
                "a flipped payload bit with a good record after it is corruption, not a torn tail");
        assertThat(e.offset(), equalTo(second));
        assertThat(e.file(), containsString("000003.log"));
        assertThat(e.getMessage(), containsString("checksum"));
    }

    @Test
    void aFlippedLengthIsCaughtByTheHeaderChecksum() throws IOException {
        write("000004.log", bytes(100, 1), bytes(100, 2));
        storage.flipBit("000004.log", FILE_HEADER_SIZE, 6); // the length's high byte: 100 + 16384
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> readAll("000004.log"),
                "a length that now runs past the end of the file must not look like a torn tail");
        assertThat(e.offset(), equalTo((long) FILE_HEADER_SIZE));
    }

    @Test
    void wrongMagicAndWrongKindAreRejected() throws IOException {
        write("000005.log", bytes(10, 1));
        CorruptionException kind = assertThrows(
                CorruptionException.class,
                () -> RecordLogReader.open(storage, "000005.log", Kind.MANIFEST, RecoveryMode.TOLERATE_TORN_TAIL));
        assertThat("a WAL opened as a MANIFEST", kind.getMessage(), containsString("WAL"));
        storage.flipBit("000005.log", 0, 0);
        CorruptionException magic = assertThrows(CorruptionException.class, () -> readAll("000005.log"));
        assertThat(magic.getMessage(), containsString("magic"));
        assertThat(magic.offset(), equalTo(0L));
    }

    @Test
    void aWriterReopenedAfterRecoveryContinuesTheBlockLayout() throws IOException {
        write("000006.log", bytes(BLOCK_SIZE - 30, 1));
        try (RecordLogWriter w = RecordLogWriter.openAppend(storage, "000006.log")) {
            long offset = w.addRecord(bytes(500, 2));
            w.force();
            assertThat(
                    "the second record starts right after the first",
                    offset,
                    equalTo((long) FILE_HEADER_SIZE + FRAGMENT_HEADER_SIZE + BLOCK_SIZE - 30));
        }
        assertSameRecords(readAll("000006.log"), List.of(bytes(BLOCK_SIZE - 30, 1), bytes(500, 2)));
    }
}
