package dev.storagelab.events;

import dev.storagelab.kv.Bytes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing an engine did, as its {@link EventListener} hears it: the {@link EventType}, when
 * ({@link System#nanoTime()}), and named fields (numbers, strings, lists and maps of them) that
 * say what it did to what. Engines build one only after {@link EventListener#isEnabled()}, so an
 * engine without a listener never allocates one.
 */
public record EngineEvent(EventType type, long nanos, Map<String, Object> fields) {

    public EngineEvent {
        fields = Collections.unmodifiableMap(fields);
    }

    /** An event now, with fields given as name, value, name, value, ... */
    public static EngineEvent of(EventType type, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("fields come in name, value pairs: " + namesAndValues.length + " items");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return new EngineEvent(type, System.nanoTime(), fields);
    }

    /**
     * A key as an event shows it: as text when every byte is printable ASCII (the workloads' keys
     * are {@code key-000000001234}), else {@code 0x} and its bytes in hex.
     */
    public static String keyText(Bytes key) {
        return key == null ? null : keyText(key.toByteArray());
    }

    /** {@link #keyText(Bytes)} of raw bytes. */
    public static String keyText(byte[] key) {
        if (key == null) {
            return null;
        }
        boolean printable = true;
        for (byte b : key) {
            printable &= b >= 0x20 && b < 0x7f;
        }
        if (printable) {
            return new String(key, java.nio.charset.StandardCharsets.US_ASCII);
        }
        StringBuilder sb = new StringBuilder("0x");
        for (byte b : key) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
