package dev.storagelab.grader.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes out of a failure message what the libraries and the JVM add to it and a student has no use
 * for, so that what is left is the failure, once, and fits the room a message has:
 * <ul>
 *   <li>jqwik's box of settings (tries, checks, generation, edge cases, seed: a dozen lines on every
 *       failed property), its restatement of the failure under the property's name, the original
 *       sample it shrank from with that sample's error, and the rules under its headings; its
 *       shrunk sample stays, right after the failure;</li>
 *   <li>the JVM's own warnings (the Security Manager's deprecation, restricted methods, agents
 *       loaded), which reach a message when a test quotes a child JVM's standard error;</li>
 *   <li>the type of an assertion ({@code java.lang.AssertionError: }): every failure of a test is
 *       one;</li>
 *   <li>of an expected value and an actual one too long to read side by side (Hamcrest's {@code
 *       Expected: ... but: was ...}, JUnit's {@code expected: <...> but was: <...>}), all but where
 *       they first differ, with a little of the text around it, one above the other, and a line
 *       that says where that is (and how long each is, when they are not as long).</li>
 * </ul>
 * What the test and the student's code said stays. It runs before {@link FeedbackFilter} (which
 * decides what of a message a student may read), and on what {@code ./storagelab test} shows.
 */
public final class LibraryNoise {

    /**
     * jqwik's settings box: its rule line ({@code |---...jqwik---...}) and the {@code key = value |
     * explanation} lines under it, with the blank line before it.
     */
    private static final Pattern JQWIK_BOX = Pattern.compile(
            "(?m)(?:^[ \\t]*\\n)?^[ \\t]*\\|-+jqwik-+[ \\t]*\\n(?:^[ \\t]*[\\w#.-]+ = [^\\n|]*\\|[^\\n]*(?:\\n|$))*");

    /**
     * A warning the JVM writes on standard error ({@code WARNING: ...}, {@code OpenJDK 64-Bit Server
     * VM warning: ...}), at the start of a line or right after a colon (a test that says
     * "its stderr: WARNING: ..."), to the end of its line.
     */
    private static final Pattern JVM_WARNING =
            Pattern.compile("(?m)(?:^|(?<=: ))[ \\t]*(?:WARNING: |\\S+ \\S+ Server VM warning: )[^\\n]*(?:\\n|$)");

    /** The line jqwik's report of a property starts with: {@code MergingIteratorTest:mergeKeepsEveryKey: }. */
    private static final Pattern JQWIK_REPORT = Pattern.compile("^(?:\\[\\w+] )?[\\w$]+:[\\w$]+:\\s*$");

    /** A heading of jqwik's report whose part stays, and the rule of dashes under it. */
    private static final Pattern JQWIK_KEPT = Pattern.compile("Shrunk Sample \\(\\d+ steps?\\)|Sample|After Execution");

    private static final Pattern JQWIK_DROPPED = Pattern.compile("Original Sample|Original Error");

    private static final Pattern RULE = Pattern.compile("\\s*-+\\s*");

    /** The type an assertion's message starts with. */
    private static final Pattern ASSERTION_TYPE =
            Pattern.compile("^(?:java\\.lang\\.AssertionError|org\\.opentest4j\\.AssertionFailedError):[ \\t]*\\n?");

    /** Hamcrest's expected value, at the start of a line; its actual one follows on a line of its own. */
    private static final Pattern HAMCREST_EXPECTED = Pattern.compile("(?m)^Expected: ");

    private static final String HAMCREST_ACTUAL = "\n     but: ";

    private static final String JUNIT_EXPECTED = "expected: <";

    private static final String JUNIT_ACTUAL = "> but was: <";

    /** An expected or actual value longer than this is shown only where the two differ. */
    static final int LONG_VALUE = 100;

    /** About how many characters of each value are shown before and after where they differ. */
    static final int CONTEXT = 16;

    private LibraryNoise() {}

    /** {@code message} without what the libraries and the JVM add to it (null stays null). */
    public static String strip(String message) {
        if (message == null || message.isEmpty()) {
            return message;
        }
        String s = JQWIK_BOX.matcher(message).replaceAll("");
        s = JVM_WARNING.matcher(s).replaceAll("");
        s = jqwikReport(s);
        String bare = ASSERTION_TYPE.matcher(s).replaceFirst("");
        if (!bare.isBlank() && !bare.strip().equals("null")) {
            s = bare;
        }
        s = narrowed(s);
        return s.stripTrailing();
    }

