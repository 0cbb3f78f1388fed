package dev.storagelab.sortedlog;

import dev.storagelab.kv.Memtable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sources of a {@link SortedLogStore} at one moment, held open: its memtables and segments,
 * newest first. A flush or compaction that finishes while a snapshot is open installs a new
 * version without touching this one, and the segments stay readable until the snapshot is
 * closed, so a scan over a snapshot never sees half of a flush or compaction (lab-02).
 *
 * <p>The active memtable keeps taking writes; a scan may or may not see writes made after the
 * snapshot was taken. Close every snapshot: an open one pins its segment files.
 */
public final class StoreSnapshot implements AutoCloseable {

    private final Version version;
    private final AtomicBoolean closed = new AtomicBoolean();

    StoreSnapshot(Version version) {
        this.version = version;
    }

    /** The memtables, newest first: the active one, then the frozen one if a flush is running. */
    public List<Memtable> memtables() {
        checkOpen();
        List<Memtable> m = new ArrayList<>(2);
        m.add(version.active);
        if (version.frozen != null) {
            m.add(version.frozen);
        }
        return Collections.unmodifiableList(m);
    }

    /** The segments, newest first. */
    public List<SegmentReader> segments() {
        checkOpen();
        return version.segments;
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("snapshot is closed");
        }
    }

    /** Releases the snapshot's hold on its segments. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            version.release();
        }
    }
}
