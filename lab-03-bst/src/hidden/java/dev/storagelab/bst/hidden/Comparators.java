package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.function.Executable;

/**
 * Checks every map of the lab shares: keys the comparator calls equal are one key (compared with
 * a case-insensitive comparator against a TreeMap with the same one), and a null key is rejected
 * with a {@link NullPointerException} by every key-taking method, leaving the map as it was.
 */
final class Comparators {

    private Comparators() {}

    /**
     * Puts, gets and removes spellings of the same words in {@code map}, which must be ordered by
     * {@link String#CASE_INSENSITIVE_ORDER}, and compares each result with a TreeMap's.
     */
    static <M extends NavigableMap<String, String>> void checkCaseInsensitive(M map, Consumer<M> structure) {
        TreeMap<String, String> oracle = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String[][] puts = {
            {"b", "1"},
            {"A", "2"},
            {"a", "3"},
            {"B", "4"},
            {"cherry", "5"},
            {"CHERRY", "6"},
            {"Apple", "7"},
            {"APPLE", "8"},
            {"banana", "9"},
            {"Cherry", "10"}
        };
        List<String> steps = new ArrayList<>();
        for (String[] p : puts) {
            steps.add("put(" + p[0] + ", " + p[1] + ")");
            String expected = oracle.put(p[0], p[1]);
            assertThat(
                    "case-insensitive map after " + steps + ": put returns the old value of the key the comparator "
                            + "calls equal",
                    map.put(p[0], p[1]),
                    equalTo(expected));
            structure.accept(map);
            assertThat("case-insensitive map after " + steps + ": size()", map.size(), equalTo(oracle.size()));
        }
        for (String probe : List.of("a", "A", "b", "B", "apple", "aPPLE", "BANANA", "cherry", "d")) {
            assertThat(
                    "case-insensitive map after " + steps + ": get(" + probe + ")",
                    map.get(probe),
                    equalTo(oracle.get(probe)));
        }
        assertThat(
                "case-insensitive map after " + steps + ": the entries, in comparator order, each under the "
                        + "spelling that first inserted it",
                new ArrayList<>(snapshot(map).entrySet()),
                equalTo(new ArrayList<>(snapshot(oracle).entrySet())));
        assertThat("remove(BANANA) removes the key the comparator calls equal", map.remove("BANANA"), equalTo("9"));
        oracle.remove("BANANA");
        structure.accept(map);
        assertThat(
                "after remove(BANANA)",
                new ArrayList<>(snapshot(map).entrySet()),
                equalTo(new ArrayList<>(snapshot(oracle).entrySet())));
    }

    /**
     * Fills {@code map} with three keys, then checks that every method taking a key rejects null
     * with a NullPointerException and that the map is unchanged afterwards.
     */
    static <M extends NavigableMap<Integer, String>> void checkNullKeysRejected(M map, Consumer<M> structure) {
        for (int key : List.of(5, 2, 8)) {
            map.put(key, "v" + key);
        }
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("put(null, x)", () -> map.put(null, "x"));
        calls.put("get(null)", () -> map.get(null));
        calls.put("containsKey(null)", () -> map.containsKey(null));
        calls.put("remove(null)", () -> map.remove(null));
        calls.put("floorKey(null)", () -> map.floorKey(null));
        calls.put("ceilingEntry(null)", () -> map.ceilingEntry(null));
        calls.put("higherKey(null)", () -> map.higherKey(null));
        calls.put("lowerEntry(null)", () -> map.lowerEntry(null));
        calls.put("tailMap(null, true)", () -> map.tailMap(null, true));
        calls.put("subMap(null, true, 5, true)", () -> map.subMap(null, true, 5, true));
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            assertThrows(
                    NullPointerException.class,
                    call.getValue(),
                    call.getKey()
                            + ": an ordered map has no place for a null key, so it must throw NullPointerException");
        }
        structure.accept(map);
        assertThat(
                "after the rejected null-key calls the map must be unchanged",
                new ArrayList<>(snapshot(map).entrySet()),
                equalTo(List.of(Map.entry(2, "v2"), Map.entry(5, "v5"), Map.entry(8, "v8"))));
    }

    /** The map's entries as plain key-value pairs, in its iteration order. */
    private static <K, V> LinkedHashMap<K, V> snapshot(Map<K, V> map) {
        LinkedHashMap<K, V> out = new LinkedHashMap<>();
        for (Map.Entry<K, V> e : MapOp.nodes(map)) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
