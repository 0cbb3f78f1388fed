package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The memory limit of the container the grader runs in, and how many times the kernel's
 * out-of-memory killer has struck in it, read from the grader's own cgroup (v2's
 * {@code memory.max} and {@code memory.events}, or v1's {@code memory.limit_in_bytes} and
 * {@code memory.oom_control}), the tightest of its ancestors' counting too. A Gradescope or
 * PrairieLearn container puts the grader, Maven and every test JVM under one such limit: the
 * test JVM's heap is sized to fit beside the others ({@link Rubric#testHeapMegabytes}), and a
 * test JVM the kernel killed is reported as the container's memory, by this side, not as a crash.
 * Where no cgroup file can be read (another OS, no limit), there is no limit.
 */
public final class ContainerLimits {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** A limit at or above this is v1's way of saying "none". */
    private static final long UNLIMITED = 1L << 60;

    private final List<Path> memoryDirs; // the grader's memory cgroup first, then its ancestors
    private final boolean v2;

    private ContainerLimits(List<Path> memoryDirs, boolean v2) {
        this.memoryDirs = memoryDirs;
        this.v2 = v2;
    }

    private static final ContainerLimits CURRENT = read(Path.of("/proc/self/cgroup"), CGROUP_ROOT);

    /** The limits of this JVM's container. */
    public static ContainerLimits current() {
        return CURRENT;
    }

    /** The limits described by a {@code /proc/self/cgroup} file, over the cgroup file system at {@code root}. */
    public static ContainerLimits read(Path procSelfCgroup, Path root) {
        List<String> lines;
        try {
            lines = Files.readAllLines(procSelfCgroup);
        } catch (IOException | RuntimeException e) {
            return new ContainerLimits(List.of(), false);
        }
        for (String line : lines) { // v1: "4:memory:/path"
            String[] f = line.split(":", 3);
            if (f.length == 3
                    && List.of(f[1].split(",")).contains("memory")
                    && Files.isDirectory(root.resolve("memory"))) {
                return new ContainerLimits(ancestors(root.resolve("memory"), f[2]), false);
            }
        }
        for (String line : lines) { // v2: "0::/path"
            if (line.startsWith("0::") && Files.isRegularFile(root.resolve("cgroup.controllers"))) {
                return new ContainerLimits(ancestors(root, line.substring(3)), true);
            }
        }
        return new ContainerLimits(List.of(), false);
    }

    private static List<Path> ancestors(Path mount, String cgroup) {
        List<Path> dirs = new java.util.ArrayList<>();
        Path dir = mount.resolve(cgroup.replaceFirst("^/+", "")).normalize();
        while (dir.startsWith(mount)) {
            if (Files.isDirectory(dir)) {
                dirs.add(dir);
            }
            if (dir.equals(mount)) {
                break;
            }
            dir = dir.getParent();
        }
        return List.copyOf(dirs);
    }

    /** The container's memory limit in bytes (the tightest of its cgroup and their ancestors), if it has one. */
    public OptionalLong memoryLimitBytes() {
        long limit = Long.MAX_VALUE;
        for (Path dir : memoryDirs) {
            String s = text(dir.resolve(v2 ? "memory.max" : "memory.limit_in_bytes"));
            if (s != null && s.matches("\\d+")) {
                limit = Math.min(limit, Long.parseLong(s));
            }
        }
        return limit >= UNLIMITED ? OptionalLong.empty() : OptionalLong.of(limit);
    }

    /** The limit in MiB for messages, or 0 without one. */
    public long memoryLimitMegabytes() {
        return memoryLimitBytes().orElse(0) >> 20;
    }

    /** How many processes the out-of-memory killer has stopped in the container so far (0 where it cannot tell). */
    public long oomKills() {
        long most = 0;
        for (Path dir : memoryDirs) {
            String s = text(dir.resolve(v2 ? "memory.events" : "memory.oom_control"));
            if (s == null) {
                continue;
            }
            for (String line : s.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals("oom_kill") && f[1].matches("\\d+")) {
                    most = Math.max(most, Long.parseLong(f[1]));
                }
            }
        }
        return most;
    }

    /** One line for a report: the limit, or that there is none. */
    public String describe() {
        OptionalLong limit = memoryLimitBytes();
        return limit.isPresent() ? "a container of " + (limit.getAsLong() >> 20) + " MiB" : "no container memory limit";
    }

    private static String text(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
