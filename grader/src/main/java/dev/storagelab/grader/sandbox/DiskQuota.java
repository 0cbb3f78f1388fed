package dev.storagelab.grader.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * How much a run has written in its folders, checked at most once a second: a run that writes
 * more than its quota, or more files than {@link #MAX_ENTRIES}, is stopped, so one student's test
 * cannot fill the grading machine's disk. (Outside its folders a run cannot write at all: the
 * JVM's policy, {@link SandboxPolicy}, and, as root, its own user id.)
 */
public final class DiskQuota {

    /** The most files and folders a run may make. */
    static final long MAX_ENTRIES = 1_000_000;

    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

    private final List<Path> folders;
    private final long bytes;
    private long lastCheck = System.nanoTime();
    private String exceeded;

    public DiskQuota(List<Path> folders, long bytes) {
        this.folders = List.copyOf(folders);
        this.bytes = bytes;
    }

    /** Why the run is over its quota, or null; measures again only when a second has passed. */
    public String exceeded() {
        long now = System.nanoTime();
        if (exceeded == null && now - lastCheck >= CHECK_EVERY_NANOS) {
            lastCheck = now;
            exceeded = measure();
        }
        return exceeded;
    }

    /** Why {@link #folders} hold too much, or null. */
    String measure() {
        long[] used = new long[2]; // bytes, entries
        for (Path folder : folders) {
            try {
                Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return ++used[1] > MAX_ENTRIES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        used[0] += attrs.size();
                        return ++used[1] > MAX_ENTRIES || used[0] > bytes
                                ? FileVisitResult.TERMINATE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult
                                .CONTINUE; // gone meanwhile, or a path too deep to stat: counted by the entries
                    }
                });
            } catch (IOException e) {
                // the folder went away: nothing of it counts
            }
        }
        if (used[0] > bytes) {
            return "the run wrote more than its disk quota of " + (bytes >> 20) + " MiB";
        }
        if (used[1] > MAX_ENTRIES) {
            return "the run made more than " + MAX_ENTRIES + " files and folders";
        }
        return null;
    }
}
