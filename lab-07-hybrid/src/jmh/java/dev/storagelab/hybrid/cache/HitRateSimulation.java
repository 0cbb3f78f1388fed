package dev.storagelab.hybrid.cache;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The hit rates of ARC, LRU and LFU against the cache size on three synthetic workloads, the
 * figure of notes/07-hybrid.md: it counts, it does not time. Every trace is a sequence of integer
 * keys drawn from a seeded {@link SplittableRandom}, so a run repeats exactly.
 * <ul>
 *   <li><b>zipfian</b>: {@value #KEYS} keys, Zipf exponent {@value #THETA} (YCSB's), key = rank.
 *       Static popularity: the case LFU is built for.</li>
 *   <li><b>scan-polluted</b>: the same Zipfian references, and after every {@value #SCAN_EVERY} of
 *       them a one-pass scan of {@value #SCAN_LENGTH} keys never referenced before nor after (a
 *       report, a backup, a full-table query): a fifth of the references are scans.</li>
 *   <li><b>shifting</b>: Zipfian references whose popular keys change completely every
 *       {@value #PHASE_LENGTH} references (phase i draws ranks r as keys {@code i * KEYS + r}):
 *       yesterday's best sellers are not today's.</li>
 * </ul>
 * Each trace is {@value #REFERENCES} references; the hit rate counts every reference, the cold
 * misses at the start included.
 *
 * <p>Run: {@code java -cp $CP dev.storagelab.hybrid.cache.HitRateSimulation [out.csv]} (default
 * {@code notes/data/lab07/cache-hit-rates.csv}); then {@code ./storagelab figures}.
 */
public final class HitRateSimulation {

    /** Distinct keys of the Zipfian distribution. */
    public static final int KEYS = 10_000;
    /** The Zipf exponent (YCSB's default). */
    public static final double THETA = 0.99;
    /** References per trace. */
    public static final int REFERENCES = 1_000_000;
    /** Zipfian references between two scans of the scan-polluted workload. */
    public static final int SCAN_EVERY = 8_000;
    /** Keys per scan. */
    public static final int SCAN_LENGTH = 2_000;
    /** References per phase of the shifting workload. */
    public static final int PHASE_LENGTH = 100_000;
    /** The cache sizes of the figure, in entries. */
    public static final int[] CACHE_SIZES = {25, 50, 100, 200, 400, 800, 1_600, 3_200};
    /** The workloads, in the order of the figure's panels. */
    public static final List<String> WORKLOADS = List.of("zipfian", "scan-polluted", "shifting");

    private static final long SEED = 20_031_031L;

    private HitRateSimulation() {}

    /** Samples ranks 0..n-1 with probability proportional to {@code 1 / (rank + 1)^theta} by inverting the CDF. */
    public static final class Zipf {
        private final double[] cdf;
        private final SplittableRandom random;

        public Zipf(int n, double theta, SplittableRandom random) {
            checkArgument(n >= 1, "n must be at least 1: %s", n);
            checkArgument(theta > 0, "theta must be positive: %s", theta);
            this.cdf = new double[n];
            this.random = random;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1 / Math.pow(i + 1, theta);
                cdf[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cdf[i] /= sum;
            }
            cdf[n - 1] = 1.0;
        }

        /** The next rank, 0 the most likely. */
        public int next() {
            double u = random.nextDouble();
            int lo = 0;
            int hi = cdf.length - 1;
            while (lo < hi) { // the first rank whose cumulative probability exceeds u
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
    }

    /** {@code length} Zipfian references over {@code keys} keys. */
    public static int[] zipfian(int keys, double theta, int length, long seed) {
        Zipf zipf = new Zipf(keys, theta, new SplittableRandom(seed));
        int[] trace = new int[length];
        for (int i = 0; i < length; i++) {
            trace[i] = zipf.next();
        }
        return trace;
    }

    /**
     * Zipfian references over keys {@code [0, keys)}, and after every {@code scanEvery} of them a
     * scan of {@code scanLength} consecutive keys from {@code keys} up, each scan continuing where
     * the last one stopped: no scanned key is ever referenced twice.
     */
    public static int[] scanPolluted(int keys, double theta, int length, int scanEvery, int scanLength, long seed) {
        Zipf zipf = new Zipf(keys, theta, new SplittableRandom(seed));
        int[] trace = new int[length];
        int nextScanKey = keys;
        int i = 0;
        while (i < length) {
            for (int j = 0; j < scanEvery && i < length; j++) {
                trace[i++] = zipf.next();
            }
            for (int j = 0; j < scanLength && i < length; j++) {
                trace[i++] = nextScanKey++;
            }
        }
        return trace;
    }

    /** Zipfian references whose key set changes every {@code phaseLength}: phase p uses keys {@code [p * keys, (p + 1) * keys)}. */
    public static int[] shifting(int keys, double theta, int length, int phaseLength, long seed) {
        Zipf zipf = new Zipf(keys, theta, new SplittableRandom(seed));
        int[] trace = new int[length];
        for (int i = 0; i < length; i++) {
            trace[i] = (i / phaseLength) * keys + zipf.next();
        }
        return trace;
    }

    /** The named workload's trace, as the figure uses it. */
    public static int[] trace(String workload) {
        return switch (workload) {
            case "zipfian" -> zipfian(KEYS, THETA, REFERENCES, SEED);
            case "scan-polluted" -> scanPolluted(KEYS, THETA, REFERENCES, SCAN_EVERY, SCAN_LENGTH, SEED);
            case "shifting" -> shifting(KEYS, THETA, REFERENCES, PHASE_LENGTH, SEED);
            default -> throw new IllegalArgumentException("unknown workload '" + workload + "' " + WORKLOADS);
        };
    }

    /** References {@code trace} in order through {@code policy} (empty or not) and returns its hits. */
    public static long hits(ReplacementPolicy<Integer> policy, int[] trace) {
        long hits = 0;
        for (int key : trace) {
            if (policy.reference(key, k -> {})) {
                hits++;
            }
        }
        return hits;
    }

    /** One point of the figure. */
    public record Point(String workload, String policy, int cacheEntries, long references, long hits) {
        public double hitRate() {
            return (double) hits / references;
        }
    }

    /** Every workload, policy and cache size of the figure. */
    public static List<Point> run() {
        List<Point> points = new ArrayList<>();
        for (String workload : WORKLOADS) {
            int[] trace = trace(workload);
            for (int size : CACHE_SIZES) {
                for (String name : ReplacementPolicies.NAMES) {
                    long hits = hits(ReplacementPolicies.of(name, size), trace);
                    points.add(new Point(workload, name, size, trace.length, hits));
                }
            }
        }
        return points;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "notes/data/lab07/cache-hit-rates.csv");
        List<Point> points = run();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("workload,policy,cache_entries,references,hits,hit_rate\n");
            for (Point p : points) {
                w.write(String.format(
                        Locale.ROOT,
                        "%s,%s,%d,%d,%d,%.6f%n",
                        p.workload(),
                        p.policy(),
                        p.cacheEntries(),
                        p.references(),
                        p.hits(),
                        p.hitRate()));
            }
        }
        print(points, System.out);
        System.out.println("wrote " + out);
    }

    /** A table per workload: a row per cache size, the three hit rates, and ARC minus the better of LRU and LFU. */
    static void print(List<Point> points, PrintStream out) {
        for (String workload : WORKLOADS) {
            out.printf(
                    Locale.ROOT,
                    "%n%s%n%8s %8s %8s %8s %14s%n",
                    workload,
                    "entries",
                    "arc",
                    "lru",
                    "lfu",
                    "arc - best");
            for (int size : CACHE_SIZES) {
                double arc = 0;
                double lru = 0;
                double lfu = 0;
                for (Point p : points) {
                    if (p.workload().equals(workload) && p.cacheEntries() == size) {
                        switch (p.policy()) {
                            case "arc" -> arc = p.hitRate();
                            case "lru" -> lru = p.hitRate();
                            default -> lfu = p.hitRate();
                        }
                    }
                }
                out.printf(
                        Locale.ROOT, "%8d %8.4f %8.4f %8.4f %+14.4f%n", size, arc, lru, lfu, arc - Math.max(lru, lfu));
            }
        }
    }
}
