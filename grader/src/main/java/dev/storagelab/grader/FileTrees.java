package dev.storagelab.grader;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/** Copying and deleting directory trees, without following symbolic links. */
public final class FileTrees {

    /** The temporary folders of {@link #temporaryFolder} not deleted yet: the grader's shutdown deletes them. */
    private static final java.util.Set<Path> TEMPORARY = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (Path p : TEMPORARY) {
                                try {
                                    deleteRecursively(p);
                                } catch (IOException | RuntimeException e) {
                                    // a leftover folder in the temp folder, nothing worse
                                }
                            }
                        },
                        "storagelab-temporary-folders"));
    }

    private FileTrees() {}

    /**
     * A new folder in the temp folder, named {@code prefix} and a number, that is deleted with
     * {@link #deleteRecursively} when its work is done, or by the grader's shutdown when the grader
     * is stopped first (SIGTERM, SIGINT): a stopped grading leaves no folder behind.
     */
    public static Path temporaryFolder(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        TEMPORARY.add(dir);
        return dir;
    }

    /**
     * Deletes {@code dir} and everything under it, links themselves and never their targets; a
     * missing directory is fine. A tree Java cannot walk (deeper than the system's path limit, or
     * with folders its owner made unreadable) is deleted by {@code chmod -R} and {@code rm -rf},
     * which work relative to each folder and have no such limit.
     */
    public static void deleteRecursively(Path dir) throws IOException {
        try {
            deleteTree(dir);
        } finally {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                TEMPORARY.remove(dir);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            walkAndDelete(dir);
        } catch (IOException | RuntimeException e) {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    run("chmod", "-R", "u+rwX", "--", dir.toString());
                }
                run("rm", "-rf", "--one-file-system", "--", dir.toString());
            } catch (IOException x) {
                e.addSuppressed(x);
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw e instanceof IOException io ? io : new IOException("cannot delete " + dir + ": " + e, e);
            }
        }
    }

    private static void walkAndDelete(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Runs a coreutils command to its end; its output is not wanted. */
    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 5 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running " + command[0]);
        }
    }

    /**
     * Copies the regular files under {@code from} whose path relative to it passes {@code keep}
     * into {@code to}, replacing files there. Symbolic links are skipped: a submission must not
     * be able to point the grader at files outside it.
     */
    public static int copy(Path from, Path to, Predicate<Path> keep) throws IOException {
        return copy(from, to, keep, false);
    }

    /**
     * Copies {@code from} into {@code to} as {@link #copy(Path, Path, Predicate)} does, build output
     * ({@code target/}) included, with every file's modification time kept, so that a build tool
     * run in the copy finds the compiled classes as up to date as they were in {@code from}.
     */
    public static int copyWithBuildOutput(Path from, Path to, Predicate<Path> keep) throws IOException {
        return copy(from, to, keep, true);
    }

    private static int copy(Path from, Path to, Predicate<Path> keep, boolean builds) throws IOException {
        int[] count = {0};
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                Path rel = from.relativize(dir);
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                if (!rel.toString().isEmpty() && (name.equals(".git") || !builds && name.equals("target"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                Path rel = from.relativize(file);
                if (keep.test(rel)) {
                    Path dest = to.resolve(rel.toString());
                    Files.createDirectories(dest.getParent());
                    Files.copy(file, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    count[0]++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return count[0];
    }
}
