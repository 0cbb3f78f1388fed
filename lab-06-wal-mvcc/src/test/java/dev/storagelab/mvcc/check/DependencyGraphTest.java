package dev.storagelab.mvcc.check;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.mvcc.check.Dependency.Kind;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The graph machinery under the checker: Tarjan's components against brute-force reachability on
 * random graphs (including the reverse topological numbering the G-single closure relies on), the
 * breadth-first cycle searches, and the G-single search with and without its closure.
 */
class DependencyGraphTest {

    private static DependencyGraph randomGraph(Random random, int n, int edges) {
        DependencyGraph g =
                new DependencyGraph(IntStream.rangeClosed(1, n).boxed().toList());
        for (int i = 0; i < edges; i++) {
            g.add(random.nextInt(n), random.nextInt(n), Kind.values()[random.nextInt(3)], "k" + random.nextInt(3));
        }
        return g;
    }

    /** Whether {@code to} is reachable from {@code from} over edges in {@code mask}, by plain BFS. */
    private static boolean reaches(DependencyGraph g, int from, int to, int mask) {
        boolean[] seen = new boolean[g.size()];
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(from));
        seen[from] = true;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            if (v == to) {
                return true;
            }
            for (DependencyGraph.Edge e : g.out(v)) {
                if ((mask & e.kind().bit()) != 0 && !seen[e.to()]) {
                    seen[e.to()] = true;
                    queue.add(e.to());
                }
            }
        }
        return false;
    }

    @Test
    void componentsAreExactlyTheMutuallyReachableSetsNumberedInReverseTopologicalOrder() {
        Random random = new Random(1);
        int[] masks = {DependencyGraph.ALL, Kind.WW.bit(), Kind.WW.bit() | Kind.WR.bit()};
        for (int round = 0; round < 200; round++) {
            DependencyGraph g = randomGraph(random, 2 + random.nextInt(25), random.nextInt(60));
            for (int mask : masks) {
                DependencyGraph.Components c = g.components(mask);
                for (int a = 0; a < g.size(); a++) {
                    for (int b = 0; b < g.size(); b++) {
                        boolean mutual = reaches(g, a, b, mask) && reaches(g, b, a, mask);
                        assertThat("round " + round + ": nodes " + a + " and " + b, c.of()[a] == c.of()[b], is(mutual));
                    }
                    for (DependencyGraph.Edge e : g.out(a)) {
                        if ((mask & e.kind().bit()) != 0 && c.of()[a] != c.of()[e.to()]) {
                            assertThat(
                                    "an edge between components leads to a smaller number",
                                    c.of()[a],
                                    greaterThan(c.of()[e.to()]));
                        }
                    }
                }
            }
        }
    }

    @Test
    void theShortestCycleThroughANodeIsFoundAndNothingOutsideTheMaskIsUsed() {
        // 0 -ww-> 1 -ww-> 2 -ww-> 0 and a shortcut 0 -wr-> 2.
        DependencyGraph g = new DependencyGraph(List.of(10, 11, 12));
        g.add(0, 1, Kind.WW, "x");
        g.add(1, 2, Kind.WW, "x");
        g.add(2, 0, Kind.WW, "y");
        g.add(0, 2, Kind.WR, "z");
        g.add(0, 2, Kind.WR, "other key, same edge"); // kept once
        g.add(1, 1, Kind.RW, "a self-loop is never an edge");
        assertThat(g.edgeCount(), equalTo(4));
        DependencyGraph.Components all = g.components(DependencyGraph.ALL);
        List<Dependency> viaAll = g.shortestPath(0, 0, DependencyGraph.ALL, all, all.of()[0]);
        assertThat(Anomaly.cycleText(viaAll), equalTo("T10 -wr(z)-> T12 -ww(y)-> T10"));
        DependencyGraph.Components ww = g.components(Kind.WW.bit());
        assertThat(
                Anomaly.cycleText(g.shortestPath(0, 0, Kind.WW.bit(), ww, ww.of()[0])),
                equalTo("T10 -ww(x)-> T11 -ww(x)-> T12 -ww(y)-> T10"));
        assertThat(
                "no rw edge to follow",
                g.shortestPathCountingRw(2, 0, DependencyGraph.DATA, all, all.of()[0], 1, 2),
                nullValue());
    }

    @Test
    void aPathThroughAnRwEdgeMustBeSimple() {
        // 0 -rw-> 1 -wr-> 0: from 1 back to 0 with another rw edge would have to pass 0 twice.
        DependencyGraph g = new DependencyGraph(List.of(1, 2));
        g.add(0, 1, Kind.RW, "x");
        g.add(1, 0, Kind.WR, "y");
        DependencyGraph.Components all = g.components(DependencyGraph.ALL);
        assertThat(g.shortestPathCountingRw(1, 0, DependencyGraph.DATA, all, all.of()[0], 1, 2), nullValue());
        assertThat(CycleSearch.find(g).stream().map(Anomaly::type).toList(), equalTo(List.of(Anomaly.Type.G_SINGLE)));
    }

    @Test
    void realTimeEdgesReachExactlyThePairsWhereOneCommittedBeforeTheOtherBegan() {
        Random random = new Random(4);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(20);
            List<Txn> txns = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                long start = random.nextInt(40);
                Txn.Status status = Txn.Status.values()[random.nextInt(3)];
                txns.add(new Txn(i + 1, i, start, start + random.nextInt(10), status, List.of(), null));
            }
            History h = new History(txns);
            List<Txn> nodes =
                    txns.stream().filter(t -> t.status() != Txn.Status.ABORTED).toList();
            DependencyGraph g = new DependencyGraph(nodes.stream().map(Txn::id).toList());
            RealtimeOrder.addTo(g, h);
            for (Txn a : nodes) {
                for (Txn b : nodes) {
                    boolean before = a.status() == Txn.Status.COMMITTED && a.endOrder() < b.startOrder();
                    assertThat(
                            "round " + round + ": " + a + " then " + b,
                            a != b && reaches(g, g.node(a.id()), g.node(b.id()), Kind.RT.bit()),
                            is(before));
                }
            }
            assertThat("a reduction, not every pair", g.edgeCount(), org.hamcrest.Matchers.lessThanOrEqualTo(n * n));
        }
    }

    @Test
    void gSingleIsFoundTheSameWithoutTheClosure() {
        Random random = new Random(2);
        int withG = 0;
        for (int round = 0; round < 300; round++) {
            DependencyGraph g = randomGraph(random, 2 + random.nextInt(12), random.nextInt(20));
            List<Anomaly.Type> with =
                    CycleSearch.find(g).stream().map(Anomaly::type).toList();
            List<Anomaly.Type> without =
                    CycleSearch.find(g, 0).stream().map(Anomaly::type).toList();
            assertThat("round " + round, without, equalTo(with));
            if (with.contains(Anomaly.Type.G_SINGLE)) {
                withG++;
            }
        }
        assertThat("the random graphs must hold some G-single cycles to compare", withG, greaterThan(20));
    }

    @Test
    void everyReportedCycleIsACycleOfItsKind() {
        Random random = new Random(3);
        for (int round = 0; round < 300; round++) {
            DependencyGraph g = randomGraph(random, 2 + random.nextInt(15), random.nextInt(40));
            for (Anomaly a : CycleSearch.find(g)) {
                List<Dependency> c = a.cycle();
                for (int i = 0; i < c.size(); i++) {
                    assertThat(
                            a.toString(),
                            c.get(i).to(),
                            equalTo(c.get((i + 1) % c.size()).from()));
                }
                assertThat(a.toString(), a.txns().stream().distinct().toList(), hasSize(c.size()));
                long rw = c.stream().filter(d -> d.kind() == Kind.RW).count();
                long wr = c.stream().filter(d -> d.kind() == Kind.WR).count();
                switch (a.type()) {
                    case G0 -> assertThat(a.toString(), rw + wr, equalTo(0L));
                    case G1C -> assertThat(a.toString(), rw == 0 && wr > 0, is(true));
                    case G_SINGLE -> assertThat(a.toString(), rw, equalTo(1L));
                    case G2 -> assertThat(a.toString(), rw, greaterThan(1L));
                    default -> throw new AssertionError("not a cycle type: " + a);
                }
            }
        }
    }
}
