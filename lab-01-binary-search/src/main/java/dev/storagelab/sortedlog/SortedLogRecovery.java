package dev.storagelab.sortedlog;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Memtable;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * What opening a {@link SortedLogStore} reads and decides before it writes anything (the handout's
 * "File names and recovery", rules 1 to 5): the directory's names sorted into leftovers to delete,
 * live segments and logs; the live segments checked for overlaps and opened (their footers and
 * indexes read); the logs no segment covers replayed, oldest first, into one memtable. An open that
 * fails here has changed no file. The store then makes the writes ({@code SortedLogStore.recover}):
 * the deletes, the replayed memtable as one segment, a new log.
 */
final class SortedLogRecovery {

    /** The store's logger: a torn tail cut by an open is the store's news. */
    private static final Logger LOG = Logger.getLogger(SortedLogStore.class.getName());

    private SortedLogRecovery() {}

    /**
     * What the reading half of an open found.
     *
     * @param segments     the live segments, newest first, each retained once for the caller to release
     * @param obsolete     the files to delete: temporaries, compactions' inputs, logs a segment covers
     * @param replayed     the records of the replayed logs
     * @param replayedLogs the logs replayed, oldest first, to delete once their records are in a segment
     * @param maxNumber    the largest file number in the directory (0 if none)
     * @param report       what the replay read, and the torn tails it cut
     */
    record Found(
            List<SegmentReader> segments,
            List<String> obsolete,
            Memtable replayed,
            List<String> replayedLogs,
            long maxNumber,
            RecoveryReport report) {}

    /**
     * Reads the store's directory in {@code storage}, writing nothing: every check and every read
     * of the open (the directory's names, the segments' footers and indexes, the logs' records).
     *
     * @throws CorruptionException if two live segments overlap, or a segment or log fails its checks
     */
    static Found read(CountingStorage storage, SortedLogOptions options, StoreMetrics metrics) throws IOException {
        Map<FileNames.SegmentRange, String> segmentFiles =
                new TreeMap<>(Comparator.comparingLong(FileNames.SegmentRange::first)
                        .thenComparingLong(FileNames.SegmentRange::last));
        TreeMap<Long, String> logs = new TreeMap<>();
        List<String> obsolete = new ArrayList<>();
        for (String name : storage.list()) {
            if (FileNames.isTemp(name)) {
                obsolete.add(name); // never published: a flush or compaction that crashed
            } else {
                FileNames.parseSegment(name).ifPresent(r -> segmentFiles.put(r, name));
                FileNames.parseLog(name).ifPresent(n -> logs.put(n, name));
            }
        }
        // A segment inside another's range is an input of a compaction that published its output.
        List<FileNames.SegmentRange> live = new ArrayList<>();
        for (FileNames.SegmentRange r : segmentFiles.keySet()) {
            if (segmentFiles.keySet().stream().anyMatch(o -> o.strictlyCovers(r))) {
                obsolete.add(segmentFiles.get(r));
            } else {
                live.add(r);
            }
        }
        live.sort(Comparator.comparingLong(FileNames.SegmentRange::last).reversed());
        for (int i = 1; i < live.size(); i++) {
            if (live.get(i).last() >= live.get(i - 1).first()) {
                throw new CorruptionException(
                        storage.describe(live.get(i).fileName()),
                        0,
                        "segment overlaps " + live.get(i - 1).fileName() + "; the directory holds files of two stores");
            }
        }
        List<SegmentReader> segments = new ArrayList<>();
        boolean found = false;
        try {
            for (FileNames.SegmentRange r : live) {
                segments.add(SegmentReader.open(storage, r.fileName(), metrics));
            }
            long maxSegment = live.isEmpty() ? 0 : live.get(0).last();
            long maxNumber = Math.max(maxSegment, logs.isEmpty() ? 0 : logs.lastKey());

            // Logs at or below the newest segment were flushed before a crash; the rest are replayed.
            RecoveryReport report = RecoveryReport.EMPTY;
            Memtable replayed = options.memtableFactory().get();
            List<String> replayedLogs = new ArrayList<>();
            for (Map.Entry<Long, String> e : logs.entrySet()) {
                if (e.getKey() <= maxSegment) {
                    obsolete.add(e.getValue());
                    continue;
                }
                report = report.plus(replay(storage, options, e.getValue(), replayed));
                replayedLogs.add(e.getValue());
            }
            found = true;
            return new Found(segments, obsolete, replayed, replayedLogs, maxNumber, report);
        } finally {
            if (!found) {
                for (SegmentReader s : segments) {
                    s.release();
                }
            }
        }
    }

    private static RecoveryReport replay(
            CountingStorage storage, SortedLogOptions options, String logName, Memtable into) throws IOException {
        try (LogReader reader = LogReader.open(storage, logName, options.recoveryMode())) {
            long records = 0;
            for (LogRecord r = reader.next(); r != null; r = reader.next()) {
                into.apply(r.entry());
                records++;
            }
            if (reader.tornTail()) {
                LOG.warning(storage.describe(logName) + ": cut a torn tail of "
                        + (reader.fileSize() - reader.validEnd()) + " bytes at offset " + reader.validEnd());
            }
            return new RecoveryReport(records, reader.validEnd(), reader.fileSize() - reader.validEnd());
        }
    }
}
