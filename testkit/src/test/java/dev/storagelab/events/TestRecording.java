package dev.storagelab.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A stand-in for lab-01's class of the same name (this module depends on no lab): the contract
 * {@code FailureRecorder} reaches by name, and an engine of one event type that the examples drive.
 */
public final class TestRecording {

    private static volatile Consumer<Map<String, Object>> sink;

    private TestRecording() {}

    public static void install(Consumer<Map<String, Object>> s) {
        sink = s;
    }

    /** What an engine does when it reports an event: the sink hears it, if one is installed. */
    public static void emit(String type, Object... namesAndValues) {
        Consumer<Map<String, Object>> s = sink;
        if (s == null) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("nanos", System.nanoTime());
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        s.accept(m);
    }
}
