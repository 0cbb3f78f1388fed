package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.BinarySearch;
import dev.storagelab.testkit.VirtualList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Hidden tests of lab-01 T1, {@link BinarySearch#indexOf}. The JDK's own binary searches are the
 * oracle: same contract, so for a key that is present any matching index will do, and for an
 * absent key the result must be exactly {@code -(insertionPoint) - 1}.
 */
@Tag("hidden")
class BinarySearchHiddenTest {

    @Property(tries = 300)
    @Graded(
            task = "T1",
            points = 3,
            concept = "binary search over int[] breaks the Arrays.binarySearch contract "
                    + "(missed key or wrong insertion point)")
    void intSearchFollowsTheArraysBinarySearchContract(@ForAll("sortedIntsAndKey") Tuple2<int[], Integer> input) {
        checkAgainstOracle(input.get1(), input.get2());
    }

    @Property(tries = 200)
    @Graded(
            task = "T1",
            points = 2,
            concept = "binary search breaks on extreme values (comparison by subtraction overflows)")
    void intSearchHandlesIntegerExtremes(@ForAll("extremeIntsAndKey") Tuple2<int[], Integer> input) {
        checkAgainstOracle(input.get1(), input.get2());
    }

    @Example
    @Graded(task = "T1", points = 1, concept = "binary search mishandles an empty or one-element array")
    void emptyAndSingletonArrays() {
        assertThat(
                "an empty array holds nothing: the insertion point is 0, so the answer is -1",
                BinarySearch.indexOf(new int[0], 5),
                equalTo(-1));
        for (int key : new int[] {Integer.MIN_VALUE, 6, 7, 8, Integer.MAX_VALUE}) {
            checkAgainstOracle(new int[] {7}, key);
        }
    }

    @Property(tries = 300)
    @Graded(
            task = "T1",
            points = 3,
            concept =
                    "binary search over a list ignores the comparator (signed byte order, " + "wrong insertion point)")
    void listSearchFollowsTheComparator(@ForAll("sortedKeysAndProbe") Tuple2<List<Bytes>, Bytes> input) {
        List<Bytes> keys = input.get1();
        Bytes probe = input.get2();
        int expected = Collections.binarySearch(keys, probe, Comparator.naturalOrder());
        int actual = BinarySearch.indexOf(keys, probe, Comparator.naturalOrder());
        assertThat(
                "searching " + keys + " (unsigned byte order) for " + probe
                        + " must give what Collections.binarySearch gives",
                actual,
                equalTo(expected));

        // The same keys in descending order, searched with the reversed comparator: the
        // comparator, not the elements' natural order, decides.
        List<Bytes> descending = new ArrayList<>(keys);
        Collections.reverse(descending);
        Comparator<Bytes> reversed = Comparator.reverseOrder();
        assertThat(
                "searching " + descending + " (descending, reversed comparator) for " + probe
                        + " must give what Collections.binarySearch gives",
                BinarySearch.indexOf(descending, probe, reversed),
                equalTo(Collections.binarySearch(descending, probe, reversed)));
    }

    @Example
    @Graded(task = "T1", points = 3, concept = "binary search midpoint overflows on a huge list ((lo + hi) / 2)")
    void midpointDoesNotOverflowOnAHugeList() {
        int size = Integer.MAX_VALUE - 1;
        List<Long> evens = new VirtualList(size, i -> 2L * i);
        long last = 2L * (size - 1);
        long[] probes = {last, last - 1, last + 1, last - 2, 2L * (size / 2) + 1, 0, -1, 2L * (size - 3) + 1};
        for (long probe : probes) {
            int expected = Collections.binarySearch(evens, probe);
            int actual;
            try {
                actual = BinarySearch.indexOf(evens, probe, Comparator.naturalOrder());
            } catch (IndexOutOfBoundsException e) {
                throw new AssertionError(
                        "searching a list of " + size + " elements for " + probe
                                + " read index " + e.getMessage() + ": the midpoint overflowed. (lo + hi) / 2 wraps "
                                + "negative once lo + hi exceeds Integer.MAX_VALUE; use (lo + hi) >>> 1 or lo + (hi - lo) / 2",
                        e);
            }
            assertThat("searching the even numbers 0.." + last + " for " + probe, actual, equalTo(expected));
        }
    }

    @Example
    @Graded(task = "T1", points = 2, concept = "search is linear, not logarithmic (too many comparisons)")
    void searchTakesLogarithmicallyManyComparisons() {
        int size = 1 << 20;
        AtomicLong comparisons = new AtomicLong();
        List<Long> evens = new VirtualList(size, i -> 2L * i);
        Comparator<Long> counting = (a, b) -> {
            comparisons.incrementAndGet();
            return Long.compare(a, b);
        };
        // Two comparisons per halving step allow for a three-way test written as two calls.
        long bound = 2L * (Integer.numberOfTrailingZeros(size) + 1) + 2;
        for (long probe : new long[] {0, 1, 2L * size - 2, 2L * size - 1, size, size + 1L, 12345, -7}) {
            comparisons.set(0);
            int found = BinarySearch.indexOf(evens, probe, counting);
            assertThat(
                    "searching " + size + " sorted elements for " + probe + " must halve the range each step",
                    comparisons.get(),
                    lessThanOrEqualTo(bound));
            // few comparisons count only for the right answer: a search that returns at once makes none
            boolean present = probe >= 0 && probe % 2 == 0 && probe <= 2L * size - 2;
            int expected = present ? (int) (probe / 2) : -(int) Math.max(0, Math.min(size, (probe + 1) / 2)) - 1;
            assertThat("searching " + size + " sorted elements for " + probe, found, equalTo(expected));
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static void checkAgainstOracle(int[] sorted, int key) {
        int expected = Arrays.binarySearch(sorted, key);
        int actual = BinarySearch.indexOf(sorted, key);
        String where = "searching " + Arrays.toString(sorted) + " for " + key;
        if (expected >= 0) {
            assertThat(
                    where + ": the key is present, so the result must be an index holding it",
                    actual,
                    greaterThanOrEqualTo(0));
            assertThat(where + ": the returned index must hold the key", sorted[actual], equalTo(key));
        } else {
            assertThat(
                    where + ": the key is absent, so the result must be -(insertion point) - 1",
                    actual,
                    equalTo(expected));
        }
    }

    @Provide
    Arbitrary<Tuple2<int[], Integer>> sortedIntsAndKey() {
        Arbitrary<int[]> arrays =
                Arbitraries.integers().between(-40, 40).list().ofMaxSize(40).map(BinarySearchHiddenTest::sortedArray);
        return withKey(arrays, Arbitraries.integers().between(-45, 45));
    }

    @Provide
    Arbitrary<Tuple2<int[], Integer>> extremeIntsAndKey() {
        Arbitrary<Integer> extreme = Arbitraries.oneOf(
                Arbitraries.of(
                        Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE),
                Arbitraries.integers());
        return withKey(extreme.list().ofMaxSize(20).map(BinarySearchHiddenTest::sortedArray), extreme);
    }

    /** A key that is either drawn from the array or from {@code others}, so both hits and misses occur. */
    private static Arbitrary<Tuple2<int[], Integer>> withKey(Arbitrary<int[]> arrays, Arbitrary<Integer> others) {
        return Combinators.combine(
                        arrays, others, Arbitraries.integers().between(0, 1 << 20), Arbitraries.of(true, false))
                .as((a, other, pick, fromArray) -> Tuple.of(a, fromArray && a.length > 0 ? a[pick % a.length] : other));
    }

    private static int[] sortedArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    @Provide
    Arbitrary<Tuple2<List<Bytes>, Bytes>> sortedKeysAndProbe() {
        // Short keys over a small alphabet rich in the bytes signed order gets wrong.
        Arbitrary<Bytes> keys = Arbitraries.of(
                        (byte) 0x00, (byte) 0x01, (byte) 0x7f, (byte) 0x80, (byte) 0xfe, (byte) 0xff)
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(3)
                .map(Bytes::copyOf);
        Arbitrary<List<Bytes>> sortedKeys =
                keys.set().ofMaxSize(40).map(s -> s.stream().sorted().toList());
        return Combinators.combine(
                        sortedKeys, keys, Arbitraries.integers().between(0, 1 << 20), Arbitraries.of(true, false))
                .as((list, other, pick, fromList) ->
                        Tuple.of(list, fromList && !list.isEmpty() ? list.get(pick % list.size()) : other));
    }
}
