package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.grader.TestSupervisor.Outcome;
import dev.storagelab.grader.TestSupervisor.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A lab's time shared by task: a task that spent its share on hangs and timeouts goes last, and says so. */
class TaskSharesTest {

    private static GradedTest test(String cls, String method, String task) {
        return new GradedTest("lab-04", "dev.storagelab.btree.hidden." + cls + "#" + method, 1, "", task, "");
    }

    private static final List<GradedTest> TESTS = List.of(
            test("ATest", "a1", "T1"),
            test("ATest", "a2", "T7"),
            test("BTest", "b1", "T7"),
            test("BTest", "b2", "T7"),
            test("CTest", "c1", "T2"),
            test("CTest", "c2", "T2"));

    private static List<String> ids() {
        return TESTS.stream().map(GradedTest::id).toList();
    }

    @Test
    void aTaskWithinItsShareKeepsItsPlaceAndSlowTestsThatPassCostNoPlace() {
        TaskShares shares = new TaskShares(TESTS, 600_000_000_000L); // 600 s: T7's share is 300 s
        shares.ended(ids().get(1), new Outcome(Status.HUNG, "hangs", 6));
        shares.ended(ids().get(4), new Outcome(Status.PASSED, "", 900)); // slow, but it passed
        assertThat(shares.order(ids().subList(2, 6)), equalTo(ids().subList(2, 6)));
        assertThat(shares.last("T2"), is(false));
    }

    @Test
    void aTaskThatSpentItsShareOnHangsAndTimeoutsGoesAfterEveryOtherTasksTests() {
        TaskShares shares = new TaskShares(TESTS, 240_000_000_000L); // 240 s: T7's share is 120 s
        shares.ended(ids().get(1), new Outcome(Status.TIMED_OUT, "timed out", 121));
        assertThat(shares.last("T7"), is(true));
        List<String> remaining = ids().subList(2, 6);
        assertThat(
                "the other tasks' tests first, in their order, then T7's",
                shares.order(remaining),
                equalTo(List.of(ids().get(4), ids().get(5), ids().get(2), ids().get(3))));
        assertThat(
                shares.notRun(ids().get(2), "the lab's deadline of 240 s"),
                equalTo(
                        "not run: T7 spent its share of the lab's time (121 s of 120 s; ATest.a2 timed out), so its other"
                                + " tests ran after every other task's, and the lab's deadline of 240 s was reached first"));
        assertThat(
                "a task that kept to its share is not run only for the deadline",
                shares.notRun(ids().get(4), "the lab's deadline of 240 s"),
                equalTo("not run: the lab's deadline of 240 s was reached"));
    }
}
