package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-02 T6: {@link RotatedSearch#search}, binary search in a rotated sorted array of
 * distinct values (LeetCode 33).
 *
 * <p>The oracle: rotating {@code sorted} left by {@code r} puts {@code sorted[j]} at index
 * {@code (j - r) mod n}, so {@code Arrays.binarySearch(sorted, target)} tells where the target
 * must be in the rotated array, or that it is absent.
 */
class RotatedSearchTest {

    private static int[] rotate(int[] sorted, int r) {
        int n = sorted.length;
        return IntStream.range(0, n).map(i -> sorted[(i + r) % n]).toArray();
    }

    private static int oracle(int[] sorted, int r, int target) {
        int j = Arrays.binarySearch(sorted, target);
        return j < 0 ? -1 : Math.floorMod(j - r, sorted.length);
    }

    private static String why(int[] rotated, int target) {
        return "search(" + Arrays.toString(rotated) + ", " + target + ")"
                + " (the index of the target, or -1; one of the two halves around mid is always sorted)";
    }

    @Test
    void emptyAndSingleElementArrays() {
        assertThat(why(new int[0], 5), RotatedSearch.search(new int[0], 5), is(-1));
        assertThat(why(new int[] {5}, 5), RotatedSearch.search(new int[] {5}, 5), is(0));
        assertThat(why(new int[] {5}, 4), RotatedSearch.search(new int[] {5}, 4), is(-1));
        assertThat(why(new int[] {5}, 6), RotatedSearch.search(new int[] {5}, 6), is(-1));
    }

    @Test
    void everyRotationOfEveryLengthFindsEveryElementAndNothingElse() {
        for (int n = 1; n <= 40; n++) {
            int[] sorted = IntStream.range(0, n).map(i -> 10 * i).toArray();
            for (int r = 0; r < n; r++) {
                int[] rotated = rotate(sorted, r);
                for (int target = -15; target <= 10 * n + 5; target += 5) { // present (x0) and absent (x5) targets
                    assertThat(
                            why(rotated, target) + ", rotated by " + r,
                            RotatedSearch.search(rotated, target),
                            is(oracle(sorted, r, target)));
                }
            }
        }
    }

    @Test
    void extremeValuesDoNotOverflowComparisons() {
        // The same search over small values in the same order tells an overflowing comparison
        // ("a - b") from any other bug.
        int[] sorted = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
        int[] small = {-40, -10, 0, 10, 40};
        int[] targets = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, 2, Integer.MAX_VALUE};
        int[] smallTargets = {-40, -39, -10, 0, 10, 11, 40};
        for (int r = 0; r < sorted.length; r++) {
            int[] rotated = rotate(sorted, r);
            int[] smallRotated = rotate(small, r);
            for (int k = 0; k < targets.length; k++) {
                boolean smallOk =
                        RotatedSearch.search(smallRotated, smallTargets[k]) == oracle(small, r, smallTargets[k]);
                assertThat(
                        why(rotated, targets[k])
                                + (smallOk
                                        ? ": the same search over small values in the same order is right, so a"
                                                + " comparison overflows: compare values with < and <=, never by"
                                                + " subtracting them"
                                        : ": wrong over small values too (" + why(smallRotated, smallTargets[k])
                                                + "), so this is not an overflow: the other tests say what is wrong"),
                        RotatedSearch.search(rotated, targets[k]),
                        is(oracle(sorted, r, targets[k])));
            }
        }
    }

    @Test
    void matchesTheOracleOnRandomArrays() {
        Random random = new Random(11);
        for (int round = 0; round < 2_000; round++) {
            int[] sorted = random.ints(1 + random.nextInt(100), -1_000, 1_000)
                    .distinct()
                    .sorted()
                    .toArray();
            int r = random.nextInt(sorted.length);
            int[] rotated = rotate(sorted, r);
            for (int probe = 0; probe < 10; probe++) {
                int target =
                        random.nextBoolean() ? sorted[random.nextInt(sorted.length)] : random.nextInt(2_100) - 1_050;
                assertThat(why(rotated, target), RotatedSearch.search(rotated, target), is(oracle(sorted, r, target)));
            }
        }
    }
}
