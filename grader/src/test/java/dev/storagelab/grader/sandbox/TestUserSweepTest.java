package dev.storagelab.grader.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.FileTrees;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a confined run's user leaves in the folders anyone may write to ({@link TestUserSweep}):
 * here the attach socket of a test JVM that attached to itself, as Lincheck's agent does, and was
 * killed, so that the socket in {@code /tmp} outlived it. It is gone once the run closes, and, when
 * the grader died with the run open, before the next run of that user starts. Only where test JVMs
 * are confined (a grader running as root).
 */
class TestUserSweepTest {

    /** The folders the grader promises to leave clean of a test user's files. */
    private static final List<String> SWEPT = List.of("/tmp", "/var/tmp", "/dev/shm", "/run/lock");

    @TempDir
    Path tmp;

    @BeforeEach
    void onlyWhereConfined() {
        Fixtures.assumeConfined();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSelfAttachedTestJvmThatIsKilledLeavesNoFileOfItsUser() throws Exception {
        int uid;
        Instant before;
        try (Confinement.Run run = Confinement.current().open(List.of(probeClasses()))) {
            uid = run.uid();
            Process jvm = startSelfAttaching(run);
            Path socket;
            try {
                socket = attachSocket(attachedPid(jvm));
                assertThat(
                        "the test JVM's attach socket is in /tmp, its user's",
                        Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        is(uid));
            } finally {
                jvm.destroyForcibly();
                jvm.waitFor();
            }
            assertThat(
                    "killed, the JVM left its socket behind for the sweep",
                    Files.exists(socket, LinkOption.NOFOLLOW_LINKS),
                    is(true));
            before = Instant.now();
        }
        assertThat(
                "after the run closed, nothing of user " + uid + " is left in " + SWEPT, filesOf(uid, before), empty());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void whatTheRunOfAGraderThatDiedLeftIsGoneBeforeItsUsersNextRunStarts() throws Exception {
        List<String> cmd = List.of(
                java(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                DyingGrader.class.getName(),
                probeClasses().toString());
        Process grader = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String[] said;
        try {
            String line = new BufferedReader(new InputStreamReader(grader.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat("the other grader started its test JVM", line, notNullValue());
            assertThat(line, matchesPattern("\\d+ \\d+ /.+"));
            said = line.split(" ", 3);
        } finally {
            grader.destroyForcibly(); // it dies with its run open: nothing of its user was ended or swept
            grader.waitFor();
        }
        int uid = Integer.parseInt(said[0]);
        Path socket = attachSocket(said[1]);
        Path deadGradersFolder = Path.of(said[2]);
        assertThat(deadGradersFolder.getFileName().toString(), startsWith("storagelab-confined"));
        List<Confinement.Run> held = new ArrayList<>();
        Instant before = Instant.now();
        try {
            assertThat(
                    "the dead grader's test JVM, still running, holds its socket",
                    Files.exists(socket, LinkOption.NOFOLLOW_LINKS),
                    is(true));
            Confinement.Run next = null;
            while (next == null && held.size() < Confinement.UIDS) {
                Confinement.Run run = Confinement.current().open(List.of());
                if (run.uid() == uid) {
                    next = run;
                }
                held.add(run);
            }
            assertThat("user " + uid + " is leased again", next, notNullValue());
            assertThat(
                    "the dead grader's test JVM was ended, and its socket is gone, before the next run of user " + uid
                            + " starts",
                    Files.exists(socket, LinkOption.NOFOLLOW_LINKS),
                    is(false));
            assertThat(
                    "the dead grader's own folder (its runs' class paths and files) is gone once another run starts",
                    Files.exists(deadGradersFolder, LinkOption.NOFOLLOW_LINKS),
                    is(false));
        } finally {
            for (Confinement.Run run : held) {
                run.close();
            }
            FileTrees.deleteRecursively(deadGradersFolder); // root's: only where the assertion above failed
        }
        assertThat(
                "after the next run closed, nothing of user " + uid + " is left in " + SWEPT,
                filesOf(uid, before),
                empty());
    }

    /** A class folder holding {@link SelfAttachingJvm} alone, for a run's class path. */
    private Path probeClasses() throws IOException {
        String name = SelfAttachingJvm.class.getName().replace('.', '/') + ".class";
        Path target = tmp.resolve("classes").resolve(name);
        Files.createDirectories(target.getParent());
        try (InputStream in = SelfAttachingJvm.class.getResourceAsStream("/" + name)) {
            Files.copy(in, target);
        }
        return tmp.resolve("classes");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@link SelfAttachingJvm} as {@code run}'s user, started as the grader starts a test JVM. */
    static Process startSelfAttaching(Confinement.Run run) throws IOException {
        List<String> cmd = List.of(
                java(),
                "-Xmx32m",
                "-Djdk.attach.allowAttachSelf=true",
                "-Djava.io.tmpdir=" + run.tmp(),
                "-cp",
                String.join(File.pathSeparator, run.classpath()),
                SelfAttachingJvm.class.getName());
        ProcessBuilder b = new ProcessBuilder(run.command(cmd))
                .directory(run.work().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        b.environment().clear();
        b.environment().putAll(run.environment());
        return b.start();
    }

    /** The pid that {@link SelfAttachingJvm} prints once it has attached to itself. */
    static String attachedPid(Process jvm) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.matches("attached \\d+")) {
                return line.substring("attached ".length());
            }
        }
        throw new AssertionError("the test JVM ended before it attached to itself (exit " + waitFor(jvm) + ")");
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Where HotSpot puts the attach socket of JVM {@code pid}: {@code /tmp}, whatever {@code java.io.tmpdir} says. */
    private static Path attachSocket(String pid) {
        return Path.of("/tmp/.java_pid" + pid);
    }

    /**
     * Every file {@code uid} owns in the swept folders, at any depth (find(1), as an instructor would
     * look), last changed before {@code before}: what a later run of the same user (another grader
     * on the machine may lease it at once) writes is not this run's.
     */
    private static List<String> filesOf(int uid, Instant before) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("find"));
        cmd.addAll(SWEPT);
        cmd.addAll(List.of("-uid", Integer.toString(uid), "-printf", "%T@ %p\\n"));
        Process find = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> found;
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(find.getInputStream(), StandardCharsets.UTF_8))) {
            found = lines.lines()
                    .filter(l -> new BigDecimal(l.substring(0, l.indexOf(' '))).compareTo(seconds(before)) < 0)
                    .map(l -> l.substring(l.indexOf(' ') + 1))
                    .toList();
        }
        find.waitFor();
        return found;
    }

    private static BigDecimal seconds(Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9));
    }
}
