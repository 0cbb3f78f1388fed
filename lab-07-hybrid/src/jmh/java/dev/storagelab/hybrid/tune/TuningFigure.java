package dev.storagelab.hybrid.tune;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.hybrid.tune.PhaseWorkload.Phase;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The auto-tuning figure (lab-07 T10): the phase-shifting workload ({@link PhaseWorkload#SCHEDULE})
 * on a real {@link HybridStore} on disk (the log unforced, {@link SyncMode#NONE}, so the knobs'
 * work and not fsync decides; maintenance on its background thread; real time), run with
 * <ul>
 *   <li>the default configuration ({@link HybridOptions#defaults()}: a cache of 64k entries, 4k
 *       dirty, hysteresis 0.25, the router asked after every access);</li>
 *   <li>a grid of eight fixed configurations, each knob at either end of its range, from which the
 *       best for each phase is taken;</li>
 *   <li>the tuner (intervals of 100 ms, {@link Damping#defaults()}), starting from the default;</li>
 *   <li>the tuner without damping ({@link Damping#none()}).</li>
 * </ul>
 * Writes the operations per second of each configuration and phase, the tuned runs' knobs per
 * interval, and a Markdown summary:
 * <pre>
 * java -Xmx2g -cp $CP dev.storagelab.hybrid.tune.TuningFigure notes/data/lab07 [keys] [opsPerPhase] [reps]
 * ./storagelab figures
 * </pre>
 */
public final class TuningFigure {

    private TuningFigure() {}

    /** The memory budget in cache entries: a fifth of the keys (the defaults' 64k entries for 320k keys). */
    static int budget = 65_536;

    static final Duration INTERVAL = Duration.ofMillis(100);

    /** A fixed configuration: the four knobs' values. */
    record Fixed(String name, double cacheShare, double dirtyShare, double hysteresis, int considerEvery) {}

    static HybridOptions.Builder base() {
        return HybridOptions.defaults().toBuilder()
                .syncMode(SyncMode.NONE)
                .adaptiveCompaction(() -> new AdaptiveCompaction(
                        List.of(PhaseWorkload.SERIES_START), new TimeWindowCompaction(KeyTime.bigEndianAt(1), 50_000)));
    }

    /** The default configuration's proportions: a cache of the whole budget, a sixteenth of it dirty, hysteresis 0.25, every access considered. */
    static HybridOptions defaultOptions() {
        return base().cache("arc", budget).maxDirtyEntries(budget / 16).build();
    }

    static HybridOptions optionsOf(Fixed f) {
        int capacity = (int) Math.round(f.cacheShare() * budget);
        return base().cache("arc", capacity)
                .maxDirtyEntries((int) Math.max(1, Math.round(f.dirtyShare() * capacity)))
                .hysteresis(f.hysteresis())
                .considerEvery(f.considerEvery())
                .build();
    }

    /** One run: ops/s per phase, and the tuner's intervals (with the phase each ended in). */
    record Run(
            String config,
            double[] opsPerSecond,
            double[] opsPerCpuSecond,
            List<Tuner.Interval> intervals,
            List<Integer> phaseOf,
            Map<Knob, Long> reversals) {}

    static Run run(String name, HybridOptions options, Damping damping, int keys, int opsPerPhase, long seed)
            throws IOException {
        Path dir = Files.createTempDirectory("tuning-");
        try {
            double[] rates = new double[PhaseWorkload.SCHEDULE.size()];
            double[] cpuRates = new double[rates.length];
            List<Tuner.Interval> intervals = new ArrayList<>();
            List<Integer> phaseOf = new ArrayList<>();
            Map<Knob, Long> reversals = new LinkedHashMap<>();
            try (HybridStore store = HybridStore.open(dir, options)) {
                PhaseWorkload workload = new PhaseWorkload(keys, 100, seed);
                workload.load(store);
                store.checkpoint();
                Monitor monitor = new Monitor(store);
                Tuner tuner = damping == null
                        ? null
                        : new Tuner(store, monitor, new Tuner.Config(budget, INTERVAL, damping, true));
                Ticker clock = Ticker.systemTicker();
                for (int p = 0; p < rates.length; p++) {
                    Phase phase = PhaseWorkload.SCHEDULE.get(p);
                    int phaseIndex = p;
                    long start = System.nanoTime();
                    long cpuStart = processCpuNanos();
                    workload.run(store, phase, opsPerPhase, clock, monitor, () -> {
                        if (tuner != null) {
                            Tuner.Interval i = tuner.maybeTick();
                            if (i != null) {
                                intervals.add(i);
                                phaseOf.add(phaseIndex);
                            }
                        }
                    });
                    rates[p] = opsPerPhase / ((System.nanoTime() - start) / 1e9);
                    cpuRates[p] = opsPerPhase / ((processCpuNanos() - cpuStart) / 1e9);
                }
                if (tuner != null) {
                    for (Knob k : Knob.values()) {
                        reversals.put(k, tuner.damper(k).reversals());
                    }
                }
            }
            return new Run(name, rates, cpuRates, intervals, phaseOf, reversals);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** CPU time of the whole JVM (request thread, maintenance, compactions, GC): robust to other processes' load. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "notes/data/lab07");
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int opsPerPhase = args.length > 2 ? Integer.parseInt(args[2]) : 300_000;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        budget = Math.max(64, keys / 5);
        Files.createDirectories(out);
        List<Fixed> grid = new ArrayList<>();
        for (double cache : new double[] {Knob.CACHE_SHARE.min(), Knob.CACHE_SHARE.max()}) {
            for (double dirty : new double[] {Knob.DIRTY_SHARE.min(), Knob.DIRTY_SHARE.max()}) {
                grid.add(new Fixed(
                        String.format(Locale.ROOT, "fixed c%.2f d%.2f eager", cache, dirty),
                        cache,
                        dirty,
                        Knob.HYSTERESIS.min(),
                        1));
                grid.add(new Fixed(
                        String.format(Locale.ROOT, "fixed c%.2f d%.2f lazy", cache, dirty),
                        cache,
                        dirty,
                        Knob.HYSTERESIS.max(),
                        16));
            }
        }
        record Config(String name, HybridOptions options, Damping damping) {}
        List<Config> configs = new ArrayList<>();
        configs.add(new Config("default", defaultOptions(), null));
        for (Fixed f : grid) {
            configs.add(new Config(f.name(), optionsOf(f), null));
        }
        configs.add(new Config("tuned", defaultOptions(), Damping.defaults()));
        configs.add(new Config("tuned-undamped", defaultOptions(), Damping.none()));
        run("warm-up", defaultOptions(), Damping.defaults(), keys, opsPerPhase, 1); // the JIT's warm-up, discarded
        List<Run> runs = new ArrayList<>();
        List<Integer> repOf = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            long seed = 42 + rep;
            for (int i = 0; i < configs.size(); i++) {
                Config c = configs.get((i + rep * 4) % configs.size()); // each repetition in another order
                runs.add(run(c.name(), c.options(), c.damping(), keys, opsPerPhase, seed));
                repOf.add(rep);
            }
            System.err.println("rep " + rep + " done");
        }
        try (PrintStream csv = new PrintStream(
                Files.newOutputStream(out.resolve("tuning-throughput.csv")), true, StandardCharsets.UTF_8)) {
            csv.println("config,rep,phase_index,phase,ops_per_s,ops_per_cpu_s");
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                for (int p = 0; p < r.opsPerSecond().length; p++) {
                    csv.printf(
                            Locale.ROOT,
                            "%s,%d,%d,%s,%.0f,%.0f%n",
                            r.config(),
                            repOf.get(i),
                            p,
                            PhaseWorkload.SCHEDULE.get(p),
                            r.opsPerSecond()[p],
                            r.opsPerCpuSecond()[p]);
                }
            }
        }
        try (PrintStream csv =
                new PrintStream(Files.newOutputStream(out.resolve("tuning-knobs.csv")), true, StandardCharsets.UTF_8)) {
            csv.println("config,interval,phase_index,phase,t_ms,ops,read_share,hit_rate,write_amp,hot_share,get_p99_us,"
                    + "put_p99_us,cache_share,dirty_share,hysteresis,consider_log2,want_cache_share,want_dirty_share,"
                    + "want_hysteresis,want_consider_log2,style_keys,style_series");
            for (Run r : runs) {
                if (r.intervals().isEmpty() || repOf.get(runs.indexOf(r)) != 0) {
                    continue; // the first repetition's tuned runs only
                }
                long t0 = r.intervals().get(0).sample().endNanos();
                for (int i = 0; i < r.intervals().size(); i++) {
                    Tuner.Interval in = r.intervals().get(i);
                    Sample s = in.sample();
                    int p = r.phaseOf().get(i);
                    csv.printf(
                            Locale.ROOT,
                            "%s,%d,%d,%s,%.1f,%d,%.4f,%.4f,%.3f,%.4f,%.1f,%.1f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%s%n",
                            r.config(),
                            s.interval(),
                            p,
                            PhaseWorkload.SCHEDULE.get(p),
                            (s.endNanos() - t0) / 1e6,
                            s.operations(),
                            s.readShare(),
                            s.hitRate(),
                            s.writeAmplification(),
                            s.hotByteShare(),
                            s.getP99() / 1e3,
                            s.putP99() / 1e3,
                            in.knobs().get(Knob.CACHE_SHARE),
                            in.knobs().get(Knob.DIRTY_SHARE),
                            in.knobs().get(Knob.HYSTERESIS),
                            in.knobs().get(Knob.CONSIDER_LOG2),
                            in.wanted().get(Knob.CACHE_SHARE),
                            in.wanted().get(Knob.DIRTY_SHARE),
                            in.wanted().get(Knob.HYSTERESIS),
                            in.wanted().get(Knob.CONSIDER_LOG2),
                            in.styles().get(0),
                            in.styles().get(1));
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "%d keys, %d operations per phase, %d repetition(s), budget %d entries, intervals of %d ms%n",
                keys,
                opsPerPhase,
                reps,
                budget,
                INTERVAL.toMillis()));
        summary(md, "operations per second of wall-clock time (median of the repetitions)", runs, Run::opsPerSecond);
        summary(
                md,
                "operations per CPU-second of the whole JVM (median of the repetitions)",
                runs,
                Run::opsPerCpuSecond);
        md.append("\n\nReversals (first repetition): ");
        for (Run r : runs) {
            if (!r.reversals().isEmpty() && repOf.get(runs.indexOf(r)) == 0) {
                md.append(r.config()).append(' ').append(r.reversals()).append(' ');
            }
        }
        md.append('\n');
        Files.writeString(out.resolve("tuning.md"), md.toString());
        System.out.print(md);
    }

    /** A Markdown table of {@code metric} per configuration and phase, the median over repetitions, and the best fixed per phase. */
    private static void summary(
            StringBuilder md, String title, List<Run> runs, java.util.function.Function<Run, double[]> metric) {
        int phases = PhaseWorkload.SCHEDULE.size();
        Map<String, List<double[]>> byConfig = new LinkedHashMap<>();
        for (Run r : runs) {
            byConfig.computeIfAbsent(r.config(), k -> new ArrayList<>()).add(metric.apply(r));
        }
        Map<String, double[]> median = new java.util.TreeMap<>();
        byConfig.forEach((k, list) -> {
            double[] m = new double[phases];
            for (int p = 0; p < phases; p++) {
                double[] v = new double[list.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = list.get(i)[p];
                }
                java.util.Arrays.sort(v);
                m[p] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            }
            median.put(k, m);
        });
        md.append("\n").append(title).append("\n\n| configuration |");
        for (Phase p : PhaseWorkload.SCHEDULE) {
            md.append(' ')
                    .append(p.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .append(" |");
        }
        md.append(" whole run |\n| --- |");
        for (int p = 0; p <= phases; p++) {
            md.append(" ---: |");
        }
        md.append('\n');
        double[] best = new double[phases];
        String[] bestName = new String[phases];
        median.forEach((k, m) -> {
            if (k.startsWith("fixed") || k.equals("default")) {
                for (int p = 0; p < phases; p++) {
                    if (m[p] > best[p]) {
                        best[p] = m[p];
                        bestName[p] = k;
                    }
                }
            }
        });
        median.forEach((k, m) -> md.append(row(k, m)));
        md.append(row("best fixed per phase", best));
        md.append("\nBest fixed per phase: ");
        for (int p = 0; p < phases; p++) {
            md.append(p == 0 ? "" : "; ").append(p + 1).append(". ").append(bestName[p]);
        }
        md.append('\n');
    }

    /** A table row: the phases' ops/s and the whole run's (total operations over total time, phases equal in operations). */
    private static String row(String name, double[] rates) {
        StringBuilder sb = new StringBuilder("| ").append(name).append(" |");
        double seconds = 0;
        for (double r : rates) {
            sb.append(String.format(Locale.ROOT, " %,.0f |", r));
            seconds += 1 / r;
        }
        sb.append(String.format(Locale.ROOT, " %,.0f |%n", rates.length / seconds));
        return sb.toString();
    }
}
