package dev.storagelab.grader.release;

import dev.storagelab.grader.workspace.Regions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Carries a student's code into a newer release of the same file. In a release each solution
 * region is one throw line at the end of a block ({@link Regions}); the student replaces it with
 * their code. A region is found again by its block: the line that opens the block and the given
 * lines between that line and the throw. In the student's file the same opening line and given
 * lines are followed by their code, up to the brace that closes the block. That code replaces the
 * throw in the newer file, so fixes to the given code around it (Javadoc, signatures of other
 * methods, new methods) arrive while the student's code stays. A region whose method moved to
 * another file between the releases is found in the student's other files of the same lab, by
 * the same block, when exactly one place there matches.
 */
final class RegionMerge {

    /** A release's throw line: {@code throw new dev.storagelab.lab.NotImplementedException("lab-05", "T1", "...");}. */
    static final Pattern THROW = Pattern.compile(
            "^\\s*throw new dev\\.storagelab\\.lab\\.NotImplementedException\\(\"(lab-\\d\\d)\", \"(T\\d+)\",.*\\);\\s*$");

    private RegionMerge() {}

    /**
     * The result of a merge.
     *
     * @param text     the newer file with the student's code in the regions it could place
     * @param carried  per task ("lab-05 T1"), how many regions kept the student's code
     * @param unplaced the tasks whose region could not be found in the student's file (the
     *                 block it sits in changed): the newer file keeps the throw there
     * @param movedFrom per task whose code came from another of the student's files, that file's name
     */
    record Result(String text, Map<String, Integer> carried, List<String> unplaced, Map<String, String> movedFrom) {}

    /** One of the student's other files of the same lab, where a region that moved may be found: its name and text. */
    record Source(String name, String text) {}

    /** Whether {@code text} holds at least one region's throw line. */
    static boolean hasRegions(String text) {
        return text.lines().anyMatch(l -> THROW.matcher(l).matches());
    }

