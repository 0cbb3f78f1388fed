package dev.storagelab.grader.release;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code ./storagelab update NEWER_RELEASE}: takes a newer release (a fixed handout, a new lab)
 * into a student's workspace without losing their work. Every file of the newer release comes in,
 * except that:
 * <ul>
 *   <li>in a file that holds tasks, the student's code of each task is carried into the newer
 *       file ({@link RegionMerge}), also when the task's method moved to another file of the lab;
 *       a task whose method changed so much that its code cannot be placed keeps the newer file's
 *       throw, and the student's whole file is kept beside it as {@code NAME.mine}, as it is
 *       whenever the student's file holds anything the newer release does not carry;</li>
 *   <li>a given file the student changed (its digest is not the one the release they started
 *       from recorded) is replaced, and their version kept as {@code NAME.mine};</li>
 *   <li>a file the student added is kept; a file the earlier release had, that the student did not
 *       change and the newer one no longer has, is removed.</li>
 * </ul>
 * Build output ({@code target/}), results ({@code storagelab-out/}) and version control are
 * never touched. The whole plan is made before anything is written, so bad input changes nothing.
 */
public final class ReleaseUpdate {

    /** What happens to one file. */
    public enum Action {
        ADD("added"),
        UPDATE("updated"),
        MERGE("merged"),
        REPLACE("replaced"),
        CONFLICT("CHECK"),
        REMOVE("removed"),
        KEEP("kept");

        final String words;

        Action(String words) {
            this.words = words;
        }
    }

    /** One file's change: {@code text} (null: copy {@code from}; for REMOVE and KEEP, unused), and a note for the student. */
    public record Change(Path path, Action action, String text, Path from, String note) {}

    /** Directories of a workspace that are never read or written: build output, results, version control, IDEs. */
    private static final Set<String> UNTOUCHED =
            Set.of("target", "storagelab-out", ".git", ".idea", ".vscode", "node_modules");

    private ReleaseUpdate() {}

    /**
     * The changes that take {@code newer} (a release folder) into {@code workspace} (a student's
     * release), in path order. Reads only.
     *
     * @throws IllegalArgumentException when either is not a release
     */
    public static List<Change> plan(Path workspace, Path newer) throws IOException {
        if (!Files.isDirectory(newer)) {
            throw new IllegalArgumentException(
                    newer + (Files.exists(newer) ? " is a file, not a folder" : " does not exist")
                            + "; name the folder of the newer release (what ./storagelab export wrote)");
        }
        if (!Files.isRegularFile(newer.resolve(Exporter.RELEASE_MARKER))) {
            throw new IllegalArgumentException(
                    newer + " is not a storagelab release (it has no " + Exporter.RELEASE_MARKER
                            + "); name the folder of the newer release (what ./storagelab export wrote)");
        }
        if (!Files.isRegularFile(workspace.resolve(Exporter.RELEASE_MARKER))) {
            throw new IllegalArgumentException(
                    workspace + " is not a student release (it has no " + Exporter.RELEASE_MARKER
                            + "): update takes a newer release into a student's workspace; an instructor exports with --out");
        }
        if (workspace.toRealPath().equals(newer.toRealPath())) {
            throw new IllegalArgumentException(newer + " is this workspace; name the folder of the newer release");
        }
        Map<String, String> before = Exporter.recordedFiles(workspace);
        Set<String> theirs = files(newer);
        Set<String> mine = files(workspace);
        Labs labs = new Labs(workspace, newer, mine, theirs);
        List<Change> changes = new ArrayList<>();
        for (String rel : theirs) {
            Path from = newer.resolve(rel);
            Path to = workspace.resolve(rel);
            if (!mine.contains(rel)) {
                changes.add(added(rel, from, to, labs));
                continue;
            }
            if (Files.mismatch(from, to) == -1) {
                continue;
            }
            Change c = change(rel, from, to, before, labs);
            if (c.text() == null || !c.text().equals(Files.readString(to, StandardCharsets.UTF_8))) {
                changes.add(c);
            }
        }
        for (String rel : mine) {
            if (theirs.contains(rel)) {
                continue;
            }
            Path path = workspace.resolve(rel);
            String recorded = before.get(rel);
            if (recorded != null && recorded.equals(digest(Files.readAllBytes(path)))) {
                changes.add(new Change(path, Action.REMOVE, null, null, "no longer in the release"));
            } else {
                changes.add(new Change(
                        path,
                        Action.KEEP,
                        null,
                        null,
                        recorded == null ? "your file" : "no longer in the release, but you changed it"));
            }
        }
        changes.sort(java.util.Comparator.comparing(Change::path));
        return changes;
    }

