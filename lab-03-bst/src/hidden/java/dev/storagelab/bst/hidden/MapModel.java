package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Model-based runs of {@link MapOp} sequences: each step runs on the map under test and on a
 * {@link TreeMap} with the same comparator, the results must be equal, and the map's structural
 * checker ({@code Invariants.checkBst}, {@code checkAvl}, {@code checkSkipList}) runs after every
 * step, so a broken link is caught at the step that broke it, not steps later as a wrong answer.
 */
final class MapModel {

    private MapModel() {}

    /** The kinds of step a generated sequence may contain. */
    enum Kind {
        PUT(10),
        REMOVE(5),
        GET(4),
        NAVIGATE(6),
        ENDS(1),
        POLL(1),
        ITERATE(1),
        SUBMAP(2),
        ITERATOR_REMOVE(1);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    /** Search and insert only (lab-03 T1). */
    static final Set<Kind> SEARCH_AND_INSERT = EnumSet.of(Kind.PUT, Kind.GET);
    /** Inserts and every read: navigation, ends, iteration, views (T1 and T2, or T5 and T6). */
    static final Set<Kind> INSERT_AND_ORDER =
            EnumSet.of(Kind.PUT, Kind.GET, Kind.NAVIGATE, Kind.ENDS, Kind.ITERATE, Kind.SUBMAP);
    /** Everything, deletes of every kind included. */
    static final Set<Kind> ALL = EnumSet.allOf(Kind.class);

    /**
     * Sequences of up to {@code maxSize} steps of the given kinds over keys 0 to {@code maxKey}: a
     * small range, so keys are overwritten, deleted when absent, and inserted again after a delete.
     */
    static Arbitrary<List<MapOp>> ops(Set<Kind> kinds, int maxKey, int maxSize) {
        Arbitrary<Integer> keys = Arbitraries.integers().between(0, maxKey);
        Arbitrary<Integer> bounds = Arbitraries.integers().between(-1, maxKey + 1);
        Arbitrary<String> values =
                Arbitraries.integers().between(0, 99).map(i -> "v" + i).injectNull(0.03);
        Arbitrary<Boolean> flags = Arbitraries.of(true, false);
        List<Tuple.Tuple2<Integer, Arbitrary<MapOp>>> choices = new ArrayList<>();
        for (Kind kind : kinds) {
            Arbitrary<? extends MapOp> step = switch (kind) {
                case PUT -> Combinators.combine(keys, values).as(MapOp.Put::new);
                case REMOVE -> keys.map(MapOp.Remove::new);
                case GET -> keys.map(MapOp.Get::new);
                case NAVIGATE ->
                    Combinators.combine(Arbitraries.of(MapOp.Direction.class), bounds)
                            .as(MapOp.Navigate::new);
                case ENDS -> Arbitraries.just(new MapOp.Ends());
                case POLL -> flags.map(MapOp.Poll::new);
                case ITERATE -> flags.map(MapOp.Iterate::new);
                case SUBMAP ->
                    Combinators.combine(bounds, flags, bounds, flags, flags).as(MapOp.SubMap::new);
                case ITERATOR_REMOVE ->
                    Combinators.combine(
                                    flags,
                                    Arbitraries.integers().between(1, 4),
                                    Arbitraries.integers().between(0, 3))
                            .as((d, m, r) -> new MapOp.IteratorRemove(d, m, r % m));
            };
            choices.add(Tuple.of(kind.weight, step.map(op -> (MapOp) op)));
        }
        return Arbitraries.frequencyOf(choices)
                .list()
                .ofMaxSize(maxSize)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    /**
     * Runs {@code ops} on {@code map} (empty, ordered by {@code comparator}) and on a TreeMap
     * with the same order, comparing each step's result and size, and calling {@code structure}
     * after every step. At the end, every key the steps touched must read the same; if
     * {@code iterateAtEnd}, both iteration orders must match too.
     */
    static <M extends NavigableMap<Integer, String>> void run(
            String name,
            M map,
            Comparator<Integer> comparator,
            List<MapOp> ops,
            Consumer<M> structure,
            boolean iterateAtEnd) {
        TreeMap<Integer, String> oracle = new TreeMap<>(comparator);
        Set<Integer> touched = new TreeSet<>();
        for (int i = 0; i < ops.size(); i++) {
            MapOp op = ops.get(i);
            String where = name + ", step " + i + " " + op + " of " + ops.subList(0, i + 1);
            touched.add(keyOf(op));
            Object expected = op.run(oracle);
            Object actual;
            try {
                actual = op.run(map);
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError(where + ": threw " + e + "; a TreeMap returned " + expected, e);
            }
            assertThat(
                    where + ": the map must answer as a TreeMap given the same steps does", actual, equalTo(expected));
            assertThat(where + ": size()", map.size(), equalTo(oracle.size()));
            try {
                structure.accept(map);
            } catch (AssertionError e) {
                throw new AssertionError(where + ": the structure is broken: " + e.getMessage(), e);
            }
        }
        String end = name + " after " + ops;
        for (Integer key : touched) {
            assertThat(end + ": get(" + key + ")", map.get(key), equalTo(oracle.get(key)));
            assertThat(end + ": containsKey(" + key + ")", map.containsKey(key), equalTo(oracle.containsKey(key)));
        }
        if (iterateAtEnd) {
            assertThat(end + ": the entries in order", MapOp.entries(map), equalTo(MapOp.entries(oracle)));
            assertThat(
                    end + ": the entries in descending order",
                    MapOp.entries(map.descendingMap()),
                    equalTo(MapOp.entries(oracle.descendingMap())));
        }
    }

    /** The key a step names, or -1 for a step that names none. */
    private static int keyOf(MapOp op) {
        if (op instanceof MapOp.Put p) {
            return p.key();
        } else if (op instanceof MapOp.Remove r) {
            return r.key();
        } else if (op instanceof MapOp.Get g) {
            return g.key();
        } else if (op instanceof MapOp.Navigate n) {
            return n.key();
        }
        return -1;
    }
}
