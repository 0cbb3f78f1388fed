package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.BenchData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A public test of the LSM tree over an engine with a planted bug: its compactions lose one key
 * (a compaction filter that drops it, where a student's merge might). {@link VizBrowserTest} runs
 * it through the JUnit launcher as {@code ./storagelab test} runs a lab's tests, so that it fails
 * and leaves its recording; the name keeps Surefire from running it on its own.
 */
class PlantedBugExample {

    static final int KEYS = 600;
    static final int LOST = 7;

    static Bytes key(int i) {
        return Bytes.wrap(BenchData.keyBytes(i));
    }

    @Test
    void everyKeySurvivesCompaction(@TempDir Path dir) throws Exception {
        byte[] lost = BenchData.keyBytes(LOST);
        LsmOptions buggy =
                LsmOptions.tiny().withCompactionFilter((level, bottommost) -> (k, v) -> Arrays.equals(k, lost));
        try (LsmStore store = LsmStore.open(DiskStorage.open(dir), buggy)) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < KEYS; i++) {
                    store.put(key(i), Bytes.wrap(("value " + round + " of " + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            store.compactAll();
            for (int i = 0; i < KEYS; i++) {
                Optional<String> got = store.get(key(i)).map(b -> new String(b.toByteArray(), StandardCharsets.UTF_8));
                assertThat("key " + i + " after every compaction", got, is(Optional.of("value 2 of " + i)));
            }
        }
    }
}
