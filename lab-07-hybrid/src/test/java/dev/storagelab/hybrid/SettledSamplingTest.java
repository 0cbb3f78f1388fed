package dev.storagelab.hybrid;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.io.FaultInjectingStorage;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The sampling's backoff while placement is settled ({@link HybridOptions#settledBackoff()},
 * {@link MigrationScheduler#adjustSampling}): each maintenance round in which no access wanted a
 * move halves how often the router is asked and a read is counted, down to the option's limit; a
 * round in which one did restores both. Under {@link Hybrids#READS_DECIDE} a key read
 * {@link Hybrids#HOT_READS} times wants the B+tree.
 */
class SettledSamplingTest {

    private final FakeTicker ticker = new FakeTicker();

    private HybridStore open(int settledBackoff) throws IOException {
        return Hybrids.open(
                new FaultInjectingStorage(1),
                Hybrids.options(ticker).settledBackoff(settledBackoff).build());
    }

    /** Runs {@code rounds} maintenance rounds. */
    private static void runRounds(HybridStore store, int rounds) throws IOException {
        for (int round = 0; round < rounds; round++) {
            store.runMaintenance();
        }
    }

    @Test
    void quietRoundsThinTheSamplingUpToTheLimit() throws IOException {
        try (HybridStore store = open(2)) {
            store.put(key(1), value(1, 1));
            assertThat(store.samplingBackoff(), equalTo(0));
            store.runMaintenance();
            assertThat("a put of a key read no time wants no move", store.samplingBackoff(), equalTo(1));
            store.runMaintenance();
            store.runMaintenance();
            assertThat("no further than the limit", store.samplingBackoff(), equalTo(2));
            assertThat("the tuner's knob is the rate before the backoff", store.considerEvery(), equalTo(1));
        }
    }

    @Test
    void aRoundThatWantedAMoveRestoresTheSampling() throws IOException {
        try (HybridStore store = open(3)) {
            for (int k = 0; k < 10; k++) {
                store.put(key(k), value(k, 1));
            }
            runRounds(store, 3);
            assertThat(store.samplingBackoff(), equalTo(3));
            // asked one access in 8 now: 400 reads of one key are asked about with certainty but
            // for a chance of (7/8)^400, below 10^-23
            for (int i = 0; i < 400; i++) {
                store.get(key(7));
            }
            store.runMaintenance();
            assertThat("the round moved the key, and restored the sampling", store.samplingBackoff(), equalTo(0));
            assertThat(store.where(key(7)), is(Tier.HOT));
        }
    }

    @Test
    void aSampledReadStillCountsAsEveryReadItStandsFor() throws IOException {
        try (HybridStore store = open(3)) {
            store.put(key(1), value(1, 1));
            runRounds(store, 3);
            int reads = 8_003;
            for (int i = 0; i < reads; i++) {
                store.get(key(1));
            }
            double counted = store.explain(key(1)).stats().reads();
            assertThat("counted eight at a time: " + counted, counted % 8, equalTo(0.0));
            // counted in steps of 8, one read in 8 on average: 8 x Binomial(8003, 1/8), whose
            // standard deviation is 8 x 29.6 = 237; 1,600 is nearly seven of them
            assertThat(
                    "an estimate of the reads, not an eighth of them: " + counted,
                    Math.abs(counted - reads) < 1_600,
                    is(true));
        }
    }

    @Test
    void offByDefault() throws IOException {
        try (HybridStore store = open(0)) {
            store.put(key(1), value(1, 1));
            runRounds(store, 3);
            assertThat(store.samplingBackoff(), equalTo(0));
            store.get(key(1));
            store.get(key(1));
            assertThat("every read counted", store.explain(key(1)).stats().reads(), equalTo(2.0));
        }
        assertThat(HybridOptions.defaults().settledBackoff(), equalTo(0));
    }
}
