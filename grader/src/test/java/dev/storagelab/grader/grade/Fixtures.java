package dev.storagelab.grader.grade;

import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.sandbox.Confinement;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Rubric;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Paths to the real workspace and builders for the fixture workspace the grader's tests grade. */
public final class Fixtures {

    private Fixtures() {}

    /** What a run of the CLI printed, and its exit status. */
    public record CliRun(int exit, String out, String err) {}

    /** Runs {@code ./storagelab --workspace ROOT ARGS...} in this JVM. */
    public static CliRun cli(Path root, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "--workspace";
        all[1] = root.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int exit = Main.run(
                all,
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Starts {@code ./storagelab --workspace ROOT ARGS...} in a JVM of its own whose temp folder is
     * {@code javaTmp} (null: the default), with {@code env} added to its environment, its output
     * (both streams) going to {@code log}.
     */
    public static Process graderProcess(
            Path root, Path javaTmp, java.util.Map<String, String> env, Path log, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        if (javaTmp != null) {
            cmd.add("-Djava.io.tmpdir=" + javaTmp);
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "dev.storagelab.grader.cli.Main",
                "--workspace",
                root.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Whether the long proofs run whole ({@code -Dstoragelab.proofs=long}, which {@code .ci/long-proofs.sh}
     * sets): every lab and every line where {@code mvn verify} proves a smoke of them (the reference
     * graded in every lab, every performance line run, every lab's planted costly submission run on
     * its counted line, the exported release and the do-nothing release graded in every lab, every
     * lab's public tests run on the release and graded as local checks on it, the planted hangs graded
     * whole), and the proofs that run there alone ({@link #assumeLongProofs()}).
     */
    public static boolean longProofs() {
        return "long".equals(System.getProperty("storagelab.proofs"));
    }

    /**
     * Skips the calling test unless the long proofs run ({@link #longProofs()}): a proof that runs in
     * {@code .ci/long-proofs.sh} alone, whose Javadoc says what {@code mvn verify} proves instead.
     */
    public static void assumeLongProofs() {
        org.junit.jupiter.api.Assumptions.assumeTrue(longProofs(), "runs in .ci/long-proofs.sh");
    }

    /**
     * The labs a proof with a smoke grades: {@code smokeLab} in {@code mvn verify}, every lab of
     * {@code workspace} in the long proofs ({@link #longProofs()}).
     */
    public static List<String> proofLabs(Workspace workspace, String smokeLab) {
        return longProofs() ? workspace.labs().stream().map(Lab::id).toList() : List.of(smokeLab);
    }

    /** Skips the calling test unless test JVMs are confined (a grader running as root, as CI and Gradescope do). */
    public static void assumeConfined() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Confinement.current().on(),
                "test JVMs are not confined: " + Confinement.current().describe());
    }

    /** The real workspace: the grader module's parent directory. */
    public static Path realWorkspace() {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        return module.getParent();
    }

    public static Path resources() {
        return realWorkspace().resolve("grader/src/test/resources/fixtures");
    }

    /** A submission from {@code fixtures/submissions/NAME}. */
    public static Path submission(String name) {
        return resources().resolve("submissions").resolve(name);
    }

    /**
     * Builds the two-lab fixture workspace in {@code dir}: the fixture labs, the real parent pom
     * with its modules replaced, the real {@code .mvn/} (Maven's JVM options, so the fixture's
     * builds run Maven as the real workspace's do), the real {@code dev.storagelab.lab} classes,
     * and the fixture's short-deadline rubric.
     */
    public static Path fixtureWorkspace(Path dir) throws IOException {
        FileTrees.copy(resources().resolve("workspace"), dir, p -> !p.toString().equals("rubric.properties"));
        FileTrees.copy(realWorkspace().resolve(".mvn"), dir.resolve(".mvn"), p -> true);
        String pom = Files.readString(realWorkspace().resolve("pom.xml"), StandardCharsets.UTF_8)
                .replaceAll(
                        "(?s)<modules>.*?</modules>",
                        "<modules>\n    <module>lab-01-calc</module>\n    <module>lab-02-twice</module>\n  </modules>");
        Files.writeString(dir.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
        Path labPackage = realWorkspace().resolve("lab-01-binary-search/src/main/java/dev/storagelab/lab");
        FileTrees.copy(labPackage, dir.resolve("lab-01-calc/src/main/java/dev/storagelab/lab"), p -> true);
        Files.createDirectories(dir.resolve("grader"));
        Files.copy(resources().resolve("workspace/rubric.properties"), dir.resolve(Rubric.PATH));
        return dir;
    }

    /** This test JVM's built fixture references, by the digest of the workspace each was built from. */
    private static final java.util.Map<String, Path> SHARED_REFERENCES = new java.util.HashMap<>();

    /** Where {@link #sharedReference} builds them: a folder of this JVM's, deleted when it exits. */
    private static Path sharedReferences;

    /**
     * The reference of {@code workspace}, built once in this test JVM for every class that grades a
     * workspace with the same files: a grader's {@code sharedReference}, or the CLI's {@code
     * --reference-build}, as an instructor reuses a reference built once for a whole class. A fork
     * then builds each variant of the fixture once, where each class built its own (a Maven build of
     * 5 CPU-seconds a class). A folder per {@link WorkspaceCopies#digest}: a workspace with other
     * files gets a reference of its own, never one rebuilt in place, and the grader checks the stamp
     * against the workspace it grades before it reuses a build.
     */
    public static synchronized Path sharedReference(Path workspace) throws IOException {
        String digest = WorkspaceCopies.digest(workspace);
        Path dir = SHARED_REFERENCES.get(digest);
        if (dir == null) {
            if (sharedReferences == null) {
                Path root = Files.createTempDirectory("storagelab-fixture-references");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        FileTrees.deleteRecursively(root);
                    } catch (IOException e) {
                        System.err.println("cannot delete " + root + ": " + e.getMessage());
                    }
                }));
                sharedReferences = root;
            }
            dir = sharedReferences.resolve(digest.substring(0, 16));
            new Grader(Workspace.at(workspace), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), true)
                    .sharedReference(dir)
                    .prepareReference(List.of());
            SHARED_REFERENCES.put(digest, dir);
        }
        return dir;
    }

