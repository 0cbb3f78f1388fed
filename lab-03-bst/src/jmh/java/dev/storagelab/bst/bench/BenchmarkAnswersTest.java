package dev.storagelab.bst.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The rubric's lab-03 benchmarks check their answers: run directly (no JMH, no timing), they pass
 * on the reference and throw, naming the wrong answer, on maps that answer wrongly.
 */
class BenchmarkAnswersTest {

    private static OrderedMapBenchmark bench(String impl) {
        OrderedMapBenchmark bench = new OrderedMapBenchmark();
        bench.impl = impl;
        bench.keys = 1000;
        bench.makeKeys();
        return bench;
    }

    @Test
    void putBenchmarkPassesTheReferenceAndRefusesAMapThatDropsWrites() {
        OrderedMapBenchmark bench = bench("SkipListMap");
        assertThat(
                "the reference skip list holds every key put",
                bench.put(new OrderedMapBenchmark.KeyCounter()).size(),
                is(1000));

        /* Counts its puts and answers as a new map would, but stores one key in 100. */
        TreeMap<Bytes, Bytes> dropping = new TreeMap<>() {
            private int puts;

            @Override
            public Bytes put(Bytes key, Bytes value) {
                if (puts++ % 100 == 0) {
                    super.put(key, value);
                }
                return null;
            }

            @Override
            public int size() {
                return puts;
            }
        };
        assertThat(
                "a map that drops writes fails the benchmark",
                assertThrows(IllegalStateException.class, () -> bench.fill(dropping))
                        .getMessage(),
                allOf(
                        startsWith("wrong answer: SkipListMap: get("),
                        containsString(") after the fill returned null;")));
    }

    @Test
    void getBenchmarkPassesTheReferenceAndRefusesAMapThatLosesKeysOrReturnsAnotherValue() {
        OrderedMapBenchmark bench = bench("AvlMap");
        OrderedMapBenchmark.Loaded loaded = new OrderedMapBenchmark.Loaded();
        loaded.load(bench);
        OrderedMapBenchmark.KeyCounter counter = new OrderedMapBenchmark.KeyCounter();
        OrderedMapBenchmark.Work work = new OrderedMapBenchmark.Work();
        bench.get(loaded, counter, work);
        assertThat("the reference AVL tree answered every key of the batch", counter.keyOps, is(1000L));
        double perGet = (double) bench.countedComparisons / bench.countedGets;
        assertThat(
                "the counting pass: a put and a get in an AVL tree of 1,000 keys compare about log2(1000) = 10"
                        + " times each: " + perGet,
                perGet,
                allOf(greaterThan(16.0), lessThan(24.0)));

        TreeMap<Bytes, Bytes> losing = new TreeMap<>(loaded.map);
        losing.pollLastEntry();
        losing.pollFirstEntry();
        loaded.map = losing;
        assertThat(
                "a get that claims a put key is absent fails the benchmark",
                assertThrows(IllegalStateException.class, () -> bench.get(loaded, counter, work))
                        .getMessage(),
                allOf(
                        startsWith("wrong answer: AvlMap: get("),
                        containsString(") returned no value; the key was put with itself")));

        Bytes someoneElse = Bytes.of("key-999999999999");
        assertThat(
                "a get that returns another key's value fails the benchmark",
                assertThrows(IllegalStateException.class, () -> bench.checkedGet(0, someoneElse))
                        .getMessage(),
                containsString(") returned " + someoneElse + "; the key was put with itself"));
    }
}
