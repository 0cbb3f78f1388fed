package dev.storagelab.hybrid.cache.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.cache.ArcPolicy;
import dev.storagelab.hybrid.cache.LfuPolicy;
import dev.storagelab.hybrid.cache.LruPolicy;
import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.cache.ReplacementPolicy;
import dev.storagelab.lab.Graded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the O(1) LFU (lab-07 T3): random references and removals against a brute-force
 * LFU (a count and a last use per key, a scan for the victim), the frequency list holding exactly
 * the frequencies of resident keys, and the factory's three policies.
 */
@Tag("hidden")
class LfuPolicyHiddenTest {

    record Op(boolean remove, int key) {
        @Override
        public String toString() {
            return (remove ? "remove " : "") + key;
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> keys = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 20));
        return Combinators.combine(Arbitraries.integers().between(0, 11), keys)
                .as((k, key) -> new Op(k == 0, key))
                .list()
                .ofMinSize(1)
                .ofMaxSize(400);
    }

    /** LFU the slow way: count and last use per resident key. */
    static final class BruteForceLfu {
        final int capacity;
        final Map<Integer, long[]> countAndLastUse = new HashMap<>();
        long clock;

        BruteForceLfu(int capacity) {
            this.capacity = capacity;
        }

        /** The evicted key, -1 for none, -2 for a hit. */
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

    @Property(tries = 400)
    @Graded(
            task = "T3",
            points = 4,
            concept = "LFU evicts the wrong key (not the least frequently used, or not the least recently used "
                    + "of them on a tie), miscounts a hit, or keeps a count across an eviction or a removal")
    void agreesWithABruteForceLfu(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 8) int c) {
        LfuPolicy<Integer> lfu = new LfuPolicy<>(c);
        BruteForceLfu model = new BruteForceLfu(c);
        int i = 0;
        for (Op op : ops) {
            String at = "c = " + c + ", step " + i++ + " (" + op + ")";
            if (op.remove()) {
                assertThat(
                        at + ": remove reports residency",
                        lfu.remove(op.key()),
                        equalTo(model.countAndLastUse.remove(op.key()) != null));
            } else {
                List<Integer> evicted = new ArrayList<>();
                boolean hit = lfu.reference(op.key(), evicted::add);
                int expected = model.reference(op.key());
                assertThat(at + ": hit", hit, equalTo(expected == -2));
                assertThat(at + ": evicted", evicted, equalTo(expected >= 0 ? List.of(expected) : List.of()));
            }
            assertThat(at + ": size", lfu.size(), equalTo(model.countAndLastUse.size()));
            for (int k = 0; k <= 20; k++) {
                long[] e = model.countAndLastUse.get(k);
                assertThat(at + ": frequency of " + k, lfu.frequency(k), equalTo(e == null ? 0L : e[0]));
                assertThat(at + ": contains(" + k + ")", lfu.contains(k), equalTo(e != null));
            }
        }
    }

    @Property(tries = 300)
    @Graded(
            task = "T3",
            points = 2,
            concept = "LFU's frequency list keeps empty frequency nodes (or loses one a key needs): its length "
                    + "is not the number of distinct frequencies of the resident keys")
    void theFrequencyListHoldsExactlyTheResidentFrequencies(
            @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 8) int c) {
        LfuPolicy<Integer> lfu = new LfuPolicy<>(c);
        int i = 0;
        for (Op op : ops) {
            if (op.remove()) {
                lfu.remove(op.key());
            } else {
                lfu.reference(op.key(), k -> {});
                // a policy that keeps nothing has no frequency nodes for no keys: the key just referenced stays
                assertThat(
                        "c = " + c + ", step " + i + " (" + op + "): the key just referenced is resident",
                        lfu.contains(op.key()),
                        equalTo(true));
            }
            Set<Long> frequencies = new HashSet<>();
            for (int k = 0; k <= 20; k++) {
                if (lfu.contains(k)) {
                    frequencies.add(lfu.frequency(k));
                }
            }
            assertThat(
                    "c = " + c + ", step " + i++ + " (" + op + "): frequency nodes for " + frequencies,
                    lfu.frequencyNodes(),
                    equalTo(frequencies.size()));
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 1,
            concept = "ReplacementPolicies.of does not build working arc, lru and lfu policies of the given "
                    + "capacity, or accepts a bad name, a capacity below 1 or a null key")
    void theFactoryBuildsEachPolicyAndRejectsBadArguments() {
        for (String name : List.of("arc", "lru", "lfu")) {
            ReplacementPolicy<String> p = ReplacementPolicies.of(name, 2);
            assertThat(p.name(), equalTo(name));
            assertThat(p.capacity(), equalTo(2));
            List<String> evicted = new ArrayList<>();
            for (String k : List.of("a", "a", "a", "b", "b", "c")) {
                p.reference(k, evicted::add);
            }
            // LRU and ARC (a and b both in T2, a at its LRU end, T1 empty) evict a; LFU evicts b,
            // referenced twice against a's three times.
            assertThat(name + " evicted", evicted, equalTo(List.of(name.equals("lfu") ? "b" : "a")));
            assertThat(p.size(), equalTo(2));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> p.reference(null, evicted::add));
            assertThat(e.getMessage(), containsString("key"));
        }
        assertThat(ReplacementPolicies.of("arc", 1), instanceOf(ArcPolicy.class));
        assertThat(ReplacementPolicies.of("lru", 1), instanceOf(LruPolicy.class));
        assertThat(ReplacementPolicies.of("lfu", 1), instanceOf(LfuPolicy.class));
        assertThat(
                assertThrows(IllegalArgumentException.class, () -> ReplacementPolicies.of("2q", 4))
                        .getMessage(),
                containsString("2q"));
        assertThat(
                assertThrows(IllegalArgumentException.class, () -> ReplacementPolicies.of("arc", 0))
                        .getMessage(),
                containsString("capacity"));
        assertThat(
                assertThrows(IllegalArgumentException.class, () -> new LfuPolicy<String>(-1))
                        .getMessage(),
                containsString("capacity"));
    }
}
