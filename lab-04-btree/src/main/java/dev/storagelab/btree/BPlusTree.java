package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.util.Iterator;
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
 * force) leaves the tree refusing writes until it is reopened; see {@link TreeFile}.
 *
 * <p><b>Concurrency</b> (lab-04 T11): readers and writers run in parallel, each latching only the
 * pages it is on. A get descends with <em>latch coupling</em> (shared latch on the child, then let
 * go of the parent); with the lock-free pool (T12) it first reads its cached path with no latch at
 * all, validating each page's latch version instead ({@link OptimisticGet}). A put or delete first tries the <em>optimistic</em> way: shared latches down
 * to the leaf, an exclusive latch on the leaf, and the change made there if the leaf needs no
 * split and no merge. Otherwise it starts again as a <em>structure change</em>: one at a time
 * (the {@linkplain #smoLock structure lock}), exclusive latches from the root down, letting go of
 * every ancestor above a page that is <em>safe</em> (a page that no change below it can split or
 * empty below half), and the split or merge of T7 and T8 done under those latches. Checkpoints,
 * bulk loads and close take the tree-wide lock exclusively and so wait for every operation in
 * flight but an optimistic get, which holds nothing and changes nothing. Until T11 is written the tree falls back to that tree-wide
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
 *
 * <p><b>Where the work is.</b> This class is the store: the tree-wide lock, the structure lock
 * and the root latch with the state they guard, and the calls that pick a task's code, with or
 * without T11. The page file's life (its creation, the checkpoints, a failed checkpoint, the close)
 * is {@link TreeFile}'s. Each task lives in a file named after its concept: {@link TreeInsert}
 * (T7, search and insert with splits), {@link TreeDelete} (T8, delete with merge and
 * redistribution), {@link TreeScan} (T9), {@link BulkLoader} (T10) and {@link LatchCrabbing}
 * (T11, readers beside writers). Every page they touch is held by a {@link PageGuard} (a write's
 * pages by a {@link WritePath} of them), closed by try-with-resources: no code pairs an unpin
 * with a fetch, or an unlatch with a latch, by hand.
 */
public final class BPlusTree implements OrderedStore {

    /** The page file's name in the tree's storage. */
    public static final String FILE_NAME = "btree.pages";

    private final BTreeOptions options;
    /** The page file over the tree's life: open, checkpoints, close, and a failed checkpoint. */
    private final TreeFile file;

    private final BufferPool pool;
    private final StoreMetrics metrics;
    /** Hears splits, merges and checkpoints ({@link #setEventListener}); {@link EventListener#NONE} costs nothing. */
    volatile EventListener events = dev.storagelab.events.TestRecording.listener();
    /**
     * The tree-wide lock. Without T11: readers share it, a writer holds it alone. With T11: every
     * get, put, delete and scan batch shares it, and only checkpoints, bulk loads, close and
     * whole-tree walks (dumps, checks) hold it alone, so they see no operation half done. An
     * optimistic get ({@link OptimisticGet}, with T11 and T12) does without it.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * With T11: the structure lock. A split or merge (a write that could not be done in its leaf)
     * holds it alone, so structure changes happen one at a time; a scan batch shares it, so no page
     * is split, merged, freed or relinked while a scan follows a sibling link.
     */
    final ReentrantReadWriteLock smoLock = new ReentrantReadWriteLock();
    /**
     * With T11: the latch on the {@link #root} field, as if it were a page above the root. A
     * descent shares it while it reads the root's id and latches the root page; a structure change
     * holds it exclusive for as long as the root might split or shrink.
     */
    final StampedLock rootLatch = new StampedLock();
    /** Whether this tree runs readers beside writers (T11 written), or falls back to the tree-wide lock. */
    private final boolean latchCrabbing;
    /** The bytes a page holds in slots and cells: {@link PageFormat#capacity}. */
    final int capacity;
    /** A non-root page under this many used bytes is rebalanced. */
    final int underflowBytes;
    /** The root's logical id, {@link PageFormat#NO_PAGE} for an empty tree: changed only by a write that holds the root's latch or the tree-wide lock alone. */
    volatile long root;

    final AtomicLong entryCount;
    /** T7: search and insert with splits. */
    final TreeInsert inserts;
    /** T8: delete with merge and redistribution. */
    final TreeDelete deletes;
    /** T11: the concurrent descents. */
    final LatchCrabbing latches;
    /**
     * Gets without pins or latches while their path is cached ({@link OptimisticGet}): with T11 and
     * the lock-free pool (T12), unless {@link #LATCHED_GETS_PROPERTY} is set; null otherwise.
     */
    private final OptimisticGet optimistic;
    /**
     * The longest key the tree may hold, which bounds every separator a split or a merge can move
     * into an internal page: what {@link LatchCrabbing#isSafe} measures room against. Only a structure change
     * raises it (a put with a longer key takes the structure-change path), so it is constant while
     * one runs. A reopened non-empty tree starts at the page's maximum key: its keys are not known.
     */
    final AtomicInteger longestKey = new AtomicInteger();
    /**
     * Bumped by every change that can move keys between leaves or relink them (every write without
     * T11, every structure change with it); a scan follows a sibling link only if it has not moved.
     */
    volatile long modCount;

    private BPlusTree(CountingStorage io, BTreeOptions options, TreeFile file) {
        this.options = options;
        this.file = file;
        this.pool = file.pool();
        this.metrics = new StoreMetrics(io);
        MetaPage meta = file.opened();
        this.capacity = PageFormat.capacity(options.pageSize());
        this.underflowBytes = capacity / 2;
        this.root = meta.root();
        this.entryCount = new AtomicLong(meta.entryCount());
        this.longestKey.set(root == NO_PAGE ? 0 : PageFormat.maxKeyBytes(options.pageSize()));
        this.inserts = new TreeInsert(this, pool);
        this.deletes = new TreeDelete(this);
        this.latches = new LatchCrabbing(this, pool);
        this.latchCrabbing = LatchCrabbing.Probe.IMPLEMENTED && !Boolean.getBoolean(TREE_LOCK_PROPERTY);
        this.optimistic = latchCrabbing
                        && pool instanceof LockFreeBufferPool lockFree
                        && !Boolean.getBoolean(LATCHED_GETS_PROPERTY)
                ? new OptimisticGet(this, lockFree)
                : null;
        pool.waitWhenFull(latchCrabbing);
    }

    /**
     * A shell with no file and no pages, only for {@link LatchCrabbing.Probe}: its root is
     * {@link PageFormat#NO_PAGE} and it has no pool, so the T11 methods called on it do nothing
     * that lasts.
     */
    private BPlusTree(BTreeOptions options) {
        this.options = options;
        this.file = null;
        this.pool = null;
        this.metrics = null;
        this.capacity = PageFormat.capacity(options.pageSize());
        this.underflowBytes = capacity / 2;
        this.root = NO_PAGE;
        this.entryCount = new AtomicLong();
        this.inserts = new TreeInsert(this, null);
        this.deletes = new TreeDelete(this);
        this.latches = new LatchCrabbing(this, null);
        this.latchCrabbing = false;
        this.optimistic = null;
    }

    /** An empty {@linkplain #BPlusTree(BTreeOptions) shell}, for {@link LatchCrabbing.Probe}. */
    static BPlusTree shell(BTreeOptions options) {
        return new BPlusTree(options);
    }

    /**
     * Set this system property to {@code true} (before a tree is opened) to run that tree on the
     * tree-wide lock even when T11 is written: for benchmarks that compare the two in one run.
     */
    public static final String TREE_LOCK_PROPERTY = "storagelab.btree.treeLock";

    /**
     * Set this system property to {@code true} (before a tree is opened) to make every get descend
     * with latch coupling (T11) even where it could read optimistically ({@link OptimisticGet}): for
     * benchmarks that compare the two in one build.
     */
    public static final String LATCHED_GETS_PROPERTY = "storagelab.btree.latchedGets";

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
        return new BPlusTree(io, options, TreeFile.open(io, options));
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
        long start = StoreMetrics.startTimer();
        Optional<Bytes> result = null;
        if (optimistic != null) {
            // Without the tree-wide lock: an optimistic get reads resident frames and changes no page,
            // so it needs nothing from what that lock keeps out (checkpoints, bulk loads, close), and
            // a cached get then writes no word that a writer's operations write too.
            checkOpen();
            result = optimistic.get(key);
        }
        if (result == null) {
            result = latchedGet(key);
        }
        metrics.recordGetSince(result.isPresent(), start);
        return result;
    }

    /** A get that pins (and with T11 latches) its way down to the leaf, under the tree-wide lock. */
    private Optional<Bytes> latchedGet(Bytes key) throws IOException {
        lock.readLock().lock();
        try {
            checkOpen();
            PageGuard leaf = seekLeaf(key);
            if (leaf != null) {
                try (leaf) {
                    return valueIn(leaf.page(), key);
                }
            }
            return Optional.empty();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        PageFormat.checkEntry(key, value, options.pageSize());
        long start = StoreMetrics.startTimer();
        if (latchCrabbing) {
            lock.readLock().lock();
            try {
                file.beginWrite();
                if (key.length() > longestKey.get() || !latches.putInLeaf(key, value)) {
                    latches.changeStructure(key.length(), () -> inserts.insert(key, value));
                }
            } finally {
                lock.readLock().unlock();
            }
            pool.afterWrite();
        } else {
            lock.writeLock().lock();
            try {
                file.beginWrite();
                modCount++;
                inserts.insert(key, value);
            } finally {
                lock.writeLock().unlock();
            }
        }
        metrics.recordWriteSince(Entry.put(key, value), start);
    }

    @Override
    public void delete(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        long start = StoreMetrics.startTimer();
        if (latchCrabbing) {
            lock.readLock().lock();
            try {
                file.beginWrite();
                if (!latches.deleteInLeaf(key)) {
                    latches.changeStructure(0, () -> deletes.remove(key));
                }
            } finally {
                lock.readLock().unlock();
            }
            pool.afterWrite();
        } else {
            lock.writeLock().lock();
            try {
                file.beginWrite();
                modCount++;
                deletes.remove(key);
            } finally {
                lock.writeLock().unlock();
            }
        }
        metrics.recordWriteSince(Entry.tombstone(key), start);
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
            file.checkWritable();
            long generation = file.checkpoint(root, entryCount.get());
            if (EventListener.EMIT && events.isEnabled())
                events.onEvent(EngineEvent.of(EventType.CHECKPOINT, "engine", "btree", "generation", generation));
            return generation;
        } finally {
            lock.writeLock().unlock();
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
            file.close(root, entryCount.get());
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
        checkArgument(
                from == null || to == null || from.compareTo(to) <= 0,
                "range start %s is after its end %s; a range is [from, to)",
                from,
                to);
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

    // ---------------------------------------------------------------- package-private access for the tasks, scans,
    // dumps, checks

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

    /** The latch a reader takes on each page: shared with T11, none without (the tree-wide lock keeps writers out). */
    PageGuard.Latch readLatch() {
        return latchCrabbing ? PageGuard.Latch.SHARED : PageGuard.Latch.NONE;
    }

    /**
     * The leaf for {@code key}, pinned (and latched shared with T11), for reading:
     * {@link LatchCrabbing#findLeafShared} with T11, {@link TreeInsert#findLeaf} without. Null for
     * an empty tree. The caller closes the guard.
     */
    PageGuard seekLeaf(Bytes key) throws IOException {
        if (latchCrabbing) {
            return latches.findLeafShared(key);
        }
        return root == NO_PAGE ? null : inserts.findLeaf(key);
    }

    /**
     * Leaf {@code pageId}, pinned (and latched shared with T11), for a scan that follows a sibling
     * link it read in this {@linkplain #beginScanBatch batch} or an earlier one with no structure
     * change since. The caller closes the guard.
     */
    PageGuard fetchLeaf(long pageId) throws IOException {
        return pool.guard(pageId, readLatch());
    }

    /**
     * A page a write changes beside its path (a sibling in {@link TreeDelete#rebalance}, the next
     * leaf whose prev link {@link #setPrev} fixes): pinned, and latched exclusive with T11. The
     * caller closes the guard.
     */
    PageGuard fetchForWrite(long pageId) throws IOException {
        return pool.guard(pageId, latchCrabbing ? PageGuard.Latch.EXCLUSIVE : PageGuard.Latch.NONE);
    }

    /** Sets the left-sibling link of leaf {@code leafId} (nothing if it is {@link PageFormat#NO_PAGE}). */
    void setPrev(long leafId, long prev) throws IOException {
        if (leafId != NO_PAGE) {
            try (PageGuard g = fetchForWrite(leafId)) {
                g.page().setPrev(prev);
                g.markDirty();
            }
        }
    }

    /**
     * Holds the path from the root to the leaf for {@code key} for a write: pinned
     * ({@link WritePath#pinned}) without T11; with it latched exclusive by
     * {@link LatchCrabbing#pathToExclusive}, whose caller holds the structure lock and the root
     * latch. The tree must not be empty. The caller closes the path.
     */
    WritePath pathTo(Bytes key) throws IOException {
        if (latchCrabbing) {
            return latches.pathToExclusive(key);
        }
        return WritePath.pinned(pool, root, key);
    }

    /**
     * The slot of the child of internal {@code page} whose range holds {@code key}: the last cell
     * whose key is {@code <= key}, or -1 (the leftmost child) when every key is greater.
     */
    static int childSlot(SlottedPage page, Bytes key) {
        int i = searchPage(page, key);
        return i >= 0 ? i : -i - 2;
    }

    /** The value of {@code key} in leaf {@code page}, or empty if the leaf does not hold it. */
    static Optional<Bytes> valueIn(SlottedPage page, Bytes key) {
        int i = searchPage(page, key);
        return i >= 0 ? Optional.of(page.value(i)) : Optional.empty();
    }

    /**
     * {@code key}'s place in {@code page}, as {@link SlottedPage#search} returns it, with one
     * comparison first against the page's last key: a key at or past it is placed at once, without
     * the binary search. Every key past the tree's last one takes the rightmost path, so an append of
     * increasing keys (a log, a sequence, fillseq) and a get of a key beyond the last pay one
     * comparison per level instead of a binary search; any other key pays one comparison more
     * (PostgreSQL's nbtree has a fast path for the rightmost leaf for the same appends).
     */
    static int searchPage(SlottedPage page, Bytes key) {
        int last = page.cellCount() - 1;
        if (last >= 0) {
            int c = page.compareKey(key, last);
            if (c >= 0) {
                return c == 0 ? last : -(last + 1) - 1;
            }
        }
        return page.search(key);
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
        file.checkOpen();
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
            file.beginWrite();
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
        PageFormat.checkEntry(e.key(), e.value(), options.pageSize());
        if (e.key().length() > longestKey.get()) {
            longestKey.set(e.key().length()); // under the tree-wide lock, exclusive
        }
    }

    /**
     * A copy of page {@code pageId}, for dumps and checks: fetched, copied and unpinned at once.
     * The caller holds the read lock.
     */
    SlottedPage copyOf(long pageId) throws IOException {
        try (PageGuard g = pool.pin(pageId)) {
            return new SlottedPage(g.frame().data().clone());
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
