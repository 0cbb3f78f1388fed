package dev.storagelab.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Scratch copies of the instructor's workspace, overlaid with a submission's labs: what grading
 * and benchmarking build and run, so the workspace itself is only ever read.
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
     * Takes from the submission the files of {@code lab} a student owns: the reference's files
     * that hold solution regions, and files the reference does not have (the student's own
     * helpers). Every other file (the given code: I/O layer, formats, test helpers) stays the
     * instructor's, so a submission cannot pass tests by changing what it was given. A file the
     * student owns that the submission does not hold (left out, or a link, which is never taken) is
     * as the release gave it, its regions not implemented: never the reference's solution, which
     * {@code root} was copied from.
     */
    public static void overlay(Submission submission, Lab lab, Path root) throws IOException {
        Path to = root.resolve(lab.studentSources());
        java.util.Set<String> owned = new java.util.HashSet<>();
        if (Files.isDirectory(to)) {
            try (Stream<Path> files = Files.walk(to)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")
                                && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .toList()) {
                    String rel = root.relativize(p).toString();
                    String text = Files.readString(p, java.nio.charset.StandardCharsets.UTF_8);
                    // a real region marker, not the words in a comment (NotImplementedException's Javadoc has them)
                    if (!Regions.find(text, rel, lab).isEmpty()) {
                        owned.add(to.relativize(p).toString());
                        Files.writeString(p, Regions.exportJava(text, rel, lab).text());
                    }
                }
            }
        }
        Path from = submission.root().resolve(lab.studentSources());
        if (!Files.isDirectory(from)) {
            return;
        }
        FileTrees.copy(
                from,
                to,
                rel -> rel.toString().endsWith(".java")
                        && (owned.contains(rel.toString()) || !Files.exists(to.resolve(rel.toString()))));
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

    /**
     * Whether the .java files of {@code lab}'s student sources are identical in both trees, both the
     * grader's own (a submission is compared by its copy, {@link Submission#root}, never where it
     * lies): a link is never followed, so it is never the same as a file.
     */
    public static boolean sameSources(Path a, Path b, Lab lab) {
        try {
            Map<Path, byte[]> left = javaFiles(a.resolve(lab.studentSources()));
            Map<Path, byte[]> right = javaFiles(b.resolve(lab.studentSources()));
            if (!left.keySet().equals(right.keySet())) {
                return false;
            }
            return left.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), right.get(e.getKey())));
        } catch (IOException | RuntimeException e) {
            return false; // not comparable: built as a submission
        }
    }

    /** The bytes of every .java file under {@code dir} (a grader's copy), by path relative to it; links are not followed. */
    static Map<Path, byte[]> javaFiles(Path dir) throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && f.toString().endsWith(".java"))
                    .toList()) {
                files.put(dir.relativize(p), Submission.read(p, Submission.MAX_SOURCE_BYTES));
            }
        }
        return files;
    }
}
