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

    private FileTrees() {
    }

    /** Deletes {@code dir} and everything under it; a missing directory is fine. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
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
    public static int copyWithBuildOutput(Path from, Path to) throws IOException {
        return copy(from, to, p -> true, true);
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
