package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.CorruptionException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T3, Bloom filters: {@link BloomFilter#probes}, {@link BloomFilter#buildFromHashes}
 * and {@link BloomFilter#mayContainHash}, through {@link BloomFilter#build} and {@link BloomFilter#mayContain}
 * too. The hash is fixed (Murmur3 with a fixed seed) and the keys are
 * generated, not random, so the measured false-positive rate is the same on every run.
 */
class BloomFilterTest {

    private static byte[] key(int i) {
        return String.format("user%012d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> keys(int from, int to) {
        List<byte[]> keys = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add(key(i));
        }
        return keys;
    }

    @Test
    void probesAreBitsPerKeyTimesLnTwoRounded() {
        assertThat("10 * ln 2 = 6.93", BloomFilter.probes(10), equalTo(7));
        assertThat("5 * ln 2 = 3.47", BloomFilter.probes(5), equalTo(3));
        assertThat("never fewer than one probe", BloomFilter.probes(1), equalTo(1));
        assertThat("never more than MAX_PROBES", BloomFilter.probes(100), equalTo(BloomFilter.MAX_PROBES));
        assertThrows(IllegalArgumentException.class, () -> BloomFilter.probes(0));
    }

    @Test
    void everyAddedKeyMayBeContained() throws CorruptionException {
        List<byte[]> keys = keys(0, 20_000);
        BloomFilter filter = BloomFilter.open(BloomFilter.build(keys, 10), "t.sst", 0);
        for (byte[] k : keys) {
            assertThat(
                    "a Bloom filter never has a false negative: " + new String(k, StandardCharsets.UTF_8),
                    filter.mayContain(k),
                    is(true));
        }
    }

    @Test
    void theFilterHasBitsPerKeyBitsForEveryKeyAndTheProbeCount() throws CorruptionException {
        byte[] filter = BloomFilter.build(keys(0, 1000), 10);
        assertThat("1000 keys * 10 bits = 1250 bytes, then the probe count", filter.length, equalTo(1251));
        assertThat(filter[1250], equalTo((byte) 7));
        assertThat("a tiny table still gets 64 bits", BloomFilter.build(keys(0, 2), 10).length, equalTo(9));
        assertThat(BloomFilter.open(filter, "t.sst", 0).bitCount(), equalTo(10_000L));
    }

    /** The bits set in a filter's bit array (its last byte is the probe count). */
    private static List<Integer> setBits(byte[] filter) {
        List<Integer> bits = new ArrayList<>();
        for (int j = 0; j < (filter.length - 1) * 8; j++) {
            if ((filter[j >>> 3] & (1 << (j & 7))) != 0) {
                bits.add(j);
            }
        }
        return bits;
    }

    @Test
    void aHashSetsTheBitsH1PlusITimesH2ModuloM() throws CorruptionException {
        // one key in the smallest filter, m = 64 bits, k = 7: h1 = 60, h2 = 30
        byte[] filter = BloomFilter.buildFromHashes(new long[] {30L << 32 | 60}, 1, 10);
        assertThat(
                "(60 + 30 i) mod 64 for i = 0..6: 60, 26, 56, 22, 52, 18, 48",
                setBits(filter),
                equalTo(List.of(18, 22, 26, 48, 52, 56, 60)));
        // h2 = 2^32 - 1, read unsigned: 4294967295 mod 64 = 63, so each probe steps back one bit
        byte[] wide = BloomFilter.buildFromHashes(new long[] {0xffffffffL << 32 | 3}, 1, 10);
        assertThat(
                "(3 + (2^32 - 1) i) mod 64: 3, 2, 1, 0, 63, 62, 61",
                setBits(wide),
                equalTo(List.of(0, 1, 2, 3, 61, 62, 63)));
        BloomFilter f = BloomFilter.open(filter, "t.sst", 0);
        assertThat("the hash that set the bits", f.mayContainHash(30L << 32 | 60), is(true));
        assertThat("a hash whose probes start one bit over", f.mayContainHash(30L << 32 | 61), is(false));
    }

    @Test
    void buildHashesEachKeyAndMayContainAsksItsHash() throws CorruptionException {
        List<byte[]> keys = keys(0, 5_000);
        long[] hashes = keys.stream().mapToLong(BloomFilter::hash).toArray();
        byte[] built = BloomFilter.build(keys, 10);
        assertThat(BloomFilter.buildFromHashes(hashes, hashes.length, 10), equalTo(built));
        BloomFilter filter = BloomFilter.open(built, "t.sst", 0);
        for (int i = 0; i < 20_000; i++) {
            byte[] k = key(i);
            assertThat(filter.mayContainHash(BloomFilter.hash(k)), equalTo(filter.mayContain(k)));
        }
    }

    @Test
    void anEmptyFilterContainsNothing() throws CorruptionException {
        BloomFilter filter = BloomFilter.open(BloomFilter.build(List.of(), 10), "t.sst", 0);
        assertThat(filter.mayContain(key(1)), is(false));
    }

    @Test
    void falsePositiveRateAtTenBitsPerKeyIsNearTheTheory() throws CorruptionException {
        BloomFilter filter = BloomFilter.open(BloomFilter.build(keys(0, 100_000), 10), "t.sst", 0);
        int absent = 1_000_000;
        int falsePositives = 0;
        for (int i = 0; i < absent; i++) {
            if (filter.mayContain(key(1_000_000 + i))) {
                falsePositives++;
            }
        }
        double rate = (double) falsePositives / absent;
        assertThat(
                "over 1M absent keys at 10 bits per key and k = 7 the theory is (1 - e^-0.7)^7 = 0.82%",
                rate, both(greaterThan(0.007)).and(lessThan(0.012)));
    }

    @Test
    void openRejectsAnImpossibleProbeCount() {
        byte[] filter = BloomFilter.build(keys(0, 100), 10);
        filter[filter.length - 1] = 0;
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> BloomFilter.open(filter, "000004.sst", 2000));
        assertThat(e.file(), equalTo("000004.sst"));
        assertThat("the offset of the probe count byte", e.offset(), equalTo(2000L + filter.length - 1));
    }
}
