package dev.storagelab.hybrid.scenario;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.RoutedStore;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The harness itself: its latencies are the device time a get spent, maintenance runs on the
 * simulated schedule, percentiles are exact, and the scenario workloads leave the simple engine
 * exactly as a {@link java.util.TreeMap} model says (so a failure mode is the engine's, not the
 * harness's).
 */
class ScenarioHarnessTest {

    private final FakeTicker ticker = new FakeTicker();
    private final SimClock clock = new SimClock(ticker, ticker::advance);
    private static final StoreFactory SIMPLE = StoreFactory.simple(FailureModes.simpleKnobs());

    @Test
    void percentilesAreNearestRankOverEveryValue() {
        Latencies l = new Latencies();
        assertThat("no gets: 0", l.percentile(99), equalTo(0L));
        for (int i = 100; i >= 1; i--) {
            l.add(i * 10L);
        }
        assertThat(l.percentile(50), equalTo(500L));
        assertThat(l.percentile(99), equalTo(990L));
        assertThat(l.max(), equalTo(1000L));
        l.add(5);
        assertThat(l.count(), equalTo(101));
        assertThat("adding after a percentile re-sorts", l.percentile(1), equalTo(10L));
        assertThrows(IllegalArgumentException.class, () -> l.percentile(0));
    }

    @Test
    void aGetsLatencyIsTheDeviceTimeItSpent() throws IOException {
        try (Rig rig = Rig.open(
                StoreFactory.simple(FailureModes.simpleKnobs().withCacheEntries(0)),
                clock,
                DeviceModel.hdd(),
                Duration.ofHours(1),
                true)) {
            for (int i = 0; i < 30_000; i++) {
                rig.put(ScenarioData.key("k", i), ScenarioData.value(i, 0, 100));
            }
            Latencies l = new Latencies();
            rig.recordGetsInto(l);
            long injected = rig.device().injectedNanos();
            rig.get(ScenarioData.key("k", 17));
            long spent = rig.device().injectedNanos() - injected;
            assertThat("the key is in a table on the disk: the get read it", spent, greaterThan(0L));
            assertThat(l.max(), equalTo(spent));
            assertThat("an HDD read costs a seek", spent, greaterThan(8_000_000L));
            assertThat(rig.mismatches(), equalTo(0L));
        }
    }

    @Test
    void maintenanceRunsOnTheSimulatedScheduleAndSyncsEveryMinute() throws IOException {
        int[] syncs = {0};
        int[] runs = {0};
        StoreFactory counting = (storage, archive, c, device) -> {
            RoutedStore inner = SIMPLE.open(storage, archive, c, device);
            return new CountingStore(inner, syncs, runs);
        };
        try (Rig rig = Rig.open(counting, clock, DeviceModel.nvme(), Duration.ofSeconds(10), false)) {
            long opened = clock.now(); // opening the store took simulated time (its file creations)
            rig.advanceTo(opened + TimeUnit.MINUTES.toNanos(5));
            assertThat("every 10 s for 5 minutes", runs[0], equalTo(30));
            assertThat(rig.maintenanceRuns(), equalTo(30L));
            assertThat("every minute", syncs[0], equalTo(5));
            assertThat(
                    "the last sync's I/O ran on the clock too, past the 5 minutes",
                    clock.now(),
                    both(greaterThanOrEqualTo(opened + TimeUnit.MINUTES.toNanos(5)))
                            .and(lessThan(opened + TimeUnit.MINUTES.toNanos(5) + TimeUnit.SECONDS.toNanos(1))));
        }
    }

    @Test
    void theHerdWorkloadLeavesTheSimpleEngineAsTheModelSays() throws IOException {
        try (Rig rig = Rig.open(SIMPLE, clock, DeviceModel.nvme(), Duration.ofMillis(100), true)) {
            ThunderingHerd.Result r = ThunderingHerd.run(
                    rig, ThunderingHerd.Config.small(3_000, 5_000).withSaleKeys(3));
            assertThat(r.toString(), r.migrationsInBurst(), greaterThan(0L));
            assertThat(rig.firstMismatch(), rig.verifyAgainstModel(), equalTo(0L));
        }
    }

    @Test
    void theOscillationWorkloadLeavesTheSimpleEngineAsTheModelSays() throws IOException {
        try (Rig rig = Rig.open(SIMPLE, clock, DeviceModel.nvme(), Duration.ofMinutes(1), true)) {
            Oscillation.Config c =
                    new Oscillation.Config(2, 300, 100, 2, 10, 1200, 0.5, DeviceModel.nvme(), Duration.ofMinutes(1), 5);
            Oscillation.Result r = Oscillation.run(rig, c);
            assertThat(r.toString(), r.totalMigrations(), greaterThan(2L));
            assertThat(rig.firstMismatch(), rig.verifyAgainstModel(), equalTo(0L));
        }
    }

    @Test
    void theMemoryWorkloadLeavesTheSimpleEngineAsTheModelSays() throws IOException {
        try (Rig rig = Rig.open(SIMPLE, clock, DeviceModel.nvme(), Duration.ofMillis(100), true)) {
            MemoryBlowup.Result r = MemoryBlowup.run(rig, MemoryBlowup.Config.small(3_000));
            assertThat(r.toString(), r.stats().hotKeys(), greaterThan(0L));
            assertThat(rig.firstMismatch(), rig.verifyAgainstModel(), equalTo(0L));
        }
    }

    @Test
    void theBlindspotWorkloadLeavesTheSimpleEngineAsTheModelSays() throws IOException {
        try (Rig rig = Rig.open(SIMPLE, clock, DeviceModel.nvme(), Duration.ofSeconds(1), true)) {
            CostBlindspot.Outcome o = CostBlindspot.run(
                    rig,
                    new CostBlindspot.Case("key order", DeviceModel.nvme(), 100, true, 3, CostBlindspot.defaultMix()));
            assertThat(o.toString(), o.hotKeys(), equalTo(3L));
            assertThat(rig.firstMismatch(), rig.verifyAgainstModel(), equalTo(0L));
        }
    }

    @Test
    void theModelCheckCatchesAStoreThatLosesAWrite() throws IOException {
        StoreFactory lossy = (storage, archive, c, device) ->
                new CountingStore(SIMPLE.open(storage, archive, c, device), new int[1], new int[1]) {
                    @Override
                    public void put(Bytes key, Bytes value) throws IOException {
                        if (!key.equals(ScenarioData.key("k", 3))) {
                            super.put(key, value);
                        }
                    }
                };
        try (Rig rig = Rig.open(lossy, clock, DeviceModel.nvme(), Duration.ofSeconds(1), true)) {
            for (int i = 0; i < 5; i++) {
                rig.put(ScenarioData.key("k", i), ScenarioData.value(i, 0, 100));
            }
            assertThat(rig.get(ScenarioData.key("k", 3)), equalTo(Optional.empty()));
            assertThat(rig.mismatches(), equalTo(1L));
            assertThat(
                    "the full check finds it in the scans and the gets too", rig.verifyAgainstModel(), greaterThan(2L));
            assertThat(rig.firstError(), nullValue());
        }
    }

    /** A store that counts syncs and maintenance runs, delegating everything. */
    static class CountingStore extends dev.storagelab.bounds.ForwardingOrderedStore implements RoutedStore {
        private final RoutedStore inner;
        private final int[] syncs;
        private final int[] runs;

        CountingStore(RoutedStore inner, int[] syncs, int[] runs) {
            super(inner);
            this.inner = inner;
            this.syncs = syncs;
            this.runs = runs;
        }

        @Override
        public void sync() throws IOException {
            syncs[0]++;
            super.sync();
        }

        @Override
        public dev.storagelab.hybrid.Tier where(Bytes key) throws IOException {
            return inner.where(key);
        }

        @Override
        public HybridStats stats() {
            return inner.stats();
        }

        @Override
        public void runMaintenance() throws IOException {
            runs[0]++;
            inner.runMaintenance();
        }
    }
}
