package dev.storagelab.testkit;

import org.opentest4j.AssertionFailedError;

/**
 * A test's failure as a recording's header shows it: its message, and what the test expected and
 * what it got when the assertion says (JUnit's {@code assertEquals}, Hamcrest's {@code Expected:
 * ... but: ...}).
 *
 * @param expected null when the failure does not say
 */
record Failure(String message, String expected, String actual) {

    /** What lies between two values Hamcrest wrote: a '>' and, after a space or a comma, a '<'. */
    private static final java.util.regex.Pattern BETWEEN_TWO_VALUES =
            java.util.regex.Pattern.compile("(?s).*>[ ,].*<.*");

    /** The longest message kept. */
    static final int MAX = 2_000;

    static Failure of(Throwable t) {
        if (t == null) {
            return new Failure("failed", null, null);
        }
        String text = t.getMessage() == null ? t.getClass().getName() : t.toString();
        String message = text.length() > MAX ? text.substring(0, MAX) : text;
        if (t instanceof AssertionFailedError a && a.isExpectedDefined() && a.isActualDefined()) {
            return new Failure(
                    message,
                    a.getExpected().getStringRepresentation(),
                    a.getActual().getStringRepresentation());
        }
        String m = t.getMessage() == null ? "" : t.getMessage();
        int expected = m.indexOf("\nExpected: ");
        int but = m.indexOf("\n     but: ", Math.max(0, expected));
        if (expected >= 0 && but > expected) {
            return new Failure(
                    message,
                    value(m.substring(expected + "\nExpected: ".length(), but), "is"),
                    value(m.substring(but + "\n     but: ".length()), "was"));
        }
        return new Failure(message, null, null);
    }

    /**
     * A Hamcrest description as the value it describes, where it describes one: {@code is <5>} and
     * {@code was <5>} as {@code 5}, {@code is "v2"} as {@code v2} (Hamcrest's escapes undone),
     * {@code is null} as {@code null}, {@code [<1>, <2>]} as it is. Any other description (a
     * matcher's own words: {@code a value greater than <3>}, {@code is not <5>}) is kept whole; the
     * failure's message keeps Hamcrest's text in every case.
     *
     * @param word the word Hamcrest puts before a value here: "is" (expected) or "was" (actual)
     */
    static String value(String description, String word) {
        String s = description.strip();
        if (s.startsWith(word + " ") && isValue(s.substring(word.length() + 1))) {
            s = s.substring(word.length() + 1);
        }
        if (s.length() >= 2 && s.startsWith("<") && s.endsWith(">")) {
            String inner = s.substring(1, s.length() - 1);
            // one value, not two ("<2> was less than <3>", "<1>, <2>")
            return BETWEEN_TWO_VALUES.matcher(inner).matches() ? s : inner;
        }
        if (isString(s)) {
            return unescape(s.substring(1, s.length() - 1));
        }
        return s;
    }

    /** Whether {@code s} is one value as Hamcrest writes it: {@code <...>}, {@code "..."}, {@code [...]} or null. */
    private static boolean isValue(String s) {
        return s.equals("null")
                || isString(s)
                || s.length() >= 2 && (s.startsWith("<") && s.endsWith(">") || s.startsWith("[") && s.endsWith("]"));
    }

    /** Whether {@code s} is one Java string literal, as Hamcrest writes a String: quoted, its own quotes escaped. */
    private static boolean isString(String s) {
        if (s.length() < 2 || !s.startsWith("\"") || !s.endsWith("\"")) {
            return false;
        }
        int i = 1;
        while (i < s.length() - 1) {
            char c = s.charAt(i);
            if (c == '"') {
                return false;
            }
            i += c == '\\' ? 2 : 1;
        }
        return i == s.length() - 1; // the last quote closes the literal, not escaped
    }

    /** Undoes Hamcrest's escapes of a String: {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t}. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
