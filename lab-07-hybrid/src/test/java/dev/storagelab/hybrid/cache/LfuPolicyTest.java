package dev.storagelab.hybrid.cache;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * lab-07 T3, O(1) LFU (Shah, Mitra and Matani, 2010): the least frequently used key goes first, the
 * least recently used of them on a tie; counts are kept while a key is resident; empty frequency
 * nodes are unlinked; and a brute-force LFU agrees with it on a random trace.
 */
class LfuPolicyTest {

    private final List<String> evicted = new ArrayList<>();

    private void reference(LfuPolicy<String> lfu, String... keys) {
        for (String k : keys) {
            lfu.reference(k, evicted::add);
        }
    }

    @Test
    void aMissInAFullCacheEvictsTheLeastFrequentlyUsedKey() {
        LfuPolicy<String> lfu = new LfuPolicy<>(3);
        reference(lfu, "a", "a", "a", "b", "b", "c", "c", "c", "d");
        assertThat("b was referenced twice, a and c three times", evicted, contains("b"));
        assertThat(lfu.contains("d"), equalTo(true));
        assertThat(lfu.size(), equalTo(3));
    }

    @Test
    void aTieGoesToTheLeastRecentlyUsed() {
        LfuPolicy<String> lfu = new LfuPolicy<>(3);
        reference(lfu, "a", "b", "c", "b", "a", "c", "x");
        assertThat("a, b and c were each referenced twice; b reached 2 first", evicted, contains("b"));
        reference(lfu, "y");
        assertThat("x (1) is below a and c (2)", evicted, contains("b", "x"));
    }

    @Test
    void aHitCountsAndReturnsTrue() {
        LfuPolicy<String> lfu = new LfuPolicy<>(4);
        assertThat(lfu.reference("a", evicted::add), equalTo(false));
        assertThat(lfu.reference("a", evicted::add), equalTo(true));
        assertThat(lfu.reference("a", evicted::add), equalTo(true));
        assertThat(lfu.frequency("a"), equalTo(3L));
        assertThat(lfu.frequency("never"), equalTo(0L));
        assertThat(evicted, empty());
    }

    @Test
    void anEvictedOrRemovedKeyStartsAgainAtOne() {
        LfuPolicy<String> lfu = new LfuPolicy<>(1);
        reference(lfu, "a", "a", "a", "b");
        assertThat("a capacity of one: every miss evicts", evicted, contains("a"));
        reference(lfu, "a");
        assertThat("in-cache LFU: a's old count is gone", lfu.frequency("a"), equalTo(1L));
        assertThat(lfu.remove("a"), equalTo(true));
        assertThat(lfu.remove("a"), equalTo(false));
        assertThat(lfu.size(), equalTo(0));
    }

    @Test
    void emptyFrequencyNodesAreUnlinked() {
        LfuPolicy<String> lfu = new LfuPolicy<>(8);
        reference(lfu, "a", "a", "a", "a", "b", "b", "c");
        assertThat("frequencies 1 (c), 2 (b), 4 (a)", lfu.frequencyNodes(), equalTo(3));
        reference(lfu, "c");
        assertThat("c joins b at 2: frequency 1 has no key left", lfu.frequencyNodes(), equalTo(2));
        lfu.remove("a");
        assertThat(lfu.frequencyNodes(), equalTo(1));
        lfu.remove("b");
        lfu.remove("c");
        assertThat(lfu.frequencyNodes(), equalTo(0));
        reference(lfu, "d");
        assertThat("the list works again after it was emptied", lfu.frequency("d"), equalTo(1L));
    }

    /** LFU the slow way: a count and a last-use time per resident key, and a scan for the victim. */
    private static final class BruteForceLfu {
        final int capacity;
        final Map<Integer, long[]> countAndLastUse = new HashMap<>();
        long clock;

        BruteForceLfu(int capacity) {
            this.capacity = capacity;
        }

        /** Returns the evicted key, or -1 (and -2 for a hit). */
        int reference(int key) {
            clock++;
            long[] e = countAndLastUse.get(key);
            if (e != null) {
                e[0]++;
                e[1] = clock;
                return -2;
            }
            int victim = -1;
            if (countAndLastUse.size() == capacity) {
                long[] best = null;
                for (Map.Entry<Integer, long[]> c : countAndLastUse.entrySet()) {
                    long[] v = c.getValue();
                    if (best == null || v[0] < best[0] || (v[0] == best[0] && v[1] < best[1])) {
                        best = v;
                        victim = c.getKey();
                    }
                }
                countAndLastUse.remove(victim);
            }
            countAndLastUse.put(key, new long[] {1, clock});
            return victim;
        }
    }

    @Test
    void agreesWithABruteForceLfuOnARandomTrace() {
        LfuPolicy<Integer> lfu = new LfuPolicy<>(10);
        BruteForceLfu model = new BruteForceLfu(10);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            int key = random.nextInt(3) == 0 ? random.nextInt(5) : random.nextInt(40);
            List<Integer> out = new ArrayList<>();
            boolean hit = lfu.reference(key, out::add);
            int expected = model.reference(key);
            String at = "reference " + i + " of " + key;
            assertThat(at + ": hit", hit, equalTo(expected == -2));
            assertThat(at + ": evicted", out, equalTo(expected >= 0 ? List.of(expected) : List.of()));
            assertThat(
                    at + ": frequency",
                    lfu.frequency(key),
                    equalTo(model.countAndLastUse.get(key)[0]));
        }
    }

    @Test
    void theFactoryBuildsAnLfuAndRejectsNullKeys() {
        ReplacementPolicy<String> lfu = ReplacementPolicies.of("lfu", 2);
        assertThat(lfu.name(), equalTo("lfu"));
        lfu.reference("a", evicted::add);
        lfu.reference("a", evicted::add);
        lfu.reference("b", evicted::add);
        lfu.reference("c", evicted::add);
        assertThat("b (1) goes, not a (2)", evicted, contains("b"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> lfu.reference(null, evicted::add));
        assertThat(e.getMessage(), containsString("key"));
        IllegalArgumentException c =
                assertThrows(IllegalArgumentException.class, () -> ReplacementPolicies.of("lfu", 0));
        assertThat(c.getMessage(), containsString("capacity"));
    }
}
