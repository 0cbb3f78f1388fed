package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the dependency cycles of a graph and names each by its edges, as Adya's phenomena do:
 * G0 (ww only), G1c (ww and wr, at least one wr), G-single (exactly one rw), G2 (two or more rw).
 * A cycle lies inside one strongly connected component, so the search first splits the graph with
 * Tarjan's algorithm, then runs breadth-first searches for cycles of each kind inside each
 * component, and reports the shortest of the first {@value #TRIES} it finds, one per kind per
 * component (a broken store makes thousands of cycles; one, short, is what a person can read).
 *
 * <ul>
 *   <li>G0: the components of the ww edges alone; the shortest cycle through any node of one.
 *   <li>G1c: the components of the ww and wr edges; a wr edge {@code a -> b} inside one, closed
 *       by the shortest ww/wr path from {@code b} back to {@code a}.
 *   <li>G-single: an rw edge {@code a -> b} inside a component of the whole graph such that
 *       {@code b} reaches {@code a} over ww and wr edges alone. Which ones do is read off the
 *       transitive closure of the ww/wr components (bit sets, filled in reverse topological
 *       order), so the search costs one pass, not a path search per rw edge.
 *       A cycle on one key made of an rw edge and ww edges is a lost update, which
 *       {@link ListAppendInference} reports as such; the search skips it.
 *   <li>G2: an rw edge {@code a -> b} closed by the shortest path from {@code b} to {@code a}
 *       that follows at least one more rw edge.
 *   <li>With real-time edges: an rt edge closed by a path with at most one rw edge
 *       (G-single-realtime), or, in a component with none, with two or more (G2-realtime).
 * </ul>
 * The searches for G0 to G2 follow data edges only, so real-time edges never change what they find.
 */
final class CycleSearch {

    /** How many cycles of one kind the search finds in one component, to report the shortest. */
    private static final int TRIES = 16;
    /** How many path searches one kind may run in one component before it gives up on it. */
    private static final int ATTEMPTS = 256;
    /**
     * Above this many ww/wr components in cycles (a closure of 32 MB), G-single falls back to
     * bounded path searches.
     */
    static final int CLOSURE_LIMIT = 16_384;

    private final DependencyGraph g;
    private final int closureLimit;
    private final List<Anomaly> found = new ArrayList<>();

    private CycleSearch(DependencyGraph g, int closureLimit) {
        this.g = g;
        this.closureLimit = closureLimit;
    }

    /**
     * The cycle anomalies of {@code graph}, at most one of each type per strongly connected
     * component; the real-time ones only if the graph has real-time edges.
     */
    static List<Anomaly> find(DependencyGraph graph) {
        return find(graph, CLOSURE_LIMIT);
    }

    /** As {@link #find(DependencyGraph)}, with the closure used only up to {@code closureLimit} components. */
    static List<Anomaly> find(DependencyGraph graph, int closureLimit) {
        CycleSearch s = new CycleSearch(graph, closureLimit);
        s.g0();
        DependencyGraph.Components wwr = graph.components(Dependency.Kind.WW.bit() | Dependency.Kind.WR.bit());
        s.g1c(wwr);
        DependencyGraph.Components data = graph.components(DependencyGraph.DATA);
        s.gSingle(data, wwr);
        s.g2(data);
        s.realtime();
        return s.found;
    }

    /** The shortest cycle found so far in each component, and how many searches each has had. */
    private static final class Best {
        final List<List<Dependency>> cycle;
        final int[] found;
        final int[] attempts;

        Best(int components) {
            cycle = new ArrayList<>(Collections.nCopies(components, null));
            found = new int[components];
            attempts = new int[components];
        }

        /** Whether component {@code c} may have another search. */
        boolean open(int c) {
            return found[c] < TRIES && attempts[c] < ATTEMPTS;
        }

        void offer(int c, List<Dependency> candidate) {
            found[c]++;
            if (cycle.get(c) == null || candidate.size() < cycle.get(c).size()) {
                cycle.set(c, candidate);
            }
        }

        void report(Anomaly.Type type, List<Anomaly> into) {
            for (List<Dependency> c : cycle) {
                if (c != null) {
                    into.add(Anomaly.ofCycle(type, c));
                }
            }
        }
    }

    private void g0() {
        int ww = Dependency.Kind.WW.bit();
        DependencyGraph.Components c = g.components(ww);
        Best best = new Best(c.count());
        for (int v = 0; v < g.size(); v++) {
            int comp = c.of()[v];
            if (c.onCycle(v) && best.open(comp)) {
                best.attempts[comp]++;
                best.offer(comp, g.shortestPath(v, v, ww, c, comp));
            }
        }
        best.report(Anomaly.Type.G0, found);
    }

    private void g1c(DependencyGraph.Components wwr) {
        int mask = Dependency.Kind.WW.bit() | Dependency.Kind.WR.bit();
        Best best = new Best(wwr.count());
        for (int a = 0; a < g.size(); a++) {
            for (DependencyGraph.Edge e : g.out(a)) {
                int comp = wwr.of()[a];
                if (e.kind() == Dependency.Kind.WR && wwr.of()[e.to()] == comp && best.open(comp)) {
                    best.attempts[comp]++;
                    best.offer(comp, close(a, e, g.shortestPath(e.to(), a, mask, wwr, comp)));
                }
            }
        }
        best.report(Anomaly.Type.G1C, found);
    }

    private void gSingle(DependencyGraph.Components all, DependencyGraph.Components wwr) {
        int mask = Dependency.Kind.WW.bit() | Dependency.Kind.WR.bit();
        BitSet[] reach = closure(all, wwr);
        Best best = new Best(all.count());
        for (int a = 0; a < g.size(); a++) {
            int comp = all.of()[a];
            if (!all.onCycle(a)) {
                continue;
            }
            for (DependencyGraph.Edge e : g.out(a)) {
                if (e.kind() != Dependency.Kind.RW || all.of()[e.to()] != comp || !best.open(comp)) {
                    continue;
                }
                int from = wwr.of()[e.to()];
                if (reach != null && (reach[from] == null || !reach[from].get(wwr.of()[a]))) {
                    continue;
                }
                best.attempts[comp]++;
                List<Dependency> path = g.shortestPath(e.to(), a, mask, all, comp);
                if (path != null) {
                    List<Dependency> cycle = close(a, e, path);
                    if (!isLostUpdate(cycle)) {
                        best.offer(comp, cycle);
                    }
                }
            }
        }
        best.report(Anomaly.Type.G_SINGLE, found);
    }

    /**
     * For each ww/wr component inside a cycle of the whole graph, the ww/wr components it reaches
     * (itself included); null when there are too many to hold as bit sets.
     */
    private BitSet[] closure(DependencyGraph.Components all, DependencyGraph.Components wwr) {
        int mask = Dependency.Kind.WW.bit() | Dependency.Kind.WR.bit();
        boolean[] relevant = new boolean[wwr.count()];
        int count = 0;
        for (int v = 0; v < g.size(); v++) {
            if (all.onCycle(v) && !relevant[wwr.of()[v]]) {
                relevant[wwr.of()[v]] = true;
                count++;
            }
        }
        if (count > closureLimit) {
            return null;
        }
        // Members of each relevant component, to visit components in increasing number: Tarjan
        // numbers them so that every edge leads to a smaller number, already complete.
        List<List<Integer>> members = new ArrayList<>();
        for (int c = 0; c < wwr.count(); c++) {
            members.add(relevant[c] ? new ArrayList<>() : null);
        }
        for (int v = 0; v < g.size(); v++) {
            if (relevant[wwr.of()[v]]) {
                members.get(wwr.of()[v]).add(v);
            }
        }
        BitSet[] reach = new BitSet[wwr.count()];
        for (int c = 0; c < wwr.count(); c++) {
            if (!relevant[c]) {
                continue;
            }
            BitSet r = new BitSet();
            r.set(c);
            for (int v : members.get(c)) {
                for (DependencyGraph.Edge e : g.out(v)) {
                    int d = wwr.of()[e.to()];
                    // A path between two nodes of one cycle of the whole graph never leaves it, so
                    // components outside every cycle can be left out.
                    if ((mask & e.kind().bit()) != 0 && d != c && reach[d] != null) {
                        r.or(reach[d]);
                    }
                }
            }
            reach[c] = r;
        }
        return reach;
    }

    /**
     * A cycle of one rw edge and ww edges, all on one key: a lost update, not read skew. (With a wr
     * edge it is a transaction reading one key twice and seeing two versions: read skew on one key.)
     */
    private static boolean isLostUpdate(List<Dependency> cycle) {
        String key = cycle.get(0).key();
        for (Dependency d : cycle) {
            if (!d.key().equals(key) || d.kind() == Dependency.Kind.WR) {
                return false;
            }
        }
        return true;
    }

    private void g2(DependencyGraph.Components all) {
        Best best = new Best(all.count());
        for (int a = 0; a < g.size(); a++) {
            int comp = all.of()[a];
            if (!all.onCycle(a)) {
                continue;
            }
            for (DependencyGraph.Edge e : g.out(a)) {
                if (e.kind() != Dependency.Kind.RW || all.of()[e.to()] != comp || !best.open(comp)) {
                    continue;
                }
                best.attempts[comp]++;
                List<Dependency> path = g.shortestPathCountingRw(e.to(), a, DependencyGraph.DATA, all, comp, 1, 2);
                if (path != null) {
                    best.offer(comp, close(a, e, path));
                }
            }
        }
        best.report(Anomaly.Type.G2, found);
    }

    /**
     * Cycles through a real-time edge {@code a -rt-> b} (a committed before b began), closed by a
     * path from {@code b} back to {@code a}: with at most one rw edge, G-single-realtime, which
     * strong snapshot isolation forbids (typically a stale read: {@code b} began after {@code a}
     * committed and did not see it); else G2-realtime, which only strict serializability forbids.
     */
    private void realtime() {
        DependencyGraph.Components all = g.components(DependencyGraph.ALL);
        Best single = new Best(all.count());
        Best two = new Best(all.count());
        for (int a = 0; a < g.size(); a++) {
            int comp = all.of()[a];
            if (!all.onCycle(a)) {
                continue;
            }
            for (DependencyGraph.Edge e : g.out(a)) {
                if (e.kind() != Dependency.Kind.RT || all.of()[e.to()] != comp) {
                    continue;
                }
                if (single.open(comp)) {
                    single.attempts[comp]++;
                    List<Dependency> path = g.shortestPathCountingRw(e.to(), a, DependencyGraph.ALL, all, comp, 0, 1);
                    if (path != null) {
                        single.offer(comp, close(a, e, path));
                        continue;
                    }
                }
                if (single.cycle.get(comp) == null && two.open(comp)) {
                    two.attempts[comp]++;
                    List<Dependency> path = g.shortestPathCountingRw(e.to(), a, DependencyGraph.ALL, all, comp, 2, 2);
                    if (path != null) {
                        two.offer(comp, close(a, e, path));
                    }
                }
            }
        }
        single.report(Anomaly.Type.G_SINGLE_REALTIME, found);
        two.report(Anomaly.Type.G2_REALTIME, found);
    }

    /** The edge {@code a -> e.to()} followed by a path from {@code e.to()} back to {@code a}. */
    private List<Dependency> close(int a, DependencyGraph.Edge e, List<Dependency> path) {
        List<Dependency> cycle = new ArrayList<>(path.size() + 1);
        cycle.add(g.dependency(a, e));
        cycle.addAll(path);
        Set<Integer> seen = new HashSet<>();
        for (Dependency d : cycle) {
            if (!seen.add(d.from())) {
                throw new IllegalStateException("not a simple cycle: " + cycle);
            }
        }
        return cycle;
    }
}
