package dev.storagelab.hybrid;

import com.google.common.testing.FakeTicker;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.cost.PlacementCost;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.time.Duration;

/** What the lab-07 tests share: small engines, simulated time, a cost model with a known crossover. */
public final class Hybrids {

    private Hybrids() {}

    /** A key read at least this many times is cheaper on the B+tree under {@link #READS_DECIDE}. */
    public static final int HOT_READS = 3;

    /**
     * A cost model whose answer the tests know: a key read {@link #HOT_READS} times or more costs 1 on
     * the B+tree and 10 on the LSM tree; any other key the other way round.
     */
    public static final PlacementCost READS_DECIDE = (placement, stats) -> {
        boolean hot = stats.reads() >= HOT_READS;
        return (placement == Placement.HOT) == hot ? 1 : 10;
    };

    /**
     * Small engines (1 KiB pages, tiny LSM sizes, no background threads), every write forced, no
     * maintenance thread, the {@link #READS_DECIDE} model with no residency, no hysteresis and any
     * payback, the router asked after every access, no cache: each test adds what it studies.
     */
    public static HybridOptions.Builder options(FakeTicker ticker) {
        return HybridOptions.builder()
                .cache("arc", 0)
                .costModel(READS_DECIDE)
                .hysteresis(0)
                .minResidency(Duration.ZERO)
                .paybackWindows(1e9)
                .considerEvery(1)
                .migrationBudget(1_000, 1_000)
                .maintenance(Duration.ofSeconds(1), false)
                .clock(ticker, ticker::advance)
                .syncMode(SyncMode.EVERY_WRITE)
                .checkpointLogBytes(1L << 40)
                .btree(BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32))
                .lsm(LsmOptions.tiny());
    }

    public static HybridStore open(FaultInjectingStorage storage, HybridOptions options) throws IOException {
        return HybridStore.open(storage, options);
    }

    public static Bytes key(int i) {
        return Bytes.of(String.format("key%05d", i));
    }

    public static Bytes value(int i, int version) {
        return Bytes.of("value-" + i + "-v" + version);
    }
}
