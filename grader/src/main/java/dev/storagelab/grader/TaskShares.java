package dev.storagelab.grader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One lab's test time, shared out by task, so that one task's hangs and timeouts cannot spend the
 * time the other tasks' tests need. Each task's share is the lab's time in proportion to its
 * number of tests (what a test will cost is not known before it runs; points say what a task is
 * worth, not how long its tests take). A task that has spent more than its share on tests that
 * ended, and that hung, timed out or crashed on the way, goes last: every test JVM started after
 * that runs the other tasks' tests first, then its own. A share is no deadline: its tests run in full, and what
 * the other tasks leave unused goes to it. So a task that behaves takes nothing from another but
 * the time its own tests need, and a task that does not spends at most its share and one test
 * deadline past it before the other tasks' tests have run; a hang costs seconds
 * ({@code HangWatch}), a test that spins its whole deadline.
 */
final class TaskShares {

    private final Map<String, String> taskOf = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, Long> shareNanos = new LinkedHashMap<>();
    private final Map<String, Long> spentNanos = new HashMap<>();
    private final Map<String, List<String>> troubles = new HashMap<>();

    /** The shares of {@code labNanos} among the tasks of {@code tests}. */
    TaskShares(List<GradedTest> tests, long labNanos) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (GradedTest t : tests) {
            taskOf.put(t.id(), t.task());
            names.put(t.id(), t.displayName());
            counts.merge(t.task(), 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            shareNanos.put(e.getKey(), (long) (labNanos * (double) e.getValue() / Math.max(1, tests.size())));
        }
    }

    /** Counts test {@code id}'s outcome against its task. */
    void ended(String id, TestSupervisor.Outcome outcome) {
        String task = taskOf.getOrDefault(id, "");
        spentNanos.merge(task, (long) (outcome.seconds() * 1e9), Long::sum);
        if (outcome.status() == TestSupervisor.Status.HUNG
                || outcome.status() == TestSupervisor.Status.TIMED_OUT
                || outcome.status() == TestSupervisor.Status.CRASHED) {
            troubles.computeIfAbsent(task, k -> new ArrayList<>())
                    .add(names.getOrDefault(id, id) + " "
                            + outcome.status()
                                    .name()
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .replace('_', ' '));
        }
    }

    /** Whether {@code task} goes last: it spent more than its share, and hung, timed out or crashed doing so. */
    boolean last(String task) {
        return troubles.containsKey(task)
                && spentNanos.getOrDefault(task, 0L) > shareNanos.getOrDefault(task, Long.MAX_VALUE);
    }

    /** {@code remaining}, in its order, the tests of the tasks that go last moved to the end. */
    List<String> order(Collection<String> remaining) {
        List<String> first = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (String id : remaining) {
            (last(taskOf.getOrDefault(id, "")) ? after : first).add(id);
        }
        first.addAll(after);
        return first;
    }

    /**
     * Why test {@code id} was not run when {@code deadline} (in words: "the lab's deadline of 1200 s")
     * was reached: for a task that went last, what it spent its share on.
     */
    String notRun(String id, String deadline) {
        String task = taskOf.getOrDefault(id, "");
        if (!last(task)) {
            return "not run: " + deadline + " was reached";
        }
        List<String> t = troubles.get(task);
        return "not run: " + (task.isEmpty() ? "the tests of no task" : task) + " spent its share of the lab's time ("
                + seconds(spentNanos.get(task)) + " s of " + seconds(shareNanos.get(task)) + " s; "
                + String.join(", ", t.subList(0, Math.min(3, t.size())))
                + (t.size() > 3 ? " and " + (t.size() - 3) + " more" : "")
                + "), so its other tests ran after every other task's, and " + deadline + " was reached first";
    }

    private static long seconds(long nanos) {
        return Math.round(nanos / 1e9);
    }
}
