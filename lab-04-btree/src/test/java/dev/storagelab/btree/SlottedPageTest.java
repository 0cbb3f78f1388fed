package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.b;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-04 T1: {@link SlottedPage#search}, {@link SlottedPage#allocateCell},
 * {@link SlottedPage#remove} and {@link SlottedPage#compact}. A node page keeps a sorted array of
 * 2-byte slots right after its 48-byte header and the cells themselves at the end of the page,
 * growing down; {@code insertLeaf} and {@code insertInternal} (given) carve a cell with
 * {@code allocateCell} and write its bytes. Removing a cell leaves a hole that counts as
 * fragmented until {@code compact} squeezes the cells together again.
 *
 * <p>The pages here are 512 bytes (464 bytes for slots and cells). The oracle for the random test
 * is a {@link TreeMap}; keys include bytes above 0x7f, which sort after 0x7f (unsigned order).
 */
class SlottedPageTest {

    private static final int PAGE_SIZE = 512;
    private static final int CAPACITY = PageFormat.capacity(PAGE_SIZE);

    private static SlottedPage emptyLeaf() {
        return new SlottedPage(new byte[PAGE_SIZE]).init(PageFormat.TYPE_LEAF, 7);
    }

    /** Inserts {@code key -> value} where search says it belongs; the key must be absent. */
    private static boolean insert(SlottedPage page, Bytes key, Bytes value) {
        int i = page.search(key);
        assertThat(
                "search(" + key + ") on " + page + " before inserting it: the key is absent, so the result is"
                        + " -(insertion point) - 1, a negative number",
                i,
                lessThan(0));
        return page.insertLeaf(-i - 1, key, value);
    }

    private static List<Bytes> keys(SlottedPage page) {
        List<Bytes> keys = new ArrayList<>();
        for (int i = 0; i < page.cellCount(); i++) {
            keys.add(page.key(i));
        }
        return keys;
    }

    /** Slots plus cells, as the page should account for them. */
    private static int expectedUsedBytes(SlottedPage page) {
        int used = 0;
        for (int i = 0; i < page.cellCount(); i++) {
            used += page.cellSize(i) + PageFormat.SLOT_SIZE;
        }
        return used;
    }

    @Test
    void replaceValueOverwritesAValueOfTheSameLengthWhereItLiesAndRefusesAnotherLength() {
        SlottedPage page = emptyLeaf();
        insert(page, Bytes.of("a"), Bytes.of("one"));
        insert(page, Bytes.of("b"), Bytes.of("two"));
        int free = page.freeBytes();
        int cell = page.cellOffset(0);
        page.replaceValue(0, Bytes.of("ONE"));
        assertThat(page.value(0), is(Bytes.of("ONE")));
        assertThat("the cell did not move", page.cellOffset(0), is(cell));
        assertThat("the free space did not change", page.freeBytes(), is(free));
        assertThat("the other cell is untouched", page.value(1), is(Bytes.of("two")));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> page.replaceValue(1, Bytes.of("three")));
        assertThat("a refused replacement changes nothing", page.value(1), is(Bytes.of("two")));
    }

    @Test
    void searchFindsPresentKeysAndTheInsertionPointOfAbsentOnes() {
        SlottedPage page = emptyLeaf();
        assertThat("search on an empty page: insertion point 0, so -(0) - 1", page.search(b("m")), is(-1));
        for (String k : new String[] {"d", "b", "f", "h"}) {
            insert(page, b(k), b("v" + k));
        }
        assertThat(
                "inserting at the insertion points keeps the slots in key order",
                keys(page),
                equalTo(List.of(b("b"), b("d"), b("f"), b("h"))));
        assertThat("search(\"b\") finds the first cell", page.search(b("b")), is(0));
        assertThat("search(\"h\") finds the last cell", page.search(b("h")), is(3));
        assertThat("search(\"f\") finds cell 2", page.search(b("f")), is(2));
        assertThat(
                "\"a\" is absent and belongs before \"b\": insertion point 0, result -1", page.search(b("a")), is(-1));
        assertThat("\"c\" is absent and belongs at index 1: result -2", page.search(b("c")), is(-2));
        assertThat("\"e\" is absent and belongs at index 2: result -3", page.search(b("e")), is(-3));
        assertThat(
                "\"z\" is absent and greater than every key: insertion point cellCount() = 4, result -5",
                page.search(b("z")),
                is(-5));
        assertThat("\"dd\" is longer than \"d\" and so after it: insertion point 2", page.search(b("dd")), is(-3));
        assertThat("\"\" (empty) sorts before every key", page.search(Bytes.EMPTY), is(-1));
    }

    @Test
    void searchAgreesWithArraysBinarySearchOnAFullPage() {
        SlottedPage page = emptyLeaf();
        List<Bytes> sorted = new ArrayList<>();
        for (int i = 0; page.fits(PageFormat.leafCellSize(3, 1)); i += 2) {
            Bytes key = b(String.format("%03d", i));
            assertThat(
                    "inserting " + key + " into " + page + ", which still fits a cell of its size",
                    insert(page, key, b("v")),
                    is(true));
            sorted.add(key);
        }
        for (int i = 0; i <= sorted.size() * 2 + 1; i++) {
            Bytes key = b(String.format("%03d", i)); // even: present; odd or past the end: absent
            int expected = Collections.binarySearch(sorted, key);
            assertThat(
                    "search(" + key + ") over the " + sorted.size() + " keys 000, 002, 004, ...: the"
                            + " Arrays.binarySearch convention",
                    page.search(key),
                    is(expected));
        }
    }

    @Test
    void theTreesSearchThatLooksAtTheLastKeyFirstPlacesEveryKeyAsSearchDoes() {
        SlottedPage page = emptyLeaf();
        assertThat("an empty page", BPlusTree.searchPage(page, b("5")), is(-1));
        List<Bytes> sorted = new ArrayList<>();
        for (int i = 10; i < 40; i += 2) {
            Bytes key = b(String.format("%03d", i));
            insert(page, key, b("v"));
            sorted.add(key);
        }
        for (int i = 0; i < 50; i++) {
            Bytes key = b(String.format("%03d", i)); // below the first, between, equal to the last, past it
            assertThat(
                    "searchPage(" + key + ") over the keys 010, 012, ..., 038",
                    BPlusTree.searchPage(page, key),
                    is(Collections.binarySearch(sorted, key)));
        }
    }

    @Test
    void keysAreOrderedAsUnsignedBytes() {
        SlottedPage page = emptyLeaf();
        byte[][] raw = {{(byte) 0xff}, {0x01}, {(byte) 0x80}, {0x7f}, {(byte) 0x80, 0x00}, {0x00}};
        for (byte[] k : raw) {
            insert(page, Bytes.wrap(k), b("v"));
        }
        List<Bytes> expected = List.of(
                Bytes.wrap(new byte[] {0x00}),
                Bytes.wrap(new byte[] {0x01}),
                Bytes.wrap(new byte[] {0x7f}),
                Bytes.wrap(new byte[] {(byte) 0x80}),
                Bytes.wrap(new byte[] {(byte) 0x80, 0x00}),
                Bytes.wrap(new byte[] {(byte) 0xff}));
        assertThat(
                "keys compare as unsigned bytes (0x80 and 0xff are after 0x7f, not negative): compare with"
                        + " Bytes.compareTo, never with signed byte arithmetic",
                keys(page),
                equalTo(expected));
        assertThat("search(0xff) finds the last cell", page.search(Bytes.wrap(new byte[] {(byte) 0xff})), is(5));
        assertThat(
                "search(0x90) is absent, between 0x80 0x00 and 0xff: insertion point 5",
                page.search(Bytes.wrap(new byte[] {(byte) 0x90})),
                is(-6));
    }

    @Test
    void allocateCellCarvesCellsFromTheEndOfThePageAndShiftsTheSlots() {
        SlottedPage page = emptyLeaf();
        assertThat("an empty page has all of its capacity free", page.freeBytes(), is(CAPACITY));
        int first = page.allocateCell(0, 20);
        assertThat("the first cell takes the last 20 bytes of the page", first, is(PAGE_SIZE - 20));
        int second = page.allocateCell(0, 30);
        assertThat("the second cell sits right below the first", second, is(PAGE_SIZE - 50));
        int third = page.allocateCell(1, 10);
        assertThat("the third cell sits right below the second", third, is(PAGE_SIZE - 60));
        assertThat("three cells", page.cellCount(), is(3));
        assertThat("slot 0 holds the cell allocated at index 0 last (the second one)", page.cellOffset(0), is(second));
        assertThat("slot 1 holds the cell allocated at index 1", page.cellOffset(1), is(third));
        assertThat(
                "slot 2 holds the first cell, shifted up by the two allocations before it",
                page.cellOffset(2),
                is(first));
        assertThat("used bytes: 60 bytes of cells and 3 slots of 2 bytes", page.usedBytes(), is(66));
        assertThat("free bytes: the capacity minus what is used", page.freeBytes(), is(CAPACITY - 66));
    }

    @Test
    void insertedCellsReadBackInKeyOrderWithTheirValues() {
        SlottedPage page = emptyLeaf();
        Random random = new Random(41);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        while (true) {
            Bytes key = b("k" + random.nextInt(1000));
            Bytes value = b("v".repeat(random.nextInt(12)));
            if (model.containsKey(key)) {
                continue;
            }
            if (!page.fits(PageFormat.leafCellSize(key.length(), value.length()))) {
                break;
            }
            assertThat(
                    "insertLeaf of " + key + " into " + page + ", which fits it", insert(page, key, value), is(true));
            model.put(key, value);
        }
        assertThat("the page holds every key inserted", page.cellCount(), is(model.size()));
        int i = 0;
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
            assertThat("cell " + i + " holds the " + i + "-th smallest key", page.key(i), equalTo(e.getKey()));
            assertThat("cell " + i + "'s value", page.value(i), equalTo(e.getValue()));
            i++;
        }
        assertThat("used bytes are the slots and the cells", page.usedBytes(), is(expectedUsedBytes(page)));
    }

    @Test
    void internalCellsKeepTheirChildren() {
        SlottedPage page = new SlottedPage(new byte[PAGE_SIZE]).init(PageFormat.TYPE_INTERNAL, 3);
        page.setLeftmostChild(100);
        for (String k : new String[] {"m", "c", "t"}) {
            int i = page.search(b(k));
            assertThat("search(" + k + ") on " + page + ": absent", i, lessThan(0));
            assertThat("insertInternal(" + k + ")", page.insertInternal(-i - 1, b(k), 200 + k.charAt(0)), is(true));
        }
        assertThat("separators in key order", keys(page), equalTo(List.of(b("c"), b("m"), b("t"))));
        assertThat("childAt(-1) is the leftmost child, kept in the header", page.childAt(-1), is(100L));
        assertThat("cell 0's child", page.child(0), is(200L + 'c'));
        assertThat("cell 1's child", page.child(1), is(200L + 'm'));
        assertThat("cell 2's child", page.child(2), is(200L + 't'));
        page.remove(1);
        assertThat("removing cell 1 shifts the slots after it down", keys(page), equalTo(List.of(b("c"), b("t"))));
        assertThat("the cell that moved down keeps its child", page.child(1), is(200L + 't'));
    }

    @Test
    void removeShiftsTheSlotsDownAndCountsTheHole() {
        SlottedPage page = emptyLeaf();
        for (String k : new String[] {"a", "b", "c", "d"}) {
            insert(page, b(k), b("value-" + k));
        }
        int used = page.usedBytes();
        int start = page.cellStart();
        int sizeOfB = page.cellSize(1);
        page.remove(1); // "b": not the lowest cell ("d" was inserted last, so it is)
        assertThat(
                "after removing \"b\", the others keep their order",
                keys(page),
                equalTo(List.of(b("a"), b("c"), b("d"))));
        assertThat("\"c\" moved to slot 1 and keeps its value", page.value(1), equalTo(b("value-c")));
        assertThat(
                "a removed cell in the middle of the cell area is a hole: fragmented grows by its size",
                page.fragmented(),
                is(sizeOfB));
        assertThat(
                "the cell start does not move when the cell removed is not the lowest one",
                page.cellStart(),
                is(start));
        assertThat(
                "used bytes drop by the cell and its slot",
                page.usedBytes(),
                is(used - sizeOfB - PageFormat.SLOT_SIZE));

        int lowest = page.search(b("d"));
        int sizeOfD = page.cellSize(lowest);
        page.remove(lowest);
        assertThat(
                "removing the lowest cell (the one at the cell start) moves the cell start up past it instead"
                        + " of making a hole",
                page.cellStart(),
                is(start + sizeOfD));
        assertThat("so fragmented does not change", page.fragmented(), is(sizeOfB));
        assertThat("\"d\" is gone, \"a\" and \"c\" stay", keys(page), equalTo(List.of(b("a"), b("c"))));
        assertThat("used bytes are always the live slots and cells", page.usedBytes(), is(expectedUsedBytes(page)));
    }

    @Test
    void compactSqueezesOutTheHolesAndKeepsEveryCell() {
        SlottedPage page = emptyLeaf();
        List<Bytes> all = new ArrayList<>();
        for (int i = 0; page.fits(PageFormat.leafCellSize(4, 10)); i++) {
            Bytes key = b(String.format("k%03d", i));
            insert(page, key, b(String.format("value-%04d", i)));
            all.add(key);
        }
        for (int i = all.size() - 2; i >= 0; i -= 2) {
            page.remove(page.search(all.get(i)));
        }
        int free = page.freeBytes();
        assertThat("removing every other cell leaves holes", page.fragmented(), greaterThan(0));
        List<Bytes> keysBefore = keys(page);
        page.compact();
        assertThat("after compact() there are no holes", page.fragmented(), is(0));
        assertThat("compaction moves bytes, it does not free or use any", page.freeBytes(), is(free));
        assertThat(
                "the cells are contiguous at the end of the page: the cell start is the page size minus the"
                        + " cells' bytes",
                page.cellStart(),
                is(PAGE_SIZE - (page.usedBytes() - PageFormat.SLOT_SIZE * page.cellCount())));
        assertThat("slot order (key order) does not change", keys(page), equalTo(keysBefore));
        for (int i = 0; i < page.cellCount(); i++) {
            int n = Integer.parseInt(page.key(i).toUtf8().substring(1));
            assertThat(
                    "the value of " + page.key(i) + " moved with its key",
                    page.value(i),
                    equalTo(b(String.format("value-%04d", n))));
        }
    }

    @Test
    void aCellThatFitsOnlyAfterCompactionIsAllocatedByCompacting() {
        SlottedPage page = emptyLeaf();
        for (int i = 0; page.fits(PageFormat.leafCellSize(4, 20)); i++) {
            insert(page, b(String.format("k%03d", i)), b("x".repeat(20)));
        }
        // The first cells inserted are the highest in the page: removing them makes holes, not gap.
        page.remove(page.search(b("k000")));
        page.remove(page.search(b("k001")));
        page.remove(page.search(b("k002")));
        Bytes big = b("y".repeat(60));
        int cell = PageFormat.leafCellSize(4, big.length());
        int gap = page.cellStart() - (PageFormat.HEADER_SIZE + PageFormat.SLOT_SIZE * page.cellCount());
        assertThat(
                "(test setup) the gap between slots and cells is too small for the new cell",
                gap,
                lessThan(cell + PageFormat.SLOT_SIZE));
        assertThat("(test setup) the holes make room for it", page.fits(cell), is(true));
        List<Bytes> before = keys(page);
        assertThat(
                "insertLeaf of a " + cell + "-byte cell into " + page + " succeeds: allocateCell compacts the page"
                        + " when the gap is too small but the free bytes are enough",
                insert(page, b("k500"), big),
                is(true));
        List<Bytes> expected = new ArrayList<>(before);
        expected.add(b("k500"));
        assertThat("every cell survives the compaction", keys(page), equalTo(expected));
        assertThat("the new cell's value", page.value(page.cellCount() - 1), equalTo(big));
        for (int i = 0; i < page.cellCount() - 1; i++) {
            assertThat("the value of " + page.key(i) + " after compaction", page.value(i), equalTo(b("x".repeat(20))));
        }
        assertThat("used bytes are the live slots and cells", page.usedBytes(), is(expectedUsedBytes(page)));
    }

    @Test
    void aFullPageRefusesACellAndDoesNotChange() {
        SlottedPage page = emptyLeaf();
        int i = 0;
        while (insert(page, b(String.format("k%03d", i)), b("0123456789"))) {
            i++;
        }
        assertThat("(test setup) the page filled up", i, greaterThan(10));
        byte[] before = page.bytes().clone();
        assertThat(
                "a page with " + page.freeBytes() + " free bytes cannot take another cell of "
                        + PageFormat.leafCellSize(4, 10) + " + 2 bytes",
                page.fits(PageFormat.leafCellSize(4, 10)),
                is(false));
        assertThat(
                "insertLeaf on a full page returns false", page.insertLeaf(0, b("a000"), b("0123456789")), is(false));
        assertThat(
                "allocateCell on a full page returns -1", page.allocateCell(3, PageFormat.leafCellSize(4, 10)), is(-1));
        assertThat(
                "a refused cell changes no byte of the page (no slot shifted, no count or cell start changed),"
                        + " so the caller can split the page as it was",
                Arrays.equals(page.bytes(), before),
                is(true));
        SlottedPage small = emptyLeaf();
        assertThat(
                "a cell that fits exactly is taken: free bytes == cell + slot",
                small.allocateCell(0, CAPACITY - PageFormat.SLOT_SIZE),
                is(PageFormat.HEADER_SIZE + PageFormat.SLOT_SIZE));
        assertThat("now the page is full", small.freeBytes(), is(0));
    }

    @Test
    void randomInsertsAndRemovesMatchATreeMap() {
        Random random = new Random(404);
        byte[] alphabet = {'a', 'b', 'z', 0x00, 0x7f, (byte) 0x80, (byte) 0xff};
        SlottedPage page = emptyLeaf();
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        for (int op = 0; op < 3000; op++) {
            if (random.nextInt(100) < 60 || model.isEmpty()) {
                byte[] k = new byte[1 + random.nextInt(6)];
                for (int j = 0; j < k.length; j++) {
                    k[j] = alphabet[random.nextInt(alphabet.length)];
                }
                Bytes key = Bytes.wrap(k);
                Bytes value = b("v".repeat(random.nextInt(25)));
                int i = page.search(key);
                int expected = Collections.binarySearch(new ArrayList<>(model.keySet()), key);
                assertThat("op " + op + ": search(" + key + ") on a page holding " + model.keySet(), i, is(expected));
                if (i >= 0) {
                    continue;
                }
                boolean fits = page.fits(PageFormat.leafCellSize(key.length(), value.length()));
                assertThat(
                        "op " + op + ": insertLeaf(" + key + ") succeeds exactly when fits() says the cell fits",
                        page.insertLeaf(-i - 1, key, value),
                        is(fits));
                if (fits) {
                    model.put(key, value);
                }
            } else {
                int i = random.nextInt(model.size());
                Bytes key = page.key(i);
                page.remove(i);
                model.remove(key);
            }
            if (op % 500 == 499) {
                page.compact();
                assertThat("op " + op + ": compact() leaves no holes", page.fragmented(), is(0));
            }
            assertThat(
                    "op " + op + ": the page's keys in slot order",
                    keys(page),
                    equalTo(new ArrayList<>(model.keySet())));
            assertThat(
                    "op " + op + ": used bytes are exactly the live slots and cells (a remove must count its hole"
                            + " as free, an allocation must not lose bytes)",
                    page.usedBytes(),
                    is(expectedUsedBytes(page)));
        }
        int i = 0;
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
            assertThat("value of " + e.getKey(), page.value(i++), equalTo(e.getValue()));
        }
    }
}
