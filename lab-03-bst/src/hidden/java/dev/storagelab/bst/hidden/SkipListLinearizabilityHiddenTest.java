package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.bst.Invariants;
import dev.storagelab.bst.SkipListMap;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.Linearizability;
import dev.storagelab.testkit.Linearizability.Kind;
import dev.storagelab.testkit.TestThreads;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of lab-03 T6's skip list (the same check as lab-04 T11's B+tree): many short
 * random histories of three threads that get, put, remove and walk sub-maps (ascending and
 * descending) over a few keys, checked against a sequential {@link TreeMap} by testkit's
 * {@link Linearizability} checker. A walk is weakly consistent, as the skip list promises: each key
 * it returns was there with that value at some instant of the walk, and each key of its range it
 * does not return was absent at some instant; so a walk is checked as one read per key of its
 * range, plus strict order.
 */
@Tag("hidden")
class SkipListLinearizabilityHiddenTest {

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "skip list operations are not linearizable: a get or a walk saw a value no "
                    + "sequential order of the puts and removes explains (a lost update, a half-linked node, a removed node "
                    + "still visible after its remove returned)")
    void randomConcurrentHistoriesAreLinearizable() throws InterruptedException {
        AtomicInteger walksWithKeys = new AtomicInteger();
        for (int seed = 0; seed < 300; seed++) {
            checkOneHistory(seed, walksWithKeys);
        }
        assertThat("the walks saw keys", walksWithKeys.get(), greaterThan(300));
    }

    private static void checkOneHistory(int seed, AtomicInteger walksWithKeys) throws InterruptedException {
        Random random = new Random(seed);
        List<Integer> universe = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            universe.add(i * 10);
        }
        SkipListMap<Integer, String> map = new SkipListMap<>(null, seed);
        TreeMap<Integer, String> initial = new TreeMap<>();
        for (Integer k : universe) {
            if (random.nextBoolean()) {
                map.put(k, "init" + k);
                initial.put(k, "init" + k);
            }
        }
        Linearizability.Recorder<Integer, String> history = new Linearizability.Recorder<>();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        TestThreads.runAll(
                3,
                t -> {
                    Random r = new Random(seed * 31L + t);
                    for (int op = 0; op < 60; op++) {
                        Integer key = universe.get(r.nextInt(universe.size()));
                        int dice = r.nextInt(20);
                        if (dice < 7) {
                            long call = history.call();
                            String got = map.get(key);
                            history.returned(t, Kind.GET, key, got, call);
                        } else if (dice < 13) {
                            String v = "t" + t + "." + op;
                            long call = history.call();
                            map.put(key, v);
                            history.returned(t, Kind.PUT, key, v, call);
                        } else if (dice < 17) {
                            long call = history.call();
                            map.remove(key);
                            history.returned(t, Kind.DELETE, key, null, call);
                        } else {
                            int a = r.nextInt(universe.size());
                            int b = Math.min(universe.size(), a + 1 + r.nextInt(universe.size()));
                            Integer from = universe.get(a);
                            Integer to = b == universe.size() ? Integer.MAX_VALUE : universe.get(b);
                            boolean descending = r.nextBoolean();
                            long call = history.call();
                            NavigableMap<Integer, String> sub = map.subMap(from, true, to, false);
                            Map<Integer, String> seen = new LinkedHashMap<>();
                            Integer previous = null;
                            for (Map.Entry<Integer, String> e : (descending ? sub.descendingMap() : sub).entrySet()) {
                                if (previous != null && (previous < e.getKey()) == descending) {
                                    throw new AssertionError((descending ? "descending" : "ascending") + " walk of ["
                                            + from + ", " + to + ") returned " + previous + " then " + e.getKey());
                                }
                                previous = e.getKey();
                                seen.put(e.getKey(), e.getValue());
                            }
                            history.scanned(t, universe.subList(a, b), seen, call);
                            if (!seen.isEmpty()) {
                                walksWithKeys.incrementAndGet();
                            }
                        }
                    }
                },
                failures);
        TestThreads.rethrow(failures, "history " + seed);
        Optional<String> violation = Linearizability.check(initial, history.history());
        assertThat("history " + seed + " (3 threads on 16 keys) is linearizable", violation.orElse(null), nullValue());
        Invariants.checkSkipList(map);
    }
}