    /**
     * {@code s} with jqwik's report of a failed property reduced to its shrunk sample: the line that
     * names the property and the failure it restates under it (when the message already said it),
     * the original sample and its error, and the rules under the headings go.
     */
    private static String jqwikReport(String s) {
        List<String> lines = s.lines().toList();
        List<String> kept = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (JQWIK_REPORT.matcher(line).matches()
                    && i + 1 < lines.size()
                    && lines.get(i + 1).startsWith("  ")
                    && !lines.get(i + 1).isBlank()) {
                int end = i + 1;
                while (end < lines.size()
                        && !lines.get(end).isBlank()
                        && Character.isWhitespace(lines.get(end).charAt(0))) {
                    end++;
                }
                String restated = String.join(" ", lines.subList(i + 1, end));
                if (squeezed(String.join(" ", kept)).contains(squeezed(restated))) {
                    i = end - 1; // said already: the heading and the restatement go
                }
                continue; // the heading goes in any case
            }
            boolean ruled =
                    i + 1 < lines.size() && RULE.matcher(lines.get(i + 1)).matches();
            if (ruled && JQWIK_DROPPED.matcher(line.strip()).matches()) {
                // to the end of jqwik's report: what follows is indented, or blank
                int end = i + 2;
                while (end < lines.size()
                        && (lines.get(end).isBlank()
                                || Character.isWhitespace(lines.get(end).charAt(0)))) {
                    end++;
                }
                i = end - 1;
                continue;
            }
            if (ruled && JQWIK_KEPT.matcher(line.strip()).matches()) {
                if (!kept.isEmpty() && !kept.get(kept.size() - 1).isBlank()) {
                    kept.add(""); // the sample apart from the failure
                }
                kept.add(line);
                i++; // its rule goes
                continue;
            }
            if (line.isBlank() && !kept.isEmpty() && kept.get(kept.size() - 1).isBlank()) {
                continue;
            }
            kept.add(line);
        }
        return String.join("\n", kept);
    }

    /** {@code s} with every run of whitespace one space, and none at the ends. */
    private static String squeezed(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }

    /**
     * {@code s} with a long expected and actual value (Hamcrest's, or JUnit's) shown only where they
     * first differ; as it was when neither is long.
     */
    static String narrowed(String s) {
        Matcher hamcrest = HAMCREST_EXPECTED.matcher(s);
        if (hamcrest.find()) {
            int but = s.indexOf(HAMCREST_ACTUAL, hamcrest.end());
            if (but > 0) {
                int from = but + HAMCREST_ACTUAL.length();
                int end = valueEnd(s, from);
                String shown = differences(
                        "Expected: ", s.substring(hamcrest.end(), but), "     but: ", s.substring(from, end));
                if (shown != null) {
                    return s.substring(0, hamcrest.start()) + shown + s.substring(end);
                }
            }
            return s;
        }
        int expected = s.indexOf(JUNIT_EXPECTED);
        int actual = expected < 0 ? -1 : s.indexOf(JUNIT_ACTUAL, expected);
        if (actual > 0) {
            int from = actual + JUNIT_ACTUAL.length();
            int end = valueEnd(s, from);
            if (end > from && s.charAt(end - 1) == '>') {
                String shown = differences(
                        "expected: ",
                        "<" + s.substring(expected + JUNIT_EXPECTED.length(), actual) + ">",
                        " but was: ",
                        "<" + s.substring(from, end));
                if (shown != null) {
                    int line = s.lastIndexOf('\n', expected) + 1;
                    String before = s.substring(line, expected).stripTrailing();
                    return s.substring(0, line) + (before.isEmpty() ? "" : before + "\n") + shown + s.substring(end);
                }
            }
        }
        return s;
    }

    /** Where a value that starts at {@code from} ends: before a blank line, a cause, or the message's end. */
    private static int valueEnd(String s, int from) {
        int end = s.length();
        for (String next : List.of("\n\n", "\ncaused by ")) {
            int at = s.indexOf(next, from);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        while (end > from && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /**
     * Three lines for a long {@code expected} and {@code actual} (each after its label, the
     * matcher's words first: Hamcrest's {@code is "..."}, {@code was "..."}): where they first
     * differ (and how long each is, when not equally), then each value from a little before that place to a little after
     * it, the place in one column; null when neither value is long.
     */
    private static String differences(String expectedLabel, String expected, String actualLabel, String actual) {
        if (expected.length() <= LONG_VALUE && actual.length() <= LONG_VALUE) {
            return null;
        }
        String expectedWords = matcherWords(expected);
        String actualWords = matcherWords(actual);
        String e = expected.substring(expectedWords.length());
        String a = actual.substring(actualWords.length());
        int at = 0;
        while (at < e.length() && at < a.length() && e.charAt(at) == a.charAt(at)) {
            at++;
        }
        int start = wordStart(e, Math.max(0, at - CONTEXT));
        String left = expectedLabel + expectedWords;
        String right = actualLabel + actualWords;
        int column = Math.max(left.length(), right.length());
        return "expected and actual differ at character " + (at + 1)
                + (e.length() == a.length() ? "" : " (of " + e.length() + " and " + a.length() + ")") + ":\n"
                + pad(left, column) + excerpt(e, start, at) + "\n"
                + pad(right, column) + excerpt(a, start, at);
    }

    /** The words a Hamcrest matcher puts before a value ({@code is }, {@code was }), if any. */
    private static String matcherWords(String value) {
        Matcher m = Pattern.compile("^(?:[a-z]+ )+(?=[\"<\\[{(])").matcher(value);
        return m.find() ? m.group() : "";
    }

    /** {@code value} from {@code start} to a little past {@code at}, ending at a word's end, with "..." where it goes on. */
    private static String excerpt(String value, int start, int at) {
        int end = wordEnd(value, Math.min(value.length(), at + CONTEXT));
        return (start > 0 ? "..." : "") + value.substring(start, end) + (end < value.length() ? "..." : "");
    }

    /**
     * {@code i} moved back to where the word it falls in starts (a word of at most a dozen
     * characters), and on past the spaces before it.
     */
    private static int wordStart(String s, int i) {
        int start = i;
        for (int j = i; j > 0 && j > i - 12; j--) {
            if (!Character.isLetterOrDigit(s.charAt(j - 1))) {
                start = j;
                break;
            }
        }
        while (start > 0 && start < s.length() && s.charAt(start) == ' ') {
            start++;
        }
        return start;
    }

    /** {@code i} moved on to where the word it falls in ends (a word of at most a dozen characters). */
    private static int wordEnd(String s, int i) {
        for (int j = i; j < s.length() && j < i + 12; j++) {
            if (!Character.isLetterOrDigit(s.charAt(j))) {
                return j;
            }
        }
        return i;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
