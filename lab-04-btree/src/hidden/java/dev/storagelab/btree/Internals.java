package dev.storagelab.btree;

import dev.storagelab.io.Storage;
import java.io.IOException;

/**
 * What the hidden tests (in {@code dev.storagelab.btree.hidden}) see of the B+tree's insides: its
 * root, its page table's counters and its buffer pool, and a way to build a standalone buffer
 * pool over a fresh page file. Every method reads or builds; none changes a tree.
 */
public final class Internals {

    private Internals() {
    }

    /** The root's logical id, or {@link PageFormat#NO_PAGE} for an empty tree. */
    public static long rootId(BPlusTree tree) {
        tree.lock().writeLock().lock();
        try {
            return tree.rootId();
        } finally {
            tree.lock().writeLock().unlock();
        }
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
     * {@code storage} (an empty checkpoint 0), evicting with {@code replacer}. Pages come from
     * {@link BufferPool#create} and are written back through the page table, as in a tree.
     */
    public static BufferPool newPool(Storage storage, String name, int pageSize, int frames, Replacer replacer)
            throws IOException {
        storage.create(name).close();
        PageFile file = new PageFile(storage, name, pageSize);
        PageTable.format(file);
        file.force();
        return new BufferPool(file, PageTable.open(file), frames, replacer);
    }
}
