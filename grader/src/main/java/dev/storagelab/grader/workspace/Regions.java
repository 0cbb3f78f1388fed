package dev.storagelab.grader.workspace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marked regions of the reference and what the student release makes of them.
 *
 * <p>In Java sources:
 * <pre>
 *   // BEGIN SOLUTION lab-01 T3        the student writes this; the release gets one throw of
 *   ...                                NotImplementedException naming lab, task and handout anchor
 *   // END SOLUTION
 *   // BEGIN REMOVE                    only the solution needs this (a helper, a field, an
 *   ...                                import); the release drops it
 *   // END REMOVE
 * </pre>
 * A solution region must end its enclosing block (the next non-blank line closes it with
 * {@code }}), so the throw that replaces it never makes later statements unreachable.
 *
 * <p>In Markdown: {@code <!-- BEGIN INSTRUCTOR -->} ... {@code <!-- END INSTRUCTOR -->} is
 * dropped from the release; the lines {@code <!-- BEGIN STUDENT} and {@code END STUDENT -->} are
 * dropped and what lies between them is kept, so text only students see stays a comment here.
 * The poms ({@code pom.xml}) are exported the same way: their instructor regions are XML comments.
 */
public final class Regions {

    private Regions() {}

    private static final Pattern BEGIN_SOLUTION =
            Pattern.compile("//\\s*BEGIN SOLUTION\\s+(lab-\\d\\d)\\s+(T\\d+)\\s*");
    private static final Pattern ANY_MARKER = Pattern.compile("//\\s*(BEGIN|END)\\s+(SOLUTION|REMOVE)\\b.*");
    private static final String NOT_IMPLEMENTED = "dev.storagelab.lab.NotImplementedException";

    /**
     * A solution region found in a source file.
     *
     * @param line    the line of its BEGIN marker (1-based)
     * @param endLine the line of its END marker
     */
    public record Region(String file, int line, int endLine, String lab, String task) {

        /** Whether {@code lineNumber} is a line of the region's code (between its markers). */
        public boolean contains(int lineNumber) {
            return lineNumber > line && lineNumber < endLine;
        }
    }

    /** A marker that breaks the rules; the message names the file and line. */
    public static final class RegionException extends IllegalArgumentException {
        RegionException(String file, int line, String what) {
            super(file + ":" + line + ": " + what);
        }
    }

    /** The result of exporting one Java file. */
    public record Exported(String text, List<Region> regions) {}

    /**
     * Replaces every solution region of {@code source} with its throw and drops every remove
     * region.
     *
     * @param file for error messages, and to check the marker's lab against the module's
     * @param lab  the module the file belongs to
     */
    public static Exported exportJava(String source, String file, Lab lab) {
        return replaceJava(
                source,
                file,
                lab,
                region -> "throw new " + NOT_IMPLEMENTED + "(\"" + lab.id() + "\", \"" + region.task() + "\", \""
                        + lab.handoutAnchor(region.task()) + "\");");
    }

    /**
     * As {@link #exportJava}, with each solution region replaced by the one statement {@code
     * replacement} writes for it (at the region's indent) instead of the throw: a proof's "do-nothing"
     * release returns at once from every task.
     */
    public static Exported replaceJava(
            String source, String file, Lab lab, java.util.function.Function<Region, String> replacement) {
        String[] lines = source.split("\n", -1);
        StringBuilder out = new StringBuilder(source.length());
        List<Region> regions = new ArrayList<>();
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            String trimmed = line.trim();
            Matcher begin = BEGIN_SOLUTION.matcher(trimmed);
            if (begin.matches()) {
                String markerLab = begin.group(1);
                String task = begin.group(2);
                if (!markerLab.equals(lab.id())) {
                    throw new RegionException(
                            file, i + 1, "region is marked " + markerLab + " but the file is in " + lab.directory());
                }
                int end = findEnd(lines, i, "SOLUTION", file);
                int next = end + 1;
                while (next < lines.length && lines[next].isBlank()) {
                    next++;
                }
                if (next >= lines.length || !lines[next].trim().startsWith("}")) {
                    throw new RegionException(
                            file,
                            end + 1,
                            "a solution region must end its block (the next line must be '}'),"
                                    + " or the throw that replaces it makes the statements after it unreachable");
                }
                String indent = line.substring(0, line.indexOf('/'));
                Region region = new Region(file, i + 1, end + 1, markerLab, task);
                out.append(indent).append(replacement.apply(region));
                regions.add(region);
                i = end + 1;
                if (i < lines.length) {
                    out.append('\n');
                }
                continue;
            }
            if (trimmed.matches("//\\s*BEGIN REMOVE\\s*")) {
                i = findEnd(lines, i, "REMOVE", file) + 1;
                continue;
            }
            if (ANY_MARKER.matcher(trimmed).matches()) {
                throw new RegionException(
                        file,
                        i + 1,
                        "unexpected or malformed region marker: " + trimmed
                                + " (expected '// BEGIN SOLUTION lab-NN TK', '// END SOLUTION', '// BEGIN REMOVE' or '// END REMOVE')");
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
            i++;
        }
        return new Exported(out.toString(), regions);
    }

    /**
     * The reference code of {@code source} with every marker line taken out: solution and remove
     * regions both keep their code. What a release ships for a lab it gives out solved.
     */
    public static String solveJava(String source, String file, Lab lab) {
        find(source, file, lab); // the markers must be well formed, as for an unsolved export
        String[] lines = source.split("\n", -1);
        StringBuilder out = new StringBuilder(source.length());
        for (int i = 0; i < lines.length; i++) {
            if (ANY_MARKER.matcher(lines[i].trim()).matches()) {
                continue;
            }
            out.append(lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** The solution regions of {@code source}, checked as {@link #exportJava} checks them. */
    public static List<Region> find(String source, String file, Lab lab) {
        return exportJava(source, file, lab).regions();
    }

    private static int findEnd(String[] lines, int begin, String kind, String file) {
        for (int j = begin + 1; j < lines.length; j++) {
            String t = lines[j].trim();
            if (t.matches("//\\s*END " + kind + "\\s*")) {
                return j;
            }
            if (ANY_MARKER.matcher(t).matches()) {
                throw new RegionException(
                        file,
                        j + 1,
                        "region opened at line " + (begin + 1) + " is not closed before "
                                + "this marker (regions do not nest)");
            }
        }
        throw new RegionException(
                file, begin + 1, kind.toLowerCase(Locale.ROOT) + " region is never closed with '// END " + kind + "'");
    }

    /** Drops instructor-only parts of a Markdown file and uncomments student-only parts. */
    public static String exportMarkdown(String text, String file) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(text.length());
        boolean instructor = false;
        int openedAt = 0;
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            if (t.equals("<!-- BEGIN INSTRUCTOR -->")) {
                if (instructor) {
                    throw new RegionException(file, i + 1, "instructor region opened twice");
                }
                instructor = true;
                openedAt = i + 1;
                continue;
            }
            if (t.equals("<!-- END INSTRUCTOR -->")) {
                if (!instructor) {
                    throw new RegionException(file, i + 1, "END INSTRUCTOR without BEGIN");
                }
                instructor = false;
                continue;
            }
            if (instructor || t.equals("<!-- BEGIN STUDENT") || t.equals("END STUDENT -->")) {
                continue;
            }
            out.append(lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        if (instructor) {
            throw new RegionException(file, openedAt, "instructor region is never closed");
        }
        return out.toString();
    }
}
