package dev.storagelab.hybrid.track;

import dev.storagelab.kv.Bytes;
import java.nio.charset.StandardCharsets;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

/** A seeded Zipfian stream of key numbers in {@code [0, keys)} (number 0 the most popular), and the keys. */
final class ZipfStream {

    private final SharedStateDiscreteSampler sampler;

    ZipfStream(int keys, double exponent, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        this.sampler = RejectionInversionZipfSampler.of(rng, keys, exponent);
    }

    int next() {
        return sampler.sample() - 1;
    }

    /** {@code user} and 12 digits, written by hand: String.format would take most of a test's time. */
    static Bytes key(long i) {
        byte[] k = "user000000000000".getBytes(StandardCharsets.US_ASCII);
        for (int pos = k.length - 1; i > 0; pos--, i /= 10) {
            k[pos] = (byte) ('0' + i % 10);
        }
        return Bytes.wrap(k);
    }
}
