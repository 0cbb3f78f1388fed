package dev.storagelab.bst.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.bst.SkipListMap;
import dev.storagelab.lab.Graded;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden test of lab-03 T5 and T6 under contention: lookups of keys that are present the whole
 * time, while a writer keeps linking smaller keys in right in front of them. A search that reads
 * a link, and later reads the same link again trusting it has not changed, answers "absent" for
 * a present key once in a few million lookups; this test packs many millions of such chances into
 * a few seconds (few stable keys, every insert lands in front of one).
 */
@Tag("hidden")
class SkipListRereadHiddenTest {

    private static final int STABLE = 64;
    private static final long GAP = 1L << 40;
    private static final int WRITES = 400_000;

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "skip list get or floor misses a key that is present the whole time, when a writer "
                    + "links a smaller key in front of it during the search (a link read twice)")
    void lookupsNeverMissAPresentKeyWhileSmallerKeysAreLinkedInFrontOfIt() throws InterruptedException {
        SkipListMap<Long, Long> map = new SkipListMap<>(null, 5L);
        for (long j = 1; j <= STABLE; j++) {
            map.put(j * GAP, j);
        }
        ConcurrentLinkedQueue<String> misses = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(
                () -> {
                    try {
                        // Each new key lands just below a stable key, closer than any earlier one: it becomes
                        // that key's new predecessor on level 0, the link a concurrent lookup of it reads.
                        Random random = new Random(11);
                        for (int i = 0; i < WRITES; i++) {
                            long stable = (1 + random.nextInt(STABLE)) * GAP;
                            map.put(stable - 1 - (WRITES - i), -1L);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        done.set(true);
                    }
                },
                "writer");
        Thread reader = new Thread(
                () -> {
                    try {
                        long lookups = 0;
                        while (!done.get() && misses.size() < 5) {
                            long j = 1 + lookups++ % STABLE;
                            Long value = map.get(j * GAP);
                            if (value == null || value != j) {
                                misses.add("get(" + j * GAP + ") returned " + value + " (lookup " + lookups + ")");
                            }
                            Map.Entry<Long, Long> floor = map.floorEntry(j * GAP);
                            if (floor == null || floor.getKey() != j * GAP) {
                                misses.add(
                                        "floorEntry(" + j * GAP + ") returned " + floor + " (lookup " + lookups + ")");
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                },
                "reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
        writer.join(TimeUnit.SECONDS.toMillis(60));
        done.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(60));
        if (!failures.isEmpty()) {
            AssertionError error =
                    new AssertionError("a thread failed while a writer linked keys in front of stable ones");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        assertThat(
                "lookups of keys present the whole time must find them, whatever the writer links in front of "
                        + "them meanwhile; misses",
                List.copyOf(misses),
                empty());
        assertThat(
                "after the run, the map holds the stable keys and every key the writer added",
                map.size(),
                equalTo(STABLE + WRITES));
    }
}
