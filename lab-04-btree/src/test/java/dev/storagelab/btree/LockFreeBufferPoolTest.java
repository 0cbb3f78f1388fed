package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-04 T12 (bonus), the {@link LockFreeBufferPool}: every test of
 * {@link BufferPoolTest} (T6) on the lock-free pool, whose hits pin without the pool's lock, and
 * one that only a pool whose hits skip the lock has to pass: the replacer may offer a victim that
 * a hit has pinned since the replacer last heard of it, and the eviction must not take it.
 */
class LockFreeBufferPoolTest extends BufferPoolTest {

    @Override
    BufferPool newPool(PageFile file, PageTable table, int frames, Replacer replacer) {
        return new LockFreeBufferPool(file, table, frames, replacer);
    }

    /**
     * A replacer that first offers a frame it is told to, once, then plain LRU: like a replacer that
     * has not yet heard that a hit pinned its victim (hits pin without the pool's lock).
     */
    private static final class OffersFirst extends ForwardingReplacer {
        int offerOnce = -1;

        OffersFirst(int frames) {
            super(new LruReplacer(frames));
        }

        @Override
        public int evict() {
            int f = offerOnce;
            offerOnce = -1;
            return f >= 0 ? f : super.evict();
        }
    }

    @Test
    void aVictimWithAPinIsNotClaimedAndTheNextOneIsTaken() throws IOException {
        openFile();
        OffersFirst replacer = new OffersFirst(3);
        BufferPool pool = newPool(file, table, 3, replacer);
        Frame pinned = pool.create(PageFormat.TYPE_LEAF);
        mark(pinned, 42);
        createMarked(pool);
        createMarked(pool);
        replacer.offerOnce = pinned.index();
        long fourth = createMarked(pool);
        assertThat(
                "the pool claims a victim only from 0 pins (a compare-and-set): the pinned page stays",
                pool.isResident(pinned.pageId()),
                is(true));
        assertThat("its bytes are untouched", marker(pinned), is(42L));
        assertThat("another frame was taken for the new page", pool.isResident(fourth), is(true));
        pool.unpin(pinned, true);
        assertThat("no pin left", pool.pinnedFrames(), is(0));
    }

    /** Counts the accesses the replacer hears of, per frame. */
    private static final class CountsAccesses extends ForwardingReplacer {
        final int[] accesses;

        CountsAccesses(int frames) {
            super(new LruKReplacer(frames, 2));
            accesses = new int[frames];
        }

        @Override
        public void recordAccess(int frame) {
            accesses[frame]++;
            super.recordAccess(frame);
        }
    }

    @Test
    void accessesCloseTogetherReachTheReplacerOnceAndEveryHitIsCounted() throws IOException {
        openFile();
        int frames = LockFreeBufferPool.CORRELATED_MIN_FRAMES;
        int period = LockFreeBufferPool.CORRELATED_PERIOD;
        CountsAccesses replacer = new CountsAccesses(frames);
        BufferPool pool = newPool(file, table, frames, replacer);
        long hot = createMarked(pool);
        for (int i = 0; i < 100; i++) {
            pool.unpin(pool.fetch(hot), false);
        }
        int frame = pool.fetch(hot).index();
        pool.unpin(pool.frame(frame), false);
        assertThat("101 fetches of a resident page are 101 hits", pool.stats().hits(), is(101L));
        assertThat(
                "a page fetched again and again with nothing else in between is one access for LRU-K (its"
                        + " correlated reference period): the replacer hears of its creation only",
                replacer.accesses[frame],
                is(1));
        for (int i = 0; i < period; i++) {
            createMarked(pool); // as many accesses of other pages as the period
        }
        pool.unpin(pool.fetch(hot), false);
        pool.stats(); // drains the queued accesses into the replacer
        assertThat(
                "once the period's accesses of other pages have passed, the next fetch of the page is an access the"
                        + " replacer hears of",
                replacer.accesses[frame],
                is(2));
    }

