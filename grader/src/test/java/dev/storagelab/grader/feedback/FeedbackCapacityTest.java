package dev.storagelab.grader.feedback;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.Workspace;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a failing test's message can carry out of the test JVM, measured: a payload of random
 * bytes is written into a message every way this test can think of (base64 and hex, whole and in
 * words, numbers, the bytes {@code Bytes.toString} writes, the course's words, the JDK's, the
 * student's own identifiers, punctuation, letter case, characters that are not ASCII), filtered as
 * the grader filters it, and read back: the bytes read back correctly, from the start, are what
 * came through. None may pass {@link FeedbackChannel#BUDGET_BYTES}, which the README states.
 */
class FeedbackCapacityTest {

    private static FeedbackFilter filter;
    private static FeedbackVocabulary vocabulary;
    private static List<String> studentWords;
    private static final byte[] PAYLOAD = new byte[4000];

    @BeforeAll
    static void theRealCoursesVocabulary() throws Exception {
        new Random(52).nextBytes(PAYLOAD);
        Workspace workspace = Workspace.at(Fixtures.realWorkspace());
        Lab lab = workspace.lab("01");
        // a student whose sources hold 65,536 made-up identifiers: 16 bits a word
        studentWords = new ArrayList<>();
        for (int i = 0; i < 1 << 16; i++) {
            StringBuilder w = new StringBuilder("Zq");
            for (int n = i, d = 0; d < 4; d++, n /= 26) {
                w.append((char) ('a' + n % 26));
            }
            studentWords.add(w.toString());
        }
        byte[] source = ("class Dictionary { /* " + String.join(" ", studentWords) + " */ }")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        filter = FeedbackFilter.forLab(workspace.root(), lab, List.of()).forStudent(List.of(source));
        vocabulary = FeedbackVocabulary.of(workspace.root(), lab, List.of()).withStudent(studentWords);
    }

    /** An encoding: the message it writes, and the bytes it reads back from what was shown. */
    private record Scheme(String name, Function<byte[], String> write, Function<String, byte[]> read) {}

    @Test
    void noEncodingCarriesMoreThanTheStatedBound() throws java.io.IOException {
        Map<String, Integer> carried = new LinkedHashMap<>();
        for (Scheme scheme : schemes()) {
            String shown = filter.apply(
                    "java.lang.IllegalStateException: " + scheme.write().apply(PAYLOAD));
            assertThat(
                    scheme.name() + ": what is shown costs no more than the budget",
                    filter.channel().bits(shown),
                    lessThanOrEqualTo((double) FeedbackChannel.BUDGET_BITS));
            String body = shown.startsWith("java.lang.IllegalStateException: ")
                    ? shown.substring("java.lang.IllegalStateException: ".length())
                    : "";
            carried.put(scheme.name(), agreeing(scheme.read().apply(body), PAYLOAD));
        }
        StringBuilder table = new StringBuilder("bytes of a random payload carried by one failing test's message:\n");
        carried.forEach((name, n) -> table.append(String.format("  %4d  %s%n", n, name)));
        System.out.print(table);
        int best = carried.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(table.toString(), best, lessThanOrEqualTo(FeedbackChannel.BUDGET_BYTES));
        assertThat(
                "the bound is near what an encoding reaches: it is no loose promise",
                best,
                greaterThan(FeedbackChannel.BUDGET_BYTES / 2));
        String readme = String.join(
                " ",
                java.nio.file.Files.readString(Fixtures.realWorkspace().resolve("README.md"))
                        .split("\\s+"));
        assertThat(
                "the README states the bound in bytes",
                readme,
                containsString("carries at most " + FeedbackChannel.BUDGET_BYTES + " bytes of data"));
        java.util.regex.Matcher stated = java.util.regex.Pattern.compile("reads back at most (\\d+) bytes")
                .matcher(readme);
        assertThat("the README states what this test measured", stated.find(), is(true));
        assertThat(
                "the README's measured figure is no less than what came through",
                best,
                lessThanOrEqualTo(Integer.parseInt(stated.group(1))));
    }

    @Test
    void noMessageOfAnyMixCostsMoreThanTheBudget() {
        Random random = new Random(7);
        List<List<String>> tiers = vocabulary.tiers();
        String[] junk = {" ", ", ", "\n", "\\x", "\\x9f", "?", "((", "Zq", "zz", "0", "18446744073709551615", "\u00e9"};
        for (int round = 0; round < 300; round++) {
            StringBuilder m = new StringBuilder();
            for (int i = 0; i < 400; i++) {
                int pick = random.nextInt(6);
                if (pick < 4 && !tiers.get(pick).isEmpty()) {
                    m.append(tiers.get(pick).get(random.nextInt(tiers.get(pick).size())));
                } else if (pick == 4) {
                    m.append(junk[random.nextInt(junk.length)]);
                } else {
                    m.append(random.nextInt(1 << 20));
                }
                if (random.nextBoolean()) {
                    m.append(' ');
                }
            }
            String shown = filter.apply(m.toString());
            assertThat(shown, filter.channel().bits(shown), lessThanOrEqualTo((double) FeedbackChannel.BUDGET_BITS));
        }
    }

    private static List<Scheme> schemes() {
        List<Scheme> all = new ArrayList<>();
        all.add(new Scheme("base64, one word", p -> Base64.getEncoder().encodeToString(p), s -> base64(s)));
        all.add(new Scheme(
                "base64 in words of 64 characters",
                p -> inWords(Base64.getEncoder().encodeToString(p), 64),
                s -> base64(s.replace(" ", ""))));
        all.add(new Scheme(
                "hex in words of 64 characters",
                p -> inWords(HexFormat.of().formatHex(p), 64),
                s -> hex(s.replace(" ", ""))));
        all.add(new Scheme("a number a byte", p -> numbers(p, 1), s -> fromNumbers(s, 1)));
        all.add(new Scheme("seven bytes a number", p -> numbers(p, 7), s -> fromNumbers(s, 7)));
        all.add(new Scheme("bytes as Bytes.toString writes them", FeedbackCapacityTest::escapes, s -> fromEscapes(s)));
        List<List<String>> tiers = vocabulary.tiers();
        String[] names = {"the course's most common words", "the course's words", "the JDK's and libraries' words"};
        for (int t = 0; t < 3; t++) {
            List<String> alphabet = powerOfTwo(tiers.get(t));
            all.add(new Scheme(
                    names[t] + " (" + alphabet.size() + ")",
                    p -> words(p, alphabet, " "),
                    s -> fromWords(s, alphabet, " ")));
        }
        List<String> own = powerOfTwo(studentWords);
        all.add(new Scheme(
                "the student's own identifiers (" + own.size() + ")",
                p -> words(p, own, " "),
                s -> fromWords(s, own, " ")));
        List<String> separators = powerOfTwo(FeedbackChannel.COMMON_SEPARATORS);
        String word = tiers.get(0).get(0);
        all.add(new Scheme(
                "punctuation between words (" + separators.size() + " runs)",
                p -> separated(p, word, separators),
                s -> fromSeparated(s, word, separators)));
        java.util.Set<String> forms = new java.util.LinkedHashSet<>();
        for (String w : tiers.get(0)) {
            String lower = w.toLowerCase(java.util.Locale.ROOT);
            forms.addAll(List.of(
                    lower,
                    Character.toUpperCase(lower.charAt(0)) + lower.substring(1),
                    lower.toUpperCase(java.util.Locale.ROOT)));
        }
        List<String> cased = powerOfTwo(List.copyOf(forms));
        all.add(new Scheme(
                "the common words in every letter case (" + cased.size() + ")",
                p -> words(p, cased, " "),
                s -> fromWords(s, cased, " ")));
        all.add(new Scheme(
                "characters that are not ASCII",
                p -> new String(p, StandardCharsets.ISO_8859_1),
                s -> s.getBytes(StandardCharsets.ISO_8859_1)));
        return all;
    }

    /** How many bytes at the start of {@code read} are {@code payload}'s. */
    private static int agreeing(byte[] read, byte[] payload) {
        int n = 0;
        while (n < read.length && n < payload.length && read[n] == payload[n]) {
            n++;
        }
        return n;
    }

    private static String inWords(String s, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i += length) {
            sb.append(s, i, Math.min(s.length(), i + length)).append(' ');
        }
        return sb.toString();
    }

    private static byte[] base64(String s) {
        int n = 0;
        while (n < s.length() && (Character.isLetterOrDigit(s.charAt(n)) || s.charAt(n) == '+' || s.charAt(n) == '/')) {
            n++;
        }
        return Base64.getDecoder().decode(s.substring(0, n - n % 4));
    }

    private static byte[] hex(String s) {
        int n = 0;
        while (n < s.length() && Character.digit(s.charAt(n), 16) >= 0) {
            n++;
        }
        return HexFormat.of().parseHex(s.substring(0, n - n % 2));
    }

    private static String numbers(byte[] p, int bytesEach) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + bytesEach <= p.length; i += bytesEach) {
            long v = 0;
            for (int j = 0; j < bytesEach; j++) {
                v = v << 8 | (p[i + j] & 0xff);
            }
            sb.append(v).append(' ');
        }
        return sb.toString();
    }

    private static byte[] fromNumbers(String s, int bytesEach) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String t : s.split(" ")) {
            if (!t.matches("\\d{1,18}")) {
                break;
            }
            long v = Long.parseLong(t);
            for (int j = bytesEach - 1; j >= 0; j--) {
                out.write((int) (v >>> (8 * j)));
            }
        }
        return out.toByteArray();
    }

    private static String escapes(byte[] p) {
        StringBuilder sb = new StringBuilder();
        for (byte b : p) {
            sb.append(String.format("\\x%02x", b & 0xff));
        }
        return sb.toString();
    }

    private static byte[] fromEscapes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i + 4 <= s.length() && s.startsWith("\\x", i); i += 4) {
            out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
        }
        return out.toByteArray();
    }

    /** The first power of two of {@code words}, at most 2^16. */
    private static List<String> powerOfTwo(List<String> words) {
        int n = Integer.highestOneBit(Math.min(words.size(), 1 << 16));
        return words.subList(0, n);
    }

    private static int bitsOf(int alphabet) {
        return Integer.numberOfTrailingZeros(alphabet);
    }

    /** {@code p} as a sequence of {@code alphabet}'s tokens, {@code log2(size)} bits each. */
    private static String words(byte[] p, List<String> alphabet, String separator) {
        int k = bitsOf(alphabet.size());
        StringBuilder sb = new StringBuilder();
        long acc = 0;
        int held = 0;
        for (byte b : p) {
            acc = acc << 8 | (b & 0xff);
            held += 8;
            while (held >= k) {
                sb.append(alphabet.get((int) (acc >>> (held - k)) & ((1 << k) - 1)))
                        .append(separator);
                held -= k;
            }
        }
        return sb.toString();
    }

    private static byte[] fromWords(String s, List<String> alphabet, String separator) {
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < alphabet.size(); i++) {
            index.put(alphabet.get(i), i);
        }
        int k = bitsOf(alphabet.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long acc = 0;
        int held = 0;
        for (String t : s.split(java.util.regex.Pattern.quote(separator))) {
            Integer i = index.get(t);
            if (i == null) {
                break;
            }
            acc = acc << k | i;
            held += k;
            while (held >= 8) {
                out.write((int) (acc >>> (held - 8)));
                held -= 8;
            }
        }
        return out.toByteArray();
    }

    private static String separated(byte[] p, String word, List<String> separators) {
        String tokens = words(p, separators, "\u0000");
        return word + tokens.replace("\u0000", word);
    }

    private static byte[] fromSeparated(String s, String word, List<String> separators) {
        List<String> runs = new ArrayList<>();
        int i = s.startsWith(word) ? word.length() : s.length();
        while (i < s.length()) {
            int next = s.indexOf(word, i);
            if (next < 0) {
                break;
            }
            runs.add(s.substring(i, next));
            i = next + word.length();
        }
        return fromWords(String.join("\u0000", runs), separators, "\u0000");
    }
}
