package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.storagelab.btree.BufferPool.Frame;
import java.io.IOException;
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
}
