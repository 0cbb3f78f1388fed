package dev.storagelab.grader;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for the child processes the grader starts (Maven builds, test runners, JMH, the
 * workbench) and killing them, with every process they started in turn: a Maven or JMH fork must
 * not outlive a deadline.
 */
public final class ChildProcesses {

    private ChildProcesses() {}

    /**
     * Waits up to {@code deadline} for {@code p} to exit; returns whether it did. If it did not,
     * or this thread is interrupted while waiting, kills it and its descendants first (and, when
     * interrupted, rethrows).
     */
    public static boolean awaitOrKill(Process p, Duration deadline) throws InterruptedException {
        try {
            if (p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            kill(p);
            throw e;
        }
        kill(p);
        return false;
    }

    /** Kills {@code p} and every process it started, and waits until it is gone. */
    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
