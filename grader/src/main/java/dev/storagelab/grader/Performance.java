package dev.storagelab.grader;

import dev.storagelab.grader.GradeReport.PerfResult;
import dev.storagelab.grader.bench.BenchTable;
import dev.storagelab.grader.bench.CpuTimeProfiler;
import dev.storagelab.grader.bench.JmhRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * A lab's performance points: each benchmark the rubric names ({@code perf.<lab>.<name>}) runs on
 * the reference and on the submission, alternating, {@link Rubric#perfRounds()} times each (more
 * near a threshold); the best run of each side in CPU time per operation counts (interference
 * only ever slows a run down, and a busy machine stretches wall time far more than CPU time), and
 * the ratio of the two earns the fraction of the points the rubric's thresholds give it. A lab's benchmarks run
 * only when every one of its tests passed: a fast wrong engine earns nothing.
 */
final class Performance {

    /** A rubric benchmark with its points already weighted by the lab's weight. */
    private record GradedBenchmark(String lab, String name, String benchmark, String params, double points) {

        PerfResult result(
                double ratio,
                double reference,
                double submission,
                String unit,
                double earned,
                String status,
                String message) {
            return new PerfResult(
                    lab, name, benchmark, params, ratio, reference, submission, unit, earned, points, status, message);
        }
    }

    /** The system property the benchmarks' answer checks take their sampling seed from (the testkit's AnswerCheck). */
    static final String ANSWERS_SEED = "storagelab.answers.seed";

    private static final java.security.SecureRandom SEEDS = new java.security.SecureRandom();

    /** One benchmark at a time across every grading in this JVM (a batch grades in parallel). */
    private static final ReentrantLock MACHINE = new ReentrantLock();

    private final Rubric rubric;
    private final PrintStream log;

    private GradingClock clock = GradingClock.UNLIMITED;

    Performance(Rubric rubric, PrintStream log) {
        this.rubric = rubric;
        this.log = log;
    }

    /** Starts no benchmark run the grading's time limit would cut, and says so for each benchmark left. */
    Performance within(GradingClock gradingClock) {
        this.clock = gradingClock;
        return this;
    }

    /** The time one benchmark run may take: the rubric's, or what is left of the grading's time limit. */
    private java.time.Duration runDeadline() {
        java.time.Duration left = clock.remaining().minus(Grader.LAB_MARGIN);
        return left.compareTo(rubric.perfDeadline()) < 0 ? left : rubric.perfDeadline();
    }

    /** The lab's rubric benchmarks, each scored 0 with {@code why}: for a lab whose tests did not all pass. */
    List<PerfResult> notRun(Lab lab, String why) {
        List<PerfResult> results = new ArrayList<>();
        for (GradedBenchmark b : benchmarks(lab)) {
            results.add(b.result(Double.NaN, Double.NaN, Double.NaN, "", 0, PerfResult.NOT_RUN, why));
        }
        return results;
    }

