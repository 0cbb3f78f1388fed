package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The figure of migrations per simulated hour and tier sizes over a simulated week of the
 * e-commerce day cycle, for the simple engine and the hardened one. The workload is the
 * workbench's {@code ecommerce} mix (prices updated and read with Zipfian skew over the products,
 * stock read and rewritten, orders inserted with time-ordered keys, a few order lookups and
 * order-history scans), its rate following the day (quiet at night, a lunchtime and an evening
 * peak), and each day's popular products different from the day before's (the deal of the day).
 * Writes CSV: one row per engine and hour.
 * <pre>
 * java -Xmx3g -cp lab-07-hybrid/target/classes:$(cat lab-07-hybrid/target/test-classpath.txt) \
 *     dev.storagelab.hybrid.scenario.WeekSimulation notes/data/lab07/week.csv [figure|quick]
 * ./storagelab figures
 * </pre>
 * A third argument, {@code hardened:KiB}, runs the hardened engine alone with a checkpoint every
 * that many KiB of log instead of {@link FailureModes#hardenedOptions()}'s.
 */
public final class WeekSimulation {

    private WeekSimulation() {}

    /** The share of the peak rate in each hour of the day (0:00 first): night, the morning, lunch, the evening peak. */
    static final double[] DAY_CYCLE = {
        0.15, 0.1, 0.08, 0.08, 0.1, 0.15, 0.25, 0.4, 0.55, 0.65, 0.7, 0.8, 0.95, 0.9, 0.75, 0.7, 0.7, 0.75, 0.85, 0.95,
        1.0, 0.9, 0.6, 0.3
    };

    /**
     * @param products            products, each with a price and a stock key (the hot 1% of the workbench's key space)
     * @param orders              orders in the store at the start (time-ordered keys)
     * @param peakOpsPerSecond    the rate at the day's peak hour
     * @param days                simulated days
     * @param valueBytes          each value's size
     * @param device              the fast tier's device
     * @param maintenanceInterval how often maintenance runs
     * @param seed                the workload's seed
     */
    public record Config(
            int products,
            int orders,
            double peakOpsPerSecond,
            int days,
            int valueBytes,
            DeviceModel device,
            Duration maintenanceInterval,
            long seed) {

        public Config {
            checkArgument(products >= 10 && orders >= 1 && days >= 1, "need products, orders and days");
            checkArgument(peakOpsPerSecond > 0, "the rate must be positive");
        }

        /** The figure's week: 1,000 products, 50,000 orders, 4 operations a second at the peak (1.3M operations). */
        public static Config figure() {
            return new Config(1_000, 50_000, 4, 7, 100, DeviceModel.nvme(), Duration.ofSeconds(10), 17);
        }

        /** A smoke's day: 100 products, 1,000 orders, 1 operation a second at the peak. */
        public static Config quick() {
            return new Config(100, 1_000, 1, 1, 100, DeviceModel.nvme(), Duration.ofSeconds(60), 17);
        }
    }

    /** One hour of one engine's week. */
    public record Hour(String engine, int hour, long ops, long migrations, HybridStats stats) {

        static String header() {
            return "engine,hour,day,hourOfDay,ops,migrations,hotKeys,hotBytes,coldBytes,archiveBytes,cacheEntries,"
                    + "deviceBytesWritten,userBytesWritten,duplicateKeys,trackerBytes";
        }

        String csv() {
            return String.join(
                    ",",
                    engine,
                    Integer.toString(hour),
                    Integer.toString(hour / 24),
                    Integer.toString(hour % 24),
                    Long.toString(ops),
                    Long.toString(migrations),
                    Long.toString(stats.hotKeys()),
                    Long.toString(stats.hotBytes()),
                    Long.toString(stats.coldBytes()),
                    Long.toString(stats.archiveBytes()),
                    Long.toString(stats.cacheEntries()),
                    Long.toString(stats.deviceBytesWritten()),
                    Long.toString(stats.userBytesWritten()),
                    Long.toString(stats.duplicateKeys()),
                    Long.toString(stats.trackerBytes()));
        }
    }

    static Bytes price(long p) {
        return ScenarioData.key("price", p);
    }

    static Bytes stock(long p) {
        return ScenarioData.key("stock", p);
    }

    static Bytes order(long o) {
        return ScenarioData.key("order", o);
    }

    /** Runs the week on a store {@code factory} opens; one {@link Hour} per simulated hour. */
    public static List<Hour> run(String engine, StoreFactory factory, SimClock clock, Config c) throws IOException {
        try (Rig rig = Rig.open(factory, clock, c.device(), c.maintenanceInterval(), false)) {
            return run(engine, rig, c);
        }
    }

    public static List<Hour> run(String engine, Rig rig, Config c) throws IOException {
        SimClock clock = rig.clock();
        SplittableRandom rng = new SplittableRandom(c.seed());
        for (int p = 0; p < c.products(); p++) {
            rig.put(price(p), ScenarioData.value(p, 0, c.valueBytes()));
            rig.put(stock(p), ScenarioData.value(p, 0, c.valueBytes()));
        }
        for (int o = 0; o < c.orders(); o++) {
            rig.put(order(o), ScenarioData.value(o, 0, c.valueBytes()));
        }
        double[] zipf = zipfCdf(c.products(), 0.99);
        long orders = c.orders();
        long origin = clock.now();
        long version = 1;
        List<Hour> out = new ArrayList<>();
        for (int h = 0; h < c.days() * 24; h++) {
            long hourStart = origin + h * Oscillation.HOUR;
            long hourEnd = hourStart + Oscillation.HOUR;
            long before = rig.stats().migrations();
            long gap = ScenarioData.gap(c.peakOpsPerSecond() * DAY_CYCLE[h % 24]);
            // the deal of the day: each day the Zipfian ranks start at another product
            long shift = (long) (h / 24) * (c.products() / 7 + 1);
            long ops = 0;
            for (long t = Math.max(hourStart, clock.now()) + gap; t < hourEnd; t = Math.max(t + gap, clock.now())) {
                rig.advanceTo(t);
                long product = (rank(zipf, rng.nextDouble()) + shift) % c.products();
                int dice = rng.nextInt(100);
                if (dice < 45) {
                    rig.put(price(product), ScenarioData.value(product, version++, c.valueBytes()));
                } else if (dice < 70) {
                    rig.get(stock(product));
                    rig.put(stock(product), ScenarioData.value(product, version++, c.valueBytes()));
                } else if (dice < 85) {
                    rig.get(price(product));
                } else if (dice < 95) {
                    rig.put(order(orders), ScenarioData.value(orders, 0, c.valueBytes()));
                    orders++;
                } else if (dice < 99) {
                    rig.get(order(rng.nextLong(orders)));
                } else {
                    rig.scan(order(Math.max(0, orders - 1 - rng.nextLong(Math.min(orders, 1000)))), 20);
                }
                ops++;
            }
            rig.advanceTo(hourEnd);
            HybridStats stats = rig.stats();
            out.add(new Hour(engine, h, ops, stats.migrations() - before, stats));
        }
        return out;
    }

    /** The cumulative distribution of a Zipfian over {@code n} ranks with exponent {@code theta}. */
    static double[] zipfCdf(int n, double theta) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, theta);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    /** The rank whose cumulative probability first reaches {@code u}. */
    static int rank(double[] cdf, double u) {
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Writes {@code hours} as CSV to {@code out}. */
    static void writeCsv(Path out, List<Hour> hours) throws IOException {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        try (PrintStream p = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
            p.println(Hour.header());
            for (Hour h : hours) {
                p.println(h.csv());
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "notes/data/lab07/week.csv");
        Config c = args.length > 1 && args[1].equals("quick") ? Config.quick() : Config.figure();
        List<Hour> hours = new ArrayList<>();
        List<FailureModes.Named> engines = FailureModes.engines();
        if (args.length > 2 && args[2].startsWith("hardened:")) {
            long kib = Long.parseLong(args[2].substring("hardened:".length()));
            engines = List.of(new FailureModes.Named(
                    "hardened-checkpoint-" + kib + "KiB",
                    StoreFactory.hardenedPerDevice(d -> FailureModes.hardenedOptions(d).toBuilder()
                            .checkpointLogBytes(kib << 10)
                            .build())));
        }
        for (FailureModes.Named e : engines) {
            long start = System.nanoTime();
            List<Hour> week = run(e.name(), e.factory(), SimClock.simulated(), c);
            hours.addAll(week);
            long moves = week.stream().mapToLong(Hour::migrations).sum();
            long ops = week.stream().mapToLong(Hour::ops).sum();
            HybridStats last = week.get(week.size() - 1).stats();
            System.out.printf(
                    "%s: %,d operations, %,d migrations (max %,d in an hour), %,d hot keys at the end, write"
                            + " amplification %.2f (%.0f s)%n",
                    e.name(),
                    ops,
                    moves,
                    week.stream().mapToLong(Hour::migrations).max().orElse(0),
                    last.hotKeys(),
                    last.writeAmplification(),
                    (System.nanoTime() - start) / 1e9);
        }
        writeCsv(out, hours);
        System.out.println("wrote " + out);
    }
}
