package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scratch copies of the instructor's workspace, which a submission's labs are overlaid on
 * ({@code Submission#overlay}): what grading and benchmarking build and run, so the workspace
 * itself is only ever read.
 */
public final class WorkspaceCopies {

    private WorkspaceCopies() {}

    /** Copies the instructor's workspace (without builds or VCS data) to {@code dest}, replacing what was there. */
    public static void copy(Workspace workspace, Path dest) throws IOException {
        FileTrees.deleteRecursively(dest);
        Files.createDirectories(dest);
        FileTrees.copy(workspace.root(), dest, p -> true);
    }

    /**
     * Makes {@code dest} a copy of the built reference workspace {@code reference}, compiled classes
     * included, ready for {@code overlaid} labs to be overlaid: the build output of those labs and of
     * every lab that builds on them is removed, so a build in {@code dest} compiles exactly them
     * (from the sources it is given) and finds every other lab up to date. Build with
     * {@link LabBuild#build}, which compares sources and classes by time rather than by Maven's
     * record of absolute paths (that record names the reference, so it would recompile everything).
     */
    public static void seed(Workspace workspace, Path reference, Path dest, List<Lab> overlaid) throws IOException {
        FileTrees.deleteRecursively(dest);
        Files.createDirectories(dest);
        // The build output of a lab that is built again is not copied at all (copying it only to delete it was
        // most of a seed's work for an early lab, which every later lab builds on).
        java.util.Set<Path> rebuilt = new java.util.HashSet<>();
        for (Lab lab : workspace.labs()) {
            if (workspace.withDependencies(lab).stream().anyMatch(overlaid::contains)) {
                rebuilt.add(Path.of(lab.directory(), "target"));
            }
        }
        FileTrees.copyWithBuildOutput(
                reference, dest, rel -> seeded(rel) && rebuilt.stream().noneMatch(rel::startsWith));
    }

    /**
     * Whether {@code relative}, a path in the reference, goes into a seed. A seed builds labs and runs
     * their hidden tests and benchmarks (and, for {@code bench}, the workbench's engines), none of
     * which reads the notes, the grader's own sources and test fixtures, or an earlier grading's
     * results: those were over a third of every seed's files, each created and deleted again in every
     * lab's build of every grading. (A whole copy of the workspace, {@link #copy}, keeps them: a
     * lab's own test may read the notes it quotes, and the release's build compiles the grader.)
     * The grader's other files stay: its {@code pom.xml} is a module of the workspace's build, which
     * Maven reads whichever modules it builds.
     */
    static boolean seeded(Path relative) {
        if (relative.getNameCount() == 0) {
            return true;
        }
        String top = relative.getName(0).toString();
        return !top.equals("notes")
                && !top.equals("storagelab-out")
                && !(top.equals("grader")
                        && relative.getNameCount() > 1
                        && relative.getName(1).toString().equals("src"));
    }

    /**
     * A SHA-256 over every file under {@code root} (paths and contents) except build output, VCS
     * data and results: two trees with the same digest build the same reference.
     */
    public static String digest(Path root) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !isGenerated(root.relativize(p)))
                    .sorted()
                    .toList();
        }
        for (Path p : files) {
            md.update(root.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(p));
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** Folders a workspace writes but does not consist of: build output, VCS data, jqwik's database, results. */
    private static final java.util.Set<String> GENERATED =
            java.util.Set.of("target", ".git", ".jqwik-database", "storagelab-out");

    /** Whether {@code relative} (a path inside a workspace) lies in a folder the workspace generates. */
    public static boolean isGenerated(Path relative) {
        for (Path part : relative) {
            if (GENERATED.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    /** {@code labs} and every lab they build on, in build order. */
    public static List<Lab> closure(Workspace workspace, List<Lab> labs) {
        return workspace.labs().stream()
                .filter(l -> labs.stream()
                        .anyMatch(x -> workspace.withDependencies(x).contains(l)))
                .toList();
    }
}
