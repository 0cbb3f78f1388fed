package dev.storagelab.workbench.figures;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the figures of a markdown document that do not name the command that produced them. A
 * figure is an image ({@code ![...](...)}) or a table with a numeric cell (one that starts with a
 * number) in its body outside the first column, outside fenced code. Its context is the text above
 * it, never past the heading of its section (for a table, at most {@link #LINES_BEFORE} lines of it),
 * and the paragraph right after it (a caption); the context must show a command: a {@code
 * ./storagelab} verb, a script of {@code notes/figures/} (a {@code .sh} or {@code .java} file, not a
 * plot it drew, nor a Python script: no figure needs Python; or a script kept beside its data, a {@code
 * notes/data/.../*.sh}), an {@code mvn} or a {@code java} command, backticked or at the start of a
 * line of a fenced block. A command at the top of a long section does not name the tables far below
 * it: a table repeats its command, or says "the same run" with the command beside it. Where no
 * command was kept, the context says so in those words ({@link #NO_COMMAND_KEPT}), with how the
 * figure was taken instead.
 *
 * <p>Two kinds of table with digits are not figures: the description of the machine the
 * measurements of a section ran on (a row named {@code CPU}), and a table marked, on the line
 * just above it, {@code <!-- not a measurement: WHY -->} (a format's constants, the points of a
 * rubric, arithmetic worked in the text).
 */
final class FigureCommands {

    /** The mark that says, on the line above a table, that its digits are not a measurement. */
    static final String NOT_A_MEASUREMENT = "<!-- not a measurement: ";

    /** How many lines above a table (within its section) its command may be. */
    static final int LINES_BEFORE = 15;

    /** What a figure's context says, plainly, when the command that produced it was not kept. */
    static final Pattern NO_COMMAND_KEPT = Pattern.compile("(?i)\\bno\\s+command\\s+kept\\b");

    /** A script of {@code notes/figures/}: a plot's file there ({@code notes/figures/x.png}) is no command. */
    private static final String FIGURE_SCRIPT = "notes/figures/[\\w./-]*\\.(?:sh|java)\\b";

    private static final Pattern COMMAND = Pattern.compile("(?m)^\\s*(?:\\$ )?(?:\\./storagelab "
            + "|(?:bash |sh )?" + FIGURE_SCRIPT + "|mvn |java )"
            + "|`(?:nice -n -?\\d+ )?(?:\\./storagelab |" + FIGURE_SCRIPT
            + "|(?:bash|sh) notes/figures/|mvn |java )[^`]*`"
            + "|`(?:bash )?notes/data/[^`\\s]*\\.sh[^`]*`");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} .*");
    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(");
    /** A numeric cell: it starts with a number (after emphasis, an approximation or a currency sign). */
    private static final Pattern NUMBER = Pattern.compile("^[*~≈<>$]*\\d");

    private FigureCommands() {}

    /** The figures of {@code markdown} whose context names no command: "line N: first line", N counted from 1. */
    static List<String> withoutCommand(String markdown) {
        String[] raw = markdown.split("\n", -1);
        boolean[] code = new boolean[raw.length];
        boolean fence = false;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i].startsWith("```")) {
                fence = !fence;
                code[i] = true;
            } else {
                code[i] = fence;
            }
        }
        List<String> missing = new ArrayList<>();
        int i = 0;
        while (i < raw.length) {
            if (!code[i] && raw[i].startsWith("|")) {
                int end = i;
                while (end < raw.length && !code[end] && raw[end].startsWith("|")) {
                    end++;
                }
                if (isFigure(raw, i, end) && !namesItsCommand(context(raw, code, i, end, LINES_BEFORE))) {
                    missing.add("line " + (i + 1) + ": " + raw[i]);
                }
                i = end;
                continue;
            }
            if (!code[i]
                    && IMAGE.matcher(raw[i]).find()
                    && !namesItsCommand(context(raw, code, i, i + 1, Integer.MAX_VALUE))) {
                missing.add("line " + (i + 1) + ": " + raw[i]);
            }
            i++;
        }
        return missing;
    }

    private static boolean namesItsCommand(String context) {
        return COMMAND.matcher(context).find()
                || NO_COMMAND_KEPT.matcher(context).find();
    }

    private static boolean isFigure(String[] lines, int start, int end) {
        if (start > 0 && lines[start - 1].startsWith(NOT_A_MEASUREMENT)) {
            return false;
        }
        boolean digits = false;
        for (int r = start + 2; r < end; r++) {
            String[] cells = lines[r].replaceAll("^\\||\\|\\s*$", "").split("\\|");
            if (cells[0].trim().equals("CPU")) {
                return false;
            }
            for (int c = 1; c < cells.length; c++) {
                digits |= NUMBER.matcher(cells[c].trim()).find();
            }
        }
        return digits;
    }

    /**
     * The text above the figure, at most {@code linesBefore} lines and not past its section's
     * heading, and the paragraph after it.
     */
    private static String context(String[] lines, boolean[] code, int start, int end, int linesBefore) {
        int from = start;
        while (from > 0
                && start - from < linesBefore
                && !(HEADING.matcher(lines[from - 1]).matches() && !code[from - 1])) {
            from--;
        }
        int to = end;
        while (to < lines.length && lines[to].isBlank()) {
            to++;
        }
        while (to < lines.length
                && !lines[to].isBlank()
                && !lines[to].startsWith("|")
                && !HEADING.matcher(lines[to]).matches()) {
            to++;
        }
        StringBuilder text = new StringBuilder();
        for (int l = from; l < to; l++) {
            if (l < start || l >= end) {
                text.append(lines[l]).append('\n');
            }
        }
        return text.toString();
    }
}
