package dev.storagelab.sortedlog;

import java.util.Comparator;
import java.util.List;

/**
 * Binary search: the one idea under every sorted structure in this course. A segment's sparse
 * index, a B+tree node and an LSM level are all searched with it.
 *
 * <p>Both methods follow {@link java.util.Arrays#binarySearch(int[], int)}'s contract, so the JDK
 * is the test oracle: the index of the key if present, otherwise {@code -(insertionPoint) - 1},
 * where the insertion point is the index of the first element greater than the key. The result is
 * negative exactly when the key is absent, and {@code -result - 2} is then the index of the last
 * element smaller than the key: the "floor" a sparse index lookup needs (lab-01 T7).
 */
public final class BinarySearch {

    private BinarySearch() {}

    /**
     * Searches the sorted array {@code a} for {@code key} (LeetCode 704, extended to report the
     * insertion point).
     *
     * <p>Compute the midpoint without overflow: {@code (lo + hi) / 2} overflows once
     * {@code lo + hi > Integer.MAX_VALUE}, the bug that sat in the JDK for nine years.
     *
     * @param a   sorted ascending; if it holds duplicates of {@code key}, any of their indexes may be
     *            returned
     * @param key the value to find
     * @return the index of {@code key}, or {@code -(insertionPoint) - 1} if absent
     */
    public static int indexOf(int[] a, int key) {
        // BEGIN SOLUTION lab-01 T1
        int lo = 0;
        int hi = a.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = a[mid];
            if (v < key) {
                lo = mid + 1;
            } else if (v > key) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
        // END SOLUTION
    }

    /**
     * Searches the sorted list {@code list} for {@code key} under {@code order}. Same contract as
     * {@link #indexOf(int[], int)}. {@code list} must support fast random access.
     *
     * @throws NullPointerException if an argument is null
     */
    public static <T> int indexOf(List<? extends T> list, T key, Comparator<? super T> order) {
        if (list == null || key == null || order == null) {
            throw new NullPointerException("list, key and order must not be null");
        }
        // BEGIN SOLUTION lab-01 T1
        int lo = 0;
        int hi = list.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = order.compare(list.get(mid), key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
        // END SOLUTION
    }
}
