package dev.storagelab.hybrid.cache;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * lab-07 T3, ARC (Megiddo and Modha, FAST 2003): where a reference puts its key (R on a miss, F
 * on a hit or a ghost hit), which key REPLACE evicts and to which ghost list, how ghost hits move
 * the target p (by 1, or by the ratio of the ghost lists' sizes), the tie rule of a ghost hit in
 * B2, the paper's invariants on a random trace, and scan resistance.
 */
class ArcPolicyTest {

    private final List<Character> evicted = new ArrayList<>();

    /** References each character of {@code trace} in order; returns the hits as a string of 'h' and '.'. */
    private String run(ArcPolicy<Character> arc, String trace) {
        StringBuilder hits = new StringBuilder();
        for (char k : trace.toCharArray()) {
            hits.append(arc.reference(k, evicted::add) ? 'h' : '.');
        }
        return hits.toString();
    }

    @Test
    void aMissGoesToT1AndASecondReferenceMovesItToT2() {
        ArcPolicy<Character> arc = new ArcPolicy<>(4);
        assertThat(run(arc, "abca"), equalTo("...h"));
        assertThat("seen once: R, least recently used first", arc.t1(), contains('b', 'c'));
        assertThat("seen twice: F", arc.t2(), contains('a'));
        assertThat(arc.size(), equalTo(3));
        assertThat(arc.contains('a') && arc.contains('b') && arc.contains('c'), equalTo(true));
        assertThat("nothing evicted while the cache has room", evicted, empty());
    }

    @Test
    void whenT1HoldsTheWholeCacheItsLruKeyIsEvictedWithoutAGhost() {
        ArcPolicy<Character> arc = new ArcPolicy<>(2);
        run(arc, "abc");
        assertThat("case IV A with |R| = c: the LRU key of R goes, and B1 stays empty", evicted, contains('a'));
        assertThat(arc.t1(), contains('b', 'c'));
        assertThat(arc.b1(), empty());
        assertThat(arc.contains('a'), equalTo(false));
    }

    @Test
    void replaceMovesTheLruKeyOfT1ToB1WhileT1IsAboveTheTarget() {
        ArcPolicy<Character> arc = new ArcPolicy<>(2);
        run(arc, "aabc");
        assertThat("R = [b] is larger than p = 0, so REPLACE takes R's LRU key", evicted, contains('b'));
        assertThat(arc.t1(), contains('c'));
        assertThat(arc.t2(), contains('a'));
        assertThat("an evicted R key becomes a ghost in B1", arc.b1(), contains('b'));
        assertThat("a ghost is not resident", arc.contains('b'), equalTo(false));
    }

    @Test
    void aGhostHitInB1GrowsTheTargetAndTheKeyComesBackInT2() {
        ArcPolicy<Character> arc = new ArcPolicy<>(2);
        run(arc, "aabc");
        evicted.clear();
        assertThat("a ghost hit is a miss: the value is not cached", arc.reference('b', evicted::add), equalTo(false));
        assertThat("p grows by 1 (|B1| >= |B2|)", arc.target(), equalTo(1));
        assertThat("|R| = 1 is not above p = 1: REPLACE takes F's LRU key, to B2", evicted, contains('a'));
        assertThat(arc.b2(), contains('a'));
        assertThat(arc.b1(), empty());
        assertThat(arc.t2(), contains('b'));
        assertThat(arc.t1(), contains('c'));
    }

    @Test
    void aGhostHitInB2ShrinksTheTarget() {
        ArcPolicy<Character> arc = new ArcPolicy<>(2);
        run(arc, "aabcb");
        evicted.clear();
        assertThat(arc.reference('a', evicted::add), equalTo(false));
        assertThat("p shrinks by 1 (|B2| >= |B1|)", arc.target(), equalTo(0));
        assertThat("|R| = 1 is above p = 0: REPLACE takes R's LRU key", evicted, contains('c'));
        assertThat(arc.t2(), contains('b', 'a'));
        assertThat(arc.b1(), contains('c'));
        assertThat(arc.b2(), empty());
    }

    @Test
    void onAGhostHitInB2AT1ExactlyAtTheTargetGivesUpItsKey() {
        ArcPolicy<Character> arc = new ArcPolicy<>(3);
        run(arc, "ecfebcf");
        assertThat(
                "before: p = 2, R = [b], F = [c, f], B2 = [e]",
                List.of(arc.target(), arc.t1(), arc.t2(), arc.b2()),
                equalTo(List.of(2, List.of('b'), List.of('c', 'f'), List.of('e'))));
        evicted.clear();
        arc.reference('e', evicted::add);
        assertThat(arc.target(), equalTo(1));
        assertThat("REPLACE's tie rule: x in B2 and |R| = p evicts from R, not F", evicted, contains('b'));
        assertThat(arc.t1(), empty());
        assertThat(arc.t2(), contains('c', 'f', 'e'));
        assertThat(arc.b1(), contains('b'));
    }

    @Test
    void aGhostHitInTheSmallerGhostListMovesTheTargetByTheRatioOfTheirSizes() {
        ArcPolicy<Character> arc = new ArcPolicy<>(3);
        run(arc, "aceabbdef");
        assertThat(
                "before: p = 1, |B1| = 1, |B2| = 2",
                List.of(arc.target(), arc.b1Size(), arc.b2Size()),
                equalTo(List.of(1, 1, 2)));
        evicted.clear();
        arc.reference('c', evicted::add);
        assertThat("p grows by |B2| / |B1| = 2", arc.target(), equalTo(3));
        assertThat(evicted, contains('e'));
        assertThat(arc.t1(), contains('d', 'f'));
        assertThat(arc.t2(), contains('c'));
        assertThat(arc.b2(), contains('a', 'b', 'e'));
    }

    @Test
    void thePapersInvariantsHoldAfterEveryReferenceOfARandomTrace() {
        int c = 16;
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            int key = random.nextInt(4) == 0 ? random.nextInt(8) : random.nextInt(60);
            List<Integer> out = new ArrayList<>();
            boolean hit = arc.reference(key, out::add);
            String at = "after reference " + i + " (" + arc + ")";
            assertThat(at + ": |R| + |F| <= c", arc.t1Size() + arc.t2Size(), lessThanOrEqualTo(c));
            assertThat(at + ": |R| + |B1| <= c", arc.t1Size() + arc.b1Size(), lessThanOrEqualTo(c));
            assertThat(
                    at + ": |R| + |F| + |B1| + |B2| <= 2c",
                    arc.t1Size() + arc.t2Size() + arc.b1Size() + arc.b2Size(),
                    lessThanOrEqualTo(2 * c));
            assertThat(at + ": 0 <= p <= c", arc.target() >= 0 && arc.target() <= c, equalTo(true));
            assertThat(at + ": the referenced key is resident", arc.contains(key), equalTo(true));
            assertThat(at + ": size() is |R| + |F|", arc.size(), equalTo(arc.t1Size() + arc.t2Size()));
            assertThat(
                    at + ": a hit evicts nothing, a miss at most one key", out.size(), lessThanOrEqualTo(hit ? 0 : 1));
        }
    }

    @Test
    void aOnePassScanDoesNotFlushTheFrequentlyUsedKeys() {
        ArcPolicy<Integer> arc = new ArcPolicy<>(100);
        LruPolicy<Integer> lru = new LruPolicy<>(100);
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 50; k++) {
                arc.reference(k, x -> {});
                lru.reference(k, x -> {});
            }
        }
        for (int k = 1_000; k < 11_000; k++) { // a scan of 10,000 keys never seen again
            arc.reference(k, x -> {});
            lru.reference(k, x -> {});
        }
        int arcKept = 0;
        int lruKept = 0;
        for (int k = 0; k < 50; k++) {
            arcKept += arc.contains(k) ? 1 : 0;
            lruKept += lru.contains(k) ? 1 : 0;
        }
        assertThat("LRU: the scan's keys are all more recent than the working set", lruKept, equalTo(0));
        assertThat("ARC: the working set is in F, and the scan only cycles through R", arcKept, equalTo(50));
    }

    @Test
    void removeDropsAResidentKeyOrAGhostAndAGhostHitWithRoomEvictsNothing() {
        ArcPolicy<Character> arc = new ArcPolicy<>(2);
        run(arc, "aabc"); // R [c], F [a], B1 [b]
        assertThat(arc.remove('c'), equalTo(true));
        assertThat(arc.contains('c'), equalTo(false));
        evicted.clear();
        arc.reference('b', evicted::add);
        assertThat("the cache had room: a ghost hit must not evict", evicted, empty());
        assertThat(arc.t2(), contains('a', 'b'));
        assertThat("a ghost is not resident", arc.remove('x'), equalTo(false));
        run(arc, "d"); // evicts a F key to B2 or a R key to B1
        List<Character> ghosts = new ArrayList<>(arc.b1());
        ghosts.addAll(arc.b2());
        assertThat(ghosts.size(), equalTo(1));
        assertThat("removing a ghost reports false", arc.remove(ghosts.get(0)), equalTo(false));
        assertThat(arc.b1Size() + arc.b2Size(), equalTo(0));
        assertThat(arc.size(), lessThan(3));
    }

    @Test
    void nullKeysAndCapacitiesBelowOneAreRejectedByName() {
        ReplacementPolicy<String> arc = ReplacementPolicies.of("arc", 1);
        assertThat(arc.reference("a", k -> {}), equalTo(false));
        assertThat(arc.reference("a", k -> {}), equalTo(true));
        assertThat(arc.name(), equalTo("arc"));
        IllegalArgumentException nullKey =
                assertThrows(IllegalArgumentException.class, () -> arc.reference(null, k -> {}));
        assertThat(nullKey.getMessage(), containsString("key"));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new ArcPolicy<String>(0));
        assertThat(zero.getMessage(), containsString("capacity"));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> ReplacementPolicies.of("clock", 8));
        assertThat(unknown.getMessage(), containsString("clock"));
    }
}
