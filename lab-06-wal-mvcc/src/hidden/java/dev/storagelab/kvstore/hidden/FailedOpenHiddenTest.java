package dev.storagelab.kvstore.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.CorruptionSweep;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An open of the crash-safe store either succeeds with every acknowledged write readable, or fails
 * with a clear error and changes nothing: the log's torn tail is cut, and the engine opened, only
 * once the checkpoint record and the log have passed their checks (a log that ends before the
 * checkpoint's LSN is refused with the log as it was). Every byte of every file (the checkpoint
 * record, the log's segments, the engine's files) is inverted in turn, over either engine.
 */
@Tag("hidden")
class FailedOpenHiddenTest {

    private static KvOptions options(KvOptions.EngineKind engine) {
        return KvOptions.defaults()
                .withEngine(engine)
                .withGcInterval(Duration.ZERO)
                .withCheckpointLogBytes(1L << 40)
                .withWal(WalOptions.defaults().withSegmentBytes(400))
                .withBtree(BTreeOptions.defaults().withPageSize(512).withPoolFrames(16))
                .withLsm(LsmOptions.tiny());
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept =
                    "a failed open of the crash-safe store over the B+tree changes the files it "
                            + "refused (the log cut before the checkpoint was checked), or a successful one loses an acknowledged write")
    void anOpenOverTheBtreeThatFailsLeavesEveryFileAsItWas() throws IOException {
        sweep(KvOptions.EngineKind.BTREE);
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "a failed open of the crash-safe store over the LSM tree changes the files it "
                    + "refused (the log cut, or the tree opened, before the checkpoint was checked), or a successful one "
                    + "loses an acknowledged write")
    void anOpenOverTheLsmTreeThatFailsLeavesEveryFileAsItWas() throws IOException {
        sweep(KvOptions.EngineKind.LSM);
    }

    private static void sweep(KvOptions.EngineKind engine) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Map<Bytes, Bytes> acknowledged = new TreeMap<>();
        try (KvStore store = KvStore.open(storage, options(engine))) {
            for (int i = 0; i < 30; i++) {
                Bytes key = Bytes.of(String.format("key-%02d", i % 20));
                Bytes value = Bytes.of("value-" + i);
                store.put(key, value);
                acknowledged.put(key, value);
                if (i == 15) {
                    store.checkpoint();
                }
            }
        }
        CorruptionSweep.Result result = CorruptionSweep.run(CorruptionSweep.image(storage), 100, (damaged, damage) -> {
            try (KvStore store = KvStore.open(damaged, options(engine))) {
                CorruptionSweep.checkAcknowledged(store, acknowledged, damage, key -> false);
            }
        });
        assertThat(
                "some damage must be refused (the checkpoint record and the log are checked on open)",
                result.refused(),
                greaterThan(0));
        assertThat("some damage must open (bytes no open reads)", result.opened(), greaterThan(0));
    }
}
