package dev.storagelab.sortedlog;

import dev.storagelab.kv.Memtable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable state of a {@link SortedLogStore}: the active memtable, the frozen one being
 * flushed (or null), and the segments, newest first. Readers take a reference to the current
 * version and read it without locks; a flush or compaction installs a new version instead of
 * changing this one, so no reader ever sees half of one. Segments shared by versions are
 * reference-counted, and close when the last version holding them is released.
 */
final class Version {

    final Memtable active;
    final Memtable frozen;
    final List<SegmentReader> segments;
    private final AtomicInteger refs = new AtomicInteger(1);

    /** A version holding one reference (the store's), retaining each of its segments. */
    Version(Memtable active, Memtable frozen, List<SegmentReader> segments) {
        this.active = active;
        this.frozen = frozen;
        this.segments = List.copyOf(segments);
        for (SegmentReader s : this.segments) {
            s.retain();
        }
    }

    /** Takes a reference unless the version is already dead (then the caller retries). */
    boolean tryRetain() {
        while (true) {
            int r = refs.get();
            if (r == 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one releases the segments. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            IOException failure = null;
            for (SegmentReader s : segments) {
                try {
                    s.release();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw new UncheckedIOException(failure);
            }
        }
    }
}
