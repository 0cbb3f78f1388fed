package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.btree.LockFreeBufferPool.LoadingFrame;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * A get that takes no pin and no latch while its path is in the pool: <em>optimistic lock
 * coupling</em> (V. Leis, M. Haubenschild, T. Neumann, "The ART of Practical Synchronization",
 * DaMoN 2016; LeanStore's optimistic latches, ICDE 2018). Given code, the companion of the lock-free
 * pool (T12): a tree with T11 and T12 written reads this way, and falls back to T11's
 * {@link LatchCrabbing#findLeafShared} whenever it cannot.
 *
 * <p>Each frame's latch is a {@link java.util.concurrent.locks.StampedLock}, which has a version:
 * every exclusive hold moves it on, and so does the pool whenever it gives the frame another page.
 * The reader notes the version of each page it visits ({@link LockFreeBufferPool#residentVersion}),
 * reads the page with no latch, and then <em>validates</em>: if the version is unchanged, no writer
 * changed the page and the pool did not reuse the frame while it read, so what it read is what the
 * page held. From an internal page it reads the child's id, validates the parent, notes the child's
 * version, and validates the parent again: the child it notes is the child the parent pointed at,
 * since a split or merge that moves it needs the parent exclusive. A failed validation starts again
 * from the root. Bytes read before a validation may be torn: an offset read mid-change can point
 * anywhere in the page, so a read that throws is retried too, if its validation fails.
 *
 * <p>Why: latch coupling costs four atomic read-modify-writes per level (pin, latch, unlatch,
 * unpin), each a full fence on every core; a cached get of a four-level tree paid sixteen, where H2's
 * MVStore, whose pages never change once written, pays none. Here a level costs two plain reads of
 * the version. A writer never waits for a reader either: readers hold nothing.
 *
 * <p>When the next page is latched exclusive, or being read in, the get takes the latched path from
 * the root ({@link LatchCrabbing#findLeafShared}, the student's T11), which waits for it holding its
 * parent. When it is not in the pool, the pool reads it in ({@link #readMissedLeaf}) and the parent is
 * validated once it is held: a leaf is then searched without a second descent.
 */
final class OptimisticGet {

    /** Validation failures before a get takes the latched path instead: a writer keeps changing its path. */
    static final int ATTEMPTS = 4;

    private final BPlusTree tree;
    private final LockFreeBufferPool pool;

    OptimisticGet(BPlusTree tree, LockFreeBufferPool pool) {
        this.tree = tree;
        this.pool = pool;
    }

    /**
     * The value of {@code key}, or empty if absent; null if this get could not be done
     * optimistically (the root is not resident, or every attempt met a change): the caller takes
     * the latched path. The caller need not hold the tree-wide lock: this changes no page, and the
     * pages it reads are validated against their frames' versions.
     */
    Optional<Bytes> get(Bytes key) throws IOException {
        int hits = 0; // the pages found resident, counted as the pool's hits once, at the end
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                long rootStamp = tree.rootLatch.tryOptimisticRead();
                long id = tree.root;
                if (id == NO_PAGE) {
                    if (tree.rootLatch.validate(rootStamp)) {
                        return Optional.empty();
                    }
                    continue;
                }
                LoadingFrame f = pool.mappedFrame(id);
                long v = f == null ? 0 : pool.residentVersion(f, id);
                if (v == 0) {
                    return null;
                }
                hits++;
                if (!tree.rootLatch.validate(rootStamp)) {
                    continue;
                }
                while (true) {
                    SlottedPage page = f.page();
                    long child;
                    Bytes value = null;
                    boolean leaf;
                    try {
                        leaf = page.isLeaf();
                        if (leaf) {
                            int i = BPlusTree.searchPage(page, key);
                            value = i >= 0 ? page.value(i) : null;
                            child = NO_PAGE;
                        } else {
                            child = page.childAt(BPlusTree.childSlot(page, key));
                        }
                    } catch (RuntimeException torn) {
                        if (f.validate(v)) {
                            throw torn; // the page did not change: a real failure, not a torn read
                        }
                        break;
                    }
                    if (!f.validate(v)) {
                        break;
                    }
                    if (leaf) {
                        return Optional.ofNullable(value);
                    }
                    LoadingFrame next = pool.mappedFrame(child);
                    long nextVersion = next == null ? 0 : pool.residentVersion(next, child);
                    if (nextVersion == 0) {
                        // Not in the pool: read it in here. In the pool but latched exclusive, or being
                        // read in: the latched path waits for it, holding its parent (T11).
                        Optional<Bytes> found = next == null ? readMissedLeaf(key, f, v, child) : null;
                        if (found == null) {
                            hits = 0; // the latched path counts the hits of its own descent
                        }
                        return found;
                    }
                    hits++;
                    if (!f.validate(v)) {
                        break;
                    }
                    f = next;
                    v = nextVersion;
                }
            }
            return null;
        } finally {
            pool.countHits(hits);
        }
    }

    /**
     * The end of a get whose next page is not resident: the page is read in and latched shared by the
     * pool ({@link BufferPool#read}, under the tree-wide lock's read side, as the latched path reads),
     * and its parent validated again once it is held. If the parent did not change since it named the
     * page, the page is still the one whose range holds {@code key} (a split or a merge that moves the
     * range changes the parent), and, held shared, it stays so while it is searched. Returns the value,
     * or empty if the key is absent; null if the parent changed or the page is not a leaf (the caller
     * takes the latched path from the root). Without this, a get whose leaf missed the pool descended
     * twice: once to find the miss, once more latched, its internal pages searched again.
     */
    private Optional<Bytes> readMissedLeaf(Bytes key, LoadingFrame parent, long parentVersion, long pageId)
            throws IOException {
        Lock treeLock = tree.lock().readLock();
        treeLock.lock();
        try {
            tree.checkOpen();
            if (!parent.validate(parentVersion)) {
                return null;
            }
            PageGuard g;
            try {
                g = pool.read(pageId);
            } catch (IOException | RuntimeException e) {
                if (parent.validate(parentVersion)) {
                    throw e; // the parent still names the page: a real failure
                }
                return null; // the page was moved or freed while it was read: the parent no longer names it
            }
            try (g) {
                SlottedPage page = g.page();
                if (!parent.validate(parentVersion) || !page.isLeaf()) {
                    return null;
                }
                return BPlusTree.valueIn(page, key);
            }
        } finally {
            treeLock.unlock();
        }
    }
}
