package dev.storagelab.events;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recording a public test's harness installs: an engine opened while it is installed hears it,
 * and its opening is the recording's first step, named after the engine's class.
 */
class TestRecordingTest {

    @AfterEach
    void uninstall() {
        TestRecording.install(null);
    }

    @Test
    void anEngineOpenedWhileATestRecordsStartsItsRecordingWithItsOpening() {
        List<Map<String, Object>> heard = new CopyOnWriteArrayList<>();
        TestRecording.install(heard::add);
        EventListener engine = TestRecording.listener(); // as an engine's field initializer calls it
        assertThat("the opening, before any event of the engine", heard, hasSize(1));
        assertThat(heard.get(0).get("type"), is("run.phase"));
        assertThat(heard.get(0).get("phase"), is("TestRecordingTest opened"));
        assertThat(heard.get(0).get("engine"), is(TestRecordingTest.class.getName()));

        engine.onEvent(EngineEvent.of(EventType.FLUSH_BEGIN, "memtableBytes", 8297L));
        assertThat(heard, hasSize(2));
        assertThat(heard.get(1).get("type"), is("flush.begin"));
        assertThat(heard.get(1).get("memtableBytes"), is(8297L));
    }

    @Test
    void withNothingInstalledAnEngineHearsNothingAndNothingIsRecorded() {
        List<Map<String, Object>> heard = new CopyOnWriteArrayList<>();
        TestRecording.install(heard::add);
        TestRecording.install(null);
        assertThat(TestRecording.listener(), sameInstance(EventListener.NONE));
        assertThat(heard, empty());
    }
}
