package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.storagelab.events.TestRecording;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Tests that fail on purpose, run by {@link FailureRecordingTest} through the JUnit launcher (the
 * name keeps Surefire from running them): an "engine" that flushes once per key.
 */
class RecordingExamples {

    static void flushAll(List<Integer> keys) {
        for (int k : keys) {
            TestRecording.emit("flush.end", "key", k);
        }
    }

    @Test
    void failsWithEvents() {
        flushAll(List.of(1, 2, 3));
        assertEquals(4, 3, "three flushes");
    }

    @Test
    void failsWithAHamcrestMessage() {
        flushAll(List.of(7));
        assertThat("the newest value", "v1", is("v2"));
    }

    @Test
    void passesWithEvents() {
        flushAll(List.of(1));
    }

    @Test
    void failsWithoutEvents() {
        assertEquals(1, 2);
    }

    @Property(tries = 50, seed = "42")
    void failsOnceThreeKeysAreBig(@ForAll List<@net.jqwik.api.constraints.IntRange(min = 0, max = 1000) Integer> keys) {
        flushAll(keys);
        assertThat(keys.stream().filter(k -> k >= 10).count() < 3, is(true));
    }
}
