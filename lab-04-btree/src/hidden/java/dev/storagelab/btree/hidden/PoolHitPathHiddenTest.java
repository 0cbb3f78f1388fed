package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.fail;

import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.btree.ForwardingReplacer;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.LruReplacer;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-04 T12 (bonus), the lock-free pool's hit path, which takes no lock: a hit pins by a compare-and-set and an
 * eviction claims its victim by a compare-and-set from 0 pins, so neither can take a frame the other
 * holds. The first test stops an eviction at a chosen point (inside the replacer's {@code evict},
 * with the pool's lock held) and makes a hit there, deterministically; the second lets threads fetch
 * and unpin at once on a pool that evicts at nearly every miss, and counts. {@link
 * PoolLincheckHiddenTest} explores the interleavings the second can only hit by chance.
 */
@Tag("hidden")
class PoolHitPathHiddenTest {

    private static final int PAGE = 512;
    private static final int STAMP_AT = 200;
    private static final long PATIENCE_SECONDS = 20;

    private final ExecutorService other = Executors.newSingleThreadExecutor(PoolHitPathHiddenTest::daemon);

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "pool-hit-other");
        t.setDaemon(true);
        return t;
    }

    @AfterEach
    void stop() {
        other.shutdownNow();
    }

    /** LRU, with a hook that runs once, with the victim, after the next {@code evict} chose it. */
    private static final class HookedReplacer extends ForwardingReplacer {
        volatile IntConsumer afterNextEvict;

        HookedReplacer(int frames) {
            super(new LruReplacer(frames));
        }

        @Override
        public int evict() {
            int victim = super.evict();
            IntConsumer hook = afterNextEvict;
            if (hook != null && victim >= 0) {
                afterNextEvict = null;
                hook.accept(victim);
            }
            return victim;
        }
    }

    private static long newPage(BufferPool pool, int stamp) throws IOException {
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        ByteBuffer.wrap(f.data()).putInt(STAMP_AT, stamp);
        long id = f.pageId();
        pool.unpin(f, true);
        return id;
    }

    private static int stampOf(Frame f) {
        return ByteBuffer.wrap(f.data()).getInt(STAMP_AT);
    }

    @Test
    @Graded(
            task = "T12",
            points = 2,
            concept =
                    "lock-free buffer pool (bonus) evicts a frame that a hit pinned after the replacer chose it "
                            + "(a victim taken without a compare-and-set of its pin count from 0), or a hit waits for the pool's lock")
    void anEvictionNeverTakesAFrameAHitPinnedAfterTheReplacerChoseIt() throws Exception {
        HookedReplacer replacer = new HookedReplacer(2);
        BufferPool pool = Internals.newLockFreePool(new FaultInjectingStorage(), "hit.pages", PAGE, 2, replacer);
        long one = newPage(pool, 1);
        long two = newPage(pool, 2);
        long three = newPage(pool, 3);
        pool.flushAll();
        pool.unpin(pool.fetch(one), false);
        pool.unpin(pool.fetch(two), false); // page one's frame is now the least recently used
        Frame ofOne = pool.fetch(one);
        pool.unpin(ofOne, false);
        pool.unpin(pool.fetch(two), false);

        // The next miss asks the replacer for a victim, under the pool's lock; the replacer picks
        // page one's frame and, before the pool claims it, another thread fetches page one: a hit,
        // which must pin the frame without the pool's lock (this thread holds it).
        AtomicReference<Frame> hit = new AtomicReference<>();
        replacer.afterNextEvict = victim -> {
            assertThat("the LRU victim is page one's frame", victim, equalTo(ofOne.index()));
            Future<Frame> pin = other.submit(() -> pool.fetch(one));
            try {
                hit.set(pin.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                fail("a fetch of a resident page waited " + PATIENCE_SECONDS
                        + " s while another thread held the pool's lock: a hit must take no lock");
            } catch (InterruptedException | ExecutionException e) {
                throw new AssertionError("the hit failed", e);
            }
        };
        Frame ofThree = pool.fetch(three);

        Frame held = hit.get();
        assertThat("the hit pinned page one's frame", held, sameInstance(ofOne));
        assertThat(
                "the miss must not take the frame the hit pinned after the replacer chose it: "
                        + "claim a victim with a compare-and-set of its pin count from 0",
                ofThree,
                not(sameInstance(held)));
        assertThat("the hit's frame still holds page one", held.pageId(), equalTo(one));
        assertThat("the hit's frame still holds page one's bytes", stampOf(held), equalTo(1));
        assertThat("the miss's frame holds page three", ofThree.pageId(), equalTo(three));
        assertThat("the miss's frame holds page three's bytes", stampOf(ofThree), equalTo(3));
        pool.unpin(ofThree, false);
        pool.unpin(held, false);
        assertThat("pins left", pool.pinnedFrames(), is(0));

        // The frame the claim refused is evictable again once its last pin goes.
        pool.unpin(pool.fetch(two), false);
        Frame again = pool.fetch(three);
        pool.unpin(again, false);
        assertThat("page one is still resident, or was evicted cleanly", pool.pinnedFrames(), is(0));
        Frame back = pool.fetch(one);
        assertThat("page one reads back", stampOf(back), equalTo(1));
        pool.unpin(back, false);
    }

    @Test
    @Graded(
            task = "T12",
            points = 2,
            concept =
                    "lock-free buffer pool (bonus) loses a pin or hands out a frame that holds another page under "
                            + "concurrent fetches and unpins (pins or claims not made by compare-and-set, or a hit without its re-check)")
    void concurrentFetchesAndUnpinsLoseNoPinAndAlwaysGetTheirPage() throws Exception {
        int threads = 3;
        int pages = 6;
        int fetchesEach = 20_000;
        BufferPool pool =
                Internals.newLockFreePool(new FaultInjectingStorage(), "stress.pages", PAGE, 4, new LruReplacer(4));
        long[] ids = new long[pages];
        for (int p = 0; p < pages; p++) {
            ids[p] = newPage(pool, p + 1);
        }
        pool.flushAll();
        BufferPool.PoolStats before = pool.stats();
        ExecutorService workers = Executors.newFixedThreadPool(threads, PoolHitPathHiddenTest::daemon);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                results.add(workers.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < fetchesEach; i++) {
                        int p = random.nextInt(pages);
                        Frame f = pool.fetch(ids[p]);
                        long id = f.pageId();
                        int stamp = stampOf(f);
                        pool.unpin(f, false);
                        if (id != ids[p] || stamp != p + 1) {
                            return "fetch " + i + " of page " + ids[p] + " returned " + f + " holding stamp " + stamp
                                    + " (expected " + (p + 1) + ")";
                        }
                    }
                    return null;
                }));
            }
            for (Future<String> r : results) {
                String wrong = r.get(3 * PATIENCE_SECONDS, TimeUnit.SECONDS);
                assertThat("every fetch gets a frame holding its page", wrong, equalTo(null));
            }
        } finally {
            workers.shutdownNow();
        }
        assertThat(
                "frames still pinned after every fetch was unpinned: a pin or an unpin was lost",
                pool.pinnedFrames(),
                is(0));
        BufferPool.PoolStats after = pool.stats();
        assertThat(
                "hits + misses = fetches", after.fetches() - before.fetches(), equalTo((long) threads * fetchesEach));
        for (int p = 0; p < pages; p++) {
            Frame f = pool.fetch(ids[p]);
            assertThat("page " + ids[p] + " reads back", stampOf(f), equalTo(p + 1));
            pool.unpin(f, false);
        }
    }
}
