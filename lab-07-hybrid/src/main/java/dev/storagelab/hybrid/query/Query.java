package dev.storagelab.hybrid.query;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A query on one table: the rows for which every predicate holds (a conjunction). No predicate:
 * every row.
 */
public record Query(String table, List<Predicate> predicates) {

    public Query {
        Column.checkName(table, "table");
        predicates = List.copyOf(predicates);
    }

    public static Query of(String table, Predicate... predicates) {
        return new Query(table, List.of(predicates));
    }

    /** Whether {@code row} of {@code schema} satisfies every predicate. */
    public boolean matches(Schema schema, Row row) {
        for (Predicate p : predicates) {
            if (!p.matches(row.get(schema, p.column()))) {
                return false;
            }
        }
        return true;
    }

    /** Checks every predicate's column and value types against {@code schema}. */
    public Query check(Schema schema) {
        if (!schema.table().equals(table)) {
            throw new IllegalArgumentException("the query is on table " + table + ", not " + schema.table());
        }
        predicates.forEach(p -> p.check(schema));
        return this;
    }

    @Override
    public String toString() {
        return table
                + (predicates.isEmpty()
                        ? ""
                        : " where "
                                + predicates.stream().map(Predicate::toString).collect(Collectors.joining(" and ")));
    }
}
