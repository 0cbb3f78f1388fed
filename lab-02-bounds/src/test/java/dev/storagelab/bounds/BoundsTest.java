package dev.storagelab.bounds;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.collect.Lists;
import dev.storagelab.kv.Bytes;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.RandomAccess;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-02 T1: {@link Bounds#lowerBound}, {@link Bounds#upperBound} (on {@code int[]} and
 * on lists) and {@link Bounds#equalRange}.
 *
 * <p>The oracle is brute force: a linear scan for the first element {@code >= key} (or
 * {@code > key}) is obviously right, and with arrays full of duplicates it checks exactly what
 * {@code Arrays.binarySearch} cannot: the <em>first</em> position, not any position.
 */
class BoundsTest {

    private static final String LOWER =
            " (lowerBound: the first index i with a[i] >= key, or a.length if there is none)";
    private static final String UPPER =
            " (upperBound: the first index i with a[i] > key, or a.length if there is none)";

    private static int bruteLower(int[] a, int key) {
        int i = 0;
        while (i < a.length && a[i] < key) {
            i++;
        }
        return i;
    }

    private static int bruteUpper(int[] a, int key) {
        int i = 0;
        while (i < a.length && a[i] <= key) {
            i++;
        }
        return i;
    }

    private static int[] bruteEqualRange(int[] a, int key) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == key) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        return new int[] {first, last};
    }

    /** Sorted arrays of small values, so most values repeat: runs of duplicates everywhere. */
    private static int[] randomSortedWithDuplicates(Random random) {
        return random.ints(random.nextInt(40), -10, 10).sorted().toArray();
    }

    @Test
    void emptyArrayHasBothBoundsAtZeroAndNoRange() {
        int[] empty = new int[0];
        assertThat(
                "lowerBound of an empty array: no element is >= 7, so the answer is a.length = 0" + LOWER,
                Bounds.lowerBound(empty, 7),
                is(0));
        assertThat(
                "upperBound of an empty array: no element is > 7, so the answer is a.length = 0" + UPPER,
                Bounds.upperBound(empty, 7),
                is(0));
        assertThat(
                "equalRange of an empty array: the key is absent, so {-1, -1}",
                Bounds.equalRange(empty, 7),
                equalTo(new int[] {-1, -1}));
    }

    @Test
    void boundsOfARunOfDuplicatesAreItsFirstIndexAndOnePastItsLast() {
        int[] a = {1, 3, 3, 3, 3, 5, 5, 9};
        assertThat(
                "lowerBound(" + Arrays.toString(a) + ", 3) is where the run of 3s starts" + LOWER,
                Bounds.lowerBound(a, 3),
                is(1));
        assertThat(
                "upperBound(" + Arrays.toString(a) + ", 3) is one past the run of 3s" + UPPER,
                Bounds.upperBound(a, 3),
                is(5));
        assertThat(
                "equalRange(" + Arrays.toString(a) + ", 3) is {first, last} index of 3",
                Bounds.equalRange(a, 3),
                equalTo(new int[] {1, 4}));
        assertThat(
                "a key between elements: both bounds are its insertion point" + LOWER, Bounds.lowerBound(a, 4), is(5));
        assertThat(
                "a key between elements: both bounds are its insertion point" + UPPER, Bounds.upperBound(a, 4), is(5));
    }

    @Test
    void targetsBelowAndAboveEveryElement() {
        int[] a = {2, 2, 4, 4, 6};
        assertThat(
                "a key below every element: lowerBound is 0" + LOWER, Bounds.lowerBound(a, Integer.MIN_VALUE), is(0));
        assertThat("a key below every element: upperBound is 0" + UPPER, Bounds.upperBound(a, 1), is(0));
        assertThat(
                "a key above every element: lowerBound is a.length (past the end is a valid answer)" + LOWER,
                Bounds.lowerBound(a, 7),
                is(a.length));
        assertThat(
                "a key above every element: upperBound is a.length" + UPPER,
                Bounds.upperBound(a, Integer.MAX_VALUE),
                is(a.length));
        assertThat("the largest element's upperBound is a.length" + UPPER, Bounds.upperBound(a, 6), is(a.length));
        assertThat("absent keys below and above: equalRange is {-1, -1}", Bounds.equalRange(a, 7), equalTo(new int[] {
            -1, -1
        }));
    }

    @Test
    void anArrayOfOneValueIsOneRun() {
        for (int n = 1; n <= 64; n++) {
            int[] a = new int[n];
            Arrays.fill(a, 5);
            assertThat(
                    "equalRange over " + n + " copies of 5 must be {0, " + (n - 1) + "}: find the ends with two"
                            + " bound searches, not by walking outwards from a match",
                    Bounds.equalRange(a, 5),
                    equalTo(new int[] {0, n - 1}));
            assertThat("lowerBound(" + n + " copies of 5, 5)" + LOWER, Bounds.lowerBound(a, 5), is(0));
            assertThat("upperBound(" + n + " copies of 5, 5)" + UPPER, Bounds.upperBound(a, 5), is(n));
        }
    }

    @Test
    void intBoundsMatchBruteForceOnArraysFullOfDuplicates() {
        Random random = new Random(2);
        for (int round = 0; round < 3_000; round++) {
            int[] a = randomSortedWithDuplicates(random);
            for (int key = -12; key <= 12; key++) {
                String where = "(" + Arrays.toString(a) + ", " + key + ")";
                assertThat("lowerBound" + where + LOWER, Bounds.lowerBound(a, key), is(bruteLower(a, key)));
                assertThat("upperBound" + where + UPPER, Bounds.upperBound(a, key), is(bruteUpper(a, key)));
                assertThat(
                        "equalRange" + where + ": {first, last} index of the key, or {-1, -1}",
                        Bounds.equalRange(a, key),
                        equalTo(bruteEqualRange(a, key)));
            }
        }
    }

    @Test
    void listBoundsMatchBruteForceUnderTheGivenOrder() {
        Random random = new Random(3);
        Comparator<Integer> descending = Comparator.reverseOrder();
        for (int round = 0; round < 1_000; round++) {
            int[] ascending = randomSortedWithDuplicates(random);
            List<Integer> up = Arrays.stream(ascending).boxed().toList();
            List<Integer> down = Lists.reverse(up);
            for (int key = -12; key <= 12; key++) {
                String where = "(" + up + ", " + key + ", naturalOrder)";
                assertThat(
                        "lowerBound" + where + LOWER,
                        Bounds.lowerBound(up, key, Comparator.naturalOrder()),
                        is(bruteLower(ascending, key)));
                assertThat(
                        "upperBound" + where + UPPER,
                        Bounds.upperBound(up, key, Comparator.naturalOrder()),
                        is(bruteUpper(ascending, key)));
                // Under reverseOrder the list is sorted "ascending" too: the bounds must follow the comparator.
                int[] negated = down.stream().mapToInt(v -> -v).toArray();
                assertThat(
                        "lowerBound(" + down + ", " + key + ", reverseOrder): compare with the comparator, never"
                                + " with < on the elements" + LOWER,
                        Bounds.lowerBound(down, key, descending),
                        is(bruteLower(negated, -key)));
                assertThat(
                        "upperBound(" + down + ", " + key + ", reverseOrder)" + UPPER,
                        Bounds.upperBound(down, key, descending),
                        is(bruteUpper(negated, -key)));
            }
        }
    }

    @Test
    void upperBoundMinusOneIsTheSparseIndexFloor() {
        // A segment's sparse index: the first key of each block.
        List<Bytes> firstKeys = List.of(Bytes.of("apple"), Bytes.of("kiwi"), Bytes.of("pear"));
        Comparator<Bytes> order = Comparator.naturalOrder();
        String[][] cases = {
            {"aardvark", "-1"},
            {"apple", "0"},
            {"banana", "0"},
            {"kiwi", "1"},
            {"lemon", "1"},
            {"pear", "2"},
            {"zebra", "2"}
        };
        for (String[] c : cases) {
            assertThat(
                    "the block that can hold \"" + c[0] + "\" is the last one whose first key is <= it:"
                            + " upperBound(firstKeys, key) - 1, and -1 if the key sorts before every block; firstKeys = "
                            + firstKeys,
                    Bounds.upperBound(firstKeys, Bytes.of(c[0]), order) - 1,
                    is(Integer.parseInt(c[1])));
        }
    }

    /** A list of 0, 1, ..., size - 1 that occupies no memory, so a search can run near Integer.MAX_VALUE. */
    private static final class Naturals extends AbstractList<Integer> implements RandomAccess {
        private final int size;

        Naturals(int size) {
            this.size = size;
        }

        @Override
        public Integer get(int index) {
            if (index < -1) {
                throw new IndexOutOfBoundsException("index " + index + " of " + size
                        + ": (lo + hi) / 2 overflowed (lo + hi > Integer.MAX_VALUE); use (lo + hi) >>> 1");
            }
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException("index " + index + " of " + size
                        + ": the search reads one past an end (a bound's range is [lo, hi) with hi = size, and"
                        + " an element is read only while lo < hi)");
            }
            return index;
        }

        @Override
        public int size() {
            return size;
        }
    }

    @Test
    void midpointsDoNotOverflowOnHugeLists() {
        List<Integer> huge = new Naturals(Integer.MAX_VALUE);
        for (int key : new int[] {0, 1, 1 << 30, Integer.MAX_VALUE - 2, Integer.MAX_VALUE - 1}) {
            assertThat(
                    "lowerBound(0..MAX_VALUE-1, " + key + ") is " + key + "; lo + hi exceeds Integer.MAX_VALUE"
                            + " when the key is in the upper half",
                    Bounds.lowerBound(huge, key, Comparator.naturalOrder()),
                    is(key));
            assertThat(
                    "upperBound(0..MAX_VALUE-1, " + key + ") is " + (key + 1L),
                    (long) Bounds.upperBound(huge, key, Comparator.naturalOrder()),
                    is(key + 1L));
        }
    }

    @Test
    void boundsAgreeWithEachOtherAcrossEveryPosition() {
        int[] a = IntStream.range(0, 50).map(i -> i / 3).toArray(); // 0,0,0,1,1,1,...
        for (int k = -1; k <= 17; k++) {
            int key = k;
            int lower = Bounds.lowerBound(a, key);
            int upper = Bounds.upperBound(a, key);
            assertThat(
                    "the run of " + key + " in " + Arrays.toString(a) + " is [lowerBound, upperBound), so its"
                            + " length must equal the number of copies",
                    upper - lower,
                    is((int) Arrays.stream(a).filter(v -> v == key).count()));
        }
    }
}
