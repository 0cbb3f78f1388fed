package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;

/**
 * A fixed number of in-memory frames that cache pages of the page file, the way every disk-based
 * database keeps its working set in memory (PostgreSQL's shared buffers, InnoDB's buffer pool).
 *
 * <p>The rules:
 * <ul>
 *   <li>{@link #fetch} and {@link #create} <em>pin</em> a page: while its pin count is above 0 it
 *       stays in its frame, so the caller may read and change its bytes.</li>
 *   <li>{@link #unpin} says the caller is done, and whether it changed the page (dirty).</li>
 *   <li>A page whose pin count is 0 may be evicted to make room; the {@link Replacer} picks which.
 *       A dirty page is written back (through the {@link PageTable}, copy-on-write) before its
 *       frame is reused.</li>
 *   <li>When every frame is pinned, a fetch fails with a clear error instead of evicting a page
 *       someone is using.</li>
 * </ul>
 *
 * <p>Thread-safe: every call holds the pool's lock (a simple design; real pools read from disk
 * outside the pool latch). Reading or writing a pinned page's bytes is the caller's business:
 * each frame carries a page latch ({@link Frame#latchShared}, {@link Frame#latchExclusive}) that
 * a tree running readers beside writers (T11) takes after the pin and lets go before the unpin;
 * a tree without T11 keeps writers apart from readers with its own tree-wide lock instead.
 */
public final class BufferPool {

    /** One frame of the pool: a page-sized buffer and what the pool knows about it. */
    public static final class Frame {
        private final int index;
        private final byte[] data;
        private long pageId = PageFormat.NO_PAGE;
        private int pins;
        private boolean dirty;
        /** Set when the page was freed while someone still held a pin: the last unpin frees the frame. */
        private boolean doomed;
        /**
         * The page latch (lab-04 T11): shared while a thread reads the page's bytes, exclusive while
         * one changes them. Unlike the pool's lock it is held across the pool's calls, and only by a
         * thread that holds a pin: latch after {@link BufferPool#fetch}, unlatch before
         * {@link BufferPool#unpin}. A {@link StampedLock}, not reentrant and cheap: one CAS each way.
         */
        private final StampedLock latch = new StampedLock();

        Frame(int index, int pageSize) {
            this.index = index;
            this.data = new byte[pageSize];
        }

        /** The frame's number, as the replacer knows it. */
        public int index() {
            return index;
        }

        /** The logical id of the page in this frame. */
        public long pageId() {
            return pageId;
        }

        /** The page's bytes: read and change them only while the frame is pinned. */
        public byte[] data() {
            return data;
        }

        /** A slotted-page view of the bytes. */
        public SlottedPage page() {
            return new SlottedPage(data);
        }

        /** Takes the page latch shared: other readers may hold it too, no writer can. */
        public void latchShared() {
            latch.readLock();
        }

        /** Lets go of one shared hold of the page latch. */
        public void unlatchShared() {
            checkState(latch.tryUnlockRead(), "%s is not latched shared", this);
        }

        /** Takes the page latch exclusive: waits until no other thread holds it either way. */
        public void latchExclusive() {
            latch.writeLock();
        }

        /** Lets go of the exclusive page latch. */
        public void unlatchExclusive() {
            checkState(latch.tryUnlockWrite(), "%s is not latched exclusive", this);
        }

        /** Whether some thread holds the page latch exclusive now. */
        public boolean isLatchedExclusive() {
            return latch.isWriteLocked();
        }

        /** Whether some thread holds the page latch shared now. */
        public boolean isLatchedShared() {
            return latch.isReadLocked();
        }


        @Override
        public String toString() {
            return "frame " + index + " (page " + pageId + ", pins " + pins + (dirty ? ", dirty" : "") + ")";
        }
    }

    private final PageFile file;
    private final PageTable table;
    private final Replacer replacer;
    private final Frame[] frames;
    private final Map<Long, Frame> resident = new HashMap<>();
    private final ArrayDeque<Frame> freeFrames = new ArrayDeque<>();
    /**
     * Whether a fetch that finds every frame pinned waits for an unpin (up to
     * {@link #FULL_POOL_WAIT_MILLIS}) instead of failing at once: a tree whose readers and writers
     * run in parallel (T11) sets it, because there a full pool is other threads' pins, soon gone.
     */
    private volatile boolean waitWhenFull;
    private int waitingForFrame;
    static final long FULL_POOL_WAIT_MILLIS = 2000;
    private long hits;
    private long misses;
    private long evictions;
    private long pageWrites;

    /** A pool of {@code frameCount} frames over {@code file}, evicting with {@code replacer}. */
    public BufferPool(PageFile file, PageTable table, int frameCount, Replacer replacer) {
        checkArgument(frameCount >= 1, "frameCount must be positive: %s", frameCount);
        this.file = file;
        this.table = table;
        this.replacer = replacer;
        this.frames = new Frame[frameCount];
        for (int i = 0; i < frameCount; i++) {
            frames[i] = new Frame(i, file.pageSize());
            freeFrames.add(frames[i]);
        }
    }

