package dev.storagelab.grader.workspace;

/**
 * Text that came from a submission (a file name, a folder name, a message), made safe to show: every
 * character that would act on a terminal or a reader instead of being read (control characters, so
 * a terminal's escape sequences; Unicode's invisible format characters, such as the ones that
 * reverse the order of a line; lone surrogates) is shown as a visible code: {@code \x1B} for the
 * escape character, {@code \u202E} for a right-to-left override. {@code cat report.md}, a terminal
 * table, a spreadsheet and an XML viewer then show what the bytes were, and nothing a student wrote
 * can move the cursor, retitle the window, hide a row or reorder a line.
 *
 * <p>Each output format escapes its own markup as well (Markdown, CSV, XML); this class is the
 * part they share. JSON keeps the text exact instead, as {@code \}{@code u} escapes ({@link
 * #json}).
 */
public final class VisibleText {

    private VisibleText() {}

    /** {@code text} with every character that does not show as itself coded, line breaks and tabs kept. */
    public static String of(String text) {
        return escape(text, false);
    }

    /** {@code text} on one line: as {@link #of}, with line breaks, carriage returns and tabs coded as well. */
    public static String line(String text) {
        return escape(text, true);
    }

    /** Whether {@code text} holds a character {@link #of} would code (line breaks and tabs aside). */
    public static boolean needsCodes(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\n' && c != '\t' && hidden(text, i)) {
                return true;
            }
        }
        return false;
    }

    private static String escape(String text, boolean oneLine) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean kept = !hidden(text, i) || !oneLine && (c == '\n' || c == '\t');
            if (kept && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (kept) {
                sb.append(c);
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                sb.append(String.format("\\u{%X}", text.codePointAt(i))); // a supplementary format character
                i++;
            } else {
                sb.append(c < 0x100 ? String.format("\\x%02X", (int) c) : String.format("\\u%04X", (int) c));
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Whether the character at {@code i} acts instead of showing: a control, a format character, a lone surrogate. */
    private static boolean hidden(String text, int i) {
        char c = text.charAt(i);
        if (c >= 0x20 && c < 0x7F) {
            return false;
        }
        if (c < 0x20 || c >= 0x7F && c < 0xA0) {
            return true; // C0, DEL, C1 (0x9B alone starts an escape sequence on some terminals)
        }
        if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                return invisible(text.codePointAt(i));
            }
            if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1))) {
                return invisible(text.codePointAt(i - 1)); // the second half of a pair goes with the first
            }
            return true;
        }
        return invisible(c);
    }

    private static boolean invisible(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.FORMAT
                || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE
                || codePoint == 0xFFFD; // what a name that was not UTF-8 became
    }

    /**
     * {@code json} (the text of a JSON document) with every character {@link #of} would code written
     * as a {@code \}{@code u} escape: the same document to a parser, and nothing a terminal acts on
     * under {@code cat}. (Outside strings JSON holds only ASCII, so only strings change.)
     */
    public static String json(String json) {
        StringBuilder sb = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean kept = c == '\n' || c == '\t' || c == '\r' || !hidden(json, i);
            if (kept && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(json.length() + 16).append(json, 0, i);
            }
            if (kept) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c)); // both halves of a pair, where it is one
            }
        }
        return sb == null ? json : sb.toString();
    }

    /**
     * {@code s} as one CSV field: on one line, every control or invisible character shown as a
     * visible code, defused where a spreadsheet would run it as a formula, quoted where needed.
     */
    public static String csv(String s) {
        String oneLine = line(s.replace('\n', ' '));
        if (!oneLine.isEmpty() && "=+-@\t".indexOf(oneLine.charAt(0)) >= 0) {
            oneLine = "'" + oneLine; // a spreadsheet reads these as formulas
        }
        return oneLine.matches("[A-Za-z0-9_.@ -]*") ? oneLine : '"' + oneLine.replace("\"", "\"\"") + '"';
    }
}
