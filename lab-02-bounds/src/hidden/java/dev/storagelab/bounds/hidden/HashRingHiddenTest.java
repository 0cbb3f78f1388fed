package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.hash.Hashing;
import dev.storagelab.bounds.HashRing;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Hidden tests of lab-02 T7, {@link HashRing}. The oracle is the ring the contract describes,
 * built in a {@link TreeMap} of positions: virtual node i of node n at
 * {@code murmur3_128(n + "#" + i)}, a key at {@code murmur3_128(key bytes)}, the owner the first
 * position at or after the key's, wrapping around. Then the two properties consistent hashing is
 * for: balance, and minimal movement when membership changes.
 */
@Tag("hidden")
class HashRingHiddenTest {

    @Property(tries = 100)
    @Graded(
            task = "T7",
            points = 3,
            concept = "ring owner is not the successor of the key's hash (wrong hash, wrong position "
                    + "order, or virtual nodes placed elsewhere)")
    void ownerIsTheFirstVirtualNodeAtOrAfterTheKeysHash(
            @ForAll @Size(min = 1, max = 8) Set<@IntRange(max = 999) Integer> ids,
            @ForAll @IntRange(min = 1, max = 40) int virtualNodes,
            @ForAll long seed) {
        List<String> nodes =
                new ArrayList<>(ids.stream().map(id -> "node-" + id).toList());
        Collections.shuffle(nodes, new Random(seed));
        HashRing ring = new HashRing(virtualNodes);
        nodes.forEach(ring::addNode);
        TreeMap<Long, String> oracle = oracleRing(nodes, virtualNodes);
        for (Bytes key : randomKeys(300, seed)) {
            assertThat(
                    "owner of " + key + " (hash " + keyHash(key) + ") on a ring of " + nodes + " with " + virtualNodes
                            + " virtual nodes each: the node of the first position >= the key's hash, wrapping around",
                    ring.owner(key),
                    equalTo(oracleOwner(oracle, key)));
        }
        // a key whose bytes are a virtual node's label hashes to exactly that node's position: ">=" owns it
        for (String node : nodes) {
            for (int i = 0; i < virtualNodes; i++) {
                Bytes key = Bytes.of(node + "#" + i);
                assertThat(
                        "owner of " + key + ", at exactly the position of virtual node " + i + " of " + node,
                        ring.owner(key),
                        equalTo(oracleOwner(oracle, key)));
            }
        }
    }

    @Example
    @Graded(
            task = "T7",
            points = 2,
            concept =
                    "a key hashing past the last ring position is not wrapped around to the first " + "position's node")
    void keysPastTheLastPositionWrapToTheFirst() {
        List<String> nodes = List.of("alpha", "beta", "gamma");
        HashRing ring = new HashRing(1);
        nodes.forEach(ring::addNode);
        TreeMap<Long, String> oracle = oracleRing(nodes, 1);
        long last = oracle.lastKey();
        String first = oracle.firstEntry().getValue();
        int wrapped = 0;
        for (int i = 0; i < 20_000 && wrapped < 25; i++) {
            Bytes key = Bytes.of("wrap-" + i);
            if (keyHash(key) > last) {
                wrapped++;
                assertThat(
                        key + " hashes to " + keyHash(key) + ", past the last position " + last + ": its owner is "
                                + "the node at the first position (the ring wraps around)",
                        ring.owner(key),
                        equalTo(first));
            }
        }
        assertThat("the test needs keys hashing past the last position", wrapped, greaterThan(0));
    }

    @Example
    @Graded(
            task = "T7",
            points = 2,
            concept = "ring is unbalanced: virtual nodes do not spread each node around the ring")
    void virtualNodesBalanceTheLoad() {
        int n = 8;
        HashRing ring = new HashRing(160);
        for (int i = 0; i < n; i++) {
            ring.addNode("server-" + i);
        }
        Map<String, Integer> load = new HashMap<>();
        List<Bytes> keys = sequentialKeys(40_000);
        keys.forEach(k -> load.merge(ring.owner(k), 1, Integer::sum));
        assertThat("every node must own keys", load.keySet(), equalTo(ring.nodes()));
        for (Map.Entry<String, Integer> e : load.entrySet()) {
            double share = (double) e.getValue() / keys.size();
            assertThat(
                    e.getKey() + " owns " + e.getValue() + " of " + keys.size() + " keys; with 160 virtual nodes "
                            + "each of " + n + " nodes should own about 1/" + n,
                    share,
                    both(greaterThan(0.75 / n)).and(lessThan(1.25 / n)));
        }
    }

