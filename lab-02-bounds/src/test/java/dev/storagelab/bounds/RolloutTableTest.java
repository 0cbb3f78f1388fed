package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Tests for lab-02 T8: {@link RolloutTable}, a table of flags whose ids are a rotated ascending
 * array, looked up with T6's rotated search. The oracle is a linear scan of the ids.
 */
class RolloutTableTest {

    /** The table of {@code sorted} ids rotated left by {@code shift}; flag i is named "flag-" + its id. */
    private static RolloutTable table(int[] sorted, int shift, double percent) {
        int n = sorted.length;
        int[] ids = new int[n];
        Rollout[] rollouts = new Rollout[n];
        for (int i = 0; i < n; i++) {
            ids[i] = sorted[(i + shift) % n];
            rollouts[i] = new Rollout("flag-" + ids[i], percent);
        }
        return new RolloutTable(ids, rollouts);
    }

    private static int[] rotated(int[] sorted, int shift) {
        int n = sorted.length;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = sorted[(i + shift) % n];
        }
        return ids;
    }

    private static int linearIndexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    @Property(tries = 200, seed = "11")
    void lookupMatchesALinearScanInEveryRotation(
            @ForAll("ids") int[] sorted,
            @ForAll @IntRange(max = 1_000) int shift,
            @ForAll("probes") List<Integer> probes) {
        int s = sorted.length == 0 ? 0 : shift % sorted.length;
        int[] ids = rotated(sorted, s);
        RolloutTable table = table(sorted, s, 50);
        for (int id : ids) {
            assertThat(
                    "indexOf(" + id + ") in " + Arrays.toString(ids),
                    table.indexOf(id),
                    equalTo(linearIndexOf(ids, id)));
        }
        for (int probe : probes) {
            assertThat(
                    "indexOf(" + probe + ") in " + Arrays.toString(ids) + " (-1 if absent)",
                    table.indexOf(probe),
                    equalTo(linearIndexOf(ids, probe)));
        }
    }

    @Example
    void isOnFollowsTheFlagsRolloutAndUnknownFlagsAreOff() {
        int[] ids = {40, 41, 45, 12, 17, 23};
        Rollout[] rollouts = new Rollout[ids.length];
        for (int i = 0; i < ids.length; i++) {
            rollouts[i] = new Rollout("flag-" + ids[i], 10 * i);
        }
        RolloutTable table = new RolloutTable(ids, rollouts);
        for (int i = 0; i < ids.length; i++) {
            assertThat("rollout of flag " + ids[i], table.rollout(ids[i]), sameInstance(rollouts[i]));
            for (int u = 0; u < 200; u++) {
                assertThat(
                        "flag " + ids[i] + " for user:" + u,
                        table.isOn(ids[i], "user:" + u),
                        is(rollouts[i].isOn("user:" + u)));
            }
        }
        for (int absent : new int[] {0, 11, 13, 24, 39, 42, 46, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertThat("flag " + absent + " is not in the table", table.rollout(absent), nullValue());
            assertThat("a flag the table does not hold is off", table.isOn(absent, "user:1"), is(false));
        }
    }

    @Example
    void raisingOneFlagKeepsItsUsersAndChangesNoOtherFlag() {
        RolloutTable before = table(new int[] {3, 5, 8, 13, 21}, 3, 5);
        RolloutTable after = before.withPercent(8, 30);
        assertThat(after.rollout(8).percent(), equalTo(30.0));
        for (int id : new int[] {3, 5, 13, 21}) {
            assertThat("flag " + id + " is unchanged", after.rollout(id), equalTo(before.rollout(id)));
        }
        int gained = 0;
        for (int u = 0; u < 5_000; u++) {
            String user = "user:" + u;
            if (before.isOn(8, user)) {
                assertThat(user + " had flag 8 at 5%: still on at 30%", after.isOn(8, user), is(true));
            } else if (after.isOn(8, user)) {
                gained++;
            }
        }
        assertThat(
                "raising flag 8 from 5% to 30% adds about a quarter of 5,000 users",
                gained > 1_000 && gained < 1_500, is(true));
    }

    @Example
    void malformedTablesAreRejected() {
        assertThat(
                "an empty table holds no flag", new RolloutTable(new int[0], new Rollout[0]).indexOf(7), equalTo(-1));
        Rollout a = new Rollout("a", 1);
        Rollout b = new Rollout("b", 1);
        Rollout c = new Rollout("c", 1);
        IllegalArgumentException twoDescents = assertThrows(
                IllegalArgumentException.class,
                () -> new RolloutTable(new int[] {5, 1, 3, 2}, new Rollout[] {a, b, c, new Rollout("d", 1)}));
        assertThat(twoDescents.getMessage(), containsString("index 3"));
        IllegalArgumentException wraps = assertThrows(
                IllegalArgumentException.class, () -> new RolloutTable(new int[] {5, 9, 6}, new Rollout[] {a, b, c}));
        assertThat(wraps.getMessage(), containsString("not smaller than the first"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RolloutTable(new int[] {4, 4}, new Rollout[] {a, b}),
                "duplicate ids");
        assertThrows(
                IllegalArgumentException.class,
                () -> new RolloutTable(new int[] {1, 2}, new Rollout[] {a}),
                "one rollout per id");
        assertThrows(
                IllegalArgumentException.class,
                () -> new RolloutTable(new int[] {1, 2}, new Rollout[] {a, a}),
                "two flags of one name reach the same users");
        assertThrows(NullPointerException.class, () -> new RolloutTable(new int[] {1}, new Rollout[] {null}));
        assertThrows(NullPointerException.class, () -> new RolloutTable(null, new Rollout[0]));
        RolloutTable ok = new RolloutTable(new int[] {9, 2}, new Rollout[] {a, b});
        assertThat(ok.indexOf(2), equalTo(1));
        assertThrows(IllegalArgumentException.class, () -> ok.withPercent(3, 50), "no flag 3");
        assertThrows(IllegalArgumentException.class, () -> ok.withPercent(9, 101), "percent 101");
    }

    @Provide
    Arbitrary<int[]> ids() {
        Arbitrary<Integer> values = Arbitraries.oneOf(
                Arbitraries.integers().between(-50, 50),
                Arbitraries.integers(),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE));
        return values.set()
                .ofMaxSize(40)
                .map((Set<Integer> s) ->
                        s.stream().mapToInt(Integer::intValue).sorted().toArray());
    }

    @Provide
    Arbitrary<List<Integer>> probes() {
        return Arbitraries.oneOf(
                        Arbitraries.integers().between(-60, 60),
                        Arbitraries.integers(),
                        Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE))
                .list()
                .ofMaxSize(20);
    }
}
