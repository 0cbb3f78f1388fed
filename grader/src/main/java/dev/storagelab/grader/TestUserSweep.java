package dev.storagelab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a confined run's user leaves behind, ended and swept when the run closes: every process of
 * its id, and every file of its id in the folders of the machine anyone may write to.
 */
final class TestUserSweep {

    private TestUserSweep() {}

    /** Folders anyone may write to on most Linux machines, swept even before the machine's own list is known. */
    private static final List<Path> USUAL_SHARED_FOLDERS = List.of(
            Path.of("/tmp"),
            Path.of("/var/tmp"),
            Path.of("/dev/shm"),
            Path.of("/run/lock"),
            Path.of("/var/lock"),
            Path.of("/dev/mqueue"));

    private static volatile List<Path> sharedFolders;

    /**
     * Every folder on this machine that anyone may write to, where a run's user could leave files
     * for the next run with its id: found once per grader process by walking every file system
     * but {@code /proc} and {@code /sys} (seconds, on a machine of ordinary size), with the usual
     * ones always among them.
     */
    static List<Path> sharedFolders() {
        List<Path> found = sharedFolders;
        if (found == null) {
            synchronized (TestUserSweep.class) {
                if (sharedFolders == null) {
                    java.util.Set<Path> all = new java.util.LinkedHashSet<>(USUAL_SHARED_FOLDERS);
                    try {
                        Process find = new ProcessBuilder(
                                        "find", "/", "(", "-path", "/proc", "-o", "-path", "/sys", ")", "-prune", "-o",
                                        "-type", "d", "-perm", "-0002", "-print")
                                .redirectError(ProcessBuilder.Redirect.DISCARD)
                                .start();
                        try (java.io.BufferedReader lines = new java.io.BufferedReader(
                                new java.io.InputStreamReader(find.getInputStream(), StandardCharsets.UTF_8))) {
                            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                                all.add(Path.of(line));
                            }
                        }
                        find.waitFor();
                    } catch (IOException | java.nio.file.InvalidPathException e) {
                        // no find(1): the usual folders only
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    sharedFolders = List.copyOf(all);
                }
                found = sharedFolders;
            }
        }
        return found;
    }

    /**
     * Deletes whatever {@code uid} left in the folders anyone may write to ({@link #sharedFolders}):
     * each entry it owns, with everything under it, however deep (links themselves, never their
     * targets). A failure on one entry never stops the sweep.
     */
    static void removeLeftovers(int uid) {
        for (Path shared : sharedFolders()) {
            if (!Files.isDirectory(shared, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Path> entries;
            try (Stream<Path> list = Files.list(shared)) {
                entries = list.toList();
            } catch (IOException | RuntimeException e) {
                continue; // not listable: nothing of ours can be there
            }
            for (Path p : entries) {
                try {
                    if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) == uid) {
                        FileTrees.deleteRecursively(p);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not deletable: the next run with this id still has a private folder
                }
            }
        }
    }

    /** Kills every process whose real user id is {@code uid} (a leased id: only the run's own processes have it). */
    static void killAll(int uid) {
        for (int attempt = 0; attempt < 50; attempt++) {
            List<ProcessHandle> left = new ArrayList<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                        .forEach(p -> {
                            try {
                                if (((Integer) Files.getAttribute(p, "unix:uid")) == uid) {
                                    ProcessHandle.of(Long.parseLong(
                                                    p.getFileName().toString()))
                                            .ifPresent(left::add);
                                }
                            } catch (IOException | RuntimeException e) {
                                // gone meanwhile
                            }
                        });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list /proc to end a test run's processes", e);
            }
            if (left.isEmpty()) {
                return;
            }
            left.forEach(ProcessHandle::destroyForcibly);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
