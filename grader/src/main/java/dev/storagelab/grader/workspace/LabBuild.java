package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds labs of a workspace copy with Maven (compile, test-compile, and the test classpath file
 * the parent pom writes), and reads back what each lab needs to run its tests.
 */
public final class LabBuild {

    /** What one build did. */
    public record Result(boolean finished, int exitCode, String log, Duration time) {}

    private LabBuild() {}

    /**
     * The lock-discipline check (Error Prone's GuardedBy, the parent pom's {@code storagelab.lockcheck})
     * as a warning: a submission that touches a guarded field without its lock still compiles, and
     * loses what its tests show, not the whole lab.
     */
    static final String LOCK_CHECK_WARNS = "-Dstoragelab.lockcheck=WARN";

    /**
     * No lock check at all, in a grading's build ({@link #build}): it compiles without Error Prone
     * (the parent pom's profile {@code no-lockcheck}), whose warnings a grading never showed (its
     * Maven output is errors only); the same errors, in a fifth less CPU for a small lab.
     */
    static final String LOCK_CHECK_OFF = "-Dstoragelab.lockcheck=OFF";

    /** The Maven command: {@code $STORAGELAB_MVN} if set, else {@code mvn} on the PATH; the lock check warns. */
    public static List<String> maven() {
        return maven(LOCK_CHECK_WARNS);
    }

    private static List<String> maven(String lockCheck) {
        String mvn = System.getenv("STORAGELAB_MVN");
        List<String> cmd = new ArrayList<>();
        cmd.add(mvn == null || mvn.isBlank() ? "mvn" : mvn);
        cmd.add(lockCheck);
        String extra = System.getenv("STORAGELAB_MAVEN_ARGS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        return cmd;
    }

    /**
     * Compiles {@code labs} (and what they build on) in {@code root}, continuing past a lab that
     * fails so the others still build. Tests are compiled, not run.
     */
    public static Result build(Path root, List<Lab> labs, Duration deadline, boolean offline) throws IOException {
        List<String> cmd = maven(LOCK_CHECK_OFF);
        cmd.addAll(List.of(
                "-B",
                "-q",
                "-fae",
                "-Dstyle.color=never",
                "-Denforcer.skip=true",
                "-DskipTests",
                // Stale sources by time, not Maven's record of the absolute paths it compiled: a copy
                // seeded with the reference's classes (WorkspaceCopies.seed) then recompiles only the
                // labs whose classes were removed. A lab whose classes are absent is compiled whole.
                "-Dmaven.compiler.useIncrementalCompilation=false"));
        if (offline) {
            cmd.add("-o");
        }
        cmd.add("-pl");
        cmd.add(labs.stream().map(Lab::directory).collect(Collectors.joining(",")));
        cmd.add("-am");
        cmd.add("process-test-classes");
        Path log = Files.createTempFile(root, "build", ".log");
        long start = System.nanoTime();
        Process p = ChildProcesses.start(new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()));
        boolean finished;
        try {
            finished = ChildProcesses.awaitOrKill(p, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        // Strip terminal colour codes, whatever Maven decided about colour.
        String text = Files.readString(log, StandardCharsets.UTF_8).replaceAll("\u001B\\[[;\\d]*m", "");
        Files.deleteIfExists(log);
        return new Result(finished, finished ? p.exitValue() : -1, text, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Whether {@code lab} was built: its test classes and classpath file exist. */
    public static boolean built(Path root, Lab lab) {
        Path module = root.resolve(lab.directory());
        return Files.isRegularFile(module.resolve("target/test-classpath.txt"))
                && Files.isDirectory(module.resolve("target/classes"));
    }

    /**
     * The compiler errors in {@code log} that concern {@code lab}, with workspace paths made
     * relative. An error in the hidden tests (they call the student's code) is told as what the
     * tests needed of the student's classes, never as the hidden file, line or call.
     */
    public static String errorsFor(String log, Path root, Lab lab) {
        String prefix = root.toAbsolutePath() + "/";
        List<String> lines = new ArrayList<>();
        java.util.Set<String> needed = new java.util.LinkedHashSet<>();
        boolean inHidden = false;
        String symbol = null;
        for (String raw : log.lines().toList()) {
            if (!raw.contains("[ERROR]")) {
                continue;
            }
            String l = raw.replace(prefix, "");
            boolean header = l.matches(".*\\.java:\\[\\d+,\\d+\\].*");
            if (header) {
                inHidden = l.contains("/src/hidden/");
                symbol = null;
                if (inHidden) {
                    String what =
                            l.replaceFirst(".*\\.java:\\[\\d+,\\d+\\]\\s*", "").strip();
                    if (!what.startsWith("cannot find symbol")) {
                        needed.add("the graded tests do not compile against your code (" + what.replaceAll("\\s+", " ")
                                + "): keep the classes, methods and types the handout gives");
                    }
                    continue;
                }
            } else if (inHidden) {
                String detail = l.replaceFirst("^.*\\[ERROR\\]\\s*", "").strip();
                if (detail.startsWith("symbol:")) {
                    symbol = detail.substring("symbol:".length()).strip();
                } else if (detail.startsWith("location:") && symbol != null) {
                    needed.add(
                            "the graded tests use " + symbol + " of "
                                    + detail.substring("location:".length())
                                            .strip()
                                            .replaceFirst("^(variable \\S+ of type |class |interface )", "")
                                    + ", which your code does not have (or has with other parameter types): keep the handout's signatures");
                    symbol = null;
                }
                continue;
            }
            if (l.contains(lab.directory() + "/")) {
                lines.add(l);
            }
        }
        List<String> out = new ArrayList<>(needed);
        out.addAll(lines.stream().distinct().limit(30).toList());
        if (out.isEmpty()) {
            out = log.lines()
                    .filter(l -> l.contains("[ERROR]") && !l.contains("/src/hidden/"))
                    .map(l -> l.replace(prefix, ""))
                    .limit(15)
                    .toList();
        }
        return String.join("\n", out);
    }

    /** The test classpath of a built module: test classes, classes, then every dependency. */
    public static List<Path> testClasspath(Path module) throws IOException {
        List<Path> cp = new ArrayList<>();
        cp.add(module.resolve("target/test-classes"));
        cp.add(module.resolve("target/classes"));
        String deps = Files.readString(module.resolve("target/test-classpath.txt"), StandardCharsets.UTF_8)
                .trim();
        if (!deps.isEmpty()) {
            for (String entry : deps.split(java.io.File.pathSeparator)) {
                cp.add(Path.of(entry));
            }
        }
        return cp;
    }
}
