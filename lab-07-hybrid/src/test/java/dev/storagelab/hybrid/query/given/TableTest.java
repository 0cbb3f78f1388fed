package dev.storagelab.hybrid.query.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.query.QueryFixtures;
import dev.storagelab.hybrid.query.QueryFixtures.MemoryStore;
import dev.storagelab.hybrid.query.Row;
import dev.storagelab.hybrid.query.Schema;
import dev.storagelab.hybrid.query.Table;
import dev.storagelab.hybrid.query.TableKeys;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Given code of T11: the table keeps its indexes consistent, each write one batch. */
class TableTest {

    /** The index entries a model of the rows says the store must hold, and nothing else under the table. */
    private static TreeSet<Bytes> expectedKeys(Schema s, TableKeys keys, Map<Long, Row> model) {
        TreeSet<Bytes> out = new TreeSet<>();
        for (Row r : model.values()) {
            out.add(keys.rowKey(r.get(0)));
            for (String c : s.indexed()) {
                out.add(keys.indexKey(c, r.get(s, c), r.get(0)));
            }
        }
        return out;
    }

    @Test
    void indexesStayConsistentThroughInsertsUpdatesAndDeletes() throws IOException {
        MemoryStore store = new MemoryStore();
        Table t = Table.open(store, QueryFixtures.ORDERS);
        Map<Long, Row> model = new TreeMap<>();
        Random r = new Random(11);
        for (int i = 0; i < 3_000; i++) {
            long id = r.nextInt(200);
            if (r.nextInt(4) == 0) {
                assertThat(t.delete(id), equalTo(model.remove(id) != null));
            } else {
                Row row = Row.of(id, (long) r.nextInt(20), QueryFixtures.REGIONS.get(r.nextInt(4)), "n" + i);
                t.put(row);
                model.put(id, row);
            }
            if (i % 500 == 0 || i == 2_999) {
                assertThat(
                        "after " + (i + 1) + " writes",
                        new TreeSet<>(store.map.keySet()),
                        equalTo(expectedKeys(QueryFixtures.ORDERS, t.keys(), model)));
            }
        }
        for (Map.Entry<Long, Row> e : model.entrySet()) {
            assertThat(t.get(e.getKey()).orElseThrow(), equalTo(e.getValue()));
        }
    }

    @Test
    void anUpdateIsOneBatchThatMovesOnlyTheChangedIndexEntries() throws IOException {
        List<List<Entry>> batches = new java.util.ArrayList<>();
        MemoryStore store = new MemoryStore() {
            @Override
            public void write(List<Entry> ops) {
                batches.add(ops);
                super.write(ops);
            }
        };
        Table t = Table.open(store, QueryFixtures.ORDERS);
        t.put(Row.of(1L, 10L, "eu", "x"));
        t.put(Row.of(1L, 11L, "eu", "y"));
        assertThat("two writes, two batches", batches.size(), equalTo(2));
        TableKeys k = t.keys();
        assertThat(
                batches.get(1),
                equalTo(List.of(
                        Entry.tombstone(k.indexKey("price", 10L, 1L)),
                        Entry.put(k.indexKey("price", 11L, 1L), Bytes.EMPTY),
                        Entry.put(
                                k.rowKey(1L),
                                dev.storagelab.hybrid.query.RowFormat.encode(Row.of(1L, 11L, "eu", "y"))))));
    }

    @Test
    void rowsOfTheWrongShapeAreRejected() throws IOException {
        Table t = Table.open(new MemoryStore(), QueryFixtures.ORDERS);
        assertThrows(IllegalArgumentException.class, () -> t.put(Row.of(1L, "ten", "eu", "x")));
        assertThrows(IllegalArgumentException.class, () -> t.put(Row.of(1L, 10L, "eu")));
        assertThrows(IllegalArgumentException.class, () -> t.get("1"));
    }
}
