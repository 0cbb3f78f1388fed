package dev.storagelab.grader;

import dev.storagelab.grader.GradeReport.PerfResult;
import dev.storagelab.grader.bench.CpuTimeProfiler;
import dev.storagelab.grader.bench.JmhRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * A lab's performance points: each line of the rubric ({@code perf.<lab>.<name>}) runs its JMH
 * benchmark on the reference and on the submission, and the submission's figure over the
 * reference's earns the fraction of the line's points the rubric's thresholds give it. A lab's
 * benchmarks run only when every one of its tests passed: a fast wrong engine earns nothing.
 *
 * <p>A <b>counted</b> line ({@code count=work/operations counts=...}) scores the work the lab
 * teaches to save, counted through the course's own layers in the benchmark's counting pass (device
 * reads through the storage's counters, key comparisons through a comparator the benchmark hands
 * in) from the moment the structure under test is built or opened, on data another JVM wrote, so
 * no work moved into the open or the setup, and nothing kept in memory since the writing, leaves
 * the count; the report says what was counted ({@code device bytes read by open and 16,384 gets,
 * per get}). The same on any machine under any load, so one run a side decides it; the CPU time of
 * the same runs is shown beside it. A <b>timed</b> line scores CPU time per operation ({@link
 * CpuTimeProfiler}) by a statistic ({@link PerfInterval}): rounds, alternating which side goes
 * first, until the ratio's 95% interval, as wide as the machine's noise on the reference's own
 * runs, lies within one band of the thresholds, up to {@link Rubric#perfMaxRounds}; a ratio that
 * costs points needs {@link Rubric#perfDeductRounds} rounds, and an interval that still straddles a
 * threshold scores the higher band.
 */
final class Performance {

    /** A rubric line with its points already weighted by the lab's weight. */
    private record GradedBenchmark(Rubric.PerfBenchmark line, String lab, String params, double points) {

        String measure() {
            return line.counted() ? line.count().words() : "CPU time";
        }

        /** A counted line's unit: its work per operation ({@code device reads per get}); a timed one's comes from its run. */
        String countUnit() {
            return line.counted() ? line.count().perOperation() : "";
        }

        /** A result with no figures: not run, or failed before both sides had a run. */
        PerfResult unmeasured(String status, String message) {
            return new PerfResult(
                    lab,
                    line.name(),
                    line.benchmark(),
                    params,
                    line.counted(),
                    measure(),
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    countUnit(),
                    Double.NaN,
                    0,
                    true,
                    0,
                    points,
                    status,
                    message);
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
        for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
            results.add(graded(lab, p).unmeasured(PerfResult.NOT_RUN, why));
        }
        return results;
    }

    /** Measures the lab's rubric lines on the built {@code reference} and {@code submission} workspaces. */
    List<PerfResult> measure(Lab lab, Path reference, Path submission, Path logs) throws IOException {
        List<PerfResult> results = new ArrayList<>();
        for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
            GradedBenchmark b = graded(lab, p);
            if (clock.lessThan(Grader.LAB_MARGIN.multipliedBy(2))) {
                results.add(b.unmeasured(
                        PerfResult.NOT_RUN, "not run: " + clock.limitWords() + " was reached before this benchmark"));
                continue;
            }
            Runs runs = new Runs(lab, b, reference, submission, logs);
            MACHINE.lock();
            long start = System.nanoTime();
            try {
                PerfResult r = p.counted() ? counted(runs) : timed(runs);
                results.add(r);
                log.printf(
                        Locale.ROOT,
                        "  performance: %s %s: %s of %s points in %.0f s%n",
                        lab.id(),
                        p.name(),
                        java.math.BigDecimal.valueOf(r.earned())
                                .stripTrailingZeros()
                                .toPlainString(),
                        java.math.BigDecimal.valueOf(r.max())
                                .stripTrailingZeros()
                                .toPlainString(),
                        (System.nanoTime() - start) / 1e9);
            } finally {
                MACHINE.unlock();
            }
        }
        return results;
    }

    /** A counted line: one run a side; the counts per operation give the ratio. */
    private PerfResult counted(Runs runs) throws IOException {
        GradedBenchmark b = runs.line;
        runs.round(0, 1);
        if (runs.failure != null) {
            return runs.failed();
        }
        Rubric.Count count = b.line().count();
        double ref = runs.count(runs.ref.get(0), true);
        double sub = runs.count(runs.sub.get(0), false);
        if (Double.isNaN(sub)) {
            return b.unmeasured(PerfResult.FAILED, runs.failure);
        }
        double ratio = ref == 0 ? (sub == 0 ? 1 : Double.POSITIVE_INFINITY) : sub / ref;
        double cpuRatio = cost(runs.sub.get(0)) / cost(runs.ref.get(0));
        double fraction = rubric.perfFraction(ratio);
        // what one counting pass did, as the reference's run reports it (the benchmark's, the same on both sides)
        String counted = count.words(operationsPerPass(runs.ref.get(0), count));
        String message = String.format(
                Locale.ROOT,
                "%s %s against the reference's %s: %s (counted work, the same on any machine, from the moment the"
                        + " structure is built or opened); the CPU time of the same runs, one a side, beside it and not"
                        + " scored: %s",
                PerfFigures.number(sub),
                counted,
                PerfFigures.number(ref),
                PerfFigures.ratio(ratio),
                PerfFigures.ratio(cpuRatio));
        return new PerfResult(
                b.lab(),
                b.line().name(),
                b.line().benchmark(),
                b.params(),
                true,
                counted,
                ratio,
                ratio,
                ratio,
                ref,
                sub,
                count.perOperation(),
                cpuRatio,
                1,
                true,
                b.points() * fraction,
                b.points(),
                PerfResult.MEASURED,
                message);
    }

    /** A timed line: rounds until the interval decides the band (a deduction only after enough of them), up to the cap. */
    private PerfResult timed(Runs runs) throws IOException {
        GradedBenchmark b = runs.line;
        List<double[]> bands = rubric.perfThresholds();
        for (int round = 0; round < rubric.perfMaxRounds(); round++) {
            if (round >= rubric.perfRounds()
                    && PerfInterval.of(costs(runs.ref), costs(runs.sub), rubric)
                            .settles(round, rubric.perfRounds(), rubric.perfDeductRounds(), bands)) {
                break;
            }
            if (round > 0 && clock.lessThan(Grader.LAB_MARGIN.multipliedBy(2))) {
                break; // the rounds so far count
            }
            runs.round(round, rubric.perfRounds());
            if (runs.failure != null) {
                break;
            }
        }
        boolean cutByClock = runs.failure != null && runs.failure.startsWith("not measured");
        int complete = Math.min(runs.ref.size(), runs.sub.size());
        if (runs.failure != null && !(cutByClock && complete > 0)) {
            return runs.failed();
        }
        // a run cut by the time limit after full rounds of both sides still counts those rounds
        PerfInterval verdict =
                PerfInterval.of(costs(runs.ref.subList(0, complete)), costs(runs.sub.subList(0, complete)), rubric);
        String unit = costUnit(runs.ref.get(0));
        StringBuilder message = new StringBuilder(String.format(
                Locale.ROOT,
                "%s %s of CPU time against the reference's %s %s: %s, 95%% interval %s to %s, over %d round%s;"
                        + " the machine's noise, from the reference's own runs: %.0f%%",
                PerfFigures.number(verdict.submission()),
                unit,
                PerfFigures.number(verdict.reference()),
                unit,
                PerfFigures.ratio(verdict.ratio()),
                PerfFigures.ratio(verdict.low()),
                PerfFigures.ratio(verdict.high()),
                complete,
                complete == 1 ? "" : "s",
                100 * verdict.noise()));
        if (verdict.byMedian()) {
            message.append("; your runs varied more than the reference's, so their median counts");
        }
        if (verdict.byCheapest(bands)) {
            message.append(String.format(
                    Locale.ROOT,
                    "; your cheapest run was %s the reference's, and a busy machine only ever makes a run"
                            + " dearer: its band counts",
                    PerfFigures.ratio(verdict.cheapest())));
        }
        if (!verdict.settled(bands) && complete > 1) {
            message.append("; the machine was too noisy to decide whether the ratio is within ")
                    .append(verdict.straddled(rubric.perfThresholds()))
                    .append(": the better band counts");
        }
        return new PerfResult(
                b.lab(),
                b.line().name(),
                b.line().benchmark(),
                b.params(),
                false,
                b.measure(),
                verdict.ratio(),
                verdict.low(),
                verdict.high(),
                verdict.reference(),
                verdict.submission(),
                unit,
                verdict.ratio(),
                complete,
                verdict.settled(bands),
                b.points() * verdict.fraction(),
                b.points(),
                PerfResult.MEASURED,
                message.toString());
    }

    /** The runs of one line on both sides, and the first failure, which ends them. */
    private final class Runs {
        final Lab lab;
        final GradedBenchmark line;
        final Path reference;
        final Path submission;
        final Path logs;
        final String include;
        final List<JmhRunner.Score> ref = new ArrayList<>();
        final List<JmhRunner.Score> sub = new ArrayList<>();
        /** The answer checks sample operations by a seed the student cannot know in advance; both sides get the same one. */
        final Map<String, String> properties = Map.of(ANSWERS_SEED, Long.toString(SEEDS.nextLong()));

        String failure;

        Runs(Lab lab, GradedBenchmark line, Path reference, Path submission, Path logs) {
            this.lab = lab;
            this.line = line;
            this.reference = reference;
            this.submission = submission;
            this.logs = logs;
            this.include = "\\." + Pattern.quote(line.line().benchmark()) + "$";
        }

        /** Runs round {@code round} (of {@code planned} first rounds): both sides, alternating which goes first. */
        void round(int round, int planned) throws IOException {
            Rubric.PerfBenchmark p = line.line();
            log.println("  performance: " + lab.id() + " " + p.name() + " (" + p.benchmark() + " " + line.params()
                    + "), " + (p.counted() ? "counted" : "round " + (round + 1))
                    + (p.counted() || round < planned
                            ? (p.counted() ? "" : " of " + planned)
                            : ", an extra round: the interval does not decide the band yet"));
            boolean referenceFirst = round % 2 == 0;
            for (int side = 0; side < 2 && failure == null; side++) {
                boolean isReference = (side == 0) == referenceFirst;
                Path runLog = logs.resolve(
                        lab.id() + "-" + p.name() + (isReference ? "-reference-" : "-submission-") + round + ".txt");
                long kills = ContainerLimits.current().oomKills();
                JmhRunner.Run run = once((isReference ? reference : submission).resolve(lab.directory()), runLog);
                JmhRunner.Score score =
                        run.ok() && run.scores().size() == 1 ? run.scores().get(0) : null;
                if (score == null && clock.lessThan(Grader.LAB_MARGIN)) {
                    failure = "not measured: " + clock.limitWords() + " was reached while it ran";
                } else if (score == null && JmhRunner.lockWasHeld(run)) {
                    // another grading's benchmarks had the machine: not the code's doing, nor the rubric's
                    failure = "not measured: another benchmark on this machine held its benchmark lock"
                            + " (jmh.lock) for the whole of this run's "
                            + runDeadline().toSeconds()
                            + " s; grade again when the machine is free";
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
                                + " must name one benchmark method of " + lab.id()
                                + " and fix every @Param that has several values, so that the"
                                + " reference runs exactly one measurement; it did not (see " + runLog + ")");
                    }
                    ref.add(score);
                } else if (score == null) {
                    failure = "the benchmark did not run to the end on your code: " + why(runLog);
                } else {
                    sub.add(score);
                }
            }
        }

        /**
         * A run's count per operation: its {@code work} counter over its {@code operations}
         * counter. On the reference a missing counter is the rubric's mistake; on the submission's
         * side (NaN, with {@link #failure} set) the run did no counted operation.
         */
        double count(JmhRunner.Score s, boolean isReference) throws IOException {
            Rubric.Count c = line.line().count();
            double perOperation = countPerOperation(s, c);
            if (Double.isNaN(perOperation)) {
                boolean reported =
                        s.secondary().containsKey(c.work()) && s.secondary().containsKey(c.operations());
                String what = "the counters " + c.work() + " and " + c.operations() + " of " + s.shortName()
                        + (reported ? " counted no operation" : " are not reported");
                if (isReference) {
                    throw new IOException(Rubric.PATH + ": perf." + lab.id() + "."
                            + line.line().name() + ": "
                            + what + " on the reference: count= must name two of the benchmark's event counters"
                            + " (@AuxCounters(Type.EVENTS)), the work and the operations of its counting pass");
                }
                failure = "the benchmark's counting pass did not finish on your code: " + what;
            }
            return perOperation;
        }

        /** The result of a line that failed before it could be scored: 0 points, saying why. */
        PerfResult failed() {
            boolean cutByClock = failure.startsWith("not measured");
            return line.unmeasured(cutByClock ? PerfResult.NOT_RUN : PerfResult.FAILED, failure);
        }

        /** One run of one side with the rubric's settings (a score only if it measured exactly one). */
        private JmhRunner.Run once(Path module, Path runLog) throws IOException {
            Files.createDirectories(runLog.getParent());
            Rubric.PerfBenchmark p = line.line();
            return JmhRunner.run(
                    module,
                    include,
                    p.params(),
                    properties,
                    rubric.perfSettings(),
                    runDeadline(),
                    runLog,
                    new PrintStream(java.io.OutputStream.nullOutputStream()));
        }
    }

    /**
     * A run's count per operation: its {@code work} event counter over its {@code operations}
     * counter (JMH sums both over the measured iterations, so their quotient is the counting
     * pass's); NaN if either is missing or no operation was counted.
     */
    static double countPerOperation(JmhRunner.Score s, Rubric.Count count) {
        Double work = s.secondary().get(count.work());
        Double ops = s.secondary().get(count.operations());
        if (work == null || ops == null || !(ops > 0) || work.isNaN()) {
            return Double.NaN;
        }
        return work / ops;
    }

    /**
     * The operations one counting pass of {@code s} made: its {@code operations} counter in its first
     * measured iteration (the benchmark sets it to the pass's as each iteration ends); NaN if the run
     * does not report it.
     */
    static double operationsPerPass(JmhRunner.Score s, Rubric.Count count) {
        Double ops = s.firstIteration().get(count.operations());
        return ops == null ? Double.NaN : ops;
    }

    /** Each run's cost per operation ({@link #cost}). */
    private static double[] costs(List<JmhRunner.Score> runs) {
        return runs.stream().mapToDouble(Performance::cost).toArray();
    }

    /**
     * A run's CPU time per operation (JMH's score restated by {@link CpuTimeProfiler}, or the score
     * itself where the profiler reported none), in {@link #costUnit}: a throughput is turned into
     * nanoseconds per operation, so that every figure shown is a cost and every ratio the
     * submission's over the reference's.
     */
    static double cost(JmhRunner.Score s) {
        Double v = s.secondary().get(CpuTimeProfiler.METRIC);
        double cpu = v == null || v.isNaN() || v <= 0 ? s.score() : v;
        return s.higherIsBetter() ? NANOS_PER.getOrDefault(timeOf(s.unit()), 1e9) / cpu : cpu;
    }

    /** The unit of {@link #cost}: the score's own for a time per operation, {@code ns/op} for a throughput. */
    static String costUnit(JmhRunner.Score s) {
        return s.higherIsBetter() ? "ns/op" : s.unit();
    }

    private static final Map<String, Double> NANOS_PER = Map.of("s", 1e9, "ms", 1e6, "us", 1e3, "ns", 1.0);

    /** {@code s} of {@code ops/s}. */
    private static String timeOf(String throughputUnit) {
        int slash = throughputUnit.indexOf('/');
        return slash < 0 ? throughputUnit : throughputUnit.substring(slash + 1);
    }

    private GradedBenchmark graded(Lab lab, Rubric.PerfBenchmark p) {
        String params = String.join(
                " ",
                p.params().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
        return new GradedBenchmark(p, lab.id(), params, p.points() * rubric.weight(lab.id()));
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
