package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a list-append history tells without searching for cycles: the version order of each key,
 * the anomalies a single read or a single transaction shows (aborted and intermediate reads,
 * garbage, duplicates, a transaction blind to its own writes, incompatible orders, lost updates),
 * and the dependency graph the cycle search runs on.
 *
 * <p><b>Version order.</b> Appends only ever add to the end of a list, and every element is
 * unique, so each committed read of a key is a prefix of the key's final list, and the longest
 * read is the most of that order anyone saw. Every read must be a prefix of it; one that is not is
 * an incompatible order. A committed append that no read shows came after everything any read
 * shows (else the longest read would hold it).
 *
 * <p><b>Edges</b>, for an append of element {@code e} to key {@code k} by transaction {@code T},
 * where {@code p} is the element just before {@code e} in {@code k}'s order (or the empty list):
 * {@code writer(p) -ww(k)-> T}, and {@code R -rw(k)-> T} for every {@code R} whose read of {@code k}
 * ended at {@code p}. For a read of {@code k} by {@code R} ending at element {@code e}:
 * {@code writer(e) -wr(k)-> R}. Only committed transactions' reads count; a transaction of unknown
 * outcome takes part only through appends somebody saw, and an aborted one not at all. A key whose
 * reads disagree, or that two transactions updated from one version, has no single order of
 * appends (a read-modify-write overwrote another's list): it gives wr edges, not ww or rw.
 */
final class ListAppendInference {

    /** A committed transaction's read, with its position in the transaction and its elements without repeats. */
    private static final class ReadAt {
        final Txn txn;
        final int opIndex;
        final MicroOp.Read read;
        final List<Long> distinct;
        /** Whether {@link #distinct} is a prefix of its key's order; set once the orders are known. */
        boolean inOrder;

        ReadAt(Txn txn, int opIndex, MicroOp.Read read, List<Long> distinct) {
            this.txn = txn;
            this.opIndex = opIndex;
            this.read = read;
            this.distinct = distinct;
        }
    }

    private final History history;
    private final List<Anomaly> anomalies = new ArrayList<>();
    private final Map<String, Map<Long, Txn>> writerOf = new HashMap<>();
    private final Map<String, List<Long>> order = new HashMap<>();
    private final Map<String, Map<Long, Integer>> positionOf = new HashMap<>();
    private final List<ReadAt> reads = new ArrayList<>();
    /** Keys whose inferred order is not to be trusted: reads disagree, or two updates were based on one version. */
    private final Set<String> untrusted = new HashSet<>();
    /** "T7 k0" for each transaction and key already reported as a lost update. */
    private final Set<String> lostUpdates = new HashSet<>();

    private final DependencyGraph graph;

    ListAppendInference(History history) {
        this.history = history;
        for (Txn t : history.transactions()) {
            for (int i = 0; i < t.ops().size(); i++) {
                MicroOp op = t.ops().get(i);
                if (op instanceof MicroOp.Append a) {
                    writerOf.computeIfAbsent(a.key(), k -> new HashMap<>()).put(a.element(), t);
                } else if (t.status() == Txn.Status.COMMITTED && op instanceof MicroOp.Read r) {
                    reads.add(new ReadAt(t, i, r, distinct(r.value())));
                }
            }
        }
        for (ReadAt r : reads) {
            checkRead(r);
        }
        inferOrders();
        findUpdatesOfOneVersion();
        List<Integer> nodes = new ArrayList<>();
        for (Txn t : history.transactions()) {
            if (t.status() != Txn.Status.ABORTED) {
                nodes.add(t.id());
            }
        }
        graph = new DependencyGraph(nodes);
        addEdges();
        findLostUpdates();
    }

    /** The anomalies found without a cycle search. */
    List<Anomaly> anomalies() {
        return anomalies;
    }

    /** The dependency graph, for the cycle search. */
    DependencyGraph graph() {
        return graph;
    }

    /** The inferred version order of {@code key}: its elements, oldest first. */
    List<Long> order(String key) {
        return order.getOrDefault(key, List.of());
    }

    private Txn writer(String key, long element) {
        Map<Long, Txn> w = writerOf.get(key);
        return w == null ? null : w.get(element);
    }

    /** Duplicates, garbage, aborted and intermediate reads, and reads that contradict the reader's own appends. */
    private void checkRead(ReadAt r) {
        Txn t = r.txn;
        String key = r.read.key();
        List<Long> value = r.read.value();
        if (r.distinct.size() < value.size()) {
            Set<Long> seen = new HashSet<>();
            long twice = value.stream().filter(e -> !seen.add(e)).findFirst().orElseThrow();
            anomalies.add(new Anomaly(
                    Anomaly.Type.DUPLICATE_ELEMENTS,
                    List.of(t.id()),
                    List.of(),
                    List.of(key),
                    t.name() + " read " + key + " = " + show(value) + ": " + twice
                            + " is in it twice, though it was appended once"));
        }
        Set<Long> before = new HashSet<>();
        Set<Long> after = new HashSet<>();
        for (int i = 0; i < t.ops().size(); i++) {
            if (t.ops().get(i) instanceof MicroOp.Append a && a.key().equals(key)) {
                (i < r.opIndex ? before : after).add(a.element());
            }
        }
        Set<Long> elements = before.isEmpty() && after.isEmpty() ? Set.of() : new HashSet<>(r.distinct);
        for (long e : before) {
            if (!elements.contains(e)) {
                anomalies.add(new Anomaly(
                        Anomaly.Type.INTERNAL,
                        List.of(t.id()),
                        List.of(),
                        List.of(key),
                        t.name() + " appended " + e + " to " + key + ", then read " + key + " = " + show(value)
                                + ": the read misses the transaction's own append"));
                break;
            }
        }
        Set<Txn> abortedWriters = new LinkedHashSet<>();
        for (long e : r.distinct) {
            Txn w = writer(key, e);
            if (!after.isEmpty() && after.contains(e)) {
                anomalies.add(new Anomaly(
                        Anomaly.Type.INTERNAL,
                        List.of(t.id()),
                        List.of(),
                        List.of(key),
                        t.name() + " read " + key + " = " + show(value) + ", which holds " + e
                                + ", an element it only appends later"));
            } else if (w == null) {
                anomalies.add(new Anomaly(
                        Anomaly.Type.GARBAGE_READ,
                        List.of(t.id()),
                        List.of(),
                        List.of(key),
                        t.name() + " read " + key + " = " + show(value) + ", but no transaction appended " + e + " to "
                                + key));
            } else if (w.status() == Txn.Status.ABORTED && w != t && abortedWriters.add(w)) {
                anomalies.add(new Anomaly(
                        Anomaly.Type.G1A,
                        List.of(t.id(), w.id()),
                        List.of(),
                        List.of(key),
                        t.name() + " read " + key + " = " + show(value) + ", but " + e + " was appended by " + w.name()
                                + ", which aborted"));
            }
        }
        if (!r.distinct.isEmpty()) {
            long last = r.distinct.get(r.distinct.size() - 1);
            Txn w = writer(key, last);
            if (w != null && w != t && w.status() != Txn.Status.ABORTED) {
                Long laterAppend = appendAfter(w, key, last);
                if (laterAppend != null) {
                    anomalies.add(new Anomaly(
                            Anomaly.Type.G1B,
                            List.of(t.id(), w.id()),
                            List.of(),
                            List.of(key),
                            t.name() + " read " + key + " = " + show(value) + ", a state ending in " + w.name()
                                    + "'s append of " + last + ", but " + w.name() + " went on to append " + laterAppend
                                    + " to " + key + ": " + t.name() + " saw an intermediate state"));
                }
            }
        }
    }

    /** The element {@code t} appended to {@code key} after {@code element}, or null if {@code element} was its last. */
    private static Long appendAfter(Txn t, String key, long element) {
        boolean found = false;
        for (MicroOp op : t.ops()) {
            if (op instanceof MicroOp.Append a && a.key().equals(key)) {
                if (found) {
                    return a.element();
                }
                found = a.element() == element;
            }
        }
        return null;
    }

    /** Each key's order from its longest committed read; every other read must be a prefix of it. */
    private void inferOrders() {
        Map<String, ReadAt> longest = new HashMap<>();
        for (ReadAt r : reads) {
            ReadAt l = longest.get(r.read.key());
            if (l == null || r.distinct.size() > l.distinct.size()) {
                longest.put(r.read.key(), r);
            }
        }
        for (Map.Entry<String, ReadAt> e : longest.entrySet()) {
            List<Long> o = e.getValue().distinct;
            order.put(e.getKey(), o);
            Map<Long, Integer> pos = new HashMap<>();
            for (int i = 0; i < o.size(); i++) {
                pos.put(o.get(i), i);
            }
            positionOf.put(e.getKey(), pos);
        }
        Map<String, List<ReadAt>> incompatible = new HashMap<>();
        for (ReadAt r : reads) {
            r.inOrder = isPrefixOfOrder(r);
            if (!r.inOrder) {
                incompatible
                        .computeIfAbsent(r.read.key(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        for (Map.Entry<String, List<ReadAt>> e : incompatible.entrySet()) {
            untrusted.add(e.getKey());
            ReadAt bad = e.getValue().get(0);
            ReadAt l = longest.get(e.getKey());
            int more = e.getValue().size() - 1;
            anomalies.add(new Anomaly(
                    Anomaly.Type.INCOMPATIBLE_ORDER,
                    List.of(bad.txn.id(), l.txn.id()),
                    List.of(),
                    List.of(e.getKey()),
                    bad.txn.name() + " read " + e.getKey() + " = " + show(bad.read.value()) + " and "
                            + l.txn.name() + " read " + e.getKey() + " = " + show(l.read.value())
                            + ": " + divergence(bad.distinct, l.distinct)
                            + ", so neither is a prefix of the other and no order of appends explains both"
                            + (more > 0
                                    ? " (and " + more + " more reads of " + e.getKey() + " disagree with the longest)"
                                    : "")));
        }
    }

    /** Whether the read's elements are exactly the first elements of its key's order. */
    private boolean isPrefixOfOrder(ReadAt r) {
        Map<Long, Integer> pos = positionOf.get(r.read.key());
        List<Long> d = r.distinct;
        for (int i = 0; i < d.size(); i++) {
            Integer p = pos.get(d.get(i));
            if (p == null || p != i) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code t}'s append of {@code element} to {@code key} sits in the key's order; -1 if unknown. */
    private int position(Txn t, String key, long element) {
        Map<Long, Integer> pos = positionOf.get(key);
        Integer p = pos == null ? null : pos.get(element);
        if (p != null) {
            return p;
        }
        // Nobody saw it. A committed append then came after everything anyone saw; an append of
        // unknown outcome may never have happened at all.
        return t.status() == Txn.Status.COMMITTED ? order(key).size() : -1;
    }

    private void addEdges() {
        // Who read each version, by the version's last element (null: the empty list). Only reads
        // that are prefixes of the order say which version they saw.
        Map<String, Map<Long, List<Txn>>> readersOf = new HashMap<>();
        for (ReadAt r : reads) {
            String key = r.read.key();
            if (!r.distinct.isEmpty()) {
                Txn w = writer(key, r.distinct.get(r.distinct.size() - 1));
                if (w != null && w != r.txn && graph.node(w.id()) >= 0) {
                    graph.add(graph.node(w.id()), graph.node(r.txn.id()), Dependency.Kind.WR, key);
                }
            }
            if (r.inOrder) {
                Long last = r.distinct.isEmpty() ? null : r.distinct.get(r.distinct.size() - 1);
                readersOf
                        .computeIfAbsent(key, k -> new HashMap<>())
                        .computeIfAbsent(last, k -> new ArrayList<>())
                        .add(r.txn);
            }
        }
        for (Txn t : history.transactions()) {
            int node = graph.node(t.id());
            if (node < 0) {
                continue;
            }
            for (MicroOp op : t.ops()) {
                if (!(op instanceof MicroOp.Append a)) {
                    continue;
                }
                int p = position(t, a.key(), a.element());
                if (p < 0 || untrusted.contains(a.key())) {
                    continue;
                }
                Long previous = p == 0 ? null : order(a.key()).get(p - 1);
                Txn w = previous == null ? null : writer(a.key(), previous);
                if (w == t) {
                    // The same transaction's earlier append: one version in Adya's model, no edge. A
                    // read that ended there saw an intermediate state (G1b), not an older version.
                    continue;
                }
                if (w != null && graph.node(w.id()) >= 0) {
                    graph.add(graph.node(w.id()), node, Dependency.Kind.WW, a.key());
                }
                for (Txn reader : readersOf.getOrDefault(a.key(), Map.of()).getOrDefault(previous, List.of())) {
                    graph.add(graph.node(reader.id()), node, Dependency.Kind.RW, a.key());
                }
            }
        }
    }

    /**
     * The append a read is the base of: the transaction's next micro-operation on the read's key,
     * if that is an append; else null.
     */
    private static MicroOp.Append appendBasedOn(ReadAt r) {
        List<MicroOp> ops = r.txn.ops();
        for (int i = r.opIndex + 1; i < ops.size(); i++) {
            if (ops.get(i).key().equals(r.read.key())) {
                return ops.get(i) instanceof MicroOp.Append a ? a : null;
            }
        }
        return null;
    }

    /**
     * Lost updates seen directly, with no order needed: two committed transactions read the same
     * version of a key and each appended to it. Whichever came second did not see the other's
     * append. When appends are read-modify-writes of the whole list, the second one overwrote the
     * first, and the key's reads no longer describe one order of appends, so the key's order is
     * not used for ww and rw edges.
     */
    private void findUpdatesOfOneVersion() {
        Map<String, Map<List<Long>, List<ReadAt>>> byBase = new HashMap<>();
        for (ReadAt r : reads) {
            if (appendBasedOn(r) != null) {
                byBase.computeIfAbsent(r.read.key(), k -> new HashMap<>())
                        .computeIfAbsent(r.distinct, v -> new ArrayList<>())
                        .add(r);
            }
        }
        for (ReadAt r : reads) {
            List<ReadAt> same = appendBasedOn(r) == null
                    ? List.of()
                    : byBase.get(r.read.key()).get(r.distinct);
            if (same.size() < 2 || same.get(0) != r) {
                continue; // reported once, at the group's first read
            }
            String key = r.read.key();
            untrusted.add(key);
            List<Integer> txns = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<String> elements = new ArrayList<>();
            for (ReadAt u : same) {
                txns.add(u.txn.id());
                names.add(u.txn.name());
                elements.add(Long.toString(appendBasedOn(u).element()));
                lostUpdates.add(u.txn.id() + " " + key);
            }
            anomalies.add(new Anomaly(
                    Anomaly.Type.LOST_UPDATE,
                    txns,
                    List.of(),
                    List.of(key),
                    String.join(" and ", names) + " each read " + key + " = " + show(r.read.value())
                            + " and then appended to it (" + String.join(", ", elements) + "), and all committed:"
                            + " every update after the first was made without seeing the ones before it"));
        }
    }

    /**
     * A committed transaction that read a version of a key and then appended to it, while another
     * transaction's append landed between that version and its own: {@code T -rw(k)-> W1 -ww(k)-> ... -> T}.
     */
    private void findLostUpdates() {
        for (ReadAt r : reads) {
            Txn t = r.txn;
            String key = r.read.key();
            MicroOp.Append next = appendBasedOn(r);
            if (next == null || untrusted.contains(key) || !r.inOrder || lostUpdates.contains(t.id() + " " + key)) {
                continue;
            }
            int seen = r.distinct.size();
            int p = position(t, key, next.element());
            if (p <= seen) {
                continue;
            }
            List<Txn> between = new ArrayList<>();
            for (long e : order(key).subList(seen, p)) {
                Txn w = writer(key, e);
                if (w == null || w == t || graph.node(w.id()) < 0) {
                    between = null; // garbage or an aborted or own element in between: reported elsewhere
                    break;
                }
                if (between.isEmpty() || between.get(between.size() - 1) != w) {
                    between.add(w);
                }
            }
            if (between == null) {
                continue;
            }
            lostUpdates.add(t.id() + " " + key);
            List<Dependency> cycle = new ArrayList<>();
            cycle.add(new Dependency(t.id(), between.get(0).id(), Dependency.Kind.RW, key));
            for (int i = 0; i < between.size(); i++) {
                int to = i + 1 < between.size() ? between.get(i + 1).id() : t.id();
                cycle.add(new Dependency(between.get(i).id(), to, Dependency.Kind.WW, key));
            }
            long firstOther = order(key).get(seen);
            List<Integer> txns = new ArrayList<>();
            cycle.forEach(d -> txns.add(d.from()));
            anomalies.add(new Anomaly(
                    Anomaly.Type.LOST_UPDATE,
                    txns,
                    cycle,
                    List.of(key),
                    t.name() + " read " + key + " = " + show(r.read.value()) + " and then appended " + next.element()
                            + ", but " + between.get(0).name() + "'s append of " + firstOther + " came in between: "
                            + Anomaly.cycleText(cycle)));
        }
    }

    /** Where two lists first differ: {@code "they differ at index 1: 201 against 245"}. */
    private static String divergence(List<Long> a, List<Long> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return "they differ at index " + i + ": " + (i < a.size() ? a.get(i) : "end") + " against "
                + (i < b.size() ? b.get(i) : "end");
    }

    /** The list without repeated elements (itself when it has none, as it should). */
    private static List<Long> distinct(List<Long> value) {
        Set<Long> seen = new HashSet<>(2 * value.size());
        for (Long e : value) {
            if (!seen.add(e)) {
                return List.copyOf(new LinkedHashSet<>(value));
            }
        }
        return value;
    }

    /** A list for a message: whole if short, else its ends and its length. */
    static String show(List<Long> value) {
        if (value.size() <= 8) {
            return value.toString();
        }
        return "[" + value.get(0) + ", " + value.get(1) + ", ..., " + value.get(value.size() - 3) + ", "
                + value.get(value.size() - 2) + ", " + value.get(value.size() - 1) + "] (" + value.size()
                + " elements)";
    }
}
