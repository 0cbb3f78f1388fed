package dev.storagelab.hybrid.query;

import java.util.List;

/**
 * One row: a value per column of its {@link Schema}, in the schema's order ({@link Long} or
 * {@link String}, never null).
 */
public record Row(List<Object> values) {

    public Row {
        values = List.copyOf(values); // rejects nulls
    }

    public static Row of(Object... values) {
        return new Row(List.of(values));
    }

    /** The value of the column at {@code index}. */
    public Object get(int index) {
        return values.get(index);
    }

    /** The value of column {@code name} of {@code schema}. */
    public Object get(Schema schema, String name) {
        return values.get(schema.indexOf(name));
    }
}
