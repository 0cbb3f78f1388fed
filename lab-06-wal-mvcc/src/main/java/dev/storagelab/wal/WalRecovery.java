package dev.storagelab.wal;

import static dev.storagelab.lsm.RecordLogFormat.FILE_HEADER_SIZE;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.lsm.RecordLogReader;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Recovery of the log on open: reads every segment in LSN order, checks every record, finds a torn
 * tail of the last segment, and reports anything else that is wrong as corruption. It writes
 * nothing: the torn tail is cut ({@link #cutTornTail}) only once the open is sure to succeed, so
 * that an open refused here, or by the layer above (a checkpoint the log does not reach), leaves
 * every file as it was.
 *
 * <p>What a crash can leave, given how {@link Wal} writes: only the <b>last</b> segment can end
 * in a torn record, because a segment is forced before the next one is created; and the last
 * segment can be a file whose 8-byte header never reached the disk, because a new segment's
 * directory entry may survive a crash that its contents did not. Everything else (a bad checksum
 * before the tail, a torn non-last segment, a segment that starts at the wrong LSN, a record whose
 * LSN is not the previous one's plus one) is damage no crash explains, and replaying past it would
 * build a state that never existed.
 */
final class WalRecovery {

    private WalRecovery() {}

    /**
     * What recovery found.
     *
     * @param segments      the segments that remain, in LSN order (empty if the log has none yet)
     * @param lastLsn       the LSN of the last record, or the LSN before the first segment's first
     *                      if the log holds no record (0 for a new log)
     * @param activeRecords how many records the last segment holds
     * @param tornSegment   the last segment's name if it ends in a torn tail, else null
     * @param tornEnd       where that segment's last whole record ends (its torn tail starts), or
     *                      -1; below the file header's size if the header itself is torn (the
     *                      segment is then not among {@code segments})
     */
    record Result(List<WalSegment> segments, long lastLsn, long activeRecords, String tornSegment, long tornEnd) {}

    /** The segment files in {@code storage}, in LSN order; other files are left alone. */
    static List<WalSegment> listSegments(Storage storage) throws IOException {
        List<WalSegment> segments = new ArrayList<>();
        for (String name : storage.list()) {
            long first = WalSegment.parseFirstLsn(name);
            if (first > 0) {
                segments.add(new WalSegment(name, first));
            }
        }
        segments.sort(Comparator.comparingLong(WalSegment::firstLsn));
        return segments;
    }

    /**
     * Recovers the log in {@code storage}.
     *
     * <p>For each segment, in order, with {@code expected} the LSN the next record must carry:
     * <ol>
     *   <li>A segment other than the first must start at {@code expected} (its name says where it
     *       starts): otherwise a segment is missing or the LSNs have a gap or overlap. (The first
     *       segment may start anywhere: {@link Wal#truncateBefore} deletes the old ones.)</li>
     *   <li>Read its records with a {@link RecordLogReader} of kind {@link Kind#WAL_SEGMENT}:
     *       the last segment with {@link RecoveryMode#TOLERATE_TORN_TAIL}, every other one with
     *       {@link RecoveryMode#ABSOLUTE_CONSISTENCY} (a torn tail there is corruption). Check each
     *       record with {@link WalRecord#decode} against the LSN it must carry, at the reader's
     *       {@link RecordLogReader#lastRecordOffset()}.</li>
     *   <li>A segment other than the last must hold at least one record (a new segment is only
     *       started after a record went into the one before it).</li>
     *   <li>If the last segment's reader stopped at a torn tail, name the segment and its
     *       {@code validEnd} in the result (do not cut it: recovery writes nothing), and leave it
     *       out of the result's segments if even its file header is torn ({@code validEnd} below
     *       {@code FILE_HEADER_SIZE}: {@link #cutTornTail} will delete it).</li>
     * </ol>
     * Nothing is skipped: the first problem is a {@link CorruptionException} naming the file, the
     * offset and what failed (offset 0 for a segment that starts at the wrong LSN, the header's end
     * for a segment without records).
     */
    static Result recover(Storage storage) throws IOException {
        List<WalSegment> segments = listSegments(storage);
        List<WalSegment> kept = new ArrayList<>(segments.size());
        // BEGIN SOLUTION lab-06 T1
        long expected = segments.isEmpty() ? 1 : segments.get(0).firstLsn();
        long activeRecords = 0;
        String tornSegment = null;
        long tornEnd = -1;
        for (int i = 0; i < segments.size(); i++) {
            WalSegment segment = segments.get(i);
            String describe = storage.describe(segment.name());
            boolean last = i == segments.size() - 1;
            if (segment.firstLsn() != expected) {
                throw new CorruptionException(
                        describe,
                        0,
                        "segment starts at LSN " + segment.firstLsn() + ", expected "
                                + expected
                                + (segment.firstLsn() > expected
                                        ? ": LSNs " + expected + " to " + (segment.firstLsn() - 1)
                                                + " are missing (a segment is gone)"
                                        : ": it overlaps the segment before it"));
            }
            long records = 0;
            boolean torn;
            long validEnd;
            try (RecordLogReader reader = RecordLogReader.open(
                    storage,
                    segment.name(),
                    Kind.WAL_SEGMENT,
                    last ? RecoveryMode.TOLERATE_TORN_TAIL : RecoveryMode.ABSOLUTE_CONSISTENCY)) {
                for (byte[] record = reader.next(); record != null; record = reader.next()) {
                    WalRecord.decode(record, expected, describe, reader.lastRecordOffset());
                    expected++;
                    records++;
                }
                torn = reader.tornTail();
                validEnd = reader.validEnd();
            }
            if (!last && records == 0) {
                throw new CorruptionException(
                        describe, FILE_HEADER_SIZE, "segment holds no record but is not the last one");
            }
            if (torn) {
                tornSegment = segment.name();
                tornEnd = validEnd;
                if (validEnd < FILE_HEADER_SIZE) {
                    continue;
                }
            }
            kept.add(segment);
            activeRecords = records;
        }
        return new Result(kept, expected - 1, activeRecords, tornSegment, tornEnd);
        // END SOLUTION
    }

    /**
     * Cuts the torn tail of the last segment at {@code validEnd}, the end of its last whole record
     * (the caller forces the file before relying on the cut: a truncate is durable only then).
     * Called by {@link Wal#open} once nothing can refuse the open any more. A
     * segment whose file header itself is torn ({@code validEnd} below the header's size) held no
     * record: it is deleted and the directory synced, and the next write starts it again.
     *
     * @return whether the segment is still there
     */
    static boolean cutTornTail(Storage storage, String name, long validEnd) throws IOException {
        if (validEnd < FILE_HEADER_SIZE) {
            storage.delete(name);
            storage.syncDirectory();
            return false;
        }
        storage.truncate(name, validEnd);
        return true;
    }
}
