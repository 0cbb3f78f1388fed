package dev.storagelab.grader.feedback;

import java.util.ArrayList;
import java.util.List;

/**
 * Text laid out for the terminal: wrapped at words into lines of a given width, never cut in the
 * middle of a word; text beyond the lines allowed ends at a word with a line that says how many
 * characters are left and which file holds them all.
 */
public final class TerminalText {

    private TerminalText() {}

    /**
     * {@code text}'s lines wrapped to {@code width} characters (a word longer than a line is split
     * across lines, never shortened), at most {@code maxLines} of them; if more would follow, the
     * last line says "(N more characters in WHERE)". Blank lines are left out.
     */
    public static List<String> wrap(String text, int width, int maxLines, String where) {
        List<String> out = new ArrayList<>();
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        int shown = 0; // characters of text shown so far (line breaks counted as one)
        int total = lines.stream().mapToInt(l -> l.strip().length() + 1).sum() - (lines.isEmpty() ? 0 : 1);
        for (String line : lines) {
            String rest = line.stripTrailing();
            String indent =
                    rest.substring(0, rest.length() - rest.stripLeading().length());
            rest = rest.strip();
            while (!rest.isEmpty()) {
                if (out.size() == maxLines) {
                    out.add("(" + (total - shown) + " more characters in " + where + ")");
                    return out;
                }
                int room = Math.max(1, width - indent.length());
                String piece;
                if (rest.length() <= room) {
                    piece = rest;
                } else {
                    int cut = rest.lastIndexOf(' ', room);
                    piece = cut > 0 ? rest.substring(0, cut) : rest.substring(0, room);
                }
                out.add(indent + piece);
                shown += piece.length();
                rest = rest.substring(piece.length());
                if (rest.startsWith(" ")) {
                    rest = rest.substring(1);
                    shown++;
                }
            }
            shown++; // the line break
        }
        return out;
    }
}
