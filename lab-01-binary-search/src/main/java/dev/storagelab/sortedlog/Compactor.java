package dev.storagelab.sortedlog;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges segments into one, so reads touch fewer files and old versions stop taking space.
 * Compaction never changes what a reader sees: the output holds, for each key, the newest entry
 * among the inputs, and publishes atomically before the inputs are deleted.
 */
public final class Compactor {

    private Compactor() {}

    /**
     * Writes the merge of {@code newestFirst} to the segment {@code outputName}.
     *
     * <p>For each key keep only the newest entry ({@link NewestWinsMerge}). A tombstone may be
     * dropped only when {@code dropTombstones} is set, which the caller sets when the inputs
     * include the oldest segment: then no older version of the key exists anywhere for the
     * tombstone to hide, and dropping it cannot bring a deleted value back.
     *
     * @return the number of entries written; 0 means everything was dropped and no file was
     *         written
     */
    public static long compact(
            Storage storage, List<SegmentReader> newestFirst, String outputName, int blockSize, boolean dropTombstones)
            throws IOException {
        List<EntryIterator> sources = new ArrayList<>(newestFirst.size());
        for (SegmentReader s : newestFirst) {
            sources.add(s.iterator());
        }
        try (EntryIterator merged = NewestWinsMerge.of(sources);
                SegmentWriter out = new SegmentWriter(storage, outputName, blockSize)) {
            while (merged.hasNext()) {
                Entry e = merged.next();
                // BEGIN SOLUTION lab-01 T9
                if (e.isTombstone() && dropTombstones) {
                    continue;
                }
                out.add(e);
                // END SOLUTION
            }
            if (out.entryCount() == 0) {
                out.abort();
                return 0;
            }
            out.finish();
            return out.entryCount();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