    /** A file new in this release: copied, unless it holds a task whose code the student wrote in another file. */
    private static Change added(String rel, Path from, Path to, Labs labs) throws IOException {
        if (rel.endsWith(".java")) {
            String newer = Files.readString(from, StandardCharsets.UTF_8);
            if (RegionMerge.hasRegions(newer)) {
                RegionMerge.Result r = RegionMerge.merge(newer, null, labs.mine(rel));
                if (!r.movedFrom().isEmpty()) {
                    return new Change(to, Action.MERGE, r.text(), null, "new in this release; " + moved(r));
                }
            }
        }
        return new Change(to, Action.ADD, null, from, "new in this release");
    }

    /** "your code of lab-07 T5 moved here from HybridStore.java". */
    private static String moved(RegionMerge.Result r) {
        Map<String, List<String>> byFile = new TreeMap<>();
        r.movedFrom()
                .forEach((task, file) ->
                        byFile.computeIfAbsent(file, f -> new ArrayList<>()).add(task));
        List<String> parts = new ArrayList<>();
        byFile.forEach(
                (file, tasks) -> parts.add("your code of " + String.join(", ", tasks) + " moved here from " + file));
        return String.join("; ", parts);
    }

    private static Change change(String rel, Path from, Path to, Map<String, String> before, Labs labs)
            throws IOException {
        if (rel.equals(Exporter.RELEASE_MARKER)) {
            return new Change(to, Action.UPDATE, null, from, "");
        }
        String recorded = before.get(rel);
        byte[] mineBytes = Files.readAllBytes(to);
        if (rel.endsWith(".java")) {
            String newer = Files.readString(from, StandardCharsets.UTF_8);
            String mine = new String(mineBytes, StandardCharsets.UTF_8);
            if (RegionMerge.hasRegions(newer)) {
                RegionMerge.Result r = RegionMerge.merge(newer, mine, labs.mine(rel));
                // the student's file less the code of every task the newer release has, in this
                // file or in another it moved to: what their release gave out, if they changed no
                // more; anything else (a task the newer release no longer has, given code they
                // changed) would be lost, so their whole file is kept
                boolean onlyRegions = recorded != null
                        && recorded.equals(digest(RegionMerge.withoutStudentCode(mine, newer, labs.newer(rel))
                                .getBytes(StandardCharsets.UTF_8)));
                List<String> said = new ArrayList<>();
                Map<String, Integer> here = new TreeMap<>(r.carried());
                r.movedFrom().keySet().forEach(here::remove);
                if (!here.isEmpty()) {
                    said.add("your code of " + String.join(", ", here.keySet()) + " kept");
                }
                if (!r.movedFrom().isEmpty()) {
                    said.add(moved(r));
                }
                String kept = String.join("; ", said);
                if (!r.unplaced().isEmpty()) {
                    return new Change(
                            to,
                            Action.CONFLICT,
                            r.text(),
                            null,
                            (kept.isEmpty() ? "" : kept + "; ")
                                    + "the methods of " + String.join(", ", new TreeSet<>(r.unplaced()))
                                    + " changed, so they hold the"
                                    + " release's throw again: copy your code for them from " + rel + ".mine");
                }
                if (!onlyRegions) {
                    return new Change(
                            to,
                            Action.MERGE,
                            r.text(),
                            null,
                            (kept.isEmpty() ? "" : kept + "; ")
                                    + "your file holds code this release does not carry (you changed it outside the tasks' methods,"
                                    + " or a task's method left it): your whole file is in " + rel + ".mine");
                }
                return new Change(to, r.carried().isEmpty() ? Action.UPDATE : Action.MERGE, r.text(), null, kept);
            }
        }
        if (recorded != null && recorded.equals(digest(mineBytes))) {
            return new Change(to, Action.UPDATE, null, from, "");
        }
        if (recorded != null && recorded.equals(digest(Files.readAllBytes(from)))) {
            return new Change(to, Action.KEEP, null, null, "you changed it; this release did not");
        }
        return new Change(
                to,
                Action.REPLACE,
                null,
                from,
                "it differs from what your release gave out (you changed it, or your release"
                        + " is older than this command): yours is kept as " + rel + ".mine");
    }

