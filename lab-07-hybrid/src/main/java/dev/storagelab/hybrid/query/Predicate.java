package dev.storagelab.hybrid.query;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import java.util.Objects;

/**
 * One predicate of a query: {@code column} within a range whose ends may be open (null),
 * inclusive or exclusive. An equality is the range {@code [v, v]}. Strings compare as their
 * UTF-8 bytes, unsigned (the order of the keys: {@link TableKeys}), not as Java's UTF-16
 * {@code compareTo}.
 *
 * @param column        the column's name
 * @param low           the smallest value the range admits, or null for no lower end
 * @param lowInclusive  whether {@code low} itself matches
 * @param high          the largest value, or null for no upper end
 * @param highInclusive whether {@code high} itself matches
 */
public record Predicate(String column, Object low, boolean lowInclusive, Object high, boolean highInclusive) {

    public Predicate {
        Objects.requireNonNull(column, "column");
        checkArgument(low != null || high != null, "predicate on %s has neither end", column);
        checkArgument(
                low == null || high == null || low.getClass() == high.getClass(),
                "predicate on %s compares values of two types: %s and %s",
                column,
                low,
                high);
        checkArgument(
                low == null || low instanceof Long || low instanceof String,
                "predicate value must be a Long or a String: %s",
                low);
        checkArgument(
                high == null || high instanceof Long || high instanceof String,
                "predicate value must be a Long or a String: %s",
                high);
    }

    /** {@code column = value}. */
    public static Predicate eq(String column, Object value) {
        return new Predicate(column, value, true, value, true);
    }

    /** {@code low <= column <= high} (SQL's BETWEEN). */
    public static Predicate between(String column, Object low, Object high) {
        return new Predicate(column, low, true, high, true);
    }

    /** {@code column > value}, or {@code >=} if {@code inclusive}. */
    public static Predicate greater(String column, Object value, boolean inclusive) {
        return new Predicate(column, value, inclusive, null, false);
    }

    /** {@code column < value}, or {@code <=} if {@code inclusive}. */
    public static Predicate less(String column, Object value, boolean inclusive) {
        return new Predicate(column, null, false, value, inclusive);
    }

    /** Whether this is an equality: both ends the same value, both inclusive. */
    public boolean isEquality() {
        return low != null && lowInclusive && highInclusive && low.equals(high);
    }

    /** Whether no value can match (an empty range such as {@code [5, 3]} or {@code (4, 4]}). */
    public boolean isEmpty() {
        if (low == null || high == null) {
            return false;
        }
        int c = compare(low, high);
        return c > 0 || (c == 0 && !(lowInclusive && highInclusive));
    }

    /** Whether {@code value} lies in the range. */
    public boolean matches(Object value) {
        if (low != null) {
            int c = compare(value, low);
            if (c < 0 || (c == 0 && !lowInclusive)) {
                return false;
            }
        }
        if (high != null) {
            int c = compare(value, high);
            return c < 0 || (c == 0 && highInclusive);
        }
        return true;
    }

    /** Checks that the predicate's values have {@code type}. */
    Predicate check(Schema schema) {
        ColumnType type = schema.column(column).type();
        checkArgument(
                (low == null || type.accepts(low)) && (high == null || type.accepts(high)),
                "column %s of table %s is %s; the predicate compares it with %s",
                column,
                schema.table(),
                type,
                this);
        return this;
    }

    /**
     * The order of values in keys and predicates: longs by value, strings by their UTF-8 bytes,
     * unsigned.
     */
    public static int compare(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        if (a instanceof String x && b instanceof String y) {
            return Bytes.of(x).compareTo(Bytes.of(y));
        }
        throw new IllegalArgumentException("cannot compare " + a + " with " + b);
    }

    @Override
    public String toString() {
        if (isEquality()) {
            return column + " = " + show(low);
        }
        if (low != null && high != null && lowInclusive && highInclusive) {
            return column + " between " + show(low) + " and " + show(high);
        }
        StringBuilder s = new StringBuilder();
        if (low != null) {
            s.append(column).append(lowInclusive ? " >= " : " > ").append(show(low));
        }
        if (high != null) {
            s.append(low != null ? " and " : "")
                    .append(column)
                    .append(highInclusive ? " <= " : " < ")
                    .append(show(high));
        }
        return s.toString();
    }

    static String show(Object v) {
        return v instanceof String s ? "'" + s.replace("'", "''") + "'" : String.valueOf(v);
    }
}
