package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The buffer pool of lab-04 T6, with every call under the pool's one lock (its monitor), as
 * BusTub's buffer pool is: a fetch, a create, an unpin, an eviction and its write-back each run
 * alone, so the pool's state (the frames' pin counts and dirty flags, which page is in which frame,
 * the free frames, the replacer) is only ever seen between two calls, never halfway through one.
 *
 * <p>The state, and what holds between any two calls:
 * <ul>
 *   <li>{@link #resident} maps each resident page to its frame, and only those; a frame that holds
 *       no page ({@link PageFormat#NO_PAGE}) is in {@link #freeFrames}, with no pin (or, its page
 *       discarded while another caller still pins it, is {@code doomed} until that unpin);</li>
 *   <li>the replacer knows a frame as evictable exactly when it holds a page and no pin;</li>
 *   <li>a frame's {@code dirty} flag is set when its bytes differ from the page's bytes on disk.</li>
 * </ul>
 *
 * <p>The price of one lock is that a page read or a write-back holds it: another thread's hit
 * waits behind the disk. {@link LockFreeBufferPool} (the bonus, T12) takes the hits off the lock.
 */
public final class LockedBufferPool extends BufferPool {

    private final Frame[] frames;
    /** Frames that hold no page: taken before the replacer is asked for a victim. */
    private final ArrayDeque<Frame> freeFrames = new ArrayDeque<>();

    /** A pool of {@code frameCount} frames over {@code file}, evicting with {@code replacer}. */
    public LockedBufferPool(PageFile file, PageTable table, int frameCount, Replacer replacer) {
        super(file, table, frameCount, replacer);
        this.frames = new Frame[frameCount];
        for (int i = 0; i < frameCount; i++) {
            frames[i] = new Frame(i, file.pageSize(), 0);
            freeFrames.add(frames[i]);
        }
    }

    /**
     * Pins page {@code pageId} and returns its frame, with the page's bytes in it.
     *
     * <p>A hit (the page is in {@link #resident}) counts a hit and pins its frame: one more pin, and
     * the replacer hears of the access ({@link Replacer#recordAccess}) and that the frame is not
     * evictable while pinned ({@link Replacer#setEvictable}). A page is never in two frames: a hit
     * returns the frame it is in.
     *
     * <p>A miss counts a miss; looks up where the page is on disk ({@link PageTable#physicalForRead},
     * before anything is evicted, so a bad id evicts nothing); takes a frame from
     * {@link #victimFrame()}; reads the page into it ({@link #readPage}); and only then makes the frame
     * hold the page: its id, clean, mapped in {@link #resident}, pinned once, the replacer told as
     * for a hit. If the read fails (a corrupt page), the frame goes back to {@link #freeFrames}
     * holding no page and the exception propagates: a corrupt page is never cached.
     *
     * @throws IllegalStateException if the page is not resident and every frame is pinned
     * @throws dev.storagelab.kv.CorruptionException if the page fails its checks
     */
    @Override
    public synchronized Frame fetch(long pageId) throws IOException {
        // BEGIN SOLUTION lab-04 T6
        int i = resident.frameOf(pageId);
        if (i >= 0) {
            Frame f = frames[i];
            hits++;
            f.pins++;
            replacer.recordAccess(f.index());
            replacer.setEvictable(f.index(), false);
            return f;
        }
        misses++;
        long physical = table.physicalForRead(pageId);
        Frame f = victimFrame();
        try {
            readPage(f, physical, pageId);
        } catch (IOException | RuntimeException e) {
            freeFrames.add(f);
            throw e;
        }
        f.pageId = pageId;
        f.dirty = false;
        f.pins = 1;
        resident.put(pageId, f.index());
        replacer.recordAccess(f.index());
        replacer.setEvictable(f.index(), false);
        return f;
        // END SOLUTION
    }

    /**
     * Allocates a new logical page ({@link PageTable#allocate}) in a frame from
     * {@link #victimFrame()} (taken first: if the pool is full, no id is used up), formats it as an
     * empty node of {@code type} ({@link SlottedPage#init}), and returns it pinned once and
     * <em>dirty</em> (it exists nowhere else yet), mapped in {@link #resident}, the replacer told of
     * the access and that the frame is not evictable. If {@code allocate} throws, the frame goes
     * back to {@link #freeFrames}. A create is neither a hit nor a miss.
     *
     * @throws IllegalStateException if every frame is pinned
     */
    @Override
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
        f.pins = 1;
        resident.put(pageId, f.index());
        replacer.recordAccess(f.index());
        replacer.setEvictable(f.index(), false);
        return f;
        // END SOLUTION
    }

    /**
     * Drops one pin of {@code frame}. First checks that it is pinned: if not, fails with an
     * {@link IllegalStateException} ("unpin of frame 2 (...), which is not pinned") and changes
     * nothing, not even the dirty flag. If {@code dirty}, marks the page changed (a later unpin with
     * false must not clear that: another caller changed it). When the last pin goes, the frame
     * becomes evictable in the replacer, unless its page was discarded meanwhile
     * ({@link #freeIfDiscarded}, given, puts such a frame on the free list instead).
     */
    @Override
    public synchronized void unpin(Frame frame, boolean dirty) {
        if (waitingForFrame > 0) {
            notifyAll(); // a fetch waiting for a frame looks again once this unpin lets go of the lock
        }
        // BEGIN SOLUTION lab-04 T6
        checkState(frame.pins > 0, "unpin of %s, which is not pinned", frame);
        if (dirty) {
            frame.dirty = true;
        }
        frame.pins--;
        if (frame.pins == 0 && !freeIfDiscarded(frame)) {
            replacer.setEvictable(frame.index(), true);
        }
        // END SOLUTION
    }

    /**
     * One try of {@link #victimFrame}: a frame that holds no page, for the caller to fill. A free
     * frame if there is one; else the replacer's victim ({@link Replacer#evict}, -1 if no frame is
     * evictable: return null). A victim that is dirty is written back first ({@link #writeBack},
     * given); then its page leaves {@link #resident}, the frame's page id becomes
     * {@link PageFormat#NO_PAGE}, and an eviction is counted. The replacer forgets its victim by
     * itself. The frame returned has no pin: the caller pins it.
     *
     * @return the frame, or null if no frame is free and none is evictable
     */
    private Frame freeOrVictim() throws IOException {
        // BEGIN SOLUTION lab-04 T6
        Frame f = freeFrames.poll();
        if (f != null) {
            return f;
        }
        int victim = replacer.evict();
        if (victim < 0) {
            return null;
        }
        f = frames[victim];
        if (f.dirty) {
            writeBack(f);
        }
        resident.remove(f.pageId);
        f.pageId = PageFormat.NO_PAGE;
        evictions++;
        return f;
        // END SOLUTION
    }

    /**
     * Frees the page in {@code frame}, which the caller holds pinned, without writing it: fails
     * ({@link IllegalStateException}) if the frame is not pinned or was discarded already. The
     * page's logical id goes back to the page table ({@link PageTable#free}); the page leaves
     * {@link #resident} and the replacer ({@link Replacer#remove}); the frame holds no page and is
     * clean; the caller's pin goes. With no pin left the frame goes to {@link #freeFrames}; with
     * pins of other threads left it is marked {@code doomed}, and the last unpin frees it.
     */
    @Override
    public synchronized void discard(Frame frame) {
        // BEGIN SOLUTION lab-04 T6
        checkState(frame.pins >= 1 && !frame.doomed, "discard of %s: the caller must hold a pin", frame);
        table.free(frame.pageId);
        replacer.remove(frame.index());
        resident.remove(frame.pageId);
        frame.pageId = PageFormat.NO_PAGE;
        frame.dirty = false;
        frame.pins--;
        if (frame.pins == 0) {
            freeFrames.add(frame);
        } else {
            frame.doomed = true;
        }
        // END SOLUTION
    }

    /**
     * Writes every dirty page back ({@link #writeBack}); a clean page is not written (its bytes
     * are on disk already). Pages stay resident, with their pins, and are clean afterwards.
     */
    @Override
    public synchronized void flushAll() throws IOException {
        // BEGIN SOLUTION lab-04 T6
        for (Frame f : frames) {
            if (f.dirty) {
                writeBack(f);
            }
        }
        // END SOLUTION
    }

    // ---------------------------------------------------------------- given

    /** Reads page {@code pageId} from physical page {@code physical} into {@code f}'s bytes, checking it. */
    private void readPage(Frame f, long physical, long pageId) throws IOException {
        file.read(physical, pageId, PageFormat.TYPE_NODE, f.data());
    }

    /**
     * If {@code frame}'s page was discarded while another pin was held ({@code doomed}), puts the
     * frame, which has just lost its last pin, on the free list and returns true; else false.
     */
    private boolean freeIfDiscarded(Frame frame) {
        if (!frame.doomed) {
            return false;
        }
        frame.doomed = false;
        freeFrames.add(frame);
        return true;
    }

    /**
     * A frame that holds no page, for a fetch's miss or a create: {@link #freeOrVictim}'s. If every
     * frame is pinned and the pool {@linkplain #waitWhenFull waits when full}, waits (the lock let
     * go) for an unpin, at most {@link #FULL_POOL_WAIT_MILLIS}.
     *
     * @throws IllegalStateException if no frame is free and none is evictable: "buffer pool of 8
     *                               frames is full: every frame is pinned (...)"
     */
    private Frame victimFrame() throws IOException {
        long evictionsBefore = evictions;
        for (long deadline = 0; deadline >= 0; deadline = awaitUnpin(deadline)) {
            Frame f = freeOrVictim();
            if (f != null) {
                checkState(
                        f.pins == 0 && f.pageId == PageFormat.NO_PAGE,
                        "freeOrVictim returned %s: a frame to reuse must hold no page and no pin",
                        f);
                reportEviction(f, evictionsBefore);
                return f;
            }
        }
        throw poolFull();
    }

    @Override
    synchronized void discardEverything() {
        checkState(pinnedFrames() == 0, "discarding every page while %s frames are pinned", pinnedFrames());
        for (Frame f : frames) {
            if (f.pageId != PageFormat.NO_PAGE) {
                resident.remove(f.pageId);
                replacer.remove(f.index());
                f.pageId = PageFormat.NO_PAGE;
                f.dirty = false;
                freeFrames.add(f);
            }
        }
        table.freeAll();
    }

    @Override
    Frame frame(int index) {
        return frames[index];
    }
}
