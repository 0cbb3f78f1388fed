package dev.storagelab.workbench.engines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CountersTest {

    private static Map<String, Long> counts(Object... nameThenValue) {
        Map<String, Long> c = new LinkedHashMap<>();
        for (int i = 0; i < nameThenValue.length; i += 2) {
            c.put((String) nameThenValue[i], ((Number) nameThenValue[i + 1]).longValue());
        }
        return c;
    }

    @Test
    void aDeltaIsWhatHappenedBetweenTwoReadingsInTheLaterReadingsOrder() {
        Map<String, Long> before = counts(Counters.USER_BYTES_WRITTEN, 1_000, Counters.DISK_BYTES_WRITTEN, 40_000);
        Map<String, Long> after = counts(Counters.DISK_BYTES_WRITTEN, 46_000, Counters.USER_BYTES_WRITTEN, 3_000);
        Map<String, Long> delta = Counters.delta(before, after);
        assertThat(delta, equalTo(counts(Counters.DISK_BYTES_WRITTEN, 6_000, Counters.USER_BYTES_WRITTEN, 2_000)));
        assertThat(
                "the delta keeps the engine's order",
                delta.keySet(),
                contains(Counters.DISK_BYTES_WRITTEN, Counters.USER_BYTES_WRITTEN));
    }

    @Test
    void writeAmplificationOfADeltaIsTheRunsDiskBytesOverTheRunsUserBytes() {
        // A preload of 1,000 user bytes that cost 40,000 disk bytes, then a run of 2,000 that cost 6,000.
        Map<String, Long> afterPreload =
                counts(Counters.USER_BYTES_WRITTEN, 1_000, Counters.DISK_BYTES_WRITTEN, 40_000);
        Map<String, Long> afterRun = counts(Counters.USER_BYTES_WRITTEN, 3_000, Counters.DISK_BYTES_WRITTEN, 46_000);
        Map<String, Object> run = Counters.withRatios(Counters.delta(afterPreload, afterRun), 0);
        assertThat(
                "6,000 disk bytes for 2,000 user bytes",
                (Double) run.get(Counters.WRITE_AMPLIFICATION),
                closeTo(3.0, 1e-12));
        Map<String, Object> total = Counters.withRatios(afterRun, 0);
        assertThat(
                "the totals mix the preload in: 46,000 / 3,000",
                (Double) total.get(Counters.WRITE_AMPLIFICATION),
                closeTo(46_000 / 3_000.0, 1e-12));
    }

    @Test
    void ratiosPerGetDivideReadsByTheCallersGetsAndTheHitRateIsHitsOverLookups() {
        Map<String, Object> r = Counters.withRatios(
                counts(
                        Counters.PAGE_READS,
                        99,
                        Counters.BLOCK_READS,
                        450,
                        Counters.CACHE_HITS,
                        300,
                        Counters.CACHE_MISSES,
                        100),
                100);
        assertThat((Double) r.get(Counters.PAGE_READS_PER_GET), closeTo(0.99, 1e-12));
        assertThat((Double) r.get(Counters.BLOCK_READS_PER_GET), closeTo(4.5, 1e-12));
        assertThat((Double) r.get(Counters.CACHE_HIT_RATE), closeTo(0.75, 1e-12));
        assertThat("the counts come first, unchanged", r.get(Counters.PAGE_READS), equalTo(99L));
    }

    @Test
    void recordsPerCommitGroupIsHowManyCommitsSharedEachLogWrite() {
        Map<String, Object> r =
                Counters.withRatios(counts(Counters.LOG_RECORDS, 5_000, Counters.COMMIT_GROUPS, 2_000), 0);
        assertThat((Double) r.get(Counters.RECORDS_PER_COMMIT_GROUP), closeTo(2.5, 1e-12));
        assertThat(
                "no commit groups, no ratio",
                (Double) Counters.withRatios(counts(Counters.LOG_RECORDS, 0, Counters.COMMIT_GROUPS, 0), 0)
                        .get(Counters.RECORDS_PER_COMMIT_GROUP),
                is(Double.NaN));
        assertThat(
                "an engine without a log has none",
                Counters.withRatios(counts(Counters.PAGE_READS, 1), 1),
                not(hasKey(Counters.RECORDS_PER_COMMIT_GROUP)));
    }

    @Test
    void aRatioWithANothingDenominatorIsNotANumber() {
        Map<String, Object> r = Counters.withRatios(
                counts(
                        Counters.USER_BYTES_WRITTEN,
                        0,
                        Counters.DISK_BYTES_WRITTEN,
                        4_096,
                        Counters.PAGE_READS,
                        0,
                        Counters.CACHE_HITS,
                        0,
                        Counters.CACHE_MISSES,
                        0),
                0);
        assertThat(
                "disk bytes but no user bytes (a read-only run's checkpoint)",
                (Double) r.get(Counters.WRITE_AMPLIFICATION),
                is(Double.NaN));
        assertThat("no gets", (Double) r.get(Counters.PAGE_READS_PER_GET), is(Double.NaN));
        assertThat("no cache lookups", (Double) r.get(Counters.CACHE_HIT_RATE), is(Double.NaN));
        assertThat("printed as n/a", Counters.format(r.get(Counters.CACHE_HIT_RATE)), equalTo("n/a"));
    }

    @Test
    void aRatioAppearsOnlyWhereTheEngineCountsWhatItNeeds() {
        Map<String, Object> r = Counters.withRatios(counts(Counters.USER_BYTES_WRITTEN, 116), 10);
        assertThat("no disk bytes, no write amplification", r, not(hasKey(Counters.WRITE_AMPLIFICATION)));
        assertThat(r, not(hasKey(Counters.PAGE_READS_PER_GET)));
        assertThat(r, not(hasKey(Counters.CACHE_HIT_RATE)));
        assertThat(
                "an engine that counts nothing gets no ratios", Counters.withRatios(Map.of(), 10), equalTo(Map.of()));
    }

    @Test
    void aCountThatWentDownOrReadingsThatNameDifferentCountsAreRefused() {
        IllegalArgumentException down = assertThrows(
                IllegalArgumentException.class,
                () -> Counters.delta(counts(Counters.PAGE_READS, 10), counts(Counters.PAGE_READS, 9)));
        assertThat(down.getMessage(), containsString("count page_reads went down from 10 to 9"));
        IllegalArgumentException names = assertThrows(
                IllegalArgumentException.class,
                () -> Counters.delta(counts(Counters.PAGE_READS, 10), counts(Counters.BLOCK_READS, 10)));
        assertThat(names.getMessage(), containsString("name different counts"));
        assertThrows(IllegalArgumentException.class, () -> Counters.withRatios(Map.of(), -1));
    }
}
