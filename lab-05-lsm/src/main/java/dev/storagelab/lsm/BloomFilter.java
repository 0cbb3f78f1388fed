package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.Objects;

/**
 * A Bloom filter over a table's user keys (lab-05 T3): a bit array in which each key sets
 * {@code k} bits; a key whose {@code k} bits are not all set was certainly never added, so a get
 * skips the table without reading a data block. A key whose bits are all set may still be absent
 * (a false positive), with probability about {@code (1 - e^(-k/b))^k} for {@code b} bits per key:
 * 0.82% at 10 bits per key and {@code k = 7}.
 *
 * <p>The {@code k} bit positions come from one 64-bit Murmur3 hash by double hashing
 * (Kirsch and Mitzenmacher): {@code h1 + i * h2 mod m} for {@code i = 0 .. k-1}, where {@code h1}
 * and {@code h2} are the hash's two 32-bit halves, read unsigned. Encoded as:
 *
 * <pre>
 * +-------------------------------------------+-------+
 * | bit array: m / 8 bytes, bit j = byte j/8, | k (1) |
 * |            mask 1 << (j % 8)              |       |
 * +-------------------------------------------+-------+
 * </pre>
 *
 * There is one filter per table (not per block): a get asks one filter, then reads one block.
 */
public final class BloomFilter {

    /** The most probes a filter may use; more would cost time and gain nothing. */
    public static final int MAX_PROBES = 30;

    /** The smallest bit array, so that tiny tables do not get a uselessly dense filter. */
    public static final int MIN_BITS = 64;

    /** The Murmur3 seed of every filter. */
    public static final int SEED = 0x5eed;

    private final byte[] filter;
    private final long bits;
    private final int probes;

    private BloomFilter(byte[] filter, int probes) {
        this.filter = filter;
        this.bits = (long) (filter.length - 1) * 8;
        this.probes = probes;
    }

