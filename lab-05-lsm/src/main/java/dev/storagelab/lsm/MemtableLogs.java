package dev.storagelab.lsm;

import dev.storagelab.io.Storage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The write-ahead logs of the store's memtables: the log of the active memtable, which takes every
 * write, and the still-open log of each frozen memtable, oldest first (parallel to the frozen
 * memtables reversed). A frozen memtable's log stays open until its flush lands, because a
 * {@link LsmStore#sync} must force it too: a write made before the switch and not yet synced would
 * be lost with its memtable if the power failed before the flush. When the oldest is flushed its
 * log is closed, and the next one's is the first that recovery must replay.
 *
 * <p>Guarded by the store's mutex.
 */
final class MemtableLogs {

    /** A frozen memtable's log: its number, and its writer, which a sync forces once after the switch. */
    private static final class FrozenLog {
        final long number;
        final RecordLogWriter writer;
        boolean forced;

        FrozenLog(long number, RecordLogWriter writer) {
            this.number = number;
            this.writer = writer;
        }
    }

    private final Storage storage;
    private RecordLogWriter log;
    private long number;
    private final ArrayDeque<FrozenLog> frozen = new ArrayDeque<>();
    /**
     * Whether a log was created since the directory was last synced by {@link #forceAll}: its name
     * is durable only once the directory is, so the next force syncs it (RocksDB syncs the log
     * directory at the first synced write after a switch, not at the switch).
     */
    private boolean directoryUnsynced;

    MemtableLogs(Storage storage) {
        this.storage = storage;
    }

    /** Starts with {@code log}, numbered {@code number}, as the active memtable's log (at the open). */
    void start(RecordLogWriter log, long number) {
        this.log = log;
        this.number = number;
    }

    /** The active memtable's log number: where recovery starts once every frozen memtable is flushed. */
    long number() {
        return number;
    }

    /** Appends one record to the active log, and forces it if {@code force}. */
    void append(byte[] record, boolean force) throws IOException {
        log.addRecord(record);
        if (force) {
            log.force();
        }
    }

    /**
     * The memtable was frozen: its log joins the frozen ones, and {@code next}, numbered
     * {@code nextNumber}, takes the writes. {@code next} was created without a force or a
     * directory sync ({@link RecordLogWriter#createUnforced}): nothing in it is durable before the
     * next {@link #forceAll}, which makes its header and its name durable with the writes.
     */
    void switchTo(RecordLogWriter next, long nextNumber) {
        frozen.addLast(new FrozenLog(number, log)); // closed once its memtable is flushed
        log = next;
        number = nextNumber;
        directoryUnsynced = true;
    }

    /**
     * The first log recovery must replay once the oldest frozen memtable is in level 0: the next
     * frozen memtable's, or the active one's.
     */
    long replayFromAfterOldest() {
        Iterator<FrozenLog> logs = frozen.iterator();
        logs.next(); // the flushed memtable's
        return logs.hasNext() ? logs.next().number : number;
    }

    /**
     * The oldest frozen memtable is in level 0 and the MANIFEST says so: its log is closed. Returns
     * the log's number: nothing needs the log any more.
     */
    long closeOldest() throws IOException {
        FrozenLog oldest = frozen.removeFirst();
        oldest.writer.close();
        return oldest.number;
    }

    /**
     * Forces each frozen memtable's log once (nothing is written to it after its switch), then the
     * active log, then the directory if a log was created since it was last synced.
     */
    void forceAll() throws IOException {
        for (FrozenLog f : frozen) {
            if (!f.forced) {
                f.writer.force();
                f.forced = true;
            }
        }
        log.force();
        if (directoryUnsynced) {
            storage.syncDirectory();
            directoryUnsynced = false;
        }
    }

    /**
     * Forces and closes every log (the store is closing): the memtables not flushed yet have their
     * writes in these logs only. Does nothing to the active log if the open failed before it had one.
     */
    void close() throws IOException {
        if (log != null) {
            forceAll();
            log.close();
        }
        for (FrozenLog f : frozen) {
            f.writer.close();
        }
    }
}
