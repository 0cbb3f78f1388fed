package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Comparator;
import java.util.List;

/**
 * Lower and upper bounds: binary search that answers "where does this key's run start, and where
 * does it end?" instead of "is it here?". Every seek in a storage engine is one of these: a range
 * scan starts at the lower bound of its first key, a sparse index is searched with an upper bound
 * ("the last block whose first key is ≤ the key" is {@code upperBound - 1}), and the run of
 * duplicates of a key is {@code [lowerBound, upperBound)}.
 *
 * <p>Unlike {@link dev.storagelab.sortedlog.BinarySearch#indexOf(int[], int)}, the answers are
 * exact even when the array holds duplicates: the first position, not any position.
 *
 * <p>All searches run in O(log n) and compute midpoints without overflow
 * ({@code (lo + hi) >>> 1}, never {@code (lo + hi) / 2}).
 */
public final class Bounds {

    private Bounds() {}

    /**
     * The first index {@code i} with {@code a[i] >= key}, or {@code a.length} if every element is
     * smaller: the position where {@code key} would be inserted before any equal elements.
     *
     * <p>Invariant to keep: everything left of {@code lo} is {@code < key}, everything from
     * {@code hi} on is {@code >= key}; the search range {@code [lo, hi)} shrinks until it is
     * empty, and then {@code lo} is the answer. Start with {@code hi = a.length} (not
     * {@code a.length - 1}): "past the end" is a valid answer.
     *
     * @param a sorted ascending, duplicates allowed
     * @throws NullPointerException if {@code a} is null
     */
    public static int lowerBound(int[] a, int key) {
        checkNotNull(a, "array must not be null");
        // BEGIN SOLUTION lab-02 T1
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
        // END SOLUTION
    }

    /**
     * The first index {@code i} with {@code a[i] > key}, or {@code a.length} if no element is
     * greater: the position just after the last element equal to {@code key}.
     *
     * <p>The same loop as {@link #lowerBound(int[], int)} with one comparison changed: everything
     * left of {@code lo} is {@code <= key}, everything from {@code hi} on is {@code > key}.
     *
     * @param a sorted ascending, duplicates allowed
     * @throws NullPointerException if {@code a} is null
     */
    public static int upperBound(int[] a, int key) {
        checkNotNull(a, "array must not be null");
        // BEGIN SOLUTION lab-02 T1
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
        // END SOLUTION
    }

    /**
     * The first index {@code i} with {@code order.compare(list.get(i), key) >= 0}, or
     * {@code list.size()}. Same invariant as {@link #lowerBound(int[], int)}.
     *
     * @param list  sorted ascending under {@code order}, duplicates allowed; it must support fast
     *              random access ({@link java.util.RandomAccess}), or the search is not O(log n)
     * @throws NullPointerException if an argument is null
     */
    public static <T> int lowerBound(List<? extends T> list, T key, Comparator<? super T> order) {
        checkNotNull(list, "list must not be null");
        checkNotNull(key, "key must not be null");
        checkNotNull(order, "order must not be null");
        // BEGIN SOLUTION lab-02 T1
        int lo = 0;
        int hi = list.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (order.compare(list.get(mid), key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
        // END SOLUTION
    }

    /**
     * The first index {@code i} with {@code order.compare(list.get(i), key) > 0}, or
     * {@code list.size()}. Same invariant as {@link #upperBound(int[], int)}.
     *
     * <p>A sparse index lookup is {@code upperBound(firstKeys, key, order) - 1}: the last block
     * whose first key is {@code <= key}, or -1 if the key sorts before the first block.
     *
     * @param list  sorted ascending under {@code order}, duplicates allowed; it must support fast
     *              random access ({@link java.util.RandomAccess}), or the search is not O(log n)
     * @throws NullPointerException if an argument is null
     */
    public static <T> int upperBound(List<? extends T> list, T key, Comparator<? super T> order) {
        checkNotNull(list, "list must not be null");
        checkNotNull(key, "key must not be null");
        checkNotNull(order, "order must not be null");
        // BEGIN SOLUTION lab-02 T1
        int lo = 0;
        int hi = list.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (order.compare(list.get(mid), key) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
        // END SOLUTION
    }

    /**
     * The first and last index of {@code key} in {@code a}, or {@code {-1, -1}} if it is absent
     * (LeetCode 34, "Find First and Last Position of Element in Sorted Array").
     *
     * <p>Two bound searches, O(log n) even when the whole array is {@code key}: scanning outwards
     * from any match would be O(n) on an array of duplicates. The key is present exactly when
     * the lower bound is inside the array and holds the key.
     *
     * @param a sorted ascending, duplicates allowed
     * @return a new two-element array {@code {first, last}}
     * @throws NullPointerException if {@code a} is null
     */
    public static int[] equalRange(int[] a, int key) {
        checkNotNull(a, "array must not be null");
        // BEGIN SOLUTION lab-02 T1
        int first = lowerBound(a, key);
        if (first == a.length || a[first] != key) {
            return new int[] {-1, -1};
        }
        return new int[] {first, upperBound(a, key) - 1};
        // END SOLUTION
    }
}
