package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.bounds.RotatedSearch;
import dev.storagelab.lab.Graded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;

/**
 * Hidden tests of lab-02 T6, {@link RotatedSearch#search} (LeetCode 33): every rotation of random
 * arrays of distinct values, every element found at its index, every absent value answered -1.
 */
@Tag("hidden")
class RotatedSearchHiddenTest {

    @Property(tries = 250)
    @Graded(
            task = "T6",
            points = 3,
            concept = "rotated search misses an element in some rotation (picks the wrong sorted half)")
    void findsEveryElementInEveryRotation(@ForAll("distinctSorted") int[] sorted) {
        checkEveryRotation(sorted);
    }

    @Example
    @Graded(
            task = "T6",
            points = 2,
            concept = "rotated search mishandles empty, one- or two-element arrays, or the int extremes")
    void tinyArraysAndExtremeValues() {
        checkEveryRotation(new int[] {});
        checkEveryRotation(new int[] {5});
        checkEveryRotation(new int[] {Integer.MIN_VALUE});
        checkEveryRotation(new int[] {Integer.MAX_VALUE});
        checkEveryRotation(new int[] {1, 2});
        checkEveryRotation(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE});
        checkEveryRotation(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE});
        checkEveryRotation(
                new int[] {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE});
    }

    /** Searches every rotation of {@code sorted} for each element and for values around them. */
    private static void checkEveryRotation(int[] sorted) {
        Set<Integer> present = new HashSet<>();
        for (int v : sorted) {
            present.add(v);
        }
        int n = sorted.length;
        for (int shift = 0; shift < Math.max(1, n); shift++) {
            int[] rotated = new int[n];
            for (int i = 0; i < n; i++) {
                rotated[i] = sorted[(i + shift) % n];
            }
            String where = Arrays.toString(rotated) + " (the sorted array rotated left by " + shift + ")";
            for (int i = 0; i < n; i++) {
                assertThat(
                        "searching " + where + " for " + rotated[i] + ", which is at index " + i,
                        RotatedSearch.search(rotated, rotated[i]),
                        equalTo(i));
            }
            for (long candidate : absentProbes(sorted)) {
                int probe = (int) candidate;
                if (candidate == probe && !present.contains(probe)) {
                    assertThat(
                            "searching " + where + " for " + probe + ", which it does not hold",
                            RotatedSearch.search(rotated, probe),
                            equalTo(-1));
                }
            }
        }
    }

    /** Values next to every element, below the smallest and above the largest, and the extremes. */
    private static List<Long> absentProbes(int[] sorted) {
        List<Long> probes = new ArrayList<>(List.of((long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE, 0L));
        for (int v : sorted) {
            probes.add(v - 1L);
            probes.add(v + 1L);
        }
        return probes;
    }

    @Provide
    Arbitrary<int[]> distinctSorted() {
        Arbitrary<Integer> values = Arbitraries.oneOf(
                Arbitraries.integers().between(-100, 100),
                Arbitraries.integers(),
                Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE));
        return values.set()
                .ofMaxSize(30)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(s -> s.stream().mapToInt(Integer::intValue).sorted().toArray());
    }
}
