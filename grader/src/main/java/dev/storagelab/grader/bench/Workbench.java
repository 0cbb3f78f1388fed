package dev.storagelab.grader.bench;

import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs the workbench ({@code workbench/}: workloads and the shell over every engine) in a child
 * JVM, building it first when it is missing or older than the sources it is made of. The grader
 * itself never links against lab code: a lab that does not compile must not break grading, so
 * only {@code workload} and {@code shell}, which need the engines, build them.
 */
public final class Workbench {

    static final String MODULE = "workbench";
    static final String JAR = MODULE + "/target/storagelab-workbench.jar";
    /** The Maven profile that adds the production peers (RocksDB, LevelDB, H2 MVStore) to the workbench. */
    public static final String PEERS_PROFILE = "peers";

    private Workbench() {}

    /** Builds the workbench if stale, then runs it with {@code args} on this process's terminal; returns its exit code. */
    public static int run(Workspace workspace, List<String> args) throws IOException, InterruptedException {
        Path root = workspace.root();
        Path jar = root.resolve(JAR);
        if (stale(root, jar)) {
            System.err.println("storagelab: building the workbench and the engines it runs ...");
            // Maven's output goes to a log, shown (on standard error) only if the build fails:
            // standard output is the workbench's, so `workload --json > result.json` parses.
            Path log = Files.createTempFile("storagelab-workbench-build", ".log");
            if (!build(root, false, false, ProcessBuilder.Redirect.to(log.toFile()))) {
                System.err.print(Files.readString(log).replaceAll("\u001B\\[[;\\d]*m", ""));
                System.err.println("storagelab: could not build the workbench: an engine it runs does not compile"
                        + " (Maven's output is above, and in " + log + ")");
                return 2;
            }
            Files.deleteIfExists(log);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put(EXIT_WITH_PARENT, "1");
        Process child = pb.start();
        // Ended from outside (SIGTERM, SIGINT, a closed terminal), the launcher ends its workbench too,
        // and waits for it to clean up (viz: its port and its temporary folder); the workbench also
        // ends by itself when this process is gone, SIGKILL included (EXIT_WITH_PARENT).
        Thread stop = new Thread(() -> stopChild(child), "storagelab-stop-workbench");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return child.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    /**
     * The variable the workbench's main reads: set to 1, the workbench ends when the process that
     * started it is gone.
     */
    public static final String EXIT_WITH_PARENT = "STORAGELAB_EXIT_WITH_PARENT";

    /** How long the workbench has to end cleanly once asked, before it is killed. */
    static final long STOP_MILLIS = 4_000;

    private static void stopChild(Process child) {
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(STOP_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The workbench jar of the workspace at {@code root} (built by {@link #build}). */
    public static Path jar(Path root) {
        return root.resolve(JAR);
    }

    /**
     * Builds the workbench jar of the workspace at {@code root} and the labs it runs, with the
     * production peers if {@code peers} (their jars are then downloaded on first use); Maven's
     * output goes to {@code output}. Returns whether the build succeeded.
     */
    public static boolean build(Path root, boolean peers, boolean offline, ProcessBuilder.Redirect output)
            throws IOException, InterruptedException {
        return build(root, peers, offline, false, output);
    }

    /**
     * As {@link #build(Path, boolean, boolean, ProcessBuilder.Redirect)}; in a {@code copy} of the
     * workspace (a bench's reference or submission, built by a grading's build or seeded with its
     * classes), sources are compared with classes by time, as {@link LabBuild#build} does, not by
     * Maven's record of the absolute paths it compiled, which names where the classes were first
     * built and so compiled every lab again (a bench of the reference copied with its classes built
     * the workbench with the peers in 109 s and 60 s of CPU this way, against 28 s and 20 s); and
     * no test is compiled: the workloads run the engines alone.
     */
    public static boolean build(Path root, boolean peers, boolean offline, boolean copy, ProcessBuilder.Redirect output)
            throws IOException, InterruptedException {
        List<String> build = new ArrayList<>(LabBuild.maven());
        build.addAll(List.of(
                "-B",
                "-q",
                "-Dstyle.color=never",
                "-Denforcer.skip=true",
                "-DskipTests",
                "-pl",
                MODULE,
                "-am",
                "package"));
        if (copy) {
            build.add("-Dmaven.test.skip=true");
            build.add("-Dmaven.compiler.useIncrementalCompilation=false");
        }
        if (peers) {
            build.add("-P" + PEERS_PROFILE);
        }
        if (offline) {
            build.add("-o");
        }
        Process p = new ProcessBuilder(build)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output)
                .start();
        return p.waitFor() == 0;
    }

    /** Whether the jar is missing or older than any source or pom of the modules it is built from. */
    static boolean stale(Path root, Path jar) throws IOException {
        if (!Files.exists(jar)) {
            return true;
        }
        FileTime built = Files.getLastModifiedTime(jar);
        try (Stream<Path> top = Files.list(root)) {
            for (Path module : top.filter(Files::isDirectory).toList()) {
                String name = module.getFileName().toString();
                if (!(name.startsWith("lab-") || name.equals(MODULE) || name.equals("testkit"))) {
                    continue;
                }
                if (newer(module.resolve("pom.xml"), built) || newerUnder(module.resolve("src/main"), built)) {
                    return true;
                }
            }
        }
        return newer(root.resolve("pom.xml"), built);
    }

    private static boolean newer(Path file, FileTime than) throws IOException {
        return Files.exists(file) && Files.getLastModifiedTime(file).compareTo(than) > 0;
    }

    private static boolean newerUnder(Path dir, FileTime than) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> {
                try {
                    return Files.isRegularFile(f)
                            && Files.getLastModifiedTime(f).compareTo(than) > 0;
                } catch (IOException e) {
                    return true;
                }
            });
        }
    }
}
