package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkState;

import dev.storagelab.btree.BufferPool.Frame;

/**
 * One pin of one page, and the page latch taken with it, held until {@link #close()}: closing the
 * guard lets go of the latch, then of the pin (dirty if {@link #markDirty()} was called). Used
 * with try-with-resources, the code that reads or changes a page can no longer forget an unpin or
 * an unlatch on some path out of a method, an exception included: the pairing that a missed unpin
 * would break is the guard's, not the caller's (BusTub's {@code ReadPageGuard} and
 * {@code WritePageGuard} do the same in C++ with scope).
 *
 * <p>A guard comes from {@link BufferPool#pin}, {@link BufferPool#read}, {@link BufferPool#write}
 * or {@link BufferPool#newPage}, with the latch its {@link Latch} says. It belongs to the thread
 * that took it and is not thread-safe. Closing it twice does nothing the second time; using it after
 * that is a bug it reports ({@link IllegalStateException}). {@link #discard()} frees the page instead
 * of unpinning it, and also ends the guard.
 */
public final class PageGuard implements AutoCloseable {

    /** Which page latch a guard holds besides its pin. */
    public enum Latch {
        /** None: the caller keeps writers apart from readers by other means (the tree-wide lock). */
        NONE,
        /** Shared: other readers may latch the page too, no writer can. */
        SHARED,
        /** Exclusive: no other thread latches the page either way. */
        EXCLUSIVE
    }

    private final BufferPool pool;
    private final Frame frame;
    private Latch latch;
    private boolean dirty;
    private boolean closed;

    /** Wraps {@code frame}, which the caller has pinned and latched as {@code latch} says. */
    PageGuard(BufferPool pool, Frame frame, Latch latch) {
        this.pool = pool;
        this.frame = frame;
        this.latch = latch;
    }

    /** The logical id of the guarded page. */
    public long pageId() {
        return frame().pageId();
    }

    /** A slotted-page view of the guarded page's bytes: valid until the guard is closed. */
    public SlottedPage page() {
        return frame().page();
    }

    /** The guarded frame (tests, and the pool's own callers); valid until the guard is closed. */
    public Frame frame() {
        checkState(!closed, "page guard used after it was closed");
        return frame;
    }

    /** The latch the guard holds now. */
    public Latch latch() {
        return latch;
    }

    /** Says the page was changed: the unpin at {@link #close()} marks it dirty. */
    public void markDirty() {
        checkState(!closed, "page guard used after it was closed");
        dirty = true;
    }

    /** Whether the guard was closed (or its page discarded): it holds nothing any more. */
    public boolean isClosed() {
        return closed;
    }

    /** Whether {@link #markDirty()} was called. */
    public boolean isDirty() {
        return dirty;
    }

    /**
     * Trades a shared latch for an exclusive one. Not atomic: between the two another thread may
     * latch the page exclusive and change it, so a caller does this only while something else keeps
     * the page from changing meanwhile (T11: the parent's latch, or the root latch).
     */
    public void upgradeToExclusive() {
        checkState(!closed && latch == Latch.SHARED, "upgrade of a page guard that is not latched shared: %s", latch);
        frame.unlatchShared();
        latch = Latch.NONE; // so that close() after a failure below does not unlatch twice
        frame.latchExclusive();
        latch = Latch.EXCLUSIVE;
    }

    /**
     * Frees the guarded page (its logical id goes back to the page table, without a write), which
     * also lets go of the latch and the pin: {@link BufferPool#discard}. The guard is closed after it.
     */
    public void discard() {
        checkState(!closed, "page guard used after it was closed");
        closed = true;
        unlatch();
        pool.discard(frame);
    }

    /** Lets go of the latch, then of the pin (dirty if {@link #markDirty()} was called). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unlatch();
        pool.unpin(frame, dirty);
    }

    private void unlatch() {
        switch (latch) {
            case SHARED -> frame.unlatchShared();
            case EXCLUSIVE -> frame.unlatchExclusive();
            default -> {}
        }
        latch = Latch.NONE;
    }

    @Override
    public String toString() {
        return "guard of " + frame
                + (latch == Latch.NONE ? "" : ", latched " + latch.name().toLowerCase()) + (closed ? ", closed" : "");
    }
}
