package dev.storagelab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the student release of a workspace: every solution region becomes a not-implemented
 * throw, remove regions and instructor-only Markdown and pom parts go, and instructor-only files (hidden tests,
 * the grader's own tests and fixtures, the workbench's tests, which prove the reference engines
 * run every workload, and CI) are left out. The output depends only on the input
 * files, so exporting twice gives byte-identical trees.
 */
public final class Exporter {

    /** The file that marks a directory as a release this exporter wrote (and may overwrite). */
    public static final String RELEASE_MARKER = ".storagelab-release";

    /** Whether {@code root} is a student release (it holds {@link #RELEASE_MARKER}): its own code is the student's. */
    public static boolean isRelease(Path root) {
        return Files.exists(root.resolve(RELEASE_MARKER));
    }

    /** Paths never exported, as globs relative to the workspace root. */
    private static final List<String> INSTRUCTOR_ONLY =
            List.of("**/src/hidden/**", ".ci/**", "grader/src/test/**", "workbench/src/test/**", ".exportignore");

    /**
     * Folders never exported, wherever they are: version control, build output, editors' files, and
     * what the workspace's own commands wrote ({@code storagelab-out}: grade reports of the reference,
     * which name hidden tests and quote their messages).
     */
    private static final Set<String> SKIPPED_DIRECTORIES =
            Set.of(".git", "target", ".idea", ".vscode", "node_modules", "storagelab-out");

    /** What an export wrote. */
    /** Task names ("T" and a number, as {@link Regions} requires) in numeric order: T2 before T10. */
    static final java.util.Comparator<String> TASK_ORDER =
            java.util.Comparator.comparingInt(t -> Integer.parseInt(t.substring(1)));

    public record Summary(int files, Map<String, Map<String, Integer>> regionsByLabAndTask, Set<String> solved) {
        public int regions() {
            return regionsByLabAndTask.values().stream()
                    .flatMap(m -> m.values().stream())
                    .mapToInt(Integer::intValue)
                    .sum();
        }
    }

    private final Workspace workspace;
    private final List<PathMatcher> excluded = new ArrayList<>();

