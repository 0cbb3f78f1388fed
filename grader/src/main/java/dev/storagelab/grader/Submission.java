package dev.storagelab.grader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A student's submission, found inside a folder or a zip: the directory that holds the lab
 * modules. A zip or folder that wraps the workspace in one extra folder (as "Compress" and most
 * LMS downloads do) is unwrapped. Only {@code lab-NN-*}/src/main/java is ever taken from it.
 */
public final class Submission {

    private static final long MAX_UNZIPPED_BYTES = 512L << 20;
    private static final int MAX_ZIP_ENTRIES = 50_000;
    /** The largest source file a submission may hold: the labs' largest given file is a small fraction of it. */
    static final long MAX_SOURCE_BYTES = 1L << 20;

    private final Path root;

    private Submission(Path root) {
        this.root = root;
    }

    /** The directory holding the lab modules. */
    public Path root() {
        return root;
    }

    /**
     * Finds the submission in {@code path} (a folder or a .zip), unzipping into {@code scratch}.
     *
     * @throws IllegalArgumentException with a message for the student if it cannot be understood
     */
    public static Submission open(Path path, Workspace workspace, Path scratch) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(
                    "submission " + path + " does not exist; name a student's workspace folder or a zip of it");
        }
        Path dir = path;
        if (Files.isRegularFile(path)) {
            if (!path.getFileName()
                    .toString()
                    .toLowerCase(java.util.Locale.ROOT)
                    .endsWith(".zip")) {
                throw new IllegalArgumentException("submission " + path
                        + " is a file but not a .zip; submit your workspace folder or a zip of it");
            }
            dir = Files.createDirectories(scratch.resolve("unzipped"));
            unzip(path, dir);
        }
        for (int depth = 0; depth < 3; depth++) {
            if (holdsLabs(dir, workspace)) {
                checkSources(dir, workspace);
                return new Submission(dir);
            }
            List<Path> children = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory)
                        .filter(p -> !p.getFileName().toString().startsWith(".")
                                && !p.getFileName().toString().equals("__MACOSX"))
                        .forEach(children::add);
            }
            if (children.size() != 1) {
                break;
            }
            dir = children.get(0);
        }
        String inner = zipInside(path, dir);
        if (inner != null) {
            throw new IllegalArgumentException("the submission holds a zip (" + inner
                    + ") but no workspace: submit the workspace" + " folder, or one zip of it, not a zip inside a zip");
        }
        throw new IllegalArgumentException("cannot find a storagelab workspace in submission " + path
                + ": expected folders like "
                + workspace.labs().stream().map(Lab::studentSources).limit(2).toList()
                + " at its top level (or inside one folder). Submit the whole workspace folder, or a zip of it.");
    }

    /** The name of a .zip at the top of {@code dir} (or of {@code path} itself), if there is one. */
    private static String zipInside(Path path, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        for (Path top : List.of(path, dir)) {
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (Stream<Path> s = Files.list(top)) {
                java.util.Optional<Path> zip = s.filter(p -> p.getFileName()
                                .toString()
                                .toLowerCase(java.util.Locale.ROOT)
                                .endsWith(".zip"))
                        .findFirst();
                if (zip.isPresent()) {
                    return printable(zip.get().getFileName().toString());
                }
            }
        }
        return null;
    }

    /**
     * Refuses, in one line the student can act on, what the grader would otherwise choke on in the
     * labs' sources: a file name that is not UTF-8 (the file system gives a name that cannot be
     * opened again) and a source file too large to be a student's.
     */
    private static void checkSources(Path root, Workspace workspace) throws IOException {
        for (Lab lab : workspace.labs()) {
            Path sources = root.resolve(lab.studentSources());
            if (!Files.isDirectory(sources)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(sources)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    String name = p.getFileName().toString();
                    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) || name.indexOf('\uFFFD') >= 0) {
                        throw new IllegalArgumentException("a file name in " + lab.studentSources() + " is not UTF-8 ("
                                + printable(name) + "); rename it (Java source files are named after their class)");
                    }
                    if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && Files.size(p) > MAX_SOURCE_BYTES) {
                        throw new IllegalArgumentException(root.relativize(p) + " is " + (Files.size(p) >> 20)
                                + " MiB; a source" + " file of this course is at most " + (MAX_SOURCE_BYTES >> 20)
                                + " MiB: submit your sources only");
                    }
                }
            } catch (java.io.UncheckedIOException e) {
                throw new IllegalArgumentException("the files in " + lab.studentSources() + " cannot be read ("
                        + e.getCause().getMessage() + "); submit the workspace folder, or a zip of it");
            }
        }
    }

    /** {@code name} with what would not print (control characters, names that are not UTF-8) as '?'. */
    private static String printable(String name) {
        String s = name.codePoints()
                .map(c -> Character.isISOControl(c) || c == 0xFFFD ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static boolean holdsLabs(Path dir, Workspace workspace) {
        return workspace.labs().stream().anyMatch(l -> Files.isDirectory(dir.resolve(l.studentSources())));
    }

    /** Whether the submission has sources for {@code lab}. */
    public boolean has(Lab lab) {
        return Files.isDirectory(root.resolve(lab.studentSources()));
    }

    private static void unzip(Path zip, Path into) throws IOException {
        long total = 0;
        int entries = 0;
        try (InputStream raw = Files.newInputStream(zip);
                ZipInputStream in = new ZipInputStream(raw)) {
            ZipEntry e;
            byte[] buf = new byte[64 * 1024];
            while ((e = in.getNextEntry()) != null) {
                if (++entries > MAX_ZIP_ENTRIES) {
                    throw new IllegalArgumentException("submission zip has more than " + MAX_ZIP_ENTRIES + " entries");
                }
                Path dest = into.resolve(e.getName()).normalize();
                if (!dest.startsWith(into)) {
                    throw new IllegalArgumentException("submission zip entry escapes its folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                    continue;
                }
                Files.createDirectories(dest.getParent());
                try (var out = Files.newOutputStream(dest)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                        if (total > MAX_UNZIPPED_BYTES) {
                            throw new IllegalArgumentException(
                                    "submission zip unpacks to more than " + (MAX_UNZIPPED_BYTES >> 20) + " MiB");
                        }
                        out.write(buf, 0, n);
                    }
                }
            }
        } catch (java.util.zip.ZipException e) {
            if (String.valueOf(e.getMessage()).contains("bad entry name")) {
                // JDK 25's java.util.zip says so of a name that is not UTF-8 ("invalid LOC header (bad entry name)")
                throw notUtf8();
            }
            throw new IllegalArgumentException("submission " + zip + " is not a readable zip: " + e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("submission zip has a file name this system cannot use ("
                    + printable(e.getInput()) + "); zip the workspace folder again with plain file names");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("submission zip")) {
                throw e;
            }
            // java.util.zip reads entry names as UTF-8 and throws "MALFORMED" (or similar) for other bytes
            throw notUtf8();
        }
    }

    private static IllegalArgumentException notUtf8() {
        return new IllegalArgumentException(
                "submission zip has a file name that is not UTF-8; zip the workspace folder again"
                        + " with plain file names");
    }
}
