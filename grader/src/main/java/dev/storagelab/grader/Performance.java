package dev.storagelab.grader;

import dev.storagelab.grader.GradeReport.PerfResult;
import dev.storagelab.grader.bench.Bench;
import dev.storagelab.grader.bench.BenchTable;
import dev.storagelab.grader.bench.JmhRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * A lab's performance points: each benchmark the rubric names ({@code perf.<lab>.<name>}) runs on
 * the reference and on the submission, alternating, {@link Rubric#perfRounds()} times each; the
 * best run of each side counts (interference only ever slows a run down), and the ratio of the
 * two earns the fraction of the points the rubric's thresholds give it. A lab's benchmarks run
 * only when every one of its tests passed: a fast wrong engine earns nothing.
 */
final class Performance {

    /** A rubric benchmark with its points already weighted by the lab's weight. */
    private record GradedBenchmark(String lab, String name, String benchmark, String params, double points) {

        PerfResult result(double ratio, double reference, double submission, String unit, double earned, String status,
                          String message) {
            return new PerfResult(lab, name, benchmark, params, ratio, reference, submission, unit, earned, points, status, message);
        }
    }

    /** One benchmark at a time across every grading in this JVM (a batch grades in parallel). */
    private static final ReentrantLock MACHINE = new ReentrantLock();

    private final Rubric rubric;
    private final PrintStream log;

    Performance(Rubric rubric, PrintStream log) {
        this.rubric = rubric;
        this.log = log;
    }

    /** The lab's rubric benchmarks, each scored 0 with {@code why}: for a lab whose tests did not all pass. */
    List<PerfResult> notRun(Lab lab, String why) {
        List<PerfResult> results = new ArrayList<>();
        for (GradedBenchmark b : benchmarks(lab)) {
            results.add(b.result(Double.NaN, Double.NaN, Double.NaN, "", 0, PerfResult.NOT_RUN, why));
        }
        return results;
    }

    /** Measures the lab's rubric benchmarks on the built {@code reference} and {@code submission} workspaces. */
    List<PerfResult> measure(Lab lab, Path reference, Path submission, Path logs) throws IOException {
        List<PerfResult> results = new ArrayList<>();
        for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
            GradedBenchmark b = graded(lab, p);
            String include = "\\." + Pattern.quote(p.benchmark()) + "$";
            JmhRunner.Score best = null;
            JmhRunner.Score bestRef = null;
            String failure = null;
            MACHINE.lock();
            try {
                for (int round = 0; round < rubric.perfRounds() && failure == null; round++) {
                    log.println("  performance: " + lab.id() + " " + p.name() + " (" + p.benchmark() + " " + b.params()
                            + "), round " + (round + 1) + " of " + rubric.perfRounds());
                    Path refLog = logs.resolve(lab.id() + "-" + p.name() + "-reference-" + round + ".txt");
                    JmhRunner.Score ref = once(reference.resolve(lab.directory()), include, p, refLog);
                    if (ref == null) {
                        throw new IOException(Rubric.PATH + ": perf." + lab.id() + "." + p.name() + " must name one benchmark"
                                + " method of " + lab.id() + " and fix every @Param that has several values, so that the"
                                + " reference runs exactly one measurement; it did not (see " + refLog + ")");
                    }
                    bestRef = better(bestRef, ref);
                    Path subLog = logs.resolve(lab.id() + "-" + p.name() + "-submission-" + round + ".txt");
                    JmhRunner.Score sub = once(submission.resolve(lab.directory()), include, p, subLog);
                    if (sub == null) {
                        failure = "the benchmark did not run to the end on your code: " + why(subLog);
                    } else {
                        best = better(best, sub);
                    }
                }
            } finally {
                MACHINE.unlock();
            }
            if (failure != null) {
                results.add(b.result(Double.NaN, bestRef.score(), Double.NaN, bestRef.unit(), 0, PerfResult.FAILED, failure));
                continue;
            }
            double ratio = Bench.timeRatio(bestRef, best);
            double earned = b.points() * rubric.perfFraction(ratio);
            results.add(b.result(ratio, bestRef.score(), best.score(), bestRef.unit(), earned, PerfResult.MEASURED,
                    String.format(java.util.Locale.ROOT, "%s %s against the reference's %s %s: %.2fx the reference's time",
                            BenchTable.number(best.score()), best.unit(), BenchTable.number(bestRef.score()), bestRef.unit(),
                            ratio)));
        }
        return results;
    }

    private List<GradedBenchmark> benchmarks(Lab lab) {
        return rubric.perf(lab.id()).stream().map(p -> graded(lab, p)).toList();
    }

    private GradedBenchmark graded(Lab lab, Rubric.PerfBenchmark p) {
        String params = String.join(" ", p.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        return new GradedBenchmark(lab.id(), p.name(), p.benchmark(), params, p.points() * rubric.weight(lab.id()));
    }

    /** One run of one benchmark with the rubric's settings; null if it produced no score. */
    private JmhRunner.Score once(Path module, String include, Rubric.PerfBenchmark p, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        JmhRunner.Run run = JmhRunner.run(module, include, p.params(), rubric.perfSettings(), rubric.perfDeadline(), log,
                new PrintStream(java.io.OutputStream.nullOutputStream()));
        if (!run.ok() || run.scores().size() != 1) {
            return null;
        }
        return run.scores().get(0);
    }

    /** What went wrong in a failed run, from JMH's log: the benchmark's exception, or the deadline. */
    private String why(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return lines.stream().filter(l -> l.matches("^\\S*(Exception|Error)\\b.*")).findFirst()
                .map(l -> "it threw " + l.strip())
                .orElse("it failed or took longer than " + rubric.perfDeadline().toSeconds() + " s");
    }

    private static JmhRunner.Score better(JmhRunner.Score a, JmhRunner.Score b) {
        if (a == null) {
            return b;
        }
        boolean bWins = a.higherIsBetter() ? b.score() > a.score() : b.score() < a.score();
        return bWins ? b : a;
    }
}
