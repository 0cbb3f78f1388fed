package dev.storagelab.lsm.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.storagelab.lsm.BloomFilter;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link BloomFilter#hash} is given code: the hash every filter on disk was built with. */
class BloomFilterHashTest {

    @Test
    void hashIsGuavasMurmur3OfEveryKeyLength() {
        // Tables on disk hold filters built with Guava's Murmur3: a faster implementation must give the same bits.
        HashFunction guava = Hashing.murmur3_128(BloomFilter.SEED);
        SplittableRandom random = new SplittableRandom(7);
        for (int length = 0; length <= 70; length++) {
            for (int i = 0; i < 20; i++) {
                byte[] key = new byte[length];
                random.nextBytes(key);
                assertThat(
                        "Murmur3 x64 128's first 64 bits of a " + length + "-byte key",
                        BloomFilter.hash(key),
                        equalTo(guava.hashBytes(key).asLong()));
            }
        }
    }

    @Test
    void hashOfARangeIsTheHashOfItsCopy() {
        // Table builders and gets hash a user key where it lies, inside a longer internal key.
        SplittableRandom random = new SplittableRandom(11);
        byte[] data = new byte[100];
        random.nextBytes(data);
        for (int offset = 0; offset <= 20; offset++) {
            for (int length = 0; length <= 70; length++) {
                assertThat(
                        length + " bytes from offset " + offset,
                        BloomFilter.hash(data, offset, length),
                        equalTo(BloomFilter.hash(Arrays.copyOfRange(data, offset, offset + length))));
            }
        }
    }
}
