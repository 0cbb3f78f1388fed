package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The real-time edges of a history: {@code A -rt-> B} when A committed before B began (by the
 * history's shared order of starts and ends). Only a committed A gives edges: a transaction of
 * unknown outcome may take effect at any time, so nothing can be said to come after it.
 *
 * <p>All such pairs would be quadratic in number; the transitive reduction is enough for finding
 * cycles, and small. Walking the starts and ends in order, the frontier holds the committed
 * transactions no later-committed one has superseded; a transaction that begins gets an edge from
 * each, and when one commits, it replaces in the frontier those it got its own edges from (they
 * reach everything it reaches, through it). The frontier stays about as large as the number of
 * transactions running at once, as in Elle's realtime graph.
 */
final class RealtimeOrder {

    private RealtimeOrder() {}

    /** Adds the real-time edges of {@code history} to {@code graph}. */
    static void addTo(DependencyGraph graph, History history) {
        record Event(long at, boolean start, Txn txn) {}
        List<Event> events = new ArrayList<>();
        for (Txn t : history.transactions()) {
            if (graph.node(t.id()) < 0) {
                continue;
            }
            events.add(new Event(t.startOrder(), true, t));
            if (t.status() == Txn.Status.COMMITTED) {
                events.add(new Event(t.endOrder(), false, t));
            }
        }
        // At one moment, starts before ends: a transaction never precedes itself, and of two that
        // share a moment neither finished before the other began.
        events.sort(Comparator.comparingLong(Event::at).thenComparing(e -> !e.start()));
        Set<Integer> frontier = new LinkedHashSet<>();
        Map<Integer, List<Integer>> predecessors = new HashMap<>();
        for (Event e : events) {
            int node = graph.node(e.txn().id());
            if (e.start()) {
                List<Integer> before = new ArrayList<>(frontier);
                for (int p : before) {
                    graph.add(p, node, Dependency.Kind.RT, "");
                }
                predecessors.put(node, before);
            } else {
                predecessors.getOrDefault(node, List.of()).forEach(frontier::remove);
                frontier.add(node);
            }
        }
    }
}
