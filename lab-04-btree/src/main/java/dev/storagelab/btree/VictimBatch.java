package dev.storagelab.btree;

/**
 * The next victims of a scan-based replacer, in eviction order: one scan of the frames finds the
 * {@link #CAPACITY} evictable frames of smallest rank (not only the smallest), so that the next
 * evictions take them in turn and a scan of every frame is paid once per {@code CAPACITY}
 * evictions instead of once per eviction. Given code, used by {@link LruKReplacer}.
 *
 * <p>The batch stays right as long as its owner tells it of every frame that may jump the queue:
 * {@link #admit} each frame that becomes evictable, and each evictable frame whose rank changes.
 * The batch promises that every evictable frame whose rank is at most its bound (the largest rank
 * a scan put in it) has an entry in it with the rank it has now, so it takes in an admitted frame
 * that ranks at or below the bound, and ignores the others: they are after every victim it holds.
 * An entry whose frame stopped being evictable, or whose rank changed, is stale: {@link #poll}
 * skips it. Ties in rank go to the lower frame, as in a plain scan.
 *
 * <p>Why admitting and not just scanning again: under LRU-2 the pages seen once go first, so a pool
 * that misses keeps few of them, and a batch holds those few and the oldest pages seen twice. Every
 * page that comes in then ranks inside the batch (seen once), and a batch that a newcomer made
 * invalid would be scanned for again at every miss.
 */
final class VictimBatch {

    /** How many victims one scan finds. */
    static final int CAPACITY = 64;

    private final int[] frames = new int[CAPACITY];
    private final long[] ranks = new long[CAPACITY];
    private int size;
    private int next;
    /**
     * Every evictable frame of rank at most this has an entry from {@code next} on; {@link Long#MAX_VALUE}
     * when the last scan found every evictable frame.
     */
    private long bound = Long.MIN_VALUE;
    /** The frame of the entry at the bound: a frame of the same rank and a higher number is outside. */
    private int boundFrame;

    private boolean valid;

    /**
     * Frame {@code frame} became evictable, or its rank changed while it is: it gets an entry if it
     * ranks at or below the bound, in order. A full batch lets go of its last entry for it and
     * lowers its bound to the new last entry. Nothing happens while no scan is in use.
     */
    void admit(int frame, long rank) {
        if (!valid || rank > bound || rank == bound && frame > boundFrame) {
            return; // after every entry, and after the bound: another scan will find it
        }
        if (size == CAPACITY && next > 0) { // make room: move the entries still to come to the front
            System.arraycopy(frames, next, frames, 0, size - next);
            System.arraycopy(ranks, next, ranks, 0, size - next);
            size -= next;
            next = 0;
        }
        if (size == CAPACITY) {
            // Full, so the bound is the last entry (the scan or the admit that filled it set it so),
            // and the newcomer comes before it: the last entry leaves, and the bound comes down below.
            size--;
        }
        int i = size;
        while (i > next && (ranks[i - 1] > rank || ranks[i - 1] == rank && frames[i - 1] > frame)) {
            frames[i] = frames[i - 1];
            ranks[i] = ranks[i - 1];
            i--;
        }
        frames[i] = frame;
        ranks[i] = rank;
        size++;
        if (size == CAPACITY) { // nothing outside may rank at or below the bound: lower it to the last entry
            bound = ranks[size - 1];
            boundFrame = frames[size - 1];
        }
    }

    /**
     * The evictable frame of smallest rank (the lower frame on a tie), taken out of the batch, or
     * -1 if no frame is evictable. Scans the frames when the batch is used up.
     */
    int poll(long[] rank, boolean[] evictable) {
        while (true) {
            if (!valid || next == size) {
                valid = false; // admit() takes nothing in while the scan runs
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
     * Up to {@code out.length} of the frames {@link #poll} would return next, in order, without
     * taking them out: stale entries are skipped (and dropped from the front). Scans the frames when
     * the batch is used up.
     *
     * @return how many frames were written into {@code out}
     */
    int peek(int[] out, long[] rank, boolean[] evictable) {
        if (!valid || next == size) {
            valid = false;
            scan(rank, evictable);
        }
        int n = 0;
        for (int i = next; i < size && n < out.length; i++) {
            int f = frames[i];
            if (evictable[f] && rank[f] == ranks[i]) {
                out[n++] = f;
            } else if (n == 0) {
                next = i + 1; // stale at the front: poll would skip it too
            }
        }
        return n;
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
        boundFrame = size < CAPACITY ? Integer.MAX_VALUE : frames[0];
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
