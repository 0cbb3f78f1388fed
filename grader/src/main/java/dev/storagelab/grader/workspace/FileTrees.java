package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.function.Predicate;

/** Copying and deleting directory trees, without following symbolic links. */
public final class FileTrees {

    /** The temporary folders of {@link #temporaryFolder} not deleted yet: the grader's shutdown deletes them. */
    private static final java.util.Set<Path> TEMPORARY = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Set when the grader is stopping (guarded by {@code TEMPORARY}'s monitor for {@link #temporaryFolder}):
     * from then on no copy writes another file and no temporary folder is made. The grading's own
     * thread runs on while the shutdown deletes its folders, and a copy it was making (a lab's seed)
     * refilled a folder faster than the deletion emptied it: stopped mid-grade, the grader left its
     * scratch folder in 8 stops of 10.
     */
    private static volatile boolean stopping;

    /** How many times the shutdown tries to delete a folder that a file still being written kept. */
    private static final int SHUTDOWN_TRIES = 20;

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(FileTrees::deleteTemporaryFolders, "storagelab-temporary-folders"));
    }

    /** The shutdown: no copy or temporary folder from now on, and every temporary folder deleted. */
    private static void deleteTemporaryFolders() {
        List<Path> folders;
        synchronized (TEMPORARY) {
            stopping = true;
            folders = List.copyOf(TEMPORARY);
        }
        for (Path p : folders) {
            // a file another thread (or a child being killed) was writing as the copies stopped may
            // land after a walk passed its folder: try again, briefly
            for (int i = 0; i < SHUTDOWN_TRIES && Files.exists(p, LinkOption.NOFOLLOW_LINKS); i++) {
                try {
                    deleteRecursively(p);
                } catch (IOException | RuntimeException e) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private FileTrees() {}

    /**
     * A new folder in the temp folder, named {@code prefix} and a number, that is deleted with
     * {@link #deleteRecursively} when its work is done, or by the grader's shutdown when the grader
     * is stopped first (SIGTERM, SIGINT): a stopped grading leaves no folder behind.
     */
    public static Path temporaryFolder(String prefix) throws IOException {
        synchronized (TEMPORARY) {
            refuseWhileStopping();
            Path dir = Files.createTempDirectory(prefix);
            TEMPORARY.add(dir);
            return dir;
        }
    }

    private static void refuseWhileStopping() throws IOException {
        if (stopping) {
            throw new IOException("the grader is stopping: it writes no more files");
        }
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
                refuseWhileStopping();
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
