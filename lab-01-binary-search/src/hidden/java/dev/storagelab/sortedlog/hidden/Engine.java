package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A store under test and how it is configured: a {@link HashIndexLog}, or a {@link SortedLogStore}
 * with a small memtable and small blocks so that a short workload flushes often, writes
 * multi-block segments and compacts.
 *
 * @param sorted            a SortedLogStore rather than a HashIndexLog
 * @param syncWrites        force the log on every write
 * @param compactionTrigger the SortedLogStore's automatic compaction trigger (0: manual only)
 * @param recoveryMode      what a bad record at a log's end means on open
 */
record Engine(boolean sorted, boolean syncWrites, int compactionTrigger, RecoveryMode recoveryMode) {

    /** The memtable budget of the SortedLogStore under test: a few dozen small writes. */
    static final int MEMTABLE_BYTES = 2048;
    /** The block size of the SortedLogStore under test: several blocks per segment. */
    static final int BLOCK_SIZE = 256;

    static Engine hashIndexLog(boolean syncWrites) {
        return new Engine(false, syncWrites, 0, RecoveryMode.TOLERATE_TORN_TAIL);
    }

    static Engine sortedLogStore(boolean syncWrites, int compactionTrigger) {
        return new Engine(true, syncWrites, compactionTrigger, RecoveryMode.TOLERATE_TORN_TAIL);
    }

    /** The same engine, refusing any bad record on open: a log left with garbage fails to open. */
    Engine strict() {
        return new Engine(sorted, syncWrites, compactionTrigger, RecoveryMode.ABSOLUTE_CONSISTENCY);
    }

    KeyValueStore open(Storage storage) throws IOException {
        if (!sorted) {
            return HashIndexLog.open(storage, new HashIndexLog.Options(syncWrites, recoveryMode));
        }
        return SortedLogStore.open(
                storage,
                SortedLogOptions.builder()
                        .memtableBytes(MEMTABLE_BYTES)
                        .blockSize(BLOCK_SIZE)
                        .syncWrites(syncWrites)
                        .compactionTrigger(compactionTrigger)
                        .recoveryMode(recoveryMode)
                        .build());
    }

    /** The SortedLogStore's logger, held so its level sticks; see {@link #quietLogs}. */
    private static final Logger STORE_LOG = Logger.getLogger(SortedLogStore.class.getName());

    /**
     * Silences the SortedLogStore's log while {@code quiet} is set: tests that crash the store on
     * purpose thousands of times would otherwise bury the test output in expected warnings.
     */
    static void quietLogs(boolean quiet) {
        STORE_LOG.setLevel(quiet ? Level.OFF : null);
    }

    /**
     * Closes {@code store} (null is fine), ignoring failure: closing a store whose storage crashed
     * fails, and what matters then is that it lets go of its files and its background thread.
     */
    static void closeQuietly(KeyValueStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (IOException | RuntimeException ignored) {
                // expected after a simulated crash
            }
        }
    }

    /**
     * Applies a write or maintenance step to {@code store} and returns the store to go on with: a
     * freshly opened one after {@link Op.Reopen}. Gets and power losses are the caller's, who
     * checks or stages them.
     */
    KeyValueStore apply(KeyValueStore store, Storage storage, Op op) throws IOException {
        if (op instanceof Op.Put p) {
            store.put(p.key(), p.value());
        } else if (op instanceof Op.Delete d) {
            store.delete(d.key());
        } else if (op instanceof Op.Sync) {
            store.sync();
        } else if (op instanceof Op.Flush) {
            flush(store);
        } else if (op instanceof Op.Compact) {
            compact(store);
        } else if (op instanceof Op.Reopen) {
            store.close();
            return open(storage);
        } else {
            throw new IllegalArgumentException(op + " is for the caller to run, not a step to apply");
        }
        return store;
    }

    /** Flushes a SortedLogStore's memtable; a HashIndexLog has none. */
    static void flush(KeyValueStore store) throws IOException {
        if (store instanceof SortedLogStore s) {
            s.flush();
        }
    }

    /** Compacts a SortedLogStore's segments; a HashIndexLog has none. */
    static void compact(KeyValueStore store) throws IOException {
        if (store instanceof SortedLogStore s) {
            s.compact();
        }
    }

    @Override
    public String toString() {
        return (sorted
                        ? "SortedLogStore(memtableBytes=" + MEMTABLE_BYTES + ", blockSize=" + BLOCK_SIZE
                                + ", compactionTrigger=" + compactionTrigger + ", "
                        : "HashIndexLog(")
                + "syncWrites=" + syncWrites + ", " + recoveryMode + ")";
    }
}