    /**
     * The 64-bit hash whose halves are {@code h1} (low) and {@code h2} (high): the first 64 bits of
     * Murmur3 x64 128 with seed {@value #SEED}, the value Guava's {@code Hashing.murmur3_128(SEED)
     * .hashBytes(key).asLong()} gives (the filters on disk depend on it).
     */
    public static long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /**
     * {@link #hash(byte[])} of {@code length} bytes of {@code data} from {@code offset}, without a
     * copy. Written out here rather than taken from a library: every put hashes its key for the
     * memtable's filter, every get for the filters it probes, and every flush and compaction each
     * key it writes, and Commons Codec's {@code MurmurHash3.hash128x64} (the same function) makes an
     * array for its two halves on each call and reads the key a byte at a time; it was a sixth of a
     * compaction's time. This one reads eight bytes at once and computes the first half only.
     */
    public static long hash(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        long h1 = SEED & 0xffffffffL;
        long h2 = h1;
        int blockEnd = offset + (length & ~15);
        for (int i = offset; i < blockEnd; i += 16) {
            h1 ^= mixK1((long) LITTLE_ENDIAN_LONG.get(data, i));
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2((long) LITTLE_ENDIAN_LONG.get(data, i + 8));
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = length & 15;
        if (tail > 8) {
            h2 ^= mixK2(littleEndian(data, blockEnd + 8, tail - 8));
        }
        if (tail > 0) {
            h1 ^= mixK1(littleEndian(data, blockEnd, Math.min(tail, 8)));
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        return h1 + h2;
    }

    private static final VarHandle LITTLE_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    /** The {@code n} (1 to 8) bytes from {@code at}, the first the lowest: a block's last, short part. */
    private static long littleEndian(byte[] data, int at, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (data[at + i] & 0xff);
        }
        return v;
    }

    private static long fmix64(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * The number of probes for {@code bitsPerKey} bits per key: {@code round(bitsPerKey * ln 2)}, the
     * {@code k} that minimizes the false-positive rate, clamped to {@code [1, MAX_PROBES]}.
     *
     * @throws IllegalArgumentException if {@code bitsPerKey} is not positive
     */
    public static int probes(int bitsPerKey) {
        if (bitsPerKey < 1) {
            throw new IllegalArgumentException("bitsPerKey must be positive: " + bitsPerKey);
        }
        // BEGIN SOLUTION lab-05 T3
        long k = Math.round(bitsPerKey * Math.log(2));
        return (int) Math.max(1, Math.min(MAX_PROBES, k));
        // END SOLUTION
    }

    /**
     * Builds the filter of {@code keys} at {@code bitsPerKey}: {@link #buildFromHashes} of their
     * {@link #hash}es.
     */
    public static byte[] build(Collection<byte[]> keys, int bitsPerKey) {
        long[] hashes = new long[keys.size()];
        int n = 0;
        for (byte[] key : keys) {
            hashes[n++] = hash(key);
        }
        return buildFromHashes(hashes, n, bitsPerKey);
    }

    /**
     * Builds the filter of the keys whose {@link #hash}es are the first {@code count} of
     * {@code hashes} (a table builder hashes each user key as it comes, instead of keeping a copy
     * of every key until the table is finished): a bit array of {@code max(MIN_BITS, count *
     * bitsPerKey)} bits rounded up to whole bytes, every key's {@link #probes} bits set (the bits
     * {@link #mayContainHash} checks), then the probe count as the last byte.
     */
    public static byte[] buildFromHashes(long[] hashes, int count, int bitsPerKey) {
        int k = probes(bitsPerKey);
        long wanted = Math.max(MIN_BITS, (long) count * bitsPerKey);
        if (wanted > (long) Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "filter of " + count + " keys at " + bitsPerKey + " bits each is too big");
        }
        int bytes = (int) ((wanted + 7) / 8);
        byte[] filter = new byte[bytes + 1];
        filter[bytes] = (byte) k;
        // BEGIN SOLUTION lab-05 T3
        long m = (long) bytes * 8;
        for (int j = 0; j < count; j++) {
            long h = hashes[j];
            long bit = (h & 0xffffffffL) % m;
            long step = (h >>> 32) % m;
            for (int i = 0; i < k; i++) {
                filter[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                bit += step;
                if (bit >= m) {
                    bit -= m;
                }
            }
        }
        return filter;
        // END SOLUTION
    }

    /**
     * Opens a filter {@link #build} wrote.
     *
     * @throws CorruptionException naming the file and offset if the filter is shorter than its
     *         smallest size or its probe count is outside {@code [1, MAX_PROBES]}
     */
    public static BloomFilter open(byte[] filter, String file, long fileOffset) throws CorruptionException {
        if (filter.length < MIN_BITS / 8 + 1) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    "Bloom filter of " + filter.length + " bytes is shorter than the smallest, " + (MIN_BITS / 8 + 1));
        }
        int k = filter[filter.length - 1] & 0xff;
        if (k < 1 || k > MAX_PROBES) {
            throw new CorruptionException(
                    file,
                    fileOffset + filter.length - 1,
                    "Bloom filter probe count " + k + " is outside [1, " + MAX_PROBES + "]");
        }
        return new BloomFilter(filter, k);
    }

    /** The probe count {@code k} stored in the filter. */
    public int probeCount() {
        return probes;
    }

    /** The number of bits in the array. */
    public long bitCount() {
        return bits;
    }

    /**
     * Whether {@code key} may have been added: false only if one of its {@code k} bits is clear, in
     * which case it certainly was not. Never false for a key that was added.
     */
    public boolean mayContain(byte[] key) {
        return mayContainHash(hash(key));
    }

    /**
     * {@link #mayContain} of a key whose {@link #hash} is {@code h}: a get hashes its key once
     * ({@link LookupKey#hash}) and probes every table's filter with it.
     *
     * <p>The probes are the bits {@code (h1 + i * h2) mod m}; since that is
     * {@code ((h1 mod m) + i * (h2 mod m)) mod m}, each probe after the first adds {@code h2 mod m}
     * and subtracts {@code m} once if it passed it: two divisions per key instead of one a probe.
     */
    public boolean mayContainHash(long h) {
        // BEGIN SOLUTION lab-05 T3
        long bit = (h & 0xffffffffL) % bits;
        long step = (h >>> 32) % bits;
        for (int i = 0; i < probes; i++) {
            if ((filter[(int) (bit >>> 3)] & (1 << (bit & 7))) == 0) {
                return false;
            }
            bit += step;
            if (bit >= bits) {
                bit -= bits;
            }
        }
        return true;
        // END SOLUTION
    }
}
