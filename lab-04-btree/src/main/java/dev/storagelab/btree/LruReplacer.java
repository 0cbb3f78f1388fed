package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * Least-recently-used replacement in O(1) per call (LeetCode 146): the evictable frames sit in a
 * doubly linked list in the order they were last accessed, least recent at the head. Accessing an
 * evictable frame moves it to the tail; a frame that becomes evictable joins at the tail; the
 * victim is the head. The list is kept in two int arrays indexed by frame, so no call allocates.
 *
 * <p>A frame's recency is its last access <em>or</em> the moment it was last unpinned, whichever
 * is later: for a buffer pool they are nearly the same, because a frame is accessed while it is
 * pinned and unpinned right after.
 */
public final class LruReplacer implements Replacer {

    private static final int NONE = -1;
    private final int[] prev;
    private final int[] next;
    private final boolean[] inList;
    private int head = NONE;
    private int tail = NONE;
    private int size;

    public LruReplacer(int frames) {
        checkArgument(frames > 0, "frames must be positive: %s", frames);
        prev = new int[frames];
        next = new int[frames];
        inList = new boolean[frames];
    }

    private int check(int frame) {
        return Objects.checkIndex(frame, inList.length);
    }

    @Override
    public void recordAccess(int frame) {
        // BEGIN SOLUTION lab-04 T4
        if (inList[check(frame)]) {
            unlink(frame);
            linkAtTail(frame);
        }
        // END SOLUTION
    }

    @Override
    public void setEvictable(int frame, boolean evictable) {
        // BEGIN SOLUTION lab-04 T4
        if (evictable && !inList[check(frame)]) {
            linkAtTail(frame);
        } else if (!evictable && inList[frame]) {
            unlink(frame);
        }
        // END SOLUTION
    }

    @Override
    public int evict() {
        // BEGIN SOLUTION lab-04 T4
        int victim = head;
        if (victim != NONE) {
            unlink(victim);
        }
        return victim;
        // END SOLUTION
    }

    @Override
    public void remove(int frame) {
        // BEGIN SOLUTION lab-04 T4
        if (inList[check(frame)]) {
            unlink(frame);
        }
        // END SOLUTION
    }

    @Override
    public int size() {
        return size;
    }

    // BEGIN REMOVE
    private void linkAtTail(int frame) {
        prev[frame] = tail;
        next[frame] = NONE;
        if (tail == NONE) {
            head = frame;
        } else {
            next[tail] = frame;
        }
        tail = frame;
        inList[frame] = true;
        size++;
    }

    private void unlink(int frame) {
        int p = prev[frame];
        int n = next[frame];
        if (p == NONE) {
            head = n;
        } else {
            next[p] = n;
        }
        if (n == NONE) {
            tail = p;
        } else {
            prev[n] = p;
        }
        inList[frame] = false;
        size--;
    }
    // END REMOVE
}