    /**
     * The file with every region's throw line reduced to its lab and task: two files that differ
     * only in the handout anchors of their throws (or in nothing) have the same canonical text.
     */
    static String canonical(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (String line : text.split("\n", -1)) {
            Matcher m = THROW.matcher(line);
            sb.append(m.matches() ? "\u0000region " + m.group(1) + " " + m.group(2) : line)
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * The student's file {@code mine} with each of its regions' code put back as the throw it
     * replaced, in canonical form: equal to {@code canonical(release)} when the student changed
     * nothing outside the regions of the release they started from.
     */
    static String withoutStudentCode(String mine, String newer) {
        return withoutStudentCode(mine, newer, List.of());
    }

    /**
     * As {@link #withoutStudentCode(String, String)}, also putting back as throws the regions of
     * {@code elsewhere} (the newer release's other files of the lab) that moved out of this file.
     */
    static String withoutStudentCode(String mine, String newer, List<String> elsewhere) {
        String[] n = newer.split("\n", -1);
        String[] w = mine.split("\n", -1);
        List<Span> spans = new ArrayList<>();
        for (Anchor a : anchors(n)) {
            Span s = locate(a, n, w);
            if (s != null) {
                spans.add(s);
            }
        }
        for (String other : elsewhere) {
            String[] o = other.split("\n", -1);
            for (Anchor a : anchors(o)) {
                Span s = locateOnly(a, o, w);
                if (s != null && spans.stream().noneMatch(t -> t.from() < s.to() && s.from() < t.to())) {
                    spans.add(s);
                }
            }
        }
        spans.sort(java.util.Comparator.comparingInt(Span::from));
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (Span s : spans) {
            for (; i < s.from(); i++) {
                sb.append(w[i]).append('\n');
            }
            sb.append(s.throwLine()).append('\n');
            i = s.to();
        }
        for (; i < w.length; i++) {
            sb.append(w[i]).append('\n');
        }
        return canonical(sb.toString().substring(0, sb.length() - 1));
    }

    /** Merges the student's code of {@code mine} into {@code newer} (see the class comment). */
    static Result merge(String newer, String mine) {
        return merge(newer, mine, List.of());
    }

    /**
     * Merges the student's code into {@code newer}: from {@code mine} (their version of the same
     * file; null when the file is new in this release), or, for a region whose block is not there,
     * from the one place in {@code others} (their other files of the lab) where that block is.
     */
    static Result merge(String newer, String mine, List<Source> others) {
        String[] n = newer.split("\n", -1);
        String[] w = mine == null ? new String[0] : mine.split("\n", -1);
        Map<String, Integer> carried = new TreeMap<>();
        Map<String, String> movedFrom = new TreeMap<>();
        List<String> unplaced = new ArrayList<>();
        List<String> out = new ArrayList<>();
        int next = 0;
        for (Anchor a : anchors(n)) {
            for (; next < a.throwLine(); next++) {
                out.add(n[next]);
            }
            Span s = locate(a, n, w);
            List<String> code = s == null ? null : List.of(w).subList(s.from(), s.to());
            if (code == null) {
                List<String> found = null;
                String from = null;
                for (Source other : others) {
                    String[] o = other.text().split("\n", -1);
                    Span t = locateOnly(a, n, o);
                    if (t != null) {
                        if (found != null) { // the block is in two of their files: which one is meant is a guess
                            found = null;
                            break;
                        }
                        found = List.of(o).subList(t.from(), t.to());
                        from = other.name();
                    }
                }
                code = found;
                if (found != null && !untouched(found)) {
                    movedFrom.put(a.task(), from);
                }
            }
            boolean untouched = code != null && untouched(code);
            if (code == null && mine != null) {
                unplaced.add(a.task());
            }
            if (code == null || untouched) {
                out.add(n[a.throwLine()]);
            } else {
                out.addAll(code);
                carried.merge(a.task(), 1, Integer::sum);
            }
            next = a.throwLine() + 1;
        }
        for (; next < n.length; next++) {
            out.add(n[next]);
        }
        return new Result(String.join("\n", out), carried, unplaced, movedFrom);
    }

    /** Whether a region's lines are still only the release's throw: the student has not started it. */
    private static boolean untouched(List<String> code) {
        return code.stream()
                .filter(l -> !l.isBlank())
                .allMatch(l -> THROW.matcher(l).matches());
    }

    /**
     * The region's code in another file {@code w}, where its block's occurrence number means
     * nothing: found only when exactly one block there opens and begins as the region's does.
     */
    private static Span locateOnly(Anchor a, String[] n, String[] w) {
        Span only = null;
        for (int occurrence = 0; ; occurrence++) {
            Span s = locate(new Anchor(a.task(), a.throwLine(), a.opening(), a.given(), occurrence), n, w);
            if (s == null) {
                return occurrence == 1 ? only : null;
            }
            only = s;
            if (occurrence == 1) {
                return null;
            }
        }
    }

    /**
     * A region of the newer file: its throw line, the line that opens its block, the given lines
     * between them, and which occurrence of that opening it is (for blocks that open alike).
     */
    private record Anchor(String task, int throwLine, String opening, List<String> given, int occurrence) {}

    /** Where a region's code sits in the student's file: lines [from, to), and the throw it stands for. */
    private record Span(int from, int to, String throwLine) {}

    private static List<Anchor> anchors(String[] n) {
        int[] opener = openers(n);
        List<Anchor> anchors = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int k = 0; k < n.length; k++) {
            Matcher m = THROW.matcher(n[k]);
            if (!m.matches() || opener[k] < 0) {
                continue;
            }
            int open = opener[k];
            List<String> given = new ArrayList<>();
            for (int i = open + 1; i < k; i++) {
                given.add(n[i].strip());
            }
            String key = n[open].strip() + "\n" + String.join("\n", given);
            int occurrence = seen.merge(key, 1, Integer::sum) - 1;
            anchors.add(new Anchor(m.group(1) + " " + m.group(2), k, n[open].strip(), given, occurrence));
        }
        return anchors;
    }

    /** The region's code in the student's file, or null when its block cannot be found there. */
    private static Span locate(Anchor a, String[] n, String[] w) {
        int[] closer = closers(w);
        int found = -1;
        for (int j = 0; j < w.length; j++) {
            if (!w[j].strip().equals(a.opening())
                    || closer[j] < 0
                    || j + a.given().size() >= w.length) {
                continue;
            }
            boolean same = true;
            for (int g = 0; g < a.given().size() && same; g++) {
                same = w[j + 1 + g].strip().equals(a.given().get(g));
            }
            if (same && ++found == a.occurrence()) {
                int from = j + 1 + a.given().size();
                int to = closer[j];
                if (to < from || !w[to].strip().startsWith("}")) {
                    return null;
                }
                return new Span(from, to, n[a.throwLine()]);
            }
        }
        return null;
    }

    /** For each line, the line whose last '{' opens the innermost block it is in (-1: none). */
    private static int[] openers(String[] lines) {
        int[] opener = new int[lines.length];
        java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();
        Scanner scanner = new Scanner();
        for (int i = 0; i < lines.length; i++) {
            opener[i] = open.isEmpty() ? -1 : open.peek();
            for (char c : scanner.braces(lines[i])) {
                if (c == '{') {
                    open.push(i);
                } else if (!open.isEmpty()) {
                    open.pop();
                }
            }
        }
        return opener;
    }

    /** For each line that ends by opening a block, the line of the brace that closes it (-1: other lines). */
    private static int[] closers(String[] lines) {
        int[] closer = new int[lines.length];
        java.util.Arrays.fill(closer, -1);
        java.util.ArrayDeque<int[]> open = new java.util.ArrayDeque<>(); // {line, is the line's last brace}
        Scanner scanner = new Scanner();
        for (int i = 0; i < lines.length; i++) {
            List<Character> braces = scanner.braces(lines[i]);
            for (int b = 0; b < braces.size(); b++) {
                if (braces.get(b) == '{') {
                    open.push(new int[] {i, b == braces.size() - 1 ? 1 : 0});
                } else if (!open.isEmpty()) {
                    int[] o = open.pop();
                    if (o[1] == 1) {
                        closer[o[0]] = i;
                    }
                }
            }
        }
        return closer;
    }

    /** The braces of Java source lines, outside comments, strings, text blocks and character literals. */
    private static final class Scanner {
        /** What ends the block comment or text block the scan is inside ("*&#47;" or three quotes), or null. */
        private String closing;

        List<Character> braces(String line) {
            List<Character> out = new ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                if (closing != null) {
                    int end = line.indexOf(closing, i);
                    if (end < 0) {
                        return out;
                    }
                    i = end + closing.length();
                    closing = null;
                    continue;
                }
                char c = line.charAt(i);
                if (line.startsWith("//", i)) {
                    return out;
                } else if (line.startsWith("/*", i) || line.startsWith("\"\"\"", i)) {
                    closing = c == '/' ? "*/" : "\"\"\"";
                    i += c == '/' ? 2 : 3;
                } else if (c == '"' || c == '\'') {
                    i = skipLiteral(line, i, c);
                } else {
                    if (c == '{' || c == '}') {
                        out.add(c);
                    }
                    i++;
                }
            }
            return out;
        }

        private static int skipLiteral(String line, int start, char quote) {
            int i = start + 1;
            while (i < line.length() && line.charAt(i) != quote) {
                i += line.charAt(i) == '\\' ? 2 : 1;
            }
            return i + 1;
        }
    }
}
