package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KilledChildTest {

    private final String before = System.getProperty(KilledChild.HEAP_PROPERTY);

    @AfterEach
    void restoreProperty() {
        if (before == null) {
            System.clearProperty(KilledChild.HEAP_PROPERTY);
        } else {
            System.setProperty(KilledChild.HEAP_PROPERTY, before);
        }
    }

    @Test
    void theChildHeapIsTheGradersCapInAContainer() {
        System.setProperty(KilledChild.HEAP_PROPERTY, "64");
        assertThat("a grader in a container sets the child's heap", KilledChild.heapMegabytes(), is(64));
    }

    @Test
    void thePropertyIsTheOneTheGraderSets() {
        assertThat(
                "the grader's Rubric.CHILD_HEAP_PROPERTY names it",
                KilledChild.HEAP_PROPERTY,
                is("storagelab.child.heap.mb"));
    }

    @Test
    void withoutACapTheChildGetsTheDefaultHeap() {
        System.clearProperty(KilledChild.HEAP_PROPERTY);
        assertThat(KilledChild.heapMegabytes(), is(KilledChild.DEFAULT_HEAP_MB));
    }

    @Test
    void aValueThatIsNotASizeInRangeKeepsTheDefaultHeap() {
        for (String wrong : new String[] {"8", "64m", "-Xmx2g", "99999", "64 -javaagent:x.jar", ""}) {
            System.setProperty(KilledChild.HEAP_PROPERTY, wrong);
            assertThat(
                    "'" + wrong + "' is not a heap size from 16 to 4096 MiB",
                    KilledChild.heapMegabytes(),
                    is(KilledChild.DEFAULT_HEAP_MB));
        }
    }
}
