package dev.storagelab.hybrid.query.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.query.Column;
import dev.storagelab.hybrid.query.Plan;
import dev.storagelab.hybrid.query.Planner;
import dev.storagelab.hybrid.query.Predicate;
import dev.storagelab.hybrid.query.Query;
import dev.storagelab.hybrid.query.QueryFixtures;
import dev.storagelab.hybrid.query.QueryFixtures.MemoryStore;
import dev.storagelab.hybrid.query.Row;
import dev.storagelab.hybrid.query.RowFormat;
import dev.storagelab.hybrid.query.Schema;
import dev.storagelab.hybrid.query.Table;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the index range scan and of plans end to end (lab-07 T11): a jqwik model of a
 * table with a string primary key, every plan against a filter of the model; indexes after updates
 * and deletes; strings that tempt a wrong encoding; stale index entries; the table over the
 * student's {@code HybridStore}, keys moving between its engines.
 */
@Tag("hidden")
class QueryHiddenTest {

    /** skus(sku string pk, qty long indexed, shop string indexed, price long). */
    static final Schema SKUS = new Schema(
            "skus",
            List.of(Column.ofString("sku"), Column.ofLong("qty"), Column.ofString("shop"), Column.ofLong("price")),
            "sku",
            List.of("qty", "shop"));

    static final List<String> STRINGS =
            List.of("", "a", "a\u0000", "a\u0000\u0000", "a\u0001", "ab", "b", "\u00ff", "\u00e9", "\uD83D\uDE00");

    record Op(int kind, String sku, long qty, String shop, long price) {}

