package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BooleanSupplier;

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
 * <p>Two pools keep these rules. {@link LockedBufferPool} (T6) does all of it under the pool's one
 * lock, as BusTub's buffer pool does. {@link LockFreeBufferPool} (the bonus, T12) serves a hit
 * without taking that lock, so that readers on many cores never queue for it; misses and
 * evictions still take it. The tree uses the lock-free pool once it is written, and the locked one
 * until then ({@link Kind#preferred}).
 *
 * <p>Reading or writing a pinned page's bytes is the caller's business: each frame carries a page
 * latch ({@link Frame#latchShared}, {@link Frame#latchExclusive}) that a tree running readers
 * beside writers (T11) takes after the pin and lets go before the unpin; a tree without T11 keeps
 * writers apart from readers with its own tree-wide lock instead. The tree holds pins and latches
 * through {@link PageGuard}s ({@link #pin}, {@link #read}, {@link #write}, {@link #newPage}), never
 * by pairing {@link #fetch} with {@link #unpin} itself.
 */
public abstract class BufferPool {

    /** The buffer pools the workspace provides, for options and benchmarks. */
    public enum Kind {
        /** Every call under the pool's one lock: {@link LockedBufferPool} (T6). */
        LOCKED,
        /** Hits without the pool's lock: {@link LockFreeBufferPool} (T12, the bonus). */
        LOCK_FREE;

        /**
         * Set this system property to {@code locked} or {@code lock_free} (before a tree is
         * opened) to choose the pool of every tree with default options: for comparing the two.
         */
        public static final String PROPERTY = "storagelab.btree.pool";

        /** A new pool of this kind: {@code frames} frames over {@code file}, evicting with {@code replacer}. */
        public BufferPool create(PageFile file, PageTable table, int frames, Replacer replacer) {
            return switch (this) {
                case LOCKED -> new LockedBufferPool(file, table, frames, replacer);
                case LOCK_FREE -> new LockFreeBufferPool(file, table, frames, replacer);
            };
        }

        /**
         * The pool a tree uses by default: the one {@link #PROPERTY} names if it is set; else the
         * lock-free pool if T12 is written ({@link LockFreeBufferPool.Probe}), the locked pool if not.
         */
        public static Kind preferred() {
            String chosen = System.getProperty(PROPERTY);
            if (chosen != null && !chosen.isBlank()) {
                return valueOf(chosen.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            return LockFreeBufferPool.Probe.IMPLEMENTED ? LOCK_FREE : LOCKED;
        }
    }

    /**
     * One frame of the pool: a page-sized buffer and what the pool knows about it. The pool that
     * owns the frame changes its fields; the lock-free pool reads them without its lock, hence
     * {@code volatile}.
     */
    public static class Frame {
        private final int index;
        private final byte[] data;
        /** The logical id of the page in the frame, {@link PageFormat#NO_PAGE} while it holds none. */
        volatile long pageId = PageFormat.NO_PAGE;
        /** How many callers hold the frame pinned (the lock-free pool also uses -1: claimed). */
        volatile int pins;
        /** Whether the page was changed since it was read or last written back. */
        volatile boolean dirty;
        /** Set when the page was discarded while another caller still held a pin: the last unpin frees the frame. */
        volatile boolean doomed;
        /**
         * The page latch (lab-04 T11): shared while a thread reads the page's bytes, exclusive while
         * one changes them. Unlike the pool's lock it is held across the pool's calls, and only by a
         * thread that holds a pin: latch after {@link BufferPool#fetch}, unlatch before
         * {@link BufferPool#unpin}. A {@link StampedLock}, not reentrant and cheap: one CAS each way.
         */
        private final StampedLock latch = new StampedLock();

        /** The slotted-page view of {@link #data}: one per frame, since the view holds nothing but the array. */
        private final SlottedPage view;

        Frame(int index, int pageSize, int pins) {
            this.index = index;
            this.data = new byte[pageSize];
            this.view = new SlottedPage(data);
            this.pins = pins;
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
            return view;
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

        /**
         * A version of the page latch for an optimistic read ({@link OptimisticGet}): nonzero if no
         * thread holds it exclusive now. Every exclusive hold, and every change of the page the frame
         * holds ({@link LockFreeBufferPool}), moves the version on, which {@link #validate} then sees.
         */
        long readVersion() {
            return latch.tryOptimisticRead();
        }

        /** Whether nothing has changed the page since {@link #readVersion} returned {@code version}. */
        boolean validate(long version) {
            return latch.validate(version);
        }

        /**
         * Moves the latch's version on, for a frame that is about to hold another page: an optimistic
         * reader of the page it held fails its validation. The frame is claimed, so no thread holds
         * its latch.
         */
        void newVersion() {
            latch.unlockWrite(latch.writeLock());
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

    /**
     * How long a fetch that finds every frame pinned waits for an unpin when the pool
     * {@linkplain #waitWhenFull waits when full}.
     */
    static final long FULL_POOL_WAIT_MILLIS = 2000;

    final PageFile file;
    final PageTable table;
    final Replacer replacer;
    /**
     * Which frame holds each resident page (given: an array indexed by page id, no boxing). Changed
     * under the pool's lock; the lock-free pool's hits read it without.
     */
    final PageFrameMap resident = new PageFrameMap();

    private final int frameCount;
    /**
     * Whether a fetch that finds every frame pinned waits for an unpin (up to
     * {@link #FULL_POOL_WAIT_MILLIS}) instead of failing at once: a tree whose readers and writers
     * run in parallel (T11) sets it, because there a full pool is other threads' pins, soon gone.
     */
    private volatile boolean waitWhenFull;
    /**
     * Threads waiting in {@link #awaitUnpin} for a frame to come free: an unpin wakes them only if
     * there are any (the lock-free pool's unpins read it without the lock).
     */
    volatile int waitingForFrame;
    /** Hears evictions ({@link BPlusTree#setEventListener}). */
    volatile EventListener events = dev.storagelab.events.TestRecording.listener();
    /** The counters, changed under the pool's lock (the lock-free pool counts its hits per thread, and sums them here in {@link #stats}). */
    long hits;

    long misses;
    long evictions;
    long pageWrites;

    BufferPool(PageFile file, PageTable table, int frameCount, Replacer replacer) {
        checkArgument(frameCount >= 1, "frameCount must be positive: %s", frameCount);
        this.file = file;
        this.table = table;
        this.replacer = replacer;
        this.frameCount = frameCount;
    }

    /** Frame number {@code index} of this pool, {@code 0 <= index < frameCount()}. */
    abstract Frame frame(int index);

    /**
     * Pins page {@code pageId} and returns its frame, with the page's bytes in it.
     *
     * @throws IllegalStateException if the page is not resident and every frame is pinned
     * @throws dev.storagelab.kv.CorruptionException if the page fails its checks; the frame goes
     *                                                back to the free list and nothing is cached
     */
    public abstract Frame fetch(long pageId) throws IOException;

    /**
     * Allocates a new logical page, formats it as an empty node of {@code type} in a frame, and
     * returns the frame pinned and dirty (it has never been written).
     *
     * @throws IllegalStateException if every frame is pinned
     */
    public abstract Frame create(byte type) throws IOException;

    /**
     * Drops one pin of {@code frame}; if {@code dirty}, marks its page changed (a later unpin with
     * false does not clear that). When the last pin goes, the replacer may choose the frame.
     *
     * @throws IllegalStateException if the frame is not pinned: an unpin without a fetch is a bug
     *                               that would let a page in use be evicted; such an unpin changes
     *                               nothing (with {@code dirty}, the page is not marked changed)
     */
    public abstract void unpin(Frame frame, boolean dirty);

    /**
     * Frees the page in {@code frame}, which the caller holds pinned: its logical id goes back to the
     * page table and the frame to the free list, without writing the page. The caller's pin goes
     * with it. If another thread still holds a pin (in a tree whose readers run beside its writers,
     * a reader that has let go of the page's latch but not yet unpinned it), the frame goes to the
     * free list at that last unpin instead: the page is gone from the pool at once either way.
     */
    public abstract void discard(Frame frame);

    /** Writes every dirty page back (a checkpoint's first step); pages stay resident and clean. */
    public abstract void flushAll() throws IOException;

    /**
     * A write of the tree (a put or a delete) is done, and its thread holds no latch or pin: the
     * pool may have it write back some of the dirty pages it is about to evict
     * ({@link LockFreeBufferPool#afterWrite}). Nothing here.
     */
    void afterWrite() {}

    /**
     * Frees every page of the file, resident or not, without writing any, and empties every frame:
     * for a bulk load that failed halfway into an empty tree, whose pages are all garbage then.
     *
     * @throws IllegalStateException if a frame is pinned
     */
    abstract void discardEverything();

    /** Stops what the pool runs in the background, if anything: its tree is closing. */
    void close() {}

    /**
     * Makes a fetch that finds every frame pinned wait a while for another thread's unpin instead
     * of failing at once (a tree with T11 sets it: there a full pool is other threads' pins).
     */
    final void waitWhenFull(boolean wait) {
        this.waitWhenFull = wait;
    }

    // ---------------------------------------------------------------- what the tests and the workbench see

    /**
     * What each frame holds now, for the tests and the workbench's picture of the pool: its page
     * (-1: free), its pins, whether it is dirty and how its latch is held. Under the pool's lock, but
     * a glance, not a consistent cut, in the lock-free pool: its hits pin and unpin without the lock.
     */
    final synchronized List<Map<String, Object>> frameStates() {
        List<Map<String, Object>> states = new ArrayList<>(frameCount);
        for (int i = 0; i < frameCount; i++) {
            Frame f = frame(i);
            states.add(Map.of(
                    "frame",
                    f.index,
                    "page",
                    f.pageId == PageFormat.NO_PAGE ? -1L : f.pageId,
                    "pins",
                    Math.max(f.pins, 0),
                    "dirty",
                    f.dirty,
                    "latch",
                    f.isLatchedExclusive() ? "x" : f.isLatchedShared() ? "s" : ""));
        }
        return states;
    }

    /** The number of frames. */
    public final int frameCount() {
        return frameCount;
    }

    /**
     * Whether {@code pageId} is resident now: mapped, to a frame that holds it (a look-up without the
     * lock may find a frame that has just been given another page).
     */
    public final boolean isResident(long pageId) {
        int i = resident.frameOf(pageId);
        return i >= 0 && frame(i).pageId == pageId;
    }

    /** The number of frames pinned now: 0 whenever no operation is in progress. */
    public final int pinnedFrames() {
        int n = 0;
        for (int i = 0; i < frameCount; i++) {
            n += frame(i).pins > 0 ? 1 : 0;
        }
        return n;
    }

    /** The pool's counters. */
    public synchronized PoolStats stats() {
        return new PoolStats(frameCount, resident.size(), hits, misses, evictions, pageWrites);
    }

    // ---------------------------------------------------------------- a full pool, and evictions, for both pools

    /**
     * Called, under the pool's lock, by a fetch or a create that found no frame: if the pool
     * {@linkplain #waitWhenFull waits when full}, waits a short slice (the lock let go) for an unpin,
     * so that no wake-up is lost, and returns the deadline to pass on the next call (0 on the first);
     * returns -1 when the caller should give up (the pool does not wait, the deadline of
     * {@link #FULL_POOL_WAIT_MILLIS} has passed, or the thread was interrupted).
     */
    final long awaitUnpin(long deadline) {
        long now = System.nanoTime();
        if (!waitWhenFull || (deadline != 0 && now - deadline >= 0)) {
            return -1;
        }
        if (deadline == 0) {
            deadline = now + TimeUnit.MILLISECONDS.toNanos(FULL_POOL_WAIT_MILLIS);
        }
        waitingForFrame++;
        try {
            TimeUnit.MILLISECONDS.timedWait(this, 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            waitingForFrame--;
        }
        return deadline;
    }

    /**
     * Waits on the pool's monitor (which the caller holds) until {@code done} holds, through
     * interrupts: the I/O it waits for is bounded, and giving up would leave a pin or a write
     * behind. The interrupt is restored on the way out.
     */
    final void awaitUninterruptibly(BooleanSupplier done) {
        boolean interrupted = false;
        while (!done.getAsBoolean()) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The error of a fetch or a create that found every frame pinned. */
    final IllegalStateException poolFull() {
        return new IllegalStateException("buffer pool of " + frameCount + " frames is full: every frame is"
                + " pinned; unpin pages when done with them, or give the pool more frames");
    }

    /** Tells the event listener that {@code f} was taken from its page, if the count of evictions went past {@code before}. */
    final void reportEviction(Frame f, long before) {
        if (evictions != before && EventListener.EMIT && events.isEnabled()) {
            events.onEvent(EngineEvent.of(EventType.PAGE_EVICT, "frame", f.index(), "evictions", evictions));
        }
    }

    // ---------------------------------------------------------------- page guards: a pin (and a latch) held by scope

    /**
     * Page {@code pageId}, pinned ({@link #fetch}) and held by a guard without a latch: for a caller
     * that keeps readers and writers apart by other means (a tree without T11). Close the guard to
     * unpin it.
     */
    public final PageGuard pin(long pageId) throws IOException {
        return new PageGuard(this, fetch(pageId), PageGuard.Latch.NONE);
    }

    /** Page {@code pageId}, pinned and latched shared, to read it. Close the guard to unlatch and unpin it. */
    public final PageGuard read(long pageId) throws IOException {
        Frame f = fetch(pageId);
        f.latchShared();
        return new PageGuard(this, f, PageGuard.Latch.SHARED);
    }

    /** Page {@code pageId}, pinned and latched exclusive, to change it. Close the guard to unlatch and unpin it. */
    public final PageGuard write(long pageId) throws IOException {
        Frame f = fetch(pageId);
        f.latchExclusive();
        return new PageGuard(this, f, PageGuard.Latch.EXCLUSIVE);
    }

    /** Page {@code pageId} held as {@code latch} says: {@link #pin}, {@link #read} or {@link #write}. */
    public final PageGuard guard(long pageId, PageGuard.Latch latch) throws IOException {
        return switch (latch) {
            case NONE -> pin(pageId);
            case SHARED -> read(pageId);
            case EXCLUSIVE -> write(pageId);
        };
    }

    /**
     * A new page from {@link #create}, held by a guard without a latch (no other thread can reach it
     * until the caller links it in) and already marked dirty: it exists nowhere else yet.
     */
    public final PageGuard newPage(byte type) throws IOException {
        PageGuard g = new PageGuard(this, create(type), PageGuard.Latch.NONE);
        g.markDirty();
        return g;
    }

    // ---------------------------------------------------------------- given to both pools

    /**
     * Writes a dirty frame's page now, where the page table says (copy-on-write), stamped with the
     * coming checkpoint's generation; the frame is clean after it. Counts a page write. The caller
     * holds the pool's lock and a frame no one else can change meanwhile.
     */
    final void writeBack(Frame f) throws IOException {
        long physical = table.physicalForWrite(f.pageId);
        f.page().setGeneration(table.generation() + 1);
        file.write(physical, f.data);
        f.dirty = false;
        pageWrites++;
    }

    /**
     * Writes every dirty frame of {@code frames} back, as {@link #writeBack} does one, but sorted by
     * physical page and a run of consecutive physical pages in one write ({@link PageFile#writeRun}):
     * a checkpoint's first writes of the pages changed since the last one all go to fresh pages,
     * handed out in order, so the checkpoint writes the file nearly sequentially in a few large
     * writes instead of one system call per page (what a database's checkpointer does when it sorts
     * the buffers it writes). The frames are clean after it. The caller holds the pool's lock, and no
     * one else can change the frames meanwhile.
     */
    final void writeBackAll(Frame[] frames) throws IOException {
        int dirty = 0;
        for (Frame f : frames) {
            if (f.dirty) {
                dirty++;
            }
        }
        if (dirty == 0) {
            return;
        }
        long[] order = new long[dirty]; // physical page << 32 | frame index, sorted by physical page
        int n = 0;
        long generation = table.generation() + 1;
        for (Frame f : frames) {
            if (f.dirty) {
                long physical = table.physicalForWrite(f.pageId);
                f.page().setGeneration(generation);
                order[n++] = physical << 32 | f.index();
            }
        }
        Arrays.sort(order);
        byte[][] run = new byte[PageFile.MAX_RUN][];
        for (int i = 0; i < n; ) {
            long first = order[i] >>> 32;
            int length = 0;
            while (i + length < n && length < run.length && order[i + length] >>> 32 == first + length) {
                run[length] = frames[(int) order[i + length]].data;
                length++;
            }
            file.writeRun(first, run, length);
            for (int j = i; j < i + length; j++) {
                frames[(int) order[j]].dirty = false;
            }
            pageWrites += length;
            i += length;
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

    /** The physical page where page {@code pageId} is read from now (tests). */
    synchronized long physicalForRead(long pageId) throws IOException {
        return table.physicalForRead(pageId);
    }

    /** The physical page where page {@code pageId} is written to until the next checkpoint (tests). */
    synchronized long physicalForWrite(long pageId) {
        return table.physicalForWrite(pageId);
    }

    /** The page table's counters, read under the pool's lock. */
    synchronized PageTable.Usage pageUsage() {
        return table.usage();
    }

    void setEventListener(EventListener listener) {
        this.events = listener;
    }

    /**
     * The pool's counters since it was created.
     *
     * @param misses     fetches that read a page from the file: the pool's page reads
     * @param pageWrites pages written back, by evictions and checkpoints
     */
    public record PoolStats(int frames, int resident, long hits, long misses, long evictions, long pageWrites) {

        /** Fetches served: each is a hit or a miss. */
        public long fetches() {
            return hits + misses;
        }

        /** Hits per fetch; NaN before the first fetch. */
        public double hitRate() {
            long fetches = fetches();
            return fetches == 0 ? Double.NaN : (double) hits / fetches;
        }
    }
}
