package dev.storagelab.hybrid.query;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/** What the query tests share: an in-memory ordered store, the orders table, rows, a cost model with round figures. */
public final class QueryFixtures {

    private QueryFixtures() {}

    /** orders(id long pk, price long indexed, region string indexed, note string). */
    public static final Schema ORDERS = new Schema(
            "orders",
            List.of(Column.ofLong("id"), Column.ofLong("price"), Column.ofString("region"), Column.ofString("note")),
            "id",
            List.of("price", "region"));

    public static final List<String> REGIONS = List.of("apac", "eu", "latam", "us");

    /** Row {@code id}: price {@code id % 1000}, region {@code REGIONS[id % 4]}, a 40-byte note. */
    public static Row order(long id) {
        return Row.of(id, id % 1000, REGIONS.get((int) (id % 4)), "note-" + "x".repeat(35));
    }

    /**
     * Round figures: a random read of 10 us that always misses (hit ratio 0), 1 GB/s, a lookup's CPU
     * 2 us, a scanned row's 1 us.
     */
    public static QueryCostModel roundCosts() {
        HardwareProfile p = new HardwareProfile("round", 10, 1000, 10, 1000, 100, 2, 2, 2, 2, 1, 1, 1, 1, 1);
        return new QueryCostModel(p, 2, 1, 0);
    }

    /** A {@link TreeMap} as an ordered store; {@code write} applies a batch in one step. */
    public static class MemoryStore implements OrderedStore {
        public final TreeMap<Bytes, Bytes> map = new TreeMap<>();
        public int gets;

        @Override
        public Optional<Bytes> get(Bytes key) {
            gets++;
            return Optional.ofNullable(map.get(KeyValueStore.checkKey(key)));
        }

        @Override
        public void put(Bytes key, Bytes value) {
            map.put(KeyValueStore.checkKey(key), KeyValueStore.checkValue(value));
        }

        @Override
        public void delete(Bytes key) {
            map.remove(KeyValueStore.checkKey(key));
        }

        @Override
        public void write(List<Entry> ops) {
            for (Entry e : ops) {
                if (e.isTombstone()) {
                    delete(e.key());
                } else {
                    put(e.key(), e.value());
                }
            }
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            return EntryIterator.of(range(from, to).entrySet().stream()
                    .map(e -> Entry.put(e.getKey(), e.getValue()))
                    .toList()
                    .iterator());
        }

        @Override
        public EntryIterator scanReverse(Bytes from, Bytes to) {
            return EntryIterator.of(range(from, to).descendingMap().entrySet().stream()
                    .map(e -> Entry.put(e.getKey(), e.getValue()))
                    .toList()
                    .iterator());
        }

        private NavigableMap<Bytes, Bytes> range(Bytes from, Bytes to) {
            NavigableMap<Bytes, Bytes> m = map;
            if (from != null) {
                m = m.tailMap(from, true);
            }
            if (to != null) {
                m = m.headMap(to, false);
            }
            return m;
        }

        @Override
        public void sync() {}

        @Override
        public void close() {}
    }

    /** The orders table with rows {@code 0 .. n-1} in a fresh memory store. */
    public static Table ordersTable(int n) throws java.io.IOException {
        Table t = Table.open(new MemoryStore(), ORDERS);
        List<Row> rows = new ArrayList<>();
        for (long id = 0; id < n; id++) {
            rows.add(order(id));
            if (rows.size() == 1000) {
                t.putAll(rows);
                rows.clear();
            }
        }
        t.putAll(rows);
        return t;
    }

    /** {@code n} values drawn from a Zipf-like skew over {@code 1..distinct} (value {@code k} with weight {@code 1/k}). */
    public static double[] zipf(int n, int distinct, long seed) {
        double[] cdf = new double[distinct];
        double sum = 0;
        for (int k = 1; k <= distinct; k++) {
            sum += 1.0 / k;
            cdf[k - 1] = sum;
        }
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble() * sum;
            int lo = java.util.Arrays.binarySearch(cdf, u);
            v[i] = (lo >= 0 ? lo : -lo - 1) + 1;
        }
        return v;
    }

    /** The rows of {@code rows} that satisfy {@code q}, by primary key (the model's answer). */
    public static List<Row> filter(Schema schema, List<Row> rows, Query q) {
        return rows.stream()
                .filter(r -> q.matches(schema, r))
                .sorted(byPk(schema))
                .toList();
    }

    public static java.util.Comparator<Row> byPk(Schema schema) {
        int pk = schema.indexOf(schema.primaryKey());
        return (a, b) -> Predicate.compare(a.get(pk), b.get(pk));
    }

    /** {@code rows} sorted by primary key. */
    public static List<Row> sorted(Schema schema, List<Row> rows) {
        return rows.stream().sorted(byPk(schema)).toList();
    }
}
