package dev.storagelab.grader.feedback;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.grader.workspace.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failure message may carry out of the test JVM: no quote of the hidden tests, and little else. */
class FeedbackFilterTest {

    private static final String HIDDEN = """
            package lab.one;

            class StoreHiddenTest {

                @Test
                void tombstonesDropAtTheBottomLevel() {
                    Store store = Store.open(directory, Options.defaults().withLevels(3));
                    store.put(key(17), value(17));
                    store.delete(key(17));
                    store.compactAll();
                    assertThat("tombstone resurrected after compaction of the bottom level", store.get(key(17)), nullValue());
                }
            }
            """;

    @TempDir
    static Path root;

    private static FeedbackFilter filter;

    @BeforeAll
    static void hiddenTests() throws IOException {
        Path sources = Files.createDirectories(root.resolve("lab-01-one/src/hidden/java/lab/one"));
        Files.writeString(sources.resolve("StoreHiddenTest.java"), HIDDEN);
        // a stand-in for its class file: constant-pool-like strings between length bytes
        Path classes = Files.createDirectories(root.resolve("lab-01-one/target/test-classes/lab/one"));
        byte[] cls = ("\u00ca\u00fe\u00ba\u00be\u0000\u0000\u0000=\u0001\u0000\u0010lab/one/StoreHiddenTest\u0001\u0000"
                        + "\u0010Ljava/lang/Object;\u0001\u0000\u0004Code\u0001\u0000\u000fLineNumberTable\u0001\u0000\u001d"
                        + "tombstonesDropAtTheBottomLevel\u0001\u0000\u0003()V\u0001\u0000\nSourceFile")
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(classes.resolve("StoreHiddenTest.class"), cls);
        // the handout: the words of the course that messages are made of
        Files.writeString(root.resolve("lab-01-one/README.md"), HANDOUT);
        Path main = Files.createDirectories(root.resolve("lab-01-one/src/main/java/lab/one"));
        Files.writeString(main.resolve("Store.java"), STORE);
        filter = FeedbackFilter.forLab(root, new Lab("lab-01", "lab-01-one", java.util.List.of()), java.util.List.of());
    }

    private static final String HANDOUT = """
            # Lab 01: a store

            A tombstone marks a deleted key. Compaction of the bottom level drops it: expected, but
            if it was kept, the key was resurrected. The store says what it expected and what it was.
            A test that failed says which of the levels it has checked.
            """;

    /** The given code, with a solution region whose words are not the course's. */
    private static final String STORE = """
            package lab.one;

            /** A store of keys. */
            public final class Store {
                public int size() {
                    // BEGIN SOLUTION lab-01 T1
                    int zanzibarQuokka = 0;
                    return zanzibarQuokka;
                    // END SOLUTION
                }
            }
            """;

    @Test
    void anAssertionMessageOfTheHiddenTestIsShownAsItIs() {
        String message = "java.lang.AssertionError: tombstone resurrected after compaction of the bottom level\n"
                + "Expected: null\n     but: was [118, 49, 55]";
        assertThat(filter.apply(message), equalTo(message));
    }

    @Test
    void aMessageQuotingTheHiddenSourceIsCutWhereTheQuoteStarts() {
        String message =
                "java.lang.IllegalStateException: look: " + HIDDEN.substring(HIDDEN.indexOf("void tombstones"));
        String shown = filter.apply(message);
        assertThat(shown, startsWith("java.lang.IllegalStateException: look:"));
        assertThat(shown, endsWith(FeedbackFilter.WITHHELD));
        assertThat(shown, not(containsString("compactAll")));
        assertThat(shown, not(containsString("withLevels")));
    }

    @Test
    void aQuoteSpreadOverLinesWithOtherWhitespaceIsStillAQuote() {
        String message = "store.put(key(17),\tvalue(17));\r\n\r\n   store.delete(key(17));   store.compactAll();";
        assertThat(filter.apply(message), equalTo(FeedbackFilter.WITHHELD));
    }

    @Test
    void rawClassFileBytesAreAQuote() throws IOException {
        String bytes = new String(
                Files.readAllBytes(root.resolve("lab-01-one/target/test-classes/lab/one/StoreHiddenTest.class")),
                StandardCharsets.ISO_8859_1);
        String shown = filter.apply("stolen: " + bytes);
        assertThat(shown, not(containsString("LineNumberTable")));
        assertThat(shown, endsWith(FeedbackFilter.WITHHELD));
    }

    @Test
    void shortIdentifiersOfTheHiddenTestAreNotAQuote() {
        // the test's name and a type it uses are in feedback anyway
        String message =
                "tombstonesDropAtTheBottomLevel failed: java.lang.IllegalArgumentException: Options.defaults() has 0 levels";
        assertThat(filter.apply(message), equalTo(message));
    }

    @Test
    void onlyPrintableAsciiIsShown() {
        assertThat(FeedbackFilter.none().apply("a\u0000b\u0007c\nd\te \u00e9\u2264"), equalTo("a b c\nd e ??"));
    }

