package dev.storagelab.hybrid.query;

/** What a column holds: a signed 64-bit integer or a UTF-8 string. */
public enum ColumnType {
    LONG,
    STRING;

    /** Whether {@code value} is a value of this type ({@link Long} or {@link String}, never null). */
    public boolean accepts(Object value) {
        return this == LONG ? value instanceof Long : value instanceof String;
    }
}
