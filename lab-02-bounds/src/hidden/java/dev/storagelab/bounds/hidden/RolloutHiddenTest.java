package dev.storagelab.bounds.hidden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import com.google.common.hash.Hashing;
import dev.storagelab.bounds.Rollout;
import dev.storagelab.bounds.RolloutTable;
import dev.storagelab.lab.Graded;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Hidden tests of lab-02 T8, {@link Rollout} and {@link RolloutTable}. The oracle is the contract
 * written out independently: a user's position is murmur3's fmix64 of
 * {@code murmur3_128(user) - murmur3_128(flag)}, the threshold is {@code floor(p × 2^64 / 100)} in
 * {@link BigDecimal}, positions compare unsigned, and a table lookup is a linear scan. Then the
 * properties a rollout is for, over many users: the share is p, raising p never turns a user off,
 * and flags choose their users independently, even two flags whose offsets are close. The
 * statistical checks use fixed seeds and tolerances of at least six standard deviations.
 */
@Tag("hidden")
class RolloutHiddenTest {

    private static final BigDecimal TWO_TO_THE_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));

    private static long fmix64(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    private static long murmur(String s) {
        return Hashing.murmur3_128().hashString(s, UTF_8).asLong();
    }

    private static long oraclePosition(String flag, String user) {
        return fmix64(murmur(user) - murmur(flag));
    }

    /** floor(p × 2^64 / 100) for p in [0, 100), unsigned. */
    private static long oracleThreshold(double percent) {
        return new BigDecimal(percent)
                .multiply(TWO_TO_THE_64)
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR)
                .toBigInteger()
                .longValue();
    }

    private static boolean oracleCovers(long position, double percent) {
        return percent == 100 || Long.compareUnsigned(position, oracleThreshold(percent)) < 0;
    }

    private static String u(long x) {
        return Long.toUnsignedString(x);
    }

    @Property(tries = 200)
    @Graded(
            task = "T8",
            points = 3,
            concept = "a user's position in a flag's space is not mix(userHash(user) - offset(flag)) "
                    + "(rotated the other way, not mixed, or hashed differently)")
    void positionIsTheUsersHashReadFromTheFlagsOffsetThenMixed(
            @ForAll @StringLength(min = 1, max = 20) String flag, @ForAll @StringLength(max = 20) String user) {
        assertThat(
                "position(" + flag + ", " + user + "): fmix64(murmur3(user) - murmur3(flag))",
                Rollout.position(flag, user),
                equalTo(oraclePosition(flag, user)));
    }

    @Property(tries = 300)
    @Graded(
            task = "T8",
            points = 3,
            concept = "a rollout's threshold is not exactly floor(p × 2^64 / 100) (rounded through a "
                    + "double, off by one, or wrong for tiny or fractional percents)")
    void theThresholdIsExactForEveryPercent(@ForAll("percents") double percent, @ForAll long position) {
        Assume.that(percent < 100);
        long t = oracleThreshold(percent);
        if (t != 0) {
            assertThat(
                    "position " + u(t - 1) + ", the last below floor(" + percent + " x 2^64 / 100) = " + u(t),
                    Rollout.covers(t - 1, percent),
                    is(true));
        }
        assertThat(
                "position " + u(t) + " = floor(" + percent + " x 2^64 / 100), the first not covered",
                Rollout.covers(t, percent),
                is(false));
        assertThat(
                "position " + u(position) + " at " + percent + "% (threshold " + u(t) + ")",
                Rollout.covers(position, percent),
                is(oracleCovers(position, percent)));
    }

    @Example
    @Graded(
            task = "T8",
            points = 2,
            concept = "positions are compared as signed longs: users in the upper half of the ring "
                    + "(negative longs) are on at any percent, or off at every percent below 100")
    void positionsCompareUnsigned() {
        long[] upper = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -2L, -1L, 0xC000_0000_0000_0000L, 0xF000_0000_0000_0000L};
        long[] lower = {0, 1, Long.MAX_VALUE, 0x4000_0000_0000_0000L};
        for (double p : new double[] {0.001, 1, 25, 49.99, 50, 60, 75, 99, 99.9999}) {
            for (long x : upper) {
                assertThat(
                        "position " + u(x) + " (upper half; the long " + x + ") at " + p + "%",
                        Rollout.covers(x, p),
                        is(oracleCovers(x, p)));
            }
            for (long x : lower) {
                assertThat("position " + u(x) + " at " + p + "%", Rollout.covers(x, p), is(oracleCovers(x, p)));
            }
        }
    }

    @Example
    @Graded(
            task = "T8",
            points = 2,
            concept = "a 0% rollout reaches a user, or a 100% rollout misses one (the last position, "
                    + "2^64 - 1, whose threshold 2^64 fits no long)")
    void zeroReachesNobodyAndAHundredEverybody() {
        Random random = new Random(23);
        List<Long> positions = new ArrayList<>(List.of(0L, 1L, -1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE));
        for (int i = 0; i < 1_000; i++) {
            positions.add(random.nextLong());
        }
        for (long x : positions) {
            assertThat("position " + u(x) + " at 0%", Rollout.covers(x, 0), is(false));
            assertThat("position " + u(x) + " at -0.0%", Rollout.covers(x, -0.0), is(false));
            assertThat("position " + u(x) + " at 100%", Rollout.covers(x, 100), is(true));
        }
        Rollout none = new Rollout("ship-it", 0);
        Rollout all = none.withPercent(100);
        for (int i = 0; i < 20_000; i++) {
            assertThat("user:" + i + " at 0%", none.isOn("user:" + i), is(false));
            assertThat("user:" + i + " at 100%", all.isOn("user:" + i), is(true));
        }
    }

    @Property(tries = 25, seed = "231")
    @Graded(
            task = "T8",
            points = 3,
            concept = "changing a rollout's percent turns users off that a higher percent keeps, or on "
                    + "that a lower one had not (a user's position depends on p)")
    void everyChangeOfPercentKeepsTheRolloutNested(
            @ForAll @StringLength(min = 1, max = 16) String flag,
            @ForAll @Size(min = 2, max = 8) List<@DoubleRange(min = 0, max = 100) Double> steps) {
        int users = 3_000;
        boolean[][] on = new boolean[steps.size()][users];
        Rollout r = new Rollout(flag, steps.get(0));
        for (int s = 0; s < steps.size(); s++) {
            r = r.withPercent(steps.get(s));
            int count = 0;
            for (int i = 0; i < users; i++) {
                on[s][i] = r.isOn("user:" + i);
                count += on[s][i] ? 1 : 0;
            }
            // nested because nobody is on is no rollout: each step turns about its percent on (within
            // ten points, where the binomial's spread over 3,000 users is under one)
            assertThat(
                    flag + " at " + steps.get(s) + "% is on for " + count + " of " + users + " users",
                    Math.abs(100.0 * count / users - steps.get(s)),
                    lessThanOrEqualTo(10.0));
        }
        for (int s = 0; s < steps.size(); s++) {
            for (int t = 0; t < steps.size(); t++) {
                if (steps.get(s) <= steps.get(t)) {
                    for (int i = 0; i < users; i++) {
                        if (on[s][i]) {
                            assertThat(
                                    "user:" + i + " has " + flag + " at " + steps.get(s) + "%, so it must at "
                                            + steps.get(t) + "% (rollout steps " + steps + ")",
                                    on[t][i],
                                    is(true));
                        }
                    }
                }
            }
        }
    }

    @Property(tries = 12, seed = "232")
    @Graded(task = "T8", points = 2, concept = "a flag at p% is not on for p% of the users")
    void theShareOfUsersIsThePercent(
            @ForAll @StringLength(min = 1, max = 16) String flag, @ForAll("percents") double percent) {
        int users = 40_000;
        Rollout r = new Rollout(flag, percent);
        int on = 0;
        for (int i = 0; i < users; i++) {
            if (r.isOn("member-" + i)) {
                on++;
            }
        }
        double p = percent / 100;
        double sigma = Math.sqrt(p * (1 - p) / users);
        assertThat(
                flag + " at " + percent + "% over " + users + " users",
                (double) on / users,
                closeTo(p, 6 * sigma + 1.0 / users));
    }

    @Property(tries = 12, seed = "233")
    @Graded(
            task = "T8",
            points = 3,
            concept = "two flags reach the same users more (or less) often than chance: the flags do not "
                    + "choose independently")
    void twoFlagsChooseTheirUsersIndependently(
            @ForAll @StringLength(min = 1, max = 16) String a,
            @ForAll @StringLength(min = 1, max = 16) String b,
            @ForAll @DoubleRange(min = 5, max = 60) double pa,
            @ForAll @DoubleRange(min = 5, max = 60) double pb) {
        Assume.that(!a.equals(b));
        double overlap = overlap(new Rollout(a, pa), new Rollout(b, pb), 40_000);
        double expected = pa / 100 * pb / 100;
        double sigma = Math.sqrt(expected * (1 - expected) / 40_000);
        assertThat(
                "share of users with both " + a + " at " + pa + "% and " + b + " at " + pb + "%",
                overlap,
                closeTo(expected, 6 * sigma));
    }

    @Example
    @Graded(
            task = "T8",
            points = 3,
            concept = "two flags whose offsets are close reach the same users: each flag is an arc of "
                    + "the ring from its offset, not mixed")
    void flagsWithCloseOffsetsStillChooseIndependently() {
        // Find two flag names whose offsets are less than 1% of the ring apart: unmixed, their 10%
        // arcs would overlap by about 9% of the users.
        Map<Long, String> byBucket = new HashMap<>();
        String first = null;
        String second = null;
        for (int i = 0; first == null; i++) {
            String name = "experiment-" + i;
            long bucket = Long.divideUnsigned(murmur(name), Long.divideUnsigned(-1L, 200));
            String other = byBucket.putIfAbsent(bucket, name);
            if (other != null) {
                first = other;
                second = name;
            }
        }
        double overlap = overlap(new Rollout(first, 10), new Rollout(second, 10), 40_000);
        assertThat(
                "share of users with both " + first + " and " + second + " at 10% (offsets " + u(murmur(first))
                        + " and " + u(murmur(second)) + ", less than 1% of the ring apart)",
                overlap,
                closeTo(0.01, 0.003));
    }

    private static double overlap(Rollout a, Rollout b, int users) {
        int both = 0;
        for (int i = 0; i < users; i++) {
            String user = "account/" + i;
            if (a.isOn(user) && b.isOn(user)) {
                both++;
            }
        }
        return (double) both / users;
    }

    @Property(tries = 300)
    @Graded(
            task = "T8",
            points = 3,
            concept = "the rollout table's lookup misses a flag in some rotation of its ids, or finds "
                    + "one it does not hold")
    void tableLookupMatchesALinearScan(
            @ForAll("ids") int[] sorted,
            @ForAll @IntRange(max = 10_000) int shift,
            @ForAll @Size(max = 30) List<Integer> probes) {
        int n = sorted.length;
        int[] ids = new int[n];
        Rollout[] rollouts = new Rollout[n];
        for (int i = 0; i < n; i++) {
            ids[i] = sorted[(i + shift) % n];
            rollouts[i] = new Rollout("f" + ids[i], 50);
        }
        RolloutTable table = new RolloutTable(ids, rollouts);
        List<Integer> all = new ArrayList<>(probes);
        for (int id : sorted) {
            all.add(id);
            all.add(id - 1);
            all.add(id + 1);
        }
        all.addAll(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0));
        for (int id : all) {
            int expected = -1;
            for (int i = 0; i < n; i++) {
                if (ids[i] == id) {
                    expected = i;
                }
            }
            assertThat("indexOf(" + id + ") in " + Arrays.toString(ids), table.indexOf(id), equalTo(expected));
            if (expected < 0) {
                assertThat("rollout(" + id + "), absent", table.rollout(id), nullValue());
                assertThat("isOn(" + id + ", ...) of an absent flag", table.isOn(id, "user:1"), is(false));
            } else {
                assertThat("rollout(" + id + ")", table.rollout(id), sameInstance(rollouts[expected]));
            }
        }
    }

    @Property(tries = 40, seed = "234")
    @Graded(
            task = "T8",
            points = 2,
            concept = "changing one flag of the rollout table changes another, or loses a raised " + "flag's users")
    void tableChangesFollowAModel(
            @ForAll @Size(min = 1, max = 12) Set<@IntRange(min = -100, max = 100) Integer> idSet,
            @ForAll @IntRange(max = 100) int shift,
            @ForAll @Size(max = 25) List<@IntRange(max = 1_000) Integer> changes,
            @ForAll long seed) {
        int[] sorted = idSet.stream().mapToInt(Integer::intValue).sorted().toArray();
        int n = sorted.length;
        int[] ids = new int[n];
        Rollout[] rollouts = new Rollout[n];
        Map<Integer, Double> model = new HashMap<>();
        for (int i = 0; i < n; i++) {
            ids[i] = sorted[(i + shift) % n];
            rollouts[i] = new Rollout("flag" + ids[i], 1);
            model.put(ids[i], 1.0);
        }
        RolloutTable table = new RolloutTable(ids, rollouts);
        Random random = new Random(seed);
        for (int c : changes) {
            int id = sorted[c % n];
            double percent = random.nextInt(101);
            RolloutTable next = table.withPercent(id, percent);
            for (int i = 0; i < 300; i++) {
                String user = "user:" + i;
                if (percent >= model.get(id) && table.isOn(id, user)) {
                    assertThat(
                            user + " had flag " + id + " at " + model.get(id) + "%: still on at " + percent + "%",
                            next.isOn(id, user),
                            is(true));
                }
            }
            model.put(id, percent);
            table = next;
            for (int other : sorted) {
                assertThat(
                        "flag " + other + "'s percent after changing flag " + id,
                        table.rollout(other).percent(),
                        equalTo(model.get(other)));
                assertThat(
                        "flag " + other + " for user:7",
                        table.isOn(other, "user:7"),
                        is(oracleCovers(oraclePosition("flag" + other, "user:7"), model.get(other))));
            }
        }
        assertThat("the table's size after " + changes.size() + " changes", table.size(), equalTo(n));
    }

    @Provide
    Arbitrary<Double> percents() {
        return Arbitraries.oneOf(
                Arbitraries.doubles().between(0, 100),
                Arbitraries.doubles().between(0, 1).ofScale(9),
                Arbitraries.of(
                        0.0,
                        1e-300,
                        Double.MIN_VALUE,
                        1e-18,
                        1e-9,
                        0.1,
                        1.0 / 3,
                        12.5,
                        50.0,
                        50.000001,
                        66.66666666666667,
                        99.0,
                        99.99999999,
                        Math.nextDown(100.0),
                        100.0));
    }

    @Provide
    Arbitrary<int[]> ids() {
        Arbitrary<Integer> values = Arbitraries.oneOf(
                Arbitraries.integers().between(-200, 200),
                Arbitraries.integers(),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE));
        return values.set()
                .ofMaxSize(200)
                .map(s -> s.stream().mapToInt(Integer::intValue).sorted().toArray());
    }
}
