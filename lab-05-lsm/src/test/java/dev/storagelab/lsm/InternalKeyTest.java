package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T1, internal keys: {@link InternalKey#encode}, {@link InternalKey#decode} and
 * {@link InternalKey#compareEncoded}. An encoded key is the user key followed by an 8-byte
 * big-endian trailer {@code sequence << 8 | type}; encoded keys sort by user key ascending, then
 * trailer descending, so the newest version of a key comes first.
 */
class InternalKeyTest {

    private static InternalKey put(String key, long seq) {
        return new InternalKey(Bytes.of(key), seq, ValueType.PUT);
    }

    @Test
    void encodeAppendsTheBigEndianTrailer() {
        byte[] encoded = new InternalKey(Bytes.of("ab"), 0x0102L, ValueType.PUT).encode();
        assertThat("user key 'ab', then sequence 0x0102 in 7 bytes, then type 1", encoded, equalTo(new byte[] {
            'a', 'b', 0, 0, 0, 0, 0, 1, 2, 1
        }));
    }

    @Test
    void decodeReadsBackWhatEncodeWrote() throws CorruptionException {
        InternalKey key = new InternalKey(Bytes.of("user:42"), InternalKey.MAX_SEQUENCE, ValueType.DELETE);
        byte[] encoded = key.encode();
        byte[] padded = new byte[encoded.length + 6];
        System.arraycopy(encoded, 0, padded, 3, encoded.length);
        assertThat(
                "decode at an offset inside a larger array",
                InternalKey.decode(padded, 3, encoded.length, "t", 0),
                equalTo(key));
    }

    @Test
    void newerVersionsOfAKeySortFirst() {
        byte[] older = put("k", 5).encode();
        byte[] newer = put("k", 9).encode();
        assertThat(
                "sequence 9 sorts before sequence 5 of the same user key",
                InternalKey.compareEncoded(newer, 0, newer.length, older, 0, older.length),
                lessThan(0));
        assertThat(InternalKey.compareEncoded(older, 0, older.length, newer, 0, newer.length), greaterThan(0));
        assertThat(InternalKey.compareEncoded(older, 0, older.length, older, 0, older.length), equalTo(0));
    }

    @Test
    void userKeysCompareUnsignedBeforeSequences() {
        byte[] a = put("a", 1).encode();
        byte[] b = put("b", 100).encode();
        byte[] high = new InternalKey(Bytes.wrap(new byte[] {(byte) 0x80}), 1, ValueType.PUT).encode();
        assertThat(
                "'a'@1 before 'b'@100: the user key decides first",
                InternalKey.compareEncoded(a, 0, a.length, b, 0, b.length),
                lessThan(0));
        assertThat(
                "0x80 sorts after 'b' (unsigned)",
                InternalKey.compareEncoded(high, 0, high.length, b, 0, b.length),
                greaterThan(0));
        byte[] prefix = put("ab", 1).encode();
        byte[] longer = put("abc", 1).encode();
        assertThat(
                "a user key sorts before its extensions, whatever the trailer bytes",
                InternalKey.compareEncoded(prefix, 0, prefix.length, longer, 0, longer.length),
                lessThan(0));
    }

    @Test
    void encodedOrderMatchesTheRecordOrder() {
        List<InternalKey> keys = new ArrayList<>();
        for (String k : new String[] {"", "a", "ab", "b", "\u00ff"}) {
            for (long seq : new long[] {0, 1, 255, 256, InternalKey.MAX_SEQUENCE}) {
                keys.add(new InternalKey(Bytes.of(k), seq, ValueType.PUT));
                keys.add(new InternalKey(Bytes.of(k), seq, ValueType.DELETE));
            }
        }
        for (InternalKey x : keys) {
            for (InternalKey y : keys) {
                byte[] ex = x.encode();
                byte[] ey = y.encode();
                assertThat(
                        x + " vs " + y,
                        Integer.signum(InternalKey.compareEncoded(ex, 0, ex.length, ey, 0, ey.length)),
                        equalTo(Integer.signum(x.compareTo(y))));
            }
        }
    }

    @Test
    void aSeekKeyFindsTheNewestVersionAtOrBeforeTheSnapshot() {
        List<byte[]> versions = new ArrayList<>();
        for (long seq : new long[] {30, 20, 10}) {
            versions.add(put("k", seq).encode());
        }
        byte[] seek = InternalKey.seekKey(Bytes.of("k"), 25).encode();
        int first = 0;
        while (first < versions.size() && InternalKey.ORDER.compare(versions.get(first), seek) < 0) {
            first++;
        }
        assertThat("a read at snapshot 25 must land on version 20", first, equalTo(1));
    }

    @Test
    void decodeRejectsKeysShorterThanTheTrailerAndUnknownTypes() {
        byte[] bad = put("k", 3).encode();
        bad[bad.length - 1] = 9;
        CorruptionException shortKey = assertThrows(
                CorruptionException.class, () -> InternalKey.decode(new byte[7], 0, 7, "000007.sst", 4096));
        assertThat(shortKey.getMessage(), containsString("000007.sst"));
        assertThat(shortKey.offset(), equalTo(4096L));
        CorruptionException type = assertThrows(
                CorruptionException.class, () -> InternalKey.decode(bad, 0, bad.length, "000007.sst", 100));
        assertThat(type.getMessage(), containsString("type"));
        assertThat("the error names the file", type.file(), equalTo("000007.sst"));
        assertThat(Arrays.toString(bad), type.offset(), equalTo(100L));
    }
}
