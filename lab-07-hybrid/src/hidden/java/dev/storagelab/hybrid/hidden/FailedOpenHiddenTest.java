package dev.storagelab.hybrid.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.io.CorruptionSweep;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An open of the hybrid store either succeeds with every acknowledged write readable, or fails
 * with a clear error and changes nothing: the engines open only once the checkpoint record and the
 * log have passed their checks, the routing table's read writes nothing, and neither engine's open
 * writes before it has decided. Every byte of every file (the routing table, the checkpoint record,
 * the log, the B+tree's pages, the LSM tree's CURRENT, MANIFEST and tables) is inverted in turn.
 */
@Tag("hidden")
class FailedOpenHiddenTest {

    @Test
    @Graded(
            task = "T6",
            points = 4,
            concept =
                    "a failed open of the hybrid store changes the files it refused (an engine "
                            + "opened, or the log cut, before the checkpoint was checked), or a successful one loses an acknowledged write")
    void anOpenThatFailsLeavesEveryFileAsItWas() throws IOException {
        FakeTicker ticker = new FakeTicker();
        HybridOptions options = Hybrids.options(ticker).build();
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Map<Bytes, Bytes> acknowledged = new TreeMap<>();
        try (HybridStore store = Hybrids.open(storage, options)) {
            for (int i = 0; i < 40; i++) {
                store.put(Hybrids.key(i), Hybrids.value(i, 1));
                acknowledged.put(Hybrids.key(i), Hybrids.value(i, 1));
            }
            for (int i = 0; i < 40; i += 4) {
                store.move(Hybrids.key(i), Placement.HOT); // some keys in each engine
            }
            store.checkpoint();
            for (int i = 0; i < 40; i += 3) {
                store.put(Hybrids.key(i), Hybrids.value(i, 2));
                acknowledged.put(Hybrids.key(i), Hybrids.value(i, 2));
            }
        }
        CorruptionSweep.Result result = CorruptionSweep.run(CorruptionSweep.image(storage), 60, (damaged, damage) -> {
            try (HybridStore store = Hybrids.open(damaged, options)) {
                CorruptionSweep.checkAcknowledged(store, acknowledged, damage, key -> false);
            }
        });
        assertThat(
                "some damage must be refused (the routing table, checkpoint record and log are checked on open)",
                result.refused(),
                greaterThan(0));
        assertThat("some damage must open (bytes no open reads)", result.opened(), greaterThan(0));
    }
}
