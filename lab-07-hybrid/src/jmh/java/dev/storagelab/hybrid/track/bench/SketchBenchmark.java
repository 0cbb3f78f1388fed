package dev.storagelab.hybrid.track.bench;

import dev.storagelab.hybrid.track.FrequencySketch;
import dev.storagelab.kv.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The access tracker's hot path (lab-07 T2): one {@link FrequencySketch#increment(Bytes)} and one
 * {@link FrequencySketch#frequency(Bytes)} of a key drawn from a Zipfian distribution (exponent
 * 0.99, as YCSB's) over {@code sketchKeys} keys of 16 bytes, hashing included: what every read and
 * write of the hybrid store pays to be tracked. The sketch has {@code sketchWidth} counters per row
 * and halves them every 10 x width increments, the hybrid's default, so resets are part of the
 * measured cost (amortized: one pass over the table per 10 x width increments).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SketchBenchmark {

    private static final int DRAWS = 1 << 16;

    @Param({"65536"})
    public int sketchWidth;

    @Param({"1000000"})
    public int sketchKeys;

    private FrequencySketch sketch;
    private Bytes[] keys;
    private int next;

    private static Bytes key(long i) {
        byte[] k = "user000000000000".getBytes(StandardCharsets.US_ASCII);
        for (int pos = k.length - 1; i > 0; pos--, i /= 10) {
            k[pos] = (byte) ('0' + i % 10);
        }
        return Bytes.wrap(k);
    }

    @Setup
    public void setUp() {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(42L);
        SharedStateDiscreteSampler zipf = RejectionInversionZipfSampler.of(rng, sketchKeys, 0.99);
        keys = new Bytes[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            keys[i] = key(zipf.sample() - 1);
        }
        sketch = new FrequencySketch(sketchWidth, 10L * sketchWidth);
        for (Bytes k : keys) {
            sketch.increment(k);
        }
        if (sketch.frequency(key(0)) <= 0) {
            throw new IllegalStateException("the most popular key was drawn and must have a count: " + sketch);
        }
    }

    @Benchmark
    public void increment() {
        sketch.increment(keys[next++ & (DRAWS - 1)]);
    }

    @Benchmark
    public int frequency() {
        return sketch.frequency(keys[next++ & (DRAWS - 1)]);
    }
}
