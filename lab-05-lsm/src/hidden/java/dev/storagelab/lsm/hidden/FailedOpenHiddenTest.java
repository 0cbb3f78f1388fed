package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;

import dev.storagelab.io.CorruptionSweep;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An open of the LSM tree either succeeds with every acknowledged write readable, or fails with a
 * clear error and changes nothing: no new MANIFEST, no CURRENT pointed at it, no level-0 table,
 * no log cut or deleted on the way to the error. Every byte of every file (CURRENT, the MANIFEST,
 * the tables, the log) is inverted in turn.
 *
 * <p>A bad last log record ending at the end of the file looks like a torn write: an open may
 * leave it out, and only it, and must then say so in its recovery report.
 */
@Tag("hidden")
class FailedOpenHiddenTest {

    private static final Bytes LAST = Bytes.of("last-key");

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "a failed open of the LSM tree changes the files it refused (a new MANIFEST, "
                    + "a cut log), or a successful one loses an acknowledged write")
    void anOpenThatFailsLeavesEveryFileAsItWas() throws IOException {
        LsmOptions options = LsmOptions.tiny();
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Map<Bytes, Bytes> acknowledged = new TreeMap<>();
        try (LsmStore store = LsmStore.open(storage, options)) {
            for (int i = 0; i < 60; i++) {
                Bytes key = Bytes.of(String.format("key-%03d", i % 40));
                Bytes value = Bytes.of("value-" + i);
                store.put(key, value);
                acknowledged.put(key, value);
                if (i == 30) {
                    store.flush();
                }
            }
            store.put(LAST, Bytes.of("written last"));
            acknowledged.put(LAST, Bytes.of("written last"));
            store.sync();
        }
        Map<String, byte[]> image = CorruptionSweep.image(storage);
        assertThat("the store's files", image.keySet(), hasItem("CURRENT"));

        CorruptionSweep.Result result = CorruptionSweep.run(image, 120, (damaged, damage) -> {
            try (LsmStore store = LsmStore.open(damaged, options)) {
                boolean cutTail = store.recoveryReport().truncatedBytes() > 0;
                CorruptionSweep.checkAcknowledged(store, acknowledged, damage, key -> cutTail && key.equals(LAST));
            }
        });
        assertThat(
                "some damage must be refused (CURRENT, the MANIFEST and the log are checked on open)",
                result.refused(),
                greaterThan(0));
        assertThat(
                "some damage must open (a table's block is checked when it is read)", result.opened(), greaterThan(0));
    }
}
