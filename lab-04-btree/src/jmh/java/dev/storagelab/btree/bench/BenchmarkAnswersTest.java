package dev.storagelab.btree.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rubric's lab-04 benchmarks check their answers: run directly (no JMH, no timing), they pass
 * on the reference B+tree and throw, naming the wrong answer, on stores that answer wrongly.
 */
class BenchmarkAnswersTest {

    @Test
    void readBenchmarkPassesTheReferenceAndRefusesAStoreThatLosesKeysOrAnswersStale() throws IOException {
        ReadBenchmark bench = new ReadBenchmark();
        bench.impl = "BPlusTree";
        bench.keys = 2000;
        bench.load();
        try {
            KeyOps ops = new KeyOps();
            ReadBenchmark.PageReads reads = new ReadBenchmark.PageReads();
            reads.start(bench);
            ReadBenchmark.Work work = new ReadBenchmark.Work();
            bench.readrandom(ops, reads, work);
            bench.readrandom(ops, reads, work);
            assertThat("the reference answered two batches of gets", ops.keyOps, greaterThan(2000L));
            assertThat(
                    "the counting pass: 2,000 keys fit the pool, so each of the tree's pages is read once",
                    bench.countedReads,
                    allOf(greaterThan(10L), lessThan(100L)));

            OrderedStore tree = bench.store;
            bench.store = new ForwardingOrderedStore(tree) {
                @Override
                public Optional<Bytes> get(Bytes key) {
                    return Optional.empty();
                }
            };
            assertThat(
                    "a get that claims a loaded key is absent fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.readrandom(ops, reads, work))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: BPlusTree: get("),
                            containsString(") returned no value; the loaded data has one")));

            Bytes constant = bench.data.values[0];
            bench.store = new ForwardingOrderedStore(tree) {
                @Override
                public Optional<Bytes> get(Bytes key) {
                    return Optional.of(constant);
                }
            };
            assertThat(
                    "a get that answers one value for every key fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.readrandom(ops, reads, work))
                            .getMessage(),
                    containsString(") returned a value other than the one stored for it"));
            bench.store = tree;
        } finally {
            bench.close();
        }
    }

    @Test
    void fillBenchmarkPassesTheReferenceAndRefusesAStoreThatDropsWrites() throws IOException {
        FillBenchmark bench = new FillBenchmark();
        bench.impl = "BPlusTree";
        bench.order = "random";
        bench.keys = 2000;
        bench.frames = 16;
        bench.storage = "memory";
        bench.warmupFills = 1;
        bench.makeData();
        ScratchDir scratch = new ScratchDir();
        scratch.create();
        try {
            bench.fill(scratch, new KeyOps(), new FillBenchmark.Io(), new FillBenchmark.Work());
            double amplification = (double) bench.countedBytesWritten / bench.countedUserBytes;
            assertThat(
                    "the counting pass: a 16-frame pool evicts and writes back pages again and again: " + amplification,
                    amplification,
                    allOf(greaterThan(1.0), lessThan(100.0)));
        } finally {
            scratch.delete();
        }

        try (BPlusTree tree = BPlusTree.open(
                new FaultInjectingStorage(), BTreeOptions.defaults().withPoolFrames(16))) {
            KeyValueStore dropping = new ForwardingOrderedStore(tree) {
                private int puts;

                @Override
                public void put(Bytes key, Bytes value) throws IOException {
                    if (puts++ % 2 == 0) {
                        super.put(key, value);
                    }
                }
            };
            assertThat(
                    "a store that drops half its writes fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.putAll(dropping))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: BPlusTree: get("),
                            containsString(") after the fill returned no value;")));
        }
    }
}
