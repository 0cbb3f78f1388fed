package dev.storagelab.bounds.bench;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.storagelab.bounds.HashRing;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.BenchData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The experiment behind the ring table of notes/02-bounds.md (not a JMH benchmark: it counts keys,
 * it does not time anything). For rings of n nodes with v virtual nodes each, it adds one node and
 * measures the share of keys whose owner changes, against consistent hashing's promise of
 * 1/(n + 1), and checks that every key that moved went to the new node. It also measures how
 * evenly the n nodes share the keys (the busiest node's share over the fair share 1/n), and, for
 * comparison, what adding a node moves with {@code hash mod n} and with Guava's jump consistent
 * hash ({@link Hashing#consistentHash(long, int)}).
 *
 * <p>Each trial names its nodes differently ({@code t3/node-0}, {@code t3/node-1}, ...), so the
 * trials place the nodes at independent positions; the table gives the mean and the range over
 * the trials. Run from the workspace root:
 *
 * <pre>
 * mvn -q -o -pl lab-02-bounds exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
 *     -Dexec.args="-cp %classpath dev.storagelab.bounds.bench.RingMovement 100000 20"
 * </pre>
 *
 * (arguments: the number of random 16-byte keys, and the number of trials).
 */
public final class RingMovement {

    static final int[] NODES = {4, 8, 16, 32, 64};
    static final int[] VIRTUAL_NODES = {1, 10, 100, 200};
    private static final HashFunction MURMUR = Hashing.murmur3_128();

    /** What adding one node to rings of {@code nodes} nodes did, over several trials. */
    record Result(
            int nodes,
            int virtualNodes,
            int trials,
            double meanMoved,
            double minMoved,
            double maxMoved,
            long movedElsewhere,
            double meanMaxLoad,
            double maxMaxLoad) {}

    private RingMovement() {}

    /** {@code count} random 16-byte keys from a seeded generator. */
    static List<Bytes> keys(int count, long seed) {
        Random random = new Random(seed);
        List<Bytes> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] k = new byte[BenchData.KEY_BYTES];
            random.nextBytes(k);
            keys.add(Bytes.wrap(k));
        }
        return keys;
    }

    /**
     * Adds node n to rings of nodes 0..n-1, {@code trials} times, and measures what moved.
     *
     * @throws IllegalStateException if {@link HashRing#movedFraction} disagrees with the count
     *                               made here
     */
    static Result measure(int nodes, int virtualNodes, int trials, List<Bytes> keys) {
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        long elsewhere = 0;
        double loadSum = 0;
        double loadMax = 0;
        for (int t = 0; t < trials; t++) {
            HashRing before = new HashRing(virtualNodes);
            HashRing after = new HashRing(virtualNodes);
            for (int i = 0; i < nodes; i++) {
                before.addNode(name(t, i));
                after.addNode(name(t, i));
            }
            String added = name(t, nodes);
            after.addNode(added);
            long moved = 0;
            Map<String, Integer> load = new HashMap<>();
            for (Bytes key : keys) {
                String was = before.owner(key);
                String is = after.owner(key);
                load.merge(was, 1, Integer::sum);
                if (!was.equals(is)) {
                    moved++;
                    if (!is.equals(added)) {
                        elsewhere++;
                    }
                }
            }
            double fraction = (double) moved / keys.size();
            double reported = HashRing.movedFraction(before, after, keys);
            if (Math.abs(reported - fraction) > 1e-12) {
                throw new IllegalStateException("HashRing.movedFraction says " + reported + "; counting owners gives "
                        + fraction + " (" + nodes + " nodes, " + virtualNodes + " virtual nodes)");
            }
            sum += fraction;
            min = Math.min(min, fraction);
            max = Math.max(max, fraction);
            int busiest =
                    load.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            double maxLoad = busiest / ((double) keys.size() / nodes);
            loadSum += maxLoad;
            loadMax = Math.max(loadMax, maxLoad);
        }
        return new Result(nodes, virtualNodes, trials, sum / trials, min, max, elsewhere, loadSum / trials, loadMax);
    }

    /** The share of keys that change owner from {@code hash mod nodes} to {@code hash mod (nodes + 1)}. */
    static double moduloMoved(int nodes, List<Bytes> keys) {
        long moved = 0;
        for (Bytes key : keys) {
            long h = MURMUR.hashBytes(key.toByteArray()).asLong();
            if (Math.floorMod(h, nodes) != Math.floorMod(h, nodes + 1)) {
                moved++;
            }
        }
        return (double) moved / keys.size();
    }

    /** The share of keys that change bucket when Guava's jump consistent hash goes from n to n + 1 buckets. */
    static double jumpMoved(int nodes, List<Bytes> keys) {
        long moved = 0;
        for (Bytes key : keys) {
            long h = MURMUR.hashBytes(key.toByteArray()).asLong();
            if (Hashing.consistentHash(h, nodes) != Hashing.consistentHash(h, nodes + 1)) {
                moved++;
            }
        }
        return (double) moved / keys.size();
    }

    private static String name(int trial, int node) {
        return "t" + trial + "/node-" + node;
    }

    public static void main(String[] args) {
        int keyCount = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Bytes> keys = keys(keyCount, BenchData.SEED);
        Map<Integer, Map<Integer, Result>> results = new HashMap<>();
        for (int n : NODES) {
            for (int v : VIRTUAL_NODES) {
                results.computeIfAbsent(n, x -> new HashMap<>()).put(v, measure(n, v, trials, keys));
            }
        }
        System.out.printf(
                "Adding one node to a ring of n nodes: share of %,d random keys that moved; mean [min, max] over %d trials%n%n",
                keyCount, trials);
        StringBuilder header = new StringBuilder("| n | 1/(n+1) |");
        StringBuilder rule = new StringBuilder("| ---: | ---: |");
        for (int v : VIRTUAL_NODES) {
            header.append(" v = ").append(v).append(" |");
            rule.append(" ---: |");
        }
        System.out.println(header.append(" hash mod n | jump hash |"));
        System.out.println(rule.append(" ---: | ---: |"));
        long elsewhere = 0;
        for (int n : NODES) {
            StringBuilder row = new StringBuilder(String.format("| %d | %.4f |", n, 1.0 / (n + 1)));
            for (int v : VIRTUAL_NODES) {
                Result r = results.get(n).get(v);
                row.append(String.format(" %.4f [%.4f, %.4f] |", r.meanMoved(), r.minMoved(), r.maxMoved()));
                elsewhere += r.movedElsewhere();
            }
            row.append(String.format(" %.4f | %.4f |", moduloMoved(n, keys), jumpMoved(n, keys)));
            System.out.println(row);
        }
        System.out.printf(
                "%nKeys that moved to a node other than the new one, over every ring and trial: %d%n", elsewhere);
        System.out.printf(
                "%nBalance before adding: the busiest node's keys over the fair share (1.00 = perfectly even); "
                        + "mean [worst] over %d trials%n%n",
                trials);
        header = new StringBuilder("| n |");
        rule = new StringBuilder("| ---: |");
        for (int v : VIRTUAL_NODES) {
            header.append(" v = ").append(v).append(" |");
            rule.append(" ---: |");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int n : NODES) {
            StringBuilder row = new StringBuilder(String.format("| %d |", n));
            for (int v : VIRTUAL_NODES) {
                Result r = results.get(n).get(v);
                row.append(String.format(" %.2f [%.2f] |", r.meanMaxLoad(), r.maxMaxLoad()));
            }
            System.out.println(row);
        }
    }
}
