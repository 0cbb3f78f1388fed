package dev.storagelab.grader.cli;

import java.util.List;

/**
 * The name a mistyped word most likely meant, for a usage error's "did you mean" ({@link
 * Main#usageError}). The workbench, whose verbs' options the grader passes on unparsed, has the same
 * class for its own ({@code dev.storagelab.workbench.Suggestion}): the two modules share no code (the
 * grader links no lab, the workbench no grader); CliErrorsTest and WorkbenchCliTest check both.
 */
final class Suggestion {

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
                    ? edits(t, name.replaceFirst("^-+", ""))
                    : bestDistance;
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int edits(String a, String b) {
        int[] before = new int[b.length() + 1];
        int[] last = new int[b.length() + 1];
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            last[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int change = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                row[j] = Math.min(Math.min(last[j] + 1, row[j - 1] + 1), last[j - 1] + change);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    row[j] = Math.min(row[j], before[j - 2] + 1);
                }
            }
            int[] spare = before;
            before = last;
            last = row;
            row = spare;
        }
        return last[b.length()];
    }
}
