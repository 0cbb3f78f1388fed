package dev.storagelab.bounds.hidden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.storagelab.bounds.HashRing;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.LincheckSupport;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden linearizability test of lab-02 T7's hash ring, with Lincheck's model checker: two rings
 * (a process may hold one per keyspace) take node additions, removals and owner lookups from
 * two threads, and every interleaving of those small scenarios must give each operation the
 * result of some sequential order, checked against a ring written here from the handout's
 * definition. It catches what a single-threaded test cannot: a lookup that searches one table
 * and reads the owner from the next one (the volatile read twice), and a build that shares
 * scratch state between rings outside any lock.
 *
 * <p>Deterministic: Lincheck 2.x draws its scenarios from a fixed seed, and the counts of
 * scenarios and explored interleavings below are fixed.
 */
@Tag("hidden")
@Param(name = "ring", gen = IntGen.class, conf = "0:1")
@Param(name = "node", gen = IntGen.class, conf = "1:2")
@Param(name = "key", gen = IntGen.class, conf = "1:4")
public class HashRingLincheckHiddenTest {

    /** Few virtual nodes: positions interleave, yet a table stays a few entries long. */
    private static final int VIRTUAL_NODES = 3;

    /** Out of Lincheck's walk of this object, which fails on the ring's record (its table). */
    private final Supplier<List<HashRing>> rings;

    public HashRingLincheckHiddenTest() {
        LincheckSupport.instrument(HashRing.class);
        HashRing first = new HashRing(VIRTUAL_NODES);
        HashRing second = new HashRing(VIRTUAL_NODES);
        first.addNode(node(1));
        second.addNode(node(1));
        rings = LincheckSupport.unwalked(List.of(first, second));
    }

    @Operation
    public void addNode(@Param(name = "ring") int ring, @Param(name = "node") int node) {
        rings.get().get(ring).addNode(node(node));
    }

    @Operation
    public void removeNode(@Param(name = "ring") int ring, @Param(name = "node") int node) {
        rings.get().get(ring).removeNode(node(node));
    }

    @Operation
    public String owner(@Param(name = "ring") int ring, @Param(name = "key") int key) {
        return rings.get().get(ring).owner(key(key));
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "hash ring not linearizable under concurrent membership changes and lookups "
                    + "(positions and owners read from two tables, or build state shared outside the lock)")
    void everyConcurrentHistoryIsLinearizable() {
        // every history is linearizable for a ring that answers nothing: alone, its one node owns every key
        HashRingLincheckHiddenTest alone = new HashRingLincheckHiddenTest();
        assertThat("alone, a ring of one node", alone.owner(0, 5), equalTo(node(1)));
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(50)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                // A hash is one step: the interleavings explored are the ring's own.
                .addGuarantee(forClasses(name -> name.startsWith("com.google.common."))
                        .allMethods()
                        .treatAsAtomic())
                .sequentialSpecification(Sequential.class);
        // Lincheck reports a hang after 20 s of one run by default: on a busy machine the first run's class
        // transformation alone can take longer, so the bound is the grader's per-test deadline.
        LincheckSupport.check(HashRingLincheckHiddenTest.class, LincheckSupport.invocationTimeout(options, 120_000));
    }

    private static String node(int n) {
        return "node-" + n;
    }

    private static Bytes key(int k) {
        return Bytes.of("user:" + k);
    }

    /**
     * The sequential specification, from the handout's definition: virtual node {@code i} of
     * {@code n} at murmur3_128 of {@code n + "#" + i}, a key at murmur3_128 of its bytes, the
     * owner the first position at or after the key's (wrapping), collisions to the smaller name.
     * Errors as the Javadoc gives them, so a history with a refused call checks too.
     */
    public static final class Sequential {
        private static final HashFunction HASH = Hashing.murmur3_128();
        private final List<TreeSet<String>> nodes =
                List.of(new TreeSet<>(List.of(node(1))), new TreeSet<>(List.of(node(1))));

        public void addNode(int ring, int node) {
            if (!nodes.get(ring).add(node(node))) {
                throw new IllegalArgumentException("already on the ring");
            }
        }

        public void removeNode(int ring, int node) {
            if (!nodes.get(ring).remove(node(node))) {
                throw new IllegalArgumentException("not on the ring");
            }
        }

        public String owner(int ring, int key) {
            TreeMap<Long, String> positions = new TreeMap<>();
            for (String n : nodes.get(ring)) {
                for (int i = 0; i < VIRTUAL_NODES; i++) {
                    positions.merge(
                            HASH.hashString(n + "#" + i, UTF_8).asLong(), n, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                }
            }
            if (positions.isEmpty()) {
                throw new IllegalStateException("the ring has no nodes");
            }
            Map.Entry<Long, String> e = positions.ceilingEntry(
                    HASH.hashBytes(key(key).toByteArray()).asLong());
            return e != null ? e.getValue() : positions.firstEntry().getValue();
        }
    }
}
