package dev.storagelab.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The listener every engine starts with: {@link EventListener#NONE}, unless a test harness is
 * recording what the engines of one test do. {@code ./storagelab test} asks the public tests'
 * harness (testkit's {@code FailureRecording}) to, so that a failing test of an engine leaves a
 * recording of that engine's events for the viewer ({@code ./storagelab viz}), opened at the
 * failing step. The harness installs a sink of plain maps (it depends on no lab, so it knows no
 * type of this package) for the length of one test, and removes it after.
 *
 * <p>Only an engine opened while a sink is installed hears it; one opened before keeps
 * {@link EventListener#NONE}. {@code setEventListener} replaces it, as any listener.
 */
public final class TestRecording {

    private static volatile EventListener current = EventListener.NONE;
    private static volatile Consumer<Map<String, Object>> sink;

    private TestRecording() {}

    /**
     * What an engine opened now starts with: {@link EventListener#NONE}, or the test's recording.
     * While a test records, the engine's opening is its first step ({@code run.phase}, "LsmStore
     * opened", with the engine's class): a test that fails before the engine's first event (a flush
     * that has not begun yet) leaves a recording all the same, on the engine's own view.
     */
    public static EventListener listener() {
        Consumer<Map<String, Object>> s = sink;
        if (s != null) {
            String engine = StackWalker.getInstance()
                    .walk(frames -> frames.skip(1).findFirst())
                    .map(StackWalker.StackFrame::getClassName)
                    .orElse("an engine");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "run.phase");
            m.put("nanos", System.nanoTime());
            m.put("phase", engine.substring(engine.lastIndexOf('.') + 1) + " opened");
            m.put("engine", engine);
            s.accept(m);
        }
        return current;
    }

    /**
     * Installs {@code sink} for the engines opened from now on: each event reaches it as a map of
     * its {@code type} (the {@link EventType#id() id}), its {@code nanos} ({@link System#nanoTime()})
     * and its fields. Null removes it. The sink is called on the engines' threads, as any listener.
     */
    public static void install(Consumer<Map<String, Object>> sink) {
        TestRecording.sink = sink;
        current = sink == null
                ? EventListener.NONE
                : event -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("type", event.type().id());
                    m.put("nanos", event.nanos());
                    m.putAll(event.fields());
                    sink.accept(m);
                };
    }
}
