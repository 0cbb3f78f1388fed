package dev.storagelab.grader.cli;

import java.util.List;
import org.apache.commons.text.similarity.DamerauLevenshteinDistance;

/**
 * The name a mistyped word most likely meant, for a usage error's "did you mean" ({@link
 * Main#usageError}). The workbench, whose verbs' options the grader passes on unparsed, has the same
 * class for its own ({@code dev.storagelab.workbench.Suggestion}): the two modules share no code (the
 * grader links no lab, the workbench no grader); CliErrorsTest and WorkbenchCliTest check both.
 */
final class Suggestion {

    /** Letters added, dropped or changed, and two neighbours swapped, each one edit. */
    private static final DamerauLevenshteinDistance EDITS = new DamerauLevenshteinDistance();

    private Suggestion() {}

    /**
     * The nearest of {@code names} to {@code typed} by edits (a letter added, dropped or changed, or
     * two neighbours swapped), within one edit for a word of up to five letters and two for a longer
     * one; null when none is that near.
     */
    static String closest(String typed, List<String> names) {
        String t = typed.replaceFirst("^-+", "");
        String best = null;
        int bestDistance = Math.min(t.length(), t.length() > 5 ? 3 : 2);
        for (String name : names) {
            int d = name.startsWith("-") == typed.startsWith("-")
                    ? EDITS.apply(t, name.replaceFirst("^-+", ""))
                    : bestDistance;
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best;
    }
}
