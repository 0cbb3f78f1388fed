package dev.storagelab.hybrid.tune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.hybrid.tune.PhaseWorkload.Phase;
import dev.storagelab.io.FaultInjectingStorage;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The tuner (T10): what it wants for a workload, and a store driven through the phases
 * (read-heavy, write-heavy, time series, read-heavy again) under simulated time, whose knobs must
 * settle within a bounded number of intervals after each change and never go back and forth
 * within a phase.
 */
class TunerTest {

    static final int OPS_PER_INTERVAL = 500;
    static final int INTERVALS_PER_PHASE = 20;
    static final int BUDGET = 4_096;

    private static Sample sample(long gets, long puts, double deferredShare) {
        return new Sample(0, 0, gets, puts, 0, 0, 0, deferredShare, 0, 0, 0, 0);
    }

    private static Map<Knob, Double> middle() {
        Map<Knob, Double> m = new EnumMap<>(Knob.class);
        for (Knob k : Knob.values()) {
            m.put(k, k.lerp(0.5));
        }
        return m;
    }

    @Test
    void aReadHeavyIntervalWantsABigCacheAndAnEagerRouter() {
        Map<Knob, Double> w = Tuner.wanted(sample(90, 10, 0), middle());
        assertThat(w.get(Knob.CACHE_SHARE), closeTo(0.25 + 0.75 * 0.9, 1e-9));
        assertThat(w.get(Knob.DIRTY_SHARE), closeTo(0.05 + 0.45 * 0.1, 1e-9));
        assertThat(w.get(Knob.HYSTERESIS), closeTo(0.1 + 0.4 * 0.1, 1e-9));
        assertThat(w.get(Knob.CONSIDER_LOG2), closeTo(4 * 0.1, 1e-9));
    }

    @Test
    void aWriteHeavyIntervalWantsASmallCacheManyDirtyEntriesAndSampling() {
        Map<Knob, Double> w = Tuner.wanted(sample(0, 100, 0), middle());
        assertThat(w.get(Knob.CACHE_SHARE), closeTo(Knob.CACHE_SHARE.min(), 1e-9));
        assertThat(w.get(Knob.DIRTY_SHARE), closeTo(Knob.DIRTY_SHARE.max(), 1e-9));
        assertThat(w.get(Knob.CONSIDER_LOG2), closeTo(Knob.CONSIDER_LOG2.max(), 1e-9));
    }

    @Test
    void deferredMovesRaiseTheHysteresisAndAnEmptyIntervalWantsNoChange() {
        Map<Knob, Double> w = Tuner.wanted(sample(100, 0, 0.75), middle());
        assertThat(
                "three quarters of the wanted moves were deferred",
                w.get(Knob.HYSTERESIS),
                closeTo(0.1 + 0.4 * 0.75, 1e-9));
        assertThat(Tuner.wanted(sample(0, 0, 0), middle()), equalTo(middle()));
    }

    /** The store the phase tests run: a small ARC cache, adaptive compaction with the time series as a range of its own. */
    static HybridOptions options(FakeTicker ticker) {
        return Hybrids.options(ticker)
                .cache("arc", BUDGET)
                .maxDirtyEntries(256)
                .adaptiveCompaction(() -> new AdaptiveCompaction(
                        List.of(PhaseWorkload.SERIES_START), new TimeWindowCompaction(KeyTime.bigEndianAt(1), 1_000)))
                .build();
    }

    /** Runs the schedule, one interval per {@value #OPS_PER_INTERVAL} operations of 2 simulated ms; maintenance after each interval. */
    static Tuner runPhases(HybridStore store, FakeTicker ticker, Tuner.Config config) throws IOException {
        PhaseWorkload workload = new PhaseWorkload(2_000, 64, 7);
        workload.load(store);
        Monitor monitor = new Monitor(store);
        Tuner tuner = new Tuner(store, monitor, config);
        for (Phase phase : PhaseWorkload.SCHEDULE) {
            workload.run(store, phase, INTERVALS_PER_PHASE * OPS_PER_INTERVAL, ticker, monitor, () -> {
                ticker.advance(2, TimeUnit.MILLISECONDS);
                if (tuner.maybeTick() != null) {
                    store.runMaintenance();
                }
            });
        }
        return tuner;
    }