    @Provide
    Arbitrary<Op> op() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.of(STRINGS),
                        Arbitraries.longs().between(-4, 4),
                        Arbitraries.of(STRINGS),
                        Arbitraries.longs().between(Long.MIN_VALUE, Long.MAX_VALUE))
                .as(Op::new);
    }

    @Provide
    Arbitrary<Predicate> predicate() {
        return Arbitraries.of("sku", "qty", "shop", "price").flatMap(c -> {
            Arbitrary<Object> v = c.equals("qty")
                    ? Arbitraries.longs().between(-5, 5).map(x -> (Object) x)
                    : c.equals("price")
                            ? Arbitraries.longs().map(x -> (Object) x)
                            : Arbitraries.of(STRINGS).map(x -> (Object) x);
            return Combinators.combine(
                            Arbitraries.integers().between(0, 3),
                            v,
                            Arbitraries.of(true, false),
                            v,
                            Arbitraries.of(true, false))
                    .as((shape, lo, li, hi, hin) -> switch (shape) {
                        case 0 -> Predicate.eq(c, lo);
                        case 1 -> new Predicate(c, lo, li, null, false);
                        case 2 -> new Predicate(c, null, false, hi, hin);
                        default -> new Predicate(c, lo, li, hi, hin);
                    });
        });
    }

    private static Comparator<Row> byPk() {
        return (a, b) -> Predicate.compare(a.get(0), b.get(0));
    }

    private static List<Row> sorted(List<Row> rows) {
        return rows.stream().sorted(byPk()).toList();
    }

    @Property(tries = 200)
    @Graded(
            task = "T11",
            points = 5,
            concept = "a plan returns other rows than a filter of every row (random rows inserted, updated and "
                    + "deleted, random conjunctions of equalities and ranges, a string primary key): the index range scan's key range, "
                    + "its row lookups or the planner's plans are wrong")
    void everyPlanAgreesWithTheModel(
            @ForAll @Size(max = 80) List<@From("op") Op> ops,
            @ForAll @Size(min = 1, max = 4) List<@From("predicate") Predicate> predicates)
            throws IOException {
        Table table = Table.open(new MemoryStore(), SKUS);
        Map<String, Row> model = new TreeMap<>();
        for (Op op : ops) {
            if (op.kind() == 0) {
                table.delete(op.sku());
                model.remove(op.sku());
            } else {
                Row row = Row.of(op.sku(), op.qty(), op.shop(), op.price());
                table.put(row);
                model.put(op.sku(), row);
            }
        }
        Planner planner = new Planner(table, table.analyze(3), QueryFixtures.roundCosts());
        Query q = new Query("skus", predicates);
        List<Row> expected =
                sorted(model.values().stream().filter(r -> q.matches(SKUS, r)).toList());
        for (Plan plan : planner.explain(q).plans()) {
            assertThat(q + " by " + plan, sorted(planner.execute(q, plan)), equalTo(expected));
        }
        assertThat(q + " by the chosen plan", sorted(planner.execute(q)), equalTo(expected));
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "after updates and deletes an index range scan returns a deleted row, an old value's row, a "
                    + "row twice, or not in index order (value, then primary key)")
    void indexScansAfterUpdatesAndDeletesReturnTheLiveRowsInIndexOrder() throws IOException {
        Table t = Table.open(new MemoryStore(), SKUS);
        Map<String, Row> model = new TreeMap<>();
        Random r = new Random(4);
        for (int i = 0; i < 4_000; i++) {
            String sku = "s" + r.nextInt(300);
            if (r.nextInt(3) == 0) {
                t.delete(sku);
                model.remove(sku);
            } else {
                Row row = Row.of(sku, (long) r.nextInt(50) - 25, STRINGS.get(r.nextInt(STRINGS.size())), (long) i);
                t.put(row);
                model.put(sku, row);
            }
        }
        Comparator<Row> byQty =
                Comparator.<Row, Long>comparing(x -> (Long) x.get(1)).thenComparing(byPk());
        Comparator<Row> byShop = Comparator.<Row, Object>comparing(x -> x.get(2), Predicate::compare)
                .thenComparing(byPk());
        for (long lo = -26; lo <= 26; lo += 4) {
            long from = lo;
            List<Row> expected = model.values().stream()
                    .filter(x -> (Long) x.get(1) >= from && (Long) x.get(1) <= from + 6)
                    .sorted(byQty)
                    .toList();
            assertThat(
                    "qty in [" + lo + ", " + (lo + 6) + "]",
                    t.indexScan("qty", Predicate.between("qty", lo, lo + 6)),
                    equalTo(expected));
        }
        assertThat(
                "the whole shop index",
                t.indexScan("shop", Predicate.greater("shop", "", true)),
                equalTo(model.values().stream().sorted(byShop).toList()));
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "string index ranges go wrong on values with zero bytes, prefixes of each other, non-ASCII "
                    + "UTF-8 or exclusive ends (the index's byte order is not the strings' UTF-8 order)")
    void stringRangesHonourTheByteOrderOfUtf8() throws IOException {
        Table t = Table.open(new MemoryStore(), SKUS);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < STRINGS.size() * 3; i++) {
            Row row = Row.of("k" + i, (long) i, STRINGS.get(i % STRINGS.size()), 0L);
            rows.add(row);
        }
        t.putAll(rows);
        for (String lo : STRINGS) {
            for (String hi : STRINGS) {
                for (int ends = 0; ends < 4; ends++) {
                    Predicate p = new Predicate("shop", lo, (ends & 1) != 0, hi, (ends & 2) != 0);
                    List<Row> expected = sorted(
                            rows.stream().filter(x -> p.matches(x.get(2))).toList());
                    assertThat(p.toString(), sorted(t.indexScan("shop", p)), equalTo(expected));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T11",
            points = 2,
            concept = "the index range scan trusts a stale index entry (its row gone, or the row's value no longer in "
                    + "the range) instead of letting the row decide")
    void staleIndexEntriesAreSkipped() throws IOException {
        MemoryStore store = new MemoryStore();
        Table t = Table.open(store, SKUS);
        t.put(Row.of("x", 5L, "eu", 1L));
        t.put(Row.of("y", 6L, "eu", 2L));
        // what a store without atomic batches can hold after a crash: an entry without its row, and a row moved on
        store.put(t.keys().indexKey("qty", 5L, "gone"), Bytes.EMPTY);
        store.put(t.keys().rowKey("y"), RowFormat.encode(Row.of("y", 60L, "eu", 2L)));
        assertThat(t.indexScan("qty", Predicate.between("qty", 0L, 10L)), equalTo(List.of(Row.of("x", 5L, "eu", 1L))));
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "the table over the hybrid store: plans disagree with the model while keys move between the "
                    + "B+tree and the LSM tree, or after a reopen")
    void onTheHybridStoreAcrossMovesAndAReopen() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(9);
        FakeTicker ticker = new FakeTicker();
        Map<String, Row> model = new TreeMap<>();
        Random r = new Random(9);
        List<Query> queries = List.of(
                Query.of("skus", Predicate.between("qty", -3L, 2L)),
                Query.of("skus", Predicate.eq("shop", "ab"), Predicate.greater("qty", 0L, false)),
                Query.of("skus", Predicate.less("sku", "s2", false), Predicate.eq("shop", "a\u0000")),
                Query.of("skus", Predicate.eq("sku", "s17")));
        for (int round = 0; round < 2; round++) {
            try (HybridStore store =
                    Hybrids.open(storage, Hybrids.options(ticker).build())) {
                Table t = Table.open(store, SKUS);
                for (int i = 0; i < 600; i++) {
                    String sku = "s" + r.nextInt(120);
                    if (r.nextInt(5) == 0) {
                        t.delete(sku);
                        model.remove(sku);
                    } else {
                        Row row =
                                Row.of(sku, (long) r.nextInt(12) - 6, STRINGS.get(r.nextInt(STRINGS.size())), (long) i);
                        t.put(row);
                        model.put(sku, row);
                    }
                    if (i % 50 == 0) {
                        for (int k = 0; k < 5; k++) {
                            t.get("s" + r.nextInt(120)); // read keys often enough to move them HOT
                        }
                        store.runMaintenance();
                    }
                }
                Planner planner = new Planner(t, t.analyze(8), QueryFixtures.roundCosts());
                for (Query q : queries) {
                    List<Row> expected = sorted(model.values().stream()
                            .filter(x -> q.matches(SKUS, x))
                            .toList());
                    for (Plan plan : planner.explain(q).plans()) {
                        assertThat(
                                "round " + round + ": " + q + " by " + plan,
                                sorted(planner.execute(q, plan)),
                                equalTo(expected));
                    }
                }
            }
        }
    }
}
