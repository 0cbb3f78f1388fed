package dev.storagelab.btree;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the hidden tests (in {@code dev.storagelab.btree.hidden}) see of the B+tree's insides: its
 * root, its page table's counters and its buffer pool, and a way to build a standalone buffer
 * pool over a fresh page file. Every method reads or builds; none changes a tree.
 */
public final class Internals {

    private Internals() {}

    /** The root's logical id, or {@link PageFormat#NO_PAGE} for an empty tree. */
    public static long rootId(BPlusTree tree) {
        tree.lock().writeLock().lock();
        try {
            return tree.rootId();
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    /** Whether the tree runs readers beside writers with page latches (T11 written), not on the tree-wide lock. */
    public static boolean latchCrabbing(BPlusTree tree) {
        return tree.latchCrabbing();
    }

    /**
     * For each level of the path a structure change for {@code key} latches, root first, whether
     * it still holds the page once it reaches the leaf; and, last, whether it still holds the root
     * latch. Changes nothing.
     */
    public static List<Boolean> structurePathHeld(BPlusTree tree, Bytes key) throws IOException {
        LatchCrabbing.HeldPath path = tree.latches.structurePath(key);
        List<Boolean> out = new ArrayList<>(path.held());
        out.add(path.rootLatchHeld());
        return out;
    }

    /**
     * Holds the leaf that holds {@code key} as a reader ({@code exclusive} false) or a writer in
     * the middle of changing it would: pinned and latched, until the returned handle is closed.
     * Call it while no other thread uses the tree.
     */
    public static AutoCloseable holdLeaf(BPlusTree tree, Bytes key, boolean exclusive) throws IOException {
        long leafId;
        tree.lock().writeLock().lock();
        try {
            SlottedPage page = tree.copyOf(tree.rootId());
            leafId = tree.rootId();
            while (!page.isLeaf()) {
                leafId = page.childAt(BPlusTree.childSlot(page, key));
                page = tree.copyOf(leafId);
            }
        } finally {
            tree.lock().writeLock().unlock();
        }
        return tree.pool().guard(leafId, exclusive ? PageGuard.Latch.EXCLUSIVE : PageGuard.Latch.SHARED)::close;
    }

    /** The id of the leaf that holds {@code key} now; call it while no other thread uses the tree. */
    public static long leafOf(BPlusTree tree, Bytes key) throws IOException {
        tree.lock().writeLock().lock();
        try {
            long id = tree.rootId();
            SlottedPage page = tree.copyOf(id);
            while (!page.isLeaf()) {
                id = page.childAt(BPlusTree.childSlot(page, key));
                page = tree.copyOf(id);
            }
            return id;
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    /**
     * The ids of the pages from the root down to the leaf that holds {@code key} now, root first;
     * call it while no other thread uses the tree.
     */
    public static List<Long> pathOf(BPlusTree tree, Bytes key) throws IOException {
        tree.lock().writeLock().lock();
        try {
            List<Long> ids = new ArrayList<>();
            long id = tree.rootId();
            SlottedPage page = tree.copyOf(id);
            ids.add(id);
            while (!page.isLeaf()) {
                id = page.childAt(BPlusTree.childSlot(page, key));
                page = tree.copyOf(id);
                ids.add(id);
            }
            return ids;
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    /** Whether page {@code pageId} is in a frame whose latch some thread holds shared now. Changes nothing. */
    public static boolean latchedShared(BPlusTree tree, long pageId) {
        return tree.pool().frameStates().stream()
                .anyMatch(f -> f.get("page").equals(pageId) && f.get("latch").equals("s"));
    }

    /** How the tree's page file is used now (pages in use, physical pages, free pages, checkpoint). */
    public static PageTable.Usage pageUsage(BPlusTree tree) {
        return tree.pageUsage();
    }

    /** The tree's buffer pool. */
    public static BufferPool pool(BPlusTree tree) {
        return tree.pool();
    }

    /**
     * A buffer pool of {@code frames} frames over a new, formatted page file {@code name} in
     * {@code storage} (an empty checkpoint 0), evicting with {@code replacer}: the
     * {@link LockedBufferPool} of T6. Pages come from {@link BufferPool#create} and are written back
     * through the page table, as in a tree.
     */
    public static BufferPool newPool(Storage storage, String name, int pageSize, int frames, Replacer replacer)
            throws IOException {
        return newPool(BufferPool.Kind.LOCKED, storage, name, pageSize, frames, replacer);
    }

    /** As {@link #newPool(Storage, String, int, int, Replacer)}, with the {@link LockFreeBufferPool} of T12. */
    public static BufferPool newLockFreePool(Storage storage, String name, int pageSize, int frames, Replacer replacer)
            throws IOException {
        return newPool(BufferPool.Kind.LOCK_FREE, storage, name, pageSize, frames, replacer);
    }

    private static BufferPool newPool(
            BufferPool.Kind kind, Storage storage, String name, int pageSize, int frames, Replacer replacer)
            throws IOException {
        storage.create(name).close();
        PageFile file = new PageFile(storage, name, pageSize);
        PageTable.format(file);
        file.force();
        return kind.create(file, PageTable.open(file), frames, replacer);
    }

    /**
     * A lock-free buffer pool (T12) of {@code frames} frames over the page file {@code name} that
     * {@code storage} already holds, opened at its last checkpoint, evicting with {@code replacer}.
     */
    public static BufferPool openLockFreePool(Storage storage, String name, int pageSize, int frames, Replacer replacer)
            throws IOException {
        PageFile file = new PageFile(storage, name, pageSize);
        return new LockFreeBufferPool(file, PageTable.open(file), frames, replacer);
    }

    /** Writes every dirty page of {@code pool} and takes a checkpoint of its page table (no tree: no root). */
    public static void checkpoint(BufferPool pool) throws IOException {
        pool.checkpoint(PageFormat.NO_PAGE, 0);
    }

    /** Where page {@code pageId} is read from now: its physical page number. */
    public static long physicalForRead(BufferPool pool, long pageId) throws IOException {
        return pool.physicalForRead(pageId);
    }

    /** Where page {@code pageId} is written until the next checkpoint (assigns it, copy-on-write, if needed). */
    public static long physicalForWrite(BufferPool pool, long pageId) {
        return pool.physicalForWrite(pageId);
    }

    /** The classes a lock-free pool's fetch runs through, package-private ones too, for a model checker to instrument. */
    public static Class<?>[] lockFreePoolClasses() {
        return new Class<?>[] {
            BufferPool.class,
            BufferPool.Frame.class,
            LockFreeBufferPool.class,
            LockFreeBufferPool.LoadingFrame.class,
            PageFrameMap.class,
            AccessQueue.class
        };
    }
}
