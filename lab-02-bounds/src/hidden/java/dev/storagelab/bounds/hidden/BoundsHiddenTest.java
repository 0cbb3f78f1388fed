package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.bounds.Bounds;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.VirtualList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Hidden tests of lab-02 T1, {@link Bounds}: lowerBound, upperBound and equalRange against a
 * brute-force oracle that reads the definitions literally (the first index whose element is
 * {@code >= key}, {@code > key}; the first and last index holding the key), on arrays full of
 * duplicates, empty arrays and the int extremes, and on a list near Integer.MAX_VALUE elements.
 */
@Tag("hidden")
class BoundsHiddenTest {

    @Property(tries = 400)
    @Graded(
            task = "T1",
            points = 3,
            concept = "lowerBound/upperBound land inside a run of duplicates instead of at its first "
                    + "element or just past its last")
    void intBoundsMatchBruteForceOnArraysFullOfDuplicates(
            @ForAll("duplicateHeavyArrayAndKey") Tuple2<int[], Integer> input) {
        checkIntBounds(input.get1(), input.get2());
    }

    @Property(tries = 400)
    @Graded(
            task = "T1",
            points = 3,
            concept = "equalRange returns the wrong first or last index of a key (LeetCode 34), or not "
                    + "{-1, -1} for an absent key")
    void equalRangeMatchesBruteForce(@ForAll("duplicateHeavyArrayAndKey") Tuple2<int[], Integer> input) {
        checkEqualRange(input.get1(), input.get2());
    }

