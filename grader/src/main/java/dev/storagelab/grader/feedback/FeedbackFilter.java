package dev.storagelab.grader.feedback;

import dev.storagelab.grader.sandbox.ClassScan;
import dev.storagelab.grader.sandbox.SandboxPolicy;
import dev.storagelab.grader.submission.Submission;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.HiddenTests;
import dev.storagelab.grader.workspace.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a student may read of a failure message. A message is made of what the hidden test's
 * assertion says and of what the student's code put into its exceptions, so it is a channel from
 * the test JVM to the student: it carries concepts and short facts ("expected 5 but was 4"), and a
 * bounded amount of anything else. Before a message becomes feedback it is:
 * <ol>
 *   <li>cut where it first quotes the hidden tests, with a line saying something was withheld. A
 *       quote is any {@value #WINDOW} characters in a row
 *       (whitespace and non-printable characters counted as one space) that also occur in a hidden
 *       test's source, outside its string literals, or in its compiled classes, outside those
 *       literals. The literals are what a test's assertions print, so they stay readable;</li>
 *   <li>reduced to printable ASCII: every other character becomes {@code ?}, tabs become spaces;
 *       at most {@value #MAX_LINES} lines, at most {@value #MAX} characters, cut between words
 *       with a line that says how many characters are not shown;</li>
 *   <li>bounded by what it can carry ({@link FeedbackChannel}): a word passes only if it is one of
 *       the course's, the JDK's and test libraries', or the student's own ({@link
 *       FeedbackVocabulary}), every other word becomes {@code ?}, and the message is cut before it
 *       carries more than {@value FeedbackChannel#BUDGET_BITS} bits: {@value
 *       FeedbackChannel#BUDGET_BYTES} bytes of data per failing test, however it is encoded.</li>
 * </ol>
 * What keeps the hidden tests from student code is that it cannot read them (the allow-list of
 * {@link ClassScan}, and the test JVM's policy, {@link SandboxPolicy}); this filter keeps what a
 * message can carry small.
 */
public final class FeedbackFilter {

    /** Longest message shown. */
    public static final int MAX = 1200;
    /** Most lines shown. */
    static final int MAX_LINES = 25;
    /** The longest word a cut leaves out whole rather than cut in two. */
    static final int WORD = 80;
    /** How many characters in a row of the hidden tests' code make a quote. */
    static final int WINDOW = 48;
    /** Said instead of a message that quotes the hidden tests. */
    public static final String WITHHELD = "(the rest of this message was withheld: it quotes the hidden tests' code)";

    private static final Pattern LITERAL = Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.)*\"");
    private static final long BASE = 1_000_003L;

    /** Sorted hashes of every window of the hidden tests' normalised text. */
    private final long[] windows;

    /** What a message may carry: null for a filter that only cleans and cuts. */
    private final FeedbackVocabulary vocabulary;

    private FeedbackFilter(long[] windows, FeedbackVocabulary vocabulary) {
        this.windows = windows;
        this.vocabulary = vocabulary;
    }

    /**
     * A filter that only cleans and cuts: for labs without hidden tests (local checks, where the
     * student runs their own tests on their own machine, and nothing is hidden).
     */
    public static FeedbackFilter none() {
        return new FeedbackFilter(new long[0], null);
    }

    /**
     * The filter for the hidden tests of {@code lab} in the built workspace {@code root}: their
     * sources ({@code src/hidden/java}) and their compiled classes ({@code target/test-classes}),
     * and the vocabulary of the course ({@link FeedbackVocabulary}), {@code tests}' concepts
     * included. {@link #forStudent} adds a student's own words.
     */
    public static FeedbackFilter forLab(Path root, Lab lab, List<GradedTest> tests) throws IOException {
        Path module = root.resolve(lab.directory());
        Path sources = module.resolve("src/hidden/java");
        if (!Files.isDirectory(sources)) {
            return none();
        }
        List<String> texts = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String source = Files.readString(p, StandardCharsets.UTF_8);
                Matcher m = LITERAL.matcher(source);
                StringBuilder code = new StringBuilder();
                while (m.find()) {
                    String literal = normalise(m.group().replaceAll("^\"+|\"+$", ""));
                    if (literal.length() >= 12) {
                        literals.add(literal);
                    }
                    m.appendReplacement(code, " ");
                }
                m.appendTail(code);
                texts.add(normalise(code.toString()));
            }
        }
        Path classes = module.resolve("target/test-classes");
        for (String name : HiddenTests.classNames(root, lab, "src/hidden/java")) {
            Path top = classes.resolve(name.replace('.', '/') + ".class");
            Path dir = top.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                continue;
            }
            String simple = top.getFileName().toString().replaceAll("\\.class$", "");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path c : files.filter(f -> {
                            String n = f.getFileName().toString();
                            return n.equals(simple + ".class") || (n.startsWith(simple + "$") && n.endsWith(".class"));
                        })
                        .sorted()
                        .toList()) {
                    String text = normalise(new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1));
                    for (String literal : literals) {
                        text = text.replace(literal, " ");
                    }
                    texts.add(text);
                }
            }
        }
        return new FeedbackFilter(hashes(texts), FeedbackVocabulary.of(root, lab, tests));
    }

    /**
     * This filter with the words of the student's own sources of {@code lab}, in the submission's
     * sealed copy, in its vocabulary: the names of their classes, methods and variables pass in
     * their messages.
     */
    public FeedbackFilter forStudent(Submission submission, Lab lab) throws IOException {
        return forStudent(submission.javaFiles(lab).values());
    }

    /** This filter with the words of {@code sources}, the bytes of a student's .java files, in its vocabulary. */
    FeedbackFilter forStudent(java.util.Collection<byte[]> sources) {
        if (vocabulary == null) {
            return this;
        }
        return new FeedbackFilter(windows, vocabulary.withStudent(FeedbackVocabulary.studentWords(sources)));
    }

    /** The channel this filter bounds messages by; null for {@link #none()}. */
    FeedbackChannel channel() {
        return vocabulary == null ? null : new FeedbackChannel(vocabulary);
    }

    /**
     * {@code message} as the student may read it: cleaned, cut where it first quotes the hidden
     * tests (what comes before, such as the grader's own "crashed: ..." words, stays), and bounded by
     * what it can carry.
     */
    public String apply(String message) {
        if (message == null || message.isEmpty()) {
            return message;
        }
        int quote = firstQuote(message);
        String kept = quote < 0 ? message : message.substring(0, quote);
        StringBuilder clean = new StringBuilder(Math.min(kept.length(), MAX + 16));
        int[] origin = new int[Math.min(kept.length(), MAX) + 1]; // where each character shown came from
        int lines = 1;
        int stop = kept.length(); // where what is shown ends, in kept
        for (int i = 0; i < kept.length(); i++) {
            char c = kept.charAt(i);
            if (c == '\r') {
                continue;
            }
            if (c == '\t') {
                c = ' ';
            } else if (c != '\n' && (c < 0x20 || c > 0x7e)) {
                c = Character.isISOControl(c) ? ' ' : '?';
            }
            if (c == '\n' && ++lines > MAX_LINES || clean.length() >= MAX) {
                stop = i;
                break;
            }
            origin[clean.length()] = i;
            clean.append(c);
        }
        boolean cut = stop < kept.length();
        if (cut) { // between words: a word the bound falls in is left out whole, unless it is longer than a line
            int end = clean.length();
            if (!Character.isWhitespace(kept.charAt(stop))) {
                int space = Math.max(clean.lastIndexOf(" "), clean.lastIndexOf("\n"));
                end = space >= 0 && end - space <= WORD ? space : end;
            }
            while (end > 0 && Character.isWhitespace(clean.charAt(end - 1))) {
                end--;
            }
            if (end < clean.length()) {
                stop = origin[end];
                clean.setLength(end);
            }
        }
        int more = (int) kept.substring(stop).chars().filter(c -> c != '\r').count();
        FeedbackChannel.End end =
                quote >= 0 ? FeedbackChannel.End.WITHHELD : cut ? FeedbackChannel.End.CUT : FeedbackChannel.End.WHOLE;
        if (vocabulary != null) {
            return new FeedbackChannel(vocabulary).shape(clean.toString(), end, more);
        }
        return switch (end) {
            case WHOLE -> clean.toString();
            case CUT -> clean + FeedbackChannel.cutEnding(more);
            case WITHHELD -> clean.toString().strip() + (clean.toString().isBlank() ? "" : "\n") + WITHHELD;
        };
    }

    /** Whether {@code message} holds {@value #WINDOW} characters in a row of the hidden tests' code. */
    boolean quotesHiddenTests(String message) {
        return firstQuote(message) >= 0;
    }

    /** Where in {@code message} the first quote of the hidden tests' code starts, or -1. */
    private int firstQuote(String message) {
        if (windows.length == 0) {
            return -1;
        }
        int[] origin = new int[message.length() + 1];
        String text = normalise(message, origin);
        if (text.length() < WINDOW) {
            return -1;
        }
        long pow = power();
        long h = 0;
        for (int i = 0; i < text.length(); i++) {
            if (i >= WINDOW) {
                h -= text.charAt(i - WINDOW) * pow;
            }
            h = h * BASE + text.charAt(i);
            if (i >= WINDOW - 1 && Arrays.binarySearch(windows, h) >= 0) {
                return origin[i - WINDOW + 1];
            }
        }
        return -1;
    }

    private static long power() {
        long pow = 1;
        for (int i = 1; i < WINDOW; i++) {
            pow *= BASE;
        }
        return pow;
    }

    private static long[] hashes(List<String> texts) {
        int total = texts.stream()
                .mapToInt(t -> Math.max(0, t.length() - WINDOW + 1))
                .sum();
        long[] all = new long[total];
        int n = 0;
        long pow = power();
        for (String text : texts) {
            long h = 0;
            for (int i = 0; i < text.length(); i++) {
                if (i >= WINDOW) {
                    h -= text.charAt(i - WINDOW) * pow;
                }
                h = h * BASE + text.charAt(i);
                if (i >= WINDOW - 1) {
                    all[n++] = h;
                }
            }
        }
        Arrays.sort(all, 0, n);
        return Arrays.stream(all, 0, n).distinct().toArray();
    }

    /** Printable ASCII kept; every run of anything else (whitespace, control bytes, non-ASCII) becomes one space. */
    static String normalise(String s) {
        return normalise(s, null);
    }

    /** As {@link #normalise(String)}; {@code origin[k]}, when given, is where character k came from in {@code s}. */
    private static String normalise(String s, int[] origin) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean space = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > ' ' && c < 0x7f) {
                if (origin != null) {
                    origin[sb.length()] = i;
                }
                sb.append(c);
                space = false;
            } else if (!space) {
                if (origin != null) {
                    origin[sb.length()] = i;
                }
                sb.append(' ');
                space = true;
            }
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        return sb.substring(0, end);
    }
}
