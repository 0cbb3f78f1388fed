package dev.storagelab.hybrid.query;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * One column of a {@link Schema}: a name ({@code [a-z][a-z0-9_]*}, at most 32 characters, so it
 * can sit between the {@code /} separators of a key) and a type.
 */
public record Column(String name, ColumnType type) {

    /** The longest column or table name. */
    public static final int MAX_NAME = 32;

    public Column {
        checkName(name, "column");
        Objects.requireNonNull(type, "type");
    }

    public static Column ofLong(String name) {
        return new Column(name, ColumnType.LONG);
    }

    public static Column ofString(String name) {
        return new Column(name, ColumnType.STRING);
    }

    /** Checks a table's or a column's name: lower-case letters, digits and {@code _}, a letter first. */
    static String checkName(String name, String what) {
        checkArgument(
                name != null && name.matches("[a-z][a-z0-9_]*") && name.length() <= MAX_NAME,
                "%s name must be a lower-case letter then letters, digits or _, at most %s characters: %s",
                what,
                MAX_NAME,
                name);
        return name;
    }
}