    @Test
    void anOptimisticReadFailsOnceAWriterLatchedItsPageOrItsFrameTookAnotherPage() throws IOException {
        openFile();
        LockFreeBufferPool pool = (LockFreeBufferPool) newPool(file, table, 2, new LruReplacer(2));
        long page = createMarked(pool);
        LockFreeBufferPool.LoadingFrame f = pool.mappedFrame(page);
        long version = pool.residentVersion(f, page);
        assertThat(
                "a resident page, unlatched, can be read optimistically",
                version != 0 && f.validate(version),
                is(true));
        try (PageGuard writer = pool.write(page)) {
            assertThat("not while a writer holds it exclusive", pool.residentVersion(f, page), is(0L));
        }
        assertThat(
                "a read that began before the writer latched the page fails its validation",
                f.validate(version),
                is(false));
        version = pool.residentVersion(f, page);
        createMarked(pool);
        createMarked(pool); // two more pages through two frames: the first page's frame is taken
        assertThat("its frame now holds another page", pool.isResident(page), is(false));
        assertThat(
                "a read that began before the frame took another page fails its validation",
                f.validate(version),
                is(false));
        LockFreeBufferPool.LoadingFrame mapped = pool.mappedFrame(page);
        assertThat(
                "a page that is not resident cannot be read optimistically",
                mapped == null ? 0L : pool.residentVersion(mapped, page),
                is(0L));
        assertThat("nor from the frame that held it", pool.residentVersion(f, page), is(0L));
        assertThat("no pin left", pool.pinnedFrames(), is(0));
    }

    /**
     * A storage whose files hold the first write at one position until {@link #release}: an
     * eviction's write-back on its way to disk, written by the thread that evicted once it has let
     * go of the pool's lock.
     */
    private static final class HoldsAWrite extends ForwardingStorage {
        final AtomicLong held = new AtomicLong(-1);
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HoldsAWrite(Storage storage) {
            super(storage);
        }

        @Override
        public WritableFile openAppend(String name) throws IOException {
            return new ForwardingWritableFile(super.openAppend(name)) {
                @Override
                public void writeAt(long position, ByteBuffer src) throws IOException {
                    if (held.compareAndSet(position, -1)) {
                        reached.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    super.writeAt(position, src);
                }
            };
        }
    }

    @Test
    void aPageFreedWhileItsWriteBackIsOnItsWayKeepsItsPhysicalPageUntilTheWriteLands() throws Exception {
        HoldsAWrite holding = new HoldsAWrite(storage);
        openFile(holding);
        BufferPool pool = newPool(file, table, 3, new LruReplacer(3));
        long freed = createMarked(pool);
        long second = createMarked(pool);
        long third = createMarked(pool);
        pool.flushAll(); // all three written: the held write below lands inside the file
        pool.unpin(pool.fetch(freed), true); // dirty again, to the same physical page
        pool.unpin(pool.fetch(second), false);
        pool.unpin(pool.fetch(third), false); // the first page is the least recently used
        long physical = pool.physicalForWrite(freed);
        holding.held.set(physical * PAGE_SIZE);
        // A fourth page evicts the first, whose write-back is held on its way to disk.
        AtomicLong fourth = new AtomicLong();
        Thread evicting = new Thread(() -> {
            try {
                fourth.set(createMarked(pool));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        evicting.setDaemon(true);
        evicting.start();
        assertThat(
                "the first page's write-back reached the held write",
                holding.reached.await(30, TimeUnit.SECONDS),
                is(true));
        // Meanwhile another thread reads the first page back (from the copy) and frees it; the next
        // page written for the first time takes the only free physical page.
        AtomicLong fifth = new AtomicLong();
        Thread freeing = new Thread(() -> {
            try {
                pool.discard(pool.fetch(freed));
                Frame kept = pool.create(PageFormat.TYPE_LEAF); // takes the freed frame (and page id)
                fifth.set(createMarked(pool));
                createMarked(pool); // evicts the fourth page or the fifth, whichever is unpinned and older
                createMarked(pool); // and then the other: both have been written
                pool.unpin(kept, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        freeing.setDaemon(true);
        freeing.start();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                while (freeing.isAlive() && freeing.getState() != Thread.State.WAITING) {
                    Thread.sleep(1); // done, or waiting for the held write
                }
            });
        } finally {
            holding.release.countDown(); // never leaves the evicting thread held
        }
        evicting.join(30_000);
        freeing.join(30_000);
        assertThat("both threads are done", evicting.isAlive() || freeing.isAlive(), is(false));
        long onIt = pool.physicalForWrite(fourth.get()) == physical ? fourth.get() : fifth.get();
        assertThat(
                "a page written after the free took the freed page's physical page (the test's premise)",
                pool.physicalForWrite(onIt),
                is(physical));
        Frame f = pool.fetch(onIt);
        assertThat("and the freed page's write-back did not land on it afterwards", marker(f), is(1000 + onIt));
        pool.unpin(f, false);
    }
}