    @Test
    void anEncodedPayloadIsReplacedWordByWord() {
        byte[] payload = new byte[3000];
        new java.util.Random(1).nextBytes(payload);
        String encoded = java.util.Base64.getEncoder().encodeToString(payload);
        StringBuilder words = new StringBuilder("java.lang.IllegalStateException: ");
        for (int i = 0; i < 2000; i += 64) { // in words of 64 characters, which the old rule let through whole
            words.append(encoded, i, i + 64).append(' ');
        }
        String shown = filter.apply(words.toString());
        assertThat(shown, startsWith("java.lang.IllegalStateException: "));
        assertThat(shown, not(containsString(encoded.substring(0, 12))));
        assertThat(shown, not(containsString(encoded.substring(64, 76))));
        assertThat(filter.channel().bits(shown), lessThanOrEqualTo((double) FeedbackChannel.BUDGET_BITS));
    }

    @Test
    void wordsOfTheCourseAndTheJdkPassAndOthersBecomeQuestionMarks() {
        assertThat(
                filter.apply("java.lang.IllegalStateException: the tombstone of key 17 was kept by a zanzibarQuokka"),
                equalTo("java.lang.IllegalStateException: the tombstone of key 17 was kept by a ?"));
    }

    @Test
    void theGradersOwnMessagesPassWhole() {
        for (String message : java.util.List.of(
                "timed out: still running after 120 s (an infinite loop, a deadlock, or far too slow); the test JVM"
                        + " was killed",
                "flooded its output: printed 5000000 bytes; a test may print at most 1048576",
                "left threads running after it finished (they never end): [Zqxv-1]")) {
            assertThat(filter.apply(message), equalTo(message.replace("Zqxv", "?")));
        }
    }

    /**
     * The grader's classes whose words a test's message may carry are named by resource path
     * ({@code FeedbackVocabulary#GRADER_MESSAGES}): each is found, in whichever package it now lives,
     * and its words are in the vocabulary (a class moved without the list fails here, not as words
     * cut from students' feedback).
     */
    @Test
    void theGradersOwnMessagesAreFoundWhereTheirClassesLive() {
        java.util.List<String> messages = FeedbackVocabulary.graderMessages();
        for (String words : java.util.List.of(
                "timed out: still running after", // run.TestSupervisor
                "bytes; a test may print at most", // runner.HiddenTestRunner
                "each thread waits for a lock the next one holds", // runner.HangReport
                "the run wrote more than its disk quota of", // sandbox.DiskQuota
                "access denied")) { // policy.LabPolicy
            assertThat(words, messages.stream().anyMatch(m -> m.contains(words)), is(true));
        }
    }

    @Test
    void theStudentsOwnIdentifiersPass() {
        byte[] source = "class Store { int zanzibarQuokka; }".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(
                filter.forStudent(java.util.List.of(source)).apply("kept by a zanzibarQuokka"),
                equalTo("kept by a zanzibarQuokka"));
    }

    /**
     * A cut message's ending: the line that says how many characters of {@code whole} are not shown,
     * which are all that follow the text shown; that text ends where a word or a line does.
     */
    private static void cutAtAWordSayingWhatIsLeft(String whole, String shown) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\\n\\[\\.\\.\\. (\\d+) more characters not shown]$")
                .matcher(shown);
        assertThat(shown, m.find(), is(true));
        String body = shown.substring(0, m.start());
        assertThat("what is shown is the message's start", whole, startsWith(body));
        assertThat("cut between words: " + body, whole.charAt(body.length()), org.hamcrest.Matchers.oneOf(' ', '\n'));
        assertThat(Integer.parseInt(m.group(1)), is(whole.length() - body.length()));
    }

    @Test
    void aMessageIsCutBeforeItCarriesMoreThanTheBudget() {
        String numbers = "expected 1234567 but was 7654321\n".repeat(20);
        String shown = filter.apply(numbers);
        cutAtAWordSayingWhatIsLeft(numbers, shown);
        assertThat(shown, startsWith("expected 1234567 but was 7654321\nexpected"));
        assertThat(filter.channel().bits(shown), lessThanOrEqualTo((double) FeedbackChannel.BUDGET_BITS));
    }

    @Test
    void longMessagesAreCutByLinesAndByLengthBetweenWords() {
        String many = "expected 1 but was 2\n".repeat(100);
        String lines = FeedbackFilter.none().apply(many);
        assertThat(lines.lines().count(), lessThanOrEqualTo((long) FeedbackFilter.MAX_LINES + 1));
        cutAtAWordSayingWhatIsLeft(many, lines);
        String long_ = "expected 1 but was 2 ".repeat(1000);
        String words = FeedbackFilter.none().apply(long_);
        assertThat(words.length(), lessThanOrEqualTo(FeedbackFilter.MAX + 40));
        cutAtAWordSayingWhatIsLeft(long_, words);
        String sentence = "the value of the key was never written back to the page ".repeat(30);
        cutAtAWordSayingWhatIsLeft(sentence, FeedbackFilter.none().apply(sentence));
    }

    @Test
    void aLabWithoutHiddenTestsOnlyCleans() {
        String message = "store.put(key(17), value(17)); store.delete(key(17)); store.compactAll();";
        assertThat(FeedbackFilter.none().apply(message), is(message));
    }
}
