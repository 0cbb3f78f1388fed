package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.kv.Bytes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consistent hashing with virtual nodes: which node of a cluster owns a key (Dynamo, Cassandra,
 * memcached clients). Keys and nodes hash onto the same ring of 64-bit positions; a key belongs
 * to the first node position at or after its own, wrapping around past the largest position.
 *
 * <p>Why a ring and not {@code hash(key) % n}: adding an n+1-th node to a modulo scheme moves
 * almost every key ({@code n/(n+1)} of them), and a cache cluster that moves every key is a cold
 * cache. On a ring, the new node takes over only the arcs in front of its positions: about
 * {@code 1/(n+1)} of the keys move, all of them to the new node.
 *
 * <p>Why virtual nodes: with one position per node, the arcs are uneven (one node may own half
 * the ring). Each node gets {@code virtualNodesPerNode} positions; with enough of them every
 * node's share is close to {@code 1/n}.
 *
 * <p>Hashing is fixed, so every client computes the same owners: a key hashes to
 * {@code Hashing.murmur3_128().hashBytes(key.toByteArray()).asLong()}, and virtual node {@code i}
 * of node {@code n} sits at {@code Hashing.murmur3_128().hashString(n + "#" + i, UTF_8).asLong()}.
 * Positions compare as signed longs. (If two virtual nodes ever land on the same position, the
 * node whose name sorts first keeps it, so owners stay deterministic.)
 *
 * <p>Thread-safe: {@link #owner} reads an immutable table without locking; adding or removing a
 * node builds a new table.
 */
public final class HashRing {

    private static final HashFunction HASH = Hashing.murmur3_128();

    /**
     * The ring as two parallel arrays sorted by position: virtual node {@code j} sits at
     * {@code positions[j]} and belongs to {@code owners[j]}.
     */
    private record Table(long[] positions, String[] owners) {}

    private final int virtualNodesPerNode;

    @GuardedBy("this")
    private final Set<String> nodes = new TreeSet<>();

    private volatile Table table = new Table(new long[0], new String[0]);

    /**
     * An empty ring.
     *
     * @param virtualNodesPerNode how many positions each node gets on the ring; at least 1 (a
     *                            few hundred give an even spread)
     * @throws IllegalArgumentException if {@code virtualNodesPerNode < 1}
     */
    public HashRing(int virtualNodesPerNode) {
        checkArgument(virtualNodesPerNode >= 1, "virtualNodesPerNode must be at least 1: %s", virtualNodesPerNode);
        this.virtualNodesPerNode = virtualNodesPerNode;
    }

    /**
     * Adds {@code node} with its virtual nodes.
     *
     * @throws IllegalArgumentException if the node is already on the ring, or its name is empty
     * @throws NullPointerException     if {@code node} is null
     */
    public synchronized void addNode(String node) {
        checkNotNull(node, "node must not be null");
        checkArgument(!node.isEmpty(), "node name must not be empty");
        checkArgument(!nodes.contains(node), "node %s is already on the ring", node);
        nodes.add(node);
        table = build(nodes, virtualNodesPerNode);
    }

    /**
     * Removes {@code node} and its virtual nodes; its keys move to the nodes that follow its
     * positions on the ring, and no other key moves.
     *
     * @throws IllegalArgumentException if the node is not on the ring
     * @throws NullPointerException     if {@code node} is null
     */
    public synchronized void removeNode(String node) {
        checkNotNull(node, "node must not be null");
        checkArgument(nodes.contains(node), "node %s is not on the ring (nodes: %s)", node, nodes);
        nodes.remove(node);
        table = build(nodes, virtualNodesPerNode);
    }

    /** The nodes on the ring, sorted by name; an immutable copy. */
    public synchronized Set<String> nodes() {
        return ImmutableSortedSet.copyOf(nodes);
    }

    /** Where virtual node {@code i} of {@code node} sits on the ring. */
    static long position(String node, int i) {
        return HASH.hashString(node + "#" + i, UTF_8).asLong();
    }

    /** Where {@code key} sits on the ring. */
    static long position(Bytes key) {
        return HASH.hashBytes(key.toByteArray()).asLong();
    }

    /**
     * The table of {@code nodes}: for every node {@code n} and every {@code i} in
     * {@code [0, virtualNodes)}, a virtual node at {@link #position(String, int)} owned by
     * {@code n}, sorted by position (signed long order, which is what {@link Long#compare} and a
     * {@code TreeMap<Long, String>} use). If two virtual nodes collide, keep the owner whose name
     * sorts first.
     */
    private static Table build(Set<String> nodes, int virtualNodes) {
        // BEGIN SOLUTION lab-02 T7
        TreeMap<Long, String> ring = new TreeMap<>();
        for (String node : nodes) {
            for (int i = 0; i < virtualNodes; i++) {
                ring.merge(position(node, i), node, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        long[] positions = new long[ring.size()];
        String[] owners = new String[ring.size()];
        int j = 0;
        for (Map.Entry<Long, String> e : ring.entrySet()) {
            positions[j] = e.getKey();
            owners[j] = e.getValue();
            j++;
        }
        return new Table(positions, owners);
        // END SOLUTION
    }

    /**
     * The node that owns {@code key}: the owner of the first position {@code >=} the key's
     * {@link #position(Bytes)}, wrapping around to the first position when the key hashes past
     * the last one. A lower-bound binary search over the sorted positions (as
     * {@link Bounds#lowerBound(int[], int)}, on {@code long}s): O(log(nodes × virtual nodes)).
     *
     * @throws IllegalStateException if the ring has no nodes
     * @throws NullPointerException  if {@code key} is null
     */
    public String owner(Bytes key) {
        checkNotNull(key, "key must not be null");
        Table t = table; // one read of the volatile: positions and owners from the same table
        if (t.positions().length == 0) {
            throw new IllegalStateException("the ring has no nodes; add one before asking for an owner");
        }
        long hash = position(key);
        long[] positions = t.positions();
        // BEGIN SOLUTION lab-02 T7
        int lo = 0;
        int hi = positions.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (positions[mid] < hash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return t.owners()[lo == positions.length ? 0 : lo];
        // END SOLUTION
    }

    /**
     * The share of {@code keys} whose owner in {@code after} differs from their owner in
     * {@code before}: the cost of a membership change. Adding one node to n should move about
     * {@code 1/(n+1)}.
     *
     * @throws IllegalArgumentException if {@code keys} is empty
     * @throws IllegalStateException    if a ring has no nodes
     * @throws NullPointerException     if an argument is null
     */
    public static double movedFraction(HashRing before, HashRing after, List<Bytes> keys) {
        checkNotNull(before, "before must not be null");
        checkNotNull(after, "after must not be null");
        checkNotNull(keys, "keys must not be null");
        checkArgument(!keys.isEmpty(), "keys must not be empty: the moved fraction of no keys is undefined");
        long moved = 0;
        for (Bytes key : keys) {
            if (!before.owner(key).equals(after.owner(key))) {
                moved++;
            }
        }
        return (double) moved / keys.size();
    }

    @Override
    public String toString() {
        return "HashRing" + nodes() + " x" + virtualNodesPerNode;
    }
}
