package dev.storagelab.bst.hidden;

import com.google.common.collect.testing.NavigableMapTestSuiteBuilder;
import com.google.common.collect.testing.TestStringSortedMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.Feature;
import com.google.common.collect.testing.features.MapFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import junit.framework.Test;
import junit.framework.TestFailure;
import junit.framework.TestResult;
import junit.framework.TestSuite;

/**
 * Runs Guava testlib's {@code NavigableMap} conformance suite (about 33,000 JUnit 3 cases per map:
 * the map, its key and entry sets, its sub-, head-, tail- and descending views, each at sizes 0,
 * 1 and several) against one of the lab's maps, inside one JUnit 5 test: the graded test fails
 * with the first failing case, named, and stops there.
 *
 * <p>Not as JUnit 5 dynamic tests, as it first did. A broken map then failed all 33,000 cases,
 * each with a stack trace, for minutes (past the grader's deadline per test, which reported a
 * timeout instead of the first failure). And PIT's JUnit 5 plugin treats every dynamic test as a
 * test of its own, calling the factory (which builds all 33,000 nodes) once per case and per
 * planted bug: lab-03's mutation audit never finished.
 */
final class Conformance {

    private Conformance() {}

    /** Features every map of the lab has: general purpose, null values, removing iterators, sorted order. */
    static final List<Feature<?>> COMMON = List.of(
            MapFeature.GENERAL_PURPOSE,
            MapFeature.ALLOWS_NULL_VALUES,
            CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
            CollectionFeature.KNOWN_ORDER,
            CollectionSize.ANY);

    /**
     * Runs the suite for maps made by {@code factory}; returns how many cases ran.
     *
     * @throws AssertionError naming the first case that failed, with its failure as the cause
     */
    static int check(String name, Supplier<NavigableMap<String, String>> factory, Feature<?>... extra) {
        TestSuite suite = SUITES.computeIfAbsent(name, n -> build(n, factory, extra));
        return run(suite);
    }

    /**
     * The suites built so far, by map name. Building one (Guava's builders reflect over every
     * tester class for every derived view and size) costs more than running it (0.9-1.9 s against
     * 0.4-1.3 s on 2 loaded cores); the mutation audit runs each check once per planted bug in one
     * JVM. A built suite runs again unchanged: each case makes a fresh map through the generator.
     */
    private static final Map<String, TestSuite> SUITES = new ConcurrentHashMap<>();

    private static TestSuite build(String name, Supplier<NavigableMap<String, String>> factory, Feature<?>... extra) {
        List<Feature<?>> features = new ArrayList<>(COMMON);
        Collections.addAll(features, extra);
        return NavigableMapTestSuiteBuilder.using(new TestStringSortedMapGenerator() {
                    @Override
                    protected SortedMap<String, String> create(Map.Entry<String, String>[] entries) {
                        NavigableMap<String, String> map = factory.get();
                        for (Map.Entry<String, String> e : entries) {
                            map.put(e.getKey(), e.getValue());
                        }
                        return map;
                    }
                })
                .named(name)
                .withFeatures(features)
                .createTestSuite();
    }

    /** Runs {@code test}'s cases in order until one fails; returns how many ran. */
    private static int run(Test test) {
        if (test instanceof TestSuite suite) {
            int ran = 0;
            for (int i = 0; i < suite.testCount(); i++) {
                ran += run(suite.testAt(i));
            }
            return ran;
        }
        TestResult result = new TestResult();
        test.run(result);
        for (TestFailure f : Collections.list(result.errors())) {
            throw new AssertionError(
                    "conformance case " + test + " failed: " + f.thrownException(), f.thrownException());
        }
        for (TestFailure f : Collections.list(result.failures())) {
            throw new AssertionError(
                    "conformance case " + test + " failed: " + f.thrownException(), f.thrownException());
        }
        if (result.runCount() != 1) {
            throw new AssertionError("expected the conformance case " + test + " to run once, but it ran "
                    + result.runCount() + " times");
        }
        return 1;
    }
}
