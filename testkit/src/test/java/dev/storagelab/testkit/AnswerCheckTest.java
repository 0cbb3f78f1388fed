package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AnswerCheckTest {

    @Test
    void aWrongAnswerThrowsWithItsDescriptionOnOneLine() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AnswerCheck.require(false, () -> "get(key 7) returned no value;\nthe loaded data has one"));

        assertThat("the message says the answer was wrong and what it was, on one line", e.getMessage(),
                equalTo("wrong answer: get(key 7) returned no value; the loaded data has one"));
    }

    @Test
    void aRightAnswerPassesWithoutBuildingTheMessage() {
        AnswerCheck.require(true, () -> {
            throw new AssertionError("the message of a right answer must not be built");
        });
    }

    @Test
    void theSampleIsEverySixtyFourthOperationFromTheFirst() {
        assertThat("operation 0 is checked", AnswerCheck.sampled(0), is(true));
        assertThat("operation 1 is not", AnswerCheck.sampled(1), is(false));
        assertThat("operation 63 is not", AnswerCheck.sampled(63), is(false));
        assertThat("operation 64 is", AnswerCheck.sampled(64), is(true));
        assertThat("operation 128 is", AnswerCheck.sampled(128), is(true));
    }

    @Test
    void versionedValuesRepeatAndDifferByKeyAndVersion() {
        assertThat(BenchData.valueBytes(3, 1).length, is(BenchData.VALUE_BYTES));
        assertThat("the same key and version give the same bytes", BenchData.valueBytes(3, 1),
                equalTo(BenchData.valueBytes(3, 1)));
        assertThat("another version of the key differs", BenchData.valueBytes(3, 2), not(equalTo(BenchData.valueBytes(3, 1))));
        assertThat("another key at the same version differs", BenchData.valueBytes(4, 1), not(equalTo(BenchData.valueBytes(3, 1))));
    }
}