    public Exporter(Workspace workspace) {
        this.workspace = workspace;
        List<String> globs = new ArrayList<>(INSTRUCTOR_ONLY);
        Path extra = workspace.root().resolve(".exportignore");
        if (Files.isRegularFile(extra)) {
            try {
                for (String line : Files.readAllLines(extra, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.trim().startsWith("#")) {
                        globs.add(line.trim());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String glob : globs) {
            excluded.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
    }

    /** Whether {@code relative} (a path inside the workspace) belongs in the release. */
    public boolean isExported(Path relative) {
        for (Path part : relative) {
            if (SKIPPED_DIRECTORIES.contains(part.toString())) {
                return false;
            }
        }
        String name = relative.getFileName().toString();
        if (name.endsWith(".iml") || name.equals(".DS_Store")) {
            return false;
        }
        if (relative.getParent() != null && relative.getParent().equals(HELP)) {
            // a help text of the instructor's alone, or one the release has its own of
            if (InstructorCommands.isHelpTextOfInstructorVerb(name)
                    || Files.exists(workspace.root().resolve(RELEASE_HELP).resolve(name))) {
                return false;
            }
        }
        return excluded.stream().noneMatch(m -> m.matches(relative));
    }

    /** Where the launcher finds the commands' help texts (grader/help/storagelab-VERB.txt). */
    static final Path HELP = Path.of("grader", "help");

    /**
     * The help texts a release has in place of the instructor's ({@code grader/help/release/}): the
     * usage the CLI shows in a release, without the instructor's commands and options
     * ({@link InstructorCommands}), where it differs.
     */
    static final Path RELEASE_HELP = HELP.resolve("release");

    /** Where the workspace's file {@code relative} goes in the release: a release help text in place of the instructor's. */
    static Path inRelease(Path relative) {
        return relative.startsWith(RELEASE_HELP) ? HELP.resolve(RELEASE_HELP.relativize(relative)) : relative;
    }

    /** Writes the release into {@code out}, which must be absent or empty. */
    public Summary export(Path out) throws IOException {
        return export(out, Set.of(), false);
    }

    /** Writes the release into {@code out}, which must be absent or empty, with the labs {@code solvedLabs} given out solved. */
    public Summary export(Path out, Set<String> solvedLabs) throws IOException {
        return export(out, solvedLabs, false);
    }

    /**
     * Writes the release into {@code out} with the labs {@code solved} (lab ids) given out solved:
     * their files keep the reference code, markers taken out, and the release's marker file names
     * them, so that grading the release grades only the others ({@link #solvedLabs}). For
     * students who start at a later lab, and for handing out last week's solution.
     *
     * <p>{@code out} must be absent or empty, or, with {@code replace}, an earlier release, which
     * is then replaced as a whole (a student's work in it too: {@link ReleaseUpdate} is what keeps
     * it). The release is written beside {@code out} first and moved into place once complete, so
     * an export that fails leaves {@code out} as it was.
     */
    public Summary export(Path out, Set<String> solvedLabs, boolean replace) throws IOException {
        return export(out, solvedLabs, replace, false);
    }

    /**
     * As {@link #export(Path, Set, boolean)}, and with {@code classroom} the release gets GitHub
     * Classroom's autograding workflow ({@link ClassroomWorkflow}) for the labs
     * {@code classroomLabs} (empty: every lab not given out solved).
     */
    public Summary export(
            Path out, Set<String> solvedLabs, boolean replace, boolean classroom, Set<String> classroomLabs)
            throws IOException {
        this.classroomLabs =
                classroomLabs.stream().map(id -> workspace.lab(id).id()).collect(java.util.stream.Collectors.toSet());
        return export(out, solvedLabs, replace, classroom);
    }

    private Set<String> classroomLabs = Set.of();

    /** As {@link #export(Path, Set, boolean, boolean, Set)} for every lab not given out solved. */
    public Summary export(Path out, Set<String> solvedLabs, boolean replace, boolean classroom) throws IOException {
        // "01" and "lab-01" alike; an unknown lab fails here, before anything is written.
        Set<String> solved =
                solvedLabs.stream().map(id -> workspace.lab(id).id()).collect(java.util.stream.Collectors.toSet());
        Path target = out.toAbsolutePath().normalize();
        if (target.startsWith(workspace.root())
                && !target.startsWith(workspace.root().resolve("target"))) {
            // Exporting into the workspace would export the export next time.
            throw new IllegalArgumentException(
                    "the release must be written outside the workspace (or under its target/): " + out);
        }
        checkTarget(target, replace);
        Files.createDirectories(target.getParent());
        Path staging = Files.createDirectory(
                target.resolveSibling("." + target.getFileName() + ".export-" + Long.toHexString(System.nanoTime())));
        try {
            Summary summary = write(staging, solved, classroom);
            if (Files.exists(target)) {
                FileTrees.deleteRecursively(target);
            }
            Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return summary;
        } finally {
            if (Files.exists(staging)) {
                FileTrees.deleteRecursively(staging);
            }
        }
    }

    private Summary write(Path target, Set<String> solved, boolean classroom) throws IOException {
        Map<String, Map<String, Integer>> regions = new TreeMap<>();
        Map<String, String> digests = new TreeMap<>();
        int files = 0;
        for (Path source : listFiles()) {
            Path relative = workspace.root().relativize(source);
            Path dest = target.resolve(inRelease(relative).toString());
            Files.createDirectories(dest.getParent());
            Lab lab = labOfStudentSource(relative);
            String name = relative.getFileName().toString();
            if (lab != null && name.endsWith(".java") && solved.contains(lab.id())) {
                Files.writeString(
                        dest,
                        Regions.solveJava(Files.readString(source, StandardCharsets.UTF_8), relative.toString(), lab),
                        StandardCharsets.UTF_8);
            } else if (lab != null && name.endsWith(".java")) {
                Regions.Exported e =
                        Regions.exportJava(Files.readString(source, StandardCharsets.UTF_8), relative.toString(), lab);
                Files.writeString(dest, e.text(), StandardCharsets.UTF_8);
                for (Regions.Region r : e.regions()) {
                    regions.computeIfAbsent(r.lab(), k -> new TreeMap<>(TASK_ORDER))
                            .merge(r.task(), 1, Integer::sum);
                }
            } else if (name.endsWith(".md") || name.equals("pom.xml")) {
                // A pom's instructor regions (XML comments, as in Markdown) hold the instructor's
                // build only: the formatter's check, which the release's code is not held to.
                Files.writeString(
                        dest,
                        Regions.exportMarkdown(Files.readString(source, StandardCharsets.UTF_8), relative.toString()),
                        StandardCharsets.UTF_8);
            } else {
                Files.copy(source, dest);
            }
            if (Files.isExecutable(source)) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dest);
                perms.addAll(Set.of(
                        PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(dest, perms);
            }
            digests.put(
                    inRelease(relative).toString().replace('\\', '/'), ReleaseUpdate.digest(Files.readAllBytes(dest)));
            files++;
        }
        if (classroom) {
            ClassroomWorkflow.write(workspace, solved, classroomLabs, target);
            digests.put(
                    ClassroomWorkflow.PATH,
                    ReleaseUpdate.digest(Files.readAllBytes(target.resolve(ClassroomWorkflow.PATH))));
            files++;
        }
        StringBuilder marker = new StringBuilder(
                "storagelab student release: written by ./storagelab export. To take a newer"
                        + " release into this workspace, keeping your work, run ./storagelab update NEWER_RELEASE_FOLDER here.\n");
        marker.append(GIVEN_KEY)
                .append(givenDigest(workspace.root(), workspace, solved))
                .append('\n');
        if (!solved.isEmpty()) {
            marker.append(SOLVED_KEY)
                    .append(String.join(",", new java.util.TreeSet<>(solved)))
                    .append('\n');
        }
        // Each file as the release gave it out, so that an update can tell the student's changes from the release's.
        digests.forEach((path, digest) ->
                marker.append(FILE_KEY).append(digest).append(' ').append(path).append('\n'));
        Files.writeString(target.resolve(RELEASE_MARKER), marker, StandardCharsets.UTF_8);
        for (Lab lab : workspace.labs()) {
            if (!solved.contains(lab.id()) && !regions.containsKey(lab.id())) {
                throw new IllegalStateException(
                        lab.directory() + " has no solution regions: a lab without student work is a defect");
            }
        }
        ReleaseLeakCheck.Report leaks = ReleaseLeakCheck.of(workspace, solved).check(target);
        if (!leaks.clean()) {
            FileTrees.deleteRecursively(target); // a release that leaks is never left behind
            throw new IllegalStateException(leaks.describe());
        }
        return new Summary(files, regions, new java.util.TreeSet<>(solved));
    }

    private static final String SOLVED_KEY = "solved=";
    private static final String GIVEN_KEY = "given=";
    private static final String FILE_KEY = "file=";

    /**
     * The files the release at {@code root} gave out, each with its digest as given
     * ({@link ReleaseUpdate#digest}), from its marker file; empty for a release written before
     * the marker recorded them.
     */
    static Map<String, String> recordedFiles(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        for (String line : Files.readAllLines(root.resolve(RELEASE_MARKER), StandardCharsets.UTF_8)) {
            if (line.startsWith(FILE_KEY) && line.indexOf(' ') > 0) {
                files.put(line.substring(line.indexOf(' ') + 1), line.substring(FILE_KEY.length(), line.indexOf(' ')));
            }
        }
        return files;
    }

    /**
     * A digest of the code a release gives students and grading always takes from the instructor:
     * every lab's main source file without a solution region, by path and content as exported,
     * in the labs not in {@code skipLabs} (a release's solved labs). A release and
     * the workspace it came from have the same; a workspace whose given code has changed since
     * (a new method, a changed interface) has another.
     */
    public static String givenDigest(Path root, Workspace workspace, Set<String> skipLabs) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Lab lab : workspace.labs()) {
            Path sources = root.resolve(lab.studentSources());
            if (!Files.isDirectory(sources) || skipLabs.contains(lab.id())) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(sources)) {
                files = walk.filter(p -> p.toString().endsWith(".java"))
                        .sorted()
                        .toList();
            }
            for (Path p : files) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (text.contains("// BEGIN SOLUTION")
                        || text.contains("new dev.storagelab.lab.NotImplementedException(")) {
                    continue; // the student's file
                }
                if (text.contains("// BEGIN REMOVE")) {
                    text = Regions.exportJava(text, root.relativize(p).toString(), lab)
                            .text(); // as the release has it
                }
                md.update(root.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                md.update(text.getBytes(StandardCharsets.UTF_8));
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }

    /** The given-code digest a release's marker file records, if {@code root} is a release that records one. */
    public static java.util.Optional<String> recordedGivenDigest(Path root) {
        return markerValue(root, GIVEN_KEY);
    }

    /** The value of the {@code key} line of the release marker at {@code root}, if it is a release with that line. */
    private static java.util.Optional<String> markerValue(Path root, String key) {
        Path marker = root.resolve(RELEASE_MARKER);
        if (!Files.isRegularFile(marker)) {
            return java.util.Optional.empty();
        }
        try {
            return Files.readAllLines(marker, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> l.substring(key.length()).trim())
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The labs a release at {@code root} gives out solved (lab ids, from its marker file); empty
     * for a workspace that is not a release, or a release with every lab to do.
     */
    public static Set<String> solvedLabs(Path root) {
        return markerValue(root, SOLVED_KEY)
                .<Set<String>>map(v -> new java.util.TreeSet<>(List.of(v.split("\\s*,\\s*"))))
                .orElse(Set.of());
    }

    /** Every exported file of the workspace, in a stable order. */
    public List<Path> listFiles() throws IOException {
        List<Path> result = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(workspace.root())) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> isExported(workspace.root().relativize(p)))
                    .sorted()
                    .forEach(result::add);
        }
        return result;
    }

    private Lab labOfStudentSource(Path relative) {
        for (Lab lab : workspace.labs()) {
            if (relative.startsWith(lab.studentSources())) {
                return lab;
            }
        }
        return null;
    }

    /** Refuses a target that is a file, or a folder with files in it, unless it is an earlier release and {@code replace}. */
    private static void checkTarget(Path target, boolean replace) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new java.nio.file.NotDirectoryException(target.toString());
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isEmpty()) {
                return;
            }
        }
        boolean release = isRelease(target);
        if (!release) {
            throw new IllegalArgumentException(
                    target + " is not empty and is not an earlier release; refusing to overwrite it:"
                            + " choose a new or empty folder");
        }
        if (!replace) {
            throw new IllegalArgumentException(target + " already holds a release, perhaps with a student's work in it;"
                    + " to take this release into it and keep that work, export elsewhere and run ./storagelab update NEW_FOLDER"
                    + " in it; to overwrite it and everything in it, add --replace");
        }
    }
}