    /** What the reactor of a build leaves in a module's {@code target/} that a later build of the module compiles by. */
    private static final List<String> BUILD_OUTPUT = List.of(
            "classes",
            "test-classes",
            "generated-sources",
            "generated-test-sources",
            "maven-status",
            "test-classpath.txt");

    /**
     * The real workspace's reference, built, in {@code dir}, for a grader's {@code sharedReference}:
     * the workspace copied as the grader copies it, with the build output this Maven run's reactor
     * already made of testkit and every lab (copied with its times), then built by the grader's own
     * build ({@link LabBuild#build}), which compiles by time: a class the reactor compiled from
     * the same source is not compiled again, and whatever is missing or older than its source
     * (the reactor did not build the labs: {@code mvn -pl grader}) is. Stamped with the
     * workspace's digest, so a grader reuses it as it reuses a {@code --reference-build}.
     */
    public static Path reactorReference(Workspace workspace, Path dir) throws IOException {
        WorkspaceCopies.copy(workspace, dir);
        List<String> modules = new java.util.ArrayList<>(List.of("testkit"));
        workspace.labs().forEach(l -> modules.add(l.directory()));
        for (String module : modules) {
            Path target = workspace.root().resolve(module).resolve("target");
            for (String entry : BUILD_OUTPUT) {
                Path from = target.resolve(entry);
                Path to = dir.resolve(module).resolve("target").resolve(entry);
                if (Files.isDirectory(from)) {
                    FileTrees.copyWithBuildOutput(from, to, p -> true);
                } else if (Files.isRegularFile(from)) {
                    Files.createDirectories(to.getParent());
                    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Rubric rubric = Rubric.of(workspace);
        LabBuild.Result build = LabBuild.build(dir, workspace.labs(), rubric.buildDeadline(), true);
        for (Lab lab : workspace.labs()) {
            if (!LabBuild.built(dir, lab)) {
                throw new IOException("the reference workspace does not build " + lab.directory() + ":\n"
                        + LabBuild.errorsFor(build.log(), dir, lab));
            }
        }
        Files.writeString(dir.resolve(Grader.REFERENCE_STAMP), WorkspaceCopies.digest(workspace.root()) + "\n");
        return dir;
    }

    /** A digest of every file under {@code root} except build output: to prove nothing changed. */
    public static String treeDigest(Path root) {
        try {
            return WorkspaceCopies.digest(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The workspace files {@code patch} changes: a unified diff, paths from the workspace's root ({@code a/}, {@code b/}). */
    public static List<String> patchedFiles(Path patch) throws IOException {
        List<String> files = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\+\\+\\+ b/(\\S+)")
                .matcher(Files.readString(patch, StandardCharsets.UTF_8));
        while (m.find()) {
            files.add(m.group(1));
        }
        return files;
    }

    /** Applies {@code patch} to the files under {@code dir} ({@code patch -p1}), or throws saying it does not apply. */
    public static void applyPatch(Path patch, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("patch", "-s", "-p1", "-d", dir.toString(), "-i", patch.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(patch + " does not apply to the workspace: re-plant it by hand\n" + out);
        }
    }

    /**
     * The submission a planted fixture stands for, written to {@code dir}: the whole sources ({@code
     * src/main/java}) of each lab whose files {@code patch} changes, as the workspace has them, patched
     * (as {@code notes/figures/bug_fixtures.sh} makes them: a file a submission lacks is graded as
     * the release gives it, not implemented).
     */
    static Path patchedSubmission(Path patch, Path workspaceRoot, Path dir) throws IOException, InterruptedException {
        for (String f : patchedFiles(patch)) {
            String sources = f.substring(0, f.indexOf('/')) + "/src/main/java";
            if (!Files.isDirectory(dir.resolve(sources))) {
                FileTrees.copy(workspaceRoot.resolve(sources), dir.resolve(sources), p -> true);
            }
        }
        applyPatch(patch, dir);
        return dir;
    }
}
