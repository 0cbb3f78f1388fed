package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AnswerCheckTest {

    @Test
    void aWrongAnswerThrowsWithItsDescriptionOnOneLine() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> AnswerCheck.require(false, () -> "get(key 7) returned no value;\nthe loaded data has one"));

        assertThat(
                "the message says the answer was wrong and what it was, on one line",
                e.getMessage(),
                equalTo("wrong answer: get(key 7) returned no value; the loaded data has one"));
    }

    @Test
    void aRightAnswerPassesWithoutBuildingTheMessage() {
        AnswerCheck.require(true, () -> {
            throw new AssertionError("the message of a right answer must not be built");
        });
    }

    @Test
    void theSampleIsOneOperationInSixtyFourSpreadEvenly() {
        int sampled = 0;
        int longestGap = 0;
        int gap = 0;
        for (long op = 0; op < 64_000; op++) {
            if (AnswerCheck.sampled(op)) {
                sampled++;
                longestGap = Math.max(longestGap, gap);
                gap = 0;
            } else {
                gap++;
            }
        }
        assertThat(
                "one operation in 64 is sampled",
                sampled,
                is(both(greaterThan(960)).and(lessThan(1040))));
        assertThat(
                "no long stretch goes unchecked: fewer than 2 x 64 operations between two sampled ones",
                longestGap,
                lessThan(2 * AnswerCheck.SAMPLE_EVERY));
    }

    @Test
    void theSampleIsNotAStrideAndTheSeedMovesIt() {
        List<Long> first = IntStream.range(0, 2000)
                .filter(op -> AnswerCheck.sampled(op, 1))
                .mapToObj(Long::valueOf)
                .toList();
        List<Long> other = IntStream.range(0, 2000)
                .filter(op -> AnswerCheck.sampled(op, 2))
                .mapToObj(Long::valueOf)
                .toList();
        assertThat("another seed samples other operations", other, not(equalTo(first)));
        Set<Long> residues =
                first.stream().map(op -> op % AnswerCheck.SAMPLE_EVERY).collect(Collectors.toSet());
        assertThat(
                "the sampled operations are not all one residue modulo 64, as a stride's would be",
                residues.size(),
                greaterThan(1));
        assertThat(
                "the same seed samples the same operations",
                IntStream.range(0, 2000)
                        .filter(op -> AnswerCheck.sampled(op, 1))
                        .mapToObj(Long::valueOf)
                        .toList(),
                equalTo(first));
    }

    @Test
    void versionedValuesRepeatAndDifferByKeyAndVersion() {
        assertThat(BenchData.valueBytes(3, 1).length, is(BenchData.VALUE_BYTES));
        assertThat(
                "the same key and version give the same bytes",
                BenchData.valueBytes(3, 1),
                equalTo(BenchData.valueBytes(3, 1)));
        assertThat(
                "another version of the key differs",
                BenchData.valueBytes(3, 2),
                not(equalTo(BenchData.valueBytes(3, 1))));
        assertThat(
                "another key at the same version differs",
                BenchData.valueBytes(4, 1),
                not(equalTo(BenchData.valueBytes(3, 1))));
    }

    @Test
    void wrongAnswersReturnsTheMessageOfTheFirstWrongAnswer() {
        int[] calls = {0};
        String message = WrongAnswers.within(10, () -> AnswerCheck.require(++calls[0] < 3, () -> "call " + calls[0]));

        assertThat(
                "the third call's check failed, and its message is returned", message, equalTo("wrong answer: call 3"));
        assertThat("no call is made after it", calls[0], is(3));
    }

    @Test
    void wrongAnswersFailsWhenNoAnswerIsWrongOrSomethingElseIsThrown() {
        assertThrows(
                AssertionError.class,
                () -> WrongAnswers.within(5, () -> AnswerCheck.require(true, () -> "")),
                "a benchmark that never objects must fail the test");
        assertThrows(
                AssertionError.class,
                () -> WrongAnswers.within(5, () -> {
                    throw new IllegalStateException("the store is closed");
                }),
                "another exception is not a checked answer");
    }
}
