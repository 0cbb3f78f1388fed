package dev.storagelab.grader.policy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The rules of files: lab code uses files only under the run's own folders ({@link
 * PolicyConfig#mayUse}), whichever way it names them: by name through {@code java.io}, through
 * {@code java.io.File}'s methods, or through the Unix file system's calls that every {@code
 * java.nio.file} operation ends in. No link, and no name relative to an open directory that climbs
 * out of it. Public only for the names of {@code java.io.File}'s methods, which the installer
 * rewrites ({@link PolicyInstaller}); the checks are {@link LabPolicy}'s to call.
 */
public final class FileRules {

    /** The methods of {@code java.io.File} that change the file system. */
    public static final Set<String> FILE_WRITES = Set.of(
            "createNewFile",
            "delete",
            "deleteOnExit",
            "mkdir",
            "renameTo",
            "setLastModified",
            "setReadOnly",
            "setWritable",
            "setReadable",
            "setExecutable");

    /** The methods of {@code java.io.File} that read the file system. */
    public static final Set<String> FILE_READS = Set.of(
            "exists",
            "isDirectory",
            "isFile",
            "isHidden",
            "canRead",
            "canWrite",
            "canExecute",
            "lastModified",
            "length",
            "list",
            "normalizedList",
            "getTotalSpace",
            "getFreeSpace",
            "getUsableSpace",
            "getCanonicalPath");

    /** Linux's open(2) flags that make an open one that may change the file. */
    private static final int WRITING_FLAGS = 0x1 | 0x2 | 0x40 | 0x200 | 0x400; // WRONLY RDWR CREAT TRUNC APPEND

    private FileRules() {}

    /** {@code java.io.File}'s {@code method} on {@code path}, with {@code args} ({@link LabPolicy#file(String, String, Object[])}). */
    static void fileMethod(String path, String method, Object[] args) {
        boolean write = FILE_WRITES.contains(method);
        file(path, write);
        if (args.length > 0 && args[0] instanceof File other) {
            if (other.getClass() == File.class) {
                file(other.getPath(), true);
            } else {
                refuse("java.io.FilePermission", "<<ALL FILES>>");
            }
        }
    }

    /** The Unix file system's {@code method} with {@code args} ({@link LabPolicy#unixCall}). */
    static void unixCall(String method, Object[] args) {
        switch (method) {
            case "open" -> file(String.valueOf(args[0]), (((Integer) args[1]) & WRITING_FLAGS) != 0);
            case "openat" -> relative(args[1], (((Integer) args[2]) & WRITING_FLAGS) != 0);
            case "link", "symlink" ->
                refuse("java.nio.file.LinkPermission", "symlink".equals(method) ? "symbolic" : "hard");
            case "unlink", "rmdir", "mkdir", "mknod", "chown", "lchown", "chmod", "utimes", "lutimes" ->
                file(String.valueOf(args[0]), true);
            case "rename" -> {
                file(String.valueOf(args[0]), true);
                file(String.valueOf(args[1]), true);
            }
            case "renameat" -> {
                relative(args[1], true);
                relative(args[3], true);
            }
            case "unlinkat" -> relative(args[1], true);
            case "fstatat" -> relative(args[1], false);
            case "fchmodat", "utimensat" -> relative(args[1], true);
            case "setmntent" -> relative(args[0], false);
            case "readlink", "realpath", "stat", "stat2", "lstat", "opendir", "access", "exists", "statvfs" ->
                file(String.valueOf(args[0]), false);
            default -> {
                // works on what is open already
            }
        }
    }

    /** The file {@code path} used, to write or to read: refused outside the run's folders when lab code is in charge. */
    static void file(String path, boolean write) {
        PolicyConfig c = PolicyConfig.current();
        if (c == null || Callers.busy()) {
            return;
        }
        Callers.BUSY.set(Boolean.TRUE);
        try {
            String p = c.absolute(path);
            if (c.mayUse(p, write)) {
                return;
            }
            if (Callers.labInCharge()) {
                throw Refusal.denied("java.io.FilePermission", p, write ? "write" : "read");
            }
        } finally {
            Callers.BUSY.remove();
        }
    }

    /** A name relative to an open directory: it may not climb out of it ({@code ..}), and an absolute one is a path. */
    private static void relative(Object name, boolean write) {
        String n = name instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(name);
        if (n.startsWith("/")) {
            file(n, write);
        } else if (("/" + n + "/").contains("/../")) {
            refuse("java.io.FilePermission", n);
        }
    }

    /** Refuses what lab code asked for, when lab code is in charge. */
    private static void refuse(String permission, String target) {
        if (PolicyConfig.current() != null && !Callers.busy() && Callers.labInCharge()) {
            throw Refusal.denied(permission, target, null);
        }
    }
}
