package dev.storagelab.btree;

/**
 * The next victims of a scan-based replacer, in eviction order: one scan of the frames finds the
 * {@link #CAPACITY} evictable frames of smallest rank (not only the smallest), so that the next
 * evictions take them in turn and a scan of every frame is paid once per {@code CAPACITY}
 * evictions instead of once per eviction. Given code, used by {@link LruKReplacer}.
 *
 * <p>The batch stays right as long as its owner keeps one promise: <em>every evictable frame whose
 * rank is at most {@link #bound()} is in the batch, with the rank it has now</em>. A frame that
 * becomes evictable, or whose rank changes while it is evictable, with a rank at most the bound
 * breaks it: the owner then calls {@link #invalidate()}, and the next eviction scans again. A frame
 * in the batch that stopped being evictable, or whose rank grew, is stale: {@link #poll} skips it.
 * Ties in rank go to the lower frame, as in a plain scan.
 */
final class VictimBatch {

    /** How many victims one scan finds. */
    static final int CAPACITY = 64;

    private final int[] frames = new int[CAPACITY];
    private final long[] ranks = new long[CAPACITY];
    private int size;
    private int next;
    /** The largest rank in the batch; {@link Long#MAX_VALUE} when the scan found every evictable frame. */
    private long bound = Long.MIN_VALUE;
    private boolean valid;

    /**
     * Every evictable frame of rank at most this is in the batch with that rank; nothing is
     * promised while the batch is {@linkplain #invalidate() invalid}.
     */
    long bound() {
        return valid ? bound : Long.MIN_VALUE;
    }

    /** Forgets the batch: the next {@link #poll} scans again. */
    void invalidate() {
        valid = false;
    }

    /**
     * The evictable frame of smallest rank (the lower frame on a tie), taken out of the batch, or
     * -1 if no frame is evictable. Scans the frames when the batch is invalid or used up.
     */
    int poll(long[] rank, boolean[] evictable) {
        while (true) {
            if (!valid || next == size) {
                scan(rank, evictable);
                if (size == 0) {
                    return -1;
                }
            }
            int f = frames[next];
            long r = ranks[next];
            next++;
            if (evictable[f] && rank[f] == r) {
                return f;
            }
        }
    }

    /**
     * Finds the {@code CAPACITY} evictable frames of smallest (rank, frame) with a max-heap of
     * that size (a frame enters only if it beats the heap's largest), then sorts them ascending.
     */
    private void scan(long[] rank, boolean[] evictable) {
        size = 0;
        for (int f = 0; f < rank.length; f++) {
            if (!evictable[f]) {
                continue;
            }
            if (size < CAPACITY) {
                frames[size] = f;
                ranks[size] = rank[f];
                siftUp(size++);
            } else if (rank[f] < ranks[0]) { // frames come in ascending order: a tie loses to the one held
                frames[0] = f;
                ranks[0] = rank[f];
                siftDown(0, size);
            }
        }
        bound = size < CAPACITY ? Long.MAX_VALUE : ranks[0];
        // Heap sort in place: the largest goes to the end, so the array ends ascending.
        for (int end = size - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
        next = 0;
        valid = true;
    }

    /** Whether entry a comes after entry b in eviction order: larger rank, or equal rank and higher frame. */
    private boolean after(int a, int b) {
        return ranks[a] != ranks[b] ? ranks[a] > ranks[b] : frames[a] > frames[b];
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!after(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i, int n) {
        while (true) {
            int largest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < n && after(left, largest)) {
                largest = left;
            }
            if (right < n && after(right, largest)) {
                largest = right;
            }
            if (largest == i) {
                return;
            }
            swap(i, largest);
            i = largest;
        }
    }

    private void swap(int a, int b) {
        int f = frames[a];
        frames[a] = frames[b];
        frames[b] = f;
        long r = ranks[a];
        ranks[a] = ranks[b];
        ranks[b] = r;
    }
}
