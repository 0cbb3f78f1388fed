package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-01 T2: {@link LogWriter#encode(Entry)}, the record framing drawn in {@link LogFormat}.
 *
 * <pre>
 * record := length u32 | payloadCrc u32 | headerCrc u32 | payload     (big-endian)
 * payload:= type u8 | keyLength u32 | key | value
 * </pre>
 *
 * The checksums here are computed independently with {@link CRC32C} over the bytes the diagram
 * says they cover.
 */
class LogRecordFramingTest {

    @Test
    void valueRecordMatchesTheByteDiagram() {
        Bytes key = Bytes.of("apple");
        Bytes value = Bytes.of("red fruit");
        byte[] record = encodeToArray(Entry.put(key, value));
        int payloadLength = LogFormat.PAYLOAD_PREFIX_SIZE + key.length() + value.length();

        assertThat(
                "a record is the 12-byte header followed by the payload (type 1 byte + keyLength 4 bytes"
                        + " + key + value), so its size is 12 + " + payloadLength,
                record.length,
                is(LogFormat.RECORD_HEADER_SIZE + payloadLength));
        ByteBuffer r = ByteBuffer.wrap(record); // big-endian, like the format
        assertThat(
                "bytes 0-3: the payload length, big-endian (type + keyLength + key + value)",
                r.getInt(0),
                is(payloadLength));
        assertThat(
                "bytes 4-7: CRC32C of the payload (bytes 12 to the end)",
                r.getInt(4),
                is(crc32c(record, LogFormat.RECORD_HEADER_SIZE, payloadLength)));
        assertThat(
                "bytes 8-11: CRC32C of header bytes 0-7 (length and payloadCrc)",
                r.getInt(8),
                is(crc32c(record, 0, 8)));
        assertThat("byte 12: the type, 1 for a value", record[12], is(LogFormat.TYPE_VALUE));
        assertThat("bytes 13-16: the key length, big-endian", r.getInt(13), is(key.length()));
        assertThat("then the key bytes", Bytes.copyOf(record, 17, key.length()), equalTo(key));
        assertThat(
                "and the value fills the rest of the payload",
                Bytes.copyOf(record, 17 + key.length(), value.length()),
                equalTo(value));
    }

    @Test
    void tombstoneRecordHasTypeTwoAndNoValueBytes() {
        Bytes key = Bytes.of("deleted-key");
        byte[] record = encodeToArray(Entry.tombstone(key));
        int payloadLength = LogFormat.PAYLOAD_PREFIX_SIZE + key.length();
        ByteBuffer r = ByteBuffer.wrap(record);

        assertThat(
                "a tombstone carries no value bytes: 12 header + 5 prefix + key",
                record.length,
                is(LogFormat.RECORD_HEADER_SIZE + payloadLength));
        assertThat("the length field counts type + keyLength + key only", r.getInt(0), is(payloadLength));
        assertThat("byte 12: the type, 2 for a tombstone", record[12], is(LogFormat.TYPE_TOMBSTONE));
        assertThat("bytes 13-16: the key length", r.getInt(13), is(key.length()));
        assertThat(
                "payloadCrc covers the tombstone's payload",
                r.getInt(4),
                is(crc32c(record, LogFormat.RECORD_HEADER_SIZE, payloadLength)));
        assertThat("headerCrc covers header bytes 0-7", r.getInt(8), is(crc32c(record, 0, 8)));
    }

    @Test
    void emptyValueIsAValueNotATombstone() throws CorruptionException {
        Entry empty = Entry.put(Bytes.of("k"), Bytes.EMPTY);
        byte[] record = encodeToArray(empty);
        assertThat(
                "an empty value is type 1 with zero value bytes: only the type tells it from a delete",
                record[12],
                is(LogFormat.TYPE_VALUE));
        assertThat(
                "it decodes back as an empty value, not a tombstone",
                LogReader.decode(ByteBuffer.wrap(record), "test.log", 0),
                equalTo(empty));
    }

    @Test
    void encodeReturnsABufferAtPositionZeroHoldingExactlyTheRecord() {
        Entry entry = Entry.put(Bytes.of("key"), Bytes.of("value"));
        ByteBuffer encoded = LogWriter.encode(entry);
        assertThat(
                "the buffer must be ready to append: position 0 (did you forget to rewind after writing?)",
                encoded.position(),
                is(0));
        assertThat(
                "its remaining bytes are exactly one record: 12 header + 5 prefix + key + value",
                encoded.remaining(),
                is(LogFormat.RECORD_HEADER_SIZE + LogFormat.PAYLOAD_PREFIX_SIZE + 3 + 5));
    }

    @Test
    void binaryKeysAndValuesSurviveTheRoundTrip() throws CorruptionException {
        // Keys and values are raw bytes, not text: 0x00, 0x7f, 0x80 and 0xff must all survive.
        byte[] keyBytes = {0x00, 0x7f, (byte) 0x80, (byte) 0xff, 'k'};
        byte[] valueBytes = {(byte) 0xc3, (byte) 0xa9, 0x00, (byte) 0xff};
        Entry entry = Entry.put(Bytes.wrap(keyBytes), Bytes.wrap(valueBytes));
        assertThat(
                "a binary key and value decode back unchanged",
                LogReader.decode(LogWriter.encode(entry), "test.log", 0),
                equalTo(entry));
    }

    @Test
    void randomEntriesRoundTripThroughDecode() throws CorruptionException {
        Random random = new Random(4);
        for (int i = 0; i < 500; i++) {
            Entry entry = randomEntry(random, 1 + random.nextInt(40), random.nextInt(300));
            ByteBuffer encoded = LogWriter.encode(entry);
            // decode checks both checksums, the type and every length, and names what failed.
            Entry decoded = LogReader.decode(encoded, "test.log", 0);
            assertThat("LogReader.decode(encode(e)) must give e back (round " + i + ")", decoded, equalTo(entry));
        }
    }

    @Test
    void largeValueRoundTripsThroughDecode() throws CorruptionException {
        Entry entry = randomEntry(new Random(5), 100, 1 << 20);
        ByteBuffer encoded = LogWriter.encode(entry);
        assertThat(
                "a 1 MiB value: length field = 5 + 100 + 1 MiB",
                encoded.getInt(0),
                is(LogFormat.PAYLOAD_PREFIX_SIZE + 100 + (1 << 20)));
        assertThat("a 1 MiB value decodes back unchanged", LogReader.decode(encoded, "test.log", 0), equalTo(entry));
    }

    @Test
    void encodingIsDeterministic() {
        Entry entry = Entry.put(Bytes.of("same"), Bytes.of("bytes"));
        assertThat(
                "encoding the same entry twice must give the same bytes (no leftover state between calls)",
                encodeToArray(entry),
                equalTo(encodeToArray(entry)));
    }

    private static Entry randomEntry(Random random, int keyLength, int valueLength) {
        byte[] key = new byte[keyLength];
        random.nextBytes(key);
        if (random.nextInt(5) == 0) {
            return Entry.tombstone(Bytes.wrap(key));
        }
        byte[] value = new byte[valueLength];
        random.nextBytes(value);
        return Entry.put(Bytes.wrap(key), Bytes.wrap(value));
    }

    /** The remaining bytes of {@code encode(entry)}, without disturbing the buffer's position. */
    private static byte[] encodeToArray(Entry entry) {
        ByteBuffer encoded = LogWriter.encode(entry).duplicate();
        byte[] out = new byte[encoded.remaining()];
        encoded.get(out);
        return out;
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