    /** Writes the changes into the workspace, keeping a {@code .mine} copy wherever its note says so. */
    public static void apply(List<Change> changes) throws IOException {
        for (Change c : changes) {
            if (c.note().contains(".mine")) {
                Files.copy(
                        c.path(),
                        c.path().resolveSibling(c.path().getFileName() + ".mine"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            switch (c.action()) {
                case REMOVE -> Files.delete(c.path());
                case KEEP -> {}
                default -> {
                    Files.createDirectories(c.path().getParent());
                    if (c.text() != null) {
                        Files.writeString(c.path(), c.text(), StandardCharsets.UTF_8);
                    } else {
                        Files.copy(
                                c.from(),
                                c.path(),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }

    /** One line per change, then how many of each. */
    public static String report(Path workspace, List<Change> changes) {
        StringBuilder sb = new StringBuilder();
        Map<Action, Integer> counts = new TreeMap<>();
        for (Change c : changes) {
            counts.merge(c.action(), 1, Integer::sum);
            if (c.path().getFileName().toString().equals(Exporter.RELEASE_MARKER)) {
                continue;
            }
            sb.append(String.format(
                    java.util.Locale.ROOT,
                    "  %-8s %s%n",
                    c.action().words,
                    workspace.relativize(c.path()) + (c.note().isEmpty() ? "" : ": " + c.note())));
        }
        if (changes.stream().allMatch(c -> c.action() == Action.KEEP)) {
            sb.append("  nothing to change: this workspace already has that release\n");
        }
        List<String> totals = new ArrayList<>();
        counts.forEach((a, n) -> totals.add(n + " " + a.words));
        sb.append(String.join("; ", totals)).append(changes.isEmpty() ? "" : "\n");
        return sb.toString();
    }

    /** The SHA-256 of {@code bytes}, in hex; of a Java file with tasks, of its canonical text ({@link RegionMerge#canonical}). */
    static String digest(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        byte[] input =
                RegionMerge.hasRegions(text) ? RegionMerge.canonical(text).getBytes(StandardCharsets.UTF_8) : bytes;
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(input));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Java files of each lab, on both sides, where a task's code may have moved between files:
     * a file's lab is the first folder of its path.
     */
    private static final class Labs {
        private final Path workspace;
        private final Path newerRoot;
        private final Set<String> mine;
        private final Set<String> theirs;

        Labs(Path workspace, Path newerRoot, Set<String> mine, Set<String> theirs) {
            this.workspace = workspace;
            this.newerRoot = newerRoot;
            this.mine = mine;
            this.theirs = theirs;
        }

        /** The student's other Java files of {@code rel}'s lab. */
        List<RegionMerge.Source> mine(String rel) throws IOException {
            List<RegionMerge.Source> out = new ArrayList<>();
            for (String other : sameLab(rel, mine)) {
                out.add(new RegionMerge.Source(
                        Path.of(other).getFileName().toString(),
                        Files.readString(workspace.resolve(other), StandardCharsets.UTF_8)));
            }
            return out;
        }

        /** The newer release's other Java files of {@code rel}'s lab that hold tasks. */
        List<String> newer(String rel) throws IOException {
            List<String> out = new ArrayList<>();
            for (String other : sameLab(rel, theirs)) {
                String text = Files.readString(newerRoot.resolve(other), StandardCharsets.UTF_8);
                if (RegionMerge.hasRegions(text)) {
                    out.add(text);
                }
            }
            return out;
        }

        private static List<String> sameLab(String rel, Set<String> files) {
            int slash = rel.indexOf('/');
            String lab = slash < 0 ? "" : rel.substring(0, slash + 1);
            return files.stream()
                    .filter(f -> !lab.isEmpty()
                            && f.startsWith(lab)
                            && f.endsWith(".java")
                            && !f.equals(rel)
                            && f.contains("/src/main/"))
                    .toList();
        }
    }

    /** The files under {@code root} (relative, '/'-separated, sorted), outside build output, results and version control. */
    private static Set<String> files(Path root) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile)
                    .map(root::relativize)
                    .filter(rel -> {
                        for (Path part : rel) {
                            if (UNTOUCHED.contains(part.toString())) {
                                return false;
                            }
                        }
                        return !rel.getFileName().toString().endsWith(".mine");
                    })
                    .forEach(rel -> out.add(rel.toString().replace('\\', '/')));
        }
        return out;
    }
}
