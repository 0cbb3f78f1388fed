package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.LogFormat;
import dev.storagelab.sortedlog.LogReader;
import dev.storagelab.sortedlog.LogRecord;
import dev.storagelab.sortedlog.LogWriter;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-01 T2 ({@code LogWriter.encode}, the record frame) and T3
 * ({@code LogReader.next}, telling a torn tail from corruption). The reader tests build their
 * logs with {@link SpecLog}, straight from {@link LogFormat}, so they grade T3 alone.
 */
@Tag("hidden")
class LogHiddenTest {

    private static final String NAME = "t.log";

    // ------------------------------------------------------------------------------- T2: encode

    @Property(tries = 200)
    @Graded(
            task = "T2",
            points = 3,
            concept = "log record frame differs from LogFormat (field order, length or CRC32C)")
    void encodeWritesTheDocumentedFrame(@ForAll("entries") Entry entry) {
        ByteBuffer encoded = LogWriter.encode(entry);
        assertThat("encode must return a buffer positioned at 0", encoded.position(), equalTo(0));
        byte[] r = new byte[encoded.remaining()];
        encoded.duplicate().get(r);
        int keyLength = entry.key().length();
        int valueLength = entry.isTombstone() ? 0 : entry.value().length();
        int payloadLength = LogFormat.PAYLOAD_PREFIX_SIZE + keyLength + valueLength;
        String what = "the record for " + entry + ": ";

        assertThat(
                what + "a record is a 12-byte header plus type, key length, key and value",
                r.length,
                equalTo(LogFormat.RECORD_HEADER_SIZE + payloadLength));
        ByteBuffer b = ByteBuffer.wrap(r);
        assertThat(
                what + "bytes 0-3 hold the payload length (big-endian), header excluded",
                b.getInt(0),
                equalTo(payloadLength));
        assertThat(
                what + "bytes 4-7 hold the CRC32C of the payload",
                b.getInt(4),
                equalTo(SpecLog.crc(r, LogFormat.RECORD_HEADER_SIZE, payloadLength)));
        assertThat(what + "bytes 8-11 hold the CRC32C of bytes 0-7", b.getInt(8), equalTo(SpecLog.crc(r, 0, 8)));
        assertThat(
                what + "the payload starts with the type: 1 = value, 2 = tombstone",
                r[12],
                equalTo(entry.isTombstone() ? LogFormat.TYPE_TOMBSTONE : LogFormat.TYPE_VALUE));
        assertThat(what + "then the key length as a u32", b.getInt(13), equalTo(keyLength));
        assertThat(what + "then the key bytes", Bytes.copyOf(r, 17, keyLength), equalTo(entry.key()));
        if (!entry.isTombstone()) {
            assertThat(
                    what + "then the value fills the rest of the payload",
                    Bytes.copyOf(r, 17 + keyLength, valueLength),
                    equalTo(entry.value()));
        }
    }

    // ------------------------------------------------------------------------------- T3: next