    /**
     * Pins page {@code pageId} and returns its frame. A hit (the page is resident) pins it where it
     * is; a miss takes a frame ({@link #victimFrame()}), reads the page from its physical page and
     * checks it. Either way the access is recorded with the replacer and the frame is not
     * evictable until its pin count drops back to 0. Counts a hit or a miss.
     *
     * @throws IllegalStateException if the page is not resident and every frame is pinned
     * @throws dev.storagelab.kv.CorruptionException if the page fails its checks; the frame goes
     *                                                back to the free list and nothing is cached
     */
    public synchronized Frame fetch(long pageId) throws IOException {
        // BEGIN SOLUTION lab-04 T6
        Frame f = resident.get(pageId);
        if (f != null) {
            hits++;
        } else {
            misses++;
            long physical = table.physicalForRead(pageId);
            f = victimFrame();
            try {
                file.read(physical, pageId, PageFormat.TYPE_NODE, f.data);
            } catch (IOException | RuntimeException e) {
                freeFrames.add(f);
                throw e;
            }
            f.pageId = pageId;
            f.dirty = false;
            resident.put(pageId, f);
        }
        pin(f);
        return f;
        // END SOLUTION
    }

    /**
     * Allocates a new logical page, formats it as an empty node of {@code type} in a frame, and
     * returns the frame pinned and dirty (it has never been written).
     *
     * @throws IllegalStateException if every frame is pinned
     */
    public synchronized Frame create(byte type) throws IOException {
        // BEGIN SOLUTION lab-04 T6
        Frame f = victimFrame();
        long pageId;
        try {
            pageId = table.allocate();
        } catch (RuntimeException e) {
            freeFrames.add(f);
            throw e;
        }
        f.page().init(type, pageId);
        f.pageId = pageId;
        f.dirty = true;
        resident.put(pageId, f);
        pin(f);
        return f;
        // END SOLUTION
    }

    // BEGIN REMOVE
    private void pin(Frame f) {
        f.pins++;
        // Out of the eviction candidates first, then the access: an LRU-K replacer re-sorts a
        // candidate whose history changes, which would be wasted on a frame about to leave them.
        replacer.setEvictable(f.index, false);
        replacer.recordAccess(f.index);
    }
    // END REMOVE

    /**
     * A frame to load a page into: a free frame if there is one, else the replacer's victim. A dirty
     * victim is written back first; the victim's page leaves the pool. Counts an eviction.
     *
     * @throws IllegalStateException if no frame is free and none is evictable: "buffer pool of 8
     *                               frames is full: every frame is pinned (...)"
     */
    private Frame victimFrame() throws IOException {
        awaitFrameIfFull();
        // BEGIN SOLUTION lab-04 T6
        Frame f = freeFrames.poll();
        if (f != null) {
            return f;
        }
        int victim = replacer.evict();
        if (victim < 0) {
            throw new IllegalStateException("buffer pool of " + frames.length
                    + " frames is full: every frame is pinned; unpin pages when done with them, or give the pool more frames");
        }
        f = frames[victim];
        if (f.dirty) {
            try {
                writeBack(f);
            } catch (IOException | RuntimeException e) {
                replacer.recordAccess(victim); // keep the page, which is still dirty, evictable
                replacer.setEvictable(victim, true);
                throw e;
            }
        }
        resident.remove(f.pageId);
        f.pageId = PageFormat.NO_PAGE;
        evictions++;
        return f;
        // END SOLUTION
    }

    /**
     * If every frame is pinned and the pool {@linkplain #waitWhenFull waits when full}, waits (the
     * pool's lock let go) until an unpin or a discard makes a frame free or evictable, for at most
     * {@link #FULL_POOL_WAIT_MILLIS}. The caller holds the pool's lock; {@link #victimFrame} then
     * takes the frame, or reports the pool full if none came.
     */
    private void awaitFrameIfFull() {
        if (!waitWhenFull || !freeFrames.isEmpty() || replacer.size() > 0) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FULL_POOL_WAIT_MILLIS);
        waitingForFrame++;
        try {
            while (freeFrames.isEmpty() && replacer.size() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waitingForFrame--;
        }
    }

    /** Makes a fetch that finds every frame pinned wait for another thread's unpin; see {@link #waitWhenFull}. */
    void waitWhenFull(boolean wait) {
        this.waitWhenFull = wait;
    }

    /** Writes a dirty frame's page to where the page table says, stamped with the coming generation. */
    private void writeBack(Frame f) throws IOException {
        long physical = table.physicalForWrite(f.pageId);
        f.page().setGeneration(table.generation() + 1);
        file.write(physical, f.data);
        f.dirty = false;
        pageWrites++;
    }

