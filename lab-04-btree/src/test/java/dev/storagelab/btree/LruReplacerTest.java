package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-04 T4: {@link LruReplacer}. The buffer pool tells the replacer when a frame is
 * accessed ({@code recordAccess}) and when its pin count reaches 0 or leaves 0
 * ({@code setEvictable}); {@code evict} picks the evictable frame used least recently and forgets
 * it. A frame's recency is its last access or the moment it became evictable, whichever is later.
 * Pinned (not evictable) frames are never picked, and every call is O(1).
 */
class LruReplacerTest {

    /** Evicts until nothing is evictable and returns the victims in order. */
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
    void evictsTheLeastRecentlyUsedFrameFirst() {
        LruReplacer lru = new LruReplacer(4);
        for (int f : new int[] {2, 0, 3, 1}) {
            lru.recordAccess(f);
            lru.setEvictable(f, true);
        }
        assertThat("four evictable frames", lru.size(), is(4));
        assertThat(
                "frames are evicted in the order they were last used (2, 0, 3, 1)",
                evictAll(lru),
                is(List.of(2, 0, 3, 1)));
        assertThat("evicting forgets the victim: nothing is evictable now", lru.size(), is(0));
        assertThat("evict() with nothing evictable returns -1", lru.evict(), is(-1));
    }

    @Test
    void anAccessMakesAFrameTheMostRecentlyUsed() {
        LruReplacer lru = new LruReplacer(3);
        for (int f = 0; f < 3; f++) {
            lru.recordAccess(f);
            lru.setEvictable(f, true);
        }
        lru.recordAccess(0);
        assertThat("frame 0 was used again after 1 and 2, so it goes last", evictAll(lru), is(List.of(1, 2, 0)));
    }

    @Test
    void aFrameIsAsRecentAsTheMomentItWasUnpinned() {
        LruReplacer lru = new LruReplacer(3);
        lru.recordAccess(0);
        lru.recordAccess(1);
        lru.setEvictable(1, true); // 1 is unpinned before 0, though 0 was accessed first
        lru.setEvictable(0, true);
        assertThat(
                "a frame's recency is the later of its last access and its unpin: 1 was unpinned before 0",
                evictAll(lru),
                is(List.of(1, 0)));
    }

    @Test
    void pinnedFramesAreNeverEvicted() {
        LruReplacer lru = new LruReplacer(4);
        for (int f = 0; f < 4; f++) {
            lru.recordAccess(f);
            lru.setEvictable(f, true);
        }
        lru.setEvictable(0, false);
        lru.setEvictable(2, false);
        assertThat("size() counts evictable frames only", lru.size(), is(2));
        assertThat("frames 0 and 2 are pinned: only 1 and 3 can go", evictAll(lru), is(List.of(1, 3)));
        lru.setEvictable(2, true);
        assertThat("frame 2 unpinned again is evictable", lru.evict(), is(2));
        assertThat("frame 0 is still pinned", lru.evict(), is(-1));
    }

    @Test
    void settingTheStateAFrameAlreadyHasChangesNothing() {
        LruReplacer lru = new LruReplacer(3);
        for (int f = 0; f < 3; f++) {
            lru.recordAccess(f);
            lru.setEvictable(f, true);
        }
        lru.setEvictable(0, true);
        assertThat("setEvictable(0, true) on an evictable frame neither counts it twice", lru.size(), is(3));
        assertThat("nor counts as an access: 0 is still the least recent", evictAll(lru), is(List.of(0, 1, 2)));
        lru.setEvictable(1, false);
        assertThat("setEvictable(false) on a frame that is not evictable changes nothing", lru.size(), is(0));
    }

    @Test
    void removeForgetsAFrame() {
        LruReplacer lru = new LruReplacer(3);
        for (int f = 0; f < 3; f++) {
            lru.recordAccess(f);
            lru.setEvictable(f, true);
        }
        lru.remove(1);
        assertThat("remove(1) takes frame 1 out of the evictable frames", lru.size(), is(2));
        lru.remove(1);
        assertThat("removing a frame the replacer does not track changes nothing", lru.size(), is(2));
        assertThat("frame 1 is never evicted after remove", evictAll(lru), is(List.of(0, 2)));
    }

    @Test
    void randomCallsMatchAnOrderedSetOracle() {
        int frames = 8;
        Random random = new Random(303);
        LruReplacer lru = new LruReplacer(frames);
        // The oracle: evictable frames, least recently used first.
        LinkedHashSet<Integer> oracle = new LinkedHashSet<>();
        for (int op = 0; op < 5000; op++) {
            int f = random.nextInt(frames);
            switch (random.nextInt(4)) {
                case 0 -> {
                    lru.recordAccess(f);
                    if (oracle.remove(f)) {
                        oracle.add(f);
                    }
                }
                case 1 -> {
                    boolean evictable = random.nextBoolean();
                    lru.recordAccess(f);
                    lru.setEvictable(f, evictable);
                    oracle.remove(f);
                    if (evictable) {
                        oracle.add(f);
                    }
                }
                case 2 -> {
                    int expected = oracle.isEmpty() ? -1 : oracle.iterator().next();
                    oracle.remove(expected);
                    assertThat(
                            "op " + op + ": evict() picks the least recently used evictable frame",
                            lru.evict(),
                            is(expected));
                }
                default -> {
                    lru.remove(f);
                    oracle.remove(f);
                }
            }
            assertThat("op " + op + ": size() is the number of evictable frames", lru.size(), is(oracle.size()));
        }
    }
}
