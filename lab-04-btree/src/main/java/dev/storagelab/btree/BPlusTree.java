package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A disk B+tree: every key and value lives in a leaf page, leaves are linked both ways for range
 * scans, and internal pages hold separator keys that route a search from the root to the one leaf
 * that can hold a key. Pages are read and written through a {@link BufferPool}; a
 * {@link #checkpoint()} makes the tree durable through the {@link PageTable}'s copy-on-write, so a
 * crash reopens the tree exactly as the last completed checkpoint left it.
 *
 * <p><b>Durability:</b> a write is durable once {@link #checkpoint()} (or {@link #sync()}, or
 * {@link #close()}) returns after it; writes since the last checkpoint are lost in a crash (lab-06
 * adds the write-ahead log that replays them). A checkpoint that fails (an I/O error, a failed
 * force) leaves the tree refusing writes until it is reopened; see {@link #checkpointFailure}.
 *
 * <p><b>Concurrency:</b> many readers or one writer at a time ({@link ReentrantReadWriteLock}).
 * Scans take the read lock one leaf at a time, so an open scan never blocks a writer; see
 * {@link TreeScan} for what a scan sees of concurrent writes.
 *
 * <p><b>Occupancy:</b> a page splits when an insert does not fit; a non-root page that a delete
 * leaves under half full is merged with a sibling if the two fit in one page, and otherwise
 * shares cells with it until both are about equally full. Every non-root page is therefore at
 * least a quarter full (see the handout for why a quarter and not a half).
 *
 * <p>Keys are at most {@link PageFormat#maxKeyBytes} and a key with its value at most one
 * {@linkplain PageFormat#maxCellSize quarter page}: 1000 and 1003 bytes with 4 KiB pages. Larger
 * values would go to overflow pages, which this tree does not have: they are refused with an
 * {@link IllegalArgumentException} that says so.
 */
public final class BPlusTree implements OrderedStore {

    /** The page file's name in the tree's storage. */
    public static final String FILE_NAME = "btree.pages";
    private static final String TEMP_NAME = FILE_NAME + ".tmp";

    private final CountingStorage io;
    private final BTreeOptions options;
    private final PageFile file;
    private final BufferPool pool;
    private final StoreMetrics metrics;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int capacity;
    /** A non-root page under this many used bytes is rebalanced. */
    private final int underflowBytes;
    private long root;
    private long entryCount;
    /** Bumped by every change to the tree; a scan follows a sibling link only if it has not moved. */
    private volatile long modCount;
    private boolean closed;
    /**
     * Why a checkpoint failed, or null. After a failed force the kernel may have dropped the dirty
     * pages it could not write and a retried force can "succeed" without them (PostgreSQL's
     * fsyncgate, 2018), so the tree takes no more writes or checkpoints: reopen it, and it comes
     * back at the last checkpoint that did complete.
     */
    private IOException checkpointFailure;

    private BPlusTree(CountingStorage io, BTreeOptions options, PageFile file, PageTable table, MetaPage meta) {
        this.io = io;
        this.options = options;
        this.file = file;
        this.pool = new BufferPool(file, table, options.poolFrames(), options.replacer().create(options.poolFrames()));
        this.metrics = new StoreMetrics(io);
        this.capacity = PageFormat.capacity(options.pageSize());
        this.underflowBytes = capacity / 2;
        this.root = meta.root();
        this.entryCount = meta.entryCount();
    }

    /**
     * Opens the tree in {@code storage}, creating an empty one if there is none. A new page file is
     * written under a temporary name, forced, renamed into place and the directory synced: the
     * file exists under its real name only once it is whole.
     *
     * @throws dev.storagelab.kv.CorruptionException if neither meta slot is valid, or the page table
     *                                                of the newest checkpoint fails its checks
     * @throws IllegalArgumentException               if the file was created with another page size
     */
    public static BPlusTree open(Storage storage, BTreeOptions options) throws IOException {
        CountingStorage io = new CountingStorage(storage);
        if (io.exists(TEMP_NAME)) {
            io.delete(TEMP_NAME); // a creation that crashed before its rename: nothing was ever acknowledged
        }
        if (!io.exists(FILE_NAME)) {
            io.create(TEMP_NAME).close();
            try (PageFile fresh = new PageFile(io, TEMP_NAME, options.pageSize())) {
                PageTable.format(fresh);
                fresh.force();
            }
            io.rename(TEMP_NAME, FILE_NAME);
            io.syncDirectory();
        }
        PageFile file = new PageFile(io, FILE_NAME, options.pageSize());
        try {
            PageTable table = PageTable.open(file);
            return new BPlusTree(io, options, file, table, MetaPage.newest(file));
        } catch (CorruptionException e) {
            file.close();
            int written = MetaPage.writtenPageSize(io, FILE_NAME, options.pageSize());
            if (written > 0) {
                throw new IllegalArgumentException(io.describe(FILE_NAME) + " was created with " + written
                        + "-byte pages; open it with pageSize " + written + ", not " + options.pageSize(), e);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Opens the tree in {@code storage} with {@link BTreeOptions#defaults()}. */
    public static BPlusTree open(Storage storage) throws IOException {
        return open(storage, BTreeOptions.defaults());
    }

    public BTreeOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- the store interface

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        long start = System.nanoTime();
        Optional<Bytes> result;
        lock.readLock().lock();
        try {
            checkOpen();
            result = Optional.empty();
            if (root != NO_PAGE) {
                Frame leaf = findLeaf(key);
                try {
                    SlottedPage page = leaf.page();
                    int i = page.search(key);
                    if (i >= 0) {
                        result = Optional.of(page.value(i));
                    }
                } finally {
                    pool.unpin(leaf, false);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        metrics.recordGet(result.isPresent(), System.nanoTime() - start);
        return result;
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        checkEntry(key, value);
        long start = System.nanoTime();
        lock.writeLock().lock();
        try {
            checkWritable();
            modCount++;
            insert(key, value);
        } finally {
            lock.writeLock().unlock();
        }
        metrics.recordWrite(Entry.put(key, value), System.nanoTime() - start);
    }

    @Override
    public void delete(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        long start = System.nanoTime();
        lock.writeLock().lock();
        try {
            checkWritable();
            modCount++;
            remove(key);
        } finally {
            lock.writeLock().unlock();
        }
        metrics.recordWrite(Entry.tombstone(key), System.nanoTime() - start);
    }

    /** Takes a {@linkplain #checkpoint() checkpoint}: every write that has returned is durable after it. */
    @Override
    public void sync() throws IOException {
        checkpoint();
    }

    /**
     * Makes the tree as it is now durable: writes every dirty page copy-on-write, then the page
     * table, then the meta page (see {@link PageTable#checkpoint}). Returns the checkpoint's
     * generation. A crash at any moment during it reopens at this checkpoint or the previous one.
     */
    public long checkpoint() throws IOException {
        lock.writeLock().lock();
        try {
            checkWritable();
            return takeCheckpoint();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long takeCheckpoint() throws IOException {
        try {
            return pool.checkpoint(root, entryCount).generation();
        } catch (IOException e) {
            checkpointFailure = e;
            throw e;
        }
    }

    /**
     * Takes a checkpoint and closes the file. Idempotent. If an earlier checkpoint failed, the file
     * is closed without one and the failure is reported again: the writes since the last
     * completed checkpoint are lost, as in a crash.
     */
    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try (PageFile f = file) {
                if (checkpointFailure != null) {
                    throw new IOException("closed " + this + " without a checkpoint: an earlier checkpoint failed, so"
                            + " the writes since the last completed checkpoint are lost", checkpointFailure);
                }
                takeCheckpoint();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The number of keys in the tree. */
    public long size() {
        lock.readLock().lock();
        try {
            return entryCount;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The entries with {@code from <= key < to}, in increasing key order, along the leaf links;
     * see {@link TreeScan} for what a scan sees of concurrent writes.
     */
    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return openScan(from, to, false);
    }

    /** The same range as {@link #scan}, in decreasing key order, along the leaves' prev links. */
    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return openScan(from, to, true);
    }

    private EntryIterator openScan(Bytes from, Bytes to, boolean descending) {
        checkArgument(from == null || to == null || from.compareTo(to) <= 0,
                "range start %s is after its end %s; a range is [from, to)", from, to);
        lock.readLock().lock();
        try {
            checkOpen();
        } finally {
            lock.readLock().unlock();
        }
        return new TreeScan(this, from, to, descending);
    }

    /** Counters and latency percentiles; page reads are the pool's misses. */
    public StoreMetrics.Snapshot metrics() {
        return metrics.snapshot();
    }

    /** The buffer pool's counters. */
    public BufferPool.PoolStats poolStats() {
        return pool.stats();
    }

    // ---------------------------------------------------------------- package-private access for scans, dumps, checks

    ReentrantReadWriteLock lock() {
        return lock;
    }

    long modCount() {
        return modCount;
    }

    long rootId() {
        return root;
    }

    BufferPool pool() {
        return pool;
    }

    PageTable.Usage pageUsage() {
        return pool.pageUsage();
    }

    int capacity() {
        return capacity;
    }

    void checkOpen() {
        checkState(!closed, "the B+tree is closed");
    }

    /** Checks that the tree is open and no checkpoint has failed: the state a write needs. */
    private void checkWritable() {
        checkOpen();
        if (checkpointFailure != null) {
            throw new IllegalStateException("a checkpoint of " + this + " failed, so it takes no more writes or"
                    + " checkpoints; reopen it to continue from the last completed checkpoint", checkpointFailure);
        }
    }

    private void checkEntry(Bytes key, Bytes value) {
        KeyValueStore.checkKey(key);
        KeyValueStore.checkValue(value);
        int pageSize = options.pageSize();
        checkArgument(key.length() <= PageFormat.maxKeyBytes(pageSize),
                "key is %s bytes; a B+tree with %s-byte pages takes keys up to %s bytes", key.length(), pageSize,
                PageFormat.maxKeyBytes(pageSize));
        int cell = PageFormat.leafCellSize(key.length(), value.length());
        checkArgument(cell <= PageFormat.maxCellSize(pageSize),
                "a %s-byte key with a %s-byte value needs a %s-byte cell; a B+tree with %s-byte pages holds cells up to"
                        + " %s bytes (a quarter page) and has no overflow pages for larger values",
                key.length(), value.length(), cell, pageSize, PageFormat.maxCellSize(pageSize));
    }

    // ---------------------------------------------------------------- search

    /**
     * Descends from the root to the leaf whose key range holds {@code key} and returns it pinned;
     * every internal page on the way is unpinned as soon as its child is known. In an internal page
     * the child to follow is the one of the last cell whose key is {@code <= key}, or the leftmost
     * child when every key is greater. The tree must not be empty.
     */
    Frame findLeaf(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        Frame f = pool.fetch(root);
        while (!f.page().isLeaf()) {
            SlottedPage page = f.page();
            long child = page.childAt(childSlot(page, key));
            pool.unpin(f, false);
            f = pool.fetch(child);
        }
        return f;
        // END SOLUTION
    }

    /**
     * The slot of the child of internal {@code page} whose range holds {@code key}: the last cell
     * whose key is {@code <= key}, or -1 (the leftmost child) when every key is greater.
     */
    static int childSlot(SlottedPage page, Bytes key) {
        int i = page.search(key);
        return i >= 0 ? i : -i - 2;
    }

    /** Descends along the last child of every internal page to the rightmost leaf, and returns it pinned. */
    Frame findRightmostLeaf() throws IOException {
        Frame f = pool.fetch(root);
        while (!f.page().isLeaf()) {
            SlottedPage page = f.page();
            long child = page.childAt(page.cellCount() - 1);
            pool.unpin(f, false);
            f = pool.fetch(child);
        }
        return f;
    }

    // ---------------------------------------------------------------- the path of a write

    /**
     * The pages from the root down to a leaf, all pinned, with the slot followed in each internal
     * page (-1: the leftmost child). A write keeps its whole path pinned, because a split or a merge
     * may change every page on it; {@link #release()} unpins them all, dirty or not.
     */
    static final class Path {
        final List<Frame> frames = new ArrayList<>();
        final List<Integer> slots = new ArrayList<>();
        final List<Boolean> dirty = new ArrayList<>();
        private final BufferPool pool;

        Path(BufferPool pool) {
            this.pool = pool;
        }

        void push(Frame frame) {
            frames.add(frame);
            dirty.add(false);
        }

        Frame frame(int level) {
            return frames.get(level);
        }

        SlottedPage page(int level) {
            return frames.get(level).page();
        }

        int slot(int level) {
            return slots.get(level);
        }

        int leafLevel() {
            return frames.size() - 1;
        }

        void markDirty(int level) {
            dirty.set(level, true);
        }

        /** Takes the page at {@code level} out of the path, for a page that was discarded. */
        void forget(int level) {
            frames.set(level, null);
        }

        void release() {
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i) != null) {
                    pool.unpin(frames.get(i), dirty.get(i));
                }
            }
        }
    }

    /** Pins the path from the root to the leaf for {@code key}. The tree must not be empty. */
    private Path pathTo(Bytes key) throws IOException {
        Path path = new Path(pool);
        try {
            Frame f = pool.fetch(root);
            path.push(f);
            while (!f.page().isLeaf()) {
                int slot = childSlot(f.page(), key);
                path.slots.add(slot);
                f = pool.fetch(f.page().childAt(slot));
                path.push(f);
            }
            return path;
        } catch (IOException | RuntimeException e) {
            path.release();
            throw e;
        }
    }

    // ---------------------------------------------------------------- insert

    /**
     * Inserts or replaces {@code key -> value}. An empty tree gets a root leaf. Otherwise the new
     * cell goes into the leaf for {@code key} (replacing the old cell of the same key); a leaf with
     * no room splits ({@link #splitLeaf}) and its new right half is added to the parent
     * ({@link #insertSeparator}), which may split in turn, up to the root. A shorter value that
     * replaces a longer one shrinks the leaf as a delete does: a non-root leaf left under half full
     * is rebalanced ({@link #rebalance}), or the quarter-full rule would break.
     */
    private void insert(Bytes key, Bytes value) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        if (root == NO_PAGE) {
            Frame f = pool.create(PageFormat.TYPE_LEAF);
            f.page().insertLeaf(0, key, value);
            root = f.pageId();
            entryCount++;
            pool.unpin(f, true);
            return;
        }
        Path path = pathTo(key);
        try {
            int level = path.leafLevel();
            SlottedPage leaf = path.page(level);
            path.markDirty(level);
            int i = leaf.search(key);
            boolean replacing = i >= 0;
            if (replacing) {
                leaf.remove(i);
            } else {
                i = -i - 1;
                entryCount++;
            }
            if (!leaf.insertLeaf(i, key, value)) {
                splitLeaf(path, i, key, value);
            } else if (replacing && level > 0 && leaf.usedBytes() < underflowBytes) {
                rebalance(path, level); // a shorter value shrank the leaf, as a delete would
            }
        } finally {
            path.release();
        }
        // END SOLUTION
    }

    /**
     * Splits the leaf at the bottom of {@code path}, which has no room for {@code key -> value} at
     * slot {@code index}: its cells and the new one are cut in two halves of about equal bytes
     * ({@link CellList#splitPoint()}), the right half moves to a new leaf linked in after it (both
     * ways), and the right half's first key goes up to the parent as the separator.
     */
    private void splitLeaf(Path path, int index, Bytes key, Bytes value) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        int level = path.leafLevel();
        SlottedPage left = path.page(level);
        CellList cells = CellList.of(left);
        cells.insertLeaf(index, key, value);
        int m = cells.splitPoint();
        Frame rightFrame = pool.create(PageFormat.TYPE_LEAF);
        try {
            SlottedPage right = rightFrame.page();
            right.setNext(left.next());
            right.setPrev(left.pageId());
            cells.writeTo(left, 0, m);
            cells.writeTo(right, m, cells.size());
            left.setNext(right.pageId());
            setPrev(right.next(), right.pageId());
            insertSeparator(path, level - 1, cells.keys.get(m), right.pageId());
        } finally {
            pool.unpin(rightFrame, true);
        }
        // END SOLUTION
    }

    /** Sets the left-sibling link of leaf {@code leafId} (nothing if it is {@link PageFormat#NO_PAGE}). */
    private void setPrev(long leafId, long prev) throws IOException {
        if (leafId != NO_PAGE) {
            Frame f = pool.fetch(leafId);
            f.page().setPrev(prev);
            pool.unpin(f, true);
        }
    }

    /**
     * Adds separator {@code key} with child {@code child} to the internal page at {@code level} of
     * {@code path}, right after the slot the path followed there. If the page has no room it splits:
     * its cells and the new one are cut in two ({@link CellList#splitPoint()}), the middle cell's key
     * moves up (it is in neither half) and its child becomes the new right page's leftmost child; the
     * moved-up key is added to the level above the same way. At level -1 (above the root) a new root
     * is made with the old root as its leftmost child: the tree grows by one level.
     */
    private void insertSeparator(Path path, int level, Bytes key, long child) throws IOException {
        // BEGIN SOLUTION lab-04 T7
        if (level < 0) {
            Frame newRoot = pool.create(PageFormat.TYPE_INTERNAL);
            SlottedPage page = newRoot.page();
            page.setLeftmostChild(root);
            page.insertInternal(0, key, child);
            root = newRoot.pageId();
            pool.unpin(newRoot, true);
            return;
        }
        SlottedPage node = path.page(level);
        path.markDirty(level);
        int index = path.slot(level) + 1;
        if (node.insertInternal(index, key, child)) {
            return;
        }
        CellList cells = CellList.of(node);
        cells.insertInternal(index, key, child);
        int m = cells.splitPoint();
        long leftmost = node.leftmostChild();
        Frame rightFrame = pool.create(PageFormat.TYPE_INTERNAL);
        try {
            SlottedPage right = rightFrame.page();
            cells.writeTo(node, 0, m);
            node.setLeftmostChild(leftmost);
            cells.writeTo(right, m + 1, cells.size());
            right.setLeftmostChild(cells.children.get(m));
            insertSeparator(path, level - 1, cells.keys.get(m), right.pageId());
        } finally {
            pool.unpin(rightFrame, true);
        }
        // END SOLUTION
    }

    // ---------------------------------------------------------------- delete

    /**
     * Removes {@code key} if present. A root leaf left empty is freed (the tree becomes empty); any
     * other page left under half full is rebalanced ({@link #rebalance}).
     */
    private void remove(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T8
        if (root == NO_PAGE) {
            return;
        }
        Path path = pathTo(key);
        try {
            int level = path.leafLevel();
            SlottedPage leaf = path.page(level);
            int i = leaf.search(key);
            if (i < 0) {
                return;
            }
            leaf.remove(i);
            path.markDirty(level);
            entryCount--;
            if (level == 0) {
                if (leaf.cellCount() == 0) {
                    pool.discard(path.frame(0));
                    path.forget(0);
                    root = NO_PAGE;
                }
            } else if (leaf.usedBytes() < underflowBytes) {
                rebalance(path, level);
            }
        } finally {
            path.release();
        }
        // END SOLUTION
    }

    /**
     * Repairs the under-full page at {@code level} of {@code path} (level >= 1) with a sibling under
     * the same parent: the left one, or the right one if the page is its parent's leftmost child.
     * <ul>
     *   <li>If the two fit in one page (for internal pages, with the parent's separator pulled down
     *       between them), the right one is merged into the left and freed, and its separator leaves
     *       the parent. Leaf sibling links skip the freed leaf, both ways. A parent left under half
     *       full is rebalanced in turn; a root left with no key is freed and its only child becomes
     *       the root: the tree shrinks by one level.</li>
     *   <li>Otherwise their cells are redistributed into two halves of about equal bytes, and the
     *       parent's separator is replaced by the new right half's first key (leaves) or by the key
     *       that moves up (internal pages); see {@link #replaceSeparator}. A shorter separator
     *       shrinks the parent: a non-root parent it leaves under half full is rebalanced in
     *       turn (unless the replacement split it).</li>
     * </ul>
     */
    private void rebalance(Path path, int level) throws IOException {
        // BEGIN SOLUTION lab-04 T8
        SlottedPage parent = path.page(level - 1);
        int slot = path.slot(level - 1);
        boolean nodeIsLeft = slot < 0;
        int separator = nodeIsLeft ? 0 : slot;
        Frame siblingFrame = pool.fetch(nodeIsLeft ? parent.child(0) : parent.childAt(slot - 1));
        boolean siblingDiscarded = false;
        try {
            Frame leftFrame = nodeIsLeft ? path.frame(level) : siblingFrame;
            Frame rightFrame = nodeIsLeft ? siblingFrame : path.frame(level);
            SlottedPage left = leftFrame.page();
            SlottedPage right = rightFrame.page();
            path.markDirty(level);
            path.markDirty(level - 1);
            Bytes separatorKey = parent.key(separator);
            if (fitTogether(left, separatorKey, right)) {
                mergeInto(left, separatorKey, right);
                setPrev(left.isLeaf() ? left.next() : NO_PAGE, left.pageId());
                parent.remove(separator);
                pool.discard(rightFrame);
                if (rightFrame == siblingFrame) {
                    siblingDiscarded = true;
                } else {
                    path.forget(level);
                }
                if (level - 1 == 0) {
                    if (parent.cellCount() == 0) {
                        root = left.pageId();
                        pool.discard(path.frame(0));
                        path.forget(0);
                    }
                } else if (parent.usedBytes() < underflowBytes) {
                    rebalance(path, level - 1);
                }
            } else if (replaceSeparator(path, level - 1, separator, evenOut(left, separatorKey, right))
                    && level - 1 > 0 && parent.usedBytes() < underflowBytes) {
                rebalance(path, level - 1); // a shorter separator shrank the parent
            }
        } finally {
            if (!siblingDiscarded) {
                pool.unpin(siblingFrame, true);
            }
        }
        // END SOLUTION
    }

    /**
     * Whether {@code right} can be merged into {@code left}: their used bytes, plus for internal
     * pages the separator pulled down between them, fit in one page.
     */
    boolean fitTogether(SlottedPage left, Bytes separator, SlottedPage right) {
        int pulledDown = left.isLeaf() ? 0 : PageFormat.SLOT_SIZE + PageFormat.internalCellSize(separator.length());
        return left.usedBytes() + pulledDown + right.usedBytes() <= capacity;
    }

    /** The cells of {@code left} and {@code right}, with the separator pulled down between them for internal pages. */
    private static CellList cellsOf(SlottedPage left, Bytes separator, SlottedPage right) {
        CellList cells = CellList.of(left);
        if (!left.isLeaf()) {
            cells.addInternal(separator, right.leftmostChild());
        }
        return cells.addAll(right);
    }

    /**
     * Moves every cell of {@code right} into {@code left} (they {@linkplain #fitTogether fit}); a
     * leaf takes over the right leaf's next link. The caller frees {@code right}, fixes the next
     * leaf's prev link and removes the separator from the parent.
     */
    static void mergeInto(SlottedPage left, Bytes separator, SlottedPage right) {
        CellList cells = cellsOf(left, separator, right);
        long leftmost = left.leftmostChild();
        cells.writeTo(left, 0, cells.size());
        if (left.isLeaf()) {
            left.setNext(right.next());
        } else {
            left.setLeftmostChild(leftmost);
        }
    }

    /**
     * Rewrites {@code left} and {@code right} to hold their cells (with the parent's
     * {@code separator} between them for internal pages) cut in two halves of about equal bytes,
     * and returns the separator that now belongs between them in the parent.
     */
    static Bytes evenOut(SlottedPage left, Bytes separator, SlottedPage right) {
        CellList cells = cellsOf(left, separator, right);
        int m = cells.splitPoint();
        if (cells.leaf) {
            cells.writeTo(left, 0, m);
            cells.writeTo(right, m, cells.size());
            return cells.keys.get(m);
        }
        long leftmost = left.leftmostChild();
        cells.writeTo(left, 0, m);
        left.setLeftmostChild(leftmost);
        cells.writeTo(right, m + 1, cells.size());
        right.setLeftmostChild(cells.children.get(m));
        return cells.keys.get(m);
    }

    /**
     * Replaces the key of cell {@code index} in the internal page at {@code level} of {@code path}
     * with {@code key}, keeping its child. A longer key may not fit: then the page splits as an
     * insert would split it ({@link #insertSeparator}).
     *
     * @return true if the page took the new key in place; false if it split, which changed the
     *         path above it
     */
    private boolean replaceSeparator(Path path, int level, int index, Bytes key) throws IOException {
        SlottedPage node = path.page(level);
        long child = node.child(index);
        node.remove(index);
        if (node.insertInternal(index, key, child)) {
            return true;
        }
        path.slots.set(level, index - 1); // insertSeparator inserts right after the slot followed
        insertSeparator(path, level, key, child);
        return false;
    }

    // ---------------------------------------------------------------- bulk load

    /**
     * Builds the tree bottom-up from {@code sorted} entries, strictly increasing by key: leaves
     * filled to {@code fillFactor} of a page and linked, then each level of internal pages over the
     * one below, until one page is left: the root. Far faster than inserting one by one (no
     * descents, no splits, each page written once) and it packs leaves as full as asked, where
     * random inserts leave them about 69% full. If the last page of a level ends up under half
     * full, it is merged into the page before it if the two fit in one page, and shares cells with
     * it otherwise, as a delete would repair it.
     *
     * @param fillFactor the fraction of each page's capacity to fill, in [0.5, 1.0]
     * @throws IllegalStateException    if the tree is not empty
     * @throws IllegalArgumentException if the keys are not strictly increasing, an entry is a
     *                                  tombstone, or an entry is too large; the message names it.
     *                                  The tree is left empty, with no page in use
     */
    public void bulkLoad(Iterator<Entry> sorted, double fillFactor) throws IOException {
        checkArgument(fillFactor >= 0.5 && fillFactor <= 1.0, "fillFactor must be in [0.5, 1.0]: %s", fillFactor);
        lock.writeLock().lock();
        try {
            checkWritable();
            checkState(root == NO_PAGE, "bulk load needs an empty tree; this one has %s keys", entryCount);
            modCount++;
            try {
                new BulkLoader(this, (int) (capacity * fillFactor)).load(sorted);
            } catch (IOException | RuntimeException e) {
                // The tree was empty, so every page in use now is one the failed load built: free them
                // all, or they would stay allocated (and checkpointed) with nothing pointing at them.
                try {
                    pool.discardEverything();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Called by {@link BulkLoader} when it is done. */
    void installBulkLoaded(long newRoot, long entries) {
        root = newRoot;
        entryCount = entries;
    }

    /** Checks a bulk-loaded entry as {@link #put} checks its arguments. */
    void checkBulkEntry(Entry e) {
        checkArgument(!e.isTombstone(), "bulk load input holds a tombstone for %s", e.key());
        checkEntry(e.key(), e.value());
    }

    /**
     * A copy of page {@code pageId}, for dumps and checks: fetched, copied and unpinned at once.
     * The caller holds the read lock.
     */
    SlottedPage copyOf(long pageId) throws IOException {
        Frame f = pool.fetch(pageId);
        try {
            return new SlottedPage(f.data().clone());
        } finally {
            pool.unpin(f, false);
        }
    }

    @Override
    public String toString() {
        return "B+tree " + io.describe(FILE_NAME);
    }
}
