package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkState;

import dev.storagelab.io.FaultInjectingStorage;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * The buffer pool of lab-04's bonus task T12: the rules of {@link BufferPool}, kept by
 * {@link LockedBufferPool} under one lock, with a hit that takes no lock at all, as PostgreSQL's
 * buffer manager does. Under the one lock, every reader of a cached page queues for the pool's
 * monitor just to raise a pin count: on many cores that lock, not the disk, is what readers wait
 * for.
 *
 * <p>A hit looks its page up in a {@link PageFrameMap} read without a lock, raises the frame's pin
 * count by a compare-and-set, and checks that the frame still holds the page. A frame is evicted
 * only after its pin count is <em>claimed</em>, set from 0 to {@link #CLAIMED} by a compare-and-set,
 * so a hit can never pin a frame being evicted, and an eviction never takes a frame a hit has
 * pinned. Misses and evictions (which cost a page read anyway) do their bookkeeping under the
 * pool's lock, and their I/O after letting go of it: a miss reads its page, and an eviction writes
 * its dirty page back, outside the lock ({@link #fetch}), so one thread's disk access never stalls
 * another thread's hit. The replacer, which is not thread-safe, hears of the hits in batches
 * ({@link AccessQueue}) under the lock.
 *
 * <p>Why this file is over 600 lines (about 660): the hit path without a lock, the misses and
 * evictions under the lock, and the page reads done after letting go of it share one set of
 * invariants (a frame's pin count, its {@link #CLAIMED} state, the read in progress), and each part
 * is correct only beside the others. The write-backs done after letting go of the lock, which
 * share only the pool's monitor with the rest, are their own class, {@link WriteBacksInFlight}.
 */
public final class LockFreeBufferPool extends BufferPool {

    /**
     * The pin count of a frame that holds no page a hit may pin: a free frame, or one being evicted
     * and given a new page, under the pool's lock. Only {@code 0} pins can become it (a
     * compare-and-set, {@link #PINS}), and only the pool's lock makes it a count again.
     */
    static final int CLAIMED = -1;
    /** A frame's pin count ({@link Frame}'s {@code pins}), changed only by compare-and-set here. */
    static final VarHandle PINS;

    static {
        try {
            PINS = MethodHandles.lookup().findVarHandle(Frame.class, "pins", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A frame of this pool: a {@link Frame} and the state of the read that brings its page in. */
    static final class LoadingFrame extends Frame {
        /** The thread that reads this frame's page from disk now, outside the pool's lock; null once it is in. */
        volatile Thread loader;
        /** Where {@link #loader} reads from. */
        long loadFrom;
        /** Set when the read of the page failed: the frame holds no page, and its pinners retry. */
        volatile boolean loadFailed;
        /** Threads waiting in {@link #awaitLoad} for {@link #loader}'s read: only then does the read's end take the pool's lock. */
        volatile int loadWaiters;
        /**
         * The pool's {@link #accessClock} when an access of this frame was last queued for the
         * replacer (or made by a miss). Written by hits without the lock: a lost race only queues one
         * access more or less.
         */
        long accessQueuedAt;

        LoadingFrame(int index, int pageSize) {
            super(index, pageSize, CLAIMED);
        }
    }

    private final LoadingFrame[] frames;
    /** Accesses and last unpins that hits made without the lock, for the replacer; drained under the lock. */
    private final AccessQueue accesses = new AccessQueue();
    /** Frames {@link #victimFrame} found pinned while it looked for a victim (its scratch space). */
    private final int[] refused;
    /** The dirty pages evictions handed over, written by the evicting thread once it lets go of the lock. */
    private final WriteBacksInFlight writeBacks;

    private final ArrayDeque<LoadingFrame> freeFrames = new ArrayDeque<>();
    /**
     * The accesses the replacer has heard of: each miss, and each queued access once drained.
     * Changed under the pool's lock; read by hits without it, to leave out correlated accesses
     * ({@link #recordAccess}).
     */
    private volatile long accessClock;
    /** {@link #recordAccess}'s correlated reference period, in ticks of {@link #accessClock}: {@link #CORRELATED_PERIOD}, or 0. */
    private final long correlatedPeriod;
    /** Writes dirty pages back ahead of the evictions; null for a small pool ({@link PageCleaner#of}). */
    private final PageCleaner cleaner;
    /** {@link #cleanAhead}'s scratch space: the next victims, under the pool's lock. */
    private final int[] ahead = new int[PageCleaner.AHEAD];

    /** A pool of {@code frameCount} frames over {@code file}, evicting with {@code replacer}. */
    public LockFreeBufferPool(PageFile file, PageTable table, int frameCount, Replacer replacer) {
        super(file, table, frameCount, replacer);
        this.frames = new LoadingFrame[frameCount];
        this.refused = new int[frameCount];
        this.writeBacks = new WriteBacksInFlight(this, file);
        this.correlatedPeriod = frameCount >= CORRELATED_MIN_FRAMES ? CORRELATED_PERIOD : 0;
        for (int i = 0; i < frameCount; i++) {
            frames[i] = new LoadingFrame(i, file.pageSize());
            freeFrames.add(frames[i]);
        }
        this.cleaner = PageCleaner.of(this);
    }

    /**
     * Finds out once whether T12 is written: a pool of one frame over a page file in memory creates
     * a page, fetches it (a hit), creates another (which evicts the first) and fetches the first
     * again (a miss), unpinning each. A {@code NotImplementedException} from any of its methods, or
     * any other failure of this short run, means the tree should not stand on it: trees then use the
     * {@link LockedBufferPool} of T6 ({@link BufferPool.Kind#preferred}).
     */
    static final class Probe {
        static final boolean IMPLEMENTED = probe();

        private static boolean probe() {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try {
                storage.create("probe.pages").close();
                PageFile file = new PageFile(storage, "probe.pages", PageFormat.MIN_PAGE_SIZE);
                PageTable.format(file);
                file.force();
                BufferPool pool = new LockFreeBufferPool(file, PageTable.open(file), 1, new OneFrameReplacer());
                Frame created = pool.create(PageFormat.TYPE_LEAF);
                long first = created.pageId();
                pool.unpin(created, true);
                Frame hit = pool.fetch(first);
                boolean same = hit == created;
                pool.unpin(hit, false);
                pool.unpin(pool.create(PageFormat.TYPE_LEAF), true);
                Frame missed = pool.fetch(first);
                boolean back = missed.pageId() == first && missed.page().isLeaf();
                pool.unpin(missed, false);
                file.close();
                return same && back && pool.pinnedFrames() == 0;
            } catch (IOException | RuntimeException e) { // NotImplementedException among them
                return false;
            }
        }
    }

    /** The probe's replacer, of one frame: so that the probe needs T2, T3 and T12, and not T4. */
    private static final class OneFrameReplacer implements Replacer {
        private boolean evictable;

        @Override
        public void recordAccess(int frame) {}

        @Override
        public void setEvictable(int frame, boolean evictable) {
            this.evictable = evictable;
        }

        @Override
        public int evict() {
            boolean was = evictable;
            evictable = false;
            return was ? 0 : -1;
        }

        @Override
        public void remove(int frame) {
            evictable = false;
        }

        @Override
        public int size() {
            return evictable ? 1 : 0;
        }
    }

    /**
     * Pins page {@code pageId} and returns its frame, with the page's bytes in it.
     *
     * <p>A hit takes no lock: {@link #tryPin} pins the frame the {@link PageFrameMap} names, if it
     * still holds the page. Anything else (a miss, a frame being evicted or reused meanwhile) goes to
     * {@link #pinPage} under the pool's lock. The pool's bookkeeping and its I/O are apart, so that
     * one thread's page read or write-back never holds up another thread's hit, as in every
     * production pool (PostgreSQL reads a buffer with its mapping lock released, and marks it "I/O in
     * progress" for the others meanwhile):
     * <ul>
     *   <li>a page {@link #pinPage} put in a frame for this call is read into it now; another
     *       thread that fetches the same page meanwhile pins the same frame and waits for the read;
     *       if the read fails, the frame leaves the pool and every waiter tries again;</li>
     *   <li>the pages this call's evictions wrote back are written now, from copies; until a copy
     *       is on disk, a fetch of its page reads the copy.</li>
     * </ul>
     *
     * @throws IllegalStateException if the page is not resident and every frame is pinned
     * @throws dev.storagelab.kv.CorruptionException if the page fails its checks; the frame goes
     *                                                back to the free list and nothing is cached
     */
    @Override
    public Frame fetch(long pageId) throws IOException {
        while (true) {
            LoadingFrame f = pinIfResident(pageId);
            if (f == null) {
                try {
                    f = pinPage(pageId);
                } finally {
                    writeBacks.writeHandedOver();
                }
            }
            if (f.loader == Thread.currentThread()) {
                load(f);
                return f;
            }
            if (f.loader == null ? !f.loadFailed : awaitLoad(f)) {
                return f;
            }
            unpin(f, false); // the read this thread waited for failed: try again, and see why
        }
    }

    /**
     * For an optimistic read ({@link OptimisticGet}), without the lock: the frame the pool's page
     * table names for page {@code pageId} now, or null if none; {@link #residentVersion} then says
     * whether it really holds the page.
     */
    LoadingFrame mappedFrame(long pageId) {
        int i = resident.frameOf(pageId);
        return i < 0 ? null : frames[i];
    }

    /**
     * For an optimistic read ({@link OptimisticGet}), without the lock: the version of {@code f}'s
     * latch to validate the read against, if {@code f} holds page {@code pageId} now, whole; 0 if it
     * does not, or its page is being read in or out, or it is latched exclusive (a version is never
     * 0). Tells the replacer of the access as a pin would; the caller counts the hit
     * ({@link #countHits}), once for all the pages of its get. The caller reads the frame's bytes,
     * then validates the version: until it does, what it read may be torn. A version and not a pair
     * (frame, version) in an object: a get that made one per call spent more time allocating it
     * than searching its pages.
     */
    long residentVersion(LoadingFrame f, long pageId) {
        long v = f.readVersion();
        // A frame being given a page is claimed, and its version moves on before then; a page being
        // read in has its loader set until the bytes are there (its pin is the loader's).
        if (v == 0 || f.pins == CLAIMED || f.pageId != pageId || f.loader != null || f.loadFailed) {
            return 0;
        }
        queueAccess(f);
        return v;
    }

    /** Counts {@code n} hits of the current thread's optimistic reads ({@link #residentVersion}). */
    void countHits(int n) {
        if (n > 0) {
            accesses.countHits(n);
        }
    }

    /** The hit path, without the lock: the frame of {@code pageId} pinned, or null (go to the lock). */
    private LoadingFrame pinIfResident(long pageId) {
        int i = resident.frameOf(pageId);
        return i >= 0 && tryPin(frames[i], pageId) ? frames[i] : null;
    }

    /**
     * Pins {@code f} if it holds page {@code pageId} and is not {@linkplain #CLAIMED claimed},
     * without the pool's lock: a hit. Raises the pin count by a compare-and-set from a count
     * {@code >= 0} (never from {@link #CLAIMED}: that frame is being evicted or is free), then
     * checks that {@code f} still holds {@code pageId}: the frame the caller looked up may have been
     * evicted and given another page before the pin. If it does not, lets go of the pin it just
     * took ({@link #unpin}, clean) and returns false; if it does, tells the replacer of the access
     * ({@link #recordAccess}) and returns true. Once the pin is up and the page checked, no
     * eviction can take the frame: a claim needs a pin count of 0.
     *
     * @return whether {@code f} is now pinned and holds {@code pageId}
     */
    private boolean tryPin(LoadingFrame f, long pageId) {
        // BEGIN SOLUTION lab-04 T12
        int pins;
        do {
            pins = f.pins;
            if (pins == CLAIMED) {
                return false;
            }
        } while (!PINS.compareAndSet(f, pins, pins + 1));
        if (f.pageId != pageId) {
            unpin(f, false); // evicted and reused between the look-up and the pin
            return false;
        }
        recordAccess(f);
        return true;
        // END SOLUTION
    }

    /**
     * The bookkeeping of {@link #fetch} when its hit path did not pin the page, under the pool's
     * lock: finds or makes the frame of {@code pageId} and pins it. If {@link #resident} names a
     * frame for the page, {@link #tryPin} pins it (under the lock it cannot fail: frames are claimed
     * and unmapped only under the lock; {@link #recordAccess} counts the hit). A miss counts a miss, looks up the
     * physical page in the page table ({@link PageTable#physicalForRead}, before anything is
     * evicted, so a bad id evicts nothing), takes a frame from {@link #victimFrame()}, makes it hold
     * {@code pageId} (clean), has {@link #arrangeRead} arrange for the page's bytes to arrive, maps
     * the page to the frame in {@link #resident}, and gives the frame its first pin
     * ({@link #pinClaimed}).
     */
    private synchronized LoadingFrame pinPage(long pageId) throws IOException {
        // BEGIN SOLUTION lab-04 T12
        int i = resident.frameOf(pageId);
        if (i >= 0 && tryPin(frames[i], pageId)) {
            return frames[i];
        }
        misses++;
        long physical = table.physicalForRead(pageId);
        LoadingFrame f = victimFrame();
        f.pageId = pageId;
        f.dirty = false;
        arrangeRead(f, physical);
        resident.put(pageId, f.index());
        pinClaimed(f);
        return f;
        // END SOLUTION
    }

    /**
     * Allocates a new logical page, formats it as an empty node of {@code type} in a frame, and
     * returns the frame pinned and dirty (it has never been written). An eviction it needed writes
     * its page back after the pool's lock is let go, as in {@link #fetch}.
     *
     * @throws IllegalStateException if every frame is pinned
     */
    @Override
    public Frame create(byte type) throws IOException {
        try {
            return pinNewPage(type);
        } finally {
            writeBacks.writeHandedOver();
        }
    }

    /**
     * The bookkeeping of {@link #create}, under the pool's lock: a frame from
     * {@link #victimFrame()}, a new logical id from {@link PageTable#allocate()} (if that fails the
     * frame goes back to the free list, still claimed), the page formatted with
     * {@link SlottedPage#init}, dirty, mapped in {@link #resident}, and given its first pin
     * ({@link #pinClaimed}).
     */
    private synchronized LoadingFrame pinNewPage(byte type) throws IOException {
        // BEGIN SOLUTION lab-04 T12
        LoadingFrame f = victimFrame();
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
        resident.put(pageId, f.index());
        pinClaimed(f);
        return f;
        // END SOLUTION
    }

    /**
     * Gives a {@linkplain #CLAIMED claimed} frame, which now holds its new page, its first pin,
     * under the pool's lock: from then on hits may pin it too. The replacer hears of the access at
     * once (it is under the lock too).
     */
    private void pinClaimed(LoadingFrame f) {
        f.accessQueuedAt = accessClock;
        accessClock++;
        f.pins = 1; // a volatile write after the page id and the loader: a hit that pins sees them
        replacer.recordAccess(f.index());
        replacer.setEvictable(f.index(), false);
    }

    /**
     * A hit on {@code f}: counts it, and tells the replacer of the access through {@link #accesses}
     * unless it is <em>correlated</em> with the one it last heard of. LRU-K's authors (O'Neil,
     * O'Neil and Weikum, SIGMOD 1993, the "correlated reference period") count a page's references
     * that come close together as one: a page read twice in a row is no more popular than a page
     * read once, and two such accesses would make a page read once look hot. Here an access is
     * correlated if the replacer has heard of fewer than {@link #CORRELATED_PERIOD} accesses since
     * this frame's last one was queued: the root, read by every descent, is told about once per four
     * accesses, and not at all while nothing else is (every get of a cached path), where it was told
     * at every get. A page used again after a while is still told each time, and the pool's hits no
     * longer pay for a replacer update each (BP-Wrapper's batching moves the update, it does not
     * remove it: a third of a cached get went to it). The period is short on purpose: a sixty-fourth
     * of the frames (64 accesses in a pool of 4,096) left LRU-2 too little history of the pages a
     * random get reads, and it read 1.21 pages where it reads 0.69 now. A pool of fewer than
     * {@link #CORRELATED_MIN_FRAMES} frames tells every access. Needs no lock.
     */
    private void recordAccess(LoadingFrame f) {
        accesses.countHit();
        queueAccess(f);
    }

    /** {@link #recordAccess} without counting the hit. */
    private void queueAccess(LoadingFrame f) {
        long now = accessClock;
        if (now - f.accessQueuedAt >= correlatedPeriod) {
            f.accessQueuedAt = now;
            enqueue(AccessQueue.accessed(f.index()));
        }
    }

    /** The correlated reference period of {@link #recordAccess}, in accesses the replacer heard of. */
    static final int CORRELATED_PERIOD = 4;

    /** The smallest pool that leaves correlated accesses out; a smaller one tells the replacer every access. */
    static final int CORRELATED_MIN_FRAMES = 64;

    private void enqueue(int event) {
        while (!accesses.offer(event)) {
            synchronized (this) {
                drainAccesses(); // the stripe is full: empty it for the replacer, then append
            }
        }
    }

    /**
     * Hands the accesses and last unpins that hits queued to the replacer, under the pool's lock:
     * an access is recorded, and either way the frame is evictable if, now, it holds a page and no
     * pin. Every last unpin queues an event after it happened, so once all are drained every frame
     * without a pin is evictable; a pin whose access was correlated queues nothing, so a pinned
     * frame may be evictable too, which is why {@link #victimFrame} claims each victim with a
     * compare-and-set.
     */
    private void drainAccesses() {
        accesses.drain(event -> {
            LoadingFrame f = frames[AccessQueue.frameOf(event)];
            int pins = f.pins;
            if (AccessQueue.isAccess(event) && pins > 0 && f.pageId != PageFormat.NO_PAGE) {
                // Out of the eviction candidates first, then the access: an LRU-K replacer re-sorts a
                // candidate whose history changes, which would be wasted on a frame still pinned.
                replacer.setEvictable(f.index(), false);
            }
            if (pins == CLAIMED || f.doomed || f.pageId == PageFormat.NO_PAGE) {
                return; // evicted, freed or discarded since: the replacer has forgotten it
            }
            if (AccessQueue.isAccess(event)) {
                accessClock++;
                replacer.recordAccess(f.index());
            }
            replacer.setEvictable(f.index(), pins == 0);
        });
    }

    /**
     * A frame to load a page into, under the pool's lock, {@linkplain #CLAIMED claimed} for the
     * caller, from {@link #freeOrVictim} once the replacer has heard of every queued access
     * ({@link #drainAccesses}). If every frame is pinned and the pool {@linkplain #waitWhenFull
     * waits when full}, waits (the lock let go) for an unpin, at most {@link #FULL_POOL_WAIT_MILLIS}.
     *
     * @throws IllegalStateException if no frame is free and none is evictable: "buffer pool of 8
     *                               frames is full: every frame is pinned (...)"
     */
    private LoadingFrame victimFrame() throws IOException {
        long evictionsBefore = evictions;
        // Every frame pinned, in a tree whose readers run beside writers (T11): other threads' pins,
        // soon gone; awaitUnpin waits for one a while, if the pool waits when full.
        for (long deadline = 0; deadline >= 0; deadline = awaitUnpin(deadline)) {
            drainAccesses();
            LoadingFrame f = cleanVictim();
            if (f == null) {
                f = freeOrVictim();
            }
            if (f == null && replacerMissesUnpinnedFrames()) {
                f = freeOrVictim();
            }
            if (f != null) {
                f.newVersion(); // an optimistic reader of the page it held, if any, reads again
                reportEviction(f, evictionsBefore);
                return f;
            }
        }
        throw poolFull();
    }

    /**
     * The victim a miss prefers, in a pool with a {@link PageCleaner}, under the pool's lock: the
     * first frame among the replacer's next victims ({@link Replacer#nextVictims}) whose page is
     * clean and which no one pins, claimed as {@link #freeOrVictim} claims one (a compare-and-set of
     * its pin count from 0 to {@link #CLAIMED}), taken out of the replacer, unmapped and counted as
     * an eviction; null if there is none, or if a frame is free (a free frame goes first), or if the
     * pool has no cleaner. A dirty victim costs the thread that missed a write as well as a read; a
     * clean page a little further along the same order costs it only the read, and the dirty one
     * waits for the writer that dirtied it ({@link #afterWrite}) or the cleaner. InnoDB's user
     * threads look for a clean page in the tail of its LRU list in the same way before they flush
     * one themselves. The small pools of the tests have no cleaner, and evict in the replacer's
     * order exactly.
     */
    private LoadingFrame cleanVictim() {
        if (cleaner == null || !freeFrames.isEmpty()) {
            return null;
        }
        int k = replacer.nextVictims(ahead);
        for (int i = 0; i < k; i++) {
            LoadingFrame f = frames[ahead[i]];
            if (f.dirty || !claimIfIdle(f)) {
                continue;
            }
            if (f.dirty) {
                f.pins = 0; // dirtied by the unpin that let its last pin go just now: leave it
                continue;
            }
            replacer.remove(f.index());
            resident.remove(f.pageId);
            f.pageId = PageFormat.NO_PAGE;
            evictions++;
            return f;
        }
        return null;
    }

    /**
     * Claims {@code f}, one of the replacer's next victims, for the caller under the pool's lock, if
     * it holds a page that is neither being read in nor discarded and no one pins it: its pin count
     * goes from 0 to {@link #CLAIMED} by a compare-and-set, as an eviction claims its victim, so that
     * no hit pins it meanwhile. The caller evicts it ({@link #cleanVictim}) or sets its pin count back
     * to 0 ({@link #cleanAhead}).
     */
    private boolean claimIfIdle(LoadingFrame f) {
        return !f.doomed && f.loader == null && f.pageId != PageFormat.NO_PAGE && PINS.compareAndSet(f, 0, CLAIMED);
    }

    /**
     * When the replacer has no victim: tells it of each frame that holds a page and no pin, which it
     * may not have heard of yet (a last unpin lowers the pin count, then queues its event: between
     * the two, the replacer does not know). O(frames), and only when the pool looks full.
     *
     * @return whether any frame was made evictable
     */
    private boolean replacerMissesUnpinnedFrames() {
        boolean any = false;
        for (LoadingFrame f : frames) {
            if (f.pins == 0 && !f.doomed && f.pageId != PageFormat.NO_PAGE) {
                replacer.setEvictable(f.index(), true);
                any = true;
            }
        }
        return any;
    }

    /**
     * One try of {@link #victimFrame}, under the pool's lock: a free frame if there is one (free
     * frames are claimed already); else the replacer's victim, once its pin count has been
     * <em>claimed</em>, changed from 0 to {@link #CLAIMED} by a compare-and-set
     * ({@code PINS.compareAndSet(frame, 0, CLAIMED)}): a hit pins without the lock, so
     * a frame the replacer offers may be pinned by now, and a hit may pin it between a check and a
     * plain write. A victim whose claim fails is set aside in {@link #refused} and the replacer
     * asked again. Once a frame is claimed, or the replacer has no more, each frame set aside goes
     * back to the replacer as accessed (it is in use) and not evictable (its last unpin will queue the
     * event that makes it evictable again). A claimed victim that is dirty is written back
     * ({@link #queueWriteBack}); its page is unmapped from {@link #resident}, its page id set to
     * {@link PageFormat#NO_PAGE}, and an eviction counted.
     *
     * @return the claimed frame, or null if no frame is free and no evictable frame could be claimed
     */
    private LoadingFrame freeOrVictim() throws IOException {
        // BEGIN SOLUTION lab-04 T12
        LoadingFrame f = freeFrames.poll();
        if (f != null) {
            return f;
        }
        int setAside = 0;
        int victim;
        while ((victim = replacer.evict()) >= 0 && !PINS.compareAndSet(frames[victim], 0, CLAIMED)) {
            refused[setAside++] = victim; // pinned by a hit since the replacer last heard of it
        }
        for (int i = 0; i < setAside; i++) {
            replacer.recordAccess(refused[i]);
            replacer.setEvictable(refused[i], false);
        }
        if (victim < 0) {
            return null;
        }
        f = frames[victim];
        if (f.dirty) {
            queueWriteBack(f);
        }
        resident.remove(f.pageId);
        f.pageId = PageFormat.NO_PAGE;
        evictions++;
        return f;
        // END SOLUTION
    }

    /**
     * Arranges for the bytes of the page now in {@code f} (a miss, under the pool's lock) to arrive
     * from {@code physical}: from the copy of a write-back still on its way to disk if there is one
     * (a page written back is never read from disk before it got there), else by the fetching
     * thread after it lets go of the lock ({@link #load}).
     */
    private void arrangeRead(LoadingFrame f, long physical) {
        WriteBacksInFlight.Write pending = writeBacks.of(f.pageId);
        if (pending != null) {
            System.arraycopy(pending.bytes, 0, f.data(), 0, f.data().length);
            if (pending.failed != null) {
                // Its write failed: the copy is the page's only good version, so the frame owns it again.
                f.dirty = true;
                writeBacks.forget(pending);
            }
            return;
        }
        f.loadFrom = physical;
        f.loader = Thread.currentThread();
    }

    /** Reads the page {@link #arrangeRead} left for this thread into {@code f}, outside the lock. */
    private void load(LoadingFrame f) throws IOException {
        try {
            file.read(f.loadFrom, f.pageId, PageFormat.TYPE_NODE, f.data());
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                // A corrupt or unreadable page is never cached: out of the pool, this thread's pin
                // with it; a thread that pinned the frame meanwhile sees the failure and tries again.
                f.loadFailed = true;
                f.loader = null;
                dropPage(f);
                notifyAll();
            }
            throw e;
        }
        if (!pageReadSinceRound) {
            pageReadSinceRound = true; // a miss read a page: a writer's next round has a reader to spare
        }
        // The page is in: a volatile write, so a hit that sees no loader sees the bytes. Only a
        // thread that waits for this read needs the pool's lock taken to wake it: a waiter counts
        // itself before it looks at the loader, and this read looks at the count after clearing the
        // loader, so one of the two sees the other (both volatile), and a waiter that saw the loader
        // holds the lock until it waits, which the notify below cannot pass.
        f.loader = null;
        if (f.loadWaiters > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Waits, holding a pin, until another thread's read of the page into {@code f} is done.
     *
     * @return true if the page arrived; false if the read failed (the caller unpins and retries)
     */
    private synchronized boolean awaitLoad(LoadingFrame f) {
        f.loadWaiters++; // under the pool's lock: waiters count themselves one at a time
        try {
            awaitUninterruptibly(() -> f.loader == null);
        } finally {
            f.loadWaiters--;
        }
        return !f.loadFailed;
    }

    /**
     * Hands a dirty victim's page over to be written where the page table says, stamped with the
     * coming generation: its bytes are copied (the frame is reused at once) and the copy is written
     * by this thread once it lets go of the pool's lock ({@link WriteBacksInFlight#writeHandedOver}).
     * Counts a page write.
     */
    private void queueWriteBack(LoadingFrame f) throws IOException {
        handOverCopy(f);
        if (cleaner != null) {
            cleaner.wake(); // an eviction wrote its victim back: the cleaner is behind, or not running
        }
    }

    /** {@link #queueWriteBack}'s work: the page stamped, copied and handed over, the frame clean. Under the lock. */
    private void handOverCopy(LoadingFrame f) {
        long physical = table.physicalForWrite(f.pageId);
        f.page().setGeneration(table.generation() + 1);
        writeBacks.handOver(f.pageId, physical, f.data());
        f.dirty = false;
        pageWrites++;
    }

    /**
     * One round of cleaning ahead, by the {@link PageCleaner} or by a write ({@link #afterWrite}):
     * among the next victims the replacer names ({@link Replacer#nextVictims}), up to {@code n}
     * that hold a dirty page and no pin are each claimed for a moment under the pool's lock (so that
     * no hit pins it, and no writer changes it, while its page is copied), handed over to be written
     * as an eviction would ({@link #handOverCopy}), and given back unpinned, resident and clean; the
     * copies are written once the lock is let go. Nothing while a frame is free: a miss takes that
     * first, so no page is about to be evicted, and a page written now might be dirtied again and
     * written twice. Returns how many pages it handed over.
     */
    int cleanAhead(int n) {
        int handed = 0;
        try {
            synchronized (this) {
                if (!freeFrames.isEmpty()) {
                    return 0; // a miss takes a free frame first: no page is about to be evicted
                }
                drainAccesses(); // so that the replacer's next victims are those the next miss would take
                int k = replacer.nextVictims(ahead);
                for (int i = 0; i < k && handed < n; i++) {
                    LoadingFrame f = frames[ahead[i]];
                    if (f.dirty && claimIfIdle(f)) {
                        try {
                            handOverCopy(f);
                            handed++;
                        } finally {
                            f.pins = 0; // not evicted: hits may pin it again, and the replacer's view of it stands
                        }
                    }
                }
            }
        } finally {
            writeBacks.writeHandedOver();
        }
        return handed;
    }

    /**
     * After a write of the tree, in a pool with a {@link PageCleaner}, once a miss has read a page
     * since the last such round: the writing thread writes back up to {@link #WRITER_CLEANS} dirty
     * pages among the replacer's next victims ({@link #cleanAhead}), so that a writer pays for the
     * pages it dirties, and a reader's miss beside it finds a clean victim ({@link #cleanVictim})
     * instead of writing the writer's pages. A put dirties one leaf, so two keep the next victims
     * clean with room to spare. A pool whose misses read nothing (a sequential fill's misses are all
     * new pages) has no reader to spare, and rounds there cost the fill a fifth to a quarter of its
     * puts: the lock, the look at the next victims, and 1.9 times the page writes, since pages the
     * fill was still changing ranked among the next victims and were written again. WiredTiger has
     * its application threads evict for the same reason once its cache holds too much dirty data,
     * and Linux has a process that dirties pages faster than they are written write some back
     * itself. Called with no latch or pin held.
     */
    @Override
    void afterWrite() {
        if (cleaner != null && pageReadSinceRound) {
            pageReadSinceRound = false;
            cleanAhead(WRITER_CLEANS);
        }
    }

    /**
     * Whether a miss has read a page from the file since the last round of {@link #afterWrite}: a
     * pool whose misses read nothing has no reader to spare.
     */
    private volatile boolean pageReadSinceRound;

    /** The dirty pages among the next victims that a round of {@link #afterWrite} writes back at most. */
    static final int WRITER_CLEANS = 2;

    /** The pool's page cleaner, or null if it has none: for tests. */
    PageCleaner cleaner() {
        return cleaner;
    }

    /** Stops the page cleaner, if the pool has one: the tree is closing. */
    @Override
    void close() {
        if (cleaner != null) {
            cleaner.close();
        }
    }

    /**
     * Drops one pin of {@code frame}, without the pool's lock; if {@code dirty}, marks its page
     * changed first (a later unpin with false does not clear that), so that whoever claims the frame
     * once its pins are gone sees the flag. The pin count goes down by a compare-and-set (two
     * threads that unpin at once must both be counted). When it reaches 0, {@link #unpinnedLast}
     * tells the replacer the frame may be evicted.
     *
     * @throws IllegalStateException if the frame is not pinned: an unpin without a fetch is a bug
     *                               that would let a page in use be evicted; such an unpin changes
     *                               nothing (with {@code dirty}, the page is not marked changed)
     */
    @Override
    public void unpin(Frame frame, boolean dirty) {
        // BEGIN SOLUTION lab-04 T12
        checkState(frame.pins > 0, "unpin of %s, which is not pinned", frame);
        if (dirty) {
            frame.dirty = true;
        }
        int pins;
        do {
            pins = frame.pins;
            checkState(pins > 0, "unpin of %s, which is not pinned", frame);
        } while (!PINS.compareAndSet(frame, pins, pins - 1));
        if (pins == 1) {
            unpinnedLast(frame);
        }
        // END SOLUTION
    }

    /**
     * The last pin of {@code frame} went: if its page was discarded meanwhile, the frame goes to the
     * free list; else the replacer hears that it may be evicted ({@link #accesses}), and a fetch
     * that waits for a frame is woken.
     */
    private void unpinnedLast(Frame frame) {
        if (frame.doomed) {
            synchronized (this) {
                freeIfDoomed(frames[frame.index()]);
            }
            return;
        }
        enqueue(AccessQueue.unpinned(frame.index()));
        if (waitingForFrame > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * Takes the page out of {@code frame} under the pool's lock (its page was discarded, or its read
     * failed), and lets go of the caller's pin: unmapped, forgotten by the replacer, clean, holding
     * no page. If no other pin is left, the frame goes to the free list; else it is doomed, and the
     * last unpin frees it (a reader of a tree with T11 may hold a pin between its unlatch and its
     * unpin; a hit may pin it for a moment before it sees the page is gone).
     */
    private void dropPage(LoadingFrame frame) {
        resident.remove(frame.pageId);
        replacer.remove(frame.index());
        frame.pageId = PageFormat.NO_PAGE;
        frame.dirty = false;
        frame.doomed = true; // before the pin goes, so that the last unpin, whoever makes it, sees it
        if ((int) PINS.getAndAdd(frame, -1) == 1) {
            freeIfDoomed(frame);
        }
    }

    /** A doomed frame without pins goes to the free list, claimed; under the pool's lock. */
    private void freeIfDoomed(LoadingFrame frame) {
        if (frame.doomed && PINS.compareAndSet(frame, 0, CLAIMED)) {
            frame.doomed = false;
            frame.loadFailed = false;
            freeFrames.add(frame);
            if (waitingForFrame > 0) {
                notifyAll();
            }
        }
    }

    /**
     * Frees the page in {@code frame}, which the caller holds pinned: its logical id goes back to the
     * page table and the frame to the free list, without writing the page. The caller's pin goes
     * with it. If another thread still holds a pin (in a tree whose readers run beside its writers,
     * a reader that has let go of the page's latch but not yet unpinned it), the frame goes to the
     * free list at that last unpin instead: the page is gone from the pool at once either way. A
     * write-back of the page still on its way to disk (an eviction writes it once it has let go of the
     * lock) is waited for first: the page table may give its physical page to the next page written.
     */
    @Override
    public synchronized void discard(Frame frame) {
        checkState(frame.pins >= 1 && !frame.doomed, "discard of %s: the caller must hold a pin", frame);
        writeBacks.awaitAndForget(frame.pageId); // before its physical page can be given to another
        table.free(frame.pageId);
        dropPage(frames[frame.index()]);
    }

    /**
     * Frees every page of the file, resident or not, without writing any, and empties every frame:
     * for a bulk load that failed halfway into an empty tree, whose pages are all garbage then.
     *
     * @throws IllegalStateException if a frame is pinned
     */
    @Override
    synchronized void discardEverything() {
        checkState(pinnedFrames() == 0, "discarding every page while %s frames are pinned", pinnedFrames());
        writeBacks.awaitAll();
        writeBacks.clear(); // the pages they held are garbage now, written or not
        for (LoadingFrame f : frames) {
            if (f.pageId != PageFormat.NO_PAGE) {
                while (!PINS.compareAndSet(f, 0, CLAIMED)) {
                    Thread.onSpinWait(); // a hit's pin on a stale look-up, let go at once
                }
                resident.remove(f.pageId);
                replacer.remove(f.index());
                f.pageId = PageFormat.NO_PAGE;
                f.dirty = false;
                freeFrames.add(f);
            }
        }
        table.freeAll();
    }

    /**
     * Writes every dirty page back (a checkpoint's first step); pages stay resident and clean. Waits
     * first for write-backs still on their way to disk, and writes again any whose write failed,
     * so that when it returns every change is in the file. The pages go out sorted by physical page,
     * a run of consecutive ones in one write ({@link #writeBackAll}).
     */
    @Override
    public synchronized void flushAll() throws IOException {
        writeBacks.awaitAll();
        writeBacks.writeFailedAgain();
        writeBackAll(frames);
    }

    @Override
    LoadingFrame frame(int index) {
        return frames[index];
    }

    /** The pool's counters, the hits summed over the threads that made them ({@link AccessQueue#hits}). */
    @Override
    public synchronized PoolStats stats() {
        drainAccesses();
        hits = accesses.hits();
        return super.stats();
    }
}