    /**
     * Drops one pin of {@code frame}; if {@code dirty}, marks its page changed (a later unpin with
     * false does not clear that). When the pin count reaches 0 the frame becomes evictable.
     *
     * @throws IllegalStateException if the frame is not pinned: an unpin without a fetch is a bug
     *                               that would let a page in use be evicted
     */
    public synchronized void unpin(Frame frame, boolean dirty) {
        if (frame.pins == 1 && waitingForFrame > 0) {
            notifyAll(); // a fetch waits for a frame (T11); it wakes once this call lets go of the pool
        }
        if (frame.doomed && frame.pins == 1) {
            // Its page was freed while this caller still held a pin (T11: a reader between its
            // unlatch and its unpin); the replacer has forgotten the frame: back to the free list.
            frame.pins = 0;
            frame.doomed = false;
            freeFrames.add(frame);
            return;
        }
        // BEGIN SOLUTION lab-04 T6
        checkState(frame.pins > 0, "unpin of %s, which is not pinned", frame);
        if (dirty) {
            frame.dirty = true;
        }
        frame.pins--;
        if (frame.pins == 0) {
            replacer.setEvictable(frame.index, true);
        }
        // END SOLUTION
    }

    /**
     * Frees the page in {@code frame}, which the caller holds pinned: its logical id goes back to the
     * page table and the frame to the free list, without writing the page. The caller's pin goes
     * with it. If another thread still holds a pin (in a tree whose readers run beside its writers,
     * a reader that has let go of the page's latch but not yet unpinned it), the frame goes to the
     * free list at that last unpin instead: the page is gone from the pool at once either way.
     */
    public synchronized void discard(Frame frame) {
        checkState(frame.pins >= 1 && !frame.doomed, "discard of %s: the caller must hold a pin", frame);
        table.free(frame.pageId);
        resident.remove(frame.pageId);
        replacer.remove(frame.index);
        frame.pins--;
        frame.pageId = PageFormat.NO_PAGE;
        frame.dirty = false;
        if (frame.pins == 0) {
            freeFrames.add(frame);
            if (waitingForFrame > 0) {
                notifyAll();
            }
        } else {
            frame.doomed = true;
        }
    }

    /**
     * Frees every page of the file, resident or not, without writing any, and empties every frame:
     * for a bulk load that failed halfway into an empty tree, whose pages are all garbage then.
     *
     * @throws IllegalStateException if a frame is pinned
     */
    synchronized void discardEverything() {
        checkState(pinnedFrames() == 0, "discarding every page while %s frames are pinned", pinnedFrames());
        for (Frame f : frames) {
            if (f.pageId != PageFormat.NO_PAGE) {
                resident.remove(f.pageId);
                replacer.remove(f.index);
                f.pageId = PageFormat.NO_PAGE;
                f.dirty = false;
                freeFrames.add(f);
            }
        }
        table.freeAll();
    }

    /** Writes every dirty page back (a checkpoint's first step); pages stay resident and clean. */
    public synchronized void flushAll() throws IOException {
        for (Frame f : frames) {
            if (f.dirty) {
                writeBack(f);
            }
        }
    }

    /**
     * Takes a checkpoint: writes every dirty page back, then lets the page table finish
     * ({@link PageTable#checkpoint}), all under the pool's lock so that no reader's miss looks up the
     * table halfway through.
     */
    synchronized MetaPage checkpoint(long root, long entryCount) throws IOException {
        flushAll();
        return table.checkpoint(root, entryCount);
    }

    /** The page table's counters, read under the pool's lock. */
    synchronized PageTable.Usage pageUsage() {
        return table.usage();
    }

    /** The number of frames. */
    public int frameCount() {
        return frames.length;
    }

    /** Whether {@code pageId} is resident now. */
    public synchronized boolean isResident(long pageId) {
        return resident.containsKey(pageId);
    }

    /** The number of frames pinned now: 0 whenever no operation is in progress. */
    public synchronized int pinnedFrames() {
        int n = 0;
        for (Frame f : frames) {
            n += f.pins > 0 ? 1 : 0;
        }
        return n;
    }

    /** The pool's counters. */
    public synchronized PoolStats stats() {
        return new PoolStats(frames.length, resident.size(), hits, misses, evictions, pageWrites);
    }

    /**
     * The pool's counters since it was created.
     *
     * @param misses     fetches that read a page from the file: the pool's page reads
     * @param pageWrites pages written back, by evictions and checkpoints
     */
    public record PoolStats(int frames, int resident, long hits, long misses, long evictions, long pageWrites) {

        /** Hits per fetch; NaN before the first fetch. */
        public double hitRate() {
            long fetches = hits + misses;
            return fetches == 0 ? Double.NaN : (double) hits / fetches;
        }
    }
}
