package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.MapFeature;
import dev.storagelab.bst.AvlMap;
import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.SkipListMap;
import dev.storagelab.lab.Graded;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Guava testlib's NavigableMap contract, in full, against each of the lab's maps: get, put, remove,
 * navigation, polling, and every view with its own bounds, sizes and iterators.
 */
@Tag("hidden")
class ConformanceHiddenTest {

    @Test
    @Graded(task = "T3", points = 6, concept = "BST honours the full java.util.NavigableMap contract (Guava testlib)")
    void bstMapPassesGuavaNavigableMapSuite() {
        assertThat(
                "cases run",
                Conformance.check(
                        "BstMap",
                        BstMap::new,
                        MapFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION,
                        CollectionFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION),
                greaterThan(30_000));
    }

    @Test
    @Graded(
            task = "T4",
            points = 6,
            concept = "AVL tree honours the full java.util.NavigableMap contract (Guava testlib)")
    void avlMapPassesGuavaNavigableMapSuite() {
        assertThat(
                "cases run",
                Conformance.check(
                        "AvlMap",
                        AvlMap::new,
                        MapFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION,
                        CollectionFeature.FAILS_FAST_ON_CONCURRENT_MODIFICATION),
                greaterThan(30_000));
    }

    @Test
    @Graded(
            task = "T6",
            points = 6,
            concept = "skip list honours the full java.util.NavigableMap contract (Guava testlib)")
    void skipListMapPassesGuavaNavigableMapSuite() {
        assertThat("cases run", Conformance.check("SkipListMap", SkipListMap::new), greaterThan(30_000));
    }
}
