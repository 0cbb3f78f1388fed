package dev.storagelab.grader;

import dev.storagelab.grader.runner.LabSecurityManager;
import java.nio.file.Path;
import java.util.List;

/**
 * The second wall, inside every JVM that runs lab code (a test JVM, the children its crash tests
 * start, a benchmark's JMH process and forks): a {@code SecurityManager} with a policy that gives
 * the labs' classes only what a storage engine needs, whatever path to a power the allow-list
 * ({@link ClassScan}) missed:
 *
 * <ul>
 *   <li>files only inside the run's own {@code work/} and {@code tmp/} folders: not the class
 *       path (where the hidden tests are), not {@code /proc} (the JVM's memory and command line),
 *       not the folder the grader reads results from;</li>
 *   <li>the workspace's own {@code storagelab.*} switches and a few harmless system properties;</li>
 *   <li>stopping the threads it starts (an executor's {@code shutdown} asks for it).</li>
 * </ul>
 *
 * No exec, no exit, no network, no file descriptors, no reflection past access checks, no class
 * loaders, no {@code setIO}. The JDK checks the permissions of every class on the stack, so a
 * given class that opens files by name, called from student code, is held to the same folders.
 * Everything else on the class path (JUnit, jqwik, JMH, the tests, the testkit, the runner) gets
 * every permission ({@link LabSecurityManager} holds the policy). A test JVM gets the flags on its
 * command line, and the testkit's {@code KilledChild} passes them on to the child JVMs of crash
 * tests; JMH's process gets them through {@code JDK_JAVA_OPTIONS}, which the {@code java} launcher
 * reads, so its forks inherit the wall with the environment.
 *
 * <p>JDK 17 to 23 run a {@code SecurityManager} (deprecated, with a warning at start-up); JDK 24
 * removed it. On such a JDK this wall is absent ({@link #available()}), the grader's report says so,
 * and the allow-list and, as root, the run's own user id remain.
 */
public final class SandboxPolicy {

    private SandboxPolicy() {}

    /** The JDK release that removed the SecurityManager (JEP 486). */
    static final int REMOVED_IN = 24;

    /** One class path entry of the JVM to confine, as that JVM will see it. */
    public record Entry(String path, boolean labCode) {}

    /** Whether the JVMs the grader starts (its own {@code java.home}) can run a SecurityManager. */
    public static boolean available() {
        return Runtime.version().feature() < REMOVED_IN && !"off".equalsIgnoreCase(System.getenv("STORAGELAB_SANDBOX"));
    }

    /** One sentence for the instructor's report. */
    public static String describe() {
        if (Runtime.version().feature() >= REMOVED_IN) {
            return "no in-JVM policy: JDK " + Runtime.version().feature() + " has no SecurityManager (removed in JDK "
                    + REMOVED_IN + "); grade on JDK 17 to " + (REMOVED_IN - 1) + " for this wall";
        }
        if (!available()) {
            return "no in-JVM policy: turned off by STORAGELAB_SANDBOX=off";
        }
        return "in-JVM policy: lab code may use files only in its run's own folders, and no exec, exit, network,"
                + " reflection or class loaders";
    }

    /** Whether {@code entry}, a class path entry of a built workspace, holds a lab's compiled main classes. */
    public static boolean isLabClasses(Path entry) {
        Path p = entry.toAbsolutePath().normalize();
        return p.getNameCount() >= 3
                && p.endsWith(Path.of("target", "classes"))
                && p.getName(p.getNameCount() - 3).toString().startsWith("lab-");
    }

    /**
     * The command-line flags that put a JVM whose class path is {@code classpath} (the runner's
     * classes among it) under the lab policy, lab code using files only under {@code folders}.
     */
    public static List<String> flags(List<Entry> classpath, List<Path> folders) {
        String labCode = String.join(
                java.io.File.pathSeparator,
                classpath.stream().filter(Entry::labCode).map(Entry::path).toList());
        String allowed = String.join(
                java.io.File.pathSeparator,
                folders.stream()
                        .map(f -> f.toAbsolutePath().normalize().toString())
                        .toList());
        return List.of(
                "-Djava.security.manager=" + LabSecurityManager.class.getName(),
                "-D" + LabSecurityManager.LAB_CODE + "=" + labCode,
                "-D" + LabSecurityManager.FOLDERS + "=" + allowed);
    }

    /** The same flags as {@code JDK_JAVA_OPTIONS}, which the {@code java} launcher reads: a JVM's forks inherit them. */
    public static String javaOptions(List<Entry> classpath, List<Path> folders) {
        return String.join(
                " ",
                flags(classpath, folders).stream().map(f -> "\"" + f + "\"").toList());
    }
}
