package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Search in a rotated sorted array (LeetCode 33): an ascending array of distinct values, cut at
 * some point and the two parts swapped, such as {@code [40, 50, 60, 10, 20, 30]}. It is the shape
 * of a ring buffer of sorted records, or of a log whose segment numbers wrapped around.
 *
 * <p>Binary search still works, in O(log n), because of one fact: cut anywhere, at least one of the
 * two halves is sorted, and comparing its ends tells which one.
 */
public final class RotatedSearch {

    private RotatedSearch() {}

    /**
     * The index of {@code target} in {@code rotated}, or -1 if it is absent. O(log n).
     *
     * <p>Invariant: if {@code target} is in the array, it is in {@code [lo, hi]}. At each step,
     * look at {@code mid}: if {@code a[lo] <= a[mid]}, the left half {@code [lo, mid]} is sorted,
     * so {@code target} is in it exactly when {@code a[lo] <= target < a[mid]}; otherwise the
     * right half {@code [mid, hi]} is sorted, and the same test works on its ends. Keep the half
     * that can hold the target. An array that is not rotated at all is the special case where
     * the left half is always sorted.
     *
     * @param rotated an ascending array of distinct values, rotated by any amount (0 included);
     *                if the values are not distinct the answer is unspecified
     * @throws NullPointerException if {@code rotated} is null
     */
    public static int search(int[] rotated, int target) {
        checkNotNull(rotated, "array must not be null");
        // BEGIN SOLUTION lab-02 T6
        int lo = 0;
        int hi = rotated.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = rotated[mid];
            if (v == target) {
                return mid;
            }
            if (rotated[lo] <= v) {
                if (rotated[lo] <= target && target < v) {
                    hi = mid - 1;
                } else {
                    lo = mid + 1;
                }
            } else {
                if (v < target && target <= rotated[hi]) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
        }
        return -1;
        // END SOLUTION
    }
}
