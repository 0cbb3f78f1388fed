package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkState;
import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.NotImplementedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * lab-04 T11: readers beside writers. A get descends with <em>latch coupling</em>
 * ({@link #findLeafShared}: shared latch on the child, then let go of the parent). A put or delete
 * first tries the <em>optimistic</em> way ({@link #findLeafExclusive}: shared latches down to the
 * leaf, an exclusive latch on the leaf, and the change made there if the leaf needs no split and no
 * merge: {@link #putInLeaf}, {@link #deleteInLeaf}). Otherwise it starts again as a <em>structure
 * change</em> ({@link #changeStructure}): one at a time (the tree's structure lock), exclusive
 * latches from the root down, letting go of every ancestor above a page that is <em>safe</em>
 * ({@link #isSafe}: no change below it can split it or empty it below half), and T7's split or
 * T8's merge done under those latches ({@link #pathToExclusive}, <em>latch crabbing</em>).
 *
 * <p>Every page is held by a {@link PageGuard}: closing it lets go of its latch and its pin, in
 * that order. Until T11 is written ({@link Probe}), the tree runs on its tree-wide lock alone.
 */
final class LatchCrabbing {

    private final BPlusTree tree;
    private final BufferPool pool;

    LatchCrabbing(BPlusTree tree, BufferPool pool) {
        this.tree = tree;
        this.pool = pool;
    }

    /**
     * Finds out once whether T11 is written: each of its methods is called on an empty
     * {@linkplain BPlusTree#shell shell tree}. A {@link NotImplementedException} from any of them
     * means it is not, and every tree falls back to the tree-wide lock; anything else (a result, or
     * a failure for want of a pool) means the student's code is there.
     */
    static final class Probe {
        static final boolean IMPLEMENTED = probe();

        private static boolean probe() {
            LatchCrabbing shell = BPlusTree.shell(BTreeOptions.defaults()).latches;
            for (int i = 0; i < 4; i++) {
                try {
                    switch (i) {
                        case 0 -> shell.isSafe(new SlottedPage(new byte[PageFormat.DEFAULT_PAGE_SIZE]), true);
                        case 1 -> shell.findLeafShared(Bytes.EMPTY);
                        case 2 -> shell.findLeafExclusive(Bytes.EMPTY);
                        default -> shell.pathToExclusive(Bytes.EMPTY);
                    }
                } catch (NotImplementedException e) {
                    return false;
                } catch (IOException | RuntimeException e) {
                    // written: it went looking for pages the shell does not have
                }
            }
            return true;
        }
    }

    /**
     * A reader's descent with <em>latch coupling</em>: takes the tree's root latch
     * ({@link BPlusTree#rootLatch}) shared, reads the tree's root (null for an empty tree), takes
     * the root page latched shared ({@link BufferPool#read}), lets go of the root latch; then, from
     * each internal page, takes the child whose range holds {@code key} ({@link BPlusTree#childSlot})
     * latched shared, and only then closes the parent's guard: a writer can never change a page
     * between the moment the reader chose it and the moment it latches it. Returns the leaf's guard,
     * pinned and latched shared; the caller closes it. If a fetch fails, the page held is let go
     * before the exception leaves.
     */
    PageGuard findLeafShared(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T11
        PageGuard g;
        long stamp = tree.rootLatch.readLock();
        try {
            if (tree.root == NO_PAGE) {
                return null;
            }
            g = pool.read(tree.root);
        } finally {
            tree.rootLatch.unlockRead(stamp);
        }
        try {
            while (!g.page().isLeaf()) {
                SlottedPage page = g.page();
                PageGuard child = pool.read(page.childAt(BPlusTree.childSlot(page, key)));
                g.close();
                g = child;
            }
            return g;
        } catch (IOException | RuntimeException e) {
            g.close();
            throw e;
        }
        // END SOLUTION
    }

    /**
     * The optimistic writer's descent: as {@link #findLeafShared}, but the leaf is returned latched
     * <em>exclusive</em>, for a put or delete that hopes to need no split or merge. The internal
     * pages are only read, so they are latched shared; a page's type is known only once it is
     * latched, so on reaching the leaf the descent trades its shared latch for an exclusive one
     * ({@link PageGuard#upgradeToExclusive}) while it still holds the parent's shared latch (or the
     * root latch, for a root leaf): no split or merge can move the leaf meanwhile, because that needs
     * the parent exclusive. Null for an empty tree; the caller closes the leaf's guard.
     */
    PageGuard findLeafExclusive(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T11
        PageGuard g;
        long stamp = tree.rootLatch.readLock();
        try {
            if (tree.root == NO_PAGE) {
                return null;
            }
            g = pool.read(tree.root);
            if (g.page().isLeaf()) {
                g.upgradeToExclusive();
                return g;
            }
        } finally {
            tree.rootLatch.unlockRead(stamp);
        }
        try {
            while (true) {
                SlottedPage page = g.page();
                PageGuard child = pool.read(page.childAt(BPlusTree.childSlot(page, key)));
                if (child.page().isLeaf()) {
                    child.upgradeToExclusive();
                    g.close();
                    return child;
                }
                g.close();
                g = child;
            }
        } catch (IOException | RuntimeException e) {
            g.close();
            throw e;
        }
        // END SOLUTION
    }

    /**
     * The structure change's descent (<em>latch crabbing</em>): the caller holds the structure
     * lock and the root latch exclusive. Takes the root latched exclusive ({@link BufferPool#write}),
     * then each child toward {@code key} the same way, recording the slot followed as
     * {@link WritePath#pinned} does. Each time a page is latched that is {@linkplain #isSafe safe},
     * every page above it and the root latch are let go ({@link WritePath#releaseAbove}): whatever
     * the split or merge below does, it stops there. Returns the path
     * ({@link WritePath#WritePath(java.util.concurrent.locks.StampedLock)}); on a failure, the path
     * is closed before the exception leaves. The tree is not empty.
     */
    WritePath pathToExclusive(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T11
        WritePath path = new WritePath(tree.rootLatch);
        try {
            PageGuard g = pool.write(tree.root);
            path.push(g);
            if (isSafe(g.page(), true)) {
                path.releaseAbove(0);
            }
            while (!g.page().isLeaf()) {
                int slot = BPlusTree.childSlot(g.page(), key);
                path.addSlot(slot);
                g = pool.write(g.page().childAt(slot));
                path.push(g);
                if (isSafe(g.page(), false)) {
                    path.releaseAbove(path.leafLevel());
                }
            }
            return path;
        } catch (IOException | RuntimeException e) {
            path.close();
            throw e;
        }
        // END SOLUTION
    }

    /**
     * Whether {@code page} is <em>safe</em> for a structure change below it: whatever one split,
     * merge or redistribution of a child does to it (add a separator, remove one, or replace one
     * by another), it neither splits, nor (a non-root page) falls under half full, nor (the root)
     * is left with no key. A separator is at most {@link BPlusTree#longestKey} bytes of key, so: room
     * for one more such cell with its slot, and (non-root) still at least half full without one, or
     * (root) at least two keys. A leaf is never safe: the structure change is for the leaf itself.
     */
    boolean isSafe(SlottedPage page, boolean isRoot) {
        // BEGIN SOLUTION lab-04 T11
        if (page.isLeaf()) {
            return false;
        }
        int separator = PageFormat.SLOT_SIZE + PageFormat.internalCellSize(tree.longestKey.get());
        if (page.freeBytes() < separator) {
            return false;
        }
        return isRoot ? page.cellCount() >= 2 : page.usedBytes() - separator >= tree.underflowBytes;
        // END SOLUTION
    }

    /**
     * The optimistic put: in the leaf for {@code key} ({@link #findLeafExclusive}), if the change
     * needs no split and (a non-root leaf) does not shrink it under half full. Returns false, having
     * changed nothing, if it needs a structure change, or the tree is empty. A replacement that does
     * not shrink the leaf is made in place even in a leaf under half full: a split leaves a leaf just
     * under half (16 cells of 125 bytes in 4 KiB), and an overwrite there would otherwise take the
     * structure change's exclusive latches from the root down, holding up every reader for a
     * redistribution the put did not need. A value replaced by one of the same length is
     * overwritten where it lies ({@link SlottedPage#replaceValue}).
     */
    boolean putInLeaf(Bytes key, Bytes value) throws IOException {
        PageGuard leaf = findLeafExclusive(key);
        if (leaf == null) {
            return false; // the first key makes the root leaf: a structure change
        }
        try (leaf) {
            SlottedPage page = leaf.page();
            // Under the leaf's exclusive latch the root cannot become or stop being this leaf:
            // a root split or shrink would need this leaf latched.
            boolean isRoot = leaf.pageId() == tree.root;
            int cell = PageFormat.leafCellSize(key.length(), value.length());
            int i = BPlusTree.searchPage(page, key);
            if (i >= 0 && page.valueLength(i) == value.length()) {
                page.replaceValue(i, value); // the leaf's occupancy does not change: no split, no underflow
            } else if (i >= 0) {
                int old = page.cellSize(i);
                int after = page.usedBytes() - old + cell;
                if (after > tree.capacity || !isRoot && cell < old && after < tree.underflowBytes) {
                    return false;
                }
                page.remove(i);
                checkState(page.insertLeaf(i, key, value), "a replaced cell that fits did not go in: %s", page);
            } else {
                if (!page.fits(cell)) {
                    return false;
                }
                checkState(page.insertLeaf(-i - 1, key, value), "a cell that fits did not go in: %s", page);
                tree.entryCount.incrementAndGet();
            }
            leaf.markDirty();
            return true;
        }
    }

    /**
     * The optimistic delete: in the leaf for {@code key}, if it leaves a non-root leaf at least
     * half full and the root leaf not empty. Returns true if done (or the key is absent), false,
     * having changed nothing, if it needs a structure change.
     */
    boolean deleteInLeaf(Bytes key) throws IOException {
        PageGuard leaf = findLeafExclusive(key);
        if (leaf == null) {
            return true;
        }
        try (leaf) {
            SlottedPage page = leaf.page();
            int i = BPlusTree.searchPage(page, key);
            if (i < 0) {
                return true;
            }
            boolean isRoot = leaf.pageId() == tree.root;
            if (isRoot
                    ? page.cellCount() == 1
                    : page.usedBytes() - page.cellSize(i) - PageFormat.SLOT_SIZE < tree.underflowBytes) {
                return false;
            }
            page.remove(i);
            tree.entryCount.decrementAndGet();
            leaf.markDirty();
            return true;
        }
    }

    /** A tree change that may throw an {@link IOException}. */
    @FunctionalInterface
    interface TreeChange {
        void run() throws IOException;
    }

    /**
     * Runs {@code change} (T7's insert or T8's remove) as a structure change: alone among structure
     * changes and scan batches (the structure lock), with the root latch exclusive until the path
     * lets go of it, and {@link BPlusTree#longestKey} raised to {@code keyLength} first.
     */
    void changeStructure(int keyLength, TreeChange change) throws IOException {
        tree.smoLock.writeLock().lock();
        try {
            if (keyLength > tree.longestKey.get()) {
                tree.longestKey.set(keyLength);
            }
            tree.rootLatch.writeLock();
            try {
                tree.modCount++;
                change.run();
            } finally {
                tree.rootLatch.tryUnlockWrite(); // nothing if the path let go of it already
            }
        } finally {
            tree.smoLock.writeLock().unlock();
        }
    }

    /**
     * What {@link #pathToExclusive} holds once it reaches the leaf for a key: for each level from
     * the root down, whether the page is still held (latched exclusive), and whether the root latch
     * is. For tests: see {@link #structurePath}.
     */
    record HeldPath(List<Boolean> held, boolean rootLatchHeld) {}

    /**
     * Runs {@link #pathToExclusive} for {@code key} as a structure change would (structure lock,
     * root latch), reports what it holds at the leaf, and lets go of everything without changing
     * the tree. For tests; the tree must run with T11 and must not be empty.
     */
    HeldPath structurePath(Bytes key) throws IOException {
        checkState(tree.latchCrabbing(), "the tree runs on the tree-wide lock (T11 is not written)");
        tree.lock().readLock().lock();
        tree.smoLock.writeLock().lock();
        try {
            tree.rootLatch.writeLock();
            try {
                checkState(tree.root != NO_PAGE, "the tree is empty");
                try (WritePath path = pathToExclusive(key)) {
                    List<Boolean> held = new ArrayList<>();
                    for (int level = 0; level <= path.leafLevel(); level++) {
                        held.add(path.holds(level));
                    }
                    return new HeldPath(held, tree.rootLatch.isWriteLocked());
                }
            } finally {
                tree.rootLatch.tryUnlockWrite();
            }
        } finally {
            tree.smoLock.writeLock().unlock();
            tree.lock().readLock().unlock();
        }
    }
}
