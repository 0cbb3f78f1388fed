package dev.storagelab.mvcc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lab-06 T4: the versioned key encoding, its order and its decoding. */
class VersionedKeyTest {

    private static Bytes bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return Bytes.wrap(out);
    }

    private static Bytes encode(Bytes key, long ts) {
        return new VersionedKey(key, ts).encode();
    }

    @Test
    void encodedLayoutIsEscapedKeyTerminatorAndInvertedTimestamp() {
        // ~5 = 0xffff_ffff_ffff_fffa
        assertThat(
                "\"ab\"@5 is 'a' 'b', the terminator 00 01, then ~5 big-endian",
                encode(Bytes.of("ab"), 5),
                equalTo(bytes('a', 'b', 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfa)));
        assertThat(
                "a zero byte of the user key is escaped as 00 ff",
                encode(bytes(0x00, 'x', 0x00), 0),
                equalTo(bytes(
                        0x00, 0xff, 'x', 0x00, 0xff, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
        assertThat(
                "ts = Long.MAX_VALUE inverts to 80 00 .. 00",
                encode(Bytes.of("k"), Long.MAX_VALUE),
                equalTo(bytes('k', 0x00, 0x01, 0x80, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void newestVersionOfAKeySortsFirst() {
        Bytes k = Bytes.of("key");
        assertThat("key@9 must sort before key@3", encode(k, 9).compareTo(encode(k, 3)), lessThan(0));
        assertThat("key@MAX must sort before key@0", encode(k, Long.MAX_VALUE).compareTo(encode(k, 0)), lessThan(0));
    }

    @Test
    void aKeySortsBeforeTheKeysItIsAPrefixOfWhateverTheTimestamps() {
        List<Bytes> userKeys = List.of(
                bytes('a'),
                bytes('a', 0x00),
                bytes('a', 0x00, 0x00),
                bytes('a', 0x01),
                bytes('a', 0xff),
                bytes('a', 'b'),
                bytes('b'));
        long[] timestamps = {0, 1, 255, 256, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        List<VersionedKey> versions = new ArrayList<>();
        for (Bytes k : userKeys) {
            for (long ts : timestamps) {
                versions.add(new VersionedKey(k, ts));
            }
        }
        for (VersionedKey a : versions) {
            for (VersionedKey b : versions) {
                assertThat(
                        a + " vs " + b + ": the encoded order must be the versions' order",
                        Integer.signum(a.encode().compareTo(b.encode())),
                        equalTo(Integer.signum(a.compareTo(b))));
            }
        }
    }

    @Test
    void decodeIsTheInverseOfEncode() throws CorruptionException {
        for (Bytes k : List.of(
                bytes('a'), bytes(0x00), bytes(0x00, 0x00, 0xff), bytes(0xff, 0x00, 0x01), Bytes.of("user:42"))) {
            for (long ts : new long[] {0, 7, Long.MAX_VALUE}) {
                VersionedKey v = new VersionedKey(k, ts);
                assertThat(VersionedKey.decode(v.encode()), equalTo(v));
            }
        }
    }

    @Test
    void decodeRejectsWhatEncodeNeverWritesNamingTheOffset() throws CorruptionException {
        assertThat(
                "a well-formed key decodes",
                VersionedKey.decode(bytes('a', 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)),
                equalTo(new VersionedKey(Bytes.of("a"), 1)));
        CorruptionException badEscape = assertThrows(
                CorruptionException.class,
                () -> VersionedKey.decode(
                        bytes('a', 0x00, 0x05, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)));
        assertThat("0x00 0x05 is neither an escaped zero nor the terminator", badEscape.offset(), equalTo(2L));
        CorruptionException noTerminator =
                assertThrows(CorruptionException.class, () -> VersionedKey.decode(Bytes.of("abc")));
        assertThat(noTerminator.getMessage(), containsString("terminator"));
        assertThrows(
                CorruptionException.class,
                () -> VersionedKey.decode(bytes('a', 0x00, 0x01, 0xff, 0xff)),
                "a timestamp of 2 bytes instead of 8");
        assertThrows(
                CorruptionException.class,
                () -> VersionedKey.decode(bytes('a', 0x00, 0x01, 0x7f, 0, 0, 0, 0, 0, 0, 0)),
                "an inverted timestamp without its top bit is a negative timestamp");
    }

    @Test
    void seekKeyAndVersionsEndBracketTheVersionsOfOneKey() {
        Bytes a = bytes('a');
        Bytes longer = bytes('a', 0x00);
        assertThat(VersionedKey.versionsStart(a).compareTo(encode(a, Long.MAX_VALUE)), lessThan(0));
        assertThat(VersionedKey.versionsEnd(a).compareTo(encode(a, 0)), greaterThan(0));
        assertThat(
                "the versions of a\\x00 come after every version of a",
                VersionedKey.versionsEnd(a).compareTo(encode(longer, Long.MAX_VALUE)),
                lessThan(0));
        assertThat(VersionedKey.seekKey(a, 12), equalTo(encode(a, 12)));
    }
}
