package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;

import dev.storagelab.io.CorruptionSweep;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An open of the sorted store either succeeds with every acknowledged write readable, or fails
 * with a clear error and changes nothing: no leftover deleted, no log replayed into a segment, no
 * new log started on the way to the error. Every byte of every file (segments, leftovers, the
 * log) is inverted in turn, and the store opened on the damaged copy.
 *
 * <p>As {@link CorruptionHiddenTest} documents, a bad last log record ending at the end of the file
 * looks like a torn write: an open may cut it, and only it, and must then say so in its recovery
 * report.
 */
@Tag("hidden")
class FailedOpenHiddenTest {

    private static final Bytes LAST = Bytes.of("last-key");

    @BeforeAll
    static void silenceExpectedWarnings() {
        Engine.quietLogs(true);
    }

    @AfterAll
    static void restoreLogs() {
        Engine.quietLogs(false);
    }

    @Test
    @Graded(
            task = "T8",
            points = 4,
            concept = "a failed open of the sorted store changes the files it refused (deletes a "
                    + "leftover, flushes a log, starts a new one), or a successful one loses an acknowledged write")
    void anOpenThatFailsLeavesEveryFileAsItWas() throws IOException {
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 16)
                .blockSize(128)
                .compactionTrigger(0)
                .build();
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Map<Bytes, Bytes> acknowledged = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int i = 0; i < 40; i++) {
                Bytes key = Bytes.of(String.format("key-%03d", i % 25));
                Bytes value = Bytes.of("value-" + i);
                store.put(key, value);
                acknowledged.put(key, value);
                if (i == 20) {
                    store.flush();
                }
            }
            store.put(LAST, Bytes.of("written last"));
            acknowledged.put(LAST, Bytes.of("written last"));
            store.sync();
        }
        // A flush that crashed before its rename: the open deletes it, but only once it will succeed.
        storage.plant("000099-000099.seg.tmp", new byte[100]);
        Map<String, byte[]> image = CorruptionSweep.image(storage);
        assertThat(
                "the store's files: segments, a log and a leftover", image.keySet(), hasItem("000099-000099.seg.tmp"));

        CorruptionSweep.Result result = CorruptionSweep.run(image, 160, (damaged, damage) -> {
            try (SortedLogStore store = SortedLogStore.open(damaged, options)) {
                boolean cutTail = store.recoveryReport().truncatedBytes() > 0;
                CorruptionSweep.checkAcknowledged(store, acknowledged, damage, key -> cutTail && key.equals(LAST));
            }
        });
        assertThat(
                "some damage must be refused (the segments' footers and indexes are checked on open)",
                result.refused(),
                greaterThan(0));
        assertThat("some damage must open (the leftover's bytes matter to no one)", result.opened(), greaterThan(0));
    }
}
