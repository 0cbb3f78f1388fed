package dev.storagelab.hybrid.tune.bench;

import dev.storagelab.hybrid.tune.Damper;
import dev.storagelab.hybrid.tune.Damping;
import dev.storagelab.hybrid.tune.Knob;
import dev.storagelab.hybrid.tune.LatencyHistogram;
import dev.storagelab.hybrid.tune.Sample;
import dev.storagelab.hybrid.tune.Tuner;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The tuner's hot paths (lab-07 T10): recording a latency (once per operation) and one interval's
 * decision, the rules and a damper step per knob (once per interval), over {@code tunerIntervals}
 * precomputed noisy samples. Each call checks its answer stays within the knobs' bounds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TunerBenchmark {

    @Param({"1000"})
    public int tunerIntervals;

    private Sample[] samples;
    private long[] latencies;
    private LatencyHistogram histogram;
    private Map<Knob, Damper> dampers;
    private Map<Knob, Double> knobs;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        samples = new Sample[tunerIntervals];
        for (int i = 0; i < tunerIntervals; i++) {
            long gets = 500 + random.nextInt(100) - (i * 3L / tunerIntervals) * 200;
            samples[i] = new Sample(
                    i,
                    i,
                    Math.max(0, gets),
                    100 + random.nextInt(100),
                    0.9,
                    2,
                    0.1,
                    random.nextDouble() * 0.1,
                    1_000,
                    9_000,
                    2_000,
                    20_000);
        }
        latencies = new long[4096];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = (long) Math.exp(random.nextDouble() * 16);
        }
        histogram = new LatencyHistogram();
        dampers = new EnumMap<>(Knob.class);
        knobs = new EnumMap<>(Knob.class);
        for (Knob k : Knob.values()) {
            dampers.put(k, new Damper(k, Damping.defaults()));
            knobs.put(k, k.lerp(0.5));
        }
    }

    @Benchmark
    public long recordLatency() {
        histogram.record(latencies[next++ & (latencies.length - 1)]);
        return histogram.count();
    }

    @Benchmark
    public double decideInterval() {
        Sample s = samples[next++ % samples.length];
        Map<Knob, Double> wanted = Tuner.wanted(s, knobs);
        double sum = 0;
        for (Knob k : Knob.values()) {
            double v = dampers.get(k).step(knobs.get(k), wanted.get(k));
            if (v < k.min() || v > k.max()) {
                throw new IllegalStateException(k + " left its bounds: " + v);
            }
            knobs.put(k, v);
            sum += v;
        }
        return sum;
    }
}
