package dev.storagelab.sortedlog;

import dev.storagelab.testkit.TestThreads;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Waiting on background work in tests, with its failure rethrown as itself. */
final class Work {

    private Work() {}

    /**
     * Waits for {@code work} and rethrows what it threw, unwrapped, so a failure reads as itself.
     * The bound is the workspace's liveness limit ({@link TestThreads#LIVENESS_BOUND_SECONDS}: a
     * deadlock fails instead of hanging), never a timing check: a bound of 60 s had failed healthy
     * concurrent appends on a machine at load 30.
     */
    static void join(Future<?> work) throws Exception {
        try {
            work.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
