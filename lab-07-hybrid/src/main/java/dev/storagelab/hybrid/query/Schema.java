package dev.storagelab.hybrid.query;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A table's shape: its name, its columns in order, the primary-key column (the rows are stored in
 * its order) and the one or two columns with a secondary index.
 *
 * @param table      the table's name ({@code [a-z][a-z0-9_]*}): the prefix of every key it writes
 * @param columns    the columns, in the order rows list their values
 * @param primaryKey the primary key's column
 * @param indexed    the columns with a secondary index: one or two, never the primary key
 */
public record Schema(String table, List<Column> columns, String primaryKey, List<String> indexed) {

    public Schema {
        Column.checkName(table, "table");
        columns = List.copyOf(columns);
        indexed = List.copyOf(indexed);
        checkArgument(!columns.isEmpty(), "table %s has no columns", table);
        Set<String> names = new HashSet<>();
        for (Column c : columns) {
            checkArgument(names.add(c.name()), "table %s: column %s appears twice", table, c.name());
        }
        checkArgument(names.contains(primaryKey), "table %s: primary key %s is not a column", table, primaryKey);
        checkArgument(
                indexed.size() >= 1 && indexed.size() <= 2,
                "table %s: one or two indexed columns, not %s",
                table,
                indexed.size());
        for (String i : indexed) {
            checkArgument(names.contains(i), "table %s: indexed column %s is not a column", table, i);
            checkArgument(!i.equals(primaryKey), "table %s: the primary key %s needs no secondary index", table, i);
        }
        checkArgument(new HashSet<>(indexed).size() == indexed.size(), "table %s: a column indexed twice", table);
    }

    /** The position of column {@code name} in a row. */
    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("table " + table + " has no column '" + name + "'; columns: "
                + columns.stream().map(Column::name).toList());
    }

    /** The column named {@code name}. */
    public Column column(String name) {
        return columns.get(indexOf(name));
    }

    /** Whether {@code name} has a secondary index. */
    public boolean isIndexed(String name) {
        return indexed.contains(name);
    }

    /** Checks that {@code row} has a value of the right type for every column. */
    public Row check(Row row) {
        checkArgument(
                row.values().size() == columns.size(),
                "table %s has %s columns, the row has %s values: %s",
                table,
                columns.size(),
                row.values().size(),
                row);
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            checkArgument(
                    c.type().accepts(row.values().get(i)),
                    "table %s: column %s is %s, the row holds %s",
                    table,
                    c.name(),
                    c.type(),
                    row.values().get(i));
        }
        return row;
    }
}
