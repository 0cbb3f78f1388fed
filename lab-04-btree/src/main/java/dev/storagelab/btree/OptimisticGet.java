package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.btree.LockFreeBufferPool.LoadingFrame;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.Optional;

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
 * <p>When the next page is not in the pool (or is latched exclusive, or being read in), the get
 * takes the latched path from the root ({@link LatchCrabbing#findLeafShared}, the student's T11):
 * the miss is read once, by the pool, as before, and the pages above it, resident, cost a latched
 * descent beside the read of the page that was not.
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
                        hits = 0; // the latched path counts the hits of its own descent
                        return null;
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
}
