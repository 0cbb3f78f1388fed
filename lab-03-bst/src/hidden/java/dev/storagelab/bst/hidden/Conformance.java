package dev.storagelab.bst.hidden;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import com.google.common.collect.testing.NavigableMapTestSuiteBuilder;
import com.google.common.collect.testing.TestStringSortedMapGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.Feature;
import com.google.common.collect.testing.features.MapFeature;
import junit.framework.Test;
import junit.framework.TestFailure;
import junit.framework.TestResult;
import junit.framework.TestSuite;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs Guava testlib's {@code NavigableMap} conformance suite (thousands of JUnit 3 cases: the
 * map, its key and entry sets, its sub-, head-, tail- and descending views, each at sizes 0, 1
 * and several) against one of the lab's maps, as JUnit 5 dynamic tests. Every dynamic test
 * reports under its factory method, so a failing case costs the graded test that produced it.
 * The suite stops at its first failing case: the graded test has failed by then, and a broken map
 * would otherwise fail all 33,000 cases of its suite, each with a stack trace, for minutes (past
 * the grader's deadline per test, which would then report a timeout instead of the first failure;
 * and in the mutation audit, where each planted bug reruns the suite).
 */
final class Conformance {

    private Conformance() {
    }

    /** Features every map of the lab has: general purpose, null values, removing iterators, sorted order. */
    static final List<Feature<?>> COMMON = List.of(MapFeature.GENERAL_PURPOSE, MapFeature.ALLOWS_NULL_VALUES,
            CollectionFeature.SUPPORTS_ITERATOR_REMOVE, CollectionFeature.KNOWN_ORDER, CollectionSize.ANY);

    /**
     * The suite for maps made by {@code factory}, as dynamic nodes whose tests report under
     * {@code testClass#factoryMethod}.
     */
    static List<DynamicNode> suite(String name, Supplier<NavigableMap<String, String>> factory, Class<?> testClass,
            String factoryMethod, Feature<?>... extra) {
        TestSuite suite = SUITES.computeIfAbsent(name, n -> build(n, factory, extra));
        URI source = URI.create("method:" + testClass.getName() + "#" + factoryMethod + "()");
        return List.of(toNode(suite, source, new AtomicBoolean()));
    }

    /**
     * The suites built so far, by map name. Building one (Guava's builders reflect over every
     * tester class for every derived view and size) costs more than running it; the mutation
     * audit runs the same factory once per planted bug in one JVM, and spent nearly all its time
     * here. A built suite runs again unchanged: each case makes a fresh map through the generator.
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
        }).named(name).withFeatures(features).createTestSuite();
    }

    /**
     * {@code test} as a dynamic node; once a case has failed ({@code failed}), the containers hand
     * JUnit no further case (it pulls a container's children one at a time, running each before
     * it asks for the next).
     */
    private static DynamicNode toNode(Test test, URI source, AtomicBoolean failed) {
        if (test instanceof TestSuite suite) {
            List<DynamicNode> children = new ArrayList<>();
            for (int i = 0; i < suite.testCount(); i++) {
                children.add(toNode(suite.testAt(i), source, failed));
            }
            return DynamicContainer.dynamicContainer(suite.getName(), source, children.stream().takeWhile(c -> !failed.get()));
        }
        return DynamicTest.dynamicTest(test.toString(), source, () -> {
            TestResult result = new TestResult();
            test.run(result);
            for (TestFailure f : Collections.list(result.errors())) {
                failed.set(true);
                throw f.thrownException();
            }
            for (TestFailure f : Collections.list(result.failures())) {
                failed.set(true);
                throw f.thrownException();
            }
            if (result.runCount() != 1) {
                failed.set(true);
                throw new AssertionError("expected the conformance case " + test + " to run once, but it ran "
                        + result.runCount() + " times");
            }
        });
    }
}
