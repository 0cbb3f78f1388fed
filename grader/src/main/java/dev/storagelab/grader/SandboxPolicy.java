package dev.storagelab.grader;

import dev.storagelab.grader.policy.LabPolicy;
import dev.storagelab.grader.policy.PolicyJars;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The second wall, inside every JVM that runs lab code (a test JVM, the children its crash tests
 * start, a benchmark's JMH process and forks): a Java agent ({@link dev.storagelab.grader.policy})
 * that rewrites the JDK's entry points so that the labs' classes get only what a storage engine
 * needs, whatever path to a power the allow-list ({@link ClassScan}) missed:
 *
 * <ul>
 *   <li>files only inside the run's own {@code work/} and {@code tmp/} folders: not the class
 *       path (where the hidden tests are), not {@code /proc} (the JVM's memory and command line),
 *       not the folder the grader reads results from;</li>
 *   <li>the workspace's own {@code storagelab.*} switches and a few harmless system properties.</li>
 * </ul>
 *
 * No exec, exit, network, file descriptors, attach, reflection past access checks, class loaders
 * or {@code setIO} ({@link LabPolicy} holds the rules). A given class that opens files by name,
 * called from student code, is held to the same folders. Everything else on the class path (JUnit,
 * jqwik, Lincheck, JMH, the tests, the testkit, the runner) may do anything.
 *
 * <p><b>It holds alone</b>, with the allow-list switched off: it judges each call by its real
 * caller, past {@code Method.invoke} and method handles; the threads lab code starts, and the
 * handlers and tasks it installs (a library's among them), act as lab code wherever the JVM runs
 * them, so nothing lab code installs ends the JVM; and its own state is out of reach past every
 * access check (its fields hidden from reflection, its members never made accessible). One power
 * only the allow-list stops: an {@code Unsafe} or {@code Instrumentation} that a library on the
 * class path already holds and hands out (Lincheck's, JMH's, Byte Buddy's), whose use the policy
 * cannot tell from the library's own. {@code HostileSubmissionsCorpusTest} runs the hostile cases
 * with each wall alone and says which stops each. The JVM's own switches
 * close the native paths where the JDK has them ({@link #switches}). A test JVM gets the flags on
 * its command line, and the testkit's {@code KilledChild} passes them on to the child JVMs of crash
 * tests; JMH's process gets them through {@code JDK_JAVA_OPTIONS}, which the {@code java} launcher
 * reads, so its forks inherit the wall with the environment. The same agent runs on JDK 17, 21 and
 * 25: nothing of it depends on the Security Manager, which JDK 24 removed. Every one of these JVMs
 * runs on the grader's own JDK ({@code java.home}), for which the grader rewrites the JDK's classes
 * once, as it writes the agent: a JVM then starts under the policy in tens of milliseconds instead
 * of most of a second of Byte Buddy, which only a JVM on another JDK loads.
 */
public final class SandboxPolicy {

    private SandboxPolicy() {}

    /** The system property through which a child JVM learns the agent's jar, to load it too ({@code KilledChild}). */
    static final String AGENT = "storagelab.sandbox.agent";
    /** The system property through which a child JVM learns the JVM switches, separated by spaces. */
    static final String SWITCHES = "storagelab.sandbox.switches";

    /** One class path entry of the JVM to confine, as that JVM will see it. */
    public record Entry(String path, boolean labCode) {}

    private static Path agentJar;
    private static String unavailable;

    /** Whether the JVMs the grader starts get the policy: unless turned off, or its agent cannot be written. */
    public static boolean available() {
        return whyUnavailable() == null;
    }

    /** Why the policy is not available; null when it is. */
    private static synchronized String whyUnavailable() {
        if ("off".equalsIgnoreCase(System.getenv("STORAGELAB_SANDBOX"))) {
            return "turned off by STORAGELAB_SANDBOX=off";
        }
        if (agentJar == null && unavailable == null) {
            try {
                agentJar =
                        PolicyJars.write(FileTrees.temporaryFolder("storagelab-policy")); // deleted as the grader ends
            } catch (IOException | RuntimeException | LinkageError e) {
                unavailable = "its agent could not be written: " + e;
            }
        }
        return unavailable;
    }

    /** One sentence for the instructor's report. */
    public static String describe() {
        String why = whyUnavailable();
        if (why != null) {
            return "no in-JVM policy: " + why;
        }
        return "in-JVM policy (an agent, on JDK " + Runtime.version().feature()
                + "): lab code may use files only in its run's own folders, and no exec, exit, network,"
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
     * The JVM's own switches beside the agent, on the JDKs that have them: JNI and the foreign
     * function API denied to code not granted native access (nothing is: {@code
     * --enable-native-access} is never given), and no attach (Lincheck's agent is loaded at start
     * instead, {@link #flags}). {@code --sun-misc-unsafe-memory-access=deny} is not among them:
     * Lincheck and JMH, on the same class path, read field offsets through {@code sun.misc.Unsafe}.
     * Lab code reaches {@code Unsafe} by no path of the JDK's: {@code getUnsafe} refuses classes
     * off the boot and platform class paths, and its field only opens past the access checks, which
     * the agent refuses whatever the path (directly, through {@code Method.invoke}, a method
     * handle). The one it could reach is an {@code Unsafe} a library already holds and hands out:
     * that, the allow-list alone stops ({@link ClassScan}: no library's API is on the list).
     */
    static List<String> switches() {
        List<String> s = new ArrayList<>();
        if (Runtime.version().feature() >= 24) {
            s.add("--illegal-native-access=deny");
        }
        s.add("-XX:+DisableAttachMechanism");
        return s;
    }

    /**
     * The command-line flags that put a JVM whose class path is {@code classpath} under the lab
     * policy, lab code using files only under {@code folders}. Only when {@link #available()}.
     */
    public static List<String> flags(List<Entry> classpath, List<Path> folders) {
        List<String> switches = switches();
        String why = whyUnavailable();
        if (why != null) {
            throw new IllegalStateException("no in-JVM policy: " + why);
        }
        String labCode = String.join(
                java.io.File.pathSeparator,
                classpath.stream().filter(Entry::labCode).map(Entry::path).toList());
        String allowed = String.join(
                java.io.File.pathSeparator,
                folders.stream()
                        .map(f -> f.toAbsolutePath().normalize().toString())
                        .toList());
        List<String> flags = new ArrayList<>();
        flags.add("-javaagent:" + agentJar);
        flags.add("-D" + LabPolicy.LAB_CODE + "=" + labCode);
        flags.add("-D" + LabPolicy.FOLDERS + "=" + allowed);
        flags.add("-D" + AGENT + "=" + agentJar);
        flags.add("-D" + SWITCHES + "=" + String.join(" ", switches));
        flags.addAll(switches);
        // Lincheck attaches Byte Buddy's agent to its own JVM; loaded here at start, it finds it in place.
        // (A confined run's copy of a jar is named with a number before it.)
        classpath.stream()
                .map(Entry::path)
                .filter(p -> Path.of(p).getFileName().toString().matches("(\\d+-)?byte-buddy-agent-[0-9.]+\\.jar"))
                .findFirst()
                .ifPresent(jar -> flags.add("-javaagent:" + jar));
        return flags;
    }

    /**
     * The flags of a benchmark's JVMs (JMH's process and its forks), as {@code JDK_JAVA_OPTIONS},
     * which the {@code java} launcher reads: a JVM's forks inherit them.
     */
    public static String javaOptions(List<Entry> classpath, List<Path> folders) {
        return String.join(
                " ",
                flags(classpath, folders).stream().map(f -> "\"" + f + "\"").toList());
    }
}
