package dev.storagelab.hybrid.tune.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.hybrid.tune.Damper;
import dev.storagelab.hybrid.tune.Damping;
import dev.storagelab.hybrid.tune.Knob;
import dev.storagelab.hybrid.tune.LatencyHistogram;
import dev.storagelab.hybrid.tune.Monitor;
import dev.storagelab.hybrid.tune.PhaseWorkload;
import dev.storagelab.hybrid.tune.PhaseWorkload.Phase;
import dev.storagelab.hybrid.tune.Sample;
import dev.storagelab.hybrid.tune.Tuner;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-07 T10: the damper at each guard's boundary and under arbitrary noise, the
 * histogram against sorted values, the monitor's interval differences, the tuning rules, and a
 * store driven through the phase workload under simulated time (settling, no oscillation, the
 * store running with the knobs' values, compaction styles held).
 */
@Tag("hidden")
class TunerHiddenTest {

    private static final double EPS = 1e-9;

    // ------------------------------------------------------------------ the damper

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept =
                    "the damper's dead band is wrong: a wanted value exactly deadBand * range away must "
                            + "change nothing, one just past it must (the band is a fraction of the knob's range, not of its value)")
    void deadBandEdgesOnTwoKnobs() {
        Damper cache = new Damper(Knob.CACHE_SHARE, new Damping(0.125, 1, 1, 0)); // range 0.75: band 0.09375
        assertThat(cache.step(0.5, 0.59375), closeTo(0.5, EPS));
        assertThat(cache.step(0.5, 0.40625), closeTo(0.5, EPS));
        assertThat(cache.changes(), equalTo(0L));
        assertThat(cache.step(0.5, 0.594), closeTo(0.594, EPS));
        Damper consider = new Damper(Knob.CONSIDER_LOG2, new Damping(0.25, 1, 1, 0)); // range 4: band 1
        assertThat(consider.step(2, 3), closeTo(2, EPS));
        assertThat(consider.step(2, 1), closeTo(2, EPS));
        assertThat(consider.step(2, 0.99), closeTo(0.99, EPS));
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "the dwell is not counted as consecutive intervals wanting the same direction: "
                    + "a change came before dwell agreeing intervals, or an interval wanting the other way (or nothing) did not "
                    + "start the count again")
    void dwellCountsOnlyConsecutiveAgreeingIntervals() {
        Damper d = new Damper(Knob.HYSTERESIS, new Damping(0.05, 0.25, 4, 0));
        double v = 0.3;
        double[] wishes = {0.5, 0.5, 0.5, 0.1, 0.5, 0.5, 0.5, 0.3, 0.5, 0.5, 0.5};
        for (double w : wishes) {
            v = d.step(v, w);
        }
        assertThat("no run of 4 agreeing intervals yet", d.changes(), equalTo(0L));
        assertThat(d.step(v, 0.5), closeTo(0.4, EPS));
        Damper down = new Damper(Knob.HYSTERESIS, new Damping(0.05, 0.25, 4, 0));
        for (int i = 0; i < 3; i++) {
            assertThat(down.step(0.3, 0.1), closeTo(0.3, EPS));
        }
        assertThat("the fourth interval wanting down moves", down.step(0.3, 0.1), closeTo(0.2, EPS));
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "the cooldown is wrong: after a change the damper must change nothing for exactly "
                    + "cooldown intervals and count none of them toward the next dwell")
    void cooldownIsExactAndCountsNoDwell() {
        for (int cooldown = 0; cooldown <= 3; cooldown++) {
            Damper d = new Damper(Knob.HYSTERESIS, new Damping(0.01, 0.125, 2, cooldown));
            double v = 0.1;
            List<Integer> changedAt = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                double next = d.step(v, 0.5);
                if (next != v) {
                    changedAt.add(i);
                }
                v = next;
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 2; i <= 20 && expected.size() < 8; i += 2 + cooldown) {
                expected.add(i);
            }
            assertThat("cooldown " + cooldown, changedAt, equalTo(expected));
        }
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "a change is not bounded: it must move toward the (clamped) wanted value by at "
                    + "most maxStep * range, never past it, and never out of the knob's bounds")
    void stepsAreBoundedAndNeverOvershoot() {
        Damper d = new Damper(Knob.DIRTY_SHARE, new Damping(0.0, 0.2, 1, 0)); // range 0.45: step 0.09
        assertThat(d.step(0.05, 0.5), closeTo(0.14, EPS));
        assertThat(d.step(0.3, 0.05), closeTo(0.21, EPS));
        assertThat(d.step(0.3, 0.31), closeTo(0.31, EPS));
        assertThat(d.step(0.48, 7), closeTo(0.5, EPS));
        assertThat(d.step(0.06, -7), closeTo(0.05, EPS));
    }

    @Test
    @Graded(
            task = "T10",
            points = 1,
            concept = "reversals are not counted as changes against the direction of the change before")
    void reversalCounting() {
        Damper d = new Damper(Knob.CONSIDER_LOG2, new Damping(0.0, 1, 1, 0));
        double v = 2;
        for (double w : new double[] {3, 2.5, 2.5, 1, 4, 4, 3.5, 3.7}) {
            v = d.step(v, w);
        }
        assertThat(
                "up, down, down, up, down, up: 4 reversals (equal wishes change nothing)", d.reversals(), equalTo(4L));
        assertThat(d.changes(), equalTo(6L));
    }

    record Case(Damping damping, List<Double> wishes) {}

    @Property(tries = 300)
    @Graded(
            task = "T10",
            points = 3,
            concept = "arbitrary noisy wishes make the damper change or reverse more often than its dwell "
                    + "and cooldown allow, move away from the wanted value, or leave the knob's bounds")
    void arbitraryNoiseNeverOscillatesPastTheBound(@ForAll("cases") Case c) {
        Knob knob = Knob.HYSTERESIS;
        Damper d = new Damper(knob, c.damping());
        double v = 0.3;
        for (double w : c.wishes()) {
            double target = knob.clamp(w);
            double next = d.step(v, w);
            assertThat(next, greaterThanOrEqualTo(knob.min() - EPS));
            assertThat(next, lessThanOrEqualTo(knob.max() + EPS));
            if (next != v) {
                assertThat("moved away from the wanted value", Math.abs(target - next), lessThan(Math.abs(target - v)));
                assertThat(
                        "past the wanted value",
                        Math.signum(target - next) * Math.signum(target - v) < 0,
                        equalTo(false));
                assertThat(Math.abs(next - v), lessThanOrEqualTo(c.damping().maxStep() * knob.range() + EPS));
                assertThat(
                        "inside the dead band",
                        Math.abs(target - v),
                        greaterThan(c.damping().deadBand() * knob.range()));
            }
            v = next;
        }
        int t = c.wishes().size();
        int dwell = c.damping().dwell();
        long maxChanges = t < dwell ? 0 : 1 + (t - dwell) / (dwell + c.damping().cooldown());
        assertThat(d.changes(), lessThanOrEqualTo(maxChanges));
        assertThat(d.reversals(), lessThanOrEqualTo(Math.max(0, maxChanges - 1)));
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Damping> damping = Combinators.combine(
                        Arbitraries.doubles().between(0, 0.3),
                        Arbitraries.doubles().between(0.05, 1),
                        Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(0, 4))
                .as(Damping::new);
        Arbitrary<List<Double>> wishes =
                Arbitraries.doubles().between(-0.5, 1.0).list().ofMinSize(1).ofMaxSize(80);
        return Combinators.combine(damping, wishes).as(Case::new);
    }

    // ------------------------------------------------------------------ the monitor

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "the latency histogram's percentile is wrong: it must be the upper bound of the "
                    + "bucket where the running count reaches ceil(q * count), at least the true value, at most 1/8 above it, "
                    + "never above the maximum")
    void histogramAgainstSortedValues() {
        SplittableRandom random = new SplittableRandom(5);
        for (int run = 0; run < 20; run++) {
            LatencyHistogram h = new LatencyHistogram();
            int n = 1 + random.nextInt(2_000);
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = (long) Math.exp(random.nextDouble() * 20);
                h.record(values[i]);
            }
            Arrays.sort(values);
            for (double q : new double[] {0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
                long truth = values[(int) Math.max(1, Math.ceil(q * n)) - 1];
                long got = h.valueAt(q);
                assertThat("q " + q + " of " + n, got, greaterThanOrEqualTo(truth));
                assertThat("q " + q + " of " + n, got, lessThanOrEqualTo(Math.max(truth + truth / 8, truth)));
                assertThat(got, lessThanOrEqualTo(values[n - 1]));
            }
        }
    }

    private static HybridStats stats(
            long migrations,
            long deferred,
            long hits,
            long misses,
            long hot,
            long cold,
            long archive,
            long user,
            long device) {
        return new HybridStats(migrations, deferred, 0, 0, 0, 0, hits, misses, hot, cold, archive, user, device);
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "the monitor's sample is not of the interval alone: hit rate, write amplification "
                    + "and deferred share must be differences since the last sample, the counts and percentiles reset, the "
                    + "intervals numbered from 0 and stamped with the clock")
    void monitorDifferencesOverSeveralIntervals() {
        FakeTicker ticker = new FakeTicker();
        AtomicReference<HybridStats> now = new AtomicReference<>(stats(5, 5, 1_000, 1_000, 10, 10, 0, 100, 100));
        Monitor m = new Monitor(now::get, ticker);
        now.set(stats(5, 5, 1_000, 1_000, 10, 10, 0, 100, 100));
        ticker.advance(3, TimeUnit.SECONDS);
        Sample idle = m.sample();
        assertThat(idle.interval(), equalTo(0));
        assertThat(idle.endNanos(), equalTo(3_000_000_000L));
        assertThat(idle.hitRate(), equalTo(0.0));
        assertThat(idle.deferredShare(), equalTo(0.0));
        assertThat(idle.writeAmplification(), equalTo(0.0));
        assertThat(idle.hotByteShare(), closeTo(0.5, EPS));
        for (int i = 0; i < 99; i++) {
            m.recordPut(1_000);
        }
        m.recordPut(1_000_000);
        now.set(stats(8, 6, 1_001, 1_003, 10, 20, 70, 600, 2_100));
        Sample busy = m.sample();
        assertThat(busy.interval(), equalTo(1));
        assertThat(busy.puts(), equalTo(100L));
        assertThat(busy.gets(), equalTo(0L));
        assertThat(busy.hitRate(), closeTo(0.25, EPS));
        assertThat(busy.writeAmplification(), closeTo(4.0, EPS));
        assertThat(busy.hotByteShare(), closeTo(0.1, EPS));
        assertThat(busy.deferredShare(), closeTo(0.25, EPS));
        assertThat(busy.putP50(), greaterThanOrEqualTo(1_000L));
        assertThat(busy.putP50(), lessThanOrEqualTo(1_125L));
        assertThat(busy.putP99(), lessThanOrEqualTo(1_125L));
        assertThat(busy.getP99(), equalTo(0L));
        m.recordGet(7);
        Sample next = m.sample();
        assertThat("the puts were reset", next.puts(), equalTo(0L));
        assertThat(next.gets(), equalTo(1L));
        assertThat(next.getP50(), equalTo(7L));
        assertThat(next.writeAmplification(), equalTo(0.0));
    }

    // ------------------------------------------------------------------ the rules

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "Tuner.wanted does not follow the interval's read share as the Javadoc says "
                    + "(cache share lerp(r), dirty share and sampling lerp(1 - r), hysteresis lerp(max(1 - r, deferred share))), "
                    + "or an interval with no operation does not keep the current values")
    void wantedValuesOnChosenSamples() {
        Map<Knob, Double> current = new EnumMap<>(Knob.class);
        current.put(Knob.CACHE_SHARE, 0.3);
        current.put(Knob.DIRTY_SHARE, 0.2);
        current.put(Knob.HYSTERESIS, 0.45);
        current.put(Knob.CONSIDER_LOG2, 1.0);
        Map<Knob, Double> w = Tuner.wanted(new Sample(3, 0, 30, 10, 0.5, 2, 0.1, 0.1, 1, 2, 3, 4), current);
        assertThat(w.get(Knob.CACHE_SHARE), closeTo(0.25 + 0.75 * 0.75, EPS));
        assertThat(w.get(Knob.DIRTY_SHARE), closeTo(0.05 + 0.45 * 0.25, EPS));
        assertThat(w.get(Knob.HYSTERESIS), closeTo(0.1 + 0.4 * 0.25, EPS));
        assertThat(w.get(Knob.CONSIDER_LOG2), closeTo(1.0, EPS));
        Map<Knob, Double> deferred = Tuner.wanted(new Sample(3, 0, 30, 10, 0.5, 2, 0.1, 0.6, 1, 2, 3, 4), current);
        assertThat(deferred.get(Knob.HYSTERESIS), closeTo(0.1 + 0.4 * 0.6, EPS));
        assertThat(deferred.get(Knob.CACHE_SHARE), closeTo(0.25 + 0.75 * 0.75, EPS));
        assertThat(Tuner.wanted(new Sample(4, 0, 0, 0, 0.9, 3, 0.5, 0.9, 0, 0, 0, 0), current), equalTo(current));
    }

    // ------------------------------------------------------------------ the store under the phases

    static final int OPS_PER_INTERVAL = 400;
    static final int INTERVALS_PER_PHASE = 18;
    static final int BUDGET = 2_048;

    static HybridOptions options(FakeTicker ticker) {
        return Hybrids.options(ticker)
                .cache("arc", BUDGET)
                .maxDirtyEntries(64)
                .hysteresis(0.3)
                .adaptiveCompaction(() -> new AdaptiveCompaction(
                        List.of(PhaseWorkload.SERIES_START), new TimeWindowCompaction(KeyTime.bigEndianAt(1), 1_000)))
                .build();
    }

    static Tuner runPhases(HybridStore store, FakeTicker ticker, Tuner.Config config, List<Phase> schedule)
            throws IOException {
        PhaseWorkload workload = new PhaseWorkload(1_500, 48, 11);
        workload.load(store);
        Monitor monitor = new Monitor(store);
        Tuner tuner = new Tuner(store, monitor, config);
        for (Phase phase : schedule) {
            workload.run(store, phase, INTERVALS_PER_PHASE * OPS_PER_INTERVAL, ticker, monitor, () -> {
                ticker.advance(5, TimeUnit.MILLISECONDS);
                if (tuner.maybeTick() != null) {
                    store.runMaintenance();
                }
            });
        }
        return tuner;
    }

    private static Tuner.Config config() {
        return new Tuner.Config(BUDGET, java.time.Duration.ofSeconds(2), new Damping(0.05, 0.3, 2, 2), true);
    }

    @Test
    @Graded(
            task = "T10",
            points = 3,
            concept =
                    "driven through read-heavy, write-heavy, time-series and read-heavy phases, a knob "
                            + "went back and forth within a phase, or was still moving later than the damping's bound after a phase change")
    void phasesSettleWithinTheBoundAndNeverReverse() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (HybridStore store = HybridStore.open(new FaultInjectingStorage(3), options(ticker))) {
            Tuner.Config config = config();
            Tuner tuner = runPhases(store, ticker, config, PhaseWorkload.SCHEDULE);
            List<Tuner.Interval> history = tuner.history();
            assertThat(history.size(), equalTo(4 * INTERVALS_PER_PHASE));
            Damping damping = config.damping();
            for (Knob knob : Knob.values()) {
                for (int p = 0; p < 4; p++) {
                    int start = p * INTERVALS_PER_PHASE;
                    double before = p == 0
                            ? history.get(0).knobs().get(knob)
                            : history.get(start - 1).knobs().get(knob);
                    int lastDirection = 0;
                    int lastChange = -1;
                    for (int i = start; i < start + INTERVALS_PER_PHASE; i++) {
                        double v = history.get(i).knobs().get(knob);
                        if (v != before) {
                            int direction = v > before ? 1 : -1;
                            assertThat(
                                    knob + " reversed in phase " + p,
                                    lastDirection == 0 || lastDirection == direction,
                                    equalTo(true));
                            lastDirection = direction;
                            lastChange = i - start;
                        }
                        before = v;
                    }
                    assertThat(
                            knob + " in phase " + p,
                            lastChange,
                            lessThan(damping.settleBound() + damping.cooldown() + 1));
                }
            }
            long reversals = 0;
            for (Knob knob : Knob.values()) {
                reversals += tuner.damper(knob).reversals();
            }
            assertThat(
                    "reversals only at the three phase changes, at most one per knob each",
                    reversals,
                    lessThanOrEqualTo(3L * Knob.values().length));
        }
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "the tuner does not reach each phase's settings: the cache must shrink and the "
                    + "router sample under writes, and both come back for reads")
    void knobsReachEachPhasesSettings() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (HybridStore store = HybridStore.open(new FaultInjectingStorage(4), options(ticker))) {
            Tuner tuner = runPhases(store, ticker, config(), PhaseWorkload.SCHEDULE);
            List<Tuner.Interval> h = tuner.history();
            Map<Knob, Double> reads = h.get(INTERVALS_PER_PHASE - 1).knobs();
            Map<Knob, Double> writes = h.get(2 * INTERVALS_PER_PHASE - 1).knobs();
            Map<Knob, Double> readsAgain = h.get(4 * INTERVALS_PER_PHASE - 1).knobs();
            assertThat(reads.get(Knob.CACHE_SHARE), greaterThan(0.9));
            assertThat(writes.get(Knob.CACHE_SHARE), lessThan(0.45));
            assertThat(writes.get(Knob.DIRTY_SHARE), greaterThan(0.35));
            assertThat(writes.get(Knob.HYSTERESIS), greaterThan(0.4));
            assertThat(writes.get(Knob.CONSIDER_LOG2), greaterThan(3.0));
            assertThat(readsAgain.get(Knob.CACHE_SHARE), greaterThan(0.9));
            assertThat(readsAgain.get(Knob.CONSIDER_LOG2), lessThan(1.0));
            for (Knob k : Knob.values()) {
                assertThat(
                        k + " back where the first read phase left it",
                        readsAgain.get(k),
                        closeTo(reads.get(k), 2 * 0.05 * k.range()));
            }
        }
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "the store does not run with the tuner's knobs after a tick: the cache's capacity "
                    + "and dirty limit, the router's hysteresis and the store's sampling must be the knobs' values")
    void theStoreRunsWithTheKnobs() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (HybridStore store = HybridStore.open(new FaultInjectingStorage(5), options(ticker))) {
            Tuner tuner = runPhases(store, ticker, config(), List.of(Phase.READ_HEAVY, Phase.WRITE_HEAVY));
            Map<Knob, Double> k = tuner.knobs();
            int capacity = (int) Math.round(k.get(Knob.CACHE_SHARE) * BUDGET);
            assertThat(store.cache().capacity(), equalTo(capacity));
            assertThat(store.cache().maxDirty(), equalTo((int)
                    Math.max(1, Math.round(k.get(Knob.DIRTY_SHARE) * capacity))));
            assertThat(
                    "the cache was shrunk, not just relabelled",
                    store.cache().size(),
                    lessThanOrEqualTo(capacity + store.cache().dirtyCount()));
            assertThat(store.router().hysteresis(), closeTo(k.get(Knob.HYSTERESIS), EPS));
            assertThat(store.considerEvery(), equalTo(1 << (int) Math.round(k.get(Knob.CONSIDER_LOG2))));
            assertThat(store.considerEvery(), greaterThan(1));
        }
    }

    @Test
    @Graded(
            task = "T10",
            points = 2,
            concept = "under the tuner the time-series range does not end the time-series phase pinned to "
                    + "TIME_WINDOW, or a range's style goes back to one it left within a phase")
    void compactionStylesAreHeld() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (HybridStore store = HybridStore.open(new FaultInjectingStorage(6), options(ticker))) {
            Tuner tuner = runPhases(store, ticker, config(), List.of(Phase.WRITE_HEAVY, Phase.TIME_SERIES));
            AdaptiveCompaction c = store.adaptiveCompaction();
            int series = c.rangeOf(PhaseWorkload.point(0));
            int keys = c.rangeOf(PhaseWorkload.key(0));
            assertThat(c.styleOf(series), equalTo(Style.TIME_WINDOW));
            assertThat(c.pinnedStyle(series), equalTo(Style.TIME_WINDOW));
            assertThat(c.styleOf(keys), equalTo(Style.TIERED));
            List<Tuner.Interval> h = tuner.history();
            for (int r = 0; r < c.rangeCount(); r++) {
                for (int p = 0; p < 2; p++) {
                    java.util.Set<Style> left = java.util.EnumSet.noneOf(Style.class);
                    for (int i = p * INTERVALS_PER_PHASE + 1; i < (p + 1) * INTERVALS_PER_PHASE; i++) {
                        Style a = h.get(i - 1).styles().get(r);
                        Style b = h.get(i).styles().get(r);
                        if (a != b) {
                            assertThat("range " + r + " back to " + b, left.contains(b), equalTo(false));
                            left.add(a);
                        }
                    }
                }
            }
        }
    }
}
