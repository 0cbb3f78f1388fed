package dev.storagelab.hybrid.hidden;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.Router;
import dev.storagelab.hybrid.Tier;
import dev.storagelab.hybrid.TokenBucket;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.cost.PlacementCost;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-07 T5: the token bucket's arithmetic, the router's three guards at their
 * boundaries, and the store's draining of the migration queue (order, budget, re-decision, scans).
 */
@Tag("hidden")
class RouterHiddenTest {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "the token bucket loses or invents tokens when time arrives in many small steps")
    void manySmallStepsRefillExactlyAsOneLongOne() {
        TokenBucket bucket = new TokenBucket(1_000, 10_000, ticker);
        while (bucket.tryAcquire()) {
            // empty it
        }
        int taken = 0;
        for (int step = 0; step < 2_000; step++) {
            ticker.advance(Duration.ofNanos(500_000)); // half a token each
            if (bucket.tryAcquire()) {
                taken++;
            }
        }
        assertThat("one second at 1,000 tokens per second", taken, equalTo(1_000));
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "the token bucket saves up more than its burst while idle, so a flash sale after a "
                    + "quiet night migrates without limit")
    void theBurstCapsWhatIdleTimeSavesUp() {
        TokenBucket bucket = new TokenBucket(50, 7, ticker);
        for (int i = 0; i < 7; i++) {
            assertThat(bucket.tryAcquire(), is(true));
        }
        ticker.advance(Duration.ofDays(1));
        int taken = 0;
        while (bucket.tryAcquire()) {
            taken++;
        }
        assertThat(taken, equalTo(7));
    }

    private static final PlacementCost TABLE = (p, s) -> p == Placement.HOT ? s.reads() : s.writes();

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "the router's minimum residency is off by one: a key resident exactly the minimum may move")
    void residencyOfExactlyTheMinimumAllowsAMove() {
        Router router = new Router(TABLE, 0, Duration.ofSeconds(60), 1e9);
        AccessStats hotWins = AccessStats.of(1, 100, 10);
        assertThat(router.decide(Placement.COLD, hotWins, Duration.ofSeconds(60).toNanos()), equalTo(Placement.HOT));
        assertThat(router.decide(Placement.COLD, hotWins, Duration.ofSeconds(60).toNanos() - 1), nullValue());
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "the router moves a key whose saving equals the hysteresis margin exactly: the other "
                    + "engine must be cheaper by more than the margin")
    void aSavingOfExactlyTheMarginIsNotEnough() {
        Router router = new Router(TABLE, 0.5, Duration.ZERO, 1e9);
        assertThat(router.decide(Placement.COLD, AccessStats.of(50, 100, 10), Long.MAX_VALUE), nullValue());
        assertThat(
                router.decide(Placement.COLD, AccessStats.of(49.9, 100, 10), Long.MAX_VALUE), equalTo(Placement.HOT));
        assertThat(
                "the other direction",
                router.decide(Placement.HOT, AccessStats.of(100, 50, 10), Long.MAX_VALUE),
                nullValue());
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "the router prices a move without the key's value size (moving 1 MiB costs more than 100 B) "
                    + "or without its payback window")
    void theMovesPriceDependsOnTheValueSize() {
        // a read or a write costs 1 per KiB of value on either engine; HOT saves `scanReads` per window
        PlacementCost model = (p, s) ->
                (s.reads() + s.writes()) * (s.valueBytes() / 1024.0) + (p == Placement.HOT ? 0 : s.scanReads());
        Router router = new Router(model, 0, Duration.ZERO, 2);
        AccessStats small = new AccessStats(0, 0, 10, 1024, 0); // move costs 2, saves 10 x 2 windows
        AccessStats large = new AccessStats(0, 0, 10, 1 << 20, 0); // move costs 2048, saves the same 20
        assertThat(router.decide(Placement.COLD, small, Long.MAX_VALUE), equalTo(Placement.HOT));
        assertThat(router.decide(Placement.COLD, large, Long.MAX_VALUE), nullValue());
        Router patient = new Router(model, 0, Duration.ZERO, 205);
        assertThat(
                "205 windows x 10 >= 2048",
                patient.decide(Placement.COLD, large, Long.MAX_VALUE),
                equalTo(Placement.HOT));
    }

    private static void makeHot(HybridStore store, int k) throws IOException {
        store.put(key(k), value(k, 1));
        for (int i = 0; i < Hybrids.HOT_READS; i++) {
            store.get(key(k));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "the migration queue is drained out of order, or a move without a token is lost instead "
                    + "of waiting for the next round")
    void movesRunOldestFirstAndWaitForTokens() throws IOException {
        HybridOptions options = Hybrids.options(ticker).migrationBudget(1, 3).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(11), options)) {
            for (int k = 0; k < 10; k++) {
                makeHot(store, k);
            }
            store.runMaintenance();
            List<Tier> tiers = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                tiers.add(store.where(key(k)));
            }
            assertThat(tiers.subList(0, 3), equalTo(List.of(Tier.HOT, Tier.HOT, Tier.HOT)));
            assertThat(tiers.subList(3, 10).stream().allMatch(t -> t == Tier.COLD), is(true));
            for (int round = 1; round <= 7; round++) {
                ticker.advance(Duration.ofSeconds(1));
                store.runMaintenance();
                assertThat("round " + round, store.where(key(2 + round)), equalTo(Tier.HOT));
            }
            assertThat(store.stats().migrations(), equalTo(10L));
            assertThat(store.queuedMigrations(), equalTo(0));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "a move left at the head of the queue for want of a token is not counted as deferred, or is "
                    + "counted more than once a round")
    void aMoveLeftForTheNextRoundCountsAsDeferredOnceARound() throws IOException {
        HybridOptions options = Hybrids.options(ticker).migrationBudget(1, 3).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(18), options)) {
            for (int k = 0; k < 6; k++) {
                makeHot(store, k);
            }
            assertThat("six promotions queued, none deferred yet", store.stats().migrationsDeferred(), equalTo(0L));
            store.runMaintenance();
            assertThat("three tokens: three keys moved", store.stats().migrations(), equalTo(3L));
            assertThat(
                    "the fourth move found no token and stopped the round: one deferral",
                    store.stats().migrationsDeferred(),
                    equalTo(1L));
            assertThat("the moves without a token stay queued", store.queuedMigrations(), equalTo(3));
            for (int round = 1; round <= 3; round++) {
                ticker.advance(Duration.ofSeconds(1));
                store.runMaintenance();
                assertThat(
                        "round " + round + ": one token, one move",
                        store.stats().migrations(),
                        equalTo(3L + round));
                long deferred = round < 3 ? 1 + round : 3; // the last round empties the queue
                assertThat("round " + round, store.stats().migrationsDeferred(), equalTo(deferred));
            }
            ticker.advance(Duration.ofSeconds(1));
            store.runMaintenance();
            assertThat(
                    "a round with nothing queued defers nothing", store.stats().migrationsDeferred(), equalTo(3L));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "the drain asks the router again with the key's residency as it was when the move was "
                    + "queued: a key moved since then moves again before it has stayed the minimum")
    void aQueuedMoveOfAKeyMovedSinceWaitsOutTheMinimumResidency() throws IOException {
        HybridOptions options =
                Hybrids.options(ticker).minResidency(Duration.ofMinutes(10)).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(19), options)) {
            ticker.advance(Duration.ofHours(1)); // the clock reads far from zero, as a real one does
            makeHot(store, 1);
            assertThat("a key never moved is queued at once", store.queuedMigrations(), equalTo(1));
            store.move(key(1), Placement.HOT); // an operator moves it by hand, and back
            store.move(key(1), Placement.COLD);
            store.runMaintenance();
            assertThat(
                    "moved back a moment ago: the queued promotion must wait out the 10 minutes",
                    store.where(key(1)),
                    equalTo(Tier.COLD));
            assertThat("and is dropped, not kept", store.queuedMigrations(), equalTo(0));
            ticker.advance(Duration.ofMinutes(10));
            for (int i = 0; i < Hybrids.HOT_READS; i++) {
                store.get(key(1));
            }
            store.runMaintenance();
            assertThat("resident the minimum: the key moves", store.where(key(1)), equalTo(Tier.HOT));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "a queued move the router no longer wants still spends a token (or still moves the key)")
    void unwantedMovesAreDroppedWithoutSpendingTokens() throws IOException {
        boolean[] hotWanted = {true};
        HybridOptions options = Hybrids.options(ticker)
                .migrationBudget(0.001, 1)
                .costModel((p, s) -> (p == Placement.HOT) == hotWanted[0] ? 1 : 10)
                .build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(12), options)) {
            store.put(key(1), value(1, 1)); // queued: the model wants every key HOT
            store.put(key(2), value(2, 1));
            hotWanted[0] = false;
            store.runMaintenance(); // key 1 and key 2 are no longer wanted: dropped, no token spent
            hotWanted[0] = true;
            store.put(key(3), value(3, 1));
            store.runMaintenance();
            assertThat("the only token went to key 3", store.where(key(3)), equalTo(Tier.HOT));
            assertThat(store.where(key(1)), equalTo(Tier.COLD));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "a migration switches a key's route while a scan is open, so the scan can miss the key "
                    + "or return it twice")
    void noMoveWhileAScanIsOpen() throws IOException {
        try (HybridStore store = Hybrids.open(
                new FaultInjectingStorage(13), Hybrids.options(ticker).build())) {
            for (int k = 0; k < 5; k++) {
                store.put(key(k), value(k, 1));
            }
            try (EntryIterator scan = store.scan(null, null)) {
                makeHot(store, 2);
                store.runMaintenance();
                assertThat("the move waits for the scan", store.where(key(2)), equalTo(Tier.COLD));
                int n = 0;
                while (scan.hasNext()) {
                    scan.next();
                    n++;
                }
                assertThat(n, equalTo(5));
            }
            store.runMaintenance();
            assertThat(store.where(key(2)), equalTo(Tier.HOT));
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "promotions queued while the hot set had room are all carried out once it is full: the "
                    + "room was checked when the move was queued, not when the mover publishes the route")
    void promotionsQueuedBeforeTheHotSetFilledNeverOverfillIt() throws IOException {
        HybridOptions options = Hybrids.options(ticker).maxHotKeys(3).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(17), options)) {
            for (int k = 0; k < 6; k++) {
                store.put(key(k), value(k, 1));
            }
            // All six ask to move while the hot set is empty: each request passed the room check.
            for (int k = 0; k < 6; k++) {
                makeHot(store, k);
            }
            assertThat("six promotions queued", store.queuedMigrations(), equalTo(6));
            store.runMaintenance();
            assertThat(
                    "keys routed to the B+tree after the round (maxHotKeys 3)",
                    store.stats().hotKeys(),
                    equalTo(3L));
            assertThat(
                    "the promotions beyond the room count as deferred",
                    store.stats().migrationsDeferred() > 0,
                    is(true));
            store.runMaintenance();
            assertThat(
                    "a later round does not overfill it either", store.stats().hotKeys(), equalTo(3L));
            for (int k = 0; k < 6; k++) {
                assertThat("every key keeps its value", store.get(key(k)), equalTo(java.util.Optional.of(value(k, 1))));
            }
            assertThat(
                    "the hot set stays at maxHotKeys after the reads",
                    store.stats().hotKeys(),
                    equalTo(3L));
        }
    }
}
