package dev.storagelab.btree;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Which frame of the buffer pool holds each resident page: the pool's page table (PostgreSQL's
 * buffer mapping table), read without a lock by every hit and changed only under the pool's lock.
 * Given code, used by {@link LockedBufferPool} and {@link LockFreeBufferPool}.
 *
 * <p>An {@code int} per logical page id, the frame's number plus one (0: not resident), in an array
 * indexed by the id. The {@link PageTable} hands out logical ids densely, the lowest free one
 * first, so the array is as long as the largest id in use, 4 bytes a page beside the page table's 8:
 * a lookup is one array read, with no hashing and no boxed {@code Long} (the {@code HashMap<Long,
 * Frame>} this replaces boxed every page id, and took a tenth of a cached get, notes §4.7.6).
 *
 * <p>A reader may see an entry that is out of date by the time it acts on it: the frame it names
 * may be evicted and reused for another page at once. That is why a hit pins the frame first and
 * then checks that the frame still holds the page ({@link LockFreeBufferPool}'s {@code tryPin}); the map
 * itself promises only that an entry, once read, named the right frame at some moment. An array
 * that grows is replaced whole, and a reader still holding the old one sees stale entries, which
 * the same check catches (a stale "absent" sends the reader to the pool's lock, where it is seen
 * right).
 */
final class PageFrameMap {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(int[].class);

    /** Frame number + 1 by logical page id; replaced whole when it grows. */
    private volatile int[] frameOf = new int[64];

    private int size;

    /** The frame that held page {@code pageId} when looked at, or -1 if none did. Needs no lock. */
    int frameOf(long pageId) {
        int[] slots = frameOf;
        if (pageId < 0 || pageId >= slots.length) {
            return -1;
        }
        return (int) SLOT.getAcquire(slots, (int) pageId) - 1;
    }

    /** Maps {@code pageId} to {@code frame}. The caller holds the pool's lock. */
    void put(long pageId, int frame) {
        int[] slots = frameOf;
        if (pageId >= slots.length) {
            slots = Arrays.copyOf(slots, Math.toIntExact(Math.max(pageId + 1, slots.length * 2L)));
            frameOf = slots;
        }
        if ((int) SLOT.getAcquire(slots, (int) pageId) == 0) {
            size++;
        }
        SLOT.setRelease(slots, (int) pageId, frame + 1);
    }

    /** Unmaps {@code pageId}, if it is mapped. The caller holds the pool's lock. */
    void remove(long pageId) {
        int[] slots = frameOf;
        if (pageId >= 0 && pageId < slots.length && (int) SLOT.getAcquire(slots, (int) pageId) != 0) {
            SLOT.setRelease(slots, (int) pageId, 0);
            size--;
        }
    }

    /** The number of pages mapped. The caller holds the pool's lock. */
    int size() {
        return size;
    }
}
