package dev.storagelab.bst.hidden;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
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
        List<Feature<?>> features = new ArrayList<>(COMMON);
        Collections.addAll(features, extra);
        TestSuite suite = NavigableMapTestSuiteBuilder.using(new TestStringSortedMapGenerator() {
            @Override
            protected SortedMap<String, String> create(Map.Entry<String, String>[] entries) {
                NavigableMap<String, String> map = factory.get();
                for (Map.Entry<String, String> e : entries) {
                    map.put(e.getKey(), e.getValue());
                }
                return map;
            }
        }).named(name).withFeatures(features).createTestSuite();
        URI source = URI.create("method:" + testClass.getName() + "#" + factoryMethod + "()");
        return List.of(toNode(suite, source));
    }

    private static DynamicNode toNode(Test test, URI source) {
        if (test instanceof TestSuite suite) {
            List<DynamicNode> children = new ArrayList<>();
            for (int i = 0; i < suite.testCount(); i++) {
                children.add(toNode(suite.testAt(i), source));
            }
            return DynamicContainer.dynamicContainer(suite.getName(), source, children.stream());
        }
        return DynamicTest.dynamicTest(test.toString(), source, () -> {
            TestResult result = new TestResult();
            test.run(result);
            for (TestFailure f : Collections.list(result.errors())) {
                throw f.thrownException();
            }
            for (TestFailure f : Collections.list(result.failures())) {
                throw f.thrownException();
            }
            if (result.runCount() != 1) {
                throw new AssertionError("expected the conformance case " + test + " to run once, but it ran "
                        + result.runCount() + " times");
            }
        });
    }
}
