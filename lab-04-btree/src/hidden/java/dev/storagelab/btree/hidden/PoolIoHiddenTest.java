package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.LruReplacer;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-04 T12 (bonus), the lock-free pool's split between the pool's bookkeeping and its I/O: a page read or a
 * write-back runs with the pool's lock let go, so another thread's hit never waits for it; two
 * fetches of one page share one read; a failed read caches nothing, even for a thread that waited
 * on it; a page being written back is read from its copy, never from the half-written file; and a
 * flush waits for every write-back in flight. The storage here stops chosen reads and writes at a
 * gate that the test opens, so "waits for" and "does not wait for" are seen, not timed: a call that
 * should not wait gets 20 seconds, far more than it needs, before the test calls it stuck.
 */
@Tag("hidden")
class PoolIoHiddenTest {

    private static final int PAGE = 512;
    private static final int STAMP_AT = 200;
    private static final String FILE = "pool.pages";
    private static final long PATIENCE_SECONDS = 20;

    private final FaultInjectingStorage disk = new FaultInjectingStorage(11);
    private final GatedStorage storage = new GatedStorage(disk);
    private final ExecutorService other = Executors.newSingleThreadExecutor(PoolIoHiddenTest::daemon);

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "pool-io-other");
        t.setDaemon(true);
        return t;
    }

    @AfterEach
    void stop() {
        storage.gate.countDown(); // never leave a thread stuck at the gate
        other.shutdownNow();
    }

    /** Storage whose reads or writes of one byte offset stop at a gate; counts the reads of it. */
    private static final class GatedStorage extends ForwardingStorage {
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch arrived = new CountDownLatch(1);
        final AtomicInteger readsOfGated = new AtomicInteger();
        volatile long gatedReadAt = -1;
        volatile long gatedWriteAt = -1;
        volatile boolean failGatedRead;

        GatedStorage(Storage delegate) {
            super(delegate);
        }

        void await() {
            try {
                if (!gate.await(3 * PATIENCE_SECONDS, TimeUnit.SECONDS)) { // longer than any deadline below
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public ReadableFile openRead(String name) throws IOException {
            ReadableFile in = super.openRead(name);
            return new ReadableFile() {
                @Override
                public int read(long position, ByteBuffer dst) throws IOException {
                    if (position == gatedReadAt) {
                        readsOfGated.incrementAndGet();
                        arrived.countDown();
                        await();
                        if (failGatedRead) {
                            failGatedRead = false;
                            throw new IOException("injected read failure at " + position);
                        }
                    }
                    return in.read(position, dst);
                }

                @Override
                public long size() throws IOException {
                    return in.size();
                }

                @Override
                public String name() {
                    return in.name();
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        @Override
        public WritableFile openAppend(String name) throws IOException {
            return gatedWrites(super.openAppend(name));
        }

        @Override
        public WritableFile create(String name) throws IOException {
            return gatedWrites(super.create(name));
        }

        private WritableFile gatedWrites(WritableFile out) {
            return new ForwardingWritableFile(out) {
                @Override
                public void writeAt(long position, ByteBuffer src) throws IOException {
                    if (position == gatedWriteAt) {
                        arrived.countDown();
                        await();
                    }
                    super.writeAt(position, src);
                }
            };
        }
    }

    private BufferPool pool(int frames) throws IOException {
        return Internals.newLockFreePool(storage, FILE, PAGE, frames, new LruReplacer(frames));
    }

    private static void stamp(Frame f, long stamp) {
        ByteBuffer.wrap(f.data()).putLong(STAMP_AT, stamp);
    }

    private static long stampOf(Frame f) {
        return ByteBuffer.wrap(f.data()).getLong(STAMP_AT);
    }

    private static long newPage(BufferPool pool, long stamp) throws IOException {
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        stamp(f, stamp);
        long id = f.pageId();
        pool.unpin(f, true);
        return id;
    }

    /** Where page {@code id} lies in the file now (the page table's physical page, in bytes). */
    private static long offsetOf(BufferPool pool, long id) throws IOException {
        return Internals.physicalForRead(pool, id) * PAGE;
    }

    /** Runs {@code call} on this thread with a deadline, failing with {@code stuck} if it does not return. */
    private <T> T within(String stuck, java.util.concurrent.Callable<T> call) throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pool-io-caller");
            t.setDaemon(true);
            return t;
        });
        Future<T> f = caller.submit(call);
        caller.shutdown();
        try {
            return f.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            storage.gate.countDown();
            fail(stuck);
            return null;
        }
    }

    /** A thread factory that keeps the thread it made, so that a test can wait for it to block. */
    private static final class Watched implements java.util.concurrent.ThreadFactory {
        private volatile Thread thread;

        @Override
        public Thread newThread(Runnable r) {
            Thread t = daemon(r);
            thread = t;
            return t;
        }

        /**
         * Waits until the thread blocks (inside the pool, or at the storage's gate) or {@code done}
         * holds. A sleep instead would be a guess at how long the thread needs to get there, and on
         * a busy machine the guess is wrong: the test would then check nothing.
         */
        void awaitBlocked(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
            long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
            while (!done.getAsBoolean()) {
                Thread t = thread;
                Thread.State state = t == null ? Thread.State.NEW : t.getState();
                if (state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING
                        || state == Thread.State.BLOCKED) {
                    return;
                }
                assertThat(what, System.nanoTime() < bound, is(true));
                Thread.sleep(1);
            }
        }
    }

    private void awaitArrival(String what) throws InterruptedException {
        assertThat(what, storage.arrived.await(PATIENCE_SECONDS, TimeUnit.SECONDS), is(true));
    }

    @Test
    @Graded(
            task = "T12",
            points = 1,
            concept = "lock-free buffer pool (bonus) reads a missing page while holding its lock: another thread's hit "
                    + "on a resident page waits for that disk read (read outside the lock: arrangeRead)")
    void aHitDoesNotWaitForAnotherThreadsRead() throws Exception {
        BufferPool pool = pool(4);
        long cold = newPage(pool, 1);
        long hot = newPage(pool, 2);
        pool.flushAll();
        for (int i = 0; i < 3; i++) {
            newPage(pool, 10 + i); // pushes `cold` out of the pool
        }
        pool.flushAll();
        assertThat("setup: the cold page was evicted", pool.isResident(cold), is(false));
        Frame h = pool.fetch(hot);
        pool.unpin(h, false);
        storage.gatedReadAt = offsetOf(pool, cold);
        Future<Long> reader = other.submit(() -> {
            Frame f = pool.fetch(cold);
            try {
                return stampOf(f);
            } finally {
                pool.unpin(f, false);
            }
        });
        awaitArrival("the other thread's fetch of the cold page reads it from the file");
        long hotStamp = within(
                "a fetch of a resident page waited while another thread read a page from disk: "
                        + "the pool reads pages while holding its lock",
                () -> {
                    Frame f = pool.fetch(hot);
                    try {
                        return stampOf(f);
                    } finally {
                        pool.unpin(f, false);
                    }
                });
        assertThat("the hit returns the resident page's bytes", hotStamp, equalTo(2L));
        storage.gate.countDown();
        assertThat(
                "the gated read completes with the page's bytes",
                reader.get(PATIENCE_SECONDS, TimeUnit.SECONDS),
                equalTo(1L));
        assertThat("every pin was released", pool.pinnedFrames(), is(0));
    }

    @Test
    @Graded(
            task = "T12",
            points = 1,
            concept =
                    "lock-free buffer pool (bonus): two threads that fetch the same missing page read it twice, get two frames, or "
                            + "one gets the frame before its bytes arrived")
    void twoFetchesOfOnePageShareOneRead() throws Exception {
        BufferPool pool = pool(4);
        long cold = newPage(pool, 7);
        pool.flushAll();
        for (int i = 0; i < 4; i++) {
            newPage(pool, 20 + i);
        }
        pool.flushAll();
        storage.gatedReadAt = offsetOf(pool, cold);
        Future<Frame> first = other.submit(() -> pool.fetch(cold));
        awaitArrival("the first fetch reads the page from the file");
        Watched watched = new Watched();
        ExecutorService second = Executors.newSingleThreadExecutor(watched);
        try {
            Future<Frame> waiting = second.submit(() -> pool.fetch(cold));
            // Until it waits in the pool (or, in a wrong pool, at the gate for a second read).
            watched.awaitBlocked("the second fetch reaches the pool", waiting::isDone);
            storage.gate.countDown();
            Frame a = first.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            Frame b = waiting.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertThat("both fetches pin the same frame", b, sameInstance(a));
            assertThat(
                    "the waiting fetch sees the page's bytes, not a frame still being filled", stampOf(b), equalTo(7L));
            assertThat("the page was read from the file once", storage.readsOfGated.get(), is(1));
            assertThat("both pins are on one frame", pool.pinnedFrames(), is(1));
            pool.unpin(a, false);
            pool.unpin(b, false);
            assertThat("every pin was released", pool.pinnedFrames(), is(0));
        } finally {
            second.shutdownNow();
        }
    }

    @Test
    @Graded(
            task = "T12",
            points = 1,
            concept =
                    "lock-free buffer pool (bonus): a page read that fails while another thread waits for it leaves a frame pinned, "
                            + "hands the waiter a frame without the page, or caches the failure")
    void aFailedReadIsRetriedByItsWaiterAndCachesNothing() throws Exception {
        BufferPool pool = pool(4);
        long cold = newPage(pool, 9);
        pool.flushAll();
        for (int i = 0; i < 4; i++) {
            newPage(pool, 30 + i);
        }
        pool.flushAll();
        storage.gatedReadAt = offsetOf(pool, cold);
        storage.failGatedRead = true;
        Future<Frame> first = other.submit(() -> pool.fetch(cold));
        awaitArrival("the first fetch reads the page from the file");
        Watched watched = new Watched();
        ExecutorService second = Executors.newSingleThreadExecutor(watched);
        try {
            Future<Frame> waiting = second.submit(() -> pool.fetch(cold));
            watched.awaitBlocked("the second fetch reaches the pool", waiting::isDone);
            storage.gate.countDown();
            ExecutionException failed = assertThrows(
                    ExecutionException.class,
                    () -> first.get(PATIENCE_SECONDS, TimeUnit.SECONDS),
                    "the fetch whose read failed throws");
            assertThat("its cause is the read's IOException", failed.getCause(), instanceOf(IOException.class));
            Frame b = waiting.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertThat("the waiter read the page again, and got it", stampOf(b), equalTo(9L));
            assertThat("only the waiter's pin is left", pool.pinnedFrames(), is(1));
            pool.unpin(b, false);
            assertThat("every pin was released", pool.pinnedFrames(), is(0));
        } finally {
            second.shutdownNow();
        }
    }

    @Test
    @Graded(
            task = "T12",
            points = 1,
            concept =
                    "lock-free buffer pool (bonus): a page being written back is read from the half-written file (or the fetch waits "
                            + "for the write), or a flush returns before every write-back is on disk")
    void aPageOnItsWayToDiskIsReadFromItsCopyAndFlushWaitsForIt() throws Exception {
        BufferPool pool = pool(3);
        long other1 = newPage(pool, 42);
        long other2 = newPage(pool, 43);
        pool.flushAll(); // clean: evicting them writes nothing
        long dirty = newPage(pool, 41); // dirty, never written
        Frame f = pool.fetch(other1);
        pool.unpin(f, false);
        f = pool.fetch(other2);
        pool.unpin(f, false); // `dirty` is now the least recently used page
        storage.gatedWriteAt = Internals.physicalForWrite(pool, dirty) * PAGE;
        Future<Long> evictor =
                other.submit(() -> newPage(pool, 44)); // evicts `dirty`: its write-back stops at the gate
        awaitArrival("the eviction writes the dirty page back");
        long stamp = within("a fetch of a page whose write-back is in flight waited for the write", () -> {
            Frame g = pool.fetch(dirty);
            try {
                return stampOf(g);
            } finally {
                pool.unpin(g, false);
            }
        });
        assertThat("the page comes back with its newest bytes, from the write-back's copy", stamp, equalTo(41L));
        Watched watched = new Watched();
        ExecutorService flusher = Executors.newSingleThreadExecutor(watched);
        Future<?> flush = flusher.submit(() -> {
            pool.flushAll();
            return null;
        });
        flusher.shutdown();
        watched.awaitBlocked("flushAll starts", flush::isDone);
        assertThat("flushAll returned while a write-back was still on its way to disk", flush.isDone(), is(false));
        storage.gate.countDown();
        evictor.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        flush.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertThat("every pin was released", pool.pinnedFrames(), is(0));
    }
}
