package dev.storagelab.hybrid.scenario;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.SimpleHybridStore;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.cost.CostModel;
import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.hybrid.cost.PlacementCost;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.lsm.LsmOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The four failure modes' before and after: each scenario on the {@link SimpleHybridStore} and on
 * the hardened {@code HybridStore}, as Markdown tables (what notes/data/lab07/failure-modes.md
 * holds). Run from the workspace root after {@code mvn -q -pl lab-07-hybrid -am -DskipTests verify}:
 * <pre>
 * java -Xmx3g -cp lab-07-hybrid/target/classes:$(cat lab-07-hybrid/target/test-classpath.txt) \
 *     dev.storagelab.hybrid.scenario.FailureModes notes/data/lab07/failure-modes.md [figure|quick] [1234]
 * </pre>
 * {@code figure} (the default) runs the episode's sizes (a million burst reads, a million warm keys);
 * {@code quick} the tests' sizes, in seconds. The third argument names the sections to run (all four by default). A scenario that fails on an engine (an exception) is
 * reported as failed in its row, and the others still run.
 */
public final class FailureModes {

    private FailureModes() {}

    /**
     * The LSM tree both engines run in the scenarios: a 256 KiB memtable and a 256 KiB block cache,
     * so the test-sized data sets (a few hundred KB to a few MB) are read from the simulated device,
     * not from memory.
     */
    public static LsmOptions scenarioLsm() {
        return LsmOptions.defaults()
                .withMemtableBytes(256 << 10)
                .withBlockCacheBytes(256 << 10)
                .withBackgroundWork(false);
    }

    /**
     * The hardened engine's configuration in every scenario: the defaults, a 4,096-entry cache, and a
     * checkpoint every 256 KiB of log (the scenarios' stores hold a few MB; deferred deletes wait
     * for a checkpoint, so it must come often enough that few keys sit in two engines).
     */
    public static HybridOptions hardenedOptions() {
        return HybridOptions.builder()
                .cache("arc", 4096)
                .checkpointLogBytes(256 << 10)
                .lsm(scenarioLsm())
                .build();
    }

    /** The simple engine's configuration in every scenario: the episode's numbers, a 4,096-entry LRU cache. */
    public static SimpleHybridStore.Knobs simpleKnobs() {
        return SimpleHybridStore.Knobs.defaults().withCacheEntries(4096).withLsm(scenarioLsm());
    }

    /**
     * {@link #hardenedOptions()} with the cost model of {@code device}'s hardware profile: what the
     * blindspot's SSD and HDD cases run with.
     */
    public static HybridOptions hardenedOptions(DeviceModel device) {
        return hardenedOptions().toBuilder().costModel(costModelFor(device)).build();
    }

    /** The cost model for {@code device}: the default model with the hardware profile of the same name. */
    public static PlacementCost costModelFor(DeviceModel device) {
        return CostModel.defaults().withProfile(HardwareProfile.preset(device.name()));
    }

    /** The engines compared: the simple one with the episode's numbers, and the hardened one. */
    static List<Named> engines() {
        return List.of(
                new Named("simple", StoreFactory.simple(simpleKnobs())),
                new Named("hardened", StoreFactory.hardenedPerDevice(FailureModes::hardenedOptions)));
    }

    record Named(String name, StoreFactory factory) {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "notes/data/lab07/failure-modes.md");
        boolean quick = args.length > 1 && args[1].equals("quick");
        String sections = args.length > 2 ? args[2] : "1234";
        ThunderingHerd.Config herd =
                quick ? ThunderingHerd.Config.small(20_000, 100_000) : ThunderingHerd.Config.figure();
        Oscillation.Config osc = quick ? Oscillation.Config.small(5) : Oscillation.Config.figure();
        MemoryBlowup.Config mem = quick ? MemoryBlowup.Config.small(20_000) : MemoryBlowup.Config.figure();
        StringBuilder md = new StringBuilder();
        md.append("# lab-07 failure modes: the simple engine against the hardened one\n\n")
                .append("Written by `dev.storagelab.hybrid.scenario.FailureModes` (")
                .append(quick ? "quick" : "figure")
                .append(
                        " sizes), simulated time, in-memory storage behind a simulated NVMe SSD unless a row says otherwise.\n")
                .append(
                        "Hardened: `FailureModes.hardenedOptions()` (the defaults, a 4,096-entry ARC cache, a checkpoint every")
                .append(
                        " 256 KiB of log); simple: `FailureModes.simpleKnobs()` (the episode's thresholds, a 4,096-entry LRU cache);")
                .append(" both with a 256 KiB memtable and block cache, and synced every simulated minute.\n\n");

