package dev.storagelab.hybrid;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.io.FaultInjectingStorage;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** T5 inside the store: accesses queue moves, maintenance carries them out within the budget. */
class RoutingTest {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void readsPromoteAKeyAtTheNextMaintenance() throws IOException {
        try (HybridStore store = Hybrids.open(
                new FaultInjectingStorage(1), Hybrids.options(ticker).build())) {
            store.put(key(1), value(1, 1));
            for (int i = 0; i < Hybrids.HOT_READS; i++) {
                store.get(key(1));
            }
            assertThat("queued, not moved yet", store.where(key(1)), equalTo(Tier.COLD));
            assertThat(store.queuedMigrations(), equalTo(1));
            store.runMaintenance();
            assertThat(store.where(key(1)), equalTo(Tier.HOT));
            assertThat(store.stats().migrations(), equalTo(1L));
        }
    }

    @Test
    void manyReadsOfOneKeyQueueOneMove() throws IOException {
        try (HybridStore store = Hybrids.open(
                new FaultInjectingStorage(2), Hybrids.options(ticker).build())) {
            store.put(key(1), value(1, 1));
            for (int i = 0; i < 5_000; i++) {
                store.get(key(1));
            }
            assertThat(store.queuedMigrations(), equalTo(1));
            store.runMaintenance();
            store.runMaintenance();
            assertThat(store.stats().migrations(), equalTo(1L));
        }
    }

    @Test
    void theTokenBudgetLimitsMovesPerRound() throws IOException {
        HybridOptions options = Hybrids.options(ticker).migrationBudget(2, 5).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(3), options)) {
            for (int k = 0; k < 20; k++) {
                store.put(key(k), value(k, 1));
                for (int i = 0; i < Hybrids.HOT_READS; i++) {
                    store.get(key(k));
                }
            }
            store.runMaintenance();
            assertThat("the burst", store.stats().hotKeys(), equalTo(5L));
            ticker.advance(Duration.ofMillis(1_500));
            store.runMaintenance();
            assertThat("1.5 s at 2 per second", store.stats().hotKeys(), equalTo(8L));
            assertThat(store.queuedMigrations(), equalTo(12));
        }
    }

    @Test
    void aQueuedMoveNoLongerWantedIsDropped() throws IOException {
        // a key wants HOT, then its reads are forgotten by a model that changes its mind
        boolean[] hotWanted = {true};
        HybridOptions options = Hybrids.options(ticker)
                .costModel((p, s) -> (p == Placement.HOT) == hotWanted[0] ? 1 : 10)
                .build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(4), options)) {
            store.put(key(1), value(1, 1));
            assertThat(store.queuedMigrations(), equalTo(1));
            hotWanted[0] = false;
            store.runMaintenance();
            assertThat(store.where(key(1)), equalTo(Tier.COLD));
            assertThat(store.queuedMigrations(), equalTo(0));
            assertThat(store.stats().migrations(), equalTo(0L));
        }
    }

    @Test
    void aFullHotSetDefersPromotions() throws IOException {
        HybridOptions options = Hybrids.options(ticker).maxHotKeys(3).build();
        try (HybridStore store = Hybrids.open(new FaultInjectingStorage(5), options)) {
            for (int k = 0; k < 6; k++) {
                store.put(key(k), value(k, 1));
                for (int i = 0; i < Hybrids.HOT_READS; i++) {
                    store.get(key(k));
                }
                store.runMaintenance();
            }
            assertThat(store.stats().hotKeys(), equalTo(3L));
            assertThat(store.stats().migrationsDeferred() > 0, equalTo(true));
        }
    }
}
