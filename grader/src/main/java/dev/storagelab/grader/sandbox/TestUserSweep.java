package dev.storagelab.grader.sandbox;

import dev.storagelab.grader.workspace.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What a confined run's user leaves behind, ended and swept when the run closes, and again before
 * the next run of that id starts (for a grader that died with its run open): every process of its
 * id, and every file of its id in the folders of the machine anyone may write to; and the folders
 * of graders that died before they could delete them.
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

    /**
     * The file in a grader's own folder ({@code /tmp/storagelab-confinedNNN}) that the grader holds
     * locked while it lives: the lock goes with its process, however it ends.
     */
    static final String GRADER_LOCK = "grader.lock";

    /**
     * The folders this process holds. Their lock files are never opened again here: closing any
     * channel on a file ends every lock this process has on it (POSIX record locks), the held one too.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    /**
     * Locks {@code folder}'s {@link #GRADER_LOCK} for as long as this process lives (the channel is
     * never closed), so other graders see the folder is in use. The file is the grader's alone (0600):
     * no test user may open it, so none can hold a lock on it past the grader's death.
     */
    static FileChannel holdFolder(Path folder) throws IOException {
        HELD.add(folder.toAbsolutePath());
        FileChannel lock = FileChannel.open(
                folder.resolve(GRADER_LOCK),
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        lock.lock();
        return lock;
    }

    /**
     * Deletes the folders of graders that died without their shutdown hook (killed, or the machine
     * stopped): each {@code storagelab-confined*} folder beside {@code own}, owned by this process's
     * user, whose lock no process holds. Those folders hold the runs' copies of class paths and files
     * the test users wrote, which the next run of the same id could otherwise read.
     */
    static void removeAbandonedFolders(Path own) {
        int me;
        try {
            me = (Integer) Files.getAttribute(own, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return;
        }
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(own.getParent(), "storagelab-confined*")) {
            for (Path folder : folders) {
                try {
                    if (!folder.equals(own)
                            && Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)
                            && (Integer) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS) == me
                            && abandoned(folder)) {
                        FileTrees.deleteRecursively(folder);
                    }
                } catch (IOException | RuntimeException e) {
                    // in use, gone meanwhile, or not deletable: another grader's start tries again
                }
            }
        } catch (IOException | RuntimeException e) {
            // the temporary folder is not listable: nothing to sweep
        }
    }

    private static boolean abandoned(Path folder) throws IOException {
        if (HELD.contains(folder.toAbsolutePath())) {
            return false;
        }
        Path lockFile = folder.resolve(GRADER_LOCK);
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return false; // a grader that is making it, or one of a version without the lock: left alone
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false; // this process holds it
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
