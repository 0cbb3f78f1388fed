package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import net.jqwik.api.constraints.Size;

/**
 * Hidden tests of internal keys (lab-05 T1): encoding round trips over short binary user keys and
 * sequence numbers across the whole 56-bit range, the encoded order against the record's order, the
 * snapshot read a seek key selects among random versions against a model, and decoding errors.
 */
@Tag("hidden")
class InternalKeyHiddenTest {

    @Provide
    Arbitrary<InternalKey> keys() {
        Arbitrary<Bytes> user = Arbitraries.bytes().list().ofMaxSize(6).map(l -> {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = l.get(i);
            }
            return Bytes.wrap(b);
        });
        Arbitrary<Long> seq = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 300),
                Arbitraries.longs().between(0, InternalKey.MAX_SEQUENCE),
                Arbitraries.just(InternalKey.MAX_SEQUENCE));
        return Combinators.combine(user, seq, Arbitraries.of(ValueType.class)).as(InternalKey::new);
    }

    @Property(tries = 500)
    @Graded(
            task = "T1",
            points = 2,
            concept = "an internal key does not survive encode and decode (user key bytes, 56-bit sequence "
                    + "number or value type garbled)")
    void encodeDecodeRoundTrips(@ForAll("keys") InternalKey key, @ForAll @IntRange(max = 9) int pad)
            throws CorruptionException {
        byte[] encoded = key.encode();
        assertThat("encoded length", encoded.length, equalTo(key.userKey().length() + InternalKey.TRAILER_BYTES));
        byte[] padded = new byte[encoded.length + 2 * pad];
        System.arraycopy(encoded, 0, padded, pad, encoded.length);
        assertThat(InternalKey.decode(padded, pad, encoded.length, "f", 0), equalTo(key));
    }

    @Property(tries = 500)
    @Graded(
            task = "T1",
            points = 3,
            concept = "encoded internal keys are not ordered by user key ascending, then sequence "
                    + "descending, then type descending (unsigned bytes, prefixes first)")
    void encodedOrderIsTheInternalKeyOrder(@ForAll("keys") InternalKey a, @ForAll("keys") InternalKey b) {
        byte[] ea = a.encode();
        byte[] eb = b.encode();
        int expected = a.userKey().compareTo(b.userKey()) != 0
                ? a.userKey().compareTo(b.userKey())
                : a.sequence() != b.sequence()
                        ? Long.compare(b.sequence(), a.sequence())
                        : Integer.compare(b.type().code(), a.type().code());
        assertThat(
                a + " vs " + b,
                Integer.signum(InternalKey.compareEncoded(ea, 0, ea.length, eb, 0, eb.length)),
                equalTo(Integer.signum(expected)));
        byte[] shifted = new byte[eb.length + 3];
        System.arraycopy(eb, 0, shifted, 3, eb.length);
        assertThat(
                "compared where it lies, at an offset",
                Integer.signum(InternalKey.compareEncoded(ea, 0, ea.length, shifted, 3, eb.length)),
                equalTo(Integer.signum(expected)));
    }

    @Property(tries = 300)
    @Graded(
            task = "T1",
            points = 3,
            concept = "a read at a snapshot sees a version newer than the snapshot, or misses the newest "
                    + "version at or before it (seek key order)")
    void aSeekKeySelectsTheNewestVersionAtOrBeforeTheSnapshot(
            @ForAll @Size(min = 1, max = 12) List<@LongRange(min = 0, max = 40) Long> versions,
            @ForAll @LongRange(min = 0, max = 45) long snapshot,
            @ForAll @IntRange(max = 2) int userKey) {
        TreeMap<Long, ValueType> model = new TreeMap<>();
        List<byte[]> sorted = new ArrayList<>();
        for (String k : new String[] {"a", "b", "c"}) {
            for (long v : versions) {
                sorted.add(new InternalKey(Bytes.of(k), v, v % 3 == 0 ? ValueType.DELETE : ValueType.PUT).encode());
                if (k.equals(String.valueOf((char) ('a' + userKey)))) {
                    model.put(v, v % 3 == 0 ? ValueType.DELETE : ValueType.PUT);
                }
            }
        }
        sorted.sort(InternalKey.ORDER::compare);
        byte[] seek = InternalKey.seekKey(Bytes.of(String.valueOf((char) ('a' + userKey))), snapshot)
                .encode();
        InternalKey found = null;
        for (byte[] e : sorted) {
            if (InternalKey.ORDER.compare(e, seek) >= 0) {
                found = decode(e);
                break;
            }
        }
        Map.Entry<Long, ValueType> expected = model.floorEntry(snapshot);
        if (expected == null) {
            assertThat(
                    "no version of the key at or before " + snapshot,
                    found == null || !found.userKey().equals(Bytes.of(String.valueOf((char) ('a' + userKey)))),
                    equalTo(true));
        } else {
            assertThat(
                    found,
                    equalTo(new InternalKey(
                            Bytes.of(String.valueOf((char) ('a' + userKey))), expected.getKey(), expected.getValue())));
        }
    }

    private static InternalKey decode(byte[] e) {
        try {
            return InternalKey.decode(e, 0, e.length, "f", 0);
        } catch (CorruptionException ex) {
            throw new AssertionError(ex);
        }
    }

    @Property(tries = 50)
    @Graded(
            task = "T1",
            points = 2,
            concept = "decoding an internal key shorter than its 8-byte trailer is not a CorruptionException "
                    + "naming the file and offset")
    void aKeyShorterThanItsTrailerIsCorruption(
            @ForAll @IntRange(max = 7) int length, @ForAll @LongRange(max = 1 << 20) long at) {
        byte[] whole = new InternalKey(Bytes.of("k"), 1, ValueType.PUT).encode();
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> InternalKey.decode(whole, 0, length, "000042.sst", at));
        assertThat(e.file(), equalTo("000042.sst"));
        assertThat(e.offset(), equalTo(at));
    }

    @Property(tries = 60)
    @Graded(
            task = "T1",
            points = 2,
            concept = "an unknown value type in an internal key's trailer is accepted instead of reported "
                    + "as corruption")
    void anUnknownTypeIsCorruption(@ForAll @IntRange(min = 2, max = 255) int type) {
        byte[] bad = new InternalKey(Bytes.of("key"), 77, ValueType.PUT).encode();
        bad[bad.length - 1] = (byte) type;
        assertThat(ValueType.ofCode(type), nullValue());
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> InternalKey.decode(bad, 0, bad.length, "x.log", 9));
        assertThat(e.file(), equalTo("x.log"));
    }

    @Property(tries = 200)
    @Graded(
            task = "T1",
            points = 2,
            concept = "an encoded internal key does not follow the documented layout: the user key, then "
                    + "sequence << 8 | type in 8 big-endian bytes")
    void encodedLayoutIsUserKeyThenBigEndianTrailer(@ForAll("keys") InternalKey key) {
        byte[] encoded = key.encode();
        int n = key.userKey().length();
        assertThat(java.util.Arrays.copyOf(encoded, n), equalTo(key.userKey().toByteArray()));
        long trailer = 0;
        for (int i = n; i < encoded.length; i++) {
            trailer = (trailer << 8) | (encoded[i] & 0xff);
        }
        assertThat(trailer, equalTo(key.sequence() << 8 | key.type().code()));
    }
}