    @Test
    void theKnobsSettleAfterEachPhaseChangeAndNeverGoBackAndForth() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (HybridStore store = HybridStore.open(new FaultInjectingStorage(1), options(ticker))) {
            Tuner tuner = runPhases(store, ticker, Tuner.Config.of(BUDGET));
            List<Tuner.Interval> history = tuner.history();
            assertThat(history.size(), equalTo(PhaseWorkload.SCHEDULE.size() * INTERVALS_PER_PHASE));
            Damping damping = tuner.config().damping();
            for (Knob knob : Knob.values()) {
                for (int p = 0; p < PhaseWorkload.SCHEDULE.size(); p++) {
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
                                    knob + " went back in phase " + p + " at interval " + i,
                                    lastDirection == 0 || direction == lastDirection,
                                    equalTo(true));
                            lastDirection = direction;
                            lastChange = i - start;
                        }
                        before = v;
                    }
                    assertThat(
                            knob + " still moving " + lastChange + " intervals into phase " + p,
                            lastChange,
                            lessThan(damping.settleBound() + damping.cooldown() + 1));
                    double wantedAtEnd = history.get(start + INTERVALS_PER_PHASE - 1)
                            .wanted()
                            .get(knob);
                    assertThat(
                            knob + " settled far from what phase " + p + " wants",
                            before,
                            closeTo(wantedAtEnd, 2 * damping.deadBand() * knob.range()));
                }
            }
            Map<Knob, Double> endOfWrites =
                    history.get(2 * INTERVALS_PER_PHASE - 1).knobs();
            assertThat(endOfWrites.get(Knob.CACHE_SHARE), lessThan(0.5));
            assertThat(endOfWrites.get(Knob.CONSIDER_LOG2), greaterThanOrEqualTo(3.0));
            Map<Knob, Double> end = history.get(history.size() - 1).knobs();
            assertThat("back to reads, the cache has the memory again", end.get(Knob.CACHE_SHARE), greaterThan(0.9));
            assertThat(
                    "the store runs with the knobs' cache", store.cache().capacity(), equalTo(tuner.cacheCapacity()));
            assertThat(store.considerEvery(), equalTo(tuner.considerEvery()));
            assertThat(store.router().hysteresis(), closeTo(end.get(Knob.HYSTERESIS), 1e-12));
        }
    }

    @Test
    void theTimeSeriesRangeIsPinnedToTimeWindowsAndStylesDoNotFlipWithinAPhase() throws IOException {
        FakeTicker ticker = new FakeTicker();
        try (HybridStore store = HybridStore.open(new FaultInjectingStorage(2), options(ticker))) {
            Tuner tuner = runPhases(store, ticker, Tuner.Config.of(BUDGET));
            AdaptiveCompaction compaction = store.adaptiveCompaction();
            int series = compaction.rangeOf(PhaseWorkload.point(0));
            List<Tuner.Interval> history = tuner.history();
            assertThat(history.get(3 * INTERVALS_PER_PHASE - 1).styles().get(series), equalTo(Style.TIME_WINDOW));
            assertThat(
                    "the tuner holds the style", compaction.pinnedStyle(series), equalTo(compaction.styleOf(series)));
            for (int r = 0; r < compaction.rangeCount(); r++) {
                for (int p = 0; p < PhaseWorkload.SCHEDULE.size(); p++) {
                    java.util.Set<Style> left = java.util.EnumSet.noneOf(Style.class);
                    for (int i = p * INTERVALS_PER_PHASE + 1; i < (p + 1) * INTERVALS_PER_PHASE; i++) {
                        Style before = history.get(i - 1).styles().get(r);
                        Style now = history.get(i).styles().get(r);
                        if (now != before) {
                            assertThat(
                                    "range " + r + " went back to " + now + " in phase " + p + " (interval " + i + ")",
                                    left.contains(now),
                                    equalTo(false));
                            left.add(before);
                        }
                    }
                }
            }
        }
    }
}
