package dev.storagelab.hybrid.tune;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The phase-shifting workload the tuner is tested and measured on (given): a key space of
 * {@code keys} random keys ({@code k00000042}) and a time series ({@code t} and an 8-byte
 * big-endian sequence number, appended in order), driven through {@link #SCHEDULE}:
 * <ul>
 *   <li>{@link Phase#READ_HEAVY}: 95% gets, 5% puts, both skewed to the low keys (key
 *       {@code floor(keys * u^4)} for a uniform u: a fifth of the accesses go to the first 0.16%
 *       of keys), the product catalogue;</li>
 *   <li>{@link Phase#WRITE_HEAVY}: 90% puts of uniformly random keys, 10% skewed gets, the stock
 *       levels;</li>
 *   <li>{@link Phase#TIME_SERIES}: 80% appends to the time series, 20% gets of its last 1,000
 *       points, the orders.</li>
 * </ul>
 * Each operation is timed on the given clock and recorded in the monitor. Deterministic for a seed.
 */
public final class PhaseWorkload {

    /** The workload's phases. */
    public enum Phase {
        READ_HEAVY,
        WRITE_HEAVY,
        TIME_SERIES
    }

    /** The phases in the order the tests and the figure run them: read-heavy, write-heavy, time series, read-heavy. */
    public static final List<Phase> SCHEDULE =
            List.of(Phase.READ_HEAVY, Phase.WRITE_HEAVY, Phase.TIME_SERIES, Phase.READ_HEAVY);

    /** Called after each operation (the tests advance their clock and let the tuner tick). */
    @FunctionalInterface
    public interface AfterOperation {
        void run() throws IOException;
    }

    /** The time-series points whose reads a {@link Phase#TIME_SERIES} get picks from. */
    static final int RECENT_POINTS = 1_000;

    private final int keys;
    private final int valueBytes;
    private final SplittableRandom random;
    private long nextPoint;
    private long operations;

    public PhaseWorkload(int keys, int valueBytes, long seed) {
        checkArgument(keys >= 1, "keys must be at least 1: %s", keys);
        checkArgument(valueBytes >= 8, "values must be at least 8 bytes: %s", valueBytes);
        this.keys = keys;
        this.valueBytes = valueBytes;
        this.random = new SplittableRandom(seed);
    }

    /** The random key number {@code i}. */
    public static Bytes key(int i) {
        return Bytes.of(String.format("k%08d", i));
    }

    /** The time series' point number {@code n}. */
    public static Bytes point(long n) {
        return Bytes.wrap(ByteBuffer.allocate(9).put((byte) 't').putLong(n).array());
    }

    /** The boundary between the random keys and the time series, for an {@code AdaptiveCompaction}. */
    public static final Bytes SERIES_START = Bytes.of("t");

    private Bytes value() {
        byte[] v = new byte[valueBytes];
        ByteBuffer.wrap(v).putLong(operations);
        for (int i = 8; i < v.length; i++) {
            v[i] = (byte) ('a' + (operations + i) % 26);
        }
        return Bytes.wrap(v);
    }

    private int skewed() {
        double u = random.nextDouble();
        return (int) Math.min(keys - 1, Math.floor(keys * u * u * u * u));
    }

    /** Puts every random key once, in key order (not timed, not recorded). */
    public void load(HybridStore store) throws IOException {
        for (int i = 0; i < keys; i++) {
            store.put(key(i), value());
            operations++;
        }
    }

    /**
     * Runs {@code ops} operations of {@code phase} on {@code store}, each timed on {@code clock} and
     * recorded in {@code monitor}, calling {@code after} after each.
     */
    public void run(HybridStore store, Phase phase, int ops, Ticker clock, Monitor monitor, AfterOperation after)
            throws IOException {
        Objects.requireNonNull(phase, "phase");
        for (int i = 0; i < ops; i++) {
            double u = random.nextDouble();
            boolean get;
            Bytes key;
            switch (phase) {
                case READ_HEAVY -> {
                    get = u < 0.95;
                    key = key(skewed());
                }
                case WRITE_HEAVY -> {
                    get = u < 0.10;
                    key = get ? key(skewed()) : key(random.nextInt(keys));
                }
                default -> {
                    get = u < 0.20 && nextPoint > 0;
                    key = get ? point(Math.max(0, nextPoint - 1 - random.nextInt(RECENT_POINTS))) : point(nextPoint++);
                }
            }
            long start = clock.read();
            if (get) {
                store.get(key);
                monitor.recordGet(clock.read() - start);
            } else {
                store.put(key, value());
                monitor.recordPut(clock.read() - start);
            }
            operations++;
            after.run();
        }
    }

    /** Operations run so far (the load's included). */
    public long operations() {
        return operations;
    }
}
