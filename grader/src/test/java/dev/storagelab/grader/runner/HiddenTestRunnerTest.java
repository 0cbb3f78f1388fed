package dev.storagelab.grader.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner runs the tests in the order the grader lists them, a run of one class at a time. */
class HiddenTestRunnerTest {

    @Test
    void theListIsCutIntoRunsOfOneClassInItsOrder() {
        assertThat(
                HiddenTestRunner.classRuns(List.of("a.A#x", "a.A#y", "a.B#x", "a.A#z")),
                equalTo(List.of(List.of("a.A#x", "a.A#y"), List.of("a.B#x"), List.of("a.A#z"))));
    }
}
