package dev.storagelab.bounds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.hash.Hashing;
import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-02 T7: {@link HashRing}, consistent hashing with virtual nodes.
 *
 * <p>The oracle for {@link HashRing#owner} is the specification done by brute force: compute every
 * virtual node's position with Guava's murmur3_128, and take the node with the smallest position
 * {@code >=} the key's hash, or the smallest position overall if there is none. Balance and
 * movement are statistical properties, checked with generous bounds on fixed keys (the hashes are
 * deterministic, so these tests cannot flake).
 */
class HashRingTest {

    private static List<Bytes> keys(int n) {
        List<Bytes> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(Bytes.of("user:" + i));
        }
        return keys;
    }

    private static HashRing ring(int virtualNodes, String... nodes) {
        HashRing ring = new HashRing(virtualNodes);
        for (String node : nodes) {
            ring.addNode(node);
        }
        return ring;
    }

    /** The owner of {@code key} by a linear scan of every virtual node: the spec, slowly. */
    private static String bruteOwner(List<String> nodes, int virtualNodes, Bytes key) {
        long hash = Hashing.murmur3_128().hashBytes(key.toByteArray()).asLong();
        String successor = null;
        long successorPosition = Long.MAX_VALUE;
        String first = null;
        long firstPosition = Long.MAX_VALUE;
        for (String node : nodes) {
            for (int i = 0; i < virtualNodes; i++) {
                long p = Hashing.murmur3_128().hashString(node + "#" + i, UTF_8).asLong();
                if (p >= hash && (successor == null || p < successorPosition)) {
                    successor = node;
                    successorPosition = p;
                }
                if (first == null || p < firstPosition) {
                    first = node;
                    firstPosition = p;
                }
            }
        }
        return successor != null ? successor : first;
    }

    @Test
    void theOwnerIsTheFirstVirtualNodeAtOrAfterTheKeyWrappingAround() {
        for (int virtualNodes : new int[] {1, 3, 50}) {
            List<String> nodes = List.of("alpha", "beta", "gamma", "delta");
            HashRing ring = ring(virtualNodes, nodes.toArray(String[]::new));
            for (Bytes key : keys(2_000)) {
                assertThat(
                        "owner(" + key + ") with " + virtualNodes + " virtual nodes per node: the node of the first"
                                + " ring position >= murmur3_128(key).asLong() (signed long order), wrapping to the first"
                                + " position; node n's virtual node i sits at murmur3_128(n + \"#\" + i)",
                        ring.owner(key),
                        equalTo(bruteOwner(nodes, virtualNodes, key)));
            }
        }
    }

    @Test
    void aRingOfOneNodeOwnsEverything() {
        HashRing ring = ring(1, "only");
        for (Bytes key : keys(500)) {
            assertThat(
                    "with one node and one position, every key wraps around to it", ring.owner(key), equalTo("only"));
        }
    }

    @Test
    void enoughVirtualNodesBalanceTheKeys() {
        String[] nodes = {"n1", "n2", "n3", "n4", "n5"};
        HashRing ring = ring(200, nodes);
        List<Bytes> keys = keys(50_000);
        Map<String, Integer> counts = new HashMap<>();
        for (Bytes key : keys) {
            counts.merge(ring.owner(key), 1, Integer::sum);
        }
        double fair = (double) keys.size() / nodes.length;
        for (String node : nodes) {
            int count = counts.getOrDefault(node, 0);
            assertThat(
                    "with 200 virtual nodes each of 5 nodes owns about 1/5 of the keys; " + node + " owns " + count
                            + " of " + keys.size() + " (all: " + counts + ")",
                    (double) count,
                    allOf(greaterThan(0.7 * fair), lessThan(1.3 * fair)));
        }
    }

    @Test
    void addingANodeMovesAboutOneInNPlusOneKeysAllToTheNewNode() {
        List<Bytes> keys = keys(20_000);
        for (int n = 2; n <= 8; n += 3) {
            HashRing before = new HashRing(150);
            HashRing after = new HashRing(150);
            for (int i = 0; i < n; i++) {
                before.addNode("node" + i);
                after.addNode("node" + i);
            }
            after.addNode("node" + n);
            double expected = 1.0 / (n + 1);
            assertThat(
                    "adding a node to " + n + " should move about 1/(n+1) = " + expected + " of the keys, not the"
                            + " n/(n+1) that hash(key) % n would",
                    HashRing.movedFraction(before, after, keys),
                    closeTo(expected, expected * 0.35));
            for (Bytes key : keys) {
                if (!before.owner(key).equals(after.owner(key))) {
                    assertThat(
                            "a key that moves must move to the new node: the other nodes' positions did not change",
                            after.owner(key),
                            equalTo("node" + n));
                }
            }
        }
    }

    @Test
    void removingANodeMovesOnlyItsKeys() {
        HashRing before = ring(100, "a", "b", "c", "d");
        HashRing after = ring(100, "a", "b", "c", "d");
        after.removeNode("c");
        assertThat("nodes after removing c", after.nodes(), equalTo(Set.of("a", "b", "d")));
        for (Bytes key : keys(5_000)) {
            String owner = before.owner(key);
            if (!owner.equals("c")) {
                assertThat(
                        "removing c must not move " + key + ", which " + owner + " owns",
                        after.owner(key),
                        equalTo(owner));
            }
        }
        assertThat("the same ring moves nothing", HashRing.movedFraction(before, before, keys(1_000)), is(0.0));
    }

    @Test
    void membershipErrorsAreRejected() {
        HashRing ring = ring(10, "a");
        assertThat("a's keys", ring.owner(Bytes.of("k")), equalTo("a"));
        assertThrows(IllegalArgumentException.class, () -> ring.addNode("a"), "a is already on the ring");
        assertThrows(IllegalArgumentException.class, () -> ring.removeNode("zzz"), "zzz is not on the ring");
        ring.removeNode("a");
        assertThrows(
                IllegalStateException.class, () -> ring.owner(Bytes.of("k")), "an empty ring has no owner for any key");
        assertThrows(IllegalArgumentException.class, () -> new HashRing(0), "a node needs at least one position");
    }
}
