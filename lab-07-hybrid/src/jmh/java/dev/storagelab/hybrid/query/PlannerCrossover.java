package dev.storagelab.hybrid.query;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.cost.Calibrator;
import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The planner's figure (lab-07 T11, notes 7.14): index range scan against full scan over
 * selectivity on this machine, the crossover measured and predicted, and the held set.
 * <ol>
 *   <li>Calibration: {@code hybrid-calibrate}'s {@link Calibrator} measures the machine's
 *       {@link HardwareProfile}; a separate calibration table (50,000 rows, other data, bigger
 *       than the store's cache) gives the query layer's two CPU figures, after a warm-up round: a
 *       scanned row (full-scan time per row) and a row lookup (10,000 random gets of rows), in 7
 *       alternated rounds: the median scan time, and the lookup as the median ratio times it (the
 *       choice depends on the ratio, which a changing machine load disturbs least).</li>
 *   <li>The table: {@code rows} orders of about 440 bytes (id, price uniform in [0, 10^6), one of 8
 *       regions, a 400-byte note) in a {@link HybridStore} on disk, its RAM cache of 64k entries far
 *       smaller than the 3 x rows entries, checkpointed so everything is in the engines.</li>
 *   <li>The sweep: for each selectivity, a price range of that width at a random place, run by the
 *       index range scan and by the full scan, median of 3 runs each (alternated); the measured
 *       crossover interpolated (log scale) where the index's time passes the full scan's; the
 *       planner's prediction from its cost model.</li>
 *   <li>The held set: {@code queries} generated queries (price ranges of log-uniform selectivity
 *       from 10^-4 to 1, some with a region or a primary-key range, a few primary-key
 *       equalities), each run under every plan EXPLAIN lists (median of 3): the planner's pick
 *       against the fastest.</li>
 * </ol>
 * Usage: {@code PlannerCrossover OUT_PREFIX [rows] [queries] [scratch dir]}; writes
 * {@code OUT_PREFIX-sweep.csv}, {@code OUT_PREFIX-held.csv} and {@code OUT_PREFIX.md}.
 */
public final class PlannerCrossover {

    static final long PRICES = DemoTable.PRICES;
    static final int REPS = 3;

    public static void main(String[] args) throws Exception {
        String out = args.length > 0 ? args[0] : "notes/data/lab07/planner-crossover";
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Path scratch = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("planner-crossover");
        StringBuilder md = new StringBuilder();
        log(md, "# Planner crossover (lab-07 T11)\n");
        log(md, "rows " + rows + ", held queries " + queries + ", scratch " + scratch + ", load before: " + uptime());

        HardwareProfile profile;
        try (DiskStorage dir = DiskStorage.open(scratch.resolve("calibrate"))) {
            profile = Calibrator.calibrate(dir, "nvme", 10_000).withName("measured");
        }
        log(md, "```\n" + profile.describe() + "```");
        QueryCostModel fromProfile =
                new QueryCostModel(profile, profile.lsmGetMicros(), QueryCostModel.DEFAULT_ROW_CPU_MICROS, 0.5);

        QueryCostModel calibrated;
        try (HybridStore store = HybridStore.open(scratch.resolve("calibration-table"), options())) {
            Table t = load(store, 50_000, 99);
            TableStats s = t.analyze(100);
            // warm-up first: on a loaded machine the JIT compiler is slow to finish, and a cold lookup costs several
            // times a
            // warm one; then scans and lookups alternate, so that both see the same load, and the planner's choice
            // depends on
            // their ratio: the median ratio of 7 rounds, with the median scan time per row
            timeFullScan(t, 3);
            timeLookups(t, 50_000, 50_000, 97);
            int rounds = 7;
            double[] scans = new double[rounds];
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                scans[i] = timeFullScan(t, 1) / s.rows();
                ratios[i] = timeLookups(t, 50_000, 10_000, 98 + i) / scans[i];
            }
            Arrays.sort(scans);
            Arrays.sort(ratios);
            double scanPerRow = scans[rounds / 2];
            double lookup = ratios[rounds / 2] * scanPerRow;
            double rowCpu = Math.max(0, scanPerRow - fromProfile.sequentialRead(s.rowEntryBytes()));
            calibrated = new QueryCostModel(profile, lookup, rowCpu, 1.0);
            fromProfile = fromProfile.withCpu(profile.lsmGetMicros(), rowCpu);
            log(
                    md,
                    String.format(
                            Locale.ROOT,
                            "calibration table (50,000 rows), scans and lookups alternated: full scan %.3f us per row (median), a row lookup %.3f us (median ratio to a scanned row x that)",
                            scanPerRow,
                            lookup));
        }
        log(
                md,
                "model A (hardware profile: lsmGet + half the lookups a random read; row CPU measured): "
                        + fromProfile);
        log(md, "model B (query calibration: the lookup measured whole): " + calibrated);

        try (HybridStore store = HybridStore.open(scratch.resolve("table"), options())) {
            long t0 = System.nanoTime();
            Table table = load(store, rows, 1);
            TableStats stats = table.analyze(100);
            log(
                    md,
                    String.format(
                            Locale.ROOT, "loaded and analyzed in %.1f s: %s", (System.nanoTime() - t0) / 1e9, stats));
            Planner planner = new Planner(table, stats, calibrated);
            Planner plannerA = new Planner(table, stats, fromProfile);
            double predictedA = crossoverOf(plannerA);
            double predictedB = crossoverOf(planner);

            // the sweep
            double[] sel = {
                0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0
            };
            double[] idx = new double[sel.length];
            double[] full = new double[sel.length];
            Random r = new Random(5);
            try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of(out + "-sweep.csv")))) {
                csv.println(
                        "selectivity,rows,index_us,full_us,index_predicted_us,full_predicted_us,index_profile_us,full_profile_us");
                for (int k = 0; k < sel.length; k++) {
                    long width = Math.max(1, Math.round(sel[k] * PRICES));
                    long lo = width >= PRICES ? 0 : (long) (r.nextDouble() * (PRICES - width));
                    Query q = Query.of("orders", Predicate.between("price", lo, lo + width - 1));
                    Explain e = planner.explain(q);
                    Explain ea = plannerA.explain(q);
                    double[] t = timePlans(
                            planner, q, List.of(e.plan(PlanKind.INDEX_RANGE_SCAN), e.plan(PlanKind.FULL_SCAN)));
                    idx[k] = t[0];
                    full[k] = t[1];
                    int n = planner.execute(q, e.plan(PlanKind.FULL_SCAN)).size();
                    csv.printf(
                            Locale.ROOT,
                            "%.5f,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f%n",
                            sel[k],
                            n,
                            idx[k],
                            full[k],
                            e.plan(PlanKind.INDEX_RANGE_SCAN).cost(),
                            e.plan(PlanKind.FULL_SCAN).cost(),
                            ea.plan(PlanKind.INDEX_RANGE_SCAN).cost(),
                            ea.plan(PlanKind.FULL_SCAN).cost());
                    log(
                            md,
                            String.format(
                                    Locale.ROOT,
                                    "selectivity %.4f (%d rows): index %.1f ms, full %.1f ms; predicted %.1f / %.1f ms",
                                    sel[k],
                                    n,
                                    idx[k] / 1e3,
                                    full[k] / 1e3,
                                    e.plan(PlanKind.INDEX_RANGE_SCAN).cost() / 1e3,
                                    e.plan(PlanKind.FULL_SCAN).cost() / 1e3));
                }
            }
            double measured = measuredCrossover(sel, idx, full);
            log(
                    md,
                    String.format(
                            Locale.ROOT,
                            "%n**crossover selectivity: measured %.4f, predicted %.4f (model B, calibrated), %.4f (model A, profile)**%n",
                            measured,
                            predictedB,
                            predictedA));

            // the held set
            Random g = new Random(1234);
            int right = 0;
            int rightA = 0;
            double worst = 1;
            double worstA = 1;
            try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of(out + "-held.csv")))) {
                csv.println("query,rows,chosen,chosen_us,fastest,fastest_us,ratio,chosen_A,ratio_A,plans");
                for (int k = 0; k < queries; k++) {
                    Query q = generate(g, rows);
                    Explain e = planner.explain(q);
                    List<Plan> plans = e.plans();
                    double[] t = timePlans(planner, q, plans);
                    int fastest = 0;
                    for (int p = 1; p < t.length; p++) {
                        if (t[p] < t[fastest]) {
                            fastest = p;
                        }
                    }
                    double ratio = t[0] / t[fastest];
                    Plan pickA = plannerA.explain(q).chosen();
                    int a = indexOf(plans, pickA);
                    double ratioA = t[a] / t[fastest];
                    right += fastest == 0 ? 1 : 0;
                    rightA += a == fastest ? 1 : 0;
                    worst = Math.max(worst, ratio);
                    worstA = Math.max(worstA, ratioA);
                    StringBuilder all = new StringBuilder();
                    for (int p = 0; p < plans.size(); p++) {
                        all.append(p == 0 ? "" : " | ")
                                .append(label(plans.get(p)))
                                .append(String.format(Locale.ROOT, " %.0f", t[p]));
                    }
                    int n = planner.execute(q, plans.get(0)).size();
                    csv.printf(
                            Locale.ROOT,
                            "\"%s\",%d,%s,%.1f,%s,%.1f,%.3f,%s,%.3f,\"%s\"%n",
                            q,
                            n,
                            label(plans.get(0)),
                            t[0],
                            label(plans.get(fastest)),
                            t[fastest],
                            ratio,
                            label(pickA),
                            ratioA,
                            all);
                    log(
                            md,
                            String.format(
                                    Locale.ROOT,
                                    "%2d %-70s %6d rows: picked %-16s %9.1f us, fastest %-16s %9.1f us, x%.2f",
                                    k,
                                    q,
                                    n,
                                    label(plans.get(0)),
                                    t[0],
                                    label(plans.get(fastest)),
                                    t[fastest],
                                    ratio));
                }
            }
            log(
                    md,
                    String.format(
                            Locale.ROOT,
                            "%n**held set: %d queries; model B picked the fastest plan %d times (%.0f%%), worst ratio %.2fx; "
                                    + "model A %d times (%.0f%%), worst %.2fx**",
                            queries,
                            right,
                            100.0 * right / queries,
                            worst,
                            rightA,
                            100.0 * rightA / queries,
                            worstA));
        }
        log(md, "load after: " + uptime());
        Files.writeString(Path.of(out + ".md"), md.toString());
    }

    static HybridOptions options() {
        // no background maintenance (no key moves during the timings), writes not forced (a bulk load)
        return HybridOptions.defaults().toBuilder()
                .maintenance(Duration.ofSeconds(1), false)
                .syncMode(SyncMode.NONE)
                .build();
    }

    static Table load(HybridStore store, int rows, long seed) throws IOException {
        Table t = DemoTable.load(store, rows, seed);
        store.checkpoint();
        return t;
    }

    /** A held-set query: mostly price ranges of log-uniform selectivity, some with a region or an id range, a few id equalities. */
    static Query generate(Random g, int rows) {
        int kind = g.nextInt(10);
        double s = Math.pow(10, -4 + 4 * g.nextDouble());
        long width = Math.max(1, Math.round(s * PRICES));
        long lo = (long) (g.nextDouble() * Math.max(1, PRICES - width));
        Predicate price = Predicate.between("price", lo, lo + width - 1);
        String region = DemoTable.REGIONS.get(g.nextInt(DemoTable.REGIONS.size()));
        return switch (kind) {
            case 0 -> Query.of("orders", Predicate.eq("id", (long) g.nextInt(rows)), Predicate.eq("region", region));
            case 1, 2 -> Query.of("orders", price, Predicate.eq("region", region));
            case 3 -> {
                long span = Math.max(1, Math.round(Math.pow(10, -3 + 3 * g.nextDouble()) * rows));
                long from = (long) (g.nextDouble() * (rows - span));
                yield Query.of("orders", Predicate.between("id", from, from + span - 1), price);
            }
            case 4 -> Query.of("orders", Predicate.eq("region", region));
            default -> Query.of("orders", price);
        };
    }

    /** The median time of each plan over {@link #REPS} rounds, the plans alternated, after one warm-up round. */
    static double[] timePlans(Planner planner, Query q, List<Plan> plans) throws IOException {
        double[][] t = new double[plans.size()][REPS];
        for (int rep = -1; rep < REPS; rep++) {
            for (int p = 0; p < plans.size(); p++) {
                long t0 = System.nanoTime();
                int n = planner.execute(q, plans.get(p)).size();
                long dt = System.nanoTime() - t0;
                if (n < 0) {
                    throw new AssertionError();
                }
                if (rep >= 0) {
                    t[p][rep] = dt / 1e3;
                }
            }
        }
        double[] med = new double[plans.size()];
        for (int p = 0; p < plans.size(); p++) {
            Arrays.sort(t[p]);
            med[p] = t[p][REPS / 2];
        }
        return med;
    }

    /** Microseconds per full scan of the table, median of {@code reps}. */
    static double timeFullScan(Table t, int reps) throws IOException {
        double[] d = new double[reps];
        long[] sink = {0};
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            t.scan(null, row -> sink[0]++);
            d[i] = (System.nanoTime() - t0) / 1e3;
        }
        Arrays.sort(d);
        return d[reps / 2];
    }

    /** Microseconds per get of a random row. */
    static double timeLookups(Table t, int rows, int gets, long seed) throws IOException {
        Random r = new Random(seed);
        long t0 = System.nanoTime();
        for (int i = 0; i < gets; i++) {
            if (t.get((long) r.nextInt(rows)).isEmpty()) {
                throw new AssertionError("row missing");
            }
        }
        return (System.nanoTime() - t0) / 1e3 / gets;
    }

    /** The selectivity at which the planner's choice for a price range flips from the index to the full scan. */
    static double crossoverOf(Planner planner) {
        double lo = 1e-6;
        double hi = 1;
        for (int i = 0; i < 60; i++) {
            double mid = Math.sqrt(lo * hi);
            long width = Math.max(1, Math.round(mid * PRICES));
            PlanKind k = planner.explain(Query.of("orders", Predicate.between("price", 0L, width - 1)))
                    .chosen()
                    .kind();
            if (k == PlanKind.INDEX_RANGE_SCAN) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.sqrt(lo * hi);
    }

    /** Where index/full passes 1, interpolated on log(selectivity) and log(ratio); 1 if it never does. */
    static double measuredCrossover(double[] sel, double[] idx, double[] full) {
        for (int k = 1; k < sel.length; k++) {
            double a = Math.log(idx[k - 1] / full[k - 1]);
            double b = Math.log(idx[k] / full[k]);
            if (a <= 0 && b > 0) {
                double f = -a / (b - a);
                return Math.exp(Math.log(sel[k - 1]) + f * (Math.log(sel[k]) - Math.log(sel[k - 1])));
            }
        }
        return idx[0] > full[0] ? sel[0] : 1;
    }

    static int indexOf(List<Plan> plans, Plan p) {
        for (int i = 0; i < plans.size(); i++) {
            Plan x = plans.get(i);
            if (x.kind() == p.kind() && java.util.Objects.equals(x.access(), p.access())) {
                return i;
            }
        }
        throw new IllegalStateException("plan not found: " + p);
    }

    static String label(Plan p) {
        return switch (p.kind()) {
            case POINT_LOOKUP -> "point";
            case INDEX_RANGE_SCAN -> "index(" + p.access().column() + ")";
            case FULL_SCAN -> p.access() == null ? "full" : "full(id range)";
        };
    }

    static String uptime() {
        try {
            return new String(new ProcessBuilder("uptime")
                            .start()
                            .getInputStream()
                            .readAllBytes())
                    .trim();
        } catch (IOException e) {
            return "(uptime: " + e.getMessage() + ")";
        }
    }

    private static void log(StringBuilder md, String line) {
        System.out.println(line);
        md.append(line).append('\n');
    }

    private PlannerCrossover() {}
}
