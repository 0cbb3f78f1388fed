package dev.storagelab.grader.submission;

import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.Regions;
import dev.storagelab.grader.workspace.VisibleText;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A student's submission, found inside a folder or a zip: the directory that holds the lab
 * modules. A zip or folder that wraps the workspace in one extra folder (as "Compress" and most
 * LMS downloads do) is unwrapped. Only {@code lab-NN-*}/src/main/java (and a release's marker file)
 * is ever taken from it.
 *
 * <p>A submission is bytes, never a path the grader follows. What is taken is copied into the
 * grading's scratch space first ({@link #root()} is that copy), and everything after reads the copy:
 * the grader never follows a link, never opens a special file (a FIFO, a device, a socket), knows
 * every file's size before it reads it and reads no more than that bound, and decodes text with a
 * decoder that reports bytes that are not UTF-8. Links and special files are refused by name, so
 * a submission of links to the instructor's workspace, or to a file whose read never ends, is a
 * row that says so. Every failure to read a submission is an {@link IllegalArgumentException} with
 * a message for the student: that submission's row, never the grader's error.
 */
public final class Submission {

    private static final long MAX_UNZIPPED_BYTES = 512L << 20;
    private static final int MAX_ZIP_ENTRIES = 50_000;
    /** The largest source file a submission may hold: the labs' largest given file is a small fraction of it. */
    static final long MAX_SOURCE_BYTES = 1L << 20;
    /** The most bytes of sources taken from one submission, every lab's together. */
    static final long MAX_TAKEN_BYTES = 64L << 20;
    /** The most files and folders taken from one submission. */
    static final int MAX_TAKEN_FILES = 20_000;
    /**
     * The largest release marker read. An exported one holds a line for each file the release gave
     * out (about 125 bytes: 259 KiB for the workspace's 2,102 files); this leaves 256 bytes a line
     * for the most files a submission may hold.
     */
    static final int MAX_MARKER_BYTES = MAX_TAKEN_FILES * 256;
    /** How many names of one kind of problem a refusal lists. */
    private static final int NAMED = 5;

    private final Path root;

    private Submission(Path root) {
        this.root = root;
    }

    /**
     * The directory holding the lab modules: the grader's copy of what it takes from the submission.
     * Only this class reads it; every later step asks the submission ({@link #has}, {@link #overlay},
     * {@link #sameSources}, {@link #javaFiles}).
     */
    Path root() {
        return root;
    }

    /**
     * Finds the submission in {@code path} (a folder or a .zip), unzipping and copying what it takes
     * into {@code scratch}. {@code path} itself is the instructor's to name (it may be a link);
     * everything inside it is the student's.
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
            try {
                unzip(path, dir);
            } catch (IOException e) { // a truncated or unreadable zip: the student's, like a malformed one
                throw new IllegalArgumentException("submission " + path + " is not a readable zip: " + e.getMessage());
            }
        } else if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("submission " + VisibleText.line(path.toString())
                    + " is neither a folder nor a file (a FIFO, a device or a socket); submit your workspace"
                    + " folder, or a zip of it");
        }
        try {
            Problems problems = new Problems();
            Path found = find(dir, workspace, problems);
            if (found == null) {
                problems.refuse();
                String inner = zipInside(path, dir);
                if (inner != null) {
                    throw new IllegalArgumentException("the submission holds a zip (" + inner
                            + ") but no workspace: submit the workspace"
                            + " folder, or one zip of it, not a zip inside a zip");
                }
                throw new IllegalArgumentException(
                        "cannot find a storagelab workspace in submission " + path
                                + ": expected folders like "
                                + workspace.labs().stream()
                                        .map(Lab::studentSources)
                                        .limit(2)
                                        .toList()
                                + " at its top level (or inside one folder). Submit the whole workspace folder, or a zip of it.");
            }
            Path copy = Files.createTempDirectory(Files.createDirectories(scratch), "submission-");
            take(found, workspace, copy, problems);
            problems.refuse();
            return new Submission(copy);
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            throw new IllegalArgumentException("the submission's files cannot be read ("
                    + VisibleText.line(String.valueOf(cause.getMessage()))
                    + "); submit the workspace folder, or a zip of it");
        }
    }

    /**
     * The folder of {@code dir}, or of the one folder inside it (twice at most), that holds a lab's
     * sources; null if none does. A link met where a folder was looked for is a problem, never
     * followed.
     */
    private static Path find(Path dir, Workspace workspace, Problems problems) throws IOException {
        for (int depth = 0; depth < 3; depth++) {
            boolean holds = false;
            for (Lab lab : workspace.labs()) {
                holds |= sources(dir, lab, problems) != null;
            }
            if (holds) {
                return dir;
            }
            List<Path> children = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(".") || name.equals("__MACOSX")) {
                        continue;
                    }
                    if (Files.isSymbolicLink(p)) {
                        problems.link(p.getFileName());
                    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        children.add(p);
                    }
                }
            }
            if (children.size() != 1) {
                return null;
            }
            dir = children.get(0);
        }
        return null;
    }

    /**
     * {@code root}'s folder of {@code lab}'s student sources if each folder on the way to it is a
     * folder (not a link: that is a problem); null if it is not there.
     */
    private static Path sources(Path root, Lab lab, Problems problems) throws IOException {
        Path at = root;
        for (Path part : Path.of(lab.studentSources())) {
            at = at.resolve(part.toString());
            if (Files.isSymbolicLink(at)) {
                problems.link(root.relativize(at));
                return null;
            }
            if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
        }
        return at;
    }

    /**
     * Copies into {@code copy} every regular file of each lab's student sources under {@code root},
     * and the release marker, with their modification times (builds compare sources and classes by
     * time): each checked before a byte of it is read, and read no further than its bound.
     */
    private static void take(Path root, Workspace workspace, Path copy, Problems problems) throws IOException {
        long[] taken = new long[2]; // bytes, files and folders
        for (Lab lab : workspace.labs()) {
            Path sources = sources(root, lab, problems);
            if (sources == null) {
                continue;
            }
            Files.walkFileTree(sources, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path rel = root.relativize(dir);
                    if (!nameReadable(dir, rel, problems)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (++taken[1] > MAX_TAKEN_FILES) {
                        problems.add("total", tooMuch());
                        return FileVisitResult.TERMINATE;
                    }
                    Files.createDirectories(copy.resolve(rel.toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path rel = root.relativize(file);
                    if (!nameReadable(file, rel, problems)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isSymbolicLink()) {
                        problems.link(rel);
                    } else if (!attrs.isRegularFile()) {
                        problems.special(rel);
                    } else if (attrs.size() > MAX_SOURCE_BYTES) {
                        problems.add(
                                "size",
                                rel + " is " + (attrs.size() >> 20) + " MiB; a source file of this course is at most "
                                        + (MAX_SOURCE_BYTES >> 20) + " MiB: submit your sources only");
                    } else if (++taken[1] > MAX_TAKEN_FILES || (taken[0] += attrs.size()) > MAX_TAKEN_BYTES) {
                        problems.add("total", tooMuch());
                        return FileVisitResult.TERMINATE;
                    } else if (problems.none()) {
                        Path dest = copy.resolve(rel.toString());
                        Files.write(dest, read(file, MAX_SOURCE_BYTES));
                        Files.setLastModifiedTime(dest, attrs.lastModifiedTime());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    problems.add(
                            "unreadable",
                            VisibleText.line(root.relativize(file).toString()) + " cannot be read ("
                                    + VisibleText.line(String.valueOf(e.getMessage())) + ")");
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        Path marker = root.resolve(Exporter.RELEASE_MARKER);
        if (Files.isSymbolicLink(marker)) {
            problems.link(Path.of(Exporter.RELEASE_MARKER));
        } else if (Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
                problems.special(Path.of(Exporter.RELEASE_MARKER));
            } else if (Files.size(marker) > MAX_MARKER_BYTES) {
                problems.add(
                        "marker",
                        Exporter.RELEASE_MARKER + " is " + (Files.size(marker) >> 10) + " KiB, not the release's"
                                + " marker: restore it from the release you were given, or delete it");
            } else {
                byte[] bytes = read(marker, MAX_MARKER_BYTES);
                try {
                    utf8(bytes);
                    Files.write(copy.resolve(Exporter.RELEASE_MARKER), bytes);
                } catch (java.nio.charset.CharacterCodingException e) {
                    problems.add(
                            "marker",
                            Exporter.RELEASE_MARKER + " is not UTF-8 text, so not the release's marker: restore it"
                                    + " from the release you were given, or delete it");
                }
            }
        }
    }

    private static String tooMuch() {
        return "the labs' sources hold more than " + MAX_TAKEN_FILES + " files or " + (MAX_TAKEN_BYTES >> 20)
                + " MiB: submit your sources only";
    }

    /**
     * Whether {@code p}'s name can be used as it is: a name that is not UTF-8 (the file system gives
     * a name that cannot be opened again) or that holds control characters is a problem.
     */
    private static boolean nameReadable(Path p, Path rel, Problems problems) {
        String name = p.getFileName().toString();
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || name.indexOf('\uFFFD') >= 0) {
            problems.add(
                    "names",
                    "a file name in " + rel.subpath(0, Math.min(rel.getNameCount(), 4)) + " is not UTF-8 ("
                            + printable(name) + "); rename it (Java source files are named after their class)");
            return false;
        }
        if (VisibleText.needsCodes(name) || name.indexOf('\n') >= 0 || name.indexOf('\t') >= 0) {
            problems.add(
                    "names",
                    "the file name " + VisibleText.line(rel.toString()) + " holds control or invisible characters"
                            + " (shown as codes); rename it (Java source files are named after their class)");
            return false;
        }
        return true;
    }

    /** The bytes of the regular file {@code file}, never through a link, and never more than {@code max}. */
    static byte[] read(Path file, long max) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) {
                throw new IllegalArgumentException(VisibleText.line(
                                file.getFileName().toString()) + " grew past " + max + " bytes while it was read");
            }
            return bytes;
        }
    }

    /** {@code bytes} as UTF-8 text, or an exception if any of them is not UTF-8 (never a replacement character). */
    public static String utf8(byte[] bytes) throws java.nio.charset.CharacterCodingException {
        return java.nio.charset.StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(bytes))
                .toString();
    }

    /** What is wrong with a submission's files, by kind, each kind's first names kept: one line for the student. */
    private static final class Problems {
        // a link met twice (on the way to the workspace, and again when its labs are taken) is one problem
        private final Map<String, java.util.SortedSet<String>> byKind = new LinkedHashMap<>();

        void add(String kind, String what) {
            byKind.computeIfAbsent(kind, k -> new java.util.TreeSet<>()).add(what);
        }

        void link(Path rel) {
            add("links", VisibleText.line(rel.toString()));
        }

        void special(Path rel) {
            add("special", VisibleText.line(rel.toString()));
        }

        boolean none() {
            return byKind.isEmpty();
        }

        /** Throws the problems found so far, in one line, if there are any. */
        void refuse() {
            if (none()) {
                return;
            }
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, java.util.SortedSet<String>> e : byKind.entrySet()) {
                List<String> first = e.getValue().stream().limit(NAMED).toList();
                int more = e.getValue().size() - first.size();
                String names = String.join(", ", first) + (more > 0 ? " and " + more + " more" : "");
                parts.add(
                        switch (e.getKey()) {
                            case "links" ->
                                "the submission holds links, which the grader never follows: " + names
                                        + "; submit the files themselves";
                            case "special" ->
                                "the submission holds special files (a FIFO, a device or a socket),"
                                        + " which the grader never reads: " + names + "; submit source files only";
                            default -> names;
                        });
            }
            throw new IllegalArgumentException(String.join("; ", parts));
        }
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

    /** {@code name} with what would not print as '?', and cut to 80 characters. */
    private static String printable(String name) {
        String s = name.codePoints()
                .map(c -> Character.isISOControl(c) || c == 0xFFFD ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        s = VisibleText.line(s);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /**
     * The digest of the given code the submission's release recorded in its marker
     * ({@link Exporter#recordedGivenDigest}); empty for a submission without one.
     */
    public java.util.Optional<String> recordedGivenDigest() {
        return Exporter.recordedGivenDigest(root);
    }

    /** The labs the submission's release gave out solved, from its marker ({@link Exporter#solvedLabs}). */
    public java.util.Set<String> solvedLabs() {
        return Exporter.solvedLabs(root);
    }

    /**
     * Takes from this copy into {@code root}, a scratch copy of the workspace, the files of
     * {@code lab} a student owns: the reference's files
     * that hold solution regions, and files the reference does not have (the student's own
     * helpers). Every other file (the given code: I/O layer, formats, test helpers) stays the
     * instructor's, so a submission cannot pass tests by changing what it was given. A file the
     * student owns that the submission does not hold (left out, or a link, which is never taken) is
     * as the release gave it, its regions not implemented: never the reference's solution, which
     * {@code root} was copied from.
     */
    public void overlay(Lab lab, Path root) throws IOException {
        Path to = root.resolve(lab.studentSources());
        java.util.Set<String> owned = new java.util.HashSet<>();
        if (Files.isDirectory(to)) {
            try (Stream<Path> files = Files.walk(to)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")
                                && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .toList()) {
                    String rel = root.relativize(p).toString();
                    String text = Files.readString(p, java.nio.charset.StandardCharsets.UTF_8);
                    // a real region marker, not the words in a comment (NotImplementedException's Javadoc has them)
                    if (!Regions.find(text, rel, lab).isEmpty()) {
                        owned.add(to.relativize(p).toString());
                        Files.writeString(p, Regions.exportJava(text, rel, lab).text());
                    }
                }
            }
        }
        Path from = this.root.resolve(lab.studentSources());
        if (!Files.isDirectory(from)) {
            return;
        }
        FileTrees.copy(
                from,
                to,
                rel -> rel.toString().endsWith(".java")
                        && (owned.contains(rel.toString()) || !Files.exists(to.resolve(rel.toString()))));
    }

    /**
     * Whether the .java files of {@code lab}'s student sources are identical in this copy and in
     * {@code reference}, a workspace of the grader's own: a link is never followed, so it is never
     * the same as a file.
     */
    public boolean sameSources(Path reference, Lab lab) {
        try {
            Map<Path, byte[]> left = javaFiles(lab);
            Map<Path, byte[]> right = javaFiles(reference.resolve(lab.studentSources()));
            if (!left.keySet().equals(right.keySet())) {
                return false;
            }
            return left.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), right.get(e.getKey())));
        } catch (IOException | RuntimeException e) {
            return false; // not comparable: built as a submission
        }
    }

    /** The bytes of every .java file of {@code lab}'s sources in this copy, by path relative to them. */
    public Map<Path, byte[]> javaFiles(Lab lab) throws IOException {
        return javaFiles(root.resolve(lab.studentSources()));
    }

    /** The bytes of every .java file under {@code dir} (a grader's copy), by path relative to it; links are not followed. */
    private static Map<Path, byte[]> javaFiles(Path dir) throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && f.toString().endsWith(".java"))
                    .toList()) {
                files.put(dir.relativize(p), read(p, MAX_SOURCE_BYTES));
            }
        }
        return files;
    }

    /** Whether the submission has sources for {@code lab}. */
    public boolean has(Lab lab) {
        return Files.isDirectory(root.resolve(lab.studentSources()), LinkOption.NOFOLLOW_LINKS);
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
