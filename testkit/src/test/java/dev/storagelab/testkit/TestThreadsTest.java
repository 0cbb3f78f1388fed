package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayWithSize;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class TestThreadsTest {

    @Test
    void runAllRunsEveryIndexOnceAndCollectsWhatThreadsThrow() throws InterruptedException {
        Collection<Integer> ran = new ConcurrentLinkedQueue<>();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();

        TestThreads.runAll(
                4,
                t -> {
                    ran.add(t);
                    if (t == 2) {
                        throw new IllegalStateException("thread 2 fails");
                    }
                },
                failures);

        assertThat("each of the four threads ran its body once", ran, containsInAnyOrder(0, 1, 2, 3));
        assertThat("the one failure is collected, not lost with its thread", failures.size(), is(1));
    }

    @Test
    void rethrowKeepsTheFirstFailureAsCauseAndSuppressesTheRest() {
        IllegalStateException first = new IllegalStateException("first");
        AssertionError error = assertThrows(
                AssertionError.class,
                () -> TestThreads.rethrow(List.of(first, new RuntimeException("second")), "while testing"));

        assertThat("the thread's own exception stays in the cause chain", error.getCause(), sameInstance(first));
        assertThat(error.getMessage(), containsString("while testing"));
        assertThat("later failures are suppressed, not dropped", error.getSuppressed(), arrayWithSize(1));
        TestThreads.rethrow(List.of(), "nothing failed"); // returns normally
    }

    @Test
    void awaitQueuedSeesAThreadBlockedOnAHeldLock() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        Collection<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread waiter;
        lock.lock();
        try {
            waiter = TestThreads.start(
                    "waiter",
                    () -> {
                        lock.lock();
                        lock.unlock();
                    },
                    failures);
            assertThat(
                    "the waiter queues on the lock this thread holds", TestThreads.awaitQueued(lock, waiter), is(true));
        } finally {
            lock.unlock();
        }
        TestThreads.joinAll(List.of(waiter));
        assertThat("once the lock is free the waiter finishes", failures, empty());
        assertThat("a finished thread is not queued", TestThreads.awaitQueued(lock, waiter), is(false));
    }
}
