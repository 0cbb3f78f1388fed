package dev.storagelab.hybrid.cache.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.cache.ArcPolicy;
import dev.storagelab.hybrid.cache.HitRateSimulation;
import dev.storagelab.hybrid.cache.LruPolicy;
import dev.storagelab.lab.Graded;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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
 * Hidden tests of ARC (lab-07 T3): every reference of random and adversarial traces against a
 * line-by-line transcription of the paper's pseudocode ({@link PaperArc}: the same hits, the same
 * evictions, the same four lists and target); the paper's invariants after every step, removals
 * included; the target's adaptation on ghost hits; the evicted keys against the resident set; no
 * eviction while there is room; and scan resistance.
 */
@Tag("hidden")
class ArcPolicyHiddenTest {

    /** A reference, or (remove) a removal, of a small integer key. */
    record Op(boolean remove, int key) {
        @Override
        public String toString() {
            return (remove ? "remove " : "") + key;
        }
    }

    @Provide
    Arbitrary<List<Integer>> traces() {
        return Arbitraries.oneOf(
                        Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 24))
                .list()
                .ofMinSize(1)
                .ofMaxSize(400);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> keys = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 24));
        return Combinators.combine(Arbitraries.integers().between(0, 9), keys)
                .as((k, key) -> new Op(k == 0, key))
                .list()
                .ofMinSize(1)
                .ofMaxSize(400);
    }

    /** The paper's invariants, and the lists disjoint (the messages are built only when one fails). */
    static void checkInvariants(ArcPolicy<Integer> arc, String at) {
        int c = arc.capacity();
        int t1 = arc.t1Size();
        int t2 = arc.t2Size();
        int b1 = arc.b1Size();
        int b2 = arc.b2Size();
        boolean ok = t1 + t2 <= c
                && t1 + b1 <= c
                && t1 + t2 + b1 + b2 <= 2 * c
                && arc.target() >= 0
                && arc.target() <= c
                && arc.size() == t1 + t2;
        if (ok && t1 + t2 + b1 + b2 <= 64) { // the lists themselves, while they are short
            Set<Integer> all = new HashSet<>(arc.t1());
            all.addAll(arc.t2());
            all.addAll(arc.b1());
            all.addAll(arc.b2());
            ok = all.size() == t1 + t2 + b1 + b2;
        }
        if (ok) {
            return;
        }
        assertThat(at + ": |T1| + |T2| <= c (" + arc + ")", t1 + t2, lessThanOrEqualTo(c));
        assertThat(at + ": |T1| + |B1| <= c (" + arc + ")", t1 + b1, lessThanOrEqualTo(c));
        assertThat(at + ": |T1| + |T2| + |B1| + |B2| <= 2c (" + arc + ")", t1 + t2 + b1 + b2, lessThanOrEqualTo(2 * c));
        assertThat(at + ": p >= 0 (" + arc + ")", arc.target(), greaterThanOrEqualTo(0));
        assertThat(at + ": p <= c (" + arc + ")", arc.target(), lessThanOrEqualTo(c));
        assertThat(at + ": size() = |T1| + |T2|", arc.size(), equalTo(t1 + t2));
        assertThat(
                at + ": the sizes match the lists",
                List.of(
                        arc.t1().size(),
                        arc.t2().size(),
                        arc.b1().size(),
                        arc.b2().size()),
                equalTo(List.of(t1, t2, b1, b2)));
        assertThat(
                at + ": a key is in at most one of T1 " + arc.t1() + ", T2 " + arc.t2() + ", B1 " + arc.b1() + ", B2 "
                        + arc.b2(),
                false,
                equalTo(true));
    }

    /** Runs {@code trace} through ARC and the paper's transcription side by side, comparing everything after every step. */
    static void compareWithThePaper(int c, Iterable<Integer> trace) {
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        PaperArc<Integer> paper = new PaperArc<>(c);
        int i = 0;
        List<Integer> got = new ArrayList<>();
        List<Integer> want = new ArrayList<>();
        for (int key : trace) {
            got.clear();
            want.clear();
            boolean hit = arc.reference(key, got::add);
            boolean paperHit = paper.request(key, want);
            if (hit == paperHit
                    && got.equals(want)
                    && arc.target() == paper.p
                    && arc.t1().equals(paper.t1)
                    && arc.t2().equals(paper.t2)
                    && arc.b1().equals(paper.b1)
                    && arc.b2().equals(paper.b2)) {
                i++;
                continue;
            }
            String at = "c = " + c + ", reference " + i + " (key " + key + ")";
            assertThat(at + ": hit", hit, equalTo(paperHit));
            assertThat(at + ": evicted keys", got, equalTo(want));
            assertThat(at + ": target p", arc.target(), equalTo(paper.p));
            assertThat(at + ": T1, LRU first", arc.t1(), equalTo(paper.t1));
            assertThat(at + ": T2, LRU first", arc.t2(), equalTo(paper.t2));
            assertThat(at + ": B1, LRU first", arc.b1(), equalTo(paper.b1));
            assertThat(at + ": B2, LRU first", arc.b2(), equalTo(paper.b2));
        }
    }

    @Property(tries = 400)
    @Graded(
            task = "T3",
            points = 5,
            concept = "ARC's hits, evictions, lists or target differ from the paper's pseudocode on a random trace "
                    + "(a case of the request, REPLACE or the case-IV bookkeeping is wrong)")
    void matchesThePapersPseudocodeOnRandomTraces(
            @ForAll("traces") List<Integer> trace, @ForAll @IntRange(min = 1, max = 10) int c) {
        compareWithThePaper(c, trace);
    }

    @Property(tries = 300)
    @Graded(
            task = "T3",
            points = 3,
            concept = "ARC breaks one of the paper's invariants (|T1|+|T2| <= c, |T1|+|B1| <= c, "
                    + "|T1|+|T2|+|B1|+|B2| <= 2c, 0 <= p <= c, a key in one list only) at some step, removals included")
    void thePapersInvariantsHoldAfterEveryStep(
            @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 10) int c) {
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        int i = 0;
        for (Op op : ops) {
            if (op.remove()) {
                arc.remove(op.key());
            } else {
                arc.reference(op.key(), k -> {});
                assertReferencedIsResident(arc, op.key(), "c = " + c + ", step " + i);
            }
            checkInvariants(arc, "c = " + c + ", step " + i++ + " (" + op + ")");
        }
    }

    /**
     * Whatever ARC does with the lists, the key it was just given is in T1 or T2: a policy that keeps
     * nothing keeps every invariant, moves no target and evicts nothing.
     */
    private static void assertReferencedIsResident(ArcPolicy<Integer> arc, int key, String at) {
        assertThat(at + ": the key just referenced is resident", arc.contains(key), equalTo(true));
    }

    /** Traces built to stress one part each, 20,000 to 30,000 references long. */
    static List<int[]> adversarialTraces(int c) {
        List<int[]> traces = new ArrayList<>();
        int[] loop = new int[30_000]; // a loop one key longer than the cache: LRU's worst case
        for (int i = 0; i < loop.length; i++) {
            loop[i] = i % (c + 1);
        }
        traces.add(loop);
        int[] scans = new int[30_000]; // a working set twice over, then a scan of 3c keys never seen again
        int next = 1_000_000;
        for (int i = 0; i < scans.length; ) {
            for (int r = 0; r < 2; r++) {
                for (int k = 0; k < c / 2 && i < scans.length; k++) {
                    scans[i++] = k;
                }
            }
            for (int k = 0; k < 3 * c && i < scans.length; k++) {
                scans[i++] = next++;
            }
        }
        traces.add(scans);
        // Alternating phases of 3,000 references. Recency: each new key is referenced again 3c/4 new
        // keys later, after T1 evicted it: ghost hits in B1 push p up to c. Frequency: random keys of
        // a set of 2c, each twice in a row: ghost hits in B2 pull p back down to 0.
        int[] phases = new int[30_000];
        SplittableRandom random = new SplittableRandom(11);
        int gap = Math.max(1, 3 * c / 4);
        for (int i = 0; i < phases.length; ) {
            int phaseEnd = Math.min(phases.length, i + 3_000);
            boolean recency = (i / 3_000) % 2 == 0;
            int base = 2_000_000 + (i / 3_000) * 10_000;
            int fresh = 0;
            while (i < phaseEnd) {
                if (recency) {
                    int k = base + fresh++;
                    phases[i++] = k;
                    if (fresh > gap && i < phaseEnd) {
                        phases[i++] = k - gap;
                    }
                } else {
                    int k = random.nextInt(2 * c);
                    phases[i++] = k;
                    if (i < phaseEnd) {
                        phases[i++] = k;
                    }
                }
            }
        }
        traces.add(phases);
        int[] skewed = new int[30_000]; // random, a few hot keys, the hot set moving
        for (int i = 0; i < skewed.length; i++) {
            int base = (i / 5_000) * 7;
            skewed[i] = random.nextInt(3) > 0 ? base + random.nextInt(c / 2 + 1) : random.nextInt(4 * c);
        }
        traces.add(skewed);
        int[] same = new int[20_000]; // one key, then two alternating
        for (int i = 0; i < same.length; i++) {
            same[i] = i < 10_000 ? 5 : i % 2;
        }
        traces.add(same);
        return traces;
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "ARC diverges from the paper's pseudocode, or breaks an invariant, on long adversarial "
                    + "traces (a loop one longer than the cache, scans after a working set, alternating recency and frequency "
                    + "phases that push p to both ends, a moving hot set)")
    void longAdversarialRunsMatchThePaperAndKeepTheInvariants() {
        int highestP = 0;
        int lowestPAfterHighest = Integer.MAX_VALUE;
        for (int c : new int[] {1, 3, 32}) {
            for (int[] trace : adversarialTraces(c)) {
                List<Integer> boxed = new ArrayList<>(trace.length);
                for (int k : trace) {
                    boxed.add(k);
                }
                compareWithThePaper(c, boxed);
                ArcPolicy<Integer> arc = new ArcPolicy<>(c);
                for (int i = 0; i < trace.length; i++) {
                    arc.reference(trace[i], k -> {});
                    checkInvariants(arc, "c = " + c + ", reference " + i);
                    if (c == 32) {
                        if (arc.target() > highestP) {
                            highestP = arc.target();
                            lowestPAfterHighest = arc.target();
                        }
                        lowestPAfterHighest = Math.min(lowestPAfterHighest, arc.target());
                    }
                }
            }
        }
        assertThat("the recency phases push p to c (a check of the test itself)", highestP, equalTo(32));
        assertThat(
                "the frequency phases pull p back to 0 (a check of the test itself)", lowestPAfterHighest, equalTo(0));
    }

    @Property(tries = 300)
    @Graded(
            task = "T3",
            points = 2,
            concept =
                    "ARC's ghost hit in B1 does not grow the target p by max(1, |B2|/|B1|) (capped at c), "
                            + "or a ghost hit in B2 does not shrink it by max(1, |B1|/|B2|) (floored at 0), or p moves on another reference")
    void ghostHitsMoveTheTargetByThePapersDelta(
            @ForAll("traces") List<Integer> trace, @ForAll @IntRange(min = 1, max = 10) int c) {
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        int i = 0;
        for (int key : trace) {
            int p = arc.target();
            int b1 = arc.b1Size();
            int b2 = arc.b2Size();
            int expected;
            String kind;
            if (arc.b1().contains(key)) {
                expected = Math.min(c, p + (b1 >= b2 ? 1 : b2 / b1));
                kind = "a ghost hit in B1";
            } else if (arc.b2().contains(key)) {
                expected = Math.max(0, p - (b2 >= b1 ? 1 : b1 / b2));
                kind = "a ghost hit in B2";
            } else {
                expected = p;
                kind = arc.contains(key) ? "a hit" : "a miss";
            }
            arc.reference(key, k -> {});
            assertReferencedIsResident(arc, key, "c = " + c + ", reference " + i);
            assertThat(
                    "c = " + c + ", reference " + i++ + " of " + key + ", " + kind + " with p = " + p + ", |B1| = " + b1
                            + ", |B2| = " + b2,
                    arc.target(),
                    equalTo(expected));
        }
    }

    @Property(tries = 300)
    @Graded(
            task = "T3",
            points = 2,
            concept = "ARC passes the wrong keys to the evicted consumer (a ghost, the referenced key, a key "
                    + "twice, or a key that stays resident), evicts on a hit, or contains() disagrees with T1 and T2")
    void theEvictedKeysAreExactlyTheKeysThatStopBeingResident(
            @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 10) int c) {
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        Set<Integer> resident = new HashSet<>();
        int i = 0;
        for (Op op : ops) {
            String at = "c = " + c + ", step " + i++ + " (" + op + ")";
            if (op.remove()) {
                assertThat(at + ": remove reports residency", arc.remove(op.key()), equalTo(resident.remove(op.key())));
            } else {
                boolean wasResident = resident.contains(op.key());
                List<Integer> evicted = new ArrayList<>();
                assertThat(at + ": hit iff resident", arc.reference(op.key(), evicted::add), equalTo(wasResident));
                if (wasResident) {
                    assertThat(at + ": a hit evicts nothing", evicted, empty());
                }
                for (int k : evicted) {
                    assertThat(
                            at + ": evicted " + k + ", which was not resident (or was evicted twice)",
                            resident.remove(k),
                            equalTo(true));
                    assertThat(at + ": evicted the key being referenced", k == op.key(), equalTo(false));
                }
                resident.add(op.key());
            }
            Set<Integer> lists = new HashSet<>(arc.t1());
            lists.addAll(arc.t2());
            assertThat(
                    at + ": T1 and T2 hold exactly the keys referenced and not evicted or removed",
                    lists,
                    equalTo(resident));
            for (int k = 0; k <= 24; k++) {
                assertThat(at + ": contains(" + k + ")", arc.contains(k), equalTo(resident.contains(k)));
            }
        }
    }

    @Property(tries = 200)
    @Graded(
            task = "T3",
            points = 1,
            concept = "ARC evicts while the cache has free room (after remove): REPLACE on a ghost hit or a "
                    + "miss must run only when |T1| + |T2| = c")
    void nothingIsEvictedWhileThereIsRoom(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 10) int c) {
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        int i = 0;
        for (Op op : ops) {
            if (op.remove()) {
                arc.remove(op.key());
                continue;
            }
            int before = arc.size();
            List<Integer> evicted = new ArrayList<>();
            arc.reference(op.key(), evicted::add);
            String at = "c = " + c + ", step " + i++ + " (" + op + ") with " + before + " resident";
            assertReferencedIsResident(arc, op.key(), at);
            if (before < c) {
                assertThat(at + ": there was room", evicted, empty());
            } else {
                assertThat(at + ": a full cache stays full", arc.size(), equalTo(c));
            }
            checkInvariants(arc, at);
        }
    }

    @Property(tries = 200)
    @Graded(
            task = "T3",
            points = 2,
            concept = "ARC is not scan resistant: a one-pass scan of new keys flushes keys referenced twice "
                    + "(they belong in T2, which a scan through T1 must not touch while p stays 0)")
    void aOnePassScanDoesNotFlushTheWorkingSet(
            @ForAll @IntRange(min = 2, max = 64) int c,
            @ForAll @IntRange(min = 1, max = 32) int w,
            @ForAll @IntRange(min = 1, max = 640) int scanLength,
            @ForAll @IntRange(min = 1, max = 3) int scans) {
        int workingSet = Math.max(1, Math.min(w, c / 2));
        ArcPolicy<Integer> arc = new ArcPolicy<>(c);
        int next = 1_000;
        for (int s = 0; s < scans; s++) {
            for (int r = 0; r < 2; r++) {
                for (int k = 0; k < workingSet; k++) {
                    arc.reference(k, x -> {});
                }
            }
            for (int j = 0; j < scanLength; j++) {
                arc.reference(next++, x -> {});
            }
            for (int k = 0; k < workingSet; k++) {
                assertThat(
                        "c = " + c + ", working set " + workingSet + ", after scan " + s + " of " + scanLength
                                + " keys: key " + k + " was flushed (" + arc + ")",
                        arc.contains(k),
                        equalTo(true));
            }
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 1,
            concept = "ARC's hit rate on a scan-polluted Zipfian trace is not above LRU's at small cache sizes")
    void arcBeatsLruOnAScanPollutedTrace() {
        int[] trace = HitRateSimulation.scanPolluted(5_000, 0.99, 100_000, 4_000, 1_000, 5);
        for (int c : new int[] {50, 200}) {
            long arc = HitRateSimulation.hits(new ArcPolicy<>(c), trace);
            long lru = HitRateSimulation.hits(new LruPolicy<>(c), trace);
            assertThat("c = " + c + ": ARC hits " + arc + ", LRU hits " + lru, arc > lru, equalTo(true));
        }
    }
}
