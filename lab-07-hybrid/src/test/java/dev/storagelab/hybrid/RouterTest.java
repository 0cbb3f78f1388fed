package dev.storagelab.hybrid;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.cost.PlacementCost;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouterTest {

    /** Costs read off the stats: HOT costs `reads` field, COLD costs `writes` field; a move (one read, one write) costs 2. */
    private static final PlacementCost TABLE = (p, s) -> p == Placement.HOT ? s.reads() : s.writes();

    private static AccessStats stats(double hotCost, double coldCost) {
        return AccessStats.of(hotCost, coldCost, 100);
    }

    private static final long NEVER_MOVED = Long.MAX_VALUE;

    @Test
    void aClearlyCheaperEngineWins() {
        Router router = new Router(TABLE, 0.25, Duration.ZERO, 1);
        assertThat(router.decide(Placement.COLD, stats(10, 100), NEVER_MOVED), equalTo(Placement.HOT));
        assertThat(router.decide(Placement.HOT, stats(100, 10), NEVER_MOVED), equalTo(Placement.COLD));
    }

    @Test
    void aKeyAlreadyOnTheCheaperEngineStays() {
        Router router = new Router(TABLE, 0.25, Duration.ZERO, 1);
        assertThat(router.decide(Placement.HOT, stats(10, 100), NEVER_MOVED), nullValue());
    }

    @Test
    void hysteresisKeepsAKeyNearTheCrossover() {
        Router router = new Router(TABLE, 0.25, Duration.ZERO, 100);
        assertThat(
                "20% cheaper is inside a 25% margin",
                router.decide(Placement.COLD, stats(80, 100), NEVER_MOVED), nullValue());
        assertThat(
                "30% cheaper is past it",
                router.decide(Placement.COLD, stats(70, 100), NEVER_MOVED), equalTo(Placement.HOT));
    }

    @Test
    void aKeyStaysAtLeastTheMinimumResidency() {
        Router router = new Router(TABLE, 0, Duration.ofMinutes(10), 1);
        long nineMinutes = Duration.ofMinutes(9).toNanos();
        long elevenMinutes = Duration.ofMinutes(11).toNanos();
        assertThat(router.decide(Placement.COLD, stats(1, 100), nineMinutes), nullValue());
        assertThat(router.decide(Placement.COLD, stats(1, 100), elevenMinutes), equalTo(Placement.HOT));
    }

    @Test
    void aMoveMustPayForItself() {
        // HOT saves 1.5 per window; the move costs of(1,0) on COLD (0) + of(0,1) on HOT (0) under TABLE... so use a
        // model
        // where a move costs 10: one read on any engine costs 5, one write 5.
        PlacementCost model =
                (p, s) -> 5 * (s.reads() + s.writes()) + (p == Placement.HOT ? s.scanReads() : 2 * s.scanReads());
        Router patient = new Router(model, 0, Duration.ZERO, 8);
        Router hasty = new Router(model, 0, Duration.ZERO, 1);
        AccessStats savesOne = new AccessStats(0, 0, 1, 100, 0); // HOT costs 1, COLD 2: saves 1 per window
        assertThat("8 windows x 1 < a move of 10", patient.decide(Placement.COLD, savesOne, NEVER_MOVED), nullValue());
        AccessStats savesTwenty = new AccessStats(0, 0, 20, 100, 0);
        assertThat(
                "1 window x 20 >= 10", hasty.decide(Placement.COLD, savesTwenty, NEVER_MOVED), equalTo(Placement.HOT));
    }
}
