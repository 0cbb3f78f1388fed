package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Starting the child processes the grader starts (Maven builds, test runners, JMH), waiting for
 * them and killing them, with every process they started in turn: a Maven or JMH fork must not
 * outlive a deadline, and none of them outlives the grader. When the grader is stopped (SIGTERM,
 * SIGINT, SIGHUP: a platform's time limit, an instructor's {@code kill}), its shutdown kills every
 * child it started and starts no other: a test JVM spinning in a student's loop would otherwise run
 * on, as its test user, with its folders deleted under it.
 */
public final class ChildProcesses {

    private static final Set<Process> RUNNING = new HashSet<>(); // guarded by ChildProcesses.class
    private static boolean stopping; // guarded by ChildProcesses.class

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "storagelab-stop-children"));
    }

    private ChildProcesses() {}

    /**
     * Starts {@code builder}'s process, which is killed with its descendants if the grader stops
     * before it ends; refused once the grader is stopping.
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        synchronized (ChildProcesses.class) {
            if (stopping) {
                throw new IOException("the grader is stopping: it starts no other process");
            }
            Process p = builder.start();
            RUNNING.add(p);
            p.onExit().thenRun(() -> {
                synchronized (ChildProcesses.class) {
                    RUNNING.remove(p);
                }
            });
            return p;
        }
    }

    /** The shutdown: no process starts from now on, and every running one is killed. */
    static void stopAll() {
        List<Process> running;
        synchronized (ChildProcesses.class) {
            stopping = true;
            running = List.copyOf(RUNNING);
        }
        running.forEach(ChildProcesses::destroyTree);
    }

    /** Kills {@code p} and every process it started, without waiting. */
    private static void destroyTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

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
        destroyTree(p);
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
