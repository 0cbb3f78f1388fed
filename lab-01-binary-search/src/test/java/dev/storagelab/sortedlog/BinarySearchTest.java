package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.RandomAccess;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-01 T1: {@link BinarySearch#indexOf(int[], int)} and
 * {@link BinarySearch#indexOf(List, Object, Comparator)}.
 *
 * <p>The JDK's {@link Arrays#binarySearch(int[], int)} and {@link Collections#binarySearch(List, Object,
 * Comparator)} follow the same contract, so they are the oracle: wherever the answer is unique (the
 * key is absent, or present once) ours must equal theirs exactly.
 */
class BinarySearchTest {

    private static final String CONTRACT = " (contract: the index of the key if present, else"
            + " -(insertionPoint) - 1, where insertionPoint is the index of the first element greater than the key)";

    @Test
    void emptyArrayReportsInsertionPointZero() {
        assertThat(
                "searching an empty array: the key would be inserted at index 0, so the answer is -(0) - 1" + CONTRACT,
                BinarySearch.indexOf(new int[0], 42),
                is(-1));
    }

    @Test
    void singleElementArrayAnswersBelowEqualAndAbove() {
        int[] a = {10};
        assertThat("key 10 in [10] is at index 0" + CONTRACT, BinarySearch.indexOf(a, 10), is(0));
        assertThat("key 9 in [10] belongs before index 0, so -(0) - 1" + CONTRACT, BinarySearch.indexOf(a, 9), is(-1));
        assertThat("key 11 in [10] belongs at index 1, so -(1) - 1" + CONTRACT, BinarySearch.indexOf(a, 11), is(-2));
    }

    @Test
    void absentKeysBelowAboveAndBetweenReportTheirInsertionPoint() {
        int[] a = {10, 20, 30, 40, 50, 60, 70};
        for (int key : new int[] {Integer.MIN_VALUE, 0, 9, 11, 25, 39, 41, 69, 71, Integer.MAX_VALUE}) {
            assertThat(
                    "indexOf(" + Arrays.toString(a) + ", " + key + ") must equal Arrays.binarySearch" + CONTRACT,
                    BinarySearch.indexOf(a, key),
                    is(Arrays.binarySearch(a, key)));
        }
    }

    @Test
    void everyPresentKeyIsFoundAtItsIndex() {
        for (int length = 1; length <= 33; length++) {
            int[] a = IntStream.range(0, length).map(i -> 3 * i).toArray();
            for (int i = 0; i < length; i++) {
                assertThat(
                        "key " + a[i] + " sits at index " + i + " of " + Arrays.toString(a)
                                + "; lengths 1..33 cover odd and even halves",
                        BinarySearch.indexOf(a, a[i]),
                        is(i));
            }
        }
    }

    @Test
    void matchesArraysBinarySearchOnRandomDistinctArrays() {
        Random random = new Random(1);
        for (int round = 0; round < 2_000; round++) {
            int[] a = random.ints(random.nextInt(60), -100, 100)
                    .distinct()
                    .sorted()
                    .toArray();
            for (int probe = 0; probe < 10; probe++) {
                int key = random.nextInt(220) - 110;
                assertThat(
                        "indexOf(" + Arrays.toString(a) + ", " + key + "); with distinct elements the"
                                + " answer is unique, so it must equal Arrays.binarySearch" + CONTRACT,
                        BinarySearch.indexOf(a, key),
                        is(Arrays.binarySearch(a, key)));
            }
        }
    }

    @Test
    void extremeValuesCompareWithoutOverflow() {
        // Comparing with "a[mid] - key" overflows for values this far apart and flips the sign. The
        // same search over small values in the same order tells that bug from any other.
        int[] a = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
        int[] small = {-40, -10, 0, 10, 40};
        int[] keys = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -2, 0, 2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        int[] smallKeys = {-40, -39, -11, 0, 11, 39, 40};
        for (int k = 0; k < keys.length; k++) {
            int key = keys[k];
            boolean smallOk = BinarySearch.indexOf(small, smallKeys[k]) == Arrays.binarySearch(small, smallKeys[k]);
            assertThat(
                    "indexOf(" + Arrays.toString(a) + ", " + key + ")"
                            + (smallOk
                                    ? ": the same search over small values in the same order is right, so the"
                                            + " comparison overflows: compare with < and >, not by subtracting"
                                    : ": wrong over small values too (indexOf(" + Arrays.toString(small) + ", "
                                            + smallKeys[k] + ")), so this is not an overflow: the other tests of this"
                                            + " class say what is wrong")
                            + CONTRACT,
                    BinarySearch.indexOf(a, key),
                    is(Arrays.binarySearch(a, key)));
        }
    }

