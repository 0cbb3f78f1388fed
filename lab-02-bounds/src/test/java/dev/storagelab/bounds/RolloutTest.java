package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.StringLength;

/**
 * Tests for lab-02 T8: {@link Rollout}, a flag rolled out to p% of the users by their position in
 * the flag's rotated space. Properties over many users: the share of users is p, raising p never
 * turns a user off, two flags at 10% share about 1% of the users; and the exact threshold at the
 * boundary. The statistical properties run with fixed seeds and tolerances of five standard
 * deviations or more, so a correct rollout never fails them by chance.
 */
class RolloutTest {

    private static final BigDecimal TWO_TO_THE_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));

    private static String user(int i) {
        return "user:" + i;
    }

    /** The threshold of the spec, floor(p × 2^64 / 100), as an unsigned long (p < 100). */
    private static long threshold(double percent) {
        return new BigDecimal(percent)
                .multiply(TWO_TO_THE_64)
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR)
                .toBigInteger()
                .longValue();
    }

    @Property(tries = 25, seed = "8")
    void theShareOfUsersIsThePercent(
            @ForAll @AlphaChars @StringLength(min = 1, max = 12) String flag,
            @ForAll @DoubleRange(min = 0, max = 100) double percent) {
        Rollout rollout = new Rollout(flag, percent);
        int users = 20_000;
        int on = 0;
        for (int i = 0; i < users; i++) {
            if (rollout.isOn(user(i))) {
                on++;
            }
        }
        // the standard deviation of the share is at most 0.5/sqrt(20,000) = 0.0035
        assertThat(
                flag + " at " + percent + "% should be on for about that share of " + users + " users (positions "
                        + "compare unsigned; the threshold is p% of 2^64)",
                (double) on / users,
                closeTo(percent / 100, 0.02));
    }

    @Property(tries = 25, seed = "9")
    void raisingThePercentNeverTurnsAUserOff(
            @ForAll @AlphaChars @StringLength(min = 1, max = 12) String flag,
            @ForAll @DoubleRange(min = 0, max = 100) double a,
            @ForAll @DoubleRange(min = 0, max = 100) double b) {
        Rollout low = new Rollout(flag, Math.min(a, b));
        Rollout high = low.withPercent(Math.max(a, b));
        for (int i = 0; i < 5_000; i++) {
            if (low.isOn(user(i))) {
                assertThat(
                        user(i) + " has " + flag + " at " + low.percent() + "%, so it must keep it at " + high.percent()
                                + "% (a rollout is monotonic: a user's position does not depend on p)",
                        high.isOn(user(i)),
                        is(true));
            }
        }
    }

    @Property(tries = 20, seed = "10")
    void twoFlagsAtTenPercentShareAboutOnePercentOfTheUsers(
            @ForAll @AlphaChars @StringLength(min = 1, max = 12) String a,
            @ForAll @AlphaChars @StringLength(min = 1, max = 12) String b) {
        Assume.that(!a.equals(b));
        Rollout first = new Rollout(a, 10);
        Rollout second = new Rollout(b, 10);
        int users = 50_000;
        int both = 0;
        for (int i = 0; i < users; i++) {
            if (first.isOn(user(i)) && second.isOn(user(i))) {
                both++;
            }
        }
        // independent flags: 10% x 10% = 1%, with a standard deviation of 0.045%
        assertThat(
                "users who have both " + a + " and " + b + " at 10%: about 1% if the flags choose independently (each "
                        + "flag reads the ring from its own offset, and the mixer scatters it); 10% means every flag picks "
                        + "the same users, 0% that the flags' arcs do not overlap",
                (double) both / users,
                closeTo(0.01, 0.003));
    }

    @Example
    void theThresholdIsExactAndComparedUnsigned() {
        for (double p :
                new double[] {1e-12, 0.5, 1, 10, 100.0 / 3, 49.999, 50, 50.001, 75, 99.99, Math.nextDown(100.0)}) {
            long t = threshold(p);
            assertThat(
                    "position " + Long.toUnsignedString(t - 1) + " is just below floor(" + p + " x 2^64 / 100) = "
                            + Long.toUnsignedString(t),
                    Rollout.covers(t - 1, p),
                    is(true));
            assertThat(
                    "position " + Long.toUnsignedString(t) + " is the threshold floor(" + p
                            + " x 2^64 / 100): not covered",
                    Rollout.covers(t, p),
                    is(false));
        }
        assertThat(
                "position 2^63 (Long.MIN_VALUE) is in the upper half: not covered at 30% (compare unsigned)",
                Rollout.covers(Long.MIN_VALUE, 30), is(false));
        assertThat(
                "position 2^64 - 1 (the long -1) is the last one: not covered at 99%",
                Rollout.covers(-1L, 99), is(false));
        assertThat(
                "position 2^63 - 1 (Long.MAX_VALUE) is below half of 2^64: covered at 50.001%",
                Rollout.covers(Long.MAX_VALUE, 50.001), is(true));
    }

    @Example
    void zeroCoversNobodyAndAHundredCoversEverybody() {
        for (long position : new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1L}) {
            assertThat(Long.toUnsignedString(position) + " at 0%", Rollout.covers(position, 0), is(false));
            assertThat(
                    Long.toUnsignedString(position) + " at 100% (2^64 - 1 included: the threshold 2^64 fits no long)",
                    Rollout.covers(position, 100),
                    is(true));
        }
    }

    @Example
    void aUsersPositionIsItsHashReadFromTheFlagsOffsetThenMixed() {
        for (String flag : new String[] {"new-checkout", "dark-mode", "x"}) {
            for (int i = 0; i < 100; i++) {
                long expected = Rollout.mix(Rollout.userHash(user(i)) - Rollout.offset(flag));
                assertThat(
                        "position(" + flag + ", " + user(i) + ") = mix(userHash - offset)",
                        Rollout.position(flag, user(i)),
                        equalTo(expected));
            }
        }
        assertThat(
                "a user sits at different positions for different flags",
                Rollout.position("new-checkout", "user:1"),
                not(equalTo(Rollout.position("dark-mode", "user:1"))));
    }

    @Example
    void badInputIsRejected() {
        Rollout rollout = new Rollout("new-checkout", 25);
        assertThat(
                "isOn is covers(position(flag, user), percent)",
                rollout.isOn("user:1"),
                is(Rollout.covers(Rollout.position("new-checkout", "user:1"), 25)));
        for (double p :
                new double[] {-0.001, 100.001, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> new Rollout("f", p), "percent " + p + " is outside [0, 100]");
            assertThat(e.getMessage(), both(containsString("percent")).and(containsString(String.valueOf(p))));
            assertThrows(IllegalArgumentException.class, () -> Rollout.covers(0, p), "covers rejects percent " + p);
            assertThrows(
                    IllegalArgumentException.class, () -> rollout.withPercent(p), "withPercent rejects percent " + p);
        }
        assertThrows(NullPointerException.class, () -> new Rollout(null, 10), "a null flag");
        assertThrows(IllegalArgumentException.class, () -> new Rollout("", 10), "an empty flag name");
        assertThrows(NullPointerException.class, () -> rollout.isOn(null), "a null user");
        assertThrows(NullPointerException.class, () -> Rollout.position(null, "user:1"), "a null flag");
        assertThrows(NullPointerException.class, () -> Rollout.position("f", null), "a null user");
        assertThat("no user at 0%", new Rollout("f", 0).isOn("user:1"), is(false));
        assertThat("every user at 100%", new Rollout("f", 100).isOn("user:1"), is(true));
        assertThat(
                "withPercent keeps the flag and sets the percent",
                rollout.withPercent(60),
                equalTo(new Rollout("new-checkout", 60)));
    }
}