        if (sections.contains("1")) {
            herd(md, herd);
        }
        if (sections.contains("2")) {
            oscillation(md, osc);
        }
        if (sections.contains("3")) {
            memory(md, mem);
        }
        if (sections.contains("4")) {
            blindspot(md, quick);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    private static void herd(StringBuilder md, ThunderingHerd.Config herd) {
        md.append("## 1. Thundering herd\n\n")
                .append(describe(herd))
                .append("\n\n")
                .append(
                        "| engine | migrations in the burst | of them inline | get p99 steady (us) | get p99 burst (us) |"
                                + " burst / steady | burst max (us) | failed ops |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Named e : engines()) {
            md.append(row(
                    e.name(),
                    () -> {
                        ThunderingHerd.Result r = ThunderingHerd.run(e.factory(), SimClock.simulated(), herd);
                        return cells(
                                r.migrationsInBurst(),
                                r.inlineMigrationsInBurst(),
                                us(r.steadyP99()),
                                us(r.burstP99()),
                                String.format("%.2f", r.p99Ratio()),
                                us(r.burstMax()),
                                r.errors());
                    },
                    7));
        }
    }

    private static void oscillation(StringBuilder md, Oscillation.Config osc) {
        md.append("\n## 2. Oscillation\n\n")
                .append(describe(osc))
                .append("\n\n")
                .append(
                        "| engine | migrations per day | per key per day | of them inline | write amplification (week) |"
                                + " write amplification (all) | failed ops |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Named e : engines()) {
            md.append(row(
                    e.name(),
                    () -> {
                        Oscillation.Result r = Oscillation.run(e.factory(), SimClock.simulated(), osc);
                        return cells(
                                Arrays.toString(r.migrationsPerDay()),
                                String.format("%.2f", r.migrationsPerKeyPerDay()),
                                r.inlineMigrations(),
                                String.format("%.2f", r.weekWriteAmplification()),
                                String.format("%.2f", r.writeAmplification()),
                                r.errors());
                    },
                    6));
        }
    }

    private static void memory(StringBuilder md, MemoryBlowup.Config mem) {
        md.append("\n## 3. Memory blowup\n\n")
                .append(describe(mem))
                .append("\n\n")
                .append("| engine | keys | tracker bytes | per key | most keys in two engines | space amplification |"
                        + " hot keys | failed ops |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Named e : engines()) {
            md.append(row(
                    e.name(),
                    () -> {
                        MemoryBlowup.Result r = MemoryBlowup.run(e.factory(), SimClock.simulated(), mem);
                        return cells(
                                String.format("%,d", mem.keys()),
                                String.format("%,d", r.trackerBytes()),
                                String.format("%.1f", r.trackerBytesPerKey()),
                                String.format("%d (%.2f%%)", r.maxDuplicateKeys(), 100 * r.duplicateFraction()),
                                String.format(
                                        "%.2f (%,d / %,d bytes)",
                                        r.spaceAmplification(), r.storedBytes(), r.liveBytes()),
                                r.stats().hotKeys(),
                                r.errors());
                    },
                    7));
        }
    }

    /**
     * The blindspot twice: every pair with the default mix (over both of the simple engine's
     * thresholds), then each pair with a mix its two cases' cost models rank differently (what the
     * hidden tests search for): value size 10 reads and 2 writes, access pattern a single read
     * (a get, or a scan of 100 entries), device a single read.
     */
    private static void blindspot(StringBuilder md, boolean quick) {
        CostBlindspot.Mix mix = CostBlindspot.defaultMix();
        blindspotTable(md, "4. Cost-model blindspot", CostBlindspot.standardCases(mix, mix, mix, quick ? 4 : 8));
        Duration tenMinutes = Duration.ofMinutes(10);
        blindspotTable(
                md,
                "4b. Cost-model blindspot, each pair with a mix its cost models rank differently",
                CostBlindspot.standardCases(
                        new CostBlindspot.Mix(10, 2, 1, tenMinutes),
                        new CostBlindspot.Mix(1, 0, 100, tenMinutes),
                        new CostBlindspot.Mix(1, 0, 1, tenMinutes),
                        4));
    }

    private static void blindspotTable(StringBuilder md, String title, List<CostBlindspot.Case> cases) {
        CostBlindspot.Case first = cases.get(0);
        CostBlindspot.Mix mix = first.mix();
        md.append("\n## ")
                .append(title)
                .append("\n\n")
                .append(first.keys())
                .append(" keys per case; size pair: each key read ")
                .append(mix.reads())
                .append(" times and written ")
                .append(mix.writes())
                .append(" times after its load, in ")
                .append(mix.duration().toMinutes())
                .append(" simulated minutes; pattern pair: ")
                .append(cases.get(2).mix())
                .append("; device pair: ")
                .append(cases.get(4).mix())
                .append(". Placement = where")
                .append(
                        " at least half the keys are at the end. Cost columns: the hardened engine's cost model for the case's")
                .append(" access counts (HOT / COLD, its unit).\n\n")
                .append("| case | simple | hardened | cost HOT / COLD |\n| --- | --- | --- | --- |\n");
        List<Named> engines = engines();
        for (CostBlindspot.Case c : cases) {
            String[] placed = new String[2];
            for (int i = 0; i < 2; i++) {
                StoreFactory f = engines.get(i).factory();
                placed[i] = attempt(() -> CostBlindspot.run(f, SimClock.simulated(), c, Duration.ofSeconds(1))
                        .toString()
                        .replaceFirst("^[^:]*: ", ""));
                System.out.println("blindspot / " + engines.get(i).name() + " / " + c.name() + ": " + placed[i]);
            }
            md.append("| ")
                    .append(c.name())
                    .append(" | ")
                    .append(placed[0])
                    .append(" | ")
                    .append(placed[1])
                    .append(" | ")
                    .append(attempt(() -> costs(costModelFor(c.device()), c.stats())))
                    .append(" |\n");
        }
    }

    static String costs(PlacementCost model, AccessStats stats) {
        return String.format("%.4g / %.4g", model.total(Placement.HOT, stats), model.total(Placement.COLD, stats));
    }

    static String describe(Record config) {
        return "Config: `" + config + "`.";
    }

    interface Measure {
        String run() throws IOException;
    }

    private static String attempt(Measure m) {
        try {
            return m.run();
        } catch (IOException | RuntimeException ex) {
            return "failed: " + ex.toString().replace('|', '/');
        }
    }

    private static String row(String engine, Measure m, int columns) {
        long start = System.nanoTime();
        String cells;
        try {
            cells = m.run();
        } catch (IOException | RuntimeException ex) {
            cells = "failed: " + ex.toString().replace('|', '/') + " |".repeat(columns - 1);
        }
        String row = "| " + engine + " | " + cells + " |";
        System.out.printf("%s (%.1f s)%n", row, (System.nanoTime() - start) / 1e9);
        return row + "\n";
    }

    private static String cells(Object... values) {
        StringBuilder b = new StringBuilder();
        for (Object v : values) {
            b.append(b.length() == 0 ? "" : " | ").append(v);
        }
        return b.toString();
    }

    private static String us(long nanos) {
        return String.format("%.1f", nanos / 1e3);
    }
}