    /**
     * Measures the lab's rubric benchmarks on the built {@code reference} and {@code submission}
     * workspaces. Each round runs both sides, the order alternating from round to round so that
     * neither always runs on a machine the other just warmed or loaded. The ratio compares the
     * best run of each side in CPU time per operation ({@link CpuTimeProfiler}): a busy machine
     * stretches wall time, not the work done. When the ratio lands near a threshold of
     * {@code perf.thresholds}, more rounds run (up to {@code perf.max.rounds}) before it is trusted.
     */
    List<PerfResult> measure(Lab lab, Path reference, Path submission, Path logs) throws IOException {
        List<PerfResult> results = new ArrayList<>();
        for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
            GradedBenchmark b = graded(lab, p);
            String include = "\\." + Pattern.quote(p.benchmark()) + "$";
            List<JmhRunner.Score> refRuns = new ArrayList<>();
            List<JmhRunner.Score> subRuns = new ArrayList<>();
            String failure = null;
            // The answer checks sample operations by a seed the student cannot know in advance; both sides get the same
            // one.
            Map<String, String> properties = Map.of(ANSWERS_SEED, Long.toString(SEEDS.nextLong()));
            String outOfTime = "not run: " + clock.limitWords() + " was reached before this benchmark";
            if (clock.lessThan(Grader.LAB_MARGIN.multipliedBy(2))) {
                results.add(b.result(Double.NaN, Double.NaN, Double.NaN, "", 0, PerfResult.NOT_RUN, outOfTime));
                continue;
            }
            MACHINE.lock();
            try {
                for (int round = 0; round < rubric.perfMaxRounds() && failure == null; round++) {
                    if (round >= rubric.perfRounds() && !rubric.perfNearThreshold(ratio(refRuns, subRuns, true))) {
                        break;
                    }
                    if (round > 0 && clock.lessThan(Grader.LAB_MARGIN.multipliedBy(2))) {
                        break; // the rounds so far count
                    }
                    log.println("  performance: " + lab.id() + " " + p.name() + " (" + p.benchmark() + " " + b.params()
                            + "), round " + (round + 1)
                            + (round < rubric.perfRounds()
                                    ? " of " + rubric.perfRounds()
                                    : ", an extra round: the ratio is close to a threshold"));
                    boolean referenceFirst = round % 2 == 0;
                    for (int side = 0; side < 2 && failure == null; side++) {
                        boolean isReference = (side == 0) == referenceFirst;
                        Path runLog = logs.resolve(lab.id() + "-" + p.name()
                                + (isReference ? "-reference-" : "-submission-") + round + ".txt");
                        long kills = ContainerLimits.current().oomKills();
                        JmhRunner.Score score = once(
                                (isReference ? reference : submission).resolve(lab.directory()),
                                include,
                                p,
                                properties,
                                runLog);
                        if (score == null && clock.lessThan(Grader.LAB_MARGIN)) {
                            failure = "not measured: " + clock.limitWords() + " was reached while it ran";
                        } else if (score == null && ContainerLimits.current().oomKills() > kills) {
                            // the kernel stopped it, not the code: the grader's own counter says so
                            failure = "not measured: the grading container ran out of memory (its limit, "
                                    + ContainerLimits.current().memoryLimitMegabytes()
                                    + " MiB, holds the grader and the benchmark"
                                    + " together) while the benchmark ran on "
                                    + (isReference ? "the reference" : "your code");
                        } else if (isReference) {
                            if (score == null) {
                                throw new IOException(Rubric.PATH + ": perf." + lab.id() + "." + p.name()
                                        + " must name one benchmark"
                                        + " method of " + lab.id()
                                        + " and fix every @Param that has several values, so that the"
                                        + " reference runs exactly one measurement; it did not (see " + runLog + ")");
                            }
                            refRuns.add(score);
                        } else if (score == null) {
                            failure = "the benchmark did not run to the end on your code: " + why(runLog);
                        } else {
                            subRuns.add(score);
                        }
                    }
                }
            } finally {
                MACHINE.unlock();
            }
            JmhRunner.Score bestRef = best(refRuns, false);
            boolean cutByClock = failure != null && failure.startsWith("not measured");
            if (failure != null && !(cutByClock && bestRef != null && !subRuns.isEmpty())) {
                // a run cut by the time limit after a full round of both sides still counts that round
                results.add(b.result(
                        Double.NaN,
                        bestRef == null ? Double.NaN : bestRef.score(),
                        Double.NaN,
                        bestRef == null ? "" : bestRef.unit(),
                        0,
                        cutByClock ? PerfResult.NOT_RUN : PerfResult.FAILED,
                        failure));
                continue;
            }
            JmhRunner.Score bestSub = best(subRuns, false);
            double ratio = ratio(refRuns, subRuns, true);
            double wallRatio = ratio(refRuns, subRuns, false);
            double earned = b.points() * rubric.perfFraction(ratio);
            results.add(b.result(
                    ratio,
                    cpu(bestRef),
                    cpu(bestSub),
                    bestRef.unit(),
                    earned,
                    PerfResult.MEASURED,
                    String.format(
                            java.util.Locale.ROOT,
                            "%s %s of CPU time against the reference's %s %s: %.2fx the reference's"
                                    + " CPU time (wall time %.2fx); best of %d run%s a side, alternating; the runs of one side"
                                    + " spread by up to %.0f%%",
                            BenchTable.number(cpu(bestSub)),
                            bestRef.unit(),
                            BenchTable.number(cpu(bestRef)),
                            bestRef.unit(),
                            ratio,
                            wallRatio,
                            refRuns.size(),
                            refRuns.size() == 1 ? "" : "s",
                            100 * Math.max(spread(refRuns), spread(subRuns)))));
        }
        return results;
    }

    /**
     * The submission's best over the reference's best, as a time ratio (above 1 is slower), in CPU
     * time ({@code cpu}) or wall time; NaN before both sides have a run.
     */
    private static double ratio(List<JmhRunner.Score> reference, List<JmhRunner.Score> submission, boolean cpu) {
        if (reference.isEmpty() || submission.isEmpty()) {
            return Double.NaN;
        }
        JmhRunner.Score r = best(reference, cpu);
        JmhRunner.Score s = best(submission, cpu);
        double rv = cpu ? cpu(r) : r.score();
        double sv = cpu ? cpu(s) : s.score();
        return r.higherIsBetter() ? rv / sv : sv / rv;
    }

    /** The score in CPU time, or the wall-time score where the profiler reported none. */
    private static double cpu(JmhRunner.Score s) {
        Double v = s.secondary().get(CpuTimeProfiler.METRIC);
        return v == null || v.isNaN() || v <= 0 ? s.score() : v;
    }

    /** The best run (interference only ever slows a run down). */
    private static JmhRunner.Score best(List<JmhRunner.Score> runs, boolean cpu) {
        JmhRunner.Score best = null;
        for (JmhRunner.Score s : runs) {
            if (best == null) {
                best = s;
                continue;
            }
            double a = cpu ? cpu(best) : best.score();
            double v = cpu ? cpu(s) : s.score();
            if (s.higherIsBetter() ? v > a : v < a) {
                best = s;
            }
        }
        return best;
    }

    /** How far apart one side's runs are: (worst - best) / best, in CPU time. */
    private static double spread(List<JmhRunner.Score> runs) {
        double min = runs.stream().mapToDouble(Performance::cpu).min().orElse(Double.NaN);
        double max = runs.stream().mapToDouble(Performance::cpu).max().orElse(Double.NaN);
        return min > 0 ? (max - min) / min : 0;
    }

    private List<GradedBenchmark> benchmarks(Lab lab) {
        return rubric.perf(lab.id()).stream().map(p -> graded(lab, p)).toList();
    }

    private GradedBenchmark graded(Lab lab, Rubric.PerfBenchmark p) {
        String params = String.join(
                " ",
                p.params().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
        return new GradedBenchmark(lab.id(), p.name(), p.benchmark(), params, p.points() * rubric.weight(lab.id()));
    }

    /** One run of one benchmark with the rubric's settings; null if it produced no score. */
    private JmhRunner.Score once(
            Path module, String include, Rubric.PerfBenchmark p, Map<String, String> properties, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        JmhRunner.Run run = JmhRunner.run(
                module,
                include,
                p.params(),
                properties,
                rubric.perfSettings(),
                runDeadline(),
                log,
                new PrintStream(java.io.OutputStream.nullOutputStream()));
        if (!run.ok() || run.scores().size() != 1) {
            return null;
        }
        return run.scores().get(0);
    }

    /** What went wrong in a failed run, from JMH's log: the benchmark's exception, or the deadline. */
    private String why(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return lines.stream()
                .filter(l -> l.matches("^\\S*(Exception|Error)\\b.*"))
                .findFirst()
                .map(l -> "it threw " + l.strip())
                .orElse("it failed or took longer than " + rubric.perfDeadline().toSeconds() + " s");
    }
}
