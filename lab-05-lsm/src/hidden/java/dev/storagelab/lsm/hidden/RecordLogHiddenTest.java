package dev.storagelab.lsm.hidden;

import static dev.storagelab.lsm.RecordLogFormat.BLOCK_SIZE;
import static dev.storagelab.lsm.RecordLogFormat.FILE_HEADER_SIZE;
import static dev.storagelab.lsm.RecordLogFormat.FRAGMENT_HEADER_SIZE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.RecordLogFormat;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.lsm.RecordLogReader;
import dev.storagelab.lsm.RecordLogWriter;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the record log (lab-05 T6): random records from empty to 100 KiB, including sizes
 * that end exactly at a block boundary or leave 0 to 12 bytes of it, round trip; a log cut at every
 * byte of its last record (also one that spans blocks) loses exactly that record; a zero-filled tail
 * is torn; every flipped bit before the last record is a CorruptionException naming the file and
 * the fragment's offset; the file header's magic, version, kind and reserved byte are checked.
 */
@Tag("hidden")
class RecordLogHiddenTest {

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static void write(FaultInjectingStorage storage, String name, List<byte[]> records) throws IOException {
        try (RecordLogWriter w = RecordLogWriter.create(storage, name, Kind.WAL)) {
            for (byte[] r : records) {
                w.addRecord(r);
            }
            w.force();
        }
    }

