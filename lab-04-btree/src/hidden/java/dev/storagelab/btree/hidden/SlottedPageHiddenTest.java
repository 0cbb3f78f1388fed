package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.btree.PageFormat;
import dev.storagelab.btree.SlottedPage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;

/**
 * Hidden tests of the slotted page (lab-04 T1): random inserts, removes and compactions of leaf
 * and internal cells of mixed sizes on one page, against a {@link TreeMap}, with the page's
 * accounting checked after every step: cells in key order with their values and children,
 * {@code search} on present and absent keys, and used plus free bytes equal to the capacity, with
 * {@code fits} deciding exactly whether an insert succeeds (fragmented space included).
 */
@Tag("hidden")
class SlottedPageHiddenTest {

    /** One step: insert (key, size) or remove the n-th cell or compact. {@code toString} is what jqwik shows. */
    record PageOp(int kind, int key, int size) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "insert(" + key + ", " + size + ")";
                case 1 -> "remove(#" + key + ")";
                default -> "compact";
            };
        }
    }

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T1",
            points = 3,
            concept = "slotted page loses, corrupts or misorders a cell after inserts, removes and "
                    + "compaction, or miscounts its free (fragmented) space")
    void aSlottedPageBehavesLikeASortedMap(@ForAll("pageOps") List<PageOp> ops, @ForAll boolean leaf) {
        int pageSize = 512;
        SlottedPage page =
                new SlottedPage(new byte[pageSize]).init(leaf ? PageFormat.TYPE_LEAF : PageFormat.TYPE_INTERNAL, 7);
        TreeMap<Bytes, Bytes> values = new TreeMap<>();
        TreeMap<Bytes, Long> children = new TreeMap<>();
        int capacity = PageFormat.capacity(pageSize);
        for (int step = 0; step < ops.size(); step++) {
            PageOp op = ops.get(step);
            String where = (leaf ? "leaf" : "internal") + " page, step " + step + " " + op;
            if (op.kind() == 0) {
                Bytes key = Bytes.of(String.format("%03d", op.key()) + "k".repeat(op.size() % 7));
                int slot = page.search(key);
                if (slot >= 0) {
                    continue;
                }
                int index = -slot - 1;
                assertThat(
                        where + ": search's insertion point",
                        index,
                        equalTo(values.headMap(key).size()));
                Bytes value = Trees.value(step, op.size());
                long child = 1000L + step;
                int cell = leaf
                        ? PageFormat.leafCellSize(key.length(), value.length())
                        : PageFormat.internalCellSize(key.length());
                boolean fits = page.fits(cell);
                assertThat(
                        where + ": fits(" + cell + ") is whether free bytes hold the cell and its slot",
                        fits,
                        equalTo(capacity - usedOf(values, children, leaf) >= cell + PageFormat.SLOT_SIZE));
                boolean inserted = leaf ? page.insertLeaf(index, key, value) : page.insertInternal(index, key, child);
                assertThat(
                        where + ": an insert succeeds exactly when the cell fits (after compaction if need be)",
                        inserted,
                        equalTo(fits));
                if (inserted) {
                    values.put(key, value);
                    children.put(key, child);
                }
            } else if (op.kind() == 1 && !values.isEmpty()) {
                int index = op.key() % values.size();
                Bytes key = new ArrayList<>(values.keySet()).get(index);
                page.remove(index);
                values.remove(key);
                children.remove(key);
            } else if (op.kind() == 2) {
                page.compact();
            }
            check(page, values, children, leaf, where);
        }
    }

    private static int usedOf(TreeMap<Bytes, Bytes> values, TreeMap<Bytes, Long> children, boolean leaf) {
        int used = 0;
        for (Map.Entry<Bytes, Bytes> e : values.entrySet()) {
            used += PageFormat.SLOT_SIZE
                    + (leaf
                            ? PageFormat.leafCellSize(
                                    e.getKey().length(), e.getValue().length())
                            : PageFormat.internalCellSize(e.getKey().length()));
        }
        return used;
    }

    private static void check(
            SlottedPage page, TreeMap<Bytes, Bytes> values, TreeMap<Bytes, Long> children, boolean leaf, String where) {
        assertThat(where + ": cellCount", page.cellCount(), equalTo(values.size()));
        int i = 0;
        for (Map.Entry<Bytes, Bytes> e : values.entrySet()) {
            assertThat(where + ": key of cell " + i, page.key(i), equalTo(e.getKey()));
            if (leaf) {
                assertThat(where + ": value of cell " + i, page.value(i), equalTo(e.getValue()));
            } else {
                assertThat(where + ": child of cell " + i, page.child(i), equalTo(children.get(e.getKey())));
            }
            assertThat(where + ": search(" + e.getKey() + ")", page.search(e.getKey()), equalTo(i));
            Bytes absent = Bytes.of(e.getKey().toUtf8() + "\u0000");
            if (!values.containsKey(absent)) {
                assertThat(
                        where + ": search(" + absent + ") (absent, just after cell " + i + ")",
                        page.search(absent),
                        equalTo(-(i + 1) - 1));
            }
            i++;
        }
        int used = usedOf(values, children, leaf);
        assertThat(where + ": usedBytes counts slots and live cells, not fragments", page.usedBytes(), equalTo(used));
        assertThat(
                where + ": freeBytes is the rest of the capacity, fragments included",
                page.freeBytes(),
                equalTo(PageFormat.capacity(512) - used));
        assertThat(where + ": the page's id survives every change", page.pageId(), equalTo(7L));
    }

    @Provide
    Arbitrary<List<PageOp>> pageOps() {
        Arbitrary<PageOp> insert = Combinators.combine(
                        Arbitraries.integers().between(0, 199),
                        Arbitraries.integers().between(0, 90))
                .as((k, s) -> new PageOp(0, k, s));
        Arbitrary<PageOp> remove = Arbitraries.integers().between(0, 50).map(n -> new PageOp(1, n, 0));
        Arbitrary<PageOp> compact = Arbitraries.just(new PageOp(2, 0, 0));
        return Arbitraries.frequencyOf(Tuple.of(6, insert), Tuple.of(4, remove), Tuple.of(1, compact))
                .list()
                .ofMaxSize(120);
    }
}
