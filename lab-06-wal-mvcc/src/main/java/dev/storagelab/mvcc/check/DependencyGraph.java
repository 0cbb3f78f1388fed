package dev.storagelab.mvcc.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The direct serialization graph of a history: a node per transaction that may have committed, an
 * edge per {@link Dependency}. Edges of one kind between the same two transactions are kept once
 * (with the first key that gave them). Searches take a mask of the edge kinds they may follow, so
 * one graph answers "is there a cycle of ww edges" and "of ww and wr edges" alike.
 *
 * <p>Nodes are dense indices {@code 0..size()-1}; {@link #id(int)} maps one back to its transaction.
 */
final class DependencyGraph {

    /** Mask of the edges that come from the data: ww, wr and rw. */
    static final int DATA = Dependency.Kind.WW.bit() | Dependency.Kind.WR.bit() | Dependency.Kind.RW.bit();
    /** Mask of every edge kind, real time included. */
    static final int ALL = DATA | Dependency.Kind.RT.bit();

    /** An outgoing edge. */
    record Edge(int to, Dependency.Kind kind, String key) {}

    /**
     * Strongly connected components: {@code of[node]} is the node's component, numbered in the order
     * Tarjan's algorithm completes them, which is a reverse topological order of the condensation:
     * an edge between two components always goes from a higher number to a lower one.
     */
    record Components(int[] of, int count, int[] size) {
        /** Whether {@code node} is in a component of two or more nodes (a node never has an edge to itself). */
        boolean onCycle(int node) {
            return size[of[node]] > 1;
        }
    }

    private final int[] ids;
    private final Map<Integer, Integer> nodeOf = new HashMap<>();
    private final List<List<Edge>> out = new ArrayList<>();
    private final Set<Long> present = new HashSet<>();
    private int edges;

    /** A graph with a node for each of these transaction ids, and no edges yet. */
    DependencyGraph(List<Integer> txnIds) {
        ids = new int[txnIds.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = txnIds.get(i);
            nodeOf.put(ids[i], i);
            out.add(new ArrayList<>(4));
        }
    }

    int size() {
        return ids.length;
    }

    int edgeCount() {
        return edges;
    }

    /** The transaction id of {@code node}. */
    int id(int node) {
        return ids[node];
    }

    /** The node of transaction {@code txnId}, or -1 if it has none (it aborted). */
    int node(int txnId) {
        Integer n = nodeOf.get(txnId);
        return n == null ? -1 : n;
    }

    List<Edge> out(int node) {
        return out.get(node);
    }

    /** Adds {@code from -kind(key)-> to} between two nodes, unless it is a self-loop or already there. */
    void add(int from, int to, Dependency.Kind kind, String key) {
        if (from == to) {
            return;
        }
        long packed = ((long) from * ids.length + to) * 4 + kind.ordinal();
        if (present.add(packed)) {
            out.get(from).add(new Edge(to, kind, key));
            edges++;
        }
    }

    /** The edge from {@code a} to {@code b} as a dependency between transactions. */
    Dependency dependency(int from, Edge e) {
        return new Dependency(ids[from], ids[e.to()], e.kind(), e.key());
    }

    /** Tarjan's strongly connected components over the edges whose kind is in {@code mask}, without recursion. */
    Components components(int mask) {
        int n = ids.length;
        int[] index = new int[n];
        int[] low = new int[n];
        int[] comp = new int[n];
        Arrays.fill(index, -1);
        boolean[] onStack = new boolean[n];
        int[] stack = new int[n];
        int sp = 0;
        int[] callNode = new int[n];
        int[] callEdge = new int[n];
        int depth = 0;
        int next = 0;
        int count = 0;
        List<Integer> sizes = new ArrayList<>();
        for (int root = 0; root < n; root++) {
            if (index[root] != -1) {
                continue;
            }
            index[root] = low[root] = next++;
            stack[sp++] = root;
            onStack[root] = true;
            callNode[depth] = root;
            callEdge[depth] = 0;
            depth++;
            while (depth > 0) {
                int v = callNode[depth - 1];
                List<Edge> edgesOfV = out.get(v);
                if (callEdge[depth - 1] < edgesOfV.size()) {
                    Edge e = edgesOfV.get(callEdge[depth - 1]++);
                    if ((mask & e.kind().bit()) == 0) {
                        continue;
                    }
                    int w = e.to();
                    if (index[w] == -1) {
                        index[w] = low[w] = next++;
                        stack[sp++] = w;
                        onStack[w] = true;
                        callNode[depth] = w;
                        callEdge[depth] = 0;
                        depth++;
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], index[w]);
                    }
                    continue;
                }
                depth--;
                if (low[v] == index[v]) {
                    int members = 0;
                    int w;
                    do {
                        w = stack[--sp];
                        onStack[w] = false;
                        comp[w] = count;
                        members++;
                    } while (w != v);
                    sizes.add(members);
                    count++;
                }
                if (depth > 0) {
                    int u = callNode[depth - 1];
                    low[u] = Math.min(low[u], low[v]);
                }
            }
        }
        return new Components(
                comp, count, sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The shortest path from {@code from} to {@code to} (which may be the same node: then the
     * shortest cycle through it) over edges whose kind is in {@code mask}, staying inside component
     * {@code within} of {@code comps}; null if there is none. Breadth-first, so the path is simple.
     */
    List<Dependency> shortestPath(int from, int to, int mask, Components comps, int within) {
        int n = ids.length;
        int[] parent = new int[n];
        Edge[] via = new Edge[n];
        Arrays.fill(parent, -2);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(from);
        parent[from] = -1;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (Edge e : out.get(v)) {
                if ((mask & e.kind().bit()) == 0 || comps.of()[e.to()] != within) {
                    continue;
                }
                int w = e.to();
                if (w == to) {
                    List<Dependency> path = new ArrayList<>();
                    path.add(dependency(v, e));
                    for (int x = v; parent[x] != -1; x = parent[x]) {
                        path.add(dependency(parent[x], via[x]));
                    }
                    Collections.reverse(path);
                    return path;
                }
                if (parent[w] == -2) {
                    parent[w] = v;
                    via[w] = e;
                    queue.add(w);
                }
            }
        }
        return null;
    }

    /**
     * The shortest path from {@code from} to {@code to} inside component {@code within}, over edges
     * in {@code mask}, that follows at least {@code minRw} and at most {@code maxRw} rw edges, where
     * a {@code maxRw} of 2 means any number; null if there is none, or if the shortest such walk is
     * not a simple path. Breadth-first over (node, rw edges so far: 0, 1, 2 or more) states.
     */
    List<Dependency> shortestPathCountingRw(
            int from, int to, int mask, Components comps, int within, int minRw, int maxRw) {
        int n = ids.length;
        int[] parent = new int[3 * n];
        Edge[] via = new Edge[3 * n];
        Arrays.fill(parent, -2);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(3 * from);
        parent[3 * from] = -1;
        while (!queue.isEmpty()) {
            int state = queue.poll();
            int v = state / 3;
            int rwSoFar = state % 3;
            for (Edge e : out.get(v)) {
                if ((mask & e.kind().bit()) == 0 || comps.of()[e.to()] != within) {
                    continue;
                }
                int rw = Math.min(2, rwSoFar + (e.kind() == Dependency.Kind.RW ? 1 : 0));
                int next = 3 * e.to() + rw;
                if (rw > maxRw || parent[next] != -2) {
                    continue;
                }
                parent[next] = state;
                via[next] = e;
                if (e.to() == to && rw >= minRw) {
                    List<Dependency> path = new ArrayList<>();
                    Set<Integer> nodes = new HashSet<>();
                    for (int s = next; parent[s] != -1; s = parent[s]) {
                        path.add(dependency(parent[s] / 3, via[s]));
                        if (!nodes.add(s / 3)) {
                            return null; // the walk passes a transaction twice: not a cycle's path
                        }
                    }
                    if (!nodes.add(from)) {
                        return null;
                    }
                    Collections.reverse(path);
                    return path;
                }
                if (e.to() != to) {
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
