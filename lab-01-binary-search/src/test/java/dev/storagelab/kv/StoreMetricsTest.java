package dev.storagelab.kv;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StoreMetricsTest {

    private final StoreMetrics metrics = new StoreMetrics(new CountingStorage(new FaultInjectingStorage()));

    @Test
    void countsAndPercentilesAreThoseOfEveryValueRecordedByEveryThread() throws InterruptedException {
        int threads = 6;
        int perThread = 20_000;
        Histogram expectedGets = new Histogram(3);
        Histogram expectedPuts = new Histogram(3);
        long[][] nanos = new long[threads][perThread];
        SplittableRandom random = new SplittableRandom(7);
        for (long[] row : nanos) {
            for (int i = 0; i < perThread; i++) {
                // 100 ns to 10 ms, spread over five decades as real latencies are
                row[i] = (long) Math.pow(10, 2 + 5 * random.nextDouble());
            }
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        List<Map<String, Long>> midway = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] row = nanos[t];
            boolean getter = t % 2 == 0;
            for (long n : row) {
                (getter ? expectedGets : expectedPuts).recordValue(n);
            }
            Thread th = new Thread(() -> {
                awaitQuietly(start);
                for (int i = 0; i < row.length; i++) {
                    if (getter) {
                        metrics.recordGet(i % 3 == 0, row[i]);
                    } else {
                        metrics.recordWrite(
                                i % 4 == 0
                                        ? Entry.tombstone(Bytes.of("k" + i))
                                        : Entry.put(Bytes.of("k" + i), Bytes.of("value")),
                                row[i]);
                    }
                }
            });
            th.start();
            running.add(th);
        }
        start.countDown();
        midway.add(metrics.snapshot().getLatency()); // a snapshot while they record loses nothing
        for (Thread th : running) {
            th.join();
        }
        StoreMetrics.Snapshot s = metrics.snapshot();
        long getters = (threads + 1) / 2;
        assertThat("every get counted", s.gets(), equalTo(getters * perThread));
        long hitsPerThread = (perThread + 2) / 3;
        assertThat("every hit counted", s.getHits(), equalTo(getters * hitsPerThread));
        long putters = threads - getters;
        long deletesPerThread = (perThread + 3) / 4;
        assertThat(s.deletes(), equalTo(putters * deletesPerThread));
        assertThat(s.puts(), equalTo(putters * (perThread - deletesPerThread)));
        long userBytes = 0;
        for (int i = 0; i < perThread; i++) {
            userBytes += ("k" + i).length() + (i % 4 == 0 ? 0 : "value".length());
        }
        assertThat(s.userBytesWritten(), equalTo(putters * userBytes));
        assertThat(
                "the get percentiles are one histogram's of every get",
                s.getLatency(),
                equalTo(percentiles(expectedGets)));
        assertThat(
                "the put percentiles are one histogram's of every write",
                s.putLatency(),
                equalTo(percentiles(expectedPuts)));
        assertThat("a second snapshot with nothing new reads the same", metrics.snapshot(), equalTo(s));
    }

    @Test
    void aLatencyBeyondAMinuteCountsAsAMinuteAndANegativeOneAsZero() {
        metrics.recordGet(false, Long.MAX_VALUE);
        metrics.recordGet(false, -5);
        Map<String, Long> gets = metrics.snapshot().getLatency();
        assertThat(gets.get("count"), equalTo(2L));
        Histogram oneMinute = new Histogram(3);
        oneMinute.recordValue(60_000_000_000L);
        assertThat(gets.get("max_ns"), equalTo(oneMinute.getMaxValue()));
        assertThat(gets.get("p50_ns"), equalTo(0L));
    }

    @Test
    void aSampledStoreCountsEveryGetAndTimesAboutOneInSixteenWithItsPercentilesOfTheWholeRun() {
        int gets = 64_000;
        for (int i = 0; i < gets; i++) {
            long started = StoreMetrics.startTimer();
            metrics.recordGetSince(i % 2 == 0, started);
        }
        Map<String, Long> latency = metrics.snapshot().getLatency();
        assertThat("every get counted", latency.get("count"), equalTo((long) gets));
        long timed = latency.get("timed");
        // 64,000 draws of probability 1/16: 4,000 expected, standard deviation 61
        assertThat("about one get in 16 timed: " + timed, (double) timed, closeTo(gets / 16.0, 400));
        assertThat(metrics.snapshot().getHits(), equalTo(gets / 2L));
    }

    @Test
    void aSampleOfRandomlyChosenOperationsGivesThePercentilesOfTheWholeDistribution() {
        // Latencies known in advance, each recorded by the caller's own timing when startTimer
        // chose it: the sample's percentiles must be those of the whole run, within a few percent.
        SplittableRandom random = new SplittableRandom(11);
        Histogram all = new Histogram(3);
        for (int i = 0; i < 400_000; i++) {
            long nanos = 100 + (long) (-2_000 * Math.log(1 - random.nextDouble())); // exponential, mean 2 us
            all.recordValue(nanos);
            if (StoreMetrics.startTimer() != StoreMetrics.NOT_TIMED) {
                metrics.recordGet(true, nanos);
            } else {
                metrics.recordGetSince(true, StoreMetrics.NOT_TIMED);
            }
        }
        Map<String, Long> sampled = metrics.snapshot().getLatency();
        assertThat(sampled.get("count"), equalTo(400_000L));
        for (String p : new String[] {"p50_ns", "p99_ns"}) {
            double whole = percentiles(all).get(p);
            assertThat(p + " of a 1-in-16 sample", (double) sampled.get(p), closeTo(whole, whole * 0.05));
        }
    }

    private static Map<String, Long> percentiles(Histogram h) {
        return Map.of(
                "count", h.getTotalCount(),
                "timed", h.getTotalCount(),
                "p50_ns", h.getValueAtPercentile(50),
                "p99_ns", h.getValueAtPercentile(99),
                "p999_ns", h.getValueAtPercentile(99.9),
                "max_ns", h.getMaxValue());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
