package dev.storagelab.workbench.cli;

import java.util.Optional;

/**
 * Ends this JVM when the process that started it is gone, if that process asked for it (the
 * launcher sets {@code STORAGELAB_EXIT_WITH_PARENT=1}): the workbench's long-running commands
 * ({@code viz}, {@code shell}) never outlive {@code ./storagelab}, however it ended, SIGKILL
 * included. The exit runs the shutdown hooks, so {@code viz} frees its port and deletes its
 * temporary folder.
 */
final class ParentWatch {

    /** The variable the launcher sets (the grader's {@code Workbench.EXIT_WITH_PARENT}). */
    static final String VARIABLE = "STORAGELAB_EXIT_WITH_PARENT";
    /** How often the parent is looked at. */
    static final long PERIOD_MILLIS = 200;
    /** The exit status when the parent went away: 128 + SIGHUP, as a closed terminal gives. */
    static final int EXIT_STATUS = 129;

    private ParentWatch() {}

    /** Starts watching, when the variable asks for it. */
    static void startIfAsked() {
        if (!"1".equals(System.getenv(VARIABLE))) {
            return;
        }
        Optional<Long> parent = ProcessHandle.current().parent().map(ProcessHandle::pid);
        if (parent.isEmpty()) {
            return;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        // Once the parent is gone this process is given to another (init, a subreaper).
                        while (ProcessHandle.current()
                                .parent()
                                .map(ProcessHandle::pid)
                                .equals(parent)) {
                            Thread.sleep(PERIOD_MILLIS);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.exit(EXIT_STATUS);
                },
                "storagelab-parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
