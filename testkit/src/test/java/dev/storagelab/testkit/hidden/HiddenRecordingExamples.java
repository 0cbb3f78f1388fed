package dev.storagelab.testkit.hidden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.storagelab.events.TestRecording;
import org.junit.jupiter.api.Test;

/** A failing test in a hidden package: it is never recorded. */
public class HiddenRecordingExamples {

    @Test
    void failsWithEvents() {
        TestRecording.emit("flush.end", "key", 1);
        assertEquals(2, 1);
    }
}
