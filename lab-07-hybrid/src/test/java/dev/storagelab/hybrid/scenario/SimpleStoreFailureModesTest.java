package dev.storagelab.hybrid.scenario;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.Placement;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The four failure modes, each shown on the episode's {@link dev.storagelab.hybrid.SimpleHybridStore}:
 * the behaviour the hardened engine's hidden tests require it not to have. Sizes are scaled down
 * from the episode's (a million reads, a million keys) to run in seconds; {@link FailureModes} runs
 * the full sizes.
 */
class SimpleStoreFailureModesTest {

    private static final StoreFactory SIMPLE = StoreFactory.simple(FailureModes.simpleKnobs());

    static SimClock fakeClock() {
        FakeTicker ticker = new FakeTicker();
        return new SimClock(ticker, ticker::advance);
    }

    @Test
    void thunderingHerdTheSimpleEngineMigratesDuringThePeakOnTheRequestPath() throws IOException {
        ThunderingHerd.Result r = ThunderingHerd.run(SIMPLE, fakeClock(), ThunderingHerd.Config.small(5_000, 20_000));
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat(
                "the sale key crossed 1000 reads in the burst and moved: " + r,
                r.migrationsInBurst(),
                greaterThanOrEqualTo(1L));
        assertThat(
                "every move was made by the get that crossed the threshold: " + r,
                r.inlineMigrationsInBurst(),
                equalTo(r.migrationsInBurst()));
        assertThat(
                "that get paid the move's I/O (the LSM delete), while the cache served the rest: " + r,
                r.burstMax(),
                greaterThan(r.burstP50()));
    }

    @Test
    void thunderingHerdWithManySaleKeysEveryOneMovesInsideTheBurst() throws IOException {
        ThunderingHerd.Result r = ThunderingHerd.run(
                SIMPLE, fakeClock(), ThunderingHerd.Config.small(5_000, 40_000).withSaleKeys(20));
        assertThat(
                "20 keys read 2000 times each: all 20 cross 1000 reads inside the burst, with no budget: " + r,
                r.migrationsInBurst(),
                greaterThanOrEqualTo(20L));
        assertThat(r.toString(), r.inlineMigrationsInBurst(), equalTo(r.migrationsInBurst()));
    }

    @Test
    void oscillationTheSimpleEngineMovesAnOfficeHoursKeyBackAndForthEveryDay() throws IOException {
        Oscillation.Config c = Oscillation.Config.small(3);
        Oscillation.Result r = Oscillation.run(SIMPLE, fakeClock(), c);
        assertThat(r.toString(), r.errors(), equalTo(0L));
        assertThat(
                "at least two moves per key on every day (in the morning and back at some point): " + r,
                Arrays.stream(r.migrationsPerDay()).boxed().collect(Collectors.toList()),
                everyItem(greaterThanOrEqualTo(2L * c.hotKeys())));
        assertThat(
                "the hourly resets and random re-checks make it many more than two: " + r,
                r.migrationsPerKeyPerDay(),
                greaterThan(4.0));
        assertThat("all of them on the request path: " + r, r.inlineMigrations(), equalTo(r.totalMigrations()));
        assertThat(
                "every move rewrites the value in both engines, and the B+tree is checkpointed every minute: " + r,
                r.weekWriteAmplification(),
                greaterThan(3.0));
    }

    @Test
    void memoryBlowupTheSimpleEnginesTrackerGrowsWithEveryKey() throws IOException {
        MemoryBlowup.Result small = MemoryBlowup.run(SIMPLE, fakeClock(), MemoryBlowup.Config.small(2_500));
        MemoryBlowup.Result large = MemoryBlowup.run(SIMPLE, fakeClock(), MemoryBlowup.Config.small(10_000));
        assertThat(large.toString(), large.errors(), equalTo(0L));
        assertThat("a counter-map entry per key: " + large, large.trackerBytesPerKey(), greaterThan(100.0));
        assertThat(
                "four times the keys, about four times the tracker: " + small + " / " + large,
                (double) large.trackerBytes() / small.trackerBytes(),
                allOf(greaterThan(3.5), lessThan(4.5)));
        assertThat(
                "a million keys would cost over 100 MB of counters: " + large,
                large.trackerBytesPerKey() * 1_000_000,
                greaterThan(100e6));
        assertThat("moves delete inline: no key is in two engines", large.maxDuplicateKeys(), equalTo(0L));
        assertThat("the hot 1% moved to the B+tree", large.stats().hotKeys(), greaterThanOrEqualTo(100L));
        assertThat("space amplification is measured: " + large, large.spaceAmplification(), greaterThan(1.0));
    }

    @Test
    void costBlindspotTheSimpleEnginePlacesEachPairAlikeAndSendsAMebibyteValueToTheBPlusTree() throws IOException {
        // over the read threshold (1,000), and, for the pattern pair, over the write threshold (100):
        // the simple engine does not count the reads a scan makes
        CostBlindspot.Mix reads = new CostBlindspot.Mix(1_100, 2, 1, Duration.ofMinutes(30));
        CostBlindspot.Mix writes = new CostBlindspot.Mix(200, 110, 10, Duration.ofMinutes(30));
        List<CostBlindspot.Outcome> out = CostBlindspot.run(
                SIMPLE,
                SimpleStoreFailureModesTest::fakeClock,
                CostBlindspot.standardCases(reads, writes, reads, 3),
                Duration.ofSeconds(1));
        String report = out.toString();
        CostBlindspot.Outcome small = out.get(0);
        CostBlindspot.Outcome large = out.get(1);
        assertThat(
                "100-byte values over the thresholds go to the B+tree: " + report,
                small.placement(),
                equalTo(Placement.HOT));
        assertThat(
                "so do 1 MiB values, and the B+tree refuses them on every access that retries: " + report,
                large.errors(),
                greaterThan(50L));
        assertThat(large.firstError(), containsString("no overflow pages"));
        for (int pair = 1; pair < 3; pair++) {
            CostBlindspot.Outcome a = out.get(2 * pair);
            CostBlindspot.Outcome b = out.get(2 * pair + 1);
            assertThat(
                    "the thresholds see the same counts, so the same placement: " + a + " / " + b,
                    a.placement(),
                    equalTo(b.placement()));
            assertThat(a.toString(), a.placement(), equalTo(Placement.HOT));
            assertThat(a.errors() + b.errors(), equalTo(0L));
        }
    }
}
