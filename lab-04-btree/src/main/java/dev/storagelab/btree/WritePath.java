package dev.storagelab.btree;

import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * The pages a write holds from the root down to a leaf, one {@link PageGuard} per level, with the
 * slot followed in each internal page (-1: the leftmost child). A split or a merge may change
 * every page on the path, so a write keeps it until it is done; {@link #close()} lets go of every
 * page still held, dirty or not as each guard was marked. Used with try-with-resources, no page of
 * a write is left pinned or latched, whichever way the write ends.
 *
 * <p>Without T11 the path's pages are only pinned ({@link #pinned}: the tree-wide lock keeps other
 * threads out). With T11 ({@link LatchCrabbing#pathToExclusive}) they are latched exclusive, the
 * path holds the tree's root latch from the start, and the pages above a safe page are let go
 * early ({@link #releaseAbove}): their guards are closed, their slots stay.
 */
final class WritePath implements AutoCloseable {

    private final List<PageGuard> guards = new ArrayList<>();
    private final List<Integer> slots = new ArrayList<>();
    /** Null without T11; with it, the tree's root latch, held exclusive until {@link #releaseAbove} or {@link #close}. */
    private final StampedLock rootLatch;

    private boolean holdsRootLatch;

    /** A path of pinned pages, without latches. */
    WritePath() {
        this.rootLatch = null;
    }

    /** A path whose pages the caller latches exclusive; the caller holds {@code rootLatch} exclusive, and the path lets go of it. */
    WritePath(StampedLock rootLatch) {
        this.rootLatch = rootLatch;
        this.holdsRootLatch = true;
    }

    /**
     * Pins the pages from {@code root} down to the leaf for {@code key} (the tree-wide lock keeps
     * other threads out), recording the slot followed at each internal page ({@link BPlusTree#childSlot}).
     * On a failure every page pinned so far is let go before the exception leaves.
     */
    static WritePath pinned(BufferPool pool, long root, Bytes key) throws IOException {
        WritePath path = new WritePath();
        try {
            PageGuard top = pool.pin(root);
            path.push(top);
            for (SlottedPage node = top.page(); !node.isLeaf(); node = path.page(path.leafLevel())) {
                int followed = BPlusTree.childSlot(node, key);
                path.addSlot(followed);
                path.push(pool.pin(node.childAt(followed)));
            }
            return path;
        } catch (IOException | RuntimeException e) {
            path.close();
            throw e;
        }
    }

    /** Adds the page of the next level down. */
    void push(PageGuard guard) {
        guards.add(guard);
    }

    /** Records the slot followed in the internal page of the last level pushed. */
    void addSlot(int slot) {
        slots.add(slot);
    }

    /** The guard of the page at {@code level} (0: the root); closed if it was let go or discarded. */
    PageGuard guard(int level) {
        return guards.get(level);
    }

    /** The page at {@code level}; it must still be held. */
    SlottedPage page(int level) {
        return guards.get(level).page();
    }

    /** The slot followed in the internal page at {@code level}. */
    int slot(int level) {
        return slots.get(level);
    }

    /** Changes the slot recorded at {@code level}, for a separator inserted elsewhere than where the descent went. */
    void setSlot(int level, int slot) {
        slots.set(level, slot);
    }

    /** The level of the leaf: the path's length less one. */
    int leafLevel() {
        return guards.size() - 1;
    }

    /** Says the page at {@code level} was changed: it is unpinned dirty. */
    void markDirty(int level) {
        guards.get(level).markDirty();
    }

    /** Whether the page at {@code level} is still held: pinned, and latched exclusive with T11. */
    boolean holds(int level) {
        PageGuard g = guards.get(level);
        return !g.isClosed() && (rootLatch == null || g.frame().isLatchedExclusive());
    }

    /** Whether the path still holds the tree's root latch (T11). */
    boolean holdsRootLatch() {
        return holdsRootLatch;
    }

    /**
     * T11: lets go of every page above {@code level}, and of the root latch: the page at
     * {@code level} is safe, so no change below it reaches them.
     */
    void releaseAbove(int level) {
        releaseRootLatch();
        for (int i = 0; i < level; i++) {
            guards.get(i).close();
        }
    }

    /** Lets go of every page still held (unlatched, then unpinned, dirty as marked) and of the root latch. */
    @Override
    public void close() {
        releaseRootLatch();
        for (PageGuard g : guards) {
            g.close();
        }
    }

    private void releaseRootLatch() {
        if (holdsRootLatch) {
            holdsRootLatch = false;
            rootLatch.tryUnlockWrite();
        }
    }
}
