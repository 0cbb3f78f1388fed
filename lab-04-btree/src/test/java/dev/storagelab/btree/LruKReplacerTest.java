package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-04 T5: {@link LruKReplacer}. Time is a logical clock that ticks on every
 * {@code recordAccess}. The victim is the evictable frame whose K-th most recent access is oldest
 * (the largest backward K-distance); a frame accessed fewer than K times has an infinite distance
 * and goes first, and among several such frames the one whose earliest recorded access is oldest
 * goes first. Evicting or removing a frame forgets its history.
 *
 * <p>The point of it: a scan reads each page once, and under LRU those pages push out the pages a
 * workload uses again and again; under LRU-2 a page read once is the first to go.
 */
class LruKReplacerTest {

    /** Records one access to each frame in turn (one clock tick each). */
    private static void access(Replacer replacer, int... frames) {
        for (int f : frames) {
            replacer.recordAccess(f);
        }
    }

    private static void evictable(Replacer replacer, int... frames) {
        for (int f : frames) {
            replacer.setEvictable(f, true);
        }
    }

    private static List<Integer> evictAll(Replacer replacer) {
        List<Integer> victims = new ArrayList<>();
        for (int v = replacer.evict(); v >= 0; v = replacer.evict()) {
            victims.add(v);
            if (victims.size() > 64) {
                throw new AssertionError("evict() keeps returning frames: " + victims.subList(0, 20) + " ...");
            }
        }
        return victims;
    }

    @Test
    void evictsTheFrameWithTheLargestBackwardKDistance() {
        LruKReplacer lru2 = new LruKReplacer(2, 2);
        access(lru2, 1, 0, 0, 1); // t0: 1, t1: 0, t2: 0, t3: 1
        evictable(lru2, 0, 1);
        // Frame 0: accesses t1, t2; its 2nd most recent is t1. Frame 1: t0, t3; its 2nd most recent is t0.
        // LRU would evict 0 (last used at t2 < t3); LRU-2 evicts 1 (t0 < t1).
        assertThat(
                "frame 1's second most recent access (t0) is older than frame 0's (t1): frame 1 goes first,"
                        + " although it was used last",
                lru2.evict(),
                is(1));
        assertThat("then frame 0", lru2.evict(), is(0));
        assertThat("nothing left", lru2.evict(), is(-1));
    }

    @Test
    void onlyTheLastKAccessesCount() {
        LruKReplacer lru2 = new LruKReplacer(3, 2);
        access(lru2, 0, 0, 0, 0, 1, 2, 1, 2, 0); // frame 0: t0-t3 and t8; 1: t4, t6; 2: t5, t7
        evictable(lru2, 0, 1, 2);
        // 2nd most recent: frame 0 -> t3, frame 1 -> t4, frame 2 -> t5.
        assertThat(
                "frame 0's older accesses (t0-t2) do not count: its 2nd most recent access is t3, the oldest",
                evictAll(lru2),
                is(List.of(0, 1, 2)));
    }

    @Test
    void framesWithFewerThanKAccessesGoFirstOldestFirstAccessFirst() {
        LruKReplacer lru3 = new LruKReplacer(4, 3);
        access(lru3, 3, 3, 3); // t0-t2: frame 3 has K = 3 accesses: a finite distance
        access(lru3, 0); // t3
        access(lru3, 1); // t4
        access(lru3, 0); // t5: frame 0 now has 2 accesses (t3, t5), still fewer than K
        access(lru3, 2); // t6
        evictable(lru3, 3, 2, 1, 0);
        assertThat(
                "frames 0, 1 and 2 have fewer than 3 accesses: infinite distance, so they go before frame 3;"
                        + " among them the oldest first access goes first: 0 (t3), 1 (t4), 2 (t6), even though 0 was used"
                        + " again at t5",
                evictAll(lru3),
                is(List.of(0, 1, 2, 3)));
    }