    @Property(tries = 100)
    @Graded(task = "T3", points = 2, concept = "log reader loses, reorders or misplaces records of a clean log")
    void readerReturnsEveryRecordOfACleanLog(@ForAll("logs") List<Entry> entries) {
        SpecLog.Built log = SpecLog.log(entries);
        for (RecoveryMode mode : RecoveryMode.values()) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(NAME, log.bytes());
            SpecLog.ReadOutcome read = SpecLog.readAll(storage, NAME, mode);
            assertThat(mode + ": a log of intact records reads without error", read.failure(), nullValue());
            assertThat(mode + ": every record comes back, in order", read.entries(), equalTo(entries));
            assertThat(
                    mode + ": each record reports the offset it starts at",
                    read.records().stream().map(LogRecord::offset).toList(),
                    equalTo(log.offsets()));
            for (LogRecord rec : read.records()) {
                assertThat(
                        mode + ": a record's size is its header plus payload",
                        rec.size(),
                        equalTo(SpecLog.record(rec.entry()).length));
            }
            assertThat(mode + ": a log that ends cleanly has no torn tail", read.tornTail(), is(false));
            assertThat(mode + ": the valid end of a clean log is its size", read.validEnd(), equalTo((long)
                    log.bytes().length));
        }
    }

    @Example
    @Graded(
            task = "T3",
            points = 3,
            concept = "torn log tail not recognised (a record cut short is reported as corruption " + "or returned)")
    void everyCutInsideTheLastRecordIsATornTail() throws IOException {
        List<Entry> entries = sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        long lastStart = log.lastStart();
        List<Entry> allButLast = entries.subList(0, entries.size() - 1);
        for (int cut = (int) lastStart; cut < log.bytes().length; cut++) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(NAME, Arrays.copyOf(log.bytes(), cut));
            String where = "a log cut at byte " + cut + " (the last record spans " + lastStart + ".."
                    + log.bytes().length + ")";

            SpecLog.ReadOutcome tolerant = SpecLog.readAll(storage, NAME, RecoveryMode.TOLERATE_TORN_TAIL);
            assertThat(
                    where + " under TOLERATE_TORN_TAIL: a write cut short by a crash is expected, not corruption",
                    tolerant.failure(),
                    nullValue());
            assertThat(
                    where + ": every complete record before the cut comes back",
                    tolerant.entries(),
                    equalTo(allButLast));
            assertThat(where + ": tornTail() reports the cut", tolerant.tornTail(), is(cut > lastStart));
            assertThat(
                    where + ": validEnd() is where the cut record starts, so recovery truncates there",
                    tolerant.validEnd(),
                    equalTo(lastStart));

            if (cut > lastStart) {
                SpecLog.ReadOutcome strict = SpecLog.readAll(storage, NAME, RecoveryMode.ABSOLUTE_CONSISTENCY);
                assertThat(
                        where + " under ABSOLUTE_CONSISTENCY: any bad record, torn or not, must throw",
                        strict.failure(),
                        instanceOf(CorruptionException.class));
                assertThat(
                        where + ": the exception names the file",
                        strict.failure().getMessage(),
                        containsString(NAME));
                assertThat(
                        where + ": the records before the cut still come back first",
                        strict.entries(),
                        equalTo(allButLast));
            }
        }
    }

    @Example
    @Graded(task = "T3", points = 2, concept = "zero-filled log tail (allocated, never written) reported as corruption")
    void zeroFilledTailIsATornTail() throws IOException {
        List<Entry> entries = sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        for (int zeros : new int[] {1, 7, 11, 12, 13, 40, 600, 5000}) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(NAME, Arrays.copyOf(log.bytes(), log.bytes().length + zeros));
            String where = "a log followed by " + zeros + " zero bytes";
            SpecLog.ReadOutcome tolerant = SpecLog.readAll(storage, NAME, RecoveryMode.TOLERATE_TORN_TAIL);
            assertThat(
                    where + " under TOLERATE_TORN_TAIL: zeros the file system allocated are a torn tail",
                    tolerant.failure(),
                    nullValue());
            assertThat(where + ": every record comes back", tolerant.entries(), equalTo(entries));
            assertThat(where + ": tornTail() is set", tolerant.tornTail(), is(true));
            assertThat(where + ": validEnd() is the end of the last record", tolerant.validEnd(), equalTo((long)
                    log.bytes().length));
            SpecLog.ReadOutcome strict = SpecLog.readAll(storage, NAME, RecoveryMode.ABSOLUTE_CONSISTENCY);
            assertThat(
                    where + " under ABSOLUTE_CONSISTENCY must throw",
                    strict.failure(),
                    instanceOf(CorruptionException.class));
        }
    }

    @Example
    @Graded(
            task = "T3",
            points = 3,
            concept = "zeroed bytes followed by data mistaken for a torn tail (valid records " + "silently cut away)")
    void zeroesFollowedByDataAreCorruption() throws IOException {
        List<Entry> entries = sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        byte[] later = SpecLog.record(Entry.put(Bytes.of("later"), Bytes.of("a record after the hole")));
        for (int zeros : new int[] {12, 20, 700}) {
            for (boolean wholeRecord : new boolean[] {true, false}) {
                byte[] tail = wholeRecord ? later : new byte[] {0x01};
                byte[] bytes = Arrays.copyOf(log.bytes(), log.bytes().length + zeros + tail.length);
                System.arraycopy(tail, 0, bytes, log.bytes().length + zeros, tail.length);
                FaultInjectingStorage storage = new FaultInjectingStorage();
                storage.plant(NAME, bytes);
                String where = "a log with " + zeros + " zero bytes followed by "
                        + (wholeRecord ? "a valid record" : "one non-zero byte");
                SpecLog.ReadOutcome tolerant = SpecLog.readAll(storage, NAME, RecoveryMode.TOLERATE_TORN_TAIL);
                assertThat(
                        where + ": a bad header is torn only if every byte after it is zero; here data follows, "
                                + "so cutting it would silently lose it",
                        tolerant.failure(),
                        instanceOf(CorruptionException.class));
                assertThat(
                        where + ": the exception names the file",
                        tolerant.failure().getMessage(),
                        containsString(NAME));
                assertThat(
                        where + ": the records before the hole come back first", tolerant.entries(), equalTo(entries));
            }
        }
    }

    @Example
    @Graded(task = "T3", points = 2, concept = "absurd log record length treated as a torn tail instead of corruption")
    void outOfRangeLengthIsCorruptionEvenAtTheTail() throws IOException {
        List<Entry> entries = sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        for (int length : new int[] {LogFormat.MAX_PAYLOAD + 1, Integer.MAX_VALUE, -1}) {
            ByteBuffer header = ByteBuffer.allocate(LogFormat.RECORD_HEADER_SIZE)
                    .putInt(length)
                    .putInt(0);
            header.putInt(SpecLog.crc(header.array(), 0, 8));
            byte[] bytes = Arrays.copyOf(log.bytes(), log.bytes().length + LogFormat.RECORD_HEADER_SIZE + 30);
            System.arraycopy(header.array(), 0, bytes, log.bytes().length, LogFormat.RECORD_HEADER_SIZE);
            Arrays.fill(bytes, log.bytes().length + LogFormat.RECORD_HEADER_SIZE, bytes.length, (byte) 0x5a);
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(NAME, bytes);
            String where =
                    "a final header with a valid checksum claiming a length of " + Integer.toUnsignedString(length);
            SpecLog.ReadOutcome tolerant = SpecLog.readAll(storage, NAME, RecoveryMode.TOLERATE_TORN_TAIL);
            assertThat(
                    where + ": no write of a legal record produces it, so it is corruption, not a torn tail "
                            + "(check the length against MAX_PAYLOAD before comparing it with the bytes left)",
                    tolerant.failure(),
                    instanceOf(CorruptionException.class));
            assertThat(where + ": the records before it come back first", tolerant.entries(), equalTo(entries));
        }
    }

    @Example
    @Graded(
            task = "T3",
            points = 2,
            concept = "a final record whose payload fails its checksum is not a torn tail (the last write "
                    + "was garbled), or a header of garbage at the tail is not corruption")
    void aGarbledFinalRecordIsTornAndAGarbageHeaderIsCorruption() throws IOException {
        List<Entry> entries = sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        long lastStart = log.lastStart();
        List<Entry> allButLast = entries.subList(0, entries.size() - 1);
        byte[] garbled = log.bytes().clone();
        garbled[garbled.length - 1] ^= 0x10; // the last payload byte: the header stays valid
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(NAME, garbled);
        SpecLog.ReadOutcome tolerant = SpecLog.readAll(storage, NAME, RecoveryMode.TOLERATE_TORN_TAIL);
        assertThat(
                "a final record whose payload fails its checksum and that ends at the end of the file is the last write, "
                        + "garbled: a torn tail under TOLERATE_TORN_TAIL",
                tolerant.failure(),
                nullValue());
        assertThat("the records before it come back", tolerant.entries(), equalTo(allButLast));
        assertThat("tornTail() is set", tolerant.tornTail(), is(true));
        assertThat("validEnd() is where the garbled record starts", tolerant.validEnd(), equalTo(lastStart));

        for (int garbage : new int[] {LogFormat.RECORD_HEADER_SIZE, LogFormat.RECORD_HEADER_SIZE + 1}) {
            byte[] bytes = Arrays.copyOf(log.bytes(), log.bytes().length + garbage);
            Arrays.fill(bytes, log.bytes().length, bytes.length, (byte) 0x6b);
            FaultInjectingStorage s2 = new FaultInjectingStorage();
            s2.plant(NAME, bytes);
            SpecLog.ReadOutcome r = SpecLog.readAll(s2, NAME, RecoveryMode.TOLERATE_TORN_TAIL);
            assertThat(
                    garbage + " non-zero bytes after the last record: a whole header whose checksum fails and that is "
                            + "not all zeros is corruption, even at the tail",
                    r.failure(),
                    instanceOf(CorruptionException.class));
            assertThat("the records before it come back first", r.entries(), equalTo(entries));
        }
    }

    @Example
    @Graded(
            task = "T3",
            points = 1,
            concept = "a record of the largest legal payload (MAX_PAYLOAD bytes) is refused by the reader")
    void aRecordOfTheLargestLegalPayloadIsRead() throws IOException {
        byte[] key = new byte[dev.storagelab.kv.KeyValueStore.MAX_KEY_BYTES];
        Arrays.fill(key, (byte) 'k');
        byte[] value = new byte[dev.storagelab.kv.KeyValueStore.MAX_VALUE_BYTES];
        Arrays.fill(value, (byte) 'v');
        List<Entry> entries =
                List.of(Entry.put(Bytes.of("small"), Bytes.of("x")), Entry.put(Bytes.wrap(key), Bytes.wrap(value)));
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(NAME, SpecLog.log(entries).bytes());
        SpecLog.ReadOutcome r = SpecLog.readAll(storage, NAME, RecoveryMode.ABSOLUTE_CONSISTENCY);
        assertThat(
                "a record whose payload is exactly MAX_PAYLOAD bytes (the largest key and value) is legal",
                r.failure(),
                nullValue());
        assertThat("both records come back", r.entries().size(), equalTo(2));
        assertThat("the largest record is intact", r.entries().get(1), equalTo(entries.get(1)));
    }

    @Example
    @Graded(task = "T3", points = 1, concept = "log reader does not stay at the end once it returned null")
    void readerStaysAtTheEnd() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(NAME, SpecLog.log(sampleEntries()).bytes());
        try (LogReader reader = LogReader.open(storage, NAME, RecoveryMode.TOLERATE_TORN_TAIL)) {
            int n = 0;
            while (reader.next() != null) {
                n++;
            }
            assertThat("every record is read", n, equalTo(sampleEntries().size()));
            assertThat("next() after the end keeps returning null", reader.next(), nullValue());
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** A few records of very different sizes, tombstones and binary keys included. */
    static List<Entry> sampleEntries() {
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.put(Bytes.of("alpha"), Bytes.of("1")));
        entries.add(Entry.tombstone(Bytes.copyOf(new byte[] {0x00, (byte) 0xff})));
        entries.add(Entry.put(Bytes.copyOf(new byte[] {(byte) 0x80}), Bytes.EMPTY));
        entries.add(Entry.put(Bytes.of("big"), Bytes.wrap(new byte[700])));
        entries.add(Entry.put(Bytes.of("gamma"), Bytes.of("the last record, long enough to cut in many places")));
        return entries;
    }

    @Provide
    Arbitrary<Entry> entries() {
        return HiddenArbitraries.entries(300);
    }

    @Provide
    Arbitrary<List<Entry>> logs() {
        return HiddenArbitraries.entries(100).list().ofMaxSize(25);
    }
}
