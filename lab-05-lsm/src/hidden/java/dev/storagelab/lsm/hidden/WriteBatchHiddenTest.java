package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.WriteBatch;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of write batches (lab-05 T1): random batches of puts and deletes with keys and
 * values from empty to 300 bytes (two-byte varints) round trip with their sequence numbers; every
 * truncation, any trailing byte, a count that disagrees with the records, an unknown type and a
 * sequence range past 2^56 - 1 are each a CorruptionException naming the log and offset.
 */
@Tag("hidden")
class WriteBatchHiddenTest {

    @Provide
    Arbitrary<WriteBatch> batches() {
        Arbitrary<Bytes> bytes = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(3).map(Bytes::of),
                Arbitraries.integers().between(100, 300).map(n -> Bytes.wrap(new byte[n])));
        Arbitrary<Entry> op = Combinators.combine(
                        bytes, bytes, Arbitraries.integers().between(0, 2))
                .as((k, v, kind) -> kind == 0 ? Entry.tombstone(k) : Entry.put(k, v));
        return op.list().ofMinSize(1).ofMaxSize(20).map(ops -> {
            WriteBatch b = new WriteBatch();
            ops.forEach(e -> {
                if (e.isTombstone()) {
                    b.delete(e.key());
                } else {
                    b.put(e.key(), e.value());
                }
            });
            return b;
        });
    }

    @Property(tries = 300)
    @Graded(
            task = "T1",
            points = 3,
            concept = "a write batch does not survive encode and decode: an operation, its order, a "
                    + "tombstone or the first sequence number is lost or changed")
    void batchesRoundTrip(@ForAll("batches") WriteBatch batch, @ForAll @LongRange(max = 1L << 40) long first)
            throws CorruptionException {
        byte[] payload = batch.encode(first);
        assertThat("encodedBytes() is the payload's size", payload.length, equalTo(batch.encodedBytes()));
        WriteBatch.Decoded d = WriteBatch.decode(payload, "000001.log", 0);
        assertThat(d.firstSequence(), equalTo(first));
        assertThat(d.batch().operations(), equalTo(batch.operations()));
    }

    @Property(tries = 200)
    @Graded(
            task = "T1",
            points = 3,
            concept = "applying a decoded write batch does not give the same final state as applying its "
                    + "operations one by one (later operation on a key must win)")
    void aDecodedBatchAppliedInSequenceOrderMatchesOneByOne(@ForAll("batches") WriteBatch batch)
            throws CorruptionException {
        TreeMap<Bytes, Bytes> oneByOne = new TreeMap<>();
        for (Entry e : batch.operations()) {
            oneByOne.put(e.key(), e.value());
        }
        TreeMap<Bytes, Long> newestSeq = new TreeMap<>();
        TreeMap<Bytes, Bytes> applied = new TreeMap<>();
        WriteBatch.Decoded d = WriteBatch.decode(batch.encode(1000), "l", 0);
        d.batch().forEach(d.firstSequence(), (k, v) -> {
            Long prev = newestSeq.get(k.userKey());
            if (prev == null || k.sequence() > prev) {
                newestSeq.put(k.userKey(), k.sequence());
                applied.put(k.userKey(), v);
            }
        });
        assertThat(applied, equalTo(oneByOne));
        assertThat(d.lastSequence(), equalTo(1000L + batch.count() - 1));
    }

    @Property(tries = 100)
    @Graded(
            task = "T1",
            points = 3,
            concept = "a truncated write batch (a torn log record's payload) decodes without a "
                    + "CorruptionException naming the log and offset")
    void everyTruncationIsCorruption(@ForAll("batches") WriteBatch batch, @ForAll @IntRange(max = 10_000) int cutSeed) {
        byte[] payload = batch.encode(1);
        int cut = cutSeed % payload.length;
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> WriteBatch.decode(Arrays.copyOf(payload, cut), "000005.log", 4242),
                "cut to " + cut);
        assertThat(e.file(), equalTo("000005.log"));
        assertThat(e.offset(), equalTo(4242L));
    }

    @Property(tries = 100)
    @Graded(
            task = "T1",
            points = 2,
            concept = "bytes after a write batch's last record, or a count larger than its records, are "
                    + "silently ignored instead of reported as corruption")
    void countAndRecordsMustAgree(@ForAll("batches") WriteBatch batch, @ForAll @IntRange(min = 1, max = 5) int extra) {
        byte[] payload = batch.encode(1);
        byte[] padded = Arrays.copyOf(payload, payload.length + extra);
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(padded, "l", 0), "trailing bytes");
        byte[] more = payload.clone();
        int count = batch.count() + extra;
        more[8] = (byte) (count >>> 24);
        more[9] = (byte) (count >>> 16);
        more[10] = (byte) (count >>> 8);
        more[11] = (byte) count;
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(more, "l", 0), "count " + count + " > records");
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "a write batch whose sequence numbers would pass 2^56 - 1, or with an unknown "
                    + "operation type, is accepted instead of reported as corruption")
    void sequenceOverflowAndUnknownTypesAreCorruption() {
        WriteBatch batch = new WriteBatch().put(Bytes.of("a"), Bytes.of("1")).put(Bytes.of("b"), Bytes.of("2"));
        byte[] payload = batch.encode(InternalKey.MAX_SEQUENCE - 1);
        payload[6] = (byte) 0xff; // first sequence 2^56 - 1: the second operation would pass the limit
        payload[7] = (byte) 0xff;
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(payload, "l", 0));
        byte[] top = batch.encode(1);
        top[0] = (byte) 0x80; // a negative first sequence
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(top, "l", 0));
        for (int type = 2; type < 256; type++) {
            byte[] bad = batch.encode(1);
            bad[WriteBatch.HEADER_BYTES] = (byte) type;
            assertThrows(CorruptionException.class, () -> WriteBatch.decode(bad, "l", 0), "type " + type);
        }
        List<Entry> ops = batch.operations();
        assertThat(ops.size(), equalTo(2));
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "a write batch with an overlong or unterminated varint length is decoded (or crashes "
                    + "with an index exception) instead of reported as corruption")
    void malformedVarintLengthsAreCorruption() {
        byte[] payload = new WriteBatch().put(Bytes.of("k"), Bytes.of("v")).encode(3);
        // header (12), type at 12, key length at 13, key at 14, value length at 15, value at 16
        byte[] overlong = new byte[payload.length + 5];
        System.arraycopy(payload, 0, overlong, 0, 13);
        for (int i = 13; i < 19; i++) {
            overlong[i] = (byte) 0x81;
        }
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(overlong, "l", 0), "a six-byte varint");
        byte[] unterminated = payload.clone();
        unterminated[15] = (byte) 0x80;
        unterminated[16] = (byte) 0x80;
        assertThrows(
                CorruptionException.class, () -> WriteBatch.decode(unterminated, "l", 0), "varint runs off the end");
        byte[] huge = payload.clone();
        huge[13] = (byte) 0x7f;
        assertThrows(CorruptionException.class, () -> WriteBatch.decode(huge, "l", 0), "key length 127 past the end");
    }

    @Test
    @Graded(
            task = "T1",
            points = 1,
            concept = "a write batch of 256 or more operations loses its count's higher bytes (the header "
                    + "holds the count in 4 bytes, big-endian)")
    void aBatchOfMoreThan255OperationsKeepsItsCount() throws CorruptionException {
        WriteBatch batch = new WriteBatch();
        for (int i = 0; i < 300; i++) {
            batch.put(Bytes.of("k" + i), Bytes.of("v"));
        }
        WriteBatch.Decoded d = WriteBatch.decode(batch.encode(7), "000009.log", 0);
        assertThat(
                "the count of 300 operations, 0x0000012c, round trips",
                d.batch().count(),
                equalTo(300));
        assertThat(d.batch().operations(), equalTo(batch.operations()));
    }

    @Test
    @Graded(
            task = "T1",
            points = 1,
            concept = "a write batch whose header counts zero records (a header and nothing else) decodes to "
                    + "an empty batch instead of being reported as corruption")
    void aHeaderCountingZeroRecordsIsCorruption() {
        byte[] header =
                Arrays.copyOf(new WriteBatch().put(Bytes.of("k"), Bytes.of("v")).encode(5), WriteBatch.HEADER_BYTES);
        header[11] = 0; // count 1 -> 0: the header alone, 12 bytes
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> WriteBatch.decode(header, "000003.log", 96));
        assertThat(e.file(), equalTo("000003.log"));
        assertThat(e.offset(), equalTo(96L));
    }

    @Test
    @Graded(
            task = "T1",
            points = 1,
            concept = "a write batch whose last sequence number is exactly 2^56 - 1 is refused as "
                    + "corruption, though every one of its sequence numbers is legal")
    void aBatchEndingAtTheLargestSequenceNumberDecodes() throws CorruptionException {
        WriteBatch batch = new WriteBatch()
                .put(Bytes.of("a"), Bytes.of("1"))
                .delete(Bytes.of("b"))
                .put(Bytes.of("c"), Bytes.of("3"));
        long first = InternalKey.MAX_SEQUENCE - 2;
        WriteBatch.Decoded d = WriteBatch.decode(batch.encode(first), "l", 0);
        assertThat(d.firstSequence(), equalTo(first));
        assertThat(d.lastSequence(), equalTo(InternalKey.MAX_SEQUENCE));
        assertThat(d.batch().operations(), equalTo(batch.operations()));
        WriteBatch.Decoded zero = WriteBatch.decode(batch.encode(0), "l", 0);
        assertThat("sequence number 0 is legal too", zero.firstSequence(), equalTo(0L));
    }
}
