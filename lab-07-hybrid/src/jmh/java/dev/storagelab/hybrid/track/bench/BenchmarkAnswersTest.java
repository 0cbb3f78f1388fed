package dev.storagelab.hybrid.track.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.track.FrequencySketch;
import dev.storagelab.testkit.WrongAnswers;
import org.junit.jupiter.api.Test;

/**
 * The lab-07 sketch benchmark checks its answers: run directly (no JMH, no timing), it passes on
 * the reference through many resets and throws, naming the wrong answer, on sketches that skip
 * resets, under-count or over-count.
 */
class BenchmarkAnswersTest {

    private static SketchBenchmark bench() {
        SketchBenchmark bench = new SketchBenchmark();
        bench.sketchWidth = 1024;
        bench.sketchKeys = 5000;
        bench.setUp();
        return bench;
    }

    @Test
    void incrementPassesTheReferenceThroughManyResets() {
        SketchBenchmark bench = bench();
        long resets = bench.sketch.resets();
        for (int n = 0; n < 200_000; n++) {
            bench.increment();
        }
        assertThat("the run went through resets, each checked", bench.sketch.resets() - resets, greaterThan(20L));
    }

    @Test
    void aSketchThatNeverResetsFails() {
        SketchBenchmark bench = bench();
        bench.sketch = new FrequencySketch(1024, Long.MAX_VALUE);
        assertThat(
                WrongAnswers.within(1000, bench::increment),
                allOf(startsWith("wrong answer: after "), containsString(" increments with a sample size of ")));
    }

    @Test
    void aSketchThatLostItsCountsFailsAsUnderCounting() {
        SketchBenchmark bench = bench();
        bench.sketch = new FrequencySketch(1024, 10L * 1024);
        assertThat(
                assertThrows(IllegalStateException.class, () -> bench.checkedEstimate(0))
                        .getMessage(),
                allOf(
                        startsWith("wrong answer: frequency("),
                        containsString("; a count-min sketch never under-counts")));
    }

    @Test
    void estimatesFarAboveTheCountFail() {
        SketchBenchmark bench = new SketchBenchmark();
        bench.sketchWidth = 65536; // the rubric's sizes: a narrow error bound
        bench.sketchKeys = 1_000_000;
        bench.setUp();
        int hottest = 0;
        for (int slot = 1; slot < bench.counted.length; slot++) {
            if (bench.counts[slot] > bench.counts[hottest]) {
                hottest = slot;
            }
        }
        int slot = hottest;
        assertThat("the hottest counted key's count is far above the error bound", bench.counts[slot], greaterThan(20));
        // As if the sketch reported the key's count while it was seen once: an estimate far above the truth.
        bench.counts[slot] = 1;
        assertThat(
                WrongAnswers.within(1000, () -> bench.checkedEstimate(slot)),
                allOf(
                        startsWith("wrong answer: "),
                        containsString(" frequencies checked exceed the key's count by more than e * size() / width"),
                        containsString("10% is accepted")));
    }
}
