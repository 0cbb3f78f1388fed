package dev.storagelab.bst.hidden;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * One step of a model-based map test. A step runs the same way on the map under test and on a
 * {@link java.util.TreeMap} oracle, and returns what it observed (a value, an entry, the entries an
 * iteration visited) so the two results can be compared. {@link #toString()} is what jqwik prints
 * for a shrunk failing sequence, so it stays short: {@code put(3, v1)}, {@code remove(3)},
 * {@code floor(4)}, {@code subMap[2, 9) desc}, {@code iterator.remove(key % 3 == 1) asc}.
 */
sealed interface MapOp {

    /** Runs this step on {@code map} and returns what it observed, comparable with {@code equals}. */
    Object run(NavigableMap<Integer, String> map);

    /** {@code put(key, value)}; observes the old value. */
    record Put(int key, String value) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return map.put(key, value);
        }

        @Override
        public String toString() {
            return "put(" + key + ", " + value + ")";
        }
    }

    /** {@code remove(key)}; observes the old value. */
    record Remove(int key) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return map.remove(key);
        }

        @Override
        public String toString() {
            return "remove(" + key + ")";
        }
    }

    /** {@code get(key)} and {@code containsKey(key)}. */
    record Get(int key) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return List.of(String.valueOf(map.get(key)), map.containsKey(key));
        }

        @Override
        public String toString() {
            return "get(" + key + ")";
        }
    }

    /** Which neighbour a {@link Navigate} step asks for. */
    enum Direction {
        FLOOR,
        CEILING,
        HIGHER,
        LOWER
    }

    /** {@code floorEntry}, {@code ceilingEntry}, {@code higherEntry} or {@code lowerEntry} of {@code key}. */
    record Navigate(Direction direction, int key) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return copy(
                    switch (direction) {
                        case FLOOR -> map.floorEntry(key);
                        case CEILING -> map.ceilingEntry(key);
                        case HIGHER -> map.higherEntry(key);
                        case LOWER -> map.lowerEntry(key);
                    });
        }

        @Override
        public String toString() {
            return direction.name().toLowerCase() + "(" + key + ")";
        }
    }

    /** {@code firstEntry()} and {@code lastEntry()}. */
    record Ends() implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return List.of(String.valueOf(copy(map.firstEntry())), String.valueOf(copy(map.lastEntry())));
        }

        @Override
        public String toString() {
            return "first/last";
        }
    }

    /** {@code pollFirstEntry()} or {@code pollLastEntry()}. */
    record Poll(boolean last) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return copy(last ? map.pollLastEntry() : map.pollFirstEntry());
        }

        @Override
        public String toString() {
            return last ? "pollLast" : "pollFirst";
        }
    }

    /** A whole iteration of the map's entry set, or of its {@code descendingMap()}'s. */
    record Iterate(boolean descending) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            return entries(descending ? map.descendingMap() : map);
        }

        @Override
        public String toString() {
            return descending ? "iterate desc" : "iterate asc";
        }
    }

    /**
     * A whole iteration of {@code subMap(from, fromInclusive, to, toInclusive)} (bounds swapped
     * if from comes after to in the map's order), or of its descending map; with its size.
     */
    record SubMap(int from, boolean fromInclusive, int to, boolean toInclusive, boolean descending) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            @SuppressWarnings("unchecked")
            Comparator<Integer> order =
                    map.comparator() == null ? Comparator.naturalOrder() : (Comparator<Integer>) map.comparator();
            boolean swap = order.compare(from, to) > 0;
            NavigableMap<Integer, String> view = swap
                    ? map.subMap(to, toInclusive, from, fromInclusive)
                    : map.subMap(from, fromInclusive, to, toInclusive);
            if (descending) {
                view = view.descendingMap();
            }
            List<Map.Entry<Integer, String>> walked = entries(view);
            List<Object> out = new ArrayList<>(walked);
            if (walked.size() <= LIMIT) { // a view's size() walks it too: only ask when the walk ended
                out.add("size " + view.size());
            }
            return out;
        }

        @Override
        public String toString() {
            return "subMap" + (fromInclusive ? "[" : "(") + from + ", " + to + (toInclusive ? "]" : ")")
                    + (descending ? " desc" : " asc");
        }
    }

    /**
     * Iterates the entry set (ascending or descending) and removes, through the iterator, every
     * entry whose key is {@code residue} modulo {@code modulus}; observes every entry visited.
     */
    record IteratorRemove(boolean descending, int modulus, int residue) implements MapOp {
        @Override
        public Object run(NavigableMap<Integer, String> map) {
            List<Map.Entry<Integer, String>> visited = new ArrayList<>();
            Iterator<Map.Entry<Integer, String>> it =
                    (descending ? map.descendingMap() : map).entrySet().iterator();
            while (it.hasNext() && visited.size() <= LIMIT) {
                Map.Entry<Integer, String> e = it.next();
                visited.add(copy(e));
                if (Math.floorMod(e.getKey(), modulus) == residue) {
                    it.remove();
                }
            }
            return visited;
        }

        @Override
        public String toString() {
            return "iterator.remove(key % " + modulus + " == " + residue + ")" + (descending ? " desc" : " asc");
        }
    }

    /** A snapshot of {@code e} that compares by key and value and prints as {@code key=value}. */
    static Map.Entry<Integer, String> copy(Map.Entry<Integer, String> e) {
        return e == null ? null : new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue());
    }

    /**
     * The most entries a walk collects: more than any map in these tests holds, so a walk that gets
     * this far is going round in circles (a successor that leads back), and stopping it turns a hang
     * into a failed comparison.
     */
    int LIMIT = 10_000;

    /** Snapshots of the entries of {@code map}, in its iteration order; at most {@link #LIMIT} + 1 of them. */
    static List<Map.Entry<Integer, String>> entries(Map<Integer, String> map) {
        List<Map.Entry<Integer, String>> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : nodes(map)) {
            out.add(copy(e));
        }
        return out;
    }

    /** The map's own entry objects, in its iteration order; at most {@link #LIMIT} + 1 of them. */
    static <K, V> List<Map.Entry<K, V>> nodes(Map<K, V> map) {
        List<Map.Entry<K, V>> out = new ArrayList<>();
        for (Iterator<Map.Entry<K, V>> it = map.entrySet().iterator(); it.hasNext() && out.size() <= LIMIT; ) {
            out.add(it.next());
        }
        return out;
    }
}