    /** The records read back; the reader's state after the last one in {@code out[0]}. */
    private static List<byte[]> read(FaultInjectingStorage storage, String name, RecordLogReader[] out)
            throws IOException {
        // every record takes a fragment header at least: a reader that finds more never ends
        long bytes = storage.contents(name).length;
        long most = bytes / FRAGMENT_HEADER_SIZE;
        try (RecordLogReader r = RecordLogReader.open(storage, name, Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            List<byte[]> records = new ArrayList<>();
            for (byte[] rec = r.next(); rec != null; rec = r.next()) {
                records.add(rec);
                assertThat(
                        "records read from " + name + ", a log of " + bytes + " bytes (each record takes a "
                                + FRAGMENT_HEADER_SIZE + "-byte header at least)",
                        (long) records.size(),
                        lessThanOrEqualTo(most));
            }
            if (out != null) {
                out[0] = r;
            }
            return records;
        }
    }

    private static void assertRecords(List<byte[]> actual, List<byte[]> expected, String what) {
        assertThat(what + ": number of records", actual.size(), equalTo(expected.size()));
        for (int i = 0; i < expected.size(); i++) {
            assertThat(
                    what + ": record " + i + " of " + expected.get(i).length + " bytes",
                    Arrays.equals(actual.get(i), expected.get(i)),
                    equalTo(true));
        }
    }

    @Provide
    Arbitrary<List<Integer>> sizes() {
        int fill = BLOCK_SIZE - FILE_HEADER_SIZE - FRAGMENT_HEADER_SIZE;
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 200)),
                net.jqwik.api.Tuple.of(
                        2,
                        Arbitraries.of(
                                0,
                                fill,
                                fill - 1,
                                fill + 1,
                                BLOCK_SIZE - FRAGMENT_HEADER_SIZE,
                                BLOCK_SIZE - FRAGMENT_HEADER_SIZE - 1,
                                BLOCK_SIZE,
                                100 * 1024)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 70_000)));
        return size.list().ofMaxSize(12);
    }

    @Property(tries = 60)
    @Graded(
            task = "T6",
            points = 4,
            concept = "records of random sizes (empty, exactly filling a block, spanning several 32 KiB "
                    + "blocks, 100 KiB) do not survive the record log's write and read")
    void randomRecordsRoundTripAcrossBlocks(@ForAll("sizes") List<Integer> sizes) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            records.add(random(sizes.get(i), i));
        }
        write(storage, "000001.log", records);
        RecordLogReader[] state = new RecordLogReader[1];
        assertRecords(read(storage, "000001.log", state), records, "sizes " + sizes);
        assertThat("a clean log is not torn", state[0].tornTail(), equalTo(false));
        assertThat("validEnd() is the end of the file", state[0].validEnd(), equalTo(storage.size("000001.log")));
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a record that starts 0 to 12 bytes before a block boundary (zero padding, an empty "
                    + "FIRST fragment) or ends exactly on one is framed or reassembled wrong")
    void everyPositionNearABlockBoundary() throws IOException {
        for (int left = 0; left <= FRAGMENT_HEADER_SIZE + 1; left++) {
            for (int second : new int[] {0, 1, 5, BLOCK_SIZE - FRAGMENT_HEADER_SIZE, 40_000}) {
                FaultInjectingStorage storage = new FaultInjectingStorage();
                // the first record ends `left` bytes before the end of block 0
                int first = BLOCK_SIZE - FILE_HEADER_SIZE - FRAGMENT_HEADER_SIZE - left;
                List<byte[]> records = List.of(random(first, left), random(second, second), random(3, 3));
                write(storage, "x.log", records);
                assertRecords(
                        read(storage, "x.log", null),
                        records,
                        left + " bytes left in the block, then " + second + " bytes");
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 4,
            concept =
                    "a log cut at some byte of its last record (a torn append) returns part of it, "
                            + "loses an earlier record, or reports corruption instead of a torn tail at the end of the previous record")
    void aCutAtEveryByteOfTheLastRecordIsATornTail() throws IOException {
        // the last record starts 1,000 bytes before the end of block 0 and spans into block 1
        byte[] first = random(BLOCK_SIZE - FILE_HEADER_SIZE - FRAGMENT_HEADER_SIZE - 1000, 1);
        byte[] last = random(2_500, 2);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "t.log", List.of(first, last));
        byte[] whole = storage.contents("t.log");
        // whole, it reads back both (a log that frames nothing has no last record to cut)
        assertRecords(read(storage, "t.log", null), List.of(first, last), "the whole log");
        long end = BLOCK_SIZE - 1000;
        for (int cut = (int) end; cut < whole.length; cut++) {
            storage.plant("t.log", Arrays.copyOf(whole, cut));
            RecordLogReader[] state = new RecordLogReader[1];
            List<byte[]> got = read(storage, "t.log", state);
            assertRecords(got, List.of(first), "log cut at " + cut);
            assertThat("cut at " + cut + ": torn", state[0].tornTail(), equalTo(cut != end));
            assertThat("cut at " + cut + ": validEnd", state[0].validEnd(), equalTo(end));
        }
        // and a 100 KiB last record, cut at every 61st byte
        byte[] big = random(100 * 1024, 3);
        FaultInjectingStorage s2 = new FaultInjectingStorage();
        write(s2, "b.log", List.of(first, big));
        byte[] all = s2.contents("b.log");
        for (int cut = (int) end + 1; cut < all.length; cut += 61) {
            s2.plant("b.log", Arrays.copyOf(all, cut));
            RecordLogReader[] state = new RecordLogReader[1];
            assertRecords(read(s2, "b.log", state), List.of(first), "100 KiB record cut at " + cut);
            assertThat(state[0].tornTail(), equalTo(true));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a log whose tail is zero-filled (space allocated but never written) is reported as "
                    + "corruption, or its zeros are read as records, instead of a torn tail")
    void aZeroFilledTailIsTorn() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<byte[]> records = List.of(random(100, 1), random(50_000, 2));
        write(storage, "z.log", records);
        byte[] whole = storage.contents("z.log");
        for (int zeros : new int[] {1, FRAGMENT_HEADER_SIZE, 4096, BLOCK_SIZE + 17}) {
            storage.plant("z.log", Arrays.copyOf(whole, whole.length + zeros));
            RecordLogReader[] state = new RecordLogReader[1];
            assertRecords(read(storage, "z.log", state), records, zeros + " zero bytes after the last record");
            assertThat(state[0].tornTail(), equalTo(true));
            assertThat(state[0].validEnd(), equalTo((long) whole.length));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 4,
            concept = "a flipped bit in a record that is not the last (header, payload or block padding) "
                    + "is returned as data or dropped as a torn tail instead of a CorruptionException naming the file and the "
                    + "fragment's offset")
    void everyFlippedBitBeforeTheLastRecordIsCorruption() throws IOException {
        // records ending 5 bytes before block 0's end (padding), a record spanning blocks, a last record
        List<byte[]> records = List.of(
                random(60, 1),
                random(BLOCK_SIZE - FILE_HEADER_SIZE - 3 * FRAGMENT_HEADER_SIZE - 60 - 5 - 40, 2),
                random(40, 3),
                random(BLOCK_SIZE + 100, 4),
                random(30, 5));
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "c.log", records);
        byte[] whole = storage.contents("c.log");
        long lastStart = whole.length - FRAGMENT_HEADER_SIZE - 30;
        List<Long> fragmentStarts = new ArrayList<>();
        for (long p = FILE_HEADER_SIZE; p < lastStart; ) {
            if (RecordLogFormat.blockRemaining(p) < FRAGMENT_HEADER_SIZE) {
                fragmentStarts.add(p); // padding: reported at its own offset
                p += RecordLogFormat.blockRemaining(p);
                continue;
            }
            fragmentStarts.add(p);
            int length = (whole[(int) p] & 0xff) << 8 | (whole[(int) p + 1] & 0xff);
            p += FRAGMENT_HEADER_SIZE + length;
        }
        fragmentStarts.add(lastStart);
        int checked = 0;
        for (int f = 0; f + 1 < fragmentStarts.size(); f++) {
            long from = fragmentStarts.get(f);
            long to = fragmentStarts.get(f + 1);
            // every bit of small fragments and headers, every 37th byte of large payloads
            for (long at = from; at < to; at += (at - from < 64 || to - at < 64) ? 1 : 37) {
                int bit = (int) (at % 8);
                byte[] bad = whole.clone();
                bad[(int) at] ^= (byte) (1 << bit);
                storage.plant("c.log", bad);
                CorruptionException e = assertThrows(
                        CorruptionException.class,
                        () -> read(storage, "c.log", null),
                        "bit " + bit + " of byte " + at + " flipped (fragment at " + from + ")");
                assertThat("the exception names the file", e.file(), containsString("c.log"));
                assertThat(
                        "byte " + at + " flipped: the offset is where its fragment starts",
                        e.offset(),
                        allOf(greaterThanOrEqualTo(from - BLOCK_SIZE), lessThanOrEqualTo(at)));
                assertThat("byte " + at + " flipped", e.offset(), equalTo(from));
                checked++;
            }
        }
        assertThat("the sweep covered the file", checked > 2000, equalTo(true));
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "under ABSOLUTE_CONSISTENCY a torn tail is silently dropped instead of reported")
    void absoluteConsistencyReportsATornTail() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "a.log", List.of(random(10, 1), random(10, 2)));
        storage.truncate("a.log", storage.size("a.log") - 2);
        try (RecordLogReader r = RecordLogReader.open(storage, "a.log", Kind.WAL, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            assertThat(r.next().length, equalTo(10));
            CorruptionException e = assertThrows(CorruptionException.class, r::next);
            assertThat(
                    "named at the end of the last good record",
                    e.offset(),
                    equalTo((long) FILE_HEADER_SIZE + FRAGMENT_HEADER_SIZE + 10));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a record log with a wrong magic number, an unknown version, the wrong kind or a "
                    + "non-zero reserved byte is read anyway instead of reported at the header field's offset")
    void theFileHeaderIsChecked() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "h.log", List.of(random(10, 1)));
        byte[] good = storage.contents("h.log");
        assertRecords(read(storage, "h.log", null), List.of(random(10, 1)), "the log with its header intact");
        int[][] damage = {{0, 0x01}, {3, 0x80}, {5, 0x02}, {6, 0x03}, {7, 0x01}};
        long[] offsets = {0, 0, 4, 6, 7};
        for (int i = 0; i < damage.length; i++) {
            byte[] bad = good.clone();
            bad[damage[i][0]] ^= (byte) damage[i][1];
            storage.plant("h.log", bad);
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> RecordLogReader.open(storage, "h.log", Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL),
                    "header byte " + damage[i][0] + " changed");
            assertThat("header byte " + damage[i][0] + " changed", e.offset(), equalTo(offsets[i]));
        }
        storage.plant("h.log", Arrays.copyOf(good, 5));
        try (RecordLogReader r = RecordLogReader.open(storage, "h.log", Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertThat(
                    "a torn file header reads as an empty, torn log", r.next() == null && r.tornTail(), equalTo(true));
            assertThat(r.validEnd(), equalTo(0L));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "a record log writer keeps appending after a failed append, behind a partial record")
    void aWriterRefusesAfterAFailedAppend() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        try (RecordLogWriter w = RecordLogWriter.create(storage, "f.log", Kind.WAL)) {
            w.addRecord(random(10, 1));
            storage.failNext(FaultInjectingStorage.Op.APPEND);
            assertThrows(IOException.class, () -> w.addRecord(random(10, 2)));
            IOException e = assertThrows(IOException.class, () -> w.addRecord(random(10, 3)));
            assertThat(e.getMessage(), containsString("unusable"));
        }
        // refusing is easy for a writer that never wrote: the record before the failure is there
        assertRecords(read(storage, "f.log", null), List.of(random(10, 1)), "the record appended before the failure");
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "a final record whose payload fails its checksum (a torn append that wrote the whole "
                    + "length of garbage) is reported as corruption instead of a torn tail")
    void aGarbledFinalRecordIsATornTail() throws IOException {
        List<byte[]> records = List.of(random(100, 1), random(200, 2), random(300, 3));
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "g.log", records);
        byte[] whole = storage.contents("g.log");
        for (int back = 1; back <= 300; back += 299) {
            byte[] garbled = whole.clone();
            garbled[garbled.length - back] ^= 0x20;
            storage.plant("g.log", garbled);
            RecordLogReader[] state = new RecordLogReader[1];
            assertRecords(
                    read(storage, "g.log", state),
                    records.subList(0, 2),
                    "the last record's byte " + (300 - back) + " garbled");
            assertThat("torn", state[0].tornTail(), equalTo(true));
            assertThat(
                    "validEnd is the end of the second record",
                    state[0].validEnd(),
                    equalTo((long) whole.length - FRAGMENT_HEADER_SIZE - 300));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept =
                    "a log that ends inside the zero padding at the end of a block (a torn append of the "
                            + "padding and the next record) is read past its end, or reported as corruption, instead of a torn tail")
    void aLogEndingInsideBlockPaddingIsATornTail() throws IOException {
        // the first record leaves 5 bytes of block 0, too few for a fragment header: padding
        byte[] first = random(BLOCK_SIZE - FILE_HEADER_SIZE - FRAGMENT_HEADER_SIZE - 5, 4);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "p.log", List.of(first, random(10, 5)));
        byte[] whole = storage.contents("p.log");
        long end = BLOCK_SIZE - 5;
        for (int padding = 1; padding <= 4; padding++) {
            storage.plant("p.log", Arrays.copyOf(whole, (int) end + padding));
            RecordLogReader[] state = new RecordLogReader[1];
            assertRecords(read(storage, "p.log", state), List.of(first), "cut after " + padding + " bytes of padding");
            assertThat(padding + " bytes of padding: torn", state[0].tornTail(), equalTo(true));
            assertThat(padding + " bytes of padding: validEnd", state[0].validEnd(), equalTo(end));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "a fragment whose length runs past the end of its 32 KiB block (under valid checksums) "
                    + "is read across the block boundary instead of reported as corruption at its offset")
    void aFragmentCrossingItsBlocksEndIsCorruption() throws IOException {
        // the first record leaves 100 bytes of block 0; the second (50 bytes) fits there whole
        byte[] first = random(BLOCK_SIZE - FILE_HEADER_SIZE - FRAGMENT_HEADER_SIZE - 100, 6);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "c.log", List.of(first, random(50, 7), random(500, 8)));
        byte[] file = storage.contents("c.log");
        int at = BLOCK_SIZE - 100;
        int length = 95; // 6 bytes past the block's end, where only 89 fit
        file[at] = (byte) (length >>> 8);
        file[at + 1] = (byte) length;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(file, at + FRAGMENT_HEADER_SIZE, length);
        java.nio.ByteBuffer big = java.nio.ByteBuffer.wrap(file); // big-endian, as the format
        big.putInt(at + 3, (int) crc.getValue());
        crc.reset();
        crc.update(file, at, RecordLogFormat.HEADER_CRC_COVERS);
        big.putInt(at + RecordLogFormat.HEADER_CRC_COVERS, (int) crc.getValue());
        storage.plant("c.log", file);
        try (RecordLogReader r = RecordLogReader.open(storage, "c.log", Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            assertThat(r.next().length, equalTo(first.length));
            CorruptionException e = assertThrows(
                    CorruptionException.class, r::next, "a 95-byte fragment 100 bytes before the block's end");
            assertThat("named at the fragment", e.offset(), equalTo((long) at));
        }
    }
}
