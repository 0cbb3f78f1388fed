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
}
