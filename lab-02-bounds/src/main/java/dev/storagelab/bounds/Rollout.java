package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * A feature flag rolled out to a share of the users: {@code percent} of them get the new code
 * path, the others the old one. Which users is decided by hashing alone, with no state per user,
 * so every server and every client computes the same answer for the same user.
 *
 * <p>The space of 64-bit hashes, {@code [0, 2^64)} read as <em>unsigned</em> numbers, is a ring,
 * as in {@link HashRing}. Each flag reads that ring from its own {@link #offset(String) offset}:
 * a user's {@link #position(String, String) position} for a flag is the user's hash minus the
 * flag's offset (wrapping around modulo 2^64), scrambled by {@link #mix(long)}. A flag at p% is on
 * for the users whose position is in the first p% of the space, {@code [0, floor(p × 2^64 / 100))}
 * ({@link #covers(long, double)}). Two consequences:
 *
 * <ul>
 *   <li><b>Monotonic.</b> A user's position does not depend on p, and the covered prefix only
 *       grows with p: raising a rollout from 5% to 20% keeps every user of the 5% and adds new
 *       ones, and lowering it turns off the newest first.</li>
 *   <li><b>Independent.</b> Each flag has its own offset, and the mixer turns the rotated ring
 *       into an unrelated order, so two flags at 10% share about 10% × 10% = 1% of the users, as
 *       chance predicts, instead of reaching the same unlucky 10% every time.</li>
 * </ul>
 *
 * <p>The hashes are fixed, so every client agrees: a user hashes to
 * {@code Hashing.murmur3_128().hashString(userId, UTF_8).asLong()} ({@link #userHash(String)}),
 * a flag's offset is {@code Hashing.murmur3_128().hashString(flag, UTF_8).asLong()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param flag    the flag's name, not empty; it fixes the flag's offset
 * @param percent the share of users the flag is on for, in {@code [0, 100]}
 */
public record Rollout(String flag, double percent) {

    private static final HashFunction HASH = Hashing.murmur3_128();

    /**
     * A rollout of {@code flag} to {@code percent}% of the users.
     *
     * @throws NullPointerException     if {@code flag} is null
     * @throws IllegalArgumentException if {@code flag} is empty, or {@code percent} is not in
     *                                  {@code [0, 100]} (NaN included)
     */
    public Rollout {
        checkNotNull(flag, "flag must not be null");
        checkArgument(!flag.isEmpty(), "flag name must not be empty");
        checkPercent(percent);
    }

    /**
     * The same flag at another percentage. Raising it never turns a user off; lowering it turns off
     * only users that the higher percentage had added last.
     *
     * @throws IllegalArgumentException if {@code newPercent} is not in {@code [0, 100]}
     */
    public Rollout withPercent(double newPercent) {
        return new Rollout(flag, newPercent);
    }

    /**
     * Whether the flag is on for {@code userId}: {@code covers(position(flag, userId), percent)}.
     *
     * @throws NullPointerException if {@code userId} is null
     */
    public boolean isOn(String userId) {
        return covers(position(flag, userId), percent);
    }

    /** Where {@code userId} sits on the ring of hashes: the first 64 bits of murmur3_128 of its UTF-8 bytes. */
    public static long userHash(String userId) {
        checkNotNull(userId, "userId must not be null");
        return HASH.hashString(userId, UTF_8).asLong();
    }

    /** Where {@code flag} starts reading the ring: the first 64 bits of murmur3_128 of its UTF-8 bytes. */
    public static long offset(String flag) {
        checkNotNull(flag, "flag must not be null");
        return HASH.hashString(flag, UTF_8).asLong();
    }

    /**
     * murmur3's 64-bit finalizer ({@code fmix64}): a bijection of the 64-bit values that spreads
     * every input bit over every output bit. Neighbouring inputs land far apart, and, being a
     * bijection, it maps the whole space onto itself: p% of the space stays exactly p% of it.
     */
    public static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    /**
     * The position of {@code userId} in the rotated space of {@code flag}: the user's hash read
     * from the flag's offset, {@code userHash(userId) - offset(flag)} modulo 2^64 (Java's
     * {@code long} subtraction wraps exactly so), then {@link #mix(long) mixed}. The result is a
     * 64-bit value to be read as unsigned, in {@code [0, 2^64)}.
     *
     * <p>Why both steps: the rotation alone makes a flag at p% an arc of the user ring starting at
     * the flag's offset; two flags whose offsets are less than p% apart would then reach largely
     * the same users. The mixer scatters each flag's arc over the whole ring, so the flags'
     * choices are unrelated. Hashing the user once and rotating per flag costs one murmur3 per
     * user however many flags a request evaluates.
     *
     * @throws NullPointerException if an argument is null
     */
    public static long position(String flag, String userId) {
        checkNotNull(flag, "flag must not be null");
        checkNotNull(userId, "userId must not be null");
        // BEGIN SOLUTION lab-02 T8
        return mix(userHash(userId) - offset(flag));
        // END SOLUTION
    }

    /**
     * Whether a rollout to {@code percent}% covers {@code position}: {@code position}, read as an
     * unsigned 64-bit number, is below the threshold {@code floor(percent × 2^64 / 100)},
     * computed exactly (the {@code double} percent taken at its exact binary value). At 100%
     * every position is covered, {@code 2^64 - 1} (the {@code long} -1) included; at 0% none is.
     * Monotonic: if {@code covers(x, p)} and {@code q >= p}, then {@code covers(x, q)}.
     *
     * @param position a position from {@link #position(String, String)}, unsigned
     * @throws IllegalArgumentException if {@code percent} is not in {@code [0, 100]} (NaN included)
     */
    public static boolean covers(long position, double percent) {
        checkPercent(percent);
        // BEGIN SOLUTION lab-02 T8
        if (percent == 100) {
            return true; // the threshold would be 2^64, which no long holds
        }
        return Long.compareUnsigned(position, threshold(percent)) < 0;
        // END SOLUTION
    }

    // BEGIN REMOVE
    /**
     * floor(percent × 2^64 / 100) for percent in [0, 100), exactly, as an unsigned long, without
     * allocating (isOn runs on every request, for every flag). {@code new BigDecimal(percent)
     * .multiply(2^64).divide(100, 0, FLOOR)} gives the same, about fifty times slower.
     */
    private static long threshold(double percent) {
        if (percent == 0) {
            return 0;
        }
        // percent = m × 2^(e - 52) exactly, m an integer below 2^53; so percent × 2^64 = m × 2^shift
        int e = Math.max(Math.getExponent(percent), Double.MIN_EXPONENT);
        long m = (long) Math.scalb(percent, 52 - e);
        int shift = e - 52 + 64;
        if (shift < 0) {
            return -shift >= 63 ? 0 : (m >>> -shift) / 100; // floor(floor(x / 2^k) / 100) = floor(x / (100 × 2^k))
        }
        // N = m × 2^shift < 100 × 2^64 (percent < 100), so shift <= 18; N = a × 2^32 + b, a < 100 × 2^32
        long a = m >>> (32 - shift);
        long b = (m << shift) & 0xFFFF_FFFFL;
        long high = a / 100; // < 2^32
        long low = ((a % 100) << 32 | b) / 100; // < 2^32
        return high << 32 | low;
    }
    // END REMOVE

    private static void checkPercent(double percent) {
        checkArgument(percent >= 0 && percent <= 100, "percent must be in [0, 100]: %s", percent);
    }
}
