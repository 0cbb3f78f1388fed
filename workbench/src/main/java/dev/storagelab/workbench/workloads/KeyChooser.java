package dev.storagelab.workbench.workloads;

import static com.google.common.base.Preconditions.checkArgument;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;

/**
 * Picks the number of the next key a workload touches, from {@code [0, n)}: the request
 * distributions of YCSB (Cooper et al., SoCC 2010). Every chooser draws from a seeded
 * {@link UniformRandomProvider}, so a workload repeats exactly.
 */
public interface KeyChooser {

    /** The next key number, in {@code [0, n)} where {@code n} is the key count now. */
    long next(long n);

    /** Every key equally likely. */
    static KeyChooser uniform(UniformRandomProvider rng) {
        return n -> rng.nextLong(n);
    }

    /**
     * Zipfian with exponent {@code theta} (YCSB's 0.99), the rank scrambled by a hash so that the
     * popular keys are spread over the key space instead of being the smallest numbers (which
     * would put them all in one leaf or one block): YCSB's {@code ScrambledZipfianGenerator}. The
     * Zipf sampler is Apache Commons RNG's rejection-inversion sampler (Hörmann and Derflinger,
     * 1996), exact for any n and theta.
     */
    static KeyChooser scrambledZipfian(UniformRandomProvider rng, double theta) {
        checkArgument(theta > 0, "theta must be positive: %s", theta);
        return new KeyChooser() {
            private SharedStateDiscreteSampler sampler;
            private long samplerN = -1;

            @Override
            public long next(long n) {
                if (n != samplerN) {
                    sampler = RejectionInversionZipfSampler.of(rng, Math.toIntExact(n), theta);
                    samplerN = n;
                }
                return Long.remainderUnsigned(fnv1a64(sampler.sample()), n);
            }
        };
    }

    /**
     * The newest keys most likely: {@code n - 1 - zipf}, as YCSB's {@code SkewedLatestGenerator}
     * for workload D ("read the latest status updates"). Unscrambled on purpose: recency is the
     * point.
     */
    static KeyChooser latest(UniformRandomProvider rng, double theta) {
        return new KeyChooser() {
            private SharedStateDiscreteSampler sampler;
            private long samplerN = -1;

            @Override
            public long next(long n) {
                if (n != samplerN) {
                    sampler = RejectionInversionZipfSampler.of(rng, Math.toIntExact(n), theta);
                    samplerN = n;
                }
                return n - sampler.sample();
            }
        };
    }

    /** FNV-1a over the 8 bytes of {@code v}, the hash YCSB scrambles with. */
    static long fnv1a64(long v) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < 8; i++) {
            h ^= (v >>> (8 * i)) & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
