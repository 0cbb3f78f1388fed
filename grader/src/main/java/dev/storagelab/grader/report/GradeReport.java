package dev.storagelab.grader.report;

import dev.storagelab.grader.feedback.NotImplemented;
import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.run.TestSupervisor;
import dev.storagelab.grader.sandbox.Walls;
import dev.storagelab.grader.workspace.GradedTest;
import java.util.List;

/**
 * Everything one grading run found: what the report writers turn into files and tables.
 *
 * @param walls which of the grader's walls stood for it ({@link Walls})
 */
public record GradeReport(
        String submission,
        List<LabResult> isolated,
        List<LabResult> integrated,
        double executionSeconds,
        String error,
        Walls walls) {

    /** A report graded behind the walls this grader puts up now, the allow-list included. */
    public GradeReport(
            String submission,
            List<LabResult> isolated,
            List<LabResult> integrated,
            double executionSeconds,
            String error) {
        this(submission, isolated, integrated, executionSeconds, error, Walls.current(true));
    }

    /** The mode of an isolated result, each lab over the reference of the labs it builds on. */
    public static final String ISOLATED = "isolated";

    /**
     * The mode of a student release's own grade: each lab over the release's code of the labs it
     * builds on, the student's own (there is no reference in a release).
     */
    public static final String OWN_LABS = "own-labs";

    /** Whether this is a student release's own grade ({@link #OWN_LABS}). */
    public boolean overOwnLabs() {
        return isolated.stream().anyMatch(l -> l.mode().equals(OWN_LABS));
    }

    /**
     * The failed tests of a lab that stopped at an earlier lab's tasks not implemented yet (the
     * throw they reached names that lab and task): what a grade over the student's own earlier labs
     * loses that a grade over the reference's would not.
     *
     * @param lab    the earlier lab
     * @param tasks  its tasks the tests stopped at, in task order
     * @param tests  how many tests
     * @param points what they were worth
     */
    public record Blocked(String lab, List<String> tasks, int tests, double points) {}

    /** One test's result, with points already weighted by the lab's weight. */
    public record TestResult(GradedTest test, TestSupervisor.Outcome outcome, double earned, double max) {}

    /**
     * One lab graded in one mode.
     *
     * @param perf its performance benchmarks (measured in isolation; an integrated result repeats
     *             them), empty when the rubric names none or grading skipped them
     */
    public record LabResult(
            String lab, String directory, String mode, String problem, List<TestResult> tests, List<PerfResult> perf) {

        public double earned() {
            return tests.stream().mapToDouble(TestResult::earned).sum()
                    + perf.stream().mapToDouble(PerfResult::earned).sum();
        }

        public double max() {
            return tests.stream().mapToDouble(TestResult::max).sum()
                    + perf.stream().mapToDouble(PerfResult::max).sum();
        }

        /** The points of the tests alone. */
        public double testsEarned() {
            return tests.stream().mapToDouble(TestResult::earned).sum();
        }

        /** The performance points earned, and the most there were. */
        public double perfEarned() {
            return perf.stream().mapToDouble(PerfResult::earned).sum();
        }

        public double perfMax() {
            return perf.stream().mapToDouble(PerfResult::max).sum();
        }

        public long passed() {
            return tests.stream().filter(t -> t.outcome().passed()).count();
        }

        public double percent() {
            return max() == 0 ? 0 : 100.0 * earned() / max();
        }

        /** The points it lost, of its tests and its benchmarks. */
        public double lost() {
            return max() - earned();
        }

        /** Its failed tests that stopped at another lab's task not implemented yet, by that lab, in lab order. */
        public List<Blocked> blocked() {
            java.util.Map<String, java.util.TreeSet<String>> tasks = new java.util.TreeMap<>();
            java.util.Map<String, double[]> counts = new java.util.TreeMap<>(); // tests, points
            for (TestResult t : tests) {
                if (t.outcome().passed()) {
                    continue;
                }
                java.util.Optional<NotImplemented> n =
                        NotImplemented.in(t.outcome().message());
                if (n.isPresent() && !n.get().lab().equals(lab)) {
                    tasks.computeIfAbsent(
                                    n.get().lab(),
                                    k -> new java.util.TreeSet<>(java.util.Comparator.comparingInt(
                                            (String task) -> Integer.parseInt(task.substring(1)))))
                            .add(n.get().task());
                    double[] c = counts.computeIfAbsent(n.get().lab(), k -> new double[2]);
                    c[0]++;
                    c[1] += t.max() - t.earned();
                }
            }
            return tasks.keySet().stream()
                    .map(l -> new Blocked(l, List.copyOf(tasks.get(l)), (int) counts.get(l)[0], counts.get(l)[1]))
                    .toList();
        }
    }

    /** The headline score: the isolated results. */
    public double earned() {
        return isolated.stream().mapToDouble(LabResult::earned).sum();
    }

    public double max() {
        return isolated.stream().mapToDouble(LabResult::max).sum();
    }

    public double percent() {
        return max() == 0 ? 0 : 100.0 * earned() / max();
    }

    /** The performance lines the machine was too noisy to decide, each of which scored its higher band. */
    public List<PerfResult> undecidedPerf() {
        return isolated.stream()
                .flatMap(l -> l.perf().stream())
                .filter(p -> p.measured() && !p.decided())
                .toList();
    }

    /** The integrated result for {@code lab}, if one was computed. */
    public LabResult integratedFor(String lab) {
        return integrated.stream().filter(l -> l.lab().equals(lab)).findFirst().orElse(null);
    }

    /**
     * The first limit of the grading machine this grading hit (the container's memory, the
     * grading's time limit), in the words of the grader's own message, or null. Only the grader
     * writes these words: a test's message that came from the test JVM is never taken for one.
     */
    public String limitHit() {
        for (LabResult lab : isolated) {
            if (lab.problem() != null && isLimit(lab.problem())) {
                return lab.lab() + " " + lab.problem().lines().findFirst().orElse("");
            }
            for (TestResult t : lab.tests()) {
                if (t.outcome().status() != TestSupervisor.Status.PASSED
                        && t.outcome().status() != TestSupervisor.Status.FAILED
                        && isLimit(t.outcome().message())) {
                    return lab.lab() + " " + t.test().displayName() + ": "
                            + t.outcome().message().lines().findFirst().orElse("");
                }
            }
            for (PerfResult p : lab.perf()) {
                if (isLimit(p.message())) {
                    return lab.lab() + " performance " + p.name() + ": " + p.message();
                }
            }
        }
        return null;
    }

    /** The grader's own words for a limit, at the start of a message (a student's text further in never counts). */
    private static final java.util.regex.Pattern LIMIT = java.util.regex.Pattern.compile(
            "^(not run: (lab-\\d\\d )?|not measured: |stopped: |not graded: )+(the grading's time limit of|the grading container ran out of memory)");

    private static boolean isLimit(String message) {
        return LIMIT.matcher(message).find();
    }

    /** How a lab's problem begins when the test JVM's results were forged, replayed or reordered. */
    public static final String TAMPERING = "tampering detected: ";

    /**
     * What the student reads of a lab's {@code problem} (null: none): all of it, except that for
     * tampering they learn only that the run was invalid; how it was detected is for the
     * instructor's report ({@code grade.json}, {@code report.md}, the terminal), not for the next
     * attempt.
     */
    public static String studentProblem(String problem) {
        if (problem == null || !problem.startsWith(TAMPERING)) {
            return problem;
        }
        return "the test run was invalid, so no test of this lab counts; your instructor has the details";
    }

    public static GradeReport failed(String submission, String error, double seconds) {
        return new GradeReport(submission, List.of(), List.of(), seconds, error);
    }
}
