package dev.storagelab.grader.feedback;

import java.util.List;

/**
 * What a failure message can carry from the test JVM to the student, bounded by information, not by
 * the length of its words: a message is read as a sequence of tokens (a word, a number, a byte
 * written {@code \x9f}, a run of punctuation and spaces), each priced in bits by how many tokens
 * could have stood in its place, and what passes is what the course's own words say.
 *
 * <ul>
 *   <li>A word passes if it is in the {@link FeedbackVocabulary}: the course's words (the
 *       handouts, the given code, the hidden tests' messages and concepts, the grader's own
 *       messages), the words of the JDK and the test libraries, or the student's own identifiers.
 *       Any other word is replaced by {@code ?}.
 *   <li>Each token costs {@code -log2} of its weight in a fixed code that depends only on the kind of
 *       the token before it (after a word comes punctuation or a number, never another word): the
 *       256 most common words of the course cost about 9.4 bits, a space after a word about 6 bits.
 *   <li>A message is cut (and says so) before its tokens cost more than {@link #BUDGET_BITS}.
 * </ul>
 *
 * <p>The bound. For every kind of token before, the weights of what may follow (the end of the
 * message among them) add up to at most 1, so the costs are the lengths of a prefix code (Kraft's
 * inequality), and no more than {@code 2^BUDGET_BITS} different messages can come out of the
 * filter, whatever the test JVM puts in: a failing test's message carries at most {@link
 * #BUDGET_BITS} bits ({@value #BUDGET_BYTES} bytes) of data that the student's code chose. The
 * vocabulary is fixed before the test runs (the student's identifiers by the submission), so its
 * words are not data the test JVM chooses; the weights count each of its words. {@code
 * FeedbackCapacityTest} encodes data every way it can and measures what comes through.
 */
public final class FeedbackChannel {

    /** The most a failing test's message may carry, in bits. */
    public static final int BUDGET_BITS = 1024;
    /** {@link #BUDGET_BITS} in bytes: what the README states. */
    public static final int BUDGET_BYTES = BUDGET_BITS / 8;

    /** The kinds of token, and how a message ends. */
    enum Kind {
        START,
        WORD,
        NUMBER,
        ESCAPE,
        SEPARATOR
    }

    /** How a message ends: all of it, cut for length, or cut where it quotes the hidden tests. */
    enum End {
        WHOLE,
        CUT,
        WITHHELD
    }

    /**
     * Runs of punctuation that messages use most, each as likely as a generic run of one character:
     * 32 of them, so each costs 6 bits (plus its kind's) where a generic run costs about 7.1 bits a
     * character.
     */
    static final List<String> COMMON_SEPARATORS = List.of(
            " ", ", ", ": ", ".", ". ", "\n", "(", ")", " (", ") ", "[", "]", " [", "], ", "<", ">", ": <", ">\n", "\"",
            " \"", "\": ", "=", " = ", "-", "/", "#", "_", "'", "; ", "...", " ? ", "?");

    /** The characters of a generic separator run: printable ASCII that is no letter or digit, and the line break. */
    private static final int SEPARATOR_ALPHABET = 34;

    private static final int MAX_DIGITS = 19;

    private final FeedbackVocabulary vocabulary;