    @Example
    @Graded(
            task = "T1",
            points = 1,
            concept = "bounds mishandle an empty array or an array whose elements are all equal")
    void emptyAndAllEqualArrays() {
        int[] empty = {};
        for (int key : new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}) {
            assertThat(
                    "lowerBound of " + key + " in an empty array: nothing is >= it, so a.length = 0",
                    Bounds.lowerBound(empty, key),
                    equalTo(0));
            assertThat(
                    "upperBound of " + key + " in an empty array: nothing is > it, so a.length = 0",
                    Bounds.upperBound(empty, key),
                    equalTo(0));
            assertThat(
                    "equalRange of " + key + " in an empty array: the key is absent",
                    Bounds.equalRange(empty, key),
                    equalTo(new int[] {-1, -1}));
            assertThat(
                    "lowerBound of " + key + " in an empty list",
                    Bounds.lowerBound(List.<Integer>of(), key, Comparator.naturalOrder()),
                    equalTo(0));
            assertThat(
                    "upperBound of " + key + " in an empty list",
                    Bounds.upperBound(List.<Integer>of(), key, Comparator.naturalOrder()),
                    equalTo(0));
        }
        for (int n : new int[] {1, 2, 3, 64, 1000}) {
            int[] same = new int[n];
            Arrays.fill(same, 42);
            for (int key : new int[] {41, 42, 43}) {
                checkIntBounds(same, key);
                checkEqualRange(same, key);
            }
        }
    }

    @Property(tries = 300)
    @Graded(
            task = "T1",
            points = 2,
            concept = "bounds break on Integer.MIN_VALUE or MAX_VALUE (comparison by subtraction, or "
                    + "upperBound computed as lowerBound(key + 1))")
    void boundsHandleIntegerExtremes(@ForAll("extremeArrayAndKey") Tuple2<int[], Integer> input) {
        checkIntBounds(input.get1(), input.get2());
        checkEqualRange(input.get1(), input.get2());
    }

    @Property(tries = 300)
    @Graded(
            task = "T1",
            points = 2,
            concept = "list bounds ignore the comparator (natural or signed byte order used instead)")
    void listBoundsFollowTheComparator(@ForAll("sortedKeysWithDuplicatesAndProbe") Tuple2<List<Bytes>, Bytes> input) {
        checkListBounds(input.get1(), input.get2(), Comparator.naturalOrder(), "unsigned byte order");
        List<Bytes> descending =
                input.get1().stream().sorted(Comparator.reverseOrder()).toList();
        checkListBounds(descending, input.get2(), Comparator.reverseOrder(), "descending order, reversed comparator");
    }

    @Example
    @Graded(
            task = "T1",
            points = 3,
            concept = "bounds midpoint overflows on a list near Integer.MAX_VALUE elements ((lo + hi) / 2)")
    void listBoundsDoNotOverflowNearIntegerMaxValue() {
        // Runs of four equal elements: 0,0,0,0,1,1,1,1,... over Integer.MAX_VALUE - 1 elements.
        int size = Integer.MAX_VALUE - 1;
        List<Long> runs = new VirtualList(size, i -> i / 4);
        long last = runs.get(size - 1);
        long[] probes = {last, last + 1, last - 1, last / 2 + 1, (3 * last) / 4, 0, -1, 1};
        for (long probe : probes) {
            int lower;
            int upper;
            try {
                lower = Bounds.lowerBound(runs, probe, Comparator.naturalOrder());
                upper = Bounds.upperBound(runs, probe, Comparator.naturalOrder());
            } catch (IndexOutOfBoundsException e) {
                throw new AssertionError(
                        "bounds of " + probe + " in a list of " + size + " elements read index "
                                + e.getMessage()
                                + ": the midpoint overflowed. (lo + hi) / 2 wraps negative once lo + hi "
                                + "exceeds Integer.MAX_VALUE; use (lo + hi) >>> 1 or lo + (hi - lo) / 2",
                        e);
            }
            checkBoundDefinition(runs, probe, lower, false, "lowerBound");
            checkBoundDefinition(runs, probe, upper, true, "upperBound");
        }
    }

    @Example
    @Graded(
            task = "T1",
            points = 2,
            concept =
                    "bounds walk linearly through a run of duplicates instead of halving the range " + "(not O(log n))")
    void boundsTakeLogarithmicallyManyComparisonsOnDuplicates() {
        int size = 1 << 20;
        AtomicLong comparisons = new AtomicLong();
        Comparator<Long> counting = (a, b) -> {
            comparisons.incrementAndGet();
            return Long.compare(a, b);
        };
        // Two comparisons per halving step allow for a three-way test written as two calls.
        long bound = 2L * (Integer.numberOfTrailingZeros(size) + 1) + 2;
        List<List<Long>> lists = List.of(
                new VirtualList(size, i -> 7),
                new VirtualList(size, i -> i < size / 3 ? 6 : 7),
                new VirtualList(size, i -> i / 1000));
        for (List<Long> list : lists) {
            for (long probe : new long[] {6, 7, 8, 500, list.get(size / 2)}) {
                comparisons.set(0);
                int lower = Bounds.lowerBound(list, probe, counting);
                assertThat(
                        "lowerBound of " + probe + " among " + size + " sorted elements with long runs of duplicates "
                                + "must halve the range each step",
                        comparisons.get(),
                        lessThanOrEqualTo(bound));
                comparisons.set(0);
                int upper = Bounds.upperBound(list, probe, counting);
                assertThat(
                        "upperBound of " + probe + " among " + size + " sorted elements with long runs of duplicates "
                                + "must halve the range each step",
                        comparisons.get(),
                        lessThanOrEqualTo(bound));
                checkBoundDefinition(list, probe, lower, false, "lowerBound");
                checkBoundDefinition(list, probe, upper, true, "upperBound");
            }
        }
    }

    // ---------------------------------------------------------------------------------- oracles

    /** The first index whose element is >= key (or > key when {@code strict}), by a linear scan. */
    private static int bruteForceBound(int[] a, int key, boolean strict) {
        return IntStream.range(0, a.length)
                .filter(i -> strict ? a[i] > key : a[i] >= key)
                .findFirst()
                .orElse(a.length);
    }

    private static void checkIntBounds(int[] a, int key) {
        String in = " of " + key + " in " + Arrays.toString(a);
        assertThat(
                "lowerBound" + in + " must be the first index whose element is >= the key (a.length if none)",
                Bounds.lowerBound(a, key),
                equalTo(bruteForceBound(a, key, false)));
        assertThat(
                "upperBound" + in + " must be the first index whose element is > the key (a.length if none)",
                Bounds.upperBound(a, key),
                equalTo(bruteForceBound(a, key, true)));
        List<Integer> boxed = Arrays.stream(a).boxed().toList();
        assertThat(
                "lowerBound" + in + " (as a List with natural order) must agree with the int[] definition",
                Bounds.lowerBound(boxed, key, Comparator.naturalOrder()),
                equalTo(bruteForceBound(a, key, false)));
        assertThat(
                "upperBound" + in + " (as a List with natural order) must agree with the int[] definition",
                Bounds.upperBound(boxed, key, Comparator.naturalOrder()),
                equalTo(bruteForceBound(a, key, true)));
    }

    private static void checkEqualRange(int[] a, int key) {
        int first = IntStream.range(0, a.length)
                .filter(i -> a[i] == key)
                .findFirst()
                .orElse(-1);
        int last = IntStream.range(0, a.length)
                .map(i -> a.length - 1 - i)
                .filter(i -> a[i] == key)
                .findFirst()
                .orElse(-1);
        assertThat(
                "equalRange of " + key + " in " + Arrays.toString(a) + " must be {first index, last index} of the "
                        + "key, or {-1, -1} when it is absent",
                Bounds.equalRange(a, key),
                equalTo(new int[] {first, last}));
    }

    private static <T> void checkListBounds(List<T> list, T key, Comparator<T> order, String orderName) {
        int lower = IntStream.range(0, list.size())
                .filter(i -> order.compare(list.get(i), key) >= 0)
                .findFirst()
                .orElse(list.size());
        int upper = IntStream.range(0, list.size())
                .filter(i -> order.compare(list.get(i), key) > 0)
                .findFirst()
                .orElse(list.size());
        String in = " of " + key + " in " + list + " (" + orderName + ")";
        assertThat(
                "lowerBound" + in + " must be the first index not before the key under the comparator",
                Bounds.lowerBound(list, key, order),
                equalTo(lower));
        assertThat(
                "upperBound" + in + " must be the first index after the key under the comparator",
                Bounds.upperBound(list, key, order),
                equalTo(upper));
    }

    /**
     * Checks {@code index} against the definition without scanning: every element before it is
     * below the key (at most the key, for upperBound), and the element at it is not.
     */
    private static void checkBoundDefinition(List<Long> list, long key, int index, boolean upper, String what) {
        String where = what + " of " + key + " in a sorted list of " + list.size() + " elements returned " + index;
        assertThat(where + ", which is outside [0, size]", index >= 0 && index <= list.size(), equalTo(true));
        if (index > 0) {
            long before = list.get(index - 1);
            assertThat(
                    where + ": the element before it, " + before + ", must be " + (upper ? "<= " : "< ") + "the key",
                    upper ? before <= key : before < key,
                    equalTo(true));
        }
        if (index < list.size()) {
            long at = list.get(index);
            assertThat(
                    where + ": the element at it, " + at + ", must be " + (upper ? "> " : ">= ") + "the key",
                    upper ? at > key : at >= key,
                    equalTo(true));
        }
    }

    // ------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<Tuple2<int[], Integer>> duplicateHeavyArrayAndKey() {
        // Few distinct values, many elements: long runs of duplicates, and keys on, between and
        // beyond them.
        Arbitrary<int[]> arrays = Arbitraries.integers()
                .between(-4, 4)
                .list()
                .ofMaxSize(60)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(values ->
                        values.stream().mapToInt(Integer::intValue).sorted().toArray());
        return Combinators.combine(arrays, Arbitraries.integers().between(-6, 6))
                .as(Tuple::of);
    }

    @Provide
    Arbitrary<Tuple2<int[], Integer>> extremeArrayAndKey() {
        Arbitrary<Integer> extreme = Arbitraries.oneOf(
                Arbitraries.of(
                        Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE - 1, Integer.MAX_VALUE),
                Arbitraries.integers());
        Arbitrary<int[]> arrays = extreme.list()
                .ofMaxSize(24)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(values ->
                        values.stream().mapToInt(Integer::intValue).sorted().toArray());
        return Combinators.combine(arrays, extreme).as(Tuple::of);
    }

    @Provide
    Arbitrary<Tuple2<List<Bytes>, Bytes>> sortedKeysWithDuplicatesAndProbe() {
        Arbitrary<Bytes> keys = Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x7f, (byte) 0x80, (byte) 0xff)
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(2)
                .map(Bytes::copyOf);
        Arbitrary<List<Bytes>> sorted = keys.list()
                .ofMaxSize(40)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(list -> {
                    List<Bytes> copy = new ArrayList<>(list);
                    Collections.sort(copy);
                    return List.copyOf(copy);
                });
        return Combinators.combine(sorted, keys).as(Tuple::of);
    }
}
