package dev.storagelab.events;

/**
 * Hears what an engine does: splits, evictions, flushes, compactions, group commits,
 * transactions, migrations (see {@link EventType}), in the spirit of RocksDB's
 * {@code EventListener}. The workbench records what it hears as JSON lines and shows it in the
 * browser ({@code ./storagelab viz}).
 *
 * <p><b>Cost:</b> an engine holds {@link #NONE} until a listener is set, and every emission is
 * {@code if (EventListener.EMIT && events.isEnabled()) events.onEvent(EngineEvent.of(...))}:
 * without a listener an event costs one virtual call that returns a constant, and nothing is
 * allocated. With {@code -Dstoragelab.events=off} {@link #EMIT} is false and the JIT removes
 * every emission outright, so the cost of the shipped configuration (on, no listener) can be
 * measured against none at all in the same build ({@code notes/figures/events_overhead.sh}).
 *
 * <p><b>Threads:</b> engines call {@link #onEvent} from whichever thread did the work (a writer, a
 * flush or compaction thread), sometimes holding the engine's own locks, so a listener must be
 * thread-safe, quick, and must never call back into the engine.
 */
public interface EventListener {

    /**
     * Whether engines report events at all in this JVM: true unless it was started with
     * {@code -Dstoragelab.events=off}. A constant, read once, so a guard that tests it first is
     * compiled away when it is false.
     */
    boolean EMIT = !"off".equalsIgnoreCase(System.getProperty("storagelab.events", "on"));

    /** Hears nothing, costs nothing: what every engine holds until a listener is set. */
    EventListener NONE = new EventListener() {
        @Override
        public boolean isEnabled() {
            return false;
        }

        @Override
        public void onEvent(EngineEvent event) {}

        @Override
        public String toString() {
            return "EventListener.NONE";
        }
    };

    /** Whether this listener wants events; an engine builds none when false. */
    default boolean isEnabled() {
        return true;
    }

    /** One event; see the class comment for the threads and locks it may be called under. */
    void onEvent(EngineEvent event);

    /** {@code listener}, or {@link #NONE} if it is null. */
    static EventListener orNone(EventListener listener) {
        return listener == null ? NONE : listener;
    }
}
