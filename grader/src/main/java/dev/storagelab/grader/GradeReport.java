package dev.storagelab.grader;

import java.util.List;

/** Everything one grading run found: what the report writers turn into files and tables. */
public record GradeReport(String submission, List<LabResult> isolated, List<LabResult> integrated,
                          double executionSeconds, String error) {

    /** One test's result, with points already weighted by the lab's weight. */
    public record TestResult(GradedTest test, TestSupervisor.Outcome outcome, double earned, double max) {
    }

    /** One lab graded in one mode. */
    public record LabResult(String lab, String directory, String mode, String problem, List<TestResult> tests) {

        public double earned() {
            return tests.stream().mapToDouble(TestResult::earned).sum();
        }

        public double max() {
            return tests.stream().mapToDouble(TestResult::max).sum();
        }

        public long passed() {
            return tests.stream().filter(t -> t.outcome().passed()).count();
        }

        public double percent() {
            return max() == 0 ? 0 : 100.0 * earned() / max();
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

    /** The integrated result for {@code lab}, if one was computed. */
    public LabResult integratedFor(String lab) {
        return integrated.stream().filter(l -> l.lab().equals(lab)).findFirst().orElse(null);
    }

    public static GradeReport failed(String submission, String error, double seconds) {
        return new GradeReport(submission, List.of(), List.of(), seconds, error);
    }
}
