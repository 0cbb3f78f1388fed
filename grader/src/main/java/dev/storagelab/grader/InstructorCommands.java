package dev.storagelab.grader;

import java.util.Map;
import java.util.Set;

/**
 * The commands and options that need the instructor's workspace (the reference solution and the
 * hidden tests), which a student release does not offer: its help texts leave them out
 * ({@link Exporter}), and typed there they are refused in one line that says why (the CLI), so that
 * every command a release shows works in it.
 */
public final class InstructorCommands {

    private InstructorCommands() {}

    /** The verbs of the instructor's workspace alone, each with what it needs that a release lacks. */
    public static final Map<String, String> VERBS = Map.of(
            "export", "it writes a student release from the reference solution",
            "audit", "it measures the hidden tests",
            "grade-all", "it grades a class with the hidden tests",
            "grade-stopped", "it finishes a grading platform's results",
            "gradescope", "it builds Gradescope's autograder from the reference solution and the hidden tests",
            "prairielearn", "it builds PrairieLearn's grader from the reference solution and the hidden tests");

    /** Options of the instructor's workspace alone, by verb, each with what it needs and what to use instead. */
    public static final Map<String, Map<String, String>> OPTIONS = Map.of(
            "bench",
            Map.of(
                    "--submission",
                    "it measures a submission against the reference solution;"
                            + " here, bench measures your own code (with --peers, beside the production engines)"));

    /**
     * Why {@code verb}, with the options {@code options} (their long names), does not run in a
     * student release, in one line; null when it does.
     */
    public static String refusal(String verb, Set<String> options) {
        if (VERBS.containsKey(verb)) {
            return verb + " needs the instructor's workspace (" + VERBS.get(verb)
                    + "); this folder is a student release";
        }
        for (Map.Entry<String, String> o : OPTIONS.getOrDefault(verb, Map.of()).entrySet()) {
            if (options.contains(o.getKey())) {
                return verb + " " + o.getKey() + " needs the instructor's workspace (" + o.getValue()
                        + "); this folder is a student release";
            }
        }
        return null;
    }

    /** Whether the help text file {@code name} ({@code storagelab-VERB.txt}) is an instructor verb's. */
    static boolean isHelpTextOfInstructorVerb(String name) {
        return VERBS.keySet().stream().anyMatch(v -> name.equals("storagelab-" + v + ".txt"));
    }
}