    FeedbackChannel(FeedbackVocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /**
     * {@code text} (printable ASCII and line breaks) within the budget: every word the vocabulary
     * lacks replaced by {@code ?}, cut before the tokens that would pass the budget (so between
     * words), ended by {@code end} (a cut ends it by {@link End#CUT} whatever {@code end} was, with
     * how many characters are not shown: those of {@code text} left out, and {@code more} that
     * were cut before it came here): what it returns costs at most {@link #BUDGET_BITS} by {@link
     * #bits(String)}, its ending included.
     */
    String shape(String text, End end, int more) {
        double budget = BUDGET_BITS;
        String shaped = shape(text, end, more, budget);
        // a withheld message is stripped and joined to its ending by a line break, which may join
        // the run of punctuation before it into a dearer one, and a cut one says how much is left, a
        // number known only once it is cut: what is shown is priced as it is, and cut shorter until
        // it fits
        for (double over = bits(shaped) - BUDGET_BITS; over > 0; over = bits(shaped) - BUDGET_BITS) {
            budget -= Math.max(over, 1);
            shaped = shape(text, end, more, budget);
        }
        return shaped;
    }

    private String shape(String text, End end, int more, double budget) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 2048));
        StringBuilder pending = new StringBuilder(); // a separator run not yet priced: '?' may join it
        int pendingFrom = 0; // where in text the pending run starts
        double bits = 0;
        Kind last = Kind.START;
        boolean cut = false;
        int i = 0;
        while (i < text.length()) {
            int next = tokenEnd(text, i);
            String token = text.substring(i, next);
            Kind kind = kindOf(token);
            if (pending.isEmpty()) {
                pendingFrom = i;
            }
            if (kind == Kind.WORD && vocabulary.weight(token) == 0) {
                pending.append('?');
                i = next;
                continue;
            }
            if (kind == Kind.SEPARATOR) {
                pending.append(token);
                i = next;
                continue;
            }
            double sep = pending.isEmpty() ? 0 : bits(Kind.SEPARATOR, pending.toString(), last);
            Kind afterSep = pending.isEmpty() ? last : Kind.SEPARATOR;
            double cost = sep + bits(kind, token, afterSep);
            if (bits + cost + END_BITS > budget) {
                cut = true;
                break;
            }
            bits += cost;
            out.append(pending).append(token);
            pending.setLength(0);
            last = kind;
            i = next;
        }
        if (!cut && !pending.isEmpty()) {
            double sep = bits(Kind.SEPARATOR, pending.toString(), last);
            if (bits + sep + END_BITS > budget) {
                cut = true;
            } else {
                out.append(pending);
            }
        }
        End how = cut ? End.CUT : end;
        int left = more + (cut ? text.length() - (pending.isEmpty() ? i : pendingFrom) : 0);
        return switch (how) {
            case WHOLE -> out.toString();
            case CUT -> out + cutEnding(left);
            case WITHHELD -> out.toString().strip() + (out.toString().isBlank() ? "" : "\n") + FeedbackFilter.WITHHELD;
        };
    }

    /** The bits each way of ending costs: its weight is 1/32 after any token ({@link #weights}). */
    static final double END_BITS = 5;

    /**
     * How a cut message ends: the line that says how many characters of it are not shown. The
     * count costs its digits, as a number does ({@link #countBits}), on top of {@link #END_BITS}.
     */
    static String cutEnding(int more) {
        return "\n[... " + more + " more characters not shown]";
    }

    private static final java.util.regex.Pattern CUT_ENDING =
            java.util.regex.Pattern.compile("\n\\[\\.\\.\\. (\\d{1," + MAX_DIGITS + "}) more characters not shown]$");

    /** What the count of a cut's ending costs: how many digits it has, then each digit (a prefix code). */
    static double countBits(String digits) {
        return Math.log(MAX_DIGITS) / Math.log(2) + digits.length() * Math.log(10) / Math.log(2);
    }

    /**
     * What {@code message} (as the filter writes it, its ending included) costs in this code, in
     * bits; infinite for a message the filter could not have written. The measure of {@code
     * FeedbackCapacityTest}.
     */
    double bits(String message) {
        String body = message;
        double bits = END_BITS;
        java.util.regex.Matcher cut = CUT_ENDING.matcher(message);
        if (cut.find()) {
            body = message.substring(0, cut.start());
            bits += countBits(cut.group(1));
        } else if (body.endsWith(FeedbackFilter.WITHHELD)) {
            body = body.substring(0, body.length() - FeedbackFilter.WITHHELD.length());
        }
        Kind last = Kind.START;
        for (int i = 0; i < body.length(); ) {
            int next = tokenEnd(body, i);
            String token = body.substring(i, next);
            Kind kind = kindOf(token);
            bits += bits(kind, token, last);
            last = kind;
            i = next;
        }
        return bits;
    }

    /** Where the token that starts at {@code i} ends: the same cut for what comes in and what goes out. */
    static int tokenEnd(String s, int i) {
        if (isEscape(s, i)) {
            return i + 4;
        }
        char c = s.charAt(i);
        int j = i + 1;
        if (isLetter(c)) {
            while (j < s.length() && isLetter(s.charAt(j))) {
                j++;
            }
        } else if (isDigit(c)) {
            while (j < s.length() && isDigit(s.charAt(j)) && j - i < MAX_DIGITS) {
                j++;
            }
        } else {
            while (j < s.length() && !isLetter(s.charAt(j)) && !isDigit(s.charAt(j)) && !isEscape(s, j)) {
                j++;
            }
        }
        return j;
    }

    static Kind kindOf(String token) {
        char c = token.charAt(0);
        if (token.length() == 4 && isEscape(token, 0)) {
            return Kind.ESCAPE;
        }
        return isLetter(c) ? Kind.WORD : isDigit(c) ? Kind.NUMBER : Kind.SEPARATOR;
    }

    /** A byte as {@code Bytes.toString} writes one: {@code \x} and two lower-case hex digits. */
    private static boolean isEscape(String s, int i) {
        return i + 3 < s.length()
                && s.charAt(i) == '\\'
                && s.charAt(i + 1) == 'x'
                && isHex(s.charAt(i + 2))
                && isHex(s.charAt(i + 3));
    }

    private static boolean isHex(char c) {
        return isDigit(c) || c >= 'a' && c <= 'f';
    }

    static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The weight, out of 32, of each kind of token after a token of kind {@code before}: {@code
     * [end, escape, number, separator, common word, course word, library word, student word]}. Each
     * row adds up to 32 (the end counted three times, once a way of ending).
     */
    private static double[] weights(Kind before) {
        return switch (before) {
            case START -> new double[] {1, 1, 4, 4, 10, 5, 3, 2};
            case SEPARATOR -> new double[] {1, 1, 4, 0, 12, 6, 3, 3};
            case WORD -> new double[] {1, 1, 4, 24, 0, 0, 0, 0};
            case NUMBER -> new double[] {1, 1, 1, 23, 2, 1, 0.5, 0.5};
            case ESCAPE -> new double[] {1, 8, 4, 9, 4, 2, 1, 1};
        };
    }

    /** What {@code token} of {@code kind} costs after a token of kind {@code before}, in bits. */
    double bits(Kind kind, String token, Kind before) {
        double[] w = weights(before);
        double p = switch (kind) {
            case ESCAPE -> w[1] / 32 / 256;
            case NUMBER -> w[2] / 32 / MAX_DIGITS * Math.pow(10, -token.length());
            case SEPARATOR -> w[3] / 32 * separatorWeight(token);
            case WORD -> vocabulary.weight(token, w[4] / 32, w[5] / 32, w[6] / 32, w[7] / 32);
            case START -> 0;
        };
        return p > 0 ? -Math.log(p) / Math.log(2) : Double.POSITIVE_INFINITY;
    }

    /** A separator run's weight among all runs: half to the common ones, half to any run by its length. */
    private static double separatorWeight(String run) {
        double generic = Math.pow(0.5 / SEPARATOR_ALPHABET, run.length());
        return (COMMON_SEPARATORS.contains(run) ? 0.5 / COMMON_SEPARATORS.size() : 0) + 0.5 * generic;
    }
}
