package dev.storagelab.grader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proof that a student release carries no solution and no instructor material: no run of
 * {@value #WINDOW} consecutive non-trivial lines of a solution or remove region, of the mutation
 * audit's records (the bugs the hidden tests let through) or of a hidden test appears in the
 * release outside where it belongs ({@link Kind}), in any text file (Java, Markdown, patches, data,
 * JSON, scripts); and no line has the form in which the audit lists a mutant (task, file and
 * line, PIT's mutator). {@code export} runs it and refuses a release that fails it.
 *
 * <p>Lines are compared <em>normalized</em>: every whitespace character taken out, so a reformatted
 * copy still matches, and the marks that begin a patch's line, a quote or a list item ({@code +},
 * {@code -}, {@code >}). Comments (lines that begin with {@code //}, {@code /*}, {@code *} or
 * {@code #}) are read twice: dropped, so a copy with comments put between its lines matches, and
 * as the text after their marks, so code quoted in a Javadoc, a Markdown heading or a script's
 * comment matches. A line is <em>trivial</em> if it has no letter or digit (braces, punctuation),
 * is shorter than {@value #MIN_LENGTH} characters normalized (<code>i++;</code>,
 * <code>hi = mid;</code>), is bare control flow or a statement of no substance
 * (<code>try {</code>, <code>} else {</code>, <code>} catch (E e) {</code>, <code>return x;</code>,
 * <code>break;</code>, <code>case A:</code>, an import), or is an idiom of the codebase: found in
 * {@value #IDIOM_FILES} or more of the Java files the release ships
 * (<code>while (it.hasNext()) {</code>). Trivial lines are skipped, not window breakers: a copy
 * with blank lines or braces put between its lines still matches. A line with {@code \n} escapes
 * (JSON, a string in a script) is also read as the lines they separate.
 *
 * <p>The windows of the workspace are kept in a hash map, and each window of the release is looked
 * up in it: a whole release is checked in about a second of CPU.
 */
public final class ReleaseLeakCheck {

    /** Shorter normalized lines are trivial. */
    static final int MIN_LENGTH = 8;
    /** A line in this many shipped Java files or more is an idiom of the codebase. */
    static final int IDIOM_FILES = 5;
    /** How many consecutive non-trivial lines make a leak. */
    static final int WINDOW = 3;

    private static final Pattern COMMENT_MARKS = Pattern.compile("^[/*#]+");
    private static final Pattern NO_SUBSTANCE = Pattern.compile(
            "}?(else|try|finally|do)\\{?|}?catch\\(.*\\)\\{?|(return|break|continue)-?\\w*;|(case.*|default):|(import|package)[\\w.*]+;");
    private static final Pattern BEGIN_SOLUTION =
            Pattern.compile("//\\s*BEGIN SOLUTION\\s+(lab-\\d\\d)\\s+(T\\d+)\\s*");
    private static final Pattern BEGIN_REMOVE = Pattern.compile("//\\s*BEGIN REMOVE\\s*");
    private static final Pattern END = Pattern.compile("//\\s*END (SOLUTION|REMOVE)\\s*");
    /**
     * The audit's records: {@code notes/audit.md}, {@code audit-lab-NN.txt}, {@code audit.txt}, {@code
     * audit.json}, and every file of its log's folder ({@link #AUDIT_LOG}).
     */
    private static final Pattern AUDIT_RECORD = Pattern.compile("audit(-lab-\\d+)?\\.(md|txt|json)");

    /** The folder of the audit's measurement log. */
    static final Path AUDIT_LOG = Path.of("notes", "data", "audit");

    private static final java.nio.file.PathMatcher HIDDEN_TEST =
            java.nio.file.FileSystems.getDefault().getPathMatcher("glob:**/src/hidden/**.java");
    /** How the audit lists a mutant: task, file and line, mutator. */
    static final Pattern MUTANT_LINE = Pattern.compile("\\bT\\d+\\s+\\S+\\.java:\\d+\\s+\\w*Mutator\\b");

    private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", "target");
    /** Where {@link #unescaped} breaks a line: a {@code \n} escape, or a quote that is not escaped. */
    private static final Pattern UNESCAPED_BREAK = Pattern.compile("\\\\n|(?<!\\\\)\"");
    /** A Markdown link's target, or a path in backquotes. */
    private static final Pattern CITATION = Pattern.compile("\\]\\(([^)#\\s]+)|`([\\w.-]+/[\\w./-]+)`");

    /** What a window is a part of. */
    private enum Kind {
        /**
         * A solution or remove region: a leak anywhere but in the region's own file, whose code
         * outside the regions is given beside the task on purpose (a simpler version the task
         * improves on, a method that does part of the same work). The regions of labs a release
         * gives out solved are not taken at all.
         */
        REGION,
        /** The audit's records: a leak anywhere. */
        AUDIT,
        /**
         * A hidden test: a leak outside the source trees ({@code src/}) of the release's modules:
         * their public tests share helpers and idioms with the hidden ones by design, and a hidden
         * test may restate given code as its oracle (lab-02's hash finalizer).
         */
        HIDDEN_TEST
    }

    /** Where a window came from: a file, the number of the window's first line there, and what it is. */
    private record Origin(String file, int line, String what, Kind kind) {
        @Override
        public String toString() {
            return file + ":" + line + " (" + what + ")";
        }
    }

    /** A window found where it must not be: the release file and line, where it came from, the lines. */
    public record Leak(String foundIn, int foundLine, String origin, List<String> lines) {
        @Override
        public String toString() {
            return foundIn + ":" + foundLine + " holds " + origin + ": " + String.join(" / ", lines);
        }
    }

    /**
     * What a check found.
     *
     * @param regions           the solution and remove regions whose lines were looked for
     * @param regionWindows     their distinct windows
     * @param instructorWindows the distinct windows of the audit's records and the hidden tests, beyond those
     * @param filesChecked      the text files of the release that were read
     * @param leaks             each run of windows found where it must not be, and each line that lists a mutant
     */
    public record Report(int regions, int regionWindows, int instructorWindows, int filesChecked, List<Leak> leaks) {

        public boolean clean() {
            return leaks.isEmpty();
        }

        /** What leaked, where (one a line, at most 20), and how to keep it out. */
        public String describe() {
            StringBuilder s =
                    new StringBuilder("the release would leak instructor material in " + leaks.size() + " places; leave"
                            + " the file out (.exportignore), put Markdown between <!-- BEGIN INSTRUCTOR --> and <!-- END INSTRUCTOR -->,"
                            + " or take the lines out:");
            leaks.stream().limit(20).forEach(l -> s.append("\n  ").append(l));
            if (leaks.size() > 20) {
                s.append("\n  ... and ").append(leaks.size() - 20).append(" more");
            }
            return s.toString();
        }
    }

    private final Map<String, Origin> windows;
    private final Set<String> idioms;
    private final int regions;
    private final int regionWindows;

    private ReleaseLeakCheck(Map<String, Origin> windows, Set<String> idioms, int regions, int regionWindows) {
        this.windows = windows;
        this.idioms = idioms;
        this.regions = regions;
        this.regionWindows = regionWindows;
    }

    /**
     * The check for releases of {@code workspace} that give out the labs {@code solvedLabs} (lab
     * ids) solved: the windows of every other lab's regions, of the audit's records and of the
     * hidden tests.
     */
    public static ReleaseLeakCheck of(Workspace workspace, Set<String> solvedLabs) throws IOException {
        Path root = workspace.root();
        Exporter exporter = new Exporter(workspace);
        List<Path> files = filesUnder(root);
        Map<String, Integer> filesWithLine = new HashMap<>();
        for (Path relative : files) {
            if (relative.toString().endsWith(".java") && exporter.isExported(relative)) {
                Set<String> distinct = new HashSet<>();
                for (String line : read(root.resolve(relative)).split("\n", -1)) {
                    distinct.add(normalize(line));
                }
                distinct.forEach(l -> filesWithLine.merge(l, 1, Integer::sum));
            }
        }
        Set<String> idioms = new HashSet<>();
        filesWithLine.forEach((line, count) -> {
            if (count >= IDIOM_FILES) {
                idioms.add(line);
            }
        });

        List<Snippet> regionSnippets = new ArrayList<>();
        for (Path relative : files) {
            Lab lab = workspace.labs().stream()
                    .filter(l -> relative.startsWith(l.studentSources()))
                    .findFirst()
                    .orElse(null);
            if (lab != null
                    && !solvedLabs.contains(lab.id())
                    && relative.toString().endsWith(".java")) {
                regionSnippets.addAll(regionsOf(relative.toString(), read(root.resolve(relative))));
            }
        }
        List<Snippet> instructorSnippets = new ArrayList<>();
        for (Path relative : files) {
            Kind kind =
                    AUDIT_RECORD.matcher(relative.getFileName().toString()).matches() || relative.startsWith(AUDIT_LOG)
                            ? Kind.AUDIT
                            : HIDDEN_TEST.matches(relative) ? Kind.HIDDEN_TEST : null;
            if (kind != null) {
                String what = kind == Kind.AUDIT ? "the mutation audit's record" : "a hidden test";
                instructorSnippets.add(new Snippet(
                        relative.toString(), 0, read(root.resolve(relative)).split("\n", -1), what, kind));
            }
        }
        Map<String, Origin> windows = new HashMap<>();
        regionSnippets.forEach(s -> s.addWindowsTo(windows, idioms));
        int regionWindows = windows.size();
        instructorSnippets.forEach(s -> s.addWindowsTo(windows, idioms));
        return new ReleaseLeakCheck(windows, idioms, regionSnippets.size(), regionWindows);
    }

    /** Lines of a file, from the line after {@code offset} (1-based numbering), and what they are. */
    private record Snippet(String file, int offset, String[] lines, String what, Kind kind) {

        /** Adds this snippet's windows to {@code into}; the first origin of a window wins. */
        void addWindowsTo(Map<String, Origin> into, Set<String> idioms) {
            for (boolean readComments : List.of(false, true)) {
                List<NumberedLine> kept = nonTrivial(List.of(lines), offset + 1, idioms, readComments);
                for (int i = 0; i + WINDOW <= kept.size(); i++) {
                    into.putIfAbsent(key(kept, i), new Origin(file, kept.get(i).number(), what, kind));
                }
            }
        }
    }

    private record NumberedLine(String normalized, int number, String text) {}

    /** The solution and remove regions of a lab source file, as snippets. */
    private static List<Snippet> regionsOf(String file, String text) {
        String[] lines = text.split("\n", -1);
        List<Snippet> found = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String trimmed = lines[i].trim();
            Matcher solution = BEGIN_SOLUTION.matcher(trimmed);
            boolean remove = BEGIN_REMOVE.matcher(trimmed).matches();
            if (!solution.matches() && !remove) {
                continue;
            }
            int end = i + 1;
            while (end < lines.length && !END.matcher(lines[end].trim()).matches()) {
                end++;
            }
            String what = remove ? "a remove region" : solution.group(1) + " " + solution.group(2);
            found.add(new Snippet(file, i + 1, java.util.Arrays.copyOfRange(lines, i + 1, end), what, Kind.REGION));
            i = end;
        }
        return found;
    }

    /** Checks every text file under {@code release}. */
    public Report check(Path release) throws IOException {
        Set<Leak> leaks = new java.util.LinkedHashSet<>();
        int checked = 0;
        for (Path relative : filesUnder(release)) {
            byte[] bytes = Files.readAllBytes(release.resolve(relative));
            if (isBinary(bytes)) {
                continue;
            }
            checked++;
            String file = relative.toString();
            String text = new String(bytes, StandardCharsets.UTF_8);
            String[] raw = text.split("\n", -1);
            for (int i = 0; text.contains("Mutator") && i < raw.length; i++) {
                if (MUTANT_LINE.matcher(raw[i]).find()) {
                    leaks.add(new Leak(file, i + 1, "a mutant as the audit lists it", List.of(raw[i].trim())));
                }
            }
            for (boolean readComments : List.of(false, true)) {
                find(file, nonTrivial(List.of(raw), 1, idioms, readComments), leaks);
                if (text.contains("\\n")) {
                    find(file, unescaped(raw, idioms, readComments), leaks);
                }
            }
        }
        return new Report(regions, regionWindows, windows.size() - regionWindows, checked, List.copyOf(leaks));
    }

    /**
     * The places where a Markdown file of {@code release} cites a file of the workspace at
     * {@code root} (a link, or a path in backquotes, from the file's folder or the root) that the
     * release leaves out, so that no note sends a student to a missing file; each as
     * "file:line cites path".
     */
    public static List<String> citationsOfLeftOutFiles(Path root, Path release) throws IOException {
        List<String> dangling = new ArrayList<>();
        for (Path relative : filesUnder(release)) {
            if (!relative.toString().endsWith(".md")) {
                continue;
            }
            String[] lines = read(release.resolve(relative)).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher m = CITATION.matcher(lines[i]);
                while (m.find()) {
                    String cited = m.group(1) != null ? m.group(1) : m.group(2);
                    Path folder = relative.getParent() == null ? Path.of("") : relative.getParent();
                    for (Path candidate : List.of(
                            folder.resolve(cited).normalize(), Path.of(cited).normalize())) {
                        if (!candidate.startsWith("..")
                                && !skipped(candidate)
                                && Files.exists(root.resolve(candidate))
                                && !Files.exists(release.resolve(candidate))) {
                            dangling.add(relative + ":" + (i + 1) + " cites " + cited);
                        }
                    }
                }
            }
        }
        return dangling;
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            if (SKIPPED_DIRECTORIES.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    /** Adds a leak for each run of windows of {@code kept} (the lines of {@code file}) that come from one file. */
    private void find(String file, List<NumberedLine> kept, Set<Leak> leaks) {
        String previous = null;
        for (int i = 0; i + WINDOW <= kept.size(); i++) {
            Origin origin = windows.get(key(kept, i));
            if (origin == null || allowed(origin, file)) {
                previous = null;
                continue;
            }
            if (!origin.file().equals(previous)) {
                List<String> lines = kept.subList(i, i + WINDOW).stream()
                        .map(l -> l.text().trim())
                        .toList();
                leaks.add(new Leak(file, kept.get(i).number(), origin.toString(), lines));
            }
            previous = origin.file();
        }
    }

    /** Whether a window of {@code origin} may be in release file {@code file} (see {@link Kind}). */
    private static boolean allowed(Origin origin, String file) {
        return switch (origin.kind()) {
            case REGION -> origin.file().equals(file);
            case AUDIT -> false;
            case HIDDEN_TEST -> file.startsWith("src/") || file.contains("/src/");
        };
    }

    /**
     * A line with {@code \n} escapes read as the lines they separate, and split at its quotes (so
     * that a JSON or script string's first line does not begin with its key), each part numbered
     * as the line it is part of; escaped quotes, tabs and backslashes read as themselves.
     */
    private static List<NumberedLine> unescaped(String[] raw, Set<String> idioms, boolean readComments) {
        List<NumberedLine> kept = new ArrayList<>();
        for (int i = 0; i < raw.length; i++) {
            for (String part : UNESCAPED_BREAK.split(raw[i], -1)) {
                String text = part.replace("\\\"", "\"").replace("\\t", " ").replace("\\\\", "\\");
                kept.addAll(nonTrivial(List.of(text), i + 1, idioms, readComments));
            }
        }
        return kept;
    }

    /**
     * The non-trivial lines of {@code lines}, normalized and numbered from {@code firstNumber}. A
     * comment is dropped, or with {@code readComments} read as the text after its marks, so that
     * both a copy with comments put between its lines and code quoted in a comment match.
     */
    private static List<NumberedLine> nonTrivial(
            List<String> lines, int firstNumber, Set<String> idioms, boolean readComments) {
        List<NumberedLine> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String n = normalize(lines.get(i));
            if (isComment(n) && !readComments) {
                continue;
            }
            n = readComments ? COMMENT_MARKS.matcher(n).replaceFirst("") : n;
            if (!trivial(n) && !idioms.contains(n)) {
                kept.add(new NumberedLine(n, firstNumber + i, lines.get(i)));
            }
        }
        return kept;
    }

    /** A line with no whitespace, and without the marks that begin it as a patch's line, a quote or a list item. */
    static String normalize(String line) {
        StringBuilder s = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean prefix = s.length() == 0 && (c == '+' || c == '-' || c == '>');
            if (!Character.isWhitespace(c) && !prefix) {
                s.append(c);
            }
        }
        return s.toString();
    }

    /** Whether a normalized line is a comment: it begins with {@code //}, {@code /*}, {@code *} or {@code #}. */
    static boolean isComment(String normalized) {
        return normalized.startsWith("//")
                || normalized.startsWith("/*")
                || normalized.startsWith("*")
                || normalized.startsWith("#");
    }

    /** Whether a normalized line is trivial (see the class comment); comments and idioms aside. */
    static boolean trivial(String normalized) {
        return normalized.length() < MIN_LENGTH
                || normalized.chars().noneMatch(Character::isLetterOrDigit)
                || NO_SUBSTANCE.matcher(normalized).matches();
    }

    private static String key(List<NumberedLine> lines, int from) {
        StringBuilder key = new StringBuilder();
        for (int i = from; i < from + WINDOW; i++) {
            key.append(lines.get(i).normalized()).append('\n');
        }
        return key.toString();
    }

    /** Every file under {@code root}, relative to it, in a stable order; build output and Git left out. */
    private static List<Path> filesUnder(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(
                    Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                return SKIPPED_DIRECTORIES.contains(dir.getFileName().toString()) && !dir.equals(root)
                        ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                        : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    files.add(root.relativize(file));
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return files;
    }

    private static boolean isBinary(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    /** The text of a file, read as UTF-8 (a malformed byte reads as a replacement character, not an error). */
    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}
