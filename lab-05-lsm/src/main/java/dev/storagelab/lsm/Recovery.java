package dev.storagelab.lsm;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.RecoveryReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What an open reads before the store starts (LevelDB's {@code DBImpl::Recover}): the MANIFEST,
 * a check that every table it names and the log it points at are in the directory, and the logs
 * the last flush did not cover, replayed into a memtable. Everything that can refuse the open is
 * read here, and nothing is written but a new store's first MANIFEST, so an open that fails with a
 * {@link CorruptionException} leaves every file as it was. The store then writes the replayed
 * memtable to level 0 and starts a new log ({@code LsmStore.recover}).
 */
final class Recovery {

    /** The MANIFEST the store goes on with, and what the logs held. */
    record Opened(Manifest versions, Replayed replayed) {}

    private Recovery() {}

    /**
     * Recovers the store in {@code storage}, or creates its MANIFEST if it is new.
     *
     * @throws CorruptionException if the MANIFEST or a log record that is not the torn tail fails
     *                             its checks, or a file the MANIFEST needs is missing
     */
    static Opened open(CountingStorage storage, LsmOptions options) throws IOException {
        if (!storage.exists(LsmFileNames.CURRENT)) {
            return new Opened(
                    createManifest(storage),
                    new Replayed(new MemTable(options.memtableBytes()), 0, RecoveryReport.EMPTY, null));
        }
        // Everything that can refuse the open reads, and writes nothing: the MANIFEST, the
        // tables it names, the logs. Only then is a new MANIFEST started.
        Manifest.Recovered found = Manifest.replay(storage);
        checkTablesExist(storage, found);
        checkLogExists(storage, found);
        Replayed replayed = replayLogs(storage, options, found);
        // Nothing to recover (a clean close): the MANIFEST and the log are reused, and the open
        // writes nothing, so that a layer above that refuses its own open later changes nothing.
        Manifest versions =
                replayed.nothingToRecover() ? Manifest.reopen(storage, found) : Manifest.recover(storage, found);
        return new Opened(versions, replayed);
    }

    /**
     * Creates the MANIFEST of a new store. Without CURRENT the directory may still hold what a
     * creation that crashed before writing CURRENT left (a MANIFEST, CURRENT.tmp): garbage, deleted.
     * A table or a log without CURRENT is not: CURRENT was lost, and the store refuses to open over it.
     */
    static Manifest createManifest(Storage storage) throws IOException {
        List<String> leftovers = new ArrayList<>();
        for (String name : storage.list()) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.type() != LsmFileNames.Type.MANIFEST) {
                throw new CorruptionException(
                        storage.describe(LsmFileNames.CURRENT),
                        0,
                        "CURRENT is missing, but " + name
                                + " is here: the store's MANIFEST pointer was lost (restore CURRENT, or start in an empty directory)");
            }
            if (p != null || name.equals(LsmFileNames.CURRENT_TEMP)) {
                leftovers.add(name);
            }
        }
        for (String name : leftovers) {
            storage.delete(name);
        }
        if (!leftovers.isEmpty()) {
            storage.syncDirectory();
        }
        return Manifest.create(storage);
    }

    /**
     * What the logs the last flush did not cover hold: their records, the newest sequence, and what
     * was read and cut off as torn tails.
     */
    record Replayed(MemTable memtable, long lastSequence, RecoveryReport report, String reusableLog) {

        /** Whether the logs held no record and no torn tail, and one log, the MANIFEST's, can take the next writes. */
        boolean nothingToRecover() {
            return reusableLog != null;
        }
    }

    /**
     * Replays, oldest first, every log numbered at or above the MANIFEST's log number into one
     * memtable, writing nothing: a torn tail is not cut here, because the log is flushed to level 0
     * and deleted once the open has succeeded.
     */
    static Replayed replayLogs(Storage storage, LsmOptions options, Manifest.Recovered found) throws IOException {
        MemTable recovered = new MemTable(options.memtableBytes());
        List<Long> logs = new ArrayList<>();
        for (String name : storage.list()) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.type() == LsmFileNames.Type.LOG && p.number() >= found.logNumber()) {
                logs.add(p.number());
            }
        }
        Collections.sort(logs);
        long maxSequence = found.lastSequence();
        RecoveryReport report = RecoveryReport.EMPTY;
        for (long n : logs) {
            Replayed log = replay(storage, LsmFileNames.log(n), recovered);
            maxSequence = Math.max(maxSequence, log.lastSequence());
            report = report.plus(log.report());
        }
        boolean reusable = logs.equals(List.of(found.logNumber()))
                && report.records() == 0
                && report.truncatedBytes() == 0
                && report.validBytes() > 0;
        return new Replayed(recovered, maxSequence, report, reusable ? LsmFileNames.log(found.logNumber()) : null);
    }

    /**
     * Every table the MANIFEST names must be in the directory: one that is not was lost (deleted by
     * hand, or its directory entry never made durable), and the store would read every key in its
     * range as absent. LevelDB refuses to open too.
     */
    static void checkTablesExist(Storage storage, Manifest.Recovered found) throws IOException {
        Version v = found.version();
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                String name = LsmFileNames.table(f.number());
                if (!storage.exists(name)) {
                    throw new CorruptionException(
                            storage.describe(name),
                            0,
                            "the MANIFEST (" + found.manifest() + ") names table " + name + " at level " + level
                                    + ", but it is not in the directory");
                }
            }
        }
    }

    /**
     * The log the MANIFEST's log number names must be in the directory: every edit that sets a log
     * number is written after that log was created, and the log is deleted only once a later edit
     * has moved past it. A missing one means edits that were forced are gone (a damaged last edit
     * dropped as if it were torn, while the work it recorded went on: its old log deleted), and the
     * store would open without the writes that work had moved into a table.
     */
    static void checkLogExists(Storage storage, Manifest.Recovered found) throws IOException {
        if (found.logNumber() == 0) {
            return; // a new store's first snapshot: no log yet
        }
        String name = LsmFileNames.log(found.logNumber());
        if (!storage.exists(name)) {
            throw new CorruptionException(
                    storage.describe(found.manifest()),
                    0,
                    "the MANIFEST's log number is "
                            + found.logNumber() + " but " + name + " is not in the directory: "
                            + (found.tornTail()
                                    ? "the MANIFEST's last edit, dropped as a torn write, had been forced (the work it recorded went on)"
                                    : "the log was lost")
                            + "; the store would open without acknowledged writes");
        }
    }

    /** Replays log {@code name} into {@code into}, up to a torn tail; the memtable returned is {@code into}. */
    static Replayed replay(Storage storage, String name, MemTable into) throws IOException {
        long max = -1;
        long records = 0;
        try (RecordLogReader reader =
                RecordLogReader.open(storage, name, RecordLogFormat.Kind.WAL, RecoveryMode.TOLERATE_TORN_TAIL)) {
            for (byte[] record = reader.next(); record != null; record = reader.next()) {
                WriteBatch.Decoded d = WriteBatch.decode(record, storage.describe(name), reader.lastRecordOffset());
                long seq = d.firstSequence();
                for (Entry e : d.batch().operations()) {
                    into.add(seq++, e.key(), e.isTombstone() ? null : e.value());
                }
                max = Math.max(max, d.lastSequence());
                records++;
            }
            return new Replayed(
                    into,
                    max,
                    new RecoveryReport(records, reader.validEnd(), reader.fileSize() - reader.validEnd()),
                    null);
        }
    }
}
