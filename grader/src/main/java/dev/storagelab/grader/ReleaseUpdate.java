package dev.storagelab.grader;

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
 *       file ({@link RegionMerge}); a task whose method changed so much that its code cannot be
 *       placed keeps the newer file's throw, and the student's whole file is kept beside it as
 *       {@code NAME.mine};</li>
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
        ADD("added"), UPDATE("updated"), MERGE("merged"), REPLACE("replaced"), CONFLICT("CHECK"), REMOVE("removed"), KEEP("kept");

        final String words;

        Action(String words) {
            this.words = words;
        }
    }

    /** One file's change: {@code text} (null: copy {@code from}; for REMOVE and KEEP, unused), and a note for the student. */
    public record Change(Path path, Action action, String text, Path from, String note) {
    }

    /** Directories of a workspace that are never read or written: build output, results, version control, IDEs. */
    private static final Set<String> UNTOUCHED = Set.of("target", "storagelab-out", ".git", ".idea", ".vscode", "node_modules");

    private ReleaseUpdate() {
    }

    /**
     * The changes that take {@code newer} (a release folder) into {@code workspace} (a student's
     * release), in path order. Reads only.
     *
     * @throws IllegalArgumentException when either is not a release
     */
    public static List<Change> plan(Path workspace, Path newer) throws IOException {
        if (!Files.isDirectory(newer)) {
            throw new IllegalArgumentException(newer + (Files.exists(newer) ? " is a file, not a folder" : " does not exist")
                    + "; name the folder of the newer release (what ./storagelab export wrote)");
        }
        if (!Files.isRegularFile(newer.resolve(Exporter.RELEASE_MARKER))) {
            throw new IllegalArgumentException(newer + " is not a storagelab release (it has no " + Exporter.RELEASE_MARKER
                    + "); name the folder of the newer release (what ./storagelab export wrote)");
        }
        if (!Files.isRegularFile(workspace.resolve(Exporter.RELEASE_MARKER))) {
            throw new IllegalArgumentException(workspace + " is not a student release (it has no " + Exporter.RELEASE_MARKER
                    + "): update takes a newer release into a student's workspace; an instructor exports with --out");
        }
        if (workspace.toRealPath().equals(newer.toRealPath())) {
            throw new IllegalArgumentException(newer + " is this workspace; name the folder of the newer release");
        }
        Map<String, String> before = Exporter.recordedFiles(workspace);
        Set<String> theirs = files(newer);
        Set<String> mine = files(workspace);
        List<Change> changes = new ArrayList<>();
        for (String rel : theirs) {
            Path from = newer.resolve(rel);
            Path to = workspace.resolve(rel);
            if (!mine.contains(rel)) {
                changes.add(new Change(to, Action.ADD, null, from, "new in this release"));
                continue;
            }
            if (Files.mismatch(from, to) == -1) {
                continue;
            }
            Change c = change(rel, from, to, before);
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
                changes.add(new Change(path, Action.KEEP, null, null, recorded == null
                        ? "your file" : "no longer in the release, but you changed it"));
            }
        }
        changes.sort(java.util.Comparator.comparing(Change::path));
        return changes;
    }

    private static Change change(String rel, Path from, Path to, Map<String, String> before) throws IOException {
        if (rel.equals(Exporter.RELEASE_MARKER)) {
            return new Change(to, Action.UPDATE, null, from, "");
        }
        String recorded = before.get(rel);
        byte[] mineBytes = Files.readAllBytes(to);
        if (rel.endsWith(".java")) {
            String newer = Files.readString(from, StandardCharsets.UTF_8);
            String mine = new String(mineBytes, StandardCharsets.UTF_8);
            if (RegionMerge.hasRegions(newer)) {
                RegionMerge.Result r = RegionMerge.merge(newer, mine);
                boolean onlyRegions = recorded != null
                        && recorded.equals(digest(RegionMerge.withoutStudentCode(mine, newer).getBytes(StandardCharsets.UTF_8)));
                String kept = r.carried().isEmpty() ? "" : "your code of " + String.join(", ", r.carried().keySet()) + " kept";
                if (!r.unplaced().isEmpty()) {
                    return new Change(to, Action.CONFLICT, r.text(), null, (kept.isEmpty() ? "" : kept + "; ")
                            + "the methods of " + String.join(", ", new TreeSet<>(r.unplaced())) + " changed, so they hold the"
                            + " release's throw again: copy your code for them from " + rel + ".mine");
                }
                if (!onlyRegions && !r.carried().isEmpty()) {
                    return new Change(to, Action.MERGE, r.text(), null, kept + "; you changed it outside the tasks' methods"
                            + " too: your whole file is in " + rel + ".mine");
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
        return new Change(to, Action.REPLACE, null, from, "it differs from what your release gave out (you changed it, or your release"
                + " is older than this command): yours is kept as " + rel + ".mine");
    }

    /** Writes the changes into the workspace, keeping a {@code .mine} copy wherever its note says so. */
    public static void apply(List<Change> changes) throws IOException {
        for (Change c : changes) {
            if (c.note().contains(".mine")) {
                Files.copy(c.path(), c.path().resolveSibling(c.path().getFileName() + ".mine"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            switch (c.action()) {
                case REMOVE -> Files.delete(c.path());
                case KEEP -> {
                }
                default -> {
                    Files.createDirectories(c.path().getParent());
                    if (c.text() != null) {
                        Files.writeString(c.path(), c.text(), StandardCharsets.UTF_8);
                    } else {
                        Files.copy(c.from(), c.path(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
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
            sb.append(String.format(java.util.Locale.ROOT, "  %-8s %s%n", c.action().words,
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
        byte[] input = RegionMerge.hasRegions(text) ? RegionMerge.canonical(text).getBytes(StandardCharsets.UTF_8) : bytes;
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(input));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files under {@code root} (relative, '/'-separated, sorted), outside build output, results and version control. */
    private static Set<String> files(Path root) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).map(root::relativize)
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