    @Example
    @Graded(
            task = "T7",
            points = 3,
            concept = "adding a node moves keys between old nodes, or far more than 1/(n+1) of them")
    void addingANodeMovesAboutOneOverNPlusOneOfTheKeysAndOnlyToIt() {
        List<Bytes> keys = sequentialKeys(20_000);
        for (int n : new int[] {3, 5, 9}) {
            HashRing before = new HashRing(128);
            HashRing after = new HashRing(128);
            for (int i = 0; i < n; i++) {
                before.addNode("shard-" + i);
                after.addNode("shard-" + i);
            }
            String added = "shard-" + n;
            after.addNode(added);
            int moved = 0;
            for (Bytes key : keys) {
                String was = before.owner(key);
                String is = after.owner(key);
                if (!was.equals(is)) {
                    moved++;
                    assertThat(
                            "adding " + added + " to " + n + " nodes moved " + key + " from " + was + " to " + is
                                    + ": a key may only move to the new node",
                            is,
                            equalTo(added));
                }
            }
            double fraction = (double) moved / keys.size();
            assertThat(
                    "adding a node to " + n + " nodes moved " + moved + " of " + keys.size() + " keys; about 1/"
                            + (n + 1) + " should move",
                    fraction,
                    both(greaterThan(0.5 / (n + 1))).and(lessThan(1.5 / (n + 1))));
            assertThat(
                    "movedFraction must be the share of keys whose owner differs (" + moved + " of " + keys.size()
                            + ")",
                    HashRing.movedFraction(before, after, keys),
                    closeTo(fraction, 1e-9));
        }
    }

    @Example
    @Graded(task = "T7", points = 3, concept = "removing a node moves keys it did not own")
    void removingANodeMovesOnlyThatNodesKeys() {
        List<Bytes> keys = sequentialKeys(20_000);
        int n = 6;
        HashRing before = new HashRing(100);
        HashRing after = new HashRing(100);
        for (int i = 0; i < n; i++) {
            before.addNode("cache-" + i);
            after.addNode("cache-" + i);
        }
        String removed = "cache-2";
        after.removeNode(removed);
        int owned = 0;
        for (Bytes key : keys) {
            String was = before.owner(key);
            String is = after.owner(key);
            if (was.equals(removed)) {
                owned++;
                assertThat(key + " belonged to the removed " + removed, is, not(equalTo(removed)));
            } else {
                assertThat(
                        "removing " + removed + " moved " + key + " from " + was + " to " + is
                                + ": only the removed node's keys may move",
                        is,
                        equalTo(was));
            }
        }
        assertThat("the removed node owned some of the keys", owned, greaterThan(0));
        assertThat(
                "movedFraction after removing " + removed + " must be its share of the keys (" + owned + " of "
                        + keys.size() + ")",
                HashRing.movedFraction(before, after, keys),
                closeTo((double) owned / keys.size(), 1e-9));
    }

    @Example
    @Graded(
            task = "T7",
            points = 1,
            concept = "ring membership errors not reported (empty ring, duplicate or unknown node)")
    void membershipErrorsAreReported() {
        HashRing ring = new HashRing(4);
        assertThrows(
                IllegalStateException.class, () -> ring.owner(Bytes.of("k")), "an empty ring has no owner for any key");
        ring.addNode("a");
        ring.addNode("b");
        assertThat("with nodes a and b, every key is owned by one of them", ring.owner(Bytes.of("k")), oneOf("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> ring.addNode("a"), "adding a node twice is an error");
        assertThrows(
                IllegalArgumentException.class, () -> ring.removeNode("c"), "removing an unknown node is an error");
        assertThat("nodes() after adding a and b", ring.nodes(), equalTo(Set.of("a", "b")));
        ring.removeNode("a");
        assertThat("with only b left, b owns every key", ring.owner(Bytes.of("k")), equalTo("b"));
        ring.removeNode("b");
        assertThat("nodes() after removing both", ring.nodes(), empty());
        assertThrows(
                IllegalStateException.class,
                () -> ring.owner(Bytes.of("k")),
                "a ring whose nodes were all removed has no owner");
        assertThrows(IllegalArgumentException.class, () -> new HashRing(0), "a node needs at least one virtual node");
    }

    // ---------------------------------------------------------------------------------- oracle

    private static long keyHash(Bytes key) {
        return Hashing.murmur3_128().hashBytes(key.toByteArray()).asLong();
    }

    private static TreeMap<Long, String> oracleRing(List<String> nodes, int virtualNodes) {
        TreeMap<Long, String> ring = new TreeMap<>();
        for (String node : nodes) {
            for (int i = 0; i < virtualNodes; i++) {
                ring.put(
                        Hashing.murmur3_128()
                                .hashString(node + "#" + i, StandardCharsets.UTF_8)
                                .asLong(),
                        node);
            }
        }
        return ring;
    }

    private static String oracleOwner(TreeMap<Long, String> ring, Bytes key) {
        Map.Entry<Long, String> at = ring.ceilingEntry(keyHash(key));
        return (at != null ? at : ring.firstEntry()).getValue();
    }

    private static List<Bytes> randomKeys(int count, long seed) {
        Random random = new Random(seed);
        return IntStream.range(0, count)
                .mapToObj(i -> {
                    byte[] b = new byte[1 + random.nextInt(12)];
                    random.nextBytes(b);
                    return Bytes.wrap(b);
                })
                .toList();
    }

    private static List<Bytes> sequentialKeys(int count) {
        return IntStream.range(0, count).mapToObj(i -> Bytes.of("user:" + i)).toList();
    }
}
