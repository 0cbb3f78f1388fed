package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T1, write batches: {@link WriteBatch#encode} writes a batch as one log record's
 * payload (first sequence, count, then one record per put or delete) and {@link WriteBatch#decode}
 * reads it back, rejecting any payload that is not exactly such a batch.
 */
class WriteBatchTest {

    private static WriteBatch sample() {
        return new WriteBatch()
                .put(Bytes.of("a"), Bytes.of("1"))
                .delete(Bytes.of("b"))
                .put(Bytes.of("a"), Bytes.of("2"));
    }

    @Test
    void encodeWritesTheDocumentedLayout() {
        byte[] payload = new WriteBatch()
                .put(Bytes.of("k"), Bytes.of("vv"))
                .delete(Bytes.of("d"))
                .encode(0x0102);
        byte[] expected = {0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 2, 1, 1, 'k', 2, 'v', 'v', 0, 1, 'd'};
        assertThat("header (sequence 0x0102, count 2), put k=vv, delete d", payload, equalTo(expected));
        assertThat(
                new WriteBatch()
                        .put(Bytes.of("k"), Bytes.of("vv"))
                        .delete(Bytes.of("d"))
                        .encodedBytes(),
                equalTo(expected.length));
    }

    @Test
    void decodeReadsBackEveryOperationInOrder() throws CorruptionException {
        WriteBatch.Decoded decoded = WriteBatch.decode(sample().encode(77), "000003.log", 0);
        assertThat(decoded.firstSequence(), equalTo(77L));
        assertThat(decoded.lastSequence(), equalTo(79L));
        assertThat(
                decoded.batch().operations(),
                contains(
                        Entry.put(Bytes.of("a"), Bytes.of("1")),
                        Entry.tombstone(Bytes.of("b")),
                        Entry.put(Bytes.of("a"), Bytes.of("2"))));
    }

    @Test
    void operationsGetConsecutiveSequenceNumbersSoTheLaterWriteWins() throws CorruptionException {
        WriteBatch batch =
                WriteBatch.decode(sample().encode(10), "000003.log", 0).batch();
        List<InternalKey> keys = new ArrayList<>();
        batch.forEach(10, (k, v) -> keys.add(k));
        assertThat(
                keys,
                contains(
                        new InternalKey(Bytes.of("a"), 10, ValueType.PUT),
                        new InternalKey(Bytes.of("b"), 11, ValueType.DELETE),
                        new InternalKey(Bytes.of("a"), 12, ValueType.PUT)));
    }

    @Test
    void emptyKeysAndValuesAndLongValuesRoundTrip() throws CorruptionException {
        byte[] big = new byte[70_000];
        Arrays.fill(big, (byte) 0xab);
        WriteBatch batch = new WriteBatch().put(Bytes.EMPTY, Bytes.EMPTY).put(Bytes.of("big"), Bytes.wrap(big));
        WriteBatch back = WriteBatch.decode(batch.encode(1), "x.log", 0).batch();
        assertThat("a 70,000-byte value needs a 3-byte varint length", back.operations(), equalTo(batch.operations()));
    }

    @Test
    void decodeRejectsTruncatedAndPaddedPayloadsNamingTheLog() {
        byte[] payload = sample().encode(5);
        for (int cut = 0; cut < payload.length; cut++) {
            byte[] truncated = Arrays.copyOf(payload, cut);
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> WriteBatch.decode(truncated, "000009.log", 512),
                    "payload cut to " + cut + " bytes");
            assertThat(e.file(), equalTo("000009.log"));
            assertThat(e.offset(), equalTo(512L));
        }
        byte[] padded = Arrays.copyOf(payload, payload.length + 1);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> WriteBatch.decode(padded, "000009.log", 512));
        assertThat(e.getMessage(), containsString("after"));
    }

    @Test
    void decodeRejectsAZeroCountAndAnUnknownType() {
        byte[] payload = sample().encode(5);
        byte[] zero = Arrays.copyOf(payload, WriteBatch.HEADER_BYTES);
        zero[11] = 0;
        zero[10] = 0;
        zero[9] = 0;
        zero[8] = 0;
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(zero, "l", 0), "a batch of no operation");
        byte[] type = payload.clone();
        type[WriteBatch.HEADER_BYTES] = 7;
        CorruptionException e = assertThrows(CorruptionException.class, () -> WriteBatch.decode(type, "l", 0));
        assertThat(e.getMessage(), containsString("type"));
    }

    @Test
    void encodeRefusesEmptyBatchesAndSequenceOverflow() {
        assertThrows(IllegalArgumentException.class, () -> new WriteBatch().encode(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> sample().encode(InternalKey.MAX_SEQUENCE - 1),
                "three operations from 2^56 - 2 would pass the largest sequence number");
        assertThat(sample().encode(InternalKey.MAX_SEQUENCE - 2).length, equalTo(sample().encodedBytes()));
    }
}
