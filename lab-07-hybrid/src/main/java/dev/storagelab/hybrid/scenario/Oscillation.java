package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.tier.DeviceModel;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Failure mode 2, oscillation: a few keys are hot from 9:00 to 17:00 (a product page during office
 * hours: reads and price updates every few seconds) and cold the rest of the day (a read now and
 * then), for a simulated week. The simple engine promotes them each morning, and its hourly counter
 * resets and random re-checks demote and promote them again and again through the day: every move
 * rewrites the value in both engines (write amplification). A hardened engine moves each at most
 * once a day. Other keys (the catalogue) are written once at the start and never touched again.
 */
public final class Oscillation {

    private Oscillation() {}

    /**
     * @param hotKeys             keys with the office-hours cycle
     * @param catalogueKeys       keys written once at the start
     * @param valueBytes          each value's size
     * @param days                simulated days, from midnight of day 1
     * @param dayGapSeconds       between 9:00 and 17:00, seconds between two accesses of one hot key
     * @param nightGapSeconds     otherwise, seconds between two accesses of one hot key
     * @param writeFraction       the share of accesses that are writes (a new value)
     * @param device              the fast tier's device
     * @param maintenanceInterval how often maintenance runs
     * @param seed                the seed of the read/write choice
     */
    public record Config(
            int hotKeys,
            int catalogueKeys,
            int valueBytes,
            int days,
            double dayGapSeconds,
            double nightGapSeconds,
            double writeFraction,
            DeviceModel device,
            Duration maintenanceInterval,
            long seed) {

        public Config {
            checkArgument(hotKeys >= 1 && days >= 1, "need hot keys and days: %s, %s", hotKeys, days);
            checkArgument(dayGapSeconds > 0 && nightGapSeconds > 0, "gaps must be positive");
            checkArgument(writeFraction >= 0 && writeFraction <= 1, "writeFraction must be within [0, 1]");
        }

        /** The episode's week: 10 keys, an access each every 5 s by day and every 10 minutes by night, half writes. */
        public static Config figure() {
            return new Config(10, 10_000, 100, 7, 5, 600, 0.5, DeviceModel.nvme(), Duration.ofSeconds(1), 11);
        }

        /** A test's week: {@code hotKeys} keys, an access every 10 s by day and every 20 minutes by night. */
        public static Config small(int hotKeys) {
            return new Config(hotKeys, 1_000, 100, 7, 10, 1200, 0.5, DeviceModel.nvme(), Duration.ofSeconds(30), 11);
        }
    }

    /**
     * @param migrationsPerDay    keys moved on each day (by the store's counter; the catalogue never moves)
     * @param inlineMigrations    moves done on the request path, over the week
     * @param userBytesWritten    bytes of keys and values the week's writes carried (the load excluded)
     * @param deviceBytesWritten  bytes the store wrote to storage during the week
     * @param stats               the store's counters at the end
     */
    public record Result(
            Config config,
            long[] migrationsPerDay,
            long inlineMigrations,
            long userBytesWritten,
            long deviceBytesWritten,
            HybridStats stats,
            long errors,
            String firstError) {

        public long totalMigrations() {
            return Arrays.stream(migrationsPerDay).sum();
        }

        /** Moves per hot key per day, the week's average. */
        public double migrationsPerKeyPerDay() {
            return (double) totalMigrations() / config.hotKeys() / config.days();
        }

        /** The busiest day's moves. */
        public long maxMigrationsPerDay() {
            return Arrays.stream(migrationsPerDay).max().orElse(0);
        }

        /** The store's bytes written per user byte, load included, as its own counters say. */
        public double writeAmplification() {
            return stats.writeAmplification();
        }

        /** Bytes written to storage during the week per byte the week's writes carried (the load excluded). */
        public double weekWriteAmplification() {
            return userBytesWritten == 0 ? 0 : (double) deviceBytesWritten / userBytesWritten;
        }

        @Override
        public String toString() {
            return String.format(
                    "oscillation: migrations per day %s (%.2f per key per day, %d inline), write amplification"
                            + " %.2f (the week's writes %.2f), errors %d",
                    Arrays.toString(migrationsPerDay),
                    migrationsPerKeyPerDay(),
                    inlineMigrations,
                    writeAmplification(),
                    weekWriteAmplification(),
                    errors);
        }
    }

    static final long HOUR = Duration.ofHours(1).toNanos();
    static final long DAY = Duration.ofDays(1).toNanos();

    /** Whether simulated time {@code t} (nanoseconds from midnight of day 1) is within office hours. */
    static boolean officeHours(long t) {
        long h = (t % DAY) / HOUR;
        return h >= 9 && h < 17;
    }

    public static Result run(StoreFactory factory, SimClock clock, Config c) throws IOException {
        try (Rig rig = Rig.open(factory, clock, c.device(), c.maintenanceInterval(), false)) {
            return run(rig, c);
        }
    }

    /** Runs the week on {@code rig}'s store; {@code rig}'s clock must be at midnight (0) or a multiple of days. */
    public static Result run(Rig rig, Config c) throws IOException {
        SimClock clock = rig.clock();
        long origin = clock.now();
        for (int i = 0; i < c.catalogueKeys(); i++) {
            rig.put(ScenarioData.key("catalogue", i), ScenarioData.value(i, 0, c.valueBytes()));
        }
        for (int k = 0; k < c.hotKeys(); k++) {
            rig.put(ScenarioData.key("page", k), ScenarioData.value(k, 0, c.valueBytes()));
        }
        SplittableRandom rng = new SplittableRandom(c.seed());
        long[] perDay = new long[c.days()];
        long[] version = new long[c.hotKeys()];
        long maintained0 = rig.maintenanceMigrations();
        long userBytes = 0;
        long device0 = rig.stats().deviceBytesWritten();
        long t = origin;
        long dayGap = Math.round(c.dayGapSeconds() * 1e9 / c.hotKeys());
        long nightGap = Math.round(c.nightGapSeconds() * 1e9 / c.hotKeys());
        int next = 0;
        for (int day = 0; day < c.days(); day++) {
            long before = rig.stats().migrations();
            long end = origin + (day + 1) * DAY;
            while (true) {
                t += officeHours(t - origin) ? dayGap : nightGap;
                if (t >= end) {
                    break;
                }
                rig.advanceTo(t);
                int k = next;
                next = (next + 1) % c.hotKeys();
                if (rng.nextDouble() < c.writeFraction()) {
                    long failed = rig.errors();
                    rig.put(ScenarioData.key("page", k), ScenarioData.value(k, ++version[k], c.valueBytes()));
                    if (rig.errors() == failed) {
                        userBytes += ScenarioData.keyBytes("page") + Math.max(16, c.valueBytes());
                    }
                } else {
                    rig.get(ScenarioData.key("page", k));
                }
                t = Math.max(t, clock.now());
            }
            rig.advanceTo(end);
            perDay[day] = rig.stats().migrations() - before;
        }
        HybridStats stats = rig.stats();
        long inline = stats.migrations() - (rig.maintenanceMigrations() - maintained0);
        return new Result(
                c,
                perDay,
                inline,
                userBytes,
                stats.deviceBytesWritten() - device0,
                stats,
                rig.errors(),
                rig.errorSummary());
    }
}
