package dev.storagelab.hybrid.query;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A table over any lab-02 {@link OrderedStore} (lab-07's {@code HybridStore}, the lab-04 B+tree,
 * the lab-05 LSM tree...): rows under the table's row prefix in primary-key order, and for each
 * indexed column an index entry per row, {@code column/value/pk}, in value order
 * ({@link TableKeys}). A write of a row and of its index entries is one
 * {@link OrderedStore#write} batch, so on a store whose batches are atomic (the LSM tree, lab-06's
 * and lab-07's stores) a crash never leaves an index entry without its row or the other way round.
 *
 * <p>Not thread-safe: one writer at a time (a read-modify-write keeps the indexes consistent).
 */
public final class Table {

    private final OrderedStore store;
    private final Schema schema;
    private final TableKeys keys;
    private final int pk;

    private Table(OrderedStore store, Schema schema) {
        this.store = store;
        this.schema = schema;
        this.keys = new TableKeys(schema);
        this.pk = schema.indexOf(schema.primaryKey());
    }

    /** The table {@code schema} in {@code store} (it holds whatever rows the store already has under its prefix). */
    public static Table open(OrderedStore store, Schema schema) {
        return new Table(Objects.requireNonNull(store, "store"), Objects.requireNonNull(schema, "schema"));
    }

    public Schema schema() {
        return schema;
    }

    public TableKeys keys() {
        return keys;
    }

    public OrderedStore store() {
        return store;
    }

    /**
     * Inserts {@code row}, or replaces the row of the same primary key: one batch that writes the
     * row, deletes the old row's index entries whose value changed and writes the new ones.
     */
    public void put(Row row) throws IOException {
        store.write(putOps(row));
    }

    /** Inserts or replaces every row of {@code rows} in one batch (rows of distinct primary keys). */
    public void putAll(List<Row> rows) throws IOException {
        List<Entry> ops = new ArrayList<>();
        Map<Object, Boolean> seen = new HashMap<>();
        for (Row r : rows) {
            checkArgument(seen.put(r.get(pk), Boolean.TRUE) == null, "putAll: primary key %s appears twice", r.get(pk));
            ops.addAll(putOps(r));
        }
        if (!ops.isEmpty()) {
            store.write(ops);
        }
    }

    private List<Entry> putOps(Row row) throws IOException {
        schema.check(row);
        Object key = row.get(pk);
        Optional<Row> old = get(key);
        List<Entry> ops = new ArrayList<>();
        for (String c : schema.indexed()) {
            int i = schema.indexOf(c);
            if (old.isPresent() && !old.get().get(i).equals(row.get(i))) {
                ops.add(Entry.tombstone(keys.indexKey(c, old.get().get(i), key)));
            }
            if (old.isEmpty() || !old.get().get(i).equals(row.get(i))) {
                ops.add(Entry.put(keys.indexKey(c, row.get(i), key), Bytes.EMPTY));
            }
        }
        ops.add(Entry.put(keys.rowKey(key), RowFormat.encode(row)));
        return ops;
    }

    /** Deletes the row of primary key {@code key} and its index entries (one batch); false if there was none. */
    public boolean delete(Object key) throws IOException {
        Optional<Row> old = get(key);
        if (old.isEmpty()) {
            return false;
        }
        List<Entry> ops = new ArrayList<>();
        for (String c : schema.indexed()) {
            ops.add(Entry.tombstone(keys.indexKey(c, old.get().get(schema.indexOf(c)), key)));
        }
        ops.add(Entry.tombstone(keys.rowKey(key)));
        store.write(ops);
        return true;
    }

    /** The row of primary key {@code key}: one get. */
    public Optional<Row> get(Object key) throws IOException {
        checkArgument(
                schema.column(schema.primaryKey()).type().accepts(key),
                "table %s: primary key %s is %s, not %s",
                schema.table(),
                schema.primaryKey(),
                schema.column(schema.primaryKey()).type(),
                key);
        Bytes k = keys.rowKey(key);
        Optional<Bytes> v = store.get(k);
        return v.isEmpty() ? Optional.empty() : Optional.of(RowFormat.decode(schema, k, v.get()));
    }

    /**
     * Hands every row whose primary key lies in {@code pkRange} (null: every row) to {@code sink},
     * in primary-key order: one scan of the row keys, each row decoded. What a full scan reads.
     */
    public void scan(Predicate pkRange, Consumer<Row> sink) throws IOException {
        checkArgument(
                pkRange == null || pkRange.column().equals(schema.primaryKey()),
                "a table scan's range is on the primary key %s, not %s",
                schema.primaryKey(),
                pkRange);
        Bytes[] range = keys.rowRange(pkRange);
        try (EntryIterator it = store.scan(range[0], range[1])) {
            while (it.hasNext()) {
                Entry e = it.next();
                sink.accept(RowFormat.decode(schema, e.key(), e.value()));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The index range scan: the rows whose {@code column} lies in {@code range}, found through the
     * column's index, in index order (by value, then primary key). It scans the index entries in
     * {@link TableKeys#indexRange}{@code (column, range)} and, for each, gets the row of the entry's
     * primary key ({@link TableKeys#rowKeyOfIndexEntry}) and decodes it ({@link RowFormat#decode}).
     * The row decides: an entry whose row is gone, or whose row's value no longer lies in
     * {@code range} (a store without atomic batches can be caught between the two writes by a
     * crash), is skipped.
     *
     * @throws IllegalArgumentException if {@code column} has no index or {@code range} is on another column
     */
    public List<Row> indexScan(String column, Predicate range) throws IOException {
        checkArgument(schema.isIndexed(column), "table %s has no index on %s", schema.table(), column);
        checkArgument(
                range.column().equals(column),
                "an index scan on %s reads a range of %s, not %s",
                column,
                column,
                range);
        // BEGIN SOLUTION lab-07 T11
        Bytes[] r = keys.indexRange(column, range);
        int c = schema.indexOf(column);
        List<Row> out = new ArrayList<>();
        try (EntryIterator it = store.scan(r[0], r[1])) {
            while (it.hasNext()) {
                Bytes rowKey = keys.rowKeyOfIndexEntry(column, it.next().key());
                Optional<Bytes> v = store.get(rowKey);
                if (v.isEmpty()) {
                    continue;
                }
                Row row = RowFormat.decode(schema, rowKey, v.get());
                if (range.matches(row.get(c))) {
                    out.add(row);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
        // END SOLUTION
    }

    /**
     * ANALYZE: one scan of the table's rows (and one of each index, for the entries' size) that
     * counts them and builds an equi-depth histogram of {@code buckets} buckets per column.
     */
    public TableStats analyze(int buckets) throws IOException {
        checkArgument(buckets >= 1, "ANALYZE needs at least one bucket per histogram: %s", buckets);
        int n = schema.columns().size();
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(new double[1024]);
        }
        long[] count = {0};
        long[] rowBytes = {0};
        Bytes[] range = keys.rowRange(null);
        try (EntryIterator it = store.scan(range[0], range[1])) {
            while (it.hasNext()) {
                Entry e = it.next();
                Row row = RowFormat.decode(schema, e.key(), e.value());
                int at = (int) count[0];
                for (int i = 0; i < n; i++) {
                    double[] a = values.get(i);
                    if (at == a.length) {
                        a = java.util.Arrays.copyOf(a, a.length * 2);
                        values.set(i, a);
                    }
                    a[at] = TableKeys.position(row.get(i));
                }
                count[0]++;
                rowBytes[0] += e.key().length() + e.value().length();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        long indexEntries = 0;
        long indexBytes = 0;
        for (String c : schema.indexed()) {
            Bytes p = keys.indexPrefix(c);
            try (EntryIterator it = store.scan(p, TableKeys.prefixEnd(p))) {
                while (it.hasNext()) {
                    indexBytes += it.next().key().length();
                    indexEntries++;
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        Map<String, Histogram> histograms = new HashMap<>();
        for (int i = 0; i < n; i++) {
            histograms.put(
                    schema.columns().get(i).name(),
                    Histogram.build(java.util.Arrays.copyOf(values.get(i), (int) count[0]), buckets));
        }
        return new TableStats(
                count[0],
                count[0] == 0 ? 0 : (double) rowBytes[0] / count[0],
                indexEntries == 0 ? 0 : (double) indexBytes / indexEntries,
                histograms);
    }

    @Override
    public String toString() {
        return "table " + schema.table() + " in " + store;
    }
}
