package dev.storagelab.hybrid.tune;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridStats;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The monitor (T10): percentiles from fixed buckets, and each sample the differences of one interval. */
class MonitorTest {

    private static HybridStats stats(
            long migrations, long deferred, long hits, long misses, long hot, long cold, long user, long device) {
        return new HybridStats(migrations, deferred, 0, 0, 0, 0, hits, misses, hot, cold, 0, user, device);
    }

    @Test
    void percentilesOfSmallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 10; v++) {
            h.record(v);
        }
        assertThat(h.valueAt(0.5), equalTo(5L));
        assertThat(h.valueAt(0.9), equalTo(9L));
        assertThat(h.valueAt(1.0), equalTo(10L));
        assertThat("the rank is at least 1", h.valueAt(0.01), equalTo(1L));
    }

    @Test
    void percentilesOfLargeValuesAreAtMostAnEighthHigh() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1_000; v <= 100_000; v += 1_000) {
            h.record(v);
        }
        long p50 = h.valueAt(0.5);
        assertThat(p50, greaterThanOrEqualTo(50_000L));
        assertThat(p50, lessThanOrEqualTo(50_000L + 50_000L / 8));
        assertThat("never above the largest value", h.valueAt(1.0), equalTo(100_000L));
        assertThat(new LatencyHistogram().valueAt(0.99), equalTo(0L));
    }

    @Test
    void aSampleHoldsTheIntervalsDifferencesOnly() {
        FakeTicker ticker = new FakeTicker();
        AtomicReference<HybridStats> now = new AtomicReference<>(stats(10, 0, 100, 100, 0, 0, 1_000, 5_000));
        Monitor m = new Monitor(now::get, ticker);
        for (int i = 0; i < 3; i++) {
            m.recordGet(100);
        }
        m.recordPut(2_000);
        now.set(stats(13, 1, 190, 110, 300, 700, 2_000, 8_000));
        ticker.advance(1, TimeUnit.SECONDS);
        Sample s = m.sample();
        assertThat(s.interval(), equalTo(0));
        assertThat(s.endNanos(), equalTo(1_000_000_000L));
        assertThat(s.gets(), equalTo(3L));
        assertThat(s.puts(), equalTo(1L));
        assertThat("90 hits of 100 reads in the interval", s.hitRate(), closeTo(0.9, 1e-9));
        assertThat("3,000 device bytes for 1,000 user bytes", s.writeAmplification(), closeTo(3.0, 1e-9));
        assertThat(s.hotByteShare(), closeTo(0.3, 1e-9));
        assertThat("1 deferred of 4 wanted", s.deferredShare(), closeTo(0.25, 1e-9));
        assertThat(s.getP50(), equalTo(100L));
        assertThat(s.putP99(), lessThanOrEqualTo(2_000L));

        Sample quiet = m.sample();
        assertThat(quiet.interval(), equalTo(1));
        assertThat("nothing happened since", quiet.operations(), equalTo(0L));
        assertThat(quiet.hitRate(), equalTo(0.0));
        assertThat(quiet.writeAmplification(), equalTo(0.0));
        assertThat(quiet.getP99(), equalTo(0L));
    }
}
