package dev.storagelab.kvstore.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the lab-06 measurement programs share: the machine's load, files, the page cache, /proc. */
final class Bench {

    private Bench() {}

    /** The first three fields of /proc/loadavg (1, 5 and 15 minutes), or "n/a" off Linux. */
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** The file system {@code dir} is on, as {@code df -T} names it. */
    static String fileSystem(Path dir) {
        try {
            var store = Files.getFileStore(dir);
            return store.name() + " (" + store.type() + ")";
        } catch (IOException e) {
            return "n/a: " + e;
        }
    }

    /**
     * {@code write_bytes} of /proc/self/io: the bytes this process caused to be sent to the storage
     * layer, counted a page (4 KiB) each time a clean page becomes dirty; a page forced and then
     * written again counts again. -1 where the file is missing.
     */
    static long processWriteBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(
                            line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }

    /**
     * Asks the kernel to drop {@code file}'s cached pages: {@code dd iflag=nocache count=0}, which
     * calls posix_fadvise(POSIX_FADV_DONTNEED) on the whole file (GNU coreutils). Dirty pages are
     * not dropped, so the file must have been forced. Returns what happened, for the record.
     */
    static String dropFromPageCache(Path file) {
        return run(List.of("dd", "if=" + file, "iflag=nocache", "count=0", "status=none"));
    }

    /** {@code fincore}'s line for {@code file}: how much of it is in the page cache. */
    static String fincore(Path file) {
        return run(List.of("fincore", "--noheadings", "--bytes", "--output", "RES,SIZE", file.toString()));
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0
                    ? (out.isEmpty() ? "ok" : out.replaceAll("\\s+", " "))
                    : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return "not available: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Copies the regular files of {@code from} (no subdirectories) into the new directory {@code to}. */
    static void copyFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : files.toList()) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
    }

    /** The files of {@code dir} and their total size. */
    static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long sum = 0;
            for (Path p : files.toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