    @Test
    void aScansOnceReadPagesGoBeforeTheHotPages() {
        LruKReplacer lru2 = new LruKReplacer(8, 2);
        for (int round = 0; round < 3; round++) {
            access(lru2, 0, 1, 2); // the hot pages: the root and two internal pages, say
        }
        access(lru2, 3, 4, 5, 6, 7); // a scan touches five leaves once each, after the hot pages
        evictable(lru2, 0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(
                "every page the scan read once goes (oldest first) before any hot page; LRU would evict the hot"
                        + " pages 0, 1, 2 first because the scan used its pages last",
                evictAll(lru2),
                is(List.of(3, 4, 5, 6, 7, 0, 1, 2)));
    }

    @Test
    void anAccessToAnEvictableFrameMovesIt() {
        LruKReplacer lru2 = new LruKReplacer(2, 2);
        access(lru2, 0, 0, 1, 1);
        evictable(lru2, 0, 1);
        access(lru2, 0, 0); // frame 0 is evictable while it is accessed again
        assertThat(
                "frame 0's 2nd most recent access is now t4, after frame 1's (t2): frame 1 goes first. An"
                        + " access to an evictable frame must update its place among the candidates",
                lru2.evict(),
                is(1));
    }

    @Test
    void pinnedFramesAreNeverEvictedAndSizeCountsTheEvictableOnes() {
        LruKReplacer lru2 = new LruKReplacer(3, 2);
        access(lru2, 0, 1, 2);
        evictable(lru2, 0, 1, 2);
        assertThat("three evictable frames", lru2.size(), is(3));
        lru2.setEvictable(0, false);
        assertThat("setEvictable(0, false) takes frame 0 out of the candidates", lru2.size(), is(2));
        lru2.setEvictable(1, true);
        assertThat("setEvictable(1, true) on an evictable frame changes nothing", lru2.size(), is(2));
        assertThat("frame 0 is pinned: 1 and 2 go, and then nothing", evictAll(lru2), is(List.of(1, 2)));
        lru2.setEvictable(0, true);
        assertThat("frame 0 unpinned is evictable", lru2.evict(), is(0));
    }

    @Test
    void evictAndRemoveForgetAFramesHistory() {
        LruKReplacer lru2 = new LruKReplacer(3, 2);
        access(lru2, 0, 0, 1, 1, 2, 2);
        evictable(lru2, 0, 1, 2);
        assertThat("(setup) frame 0 has the oldest 2nd most recent access (t0)", lru2.evict(), is(0));
        lru2.remove(1);
        assertThat("remove(1) takes frame 1 out of the candidates", lru2.size(), is(1));
        access(lru2, 1, 0); // each comes back with one access: t6 and t7
        evictable(lru2, 0, 1);
        assertThat(
                "after evict or remove, a frame starts a new history: frames 1 and 0 each have one access (an"
                        + " infinite distance) and go before frame 2, which has two; 1 first (t6)",
                evictAll(lru2),
                is(List.of(1, 0, 2)));
        assertThat("nothing is left to evict", lru2.evict(), is(-1));
    }

    @Test
    void withKEqualToOneItIsPlainLru() {
        LruKReplacer lru1 = new LruKReplacer(4, 1);
        access(lru1, 0, 1, 2, 3, 1, 0);
        evictable(lru1, 0, 1, 2, 3);
        assertThat(
                "K = 1: the distance is the time since the last access, so LRU order",
                evictAll(lru1),
                is(List.of(2, 3, 1, 0)));
    }

    @Test
    void randomCallsMatchABruteForceOracle() {
        matchesTheOracle(6, 2, 77, 5000, 5, 7, 9, 5);
    }

    @Test
    void manyEvictableFramesMatchTheOracleToo() {
        // Hundreds of evictable frames: an evict() that finds several victims per scan (as the
        // reference does) must still hand them out in order while frames are pinned, unpinned and
        // accessed between the evictions.
        matchesTheOracle(300, 2, 78, 40_000, 5, 9, 10, 8);
        matchesTheOracle(200, 3, 79, 40_000, 5, 9, 10, 8);
    }

    /**
     * Random calls on a replacer and on a brute-force model, compared after each. Of every ten
     * calls, those below {@code access} record an access, below {@code setEvictable} set a frame
     * evictable ({@code evictableWeight} in ten times) or not, below {@code evict} evict, and the
     * rest remove a frame.
     */
    private static void matchesTheOracle(
            int frames, int k, long seed, int ops, int access, int setEvictable, int evict, int evictableWeight) {
        Random random = new Random(seed);
        LruKReplacer lru = new LruKReplacer(frames, k);
        LruKModel model = new LruKModel(frames, k);
        for (int op = 0; op < ops; op++) {
            int f = random.nextInt(frames);
            int choice = random.nextInt(10);
            if (choice < access) {
                lru.recordAccess(f);
                model.recordAccess(f);
            } else if (choice < setEvictable && !model.history(f).isEmpty()) {
                boolean e = random.nextInt(10) < evictableWeight;
                lru.setEvictable(f, e);
                model.setEvictable(f, e);
            } else if (choice < evict) {
                int expected = model.victim();
                int victim = lru.evict();
                if (victim != expected) {
                    assertThat(
                            "op " + op + ": evict() with " + frames + " frames, K = " + k + ", frame " + victim
                                    + "'s history " + (victim >= 0 ? model.history(victim) : "-") + ", frame "
                                    + expected
                                    + "'s " + (expected >= 0 ? model.history(expected) : "-"),
                            victim,
                            is(expected));
                }
                model.evict();
            } else {
                lru.remove(f);
                model.remove(f);
            }
            if (lru.size() != model.size()) {
                assertThat("op " + op + ": size()", lru.size(), is(model.size()));
            }
        }
    }
}
