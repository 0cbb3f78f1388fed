package dev.storagelab.bst.hidden;

import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.MapFeature;
import dev.storagelab.bst.AvlMap;
import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.SkipListMap;
import dev.storagelab.lab.Graded;
import java.util.List;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Guava testlib's NavigableMap contract, in full, against each of the lab's maps: get, put, remove,
 * navigation, polling, and every view with its own bounds, sizes and iterators.
 */
@Tag("hidden")
class ConformanceHiddenTest {

    @TestFactory
    @Graded(points = 6, concept = "BST honours the full java.util.NavigableMap contract (Guava testlib)")
    List<DynamicNode> bstMapPassesGuavaNavigableMapSuite() {
        return Conformance.suite("BstMap", BstMap::new, getClass(), "bstMapPassesGuavaNavigableMapSuite",
                MapFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION, CollectionFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION);
    }

    @TestFactory
    @Graded(points = 6, concept = "AVL tree honours the full java.util.NavigableMap contract (Guava testlib)")
    List<DynamicNode> avlMapPassesGuavaNavigableMapSuite() {
        return Conformance.suite("AvlMap", AvlMap::new, getClass(), "avlMapPassesGuavaNavigableMapSuite",
                MapFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION, CollectionFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION);
    }

    @TestFactory
    @Graded(points = 6, concept = "skip list honours the full java.util.NavigableMap contract (Guava testlib)")
    List<DynamicNode> skipListMapPassesGuavaNavigableMapSuite() {
        return Conformance.suite("SkipListMap", SkipListMap::new, getClass(), "skipListMapPassesGuavaNavigableMapSuite");
    }
}
