package dev.storagelab.grader.feedback;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failure that is a task not implemented yet: the release's throw reached, whose message names
 * the lab, the task, the method and the handout's section ("lab-01 T4 HashIndexLog.recover is not
 * implemented yet (lab-01-binary-search/README.md#t4)"). Such a failure says nothing about a bug:
 * reports name the task once, before any concept.
 *
 * @param lab     {@code lab-01}
 * @param task    {@code T4}
 * @param method  {@code HashIndexLog.recover}
 * @param message the whole message, as the release's throw wrote it
 */
public record NotImplemented(String lab, String task, String method, String message) {

    /** The not-implemented message in a failure, wherever it sits in the chain of causes. */
    static final Pattern PATTERN = Pattern.compile(
            "NotImplementedException: ((lab-\\d\\d) (T\\d+) (\\S+) is not implemented yet \\([^)\\s]*\\))");

    /** The first not-implemented message in {@code failure} (a message, or a whole stack trace), if any. */
    public static Optional<NotImplemented> in(String failure) {
        if (failure == null) {
            return Optional.empty();
        }
        Matcher m = PATTERN.matcher(failure);
        return m.find()
                ? Optional.of(new NotImplemented(m.group(2), m.group(3), m.group(4), m.group(1)))
                : Optional.empty();
    }

    /** The lab and the task: the key a report names it under once. */
    public String key() {
        return lab + " " + task;
    }
}
