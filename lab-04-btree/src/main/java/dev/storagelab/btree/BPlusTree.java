package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.lab.NotImplementedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

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
 * <p><b>Concurrency</b> (lab-04 T11): readers and writers run in parallel, each latching only the
 * pages it is on. A get descends with <em>latch coupling</em> (shared latch on the child, then let
 * go of the parent). A put or delete first tries the <em>optimistic</em> way: shared latches down
 * to the leaf, an exclusive latch on the leaf, and the change made there if the leaf needs no
 * split and no merge. Otherwise it starts again as a <em>structure change</em>: one at a time
 * (the {@linkplain #smoLock structure lock}), exclusive latches from the root down, letting go of
 * every ancestor above a page that is <em>safe</em> (a page that no change below it can split or
 * empty below half), and the split or merge of T7 and T8 done under those latches. Checkpoints,
 * bulk loads and close take the tree-wide lock exclusively and so wait for every operation in
 * flight. Until T11 is written the tree falls back to that tree-wide
 * {@link ReentrantReadWriteLock} alone: many readers or one writer at a time ({@link #latchCrabbing()}).
 * Scans take one leaf at a time and hold nothing between batches, so an open scan never blocks a
 * writer; see {@link TreeScan} for what a scan sees of concurrent writes.
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
    /** Hears splits, merges and checkpoints ({@link #setEventListener}); {@link EventListener#NONE} costs nothing. */
    private volatile EventListener events = EventListener.NONE;
    /**
     * The tree-wide lock. Without T11: readers share it, a writer holds it alone. With T11: every
     * get, put, delete and scan batch shares it, and only checkpoints, bulk loads, close and
     * whole-tree walks (dumps, checks) hold it alone, so they see no operation half done.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * With T11: the structure lock. A split or merge (a write that could not be done in its leaf)
     * holds it alone, so structure changes happen one at a time; a scan batch shares it, so no page
     * is split, merged, freed or relinked while a scan follows a sibling link.
     */
    private final ReentrantReadWriteLock smoLock = new ReentrantReadWriteLock();
    /**
     * With T11: the latch on the {@link #root} field, as if it were a page above the root. A
     * descent shares it while it reads the root's id and latches the root page; a structure change
     * holds it exclusive for as long as the root might split or shrink.
     */
    private final StampedLock rootLatch = new StampedLock();
    /** Whether this tree runs readers beside writers (T11 written), or falls back to the tree-wide lock. */
    private final boolean latchCrabbing;
    private final int capacity;
    /** A non-root page under this many used bytes is rebalanced. */
    private final int underflowBytes;
    private volatile long root;
    private final AtomicLong entryCount;
    /**
     * The longest key the tree may hold, which bounds every separator a split or a merge can move
     * into an internal page: what {@link #isSafe} measures room against. Only a structure change
     * raises it (a put with a longer key takes the structure-change path), so it is constant while
     * one runs. A reopened non-empty tree starts at the page's maximum key: its keys are not known.
     */
    private final AtomicInteger longestKey = new AtomicInteger();
    /**
     * Bumped by every change that can move keys between leaves or relink them (every write without
     * T11, every structure change with it); a scan follows a sibling link only if it has not moved.
     */
    private volatile long modCount;
    private volatile boolean closed;
    /**
     * Why a checkpoint failed, or null. After a failed force the kernel may have dropped the dirty
     * pages it could not write and a retried force can "succeed" without them (PostgreSQL's
     * fsyncgate, 2018), so the tree takes no more writes or checkpoints: reopen it, and it comes
     * back at the last checkpoint that did complete.
     */
    private IOException checkpointFailure;
    /**
     * Whether a write has begun since the tree was opened or last checkpointed: {@link #close}
     * takes a checkpoint only then, so that a tree opened and closed unchanged (an open of a store
     * above it that was refused) leaves its file as it was.
     */
    private volatile boolean written;

    private BPlusTree(CountingStorage io, BTreeOptions options, PageFile file, PageTable table, MetaPage meta) {
        this.io = io;
        this.options = options;
        this.file = file;
        this.pool = new BufferPool(file, table, options.poolFrames(), options.replacer().create(options.poolFrames()));
        this.metrics = new StoreMetrics(io);
        this.capacity = PageFormat.capacity(options.pageSize());
        this.underflowBytes = capacity / 2;
        this.root = meta.root();
        this.entryCount = new AtomicLong(meta.entryCount());
        this.longestKey.set(root == NO_PAGE ? 0 : PageFormat.maxKeyBytes(options.pageSize()));
        this.latchCrabbing = LatchProbe.IMPLEMENTED && !Boolean.getBoolean(TREE_LOCK_PROPERTY);
        pool.waitWhenFull(latchCrabbing);
    }

    /**
     * A shell with no file and no pages, only for {@link LatchProbe}: its root is
     * {@link PageFormat#NO_PAGE} and it has no pool, so the T11 methods called on it do nothing
     * that lasts.
     */
    private BPlusTree(BTreeOptions options) {
        this.io = null;
        this.options = options;
        this.file = null;
        this.pool = null;
        this.metrics = null;
        this.capacity = PageFormat.capacity(options.pageSize());
        this.underflowBytes = capacity / 2;
        this.root = NO_PAGE;
        this.entryCount = new AtomicLong();
        this.latchCrabbing = false;
    }

    /**
     * Set this system property to {@code true} (before a tree is opened) to run that tree on the
     * tree-wide lock even when T11 is written: for benchmarks that compare the two in one run.
     */
    public static final String TREE_LOCK_PROPERTY = "storagelab.btree.treeLock";

    /**
     * Finds out once whether T11 is written: each of its methods is called on an empty
     * {@linkplain #BPlusTree(BTreeOptions) shell}. A {@link NotImplementedException} from any of
     * them means it is not, and every tree falls back to the tree-wide lock; anything else (a
     * result, or a failure for want of a pool) means the student's code is there.
     */
    private static final class LatchProbe {
        static final boolean IMPLEMENTED = probe();

        private static boolean probe() {
            BPlusTree shell = new BPlusTree(BTreeOptions.defaults());
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
        if (!io.exists(FILE_NAME)) {
            deleteTemp(io);
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
            MetaPage newest = MetaPage.newest(file);
            // Only now, with the open sure to succeed, is anything deleted: a refused open changes nothing.
            deleteTemp(io);
            return new BPlusTree(io, options, file, table, newest);
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

    /** Deletes what a creation that crashed before its rename left: nothing in it was ever acknowledged. */
    private static void deleteTemp(Storage io) throws IOException {
        if (io.exists(TEMP_NAME)) {
            io.delete(TEMP_NAME);
        }
    }

    /**
     * Sets who hears this tree's page splits and merges, its checkpoints and its buffer pool's
     * evictions ({@link EventListener}); null for none. Set it before the tree is used.
     */
    public void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
        pool.setEventListener(this.events);
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
        Optional<Bytes> result = Optional.empty();
        lock.readLock().lock();
        try {
            checkOpen();
            Frame leaf = seekLeaf(key);
            if (leaf != null) {
                try {
                    SlottedPage page = leaf.page();
                    int i = page.search(key);
                    if (i >= 0) {
                        result = Optional.of(page.value(i));
                    }
                } finally {
                    releaseLeaf(leaf);
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
        if (latchCrabbing) {
            lock.readLock().lock();
            try {
                beginWrite();
                if (key.length() > longestKey.get() || !putInLeaf(key, value)) {
                    changeStructure(key.length(), () -> insert(key, value));
                }
            } finally {
                lock.readLock().unlock();
            }
        } else {
            lock.writeLock().lock();
            try {
                beginWrite();
                modCount++;
                insert(key, value);
            } finally {
                lock.writeLock().unlock();
            }
        }
        metrics.recordWrite(Entry.put(key, value), System.nanoTime() - start);
    }

    @Override
    public void delete(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        long start = System.nanoTime();
        if (latchCrabbing) {
            lock.readLock().lock();
            try {
                beginWrite();
                if (!deleteInLeaf(key)) {
                    changeStructure(0, () -> remove(key));
                }
            } finally {
                lock.readLock().unlock();
            }
        } else {
            lock.writeLock().lock();
            try {
                beginWrite();
                modCount++;
                remove(key);
            } finally {
                lock.writeLock().unlock();
            }
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
            long generation = takeCheckpoint();
            if (events.isEnabled()) events.onEvent(EngineEvent.of(EventType.CHECKPOINT, "engine", "btree", "generation", generation));
            return generation;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long takeCheckpoint() throws IOException {
        try {
            written = false; // under the write lock: no write runs until the checkpoint is done
            return pool.checkpoint(root, entryCount.get()).generation();
        } catch (IOException e) {
            checkpointFailure = e;
            throw e;
        }
    }

    /**
     * Takes a checkpoint (if anything was written since the last one) and closes the file.
     * Idempotent. If an earlier checkpoint failed, the file is closed without one and the failure
     * is reported again: the writes since the last completed checkpoint are lost, as in a crash.
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
                if (written) {
                    takeCheckpoint();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The number of keys in the tree. */
    public long size() {
        return entryCount.get();
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

    /**
     * The tree-wide lock. Whole-tree walks (dumps, invariant checks) hold its write lock: that
     * waits for every operation in flight, with or without T11.
     */
    ReentrantReadWriteLock lock() {
        return lock;
    }

    /** Whether this tree runs readers beside writers with page latches (T11), rather than on the tree-wide lock alone. */
    public boolean latchCrabbing() {
        return latchCrabbing;
    }

    /**
     * Starts a scan batch: shares the tree-wide lock and, with T11, the structure lock, so no split
     * or merge runs until {@link #endScanBatch()}. Checks that the tree is open.
     */
    void beginScanBatch() {
        lock.readLock().lock();
        if (latchCrabbing) {
            smoLock.readLock().lock();
        }
        try {
            checkOpen();
        } catch (RuntimeException e) {
            endScanBatch();
            throw e;
        }
    }

    /** Ends what {@link #beginScanBatch()} started. */
    void endScanBatch() {
        if (latchCrabbing) {
            smoLock.readLock().unlock();
        }
        lock.readLock().unlock();
    }

    /**
     * The leaf for {@code key}, pinned (and latched shared with T11), for reading: {@link #findLeafShared}
     * with T11, {@link #findLeaf} without. Null for an empty tree. Let go of it with {@link #releaseLeaf}.
     */
    Frame seekLeaf(Bytes key) throws IOException {
        if (latchCrabbing) {
            return findLeafShared(key);
        }
        return root == NO_PAGE ? null : findLeaf(key);
    }

    /**
     * Leaf {@code pageId}, pinned (and latched shared with T11), for a scan that follows a sibling
     * link it read in this {@linkplain #beginScanBatch batch} or an earlier one with no structure
     * change since.
     */
    Frame fetchLeaf(long pageId) throws IOException {
        return latchCrabbing ? fetchShared(pageId) : pool.fetch(pageId);
    }

    /** Lets go of a leaf from {@link #seekLeaf}, {@link #seekRightmostLeaf} or {@link #fetchLeaf}. */
    void releaseLeaf(Frame leaf) {
        if (latchCrabbing) {
            releaseShared(leaf);
        } else {
            pool.unpin(leaf, false);
        }
    }

    /** Page {@code pageId}, pinned and latched shared. */
    Frame fetchShared(long pageId) throws IOException {
        Frame f = pool.fetch(pageId);
        f.latchShared();
        return f;
    }

    /** Lets go of a page from {@link #fetchShared}: unlatch, then unpin. */
    void releaseShared(Frame f) {
        f.unlatchShared();
        pool.unpin(f, false);
    }

    /** Page {@code pageId}, pinned and latched exclusive. */
    Frame fetchExclusive(long pageId) throws IOException {
        Frame f = pool.fetch(pageId);
        f.latchExclusive();
        return f;
    }

    /** Lets go of a page from {@link #fetchExclusive}: unlatch, then unpin ({@code dirty} if changed). */
    void releaseExclusive(Frame f, boolean dirty) {
        f.unlatchExclusive();
        pool.unpin(f, dirty);
    }

    /**
     * A page a write changes beside its path (a sibling in {@link #rebalance}, the next leaf whose
     * prev link {@link #setPrev} fixes): pinned, and latched exclusive with T11. Let go of it with
     * {@link #releaseForWrite}.
     */
    Frame fetchForWrite(long pageId) throws IOException {
        return latchCrabbing ? fetchExclusive(pageId) : pool.fetch(pageId);
    }

    /** Lets go of a page from {@link #fetchForWrite}. */
    void releaseForWrite(Frame f, boolean dirty) {
        if (latchCrabbing) {
            releaseExclusive(f, dirty);
        } else {
            pool.unpin(f, dirty);
        }
    }

    /** Frees the page of {@code f}, which came from {@link #fetchForWrite} or a write's {@link Path}. */
    void discardForWrite(Frame f) {
        if (latchCrabbing) {
            f.unlatchExclusive();
        }
        pool.discard(f);
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

    /**
     * The generation of the tree's last durable checkpoint: the one it opened at, or the last it
     * took since. A layer above that records it with its own checkpoint can tell, on the next open,
     * whether the tree came back at that checkpoint or fell back to an older one (its newest meta
     * page damaged after the fact).
     */
    public long checkpointGeneration() {
        return pool.pageUsage().generation();
    }

    int capacity() {
        return capacity;
    }

    void checkOpen() {
        checkState(!closed, "the B+tree is closed");
    }

    /** Checks that the tree is open and no checkpoint has failed: the state a write needs. */
    /** {@link #checkWritable()} for a write, which {@link #close} will then checkpoint. */
    private void beginWrite() {
        checkWritable();
        written = true;
    }

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

    /**
     * Descends along the last child of every internal page to the rightmost leaf, and returns it
     * pinned (and latched shared with T11, coupling as {@link #findLeafShared} does); null for an
     * empty tree. Let go of it with {@link #releaseLeaf}.
     */
    Frame seekRightmostLeaf() throws IOException {
        Frame f;
        if (latchCrabbing) {
            long stamp = rootLatch.readLock();
            try {
                if (root == NO_PAGE) {
                    return null;
                }
                f = fetchShared(root);
            } finally {
                rootLatch.unlockRead(stamp);
            }
        } else {
            if (root == NO_PAGE) {
                return null;
            }
            f = pool.fetch(root);
        }
        try {
            while (!f.page().isLeaf()) {
                SlottedPage page = f.page();
                Frame child = fetchLeaf(page.childAt(page.cellCount() - 1));
                releaseLeaf(f);
                f = child;
            }
            return f;
        } catch (IOException | RuntimeException e) {
            releaseLeaf(f);
            throw e;
        }
    }

    // ---------------------------------------------------------------- the path of a write

    /**
     * The pages from the root down to a leaf, pinned, with the slot followed in each internal page
     * (-1: the leftmost child). Without T11 a write keeps its whole path pinned, because a split or
     * a merge may change every page on it; {@link #release()} unpins them all, dirty or not. With
     * T11 ({@link #pathToExclusive}) the pages are also latched exclusive, and the ones above a
     * safe page are let go early ({@link #releaseAbove}): their frames read null, their slots stay.
     */
    static final class Path {
        final List<Frame> frames = new ArrayList<>();
        final List<Integer> slots = new ArrayList<>();
        final List<Boolean> dirty = new ArrayList<>();
        private final BufferPool pool;
        /** Null without T11; with it, the tree whose root latch the path may hold. */
        private final BPlusTree latchedIn;
        private boolean holdsRootLatch;

        Path(BufferPool pool) {
            this.pool = pool;
            this.latchedIn = null;
        }

        /**
         * A path whose pages are latched exclusive in {@code tree}; the caller holds the tree's
         * root latch exclusive, and the path lets go of it in {@link #releaseAbove} or {@link #release}.
         */
        Path(BPlusTree tree) {
            this.pool = tree.pool;
            this.latchedIn = tree;
            this.holdsRootLatch = true;
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

        /**
         * T11: lets go of every page above {@code level}, and of the root latch: the page at
         * {@code level} is safe, so no change below it reaches them.
         */
        void releaseAbove(int level) {
            releaseRootLatch();
            for (int i = 0; i < level; i++) {
                releaseLevel(i);
            }
        }

        /** Lets go of every page still held (unlatched first with T11, then unpinned, dirty or not) and of the root latch. */
        void release() {
            releaseRootLatch();
            for (int i = 0; i < frames.size(); i++) {
                releaseLevel(i);
            }
        }

        private void releaseLevel(int i) {
            Frame f = frames.get(i);
            if (f != null) {
                frames.set(i, null);
                if (latchedIn != null) {
                    f.unlatchExclusive();
                }
                pool.unpin(f, dirty.get(i));
            }
        }

        private void releaseRootLatch() {
            if (holdsRootLatch) {
                holdsRootLatch = false;
                latchedIn.rootLatch.tryUnlockWrite();
            }
        }
    }

    /**
     * Pins the path from the root to the leaf for {@code key}: with T11 latched exclusive by
     * {@link #pathToExclusive}, whose caller holds the structure lock and the root latch. The tree
     * must not be empty.
     */
    private Path pathTo(Bytes key) throws IOException {
        if (latchCrabbing) {
            return pathToExclusive(key);
        }
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

    // ---------------------------------------------------------------- T11: readers beside writers

    /**
     * A reader's descent with <em>latch coupling</em>: takes the {@linkplain #rootLatch root latch}
     * shared, reads {@link #root} (null for an empty tree), fetches the root and latches it shared,
     * lets go of the root latch; then, from each internal page, fetches the child whose range holds
     * {@code key} ({@link #childSlot}), latches it shared, and only then lets go of the parent
     * ({@link #releaseShared}): a writer can never change a page between the moment the reader
     * chose it and the moment it latches it. Returns the leaf pinned and latched shared; let go of
     * it with {@link #releaseShared}. If a fetch fails, the page held is let go before the
     * exception leaves.
     */
    Frame findLeafShared(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T11
        Frame f;
        long stamp = rootLatch.readLock();
        try {
            if (root == NO_PAGE) {
                return null;
            }
            f = fetchShared(root);
        } finally {
            rootLatch.unlockRead(stamp);
        }
        try {
            while (!f.page().isLeaf()) {
                SlottedPage page = f.page();
                Frame child = fetchShared(page.childAt(childSlot(page, key)));
                releaseShared(f);
                f = child;
            }
            return f;
        } catch (IOException | RuntimeException e) {
            releaseShared(f);
            throw e;
        }
        // END SOLUTION
    }

    /**
     * The optimistic writer's descent: as {@link #findLeafShared}, but the leaf is returned latched
     * <em>exclusive</em>, for a put or delete that hopes to need no split or merge. The internal
     * pages are only read, so they are latched shared; a page's type is known only once it is
     * latched, so on reaching the leaf the descent trades its shared latch for an exclusive one
     * while it still holds the parent's shared latch (or the root latch, for a root leaf): no split
     * or merge can move the leaf meanwhile, because that needs the parent exclusive. Null for an
     * empty tree; let go of the leaf with {@link #releaseExclusive}.
     */
    Frame findLeafExclusive(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T11
        Frame f;
        long stamp = rootLatch.readLock();
        try {
            if (root == NO_PAGE) {
                return null;
            }
            f = fetchShared(root);
            if (f.page().isLeaf()) {
                f.unlatchShared();
                f.latchExclusive();
                return f;
            }
        } finally {
            rootLatch.unlockRead(stamp);
        }
        try {
            while (true) {
                SlottedPage page = f.page();
                Frame child = fetchShared(page.childAt(childSlot(page, key)));
                if (child.page().isLeaf()) {
                    child.unlatchShared();
                    child.latchExclusive();
                    releaseShared(f);
                    return child;
                }
                releaseShared(f);
                f = child;
            }
        } catch (IOException | RuntimeException e) {
            releaseShared(f);
            throw e;
        }
        // END SOLUTION
    }

    /**
     * The structure change's descent (<em>latch crabbing</em>): the caller holds the structure
     * lock and the root latch exclusive. Fetches the root and latches it exclusive, then each child
     * toward {@code key} the same way, recording the slot followed as {@link #pathTo} does. Each
     * time a page is latched that is {@linkplain #isSafe safe}, every page above it and the root
     * latch are let go ({@link Path#releaseAbove}): whatever the split or merge below does, it
     * stops there. Returns the path ({@link Path#Path(BPlusTree)}); on a failure, the path is
     * released before the exception leaves. The tree is not empty.
     */
    Path pathToExclusive(Bytes key) throws IOException {
        // BEGIN SOLUTION lab-04 T11
        Path path = new Path(this);
        try {
            Frame f = fetchExclusive(root);
            path.push(f);
            if (isSafe(f.page(), true)) {
                path.releaseAbove(0);
            }
            while (!f.page().isLeaf()) {
                int slot = childSlot(f.page(), key);
                path.slots.add(slot);
                f = fetchExclusive(f.page().childAt(slot));
                path.push(f);
                if (isSafe(f.page(), false)) {
                    path.releaseAbove(path.leafLevel());
                }
            }
            return path;
        } catch (IOException | RuntimeException e) {
            path.release();
            throw e;
        }
        // END SOLUTION
    }

    /**
     * Whether {@code page} is <em>safe</em> for a structure change below it: whatever one split,
     * merge or redistribution of a child does to it (add a separator, remove one, or replace one
     * by another), it neither splits, nor (a non-root page) falls under half full, nor (the root)
     * is left with no key. A separator is at most {@link #longestKey} bytes of key, so: room for one
     * more such cell with its slot, and (non-root) still at least half full without one, or (root)
     * at least two keys. A leaf is never safe: the structure change is for the leaf itself.
     */
    boolean isSafe(SlottedPage page, boolean isRoot) {
        // BEGIN SOLUTION lab-04 T11
        if (page.isLeaf()) {
            return false;
        }
        int separator = PageFormat.SLOT_SIZE + PageFormat.internalCellSize(longestKey.get());
        if (page.freeBytes() < separator) {
            return false;
        }
        return isRoot ? page.cellCount() >= 2 : page.usedBytes() - separator >= underflowBytes;
        // END SOLUTION
    }

    /**
     * The optimistic put: in the leaf for {@code key} ({@link #findLeafExclusive}), if the change
     * needs no split and (a non-root leaf) leaves it at least half full. Returns false, having
     * changed nothing, if it needs a structure change, or the tree is empty.
     */
    private boolean putInLeaf(Bytes key, Bytes value) throws IOException {
        Frame leaf = findLeafExclusive(key);
        if (leaf == null) {
            return false; // the first key makes the root leaf: a structure change
        }
        boolean changed = false;
        try {
            SlottedPage page = leaf.page();
            // Under the leaf's exclusive latch the root cannot become or stop being this leaf:
            // a root split or shrink would need this leaf latched.
            boolean isRoot = leaf.pageId() == root;
            int cell = PageFormat.leafCellSize(key.length(), value.length());
            int i = page.search(key);
            if (i >= 0) {
                int after = page.usedBytes() - page.cellSize(i) + cell;
                if (after > capacity || !isRoot && after < underflowBytes) {
                    return false;
                }
                page.remove(i);
                checkState(page.insertLeaf(i, key, value), "a replaced cell that fits did not go in: %s", page);
            } else {
                if (!page.fits(cell)) {
                    return false;
                }
                checkState(page.insertLeaf(-i - 1, key, value), "a cell that fits did not go in: %s", page);
                entryCount.incrementAndGet();
            }
            changed = true;
            return true;
        } finally {
            releaseExclusive(leaf, changed);
        }
    }

    /**
     * The optimistic delete: in the leaf for {@code key}, if it leaves a non-root leaf at least
     * half full and the root leaf not empty. Returns true if done (or the key is absent), false,
     * having changed nothing, if it needs a structure change.
     */
    private boolean deleteInLeaf(Bytes key) throws IOException {
        Frame leaf = findLeafExclusive(key);
        if (leaf == null) {
            return true;
        }
        boolean changed = false;
        try {
            SlottedPage page = leaf.page();
            int i = page.search(key);
            if (i < 0) {
                return true;
            }
            boolean isRoot = leaf.pageId() == root;
            if (isRoot ? page.cellCount() == 1
                    : page.usedBytes() - page.cellSize(i) - PageFormat.SLOT_SIZE < underflowBytes) {
                return false;
            }
            page.remove(i);
            entryCount.decrementAndGet();
            changed = true;
            return true;
        } finally {
            releaseExclusive(leaf, changed);
        }
    }

    /**
     * What {@link #pathToExclusive} holds once it reaches the leaf for a key: for each level from
     * the root down, whether the page is still held (latched exclusive), and whether the root latch
     * is. For tests: see {@link #structurePath}.
     */
    record HeldPath(List<Boolean> held, boolean rootLatchHeld) {
    }

    /**
     * Runs {@link #pathToExclusive} for {@code key} as a structure change would (structure lock,
     * root latch), reports what it holds at the leaf, and lets go of everything without changing
     * the tree. For tests; the tree must run with T11 and must not be empty.
     */
    HeldPath structurePath(Bytes key) throws IOException {
        checkState(latchCrabbing, "the tree runs on the tree-wide lock (T11 is not written)");
        lock.readLock().lock();
        smoLock.writeLock().lock();
        try {
            rootLatch.writeLock();
            try {
                checkState(root != NO_PAGE, "the tree is empty");
                Path path = pathToExclusive(key);
                try {
                    List<Boolean> held = new ArrayList<>();
                    for (Frame f : path.frames) {
                        held.add(f != null && f.isLatchedExclusive());
                    }
                    return new HeldPath(held, rootLatch.isWriteLocked());
                } finally {
                    path.release();
                }
            } finally {
                rootLatch.tryUnlockWrite();
            }
        } finally {
            smoLock.writeLock().unlock();
            lock.readLock().unlock();
        }
    }

    /** A tree change that may throw an {@link IOException}. */
    @FunctionalInterface
    private interface TreeChange {
        void run() throws IOException;
    }

    /**
     * Runs {@code change} (T7's insert or T8's remove) as a structure change: alone among structure
     * changes and scan batches (the structure lock), with the root latch exclusive until the path
     * lets go of it, and {@link #longestKey} raised to {@code keyLength} first.
     */
    private void changeStructure(int keyLength, TreeChange change) throws IOException {
        smoLock.writeLock().lock();
        try {
            if (keyLength > longestKey.get()) {
                longestKey.set(keyLength);
            }
            rootLatch.writeLock();
            try {
                modCount++;
                change.run();
            } finally {
                rootLatch.tryUnlockWrite(); // nothing if the path let go of it already
            }
        } finally {
            smoLock.writeLock().unlock();
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
            entryCount.incrementAndGet();
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
                entryCount.incrementAndGet();
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
            Frame f = fetchForWrite(leafId);
            f.page().setPrev(prev);
            releaseForWrite(f, true);
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
        if (events.isEnabled()) events.onEvent(TreeEvents.split(path.page(level + 1), child, key, level + 1, capacity)); // the page at level + 1 split
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
            entryCount.decrementAndGet();
            if (level == 0) {
                if (leaf.cellCount() == 0) {
                    discardForWrite(path.frame(0));
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
        Frame siblingFrame = fetchForWrite(nodeIsLeft ? parent.child(0) : parent.childAt(slot - 1));
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
                discardForWrite(rightFrame);
                if (rightFrame == siblingFrame) {
                    siblingDiscarded = true;
                } else {
                    path.forget(level);
                }
                if (level - 1 == 0) {
                    if (parent.cellCount() == 0) {
                        root = left.pageId();
                        discardForWrite(path.frame(0));
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
                releaseForWrite(siblingFrame, true);
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
        boolean fit = left.usedBytes() + pulledDown + right.usedBytes() <= capacity;
        if (fit && events.isEnabled()) events.onEvent(TreeEvents.merge(left, right)); // the caller merges the two whenever they fit
        return fit;
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
            beginWrite();
            checkState(root == NO_PAGE, "bulk load needs an empty tree; this one has %s keys", entryCount.get());
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
        entryCount.set(entries);
    }

    /** Checks a bulk-loaded entry as {@link #put} checks its arguments. */
    void checkBulkEntry(Entry e) {
        checkArgument(!e.isTombstone(), "bulk load input holds a tombstone for %s", e.key());
        checkEntry(e.key(), e.value());
        if (e.key().length() > longestKey.get()) {
            longestKey.set(e.key().length()); // under the tree-wide lock, exclusive
        }
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
