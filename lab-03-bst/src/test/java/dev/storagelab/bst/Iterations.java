package dev.storagelab.bst;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Copies what an iteration yields into a list, but gives up with a clear failure once it yields
 * more than it should. A broken link (a parent link to the wrong node, a skip-list link pointing
 * back) makes an iteration go round forever; copying it with {@code new ArrayList<>(map.keySet())}
 * would end the whole test run with an OutOfMemoryError instead of naming the problem.
 */
final class Iterations {

    private Iterations() {}

    /** The elements of {@code items}, which should number at most {@code expected}. */
    static <T> List<T> toList(Iterable<T> items, int expected) {
        return toList(items.iterator(), expected);
    }

    /** The elements left in {@code it}, which should number at most {@code expected}. */
    static <T> List<T> toList(Iterator<T> it, int expected) {
        List<T> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
            if (out.size() > expected) {
                throw new AssertionError("the iteration yields more than the " + expected + " elements expected:"
                        + " the map holds keys it should not, or a step revisits a node (the links form a cycle)."
                        + " It began " + out.subList(0, Math.min(out.size(), 20)));
            }
        }
        return out;
    }
}
