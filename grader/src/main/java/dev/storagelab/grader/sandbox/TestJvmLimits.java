package dev.storagelab.grader.sandbox;

import dev.storagelab.grader.workspace.Rubric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What bounds a test JVM as a whole, by the OS, beside the flags that cap its heap, direct buffers
 * and class metadata ({@link Rubric#testJvmMemoryFlags}): a JVM's memory beside its heap has no
 * flag for all of it (a thread may ask for a stack of any size, and one submission's JVMs of 768 MiB
 * heap grew to 21 GB each), so the JVM starts under util-linux's {@code prlimit} with
 * <ul>
 *   <li>{@code RLIMIT_DATA} at {@link Rubric#testJvmMemoryMegabytes}: the private writable memory
 *       of the process (its heap, thread stacks, metaspace, compiled code, direct buffers,
 *       {@code malloc}), counted when mapped, so a thread with a huge stack is refused at its
 *       start and the test fails with an OutOfMemoryError ("unable to create native thread"), and
 *       an allocation past it ends that JVM ("insufficient memory for the Java Runtime
 *       Environment"): the test's row says so, and the machine never runs short. A JVM a test
 *       starts (a crash test's child) inherits the limit;</li>
 *   <li>{@code RLIMIT_NOFILE}: at most {@value #MAX_OPEN_FILES} open files;</li>
 *   <li>{@code RLIMIT_FSIZE}: no file larger than the run's disk quota;</li>
 *   <li>{@code RLIMIT_CORE} 0: a crash writes no core file.</li>
 * </ul>
 * Threads are bounded by the memory their stacks take, and where the run has a user of its own by
 * {@code RLIMIT_NPROC} too ({@link Confinement}); files and folders by the disk quota ({@link
 * DiskQuota}). Without {@code prlimit} (another OS) only the JVM's flags bound it.
 */
public final class TestJvmLimits {

    /** The most files a test JVM may hold open at once. */
    static final long MAX_OPEN_FILES = 4096;

    private static final Path PRLIMIT = Confinement.find("prlimit");

    private TestJvmLimits() {}

    /** Whether the OS limits apply: util-linux's {@code prlimit} is there. */
    public static boolean available() {
        return PRLIMIT != null && Files.isExecutable(PRLIMIT);
    }

    /**
     * {@code command} (a test JVM's, or the command that starts one as another user) started under
     * the limits of a test JVM that may use {@code memoryBytes} in all and write no file larger than
     * {@code maxFileBytes}; {@code command} itself where {@code prlimit} is missing.
     */
    public static List<String> command(List<String> command, long memoryBytes, long maxFileBytes) {
        if (!available()) {
            return command;
        }
        List<String> cmd = new ArrayList<>(List.of(
                PRLIMIT.toString(),
                "--data=" + memoryBytes + ":" + memoryBytes,
                "--nofile=" + MAX_OPEN_FILES + ":" + MAX_OPEN_FILES,
                "--fsize=" + maxFileBytes + ":" + maxFileBytes,
                "--core=0:0",
                "--"));
        cmd.addAll(command);
        return cmd;
    }
}
