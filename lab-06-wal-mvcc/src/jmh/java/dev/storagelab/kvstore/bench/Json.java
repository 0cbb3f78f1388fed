package dev.storagelab.kvstore.bench;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** A JSON object written field by field: all the measurement programs need (no JSON library in lab-06). */
final class Json {

    private final StringBuilder sb = new StringBuilder("{");

    Json field(String name, String value) {
        return raw(name, quote(value));
    }

    Json field(String name, long value) {
        return raw(name, Long.toString(value));
    }

    Json field(String name, double value) {
        return raw(name, Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "null");
    }

    Json field(String name, boolean value) {
        return raw(name, Boolean.toString(value));
    }

    /** An array of objects already written as JSON. */
    Json array(String name, List<String> objects) {
        return raw(name, "[\n  " + String.join(",\n  ", objects) + "\n]");
    }

    /** A latency histogram in nanoseconds, as microsecond percentiles. */
    Json histogram(Histogram h) {
        return field("count", h.getTotalCount())
                .field("meanUs", h.getMean() / 1e3)
                .field("p50Us", h.getValueAtPercentile(50) / 1e3)
                .field("p90Us", h.getValueAtPercentile(90) / 1e3)
                .field("p99Us", h.getValueAtPercentile(99) / 1e3)
                .field("p999Us", h.getValueAtPercentile(99.9) / 1e3)
                .field("maxUs", h.getMaxValue() / 1e3);
    }

    Json raw(String name, String json) {
        if (sb.length() > 1) {
            sb.append(", ");
        }
        sb.append(quote(name)).append(": ").append(json);
        return this;
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
