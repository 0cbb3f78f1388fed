package dev.storagelab.wal;

import static dev.storagelab.lsm.RecordLogFormat.FILE_HEADER_SIZE;

import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.lsm.RecordLogReader;
import dev.storagelab.lsm.RecordLogWriter;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Salvage of a damaged log, for an operator who asks for it (the repair command), never done by
 * {@link Wal#open}: the longest run of records that still reads in LSN order from the first
 * segment, and the two changes that make a log of it. Reading changes nothing; {@link #cut} and
 * {@link #restartAfter} do what they say and nothing else.
 */
public final class WalSalvage {

    private WalSalvage() {}

    /**
     * The log's readable prefix and the first damage after it.
     *
     * @param lastLsn     the LSN of the last record that reads (0 if none does)
     * @param cutSegment  the segment the damage is in, or null if the log reads to its end
     * @param cutAt       where that segment's last good record ends (below the header's size if
     *                    nothing of it is good)
     * @param dropped     the segments after it, whose records no longer follow without a gap
     * @param damage      what is wrong at the damage, or null
     */
    public record Prefix(long lastLsn, String cutSegment, long cutAt, List<String> dropped, String damage) {

        /** Whether the whole log reads. */
        public boolean whole() {
            return cutSegment == null;
        }
    }

    /** Reads the log in {@code storage} up to its first damage, writing nothing. */
    public static Prefix readablePrefix(Storage storage) throws IOException {
        List<WalSegment> segments = WalRecovery.listSegments(storage);
        long expected = segments.isEmpty() ? 1 : segments.get(0).firstLsn();
        for (int i = 0; i < segments.size(); i++) {
            WalSegment segment = segments.get(i);
            List<String> after = segments.subList(i + 1, segments.size()).stream()
                    .map(WalSegment::name)
                    .toList();
            if (segment.firstLsn() != expected) {
                List<String> dropped = new ArrayList<>(List.of(segment.name()));
                dropped.addAll(after);
                return new Prefix(
                        expected - 1,
                        null,
                        0,
                        dropped,
                        segment.name() + " starts at LSN " + segment.firstLsn() + ", expected " + expected);
            }
            long goodEnd = 0;
            RecordLogReader reader = null;
            try {
                reader = RecordLogReader.open(
                        storage, segment.name(), Kind.WAL_SEGMENT, RecoveryMode.ABSOLUTE_CONSISTENCY);
                goodEnd = reader.validEnd();
                for (byte[] record = reader.next(); record != null; record = reader.next()) {
                    WalRecord.decode(record, expected, storage.describe(segment.name()), reader.lastRecordOffset());
                    expected++;
                    goodEnd = reader.validEnd();
                }
            } catch (CorruptionException e) {
                return new Prefix(expected - 1, segment.name(), goodEnd, after, e.getMessage());
            } finally {
                if (reader != null) {
                    reader.close();
                }
            }
        }
        return new Prefix(expected - 1, null, 0, List.of(), null);
    }

    /**
     * Cuts the log after its readable prefix: the damaged segment truncated at its last good
     * record and forced (deleted if nothing of it is good), the segments after it deleted, the
     * directory synced.
     */
    public static void cut(Storage storage, Prefix prefix) throws IOException {
        if (prefix.cutSegment() != null) {
            if (prefix.cutAt() < FILE_HEADER_SIZE) {
                storage.delete(prefix.cutSegment());
            } else {
                storage.truncate(prefix.cutSegment(), prefix.cutAt());
                try (WritableFile f = storage.openAppend(prefix.cutSegment())) {
                    f.force();
                }
            }
        }
        for (String name : prefix.dropped()) {
            storage.delete(name);
        }
        storage.syncDirectory();
    }

    /**
     * Replaces every segment with one empty segment whose first LSN is {@code lsn + 1}: for a log
     * whose every record at or below {@code lsn} is held elsewhere (a checkpoint covers them), so
     * that new records never reuse an LSN the checkpoint claims.
     */
    public static void restartAfter(Storage storage, long lsn) throws IOException {
        for (WalSegment segment : WalRecovery.listSegments(storage)) {
            storage.delete(segment.name());
        }
        RecordLogWriter.create(storage, WalSegment.starting(lsn + 1).name(), Kind.WAL_SEGMENT)
                .close();
        storage.syncDirectory();
    }
}