    @Test
    void duplicatesReturnAnyMatchingIndexAndAUniqueInsertionPointWhenAbsent() {
        Random random = new Random(2);
        for (int round = 0; round < 2_000; round++) {
            int[] a = random.ints(random.nextInt(40), 0, 8).sorted().toArray();
            int key = random.nextInt(10) - 1;
            int result = BinarySearch.indexOf(a, key);
            int oracle = Arrays.binarySearch(a, key);
            if (oracle >= 0) {
                assertThat(
                        "indexOf(" + Arrays.toString(a) + ", " + key + ") = " + result
                                + ": any index holding the key is accepted, but it must hold the key",
                        result >= 0 && result < a.length && a[result] == key,
                        is(true));
            } else {
                assertThat(
                        "indexOf(" + Arrays.toString(a) + ", " + key + "): the key is absent, so the"
                                + " insertion point is unique even with duplicates around it" + CONTRACT,
                        result,
                        is(oracle));
            }
        }
    }

    @Test
    void listSearchMatchesCollectionsBinarySearchOnRandomLists() {
        Random random = new Random(3);
        for (int round = 0; round < 2_000; round++) {
            List<Integer> list = new ArrayList<>();
            random.ints(random.nextInt(60), -100, 100).distinct().sorted().forEach(list::add);
            int key = random.nextInt(220) - 110;
            assertThat(
                    "indexOf(" + list + ", " + key + ", naturalOrder) must equal Collections.binarySearch" + CONTRACT,
                    BinarySearch.indexOf(list, key, Comparator.naturalOrder()),
                    is(Collections.binarySearch(list, key, Comparator.naturalOrder())));
        }
    }

    @Test
    void listSearchOrdersByTheGivenComparatorNotNaturalOrder() {
        Comparator<String> byLength = Comparator.comparingInt(String::length);
        List<String> byLengthList = List.of("a", "bb", "ccc", "dddd", "eeeee");
        Comparator<Integer> descending = Comparator.reverseOrder();
        List<Integer> descendingList = List.of(90, 70, 50, 30, 10);
        for (String key : List.of("z", "yy", "xxx", "", "wwwwww", "vvvv")) {
            assertThat(
                    "indexOf(" + byLengthList + ", \"" + key + "\", by length): the list is sorted by the"
                            + " comparator, so only the comparator may decide order" + CONTRACT,
                    BinarySearch.indexOf(byLengthList, key, byLength),
                    is(Collections.binarySearch(byLengthList, key, byLength)));
        }
        for (int key : new int[] {100, 90, 80, 50, 20, 10, 0}) {
            assertThat(
                    "indexOf(" + descendingList + ", " + key + ", reverseOrder): the insertion point is"
                            + " counted in the comparator's order" + CONTRACT,
                    BinarySearch.indexOf(descendingList, key, descending),
                    is(Collections.binarySearch(descendingList, key, descending)));
        }
    }

    @Test
    void listSearchOnTheEmptyListReportsInsertionPointZero() {
        assertThat(
                "searching an empty list: the answer is -(0) - 1" + CONTRACT,
                BinarySearch.indexOf(List.<Integer>of(), 7, Comparator.naturalOrder()),
                is(-1));
    }

    @Test
    void midpointDoesNotOverflowOnAListOfTwoBillionElements() {
        // Integer.MAX_VALUE elements, none of them stored: element i is i. Searching near the top
        // makes lo + hi exceed Integer.MAX_VALUE, so (lo + hi) / 2 goes negative.
        List<Integer> huge = new VirtualRange(Integer.MAX_VALUE);
        for (int key : new int[] {Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 2, 1_500_000_000, Integer.MAX_VALUE}) {
            int expected = Collections.binarySearch(huge, key, Comparator.naturalOrder());
            int actual = assertDoesNotThrow(
                    () -> BinarySearch.indexOf(huge, key, Comparator.naturalOrder()),
                    "searching a list of " + huge.size() + " elements for " + key + " touched an index outside"
                            + " the list");
            assertThat("indexOf(0..Integer.MAX_VALUE-1, " + key + ")" + CONTRACT, actual, equalTo(expected));
        }
    }

    /** The list 0, 1, ..., size - 1, computed on demand; get checks its index like a real list. */
    private static final class VirtualRange extends AbstractList<Integer> implements RandomAccess {
        private final int size;

        VirtualRange(int size) {
            this.size = size;
        }

        /** Element {@code index}; an index outside the list is refused, with the bug that leads there. */
        @Override
        public Integer get(int index) {
            if (index < -1) {
                throw new IndexOutOfBoundsException("index " + index + " of a list of " + size + ": (lo + hi) / 2"
                        + " overflowed (lo + hi > Integer.MAX_VALUE); use lo + (hi - lo) / 2 or (lo + hi) >>> 1");
            }
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("index " + index + " of a list of " + size + ": the search"
                        + " reads one past an end (hi starts at size - 1, and the loop runs while lo <= hi)");
            }
            return index;
        }

        @Override
        public int size() {
            return size;
        }
    }
}
