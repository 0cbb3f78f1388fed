package dev.storagelab.grader.feedback;

import java.util.regex.Pattern;

/**
 * Takes out of a failure message what the libraries and the JVM add to it and a student has no use
 * for: jqwik's box of settings (tries, checks, generation, edge cases, seed: a dozen lines on every
 * failed property) and the JVM's own warnings (the Security Manager's deprecation, restricted
 * methods, agents loaded), which reach a message when a test quotes a child JVM's standard error.
 * What the test and the student's code said stays, jqwik's shrunk sample included.
 *
 * <p>It runs before {@link FeedbackFilter} (which decides what of a message a student may read),
 * and on what {@code ./storagelab test} shows: it only ever removes text.
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

    private LibraryNoise() {}

    /** {@code message} without library banners and JVM warnings (null stays null). */
    public static String strip(String message) {
        if (message == null || message.isEmpty()) {
            return message;
        }
        String s = JQWIK_BOX.matcher(message).replaceAll("");
        s = JVM_WARNING.matcher(s).replaceAll("");
        return s.stripTrailing();
    }
}
