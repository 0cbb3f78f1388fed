package dev.storagelab.btree;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The write-backs of {@link LockFreeBufferPool} on their way to disk. An eviction, under the pool's
 * lock, hands its dirty page over as a copy ({@link #handOver}: the frame is reused at once), and
 * the thread that evicted writes the copy once it has let go of the lock ({@link #writeHandedOver}),
 * so that one thread's disk write never holds up another thread's hit. Until a copy is on disk, a
 * fetch of its page reads the copy ({@link #of}): a page written back is never read from disk before
 * it got there. A later write-back of the same page waits for the earlier one, so the two never race
 * to the same physical page. A write that fails leaves its copy here, the page's only good version:
 * a fetch of the page takes it back, dirty, and the next flush writes it again
 * ({@link #writeFailedAgain}) or reports the failure.
 *
 * <p>Given code. Its state is the pool's: every method but {@link #writeHandedOver} is called
 * under the pool's lock (its monitor), and every wait here is on that monitor, beside the pool's
 * waits for page reads.
 */
final class WriteBacksInFlight {

    /**
     * A write-back on its way to disk: the page's bytes as they were when its frame was taken, and
     * where they go. A later write-back of the same page waits for this one ({@code done}), so the
     * two never race to the same physical page.
     */
    static final class Write {
        final long pageId;
        final long physical;
        final byte[] bytes;
        final Write before;
        boolean done;
        IOException failed;

        Write(long pageId, long physical, byte[] bytes, Write before) {
            this.pageId = pageId;
            this.physical = physical;
            this.bytes = bytes;
            this.before = before;
        }
    }

    private static final int MAX_SPARE_COPIES = 64;

    /** The pool: its monitor is the lock this state is guarded by, and what the waits here wait on. */
    private final BufferPool pool;

    private final PageFile file;
    /** Write-backs handed over and not yet on disk (or failed), by page id: the newest of each page. */
    private final Map<Long, Write> inFlight = new HashMap<>();
    /**
     * Copies of written pages, kept for the next write-backs: a writer that overwrites random keys
     * evicts a dirty page about once per put, and a fresh 4 KiB copy each time would be most of
     * what it allocates.
     */
    private final ArrayDeque<byte[]> spareCopies = new ArrayDeque<>();
    /** The write-backs the current thread's calls handed over, to write once the lock is let go. */
    private final ThreadLocal<List<Write>> handedOver = ThreadLocal.withInitial(ArrayList::new);

    WriteBacksInFlight(BufferPool pool, PageFile file) {
        this.pool = pool;
        this.file = file;
    }

    /**
     * Hands page {@code pageId}'s bytes ({@code page}, copied now) over to be written to
     * {@code physical} by this thread once it lets go of the pool's lock. Under the lock.
     */
    void handOver(long pageId, long physical, byte[] page) {
        byte[] copy = spareCopies.isEmpty() ? new byte[page.length] : spareCopies.pop();
        System.arraycopy(page, 0, copy, 0, copy.length);
        Write w = new Write(pageId, physical, copy, inFlight.get(pageId));
        inFlight.put(pageId, w);
        handedOver.get().add(w);
    }

    /** The newest write-back of page {@code pageId} not yet on disk (or failed), or null. Under the lock. */
    Write of(long pageId) {
        return inFlight.isEmpty()
                ? null
                : inFlight.get(pageId); // every miss asks: no boxed look-up when none is in flight
    }

    /**
     * Page {@code pageId} is being freed: waits until its write-back in flight, if any, has reached
     * the disk or failed, and forgets it. Its physical page goes back to the page table's free pages
     * and may be the next page's written: a write-back that landed after that page's would overwrite
     * it, and a failed one would be written there again by the next flush. Under the lock.
     */
    void awaitAndForget(long pageId) {
        Write w = inFlight.get(pageId);
        if (w == null) {
            return;
        }
        awaitWrite(w);
        forget(w);
    }

    /** Forgets {@code w}: a write that failed, whose copy a frame has taken back, or a freed page's. Under the lock. */
    void forget(Write w) {
        inFlight.remove(w.pageId, w);
    }

    /**
     * Writes the pages this thread's evictions handed over ({@link #handOver}), with the pool's
     * lock let go. A write that fails leaves its copy here: a fetch of the page takes it back
     * (dirty), and the next {@link #writeFailedAgain} writes it or reports the failure. The writes
     * done are published under the pool's lock once for all of them (a page cleaner's round hands
     * over up to 64), not once a write, and before waiting for an earlier write of the same page.
     */
    void writeHandedOver() {
        List<Write> mine = handedOver.get();
        if (mine.isEmpty()) {
            return;
        }
        List<Write> writes = new ArrayList<>(mine);
        mine.clear();
        int published = 0;
        for (int i = 0; i < writes.size(); i++) {
            Write w = writes.get(i);
            IOException failure = null;
            try {
                if (w.before != null) {
                    published = publish(writes, published, i); // it may be one of these
                    awaitWrite(w.before);
                }
                file.write(w.physical, w.bytes);
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException(e);
            }
            w.failed = failure;
        }
        publish(writes, published, writes.size());
    }

    /**
     * Marks {@code writes[from, to)}, written (or failed), as done under the pool's lock, and wakes
     * whoever waits for one; returns {@code to}.
     */
    private int publish(List<Write> writes, int from, int to) {
        if (from == to) {
            return to;
        }
        synchronized (pool) {
            for (int i = from; i < to; i++) {
                Write w = writes.get(i);
                w.done = true;
                if (w.failed == null) {
                    inFlight.remove(w.pageId, w);
                    if (spareCopies.size() < MAX_SPARE_COPIES) {
                        spareCopies.push(w.bytes); // no one reads a copy once it is out of the map
                    }
                }
            }
            pool.notifyAll();
        }
        return to;
    }

    private void awaitWrite(Write w) {
        synchronized (pool) {
            pool.awaitUninterruptibly(() -> w.done);
        }
    }

    /** Waits until every write-back handed over has reached the disk or failed. Under the lock. */
    void awaitAll() {
        pool.awaitUninterruptibly(() -> inFlight.values().stream().allMatch(w -> w.done));
    }

    /**
     * Once {@link #awaitAll} has returned, writes again every write-back whose write failed: its
     * copy is its page's newest version (the page is not resident). Under the lock.
     */
    void writeFailedAgain() throws IOException {
        for (Write w : List.copyOf(inFlight.values())) {
            file.write(w.physical, w.bytes);
            inFlight.remove(w.pageId);
        }
    }

    /** Forgets every write-back: the pages they held are garbage now, written or not. Under the lock. */
    void clear() {
        inFlight.clear();
    }
}
