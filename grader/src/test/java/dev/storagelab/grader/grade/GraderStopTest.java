package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.workspace.ChildProcesses;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Rubric;
import dev.storagelab.grader.workspace.TemporaryFolderHolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grader that is stopped (SIGTERM: a platform's time limit, an instructor's {@code kill}) while a
 * test JVM runs a student's endless loop leaves no process and no folder behind: its shutdown kills
 * what it started and starts nothing more ({@link ChildProcesses}), and deletes its scratch folders
 * ({@link FileTrees#temporaryFolder}). Before, the test JVM spun on for good,
 * as its test user, with its folders deleted under it.
 */
class GraderStopTest {

    @TempDir
    static Path tmp;

    @Test
    void aStoppedGraderLeavesNoTestJvmRunning() throws Exception {
        Path ws = Fixtures.fixtureWorkspace(tmp.resolve("ws"));
        Path calc = ws.resolve("lab-01-calc/src/main/java/fixture/calc/Calc.java");
        String code = Files.readString(calc, StandardCharsets.UTF_8);
        Files.writeString(
                calc,
                code.replace(
                        "        return a + b;",
                        "        while (System.nanoTime() != 0) { Thread.onSpinWait(); } // a student's endless loop\n"
                                + "        return a + b;"),
                StandardCharsets.UTF_8);
        // the test's own deadline far away: only the grader's stop can end the loop in time
        Path rubric = ws.resolve(Rubric.PATH);
        Files.writeString(
                rubric, Files.readString(rubric).replace("deadline.test.seconds = 6", "deadline.test.seconds = 600"));
        // The grader's temp folder, named in every command line it starts: short, as its runs' socket
        // paths must be (a Unix socket's path has at most 107 bytes).
        Path marker = Files.createDirectories(
                Path.of("/tmp", "gst" + ProcessHandle.current().pid()));

        Process grader = Fixtures.graderProcess(
                ws,
                marker,
                java.util.Map.of(),
                tmp.resolve("grader.log"),
                "grade",
                "--offline",
                "--no-perf",
                "--lab",
                "01",
                "--out",
                tmp.resolve("out").toString());
        try {
            ProcessHandle testJvm = null;
            for (long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5); testJvm == null; ) {
                assertThat(log(), grader.isAlive(), is(true));
                assertThat("no test JVM started in 5 minutes: " + log(), System.nanoTime() < end, is(true));
                testJvm = grader.descendants()
                        .filter(h -> h.info().commandLine().orElse("").contains("HiddenTestRunner"))
                        .findFirst()
                        .orElse(null);
                Thread.sleep(50);
            }
            Thread.sleep(1000); // into the loop
            grader.destroy(); // SIGTERM
            assertThat("the grader ends when told to", grader.waitFor(2, TimeUnit.MINUTES), is(true));
            List<String> left = started(marker);
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    !left.isEmpty() && System.nanoTime() < end; ) {
                Thread.sleep(100);
                left = started(marker);
            }
            assertThat("processes the stopped grader left running", left, empty());
            assertThat(testJvm.isAlive(), is(false));
            List<String> folders;
            try (java.util.stream.Stream<Path> s = Files.list(marker)) {
                folders = s.map(p -> p.getFileName().toString()).toList();
            }
            assertThat("what the stopped grader left in its temp folder", folders, empty());
        } finally {
            grader.destroyForcibly();
            ProcessHandle.allProcesses()
                    .filter(h -> h.info().commandLine().orElse("").contains(marker.toString()))
                    .forEach(ProcessHandle::destroyForcibly);
            FileTrees.deleteRecursively(marker);
        }
    }

    @Test
    void aStoppedGradersScratchFolderIsDeleted() throws Exception {
        Process holder = holder();
        try {
            Path dir = folderOf(holder);
            assertThat(Files.isRegularFile(dir.resolve("work/file")), is(true));
            holder.destroy(); // SIGTERM
            assertThat(holder.waitFor(1, TimeUnit.MINUTES), is(true));
            assertThat(dir + " is left", Files.exists(dir), is(false));
        } finally {
            holder.destroyForcibly();
        }
    }

    /**
     * A grader is stopped while its own thread copies into its scratch folder (a lab's seed), which
     * goes on while the shutdown deletes the folder: the copies stop and the folder goes. Before, the
     * copying refilled it faster than the deletion emptied it, and 8 stops in 10 left it behind.
     */
    @Test
    void aGraderStoppedWhileItCopiesLeavesNoScratchFolder() throws Exception {
        for (int stop = 0; stop < 3; stop++) {
            Process holder = holder("copying", tmp.resolve("tree-" + stop).toString());
            Path dir = null;
            try {
                dir = folderOf(holder);
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        !Files.exists(dir.resolve("seed-3")) && System.nanoTime() < end; ) {
                    Thread.sleep(20);
                }
                assertThat("copying into " + dir, Files.exists(dir.resolve("seed-3")), is(true));
                holder.destroy(); // SIGTERM, mid-copy
                assertThat(holder.waitFor(1, TimeUnit.MINUTES), is(true));
                assertThat("stop " + (stop + 1) + " left " + dir, Files.exists(dir), is(false));
            } finally {
                holder.destroyForcibly();
                holder.waitFor(1, TimeUnit.MINUTES);
                if (dir != null) {
                    FileTrees.deleteRecursively(dir); // what a failing stop left
                }
            }
        }
    }

    /** A {@link TemporaryFolderHolder} JVM started with {@code args}. */
    private static Process holder(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                TemporaryFolderHolder.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The temporary folder {@code holder} made: the first line it prints. */
    private static Path folderOf(Process holder) throws IOException {
        return Path.of(new java.io.BufferedReader(
                        new java.io.InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                .readLine());
    }

    @Test
    void aTempFolderTooLongForTheRunsSocketsIsNamedWithWhatToDo() throws Exception {
        Path ws = Fixtures.fixtureWorkspace(tmp.resolve("ws-long"));
        Path longTmp =
                Files.createDirectories(tmp.resolve("a-temp-folder-whose-path-leaves-no-room-for-a-unix-socket"));
        Path log = tmp.resolve("long.log");
        Process grader = Fixtures.graderProcess(
                ws,
                longTmp,
                java.util.Map.of(),
                log,
                "grade",
                "--offline",
                "--no-perf",
                "--lab",
                "02",
                "--out",
                tmp.resolve("out-long").toString());
        assertThat(grader.waitFor(5, TimeUnit.MINUTES), is(true));
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(out, grader.exitValue(), is(2));
        assertThat(out, containsString("has too long a path for its test runs' sockets"));
        assertThat(out, containsString("-Djava.io.tmpdir=/tmp"));
        assertThat("refused before any work", out, not(containsString("building")));
        assertThat("a command that fails changes nothing", Files.exists(tmp.resolve("out-long")), is(false));
    }

    /** The live processes the grader with temp folder {@code marker} started, by their command lines. */
    private static List<String> started(Path marker) {
        List<String> out = new ArrayList<>();
        ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .forEach(h -> h.info().commandLine().ifPresent(c -> {
                    if (c.contains(marker.toString())
                            && h.pid() != ProcessHandle.current().pid()) {
                        out.add(h.pid() + " " + (c.length() > 200 ? c.substring(0, 200) : c));
                    }
                }));
        return out;
    }

    private static String log() throws IOException {
        Path log = tmp.resolve("grader.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
