package dev.storagelab.sortedlog;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.ConcurrentSkipListMemtable;
import dev.storagelab.kv.Memtable;
import java.util.function.Supplier;

/**
 * How a {@link SortedLogStore} behaves. Immutable; build with {@link #builder()}.
 *
 * @param memtableBytes     flush the memtable once it holds this many bytes
 * @param blockSize         target segment block size
 * @param syncWrites        force the log after every write
 * @param compactionTrigger compact all segments in the background once there are this many; 0
 *                          means only when {@link SortedLogStore#compact()} is called
 * @param recoveryMode      what to do with a bad record at a log's end on open
 * @param memtableFactory   makes each new memtable (lab-03 plugs its own in here)
 */
public record SortedLogOptions(
        long memtableBytes,
        int blockSize,
        boolean syncWrites,
        int compactionTrigger,
        RecoveryMode recoveryMode,
        Supplier<Memtable> memtableFactory) {

    public SortedLogOptions {
        checkArgument(memtableBytes >= 1024, "memtableBytes must be at least 1024: %s", memtableBytes);
        checkArgument(blockSize >= 64 && blockSize <= (1 << 24), "blockSize must be in [64, 16 MiB]: %s", blockSize);
        checkArgument(
                compactionTrigger == 0 || compactionTrigger >= 2,
                "compactionTrigger must be 0 (manual) or at least 2: %s",
                compactionTrigger);
        checkNotNull(recoveryMode, "recoveryMode");
        checkNotNull(memtableFactory, "memtableFactory");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 4 MiB memtable, 4 KiB blocks, no sync per write, compaction at 8 segments. */
    public static SortedLogOptions defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder()
                .memtableBytes(memtableBytes)
                .blockSize(blockSize)
                .syncWrites(syncWrites)
                .compactionTrigger(compactionTrigger)
                .recoveryMode(recoveryMode)
                .memtableFactory(memtableFactory);
    }

    public static final class Builder {
        private long memtableBytes = 4L << 20;
        private int blockSize = SegmentFormat.DEFAULT_BLOCK_SIZE;
        private boolean syncWrites;
        private int compactionTrigger = 8;
        private RecoveryMode recoveryMode = RecoveryMode.TOLERATE_TORN_TAIL;
        private Supplier<Memtable> memtableFactory = ConcurrentSkipListMemtable::new;

        public Builder memtableBytes(long v) {
            memtableBytes = v;
            return this;
        }

        public Builder blockSize(int v) {
            blockSize = v;
            return this;
        }

        public Builder syncWrites(boolean v) {
            syncWrites = v;
            return this;
        }

        public Builder compactionTrigger(int v) {
            compactionTrigger = v;
            return this;
        }

        public Builder recoveryMode(RecoveryMode v) {
            recoveryMode = v;
            return this;
        }

        public Builder memtableFactory(Supplier<Memtable> v) {
            memtableFactory = v;
            return this;
        }

        public SortedLogOptions build() {
            return new SortedLogOptions(
                    memtableBytes, blockSize, syncWrites, compactionTrigger, recoveryMode, memtableFactory);
        }
    }
}
