package dev.storagelab.sortedlog;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Waiting on background work in tests, with its failure rethrown as itself. */
final class Work {

    private Work() {
    }

    /**
     * Waits for {@code work} and rethrows what it threw, unwrapped, so a failure reads as itself.
     * The bound is a liveness limit (a deadlock fails instead of hanging), not a timing check.
     */
    static void join(Future<?> work, long boundSeconds) throws Exception {
        try {
            work.get(boundSeconds, TimeUnit.SECONDS);
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
