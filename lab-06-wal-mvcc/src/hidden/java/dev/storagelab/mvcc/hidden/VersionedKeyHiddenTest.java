package dev.storagelab.mvcc.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.mvcc.VersionedKey;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * Hidden tests of the versioned key (lab-06 T4): the encoded order against the versions' order over
 * user keys made of the bytes that break naive encodings (0x00, 0x01, 0xFF, prefixes of each other)
 * and timestamps across the whole range, round trips, the bounds of one key's versions, and
 * malformed keys.
 */
@Tag("hidden")
class VersionedKeyHiddenTest {

    @Provide
    Arbitrary<Bytes> userKeys() {
        return Arbitraries.of(
                        (byte) 0x00,
                        (byte) 0x01,
                        (byte) 0x02,
                        (byte) 0x7f,
                        (byte) 0x80,
                        (byte) 0xfe,
                        (byte) 0xff,
                        (byte) 'a')
                .list()
                .ofMaxSize(5)
                .map(l -> {
                    byte[] b = new byte[l.size()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = l.get(i);
                    }
                    return Bytes.wrap(b);
                });
    }

    @Provide
    Arbitrary<Long> timestamps() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 300),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.of(0L, 1L, 255L, 256L, (1L << 56) - 1, 1L << 56, Long.MAX_VALUE - 1, Long.MAX_VALUE));
    }

    @Provide
    Arbitrary<VersionedKey> versions() {
        return Combinators.combine(userKeys(), timestamps()).as(VersionedKey::new);
    }

    @Property(tries = 1500)
    @Graded(
            task = "T4",
            points = 3,
            concept = "encoded versioned keys are not ordered by user key ascending (a key before the keys it is "
                    + "a prefix of, 0x00 and 0xFF bytes included) and then commit timestamp descending")
    void theEncodedOrderIsTheVersionOrder(@ForAll("versions") VersionedKey a, @ForAll("versions") VersionedKey b) {
        int expected = a.userKey().compareTo(b.userKey()) != 0
                ? a.userKey().compareTo(b.userKey())
                : Long.compare(b.commitTs(), a.commitTs());
        assertThat(a + " vs " + b, Integer.signum(a.encode().compareTo(b.encode())), equalTo(Integer.signum(expected)));
    }

    @Property(tries = 500)
    @Graded(
            task = "T4",
            points = 2,
            concept = "a versioned key does not survive encode and decode (escaped bytes or the timestamp garbled)")
    void decodeInvertsEncode(@ForAll("versions") VersionedKey v) throws CorruptionException {
        assertThat(VersionedKey.decode(v.encode()), equalTo(v));
    }

    @Property(tries = 800)
    @Graded(
            task = "T4",
            points = 2,
            concept = "the engine-key range of one user key's versions (versionsStart to versionsEnd) holds "
                    + "another key's versions, or misses one of its own")
    void theVersionsOfAKeyAreExactlyTheOnesInItsRange(
            @ForAll("userKeys") Bytes a, @ForAll("userKeys") Bytes b, @ForAll("timestamps") long ts) {
        Bytes e = new VersionedKey(b, ts).encode();
        boolean inside =
                VersionedKey.versionsStart(a).compareTo(e) <= 0 && e.compareTo(VersionedKey.versionsEnd(a)) < 0;
        assertThat(b + "@" + ts + " in the range of " + a, inside, equalTo(a.equals(b)));
        Bytes seek = VersionedKey.seekKey(b, ts);
        assertThat("the seek key is the version's own encoding", seek, equalTo(e));
    }

    @Property(tries = 300)
    @Graded(
            task = "T4",
            points = 1,
            concept = "decoding accepts a versioned key with a bad escape, a missing terminator or a short "
                    + "timestamp instead of reporting corruption")
    void malformedKeysAreCorruption(
            @ForAll("versions") VersionedKey v,
            @ForAll @IntRange(min = 2, max = 0xfe) int badFollower,
            @ForAll @IntRange(min = 1, max = 12) int cut) {
        byte[] good = v.encode().toByteArray();
        byte[] bad = new byte[good.length + 2];
        bad[0] = 0x00;
        bad[1] = (byte) badFollower;
        System.arraycopy(good, 0, bad, 2, good.length);
        CorruptionException e = assertThrows(CorruptionException.class, () -> VersionedKey.decode(Bytes.wrap(bad)));
        assertThat("the offset of the byte after the bad escape", e.offset(), equalTo(1L));
        int keep = Math.max(0, good.length - cut);
        assertThrows(
                CorruptionException.class,
                () -> VersionedKey.decode(Bytes.copyOf(good, 0, keep)),
                "a versioned key cut to " + keep + " of its " + good.length + " bytes");
    }

    @Property(tries = 100)
    @Graded(
            task = "T4",
            points = 1,
            concept = "decoding accepts an inverted timestamp whose top bit is clear (a negative timestamp, "
                    + "all-zero bytes included) instead of reporting corruption at the timestamp's first byte")
    void aNegativeTimestampIsCorruption(@ForAll("versions") VersionedKey v, @ForAll boolean allZero) {
        byte[] bad = v.encode().toByteArray();
        int at = bad.length - 8;
        if (allZero) {
            Arrays.fill(bad, at, bad.length, (byte) 0);
        } else {
            bad[at] &= 0x7f;
        }
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> VersionedKey.decode(Bytes.wrap(bad)),
                "a timestamp of bytes " + Bytes.copyOf(bad, at, 8));
        assertThat("the offset of the timestamp's first byte", e.offset(), equalTo((long) at));
    }
}
