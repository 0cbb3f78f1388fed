package dev.storagelab.lsm;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The durable record of which table files make up the database (lab-05 T6), as LevelDB's
 * {@code VersionSet}: the current {@link Version} plus the counters that go with it (the next file
 * number, the last sequence number, the oldest log still needed), kept in a MANIFEST file of
 * {@link VersionEdit}s and named by the CURRENT file.
 *
 * <p>The protocol, and why each step is where it is:
 * <ol>
 *   <li>A MANIFEST starts with a <b>snapshot</b> edit of the whole state (every table, every
 *       counter), so a MANIFEST can be read on its own and older ones can be deleted.</li>
 *   <li>{@link #logAndApply} appends an edit and <b>forces</b> it before the edit takes effect in
 *       memory: once it returns, the edit survives any crash; if it throws, the edit may or may
 *       not survive, and the store must stop (the MANIFEST is then unusable until recovery).</li>
 *   <li>CURRENT is replaced atomically: write {@code CURRENT.tmp}, force it, rename it over
 *       CURRENT, sync the directory. A crash leaves the old CURRENT or the new one, never a torn
 *       one. The new MANIFEST is forced and its directory entry synced before CURRENT names it.</li>
 *   <li>{@link #recover} reads CURRENT, replays the MANIFEST it names, and starts a new MANIFEST
 *       holding one snapshot of the result (so it never appends behind a torn tail). A torn last
 *       edit is dropped: its append was never acknowledged, so nothing relied on it. Corruption
 *       anywhere else is an error: silently skipping an edit could resurrect deleted tables or
 *       lose live ones.</li>
 * </ol>
 *
 * <p>Thread-safe: every method holds the manifest's monitor but {@link #version()}, a volatile
 * read, so the store can let go of its own lock while {@link #logAndApply} writes and forces an
 * edit (a writer then never waits for the MANIFEST's force), and edits from its flush and
 * compaction threads are still logged one at a time, in the order they are applied.
 */
public final class Manifest implements AutoCloseable {

    /** The first line of CURRENT, before the MANIFEST's name: a magic word and a version. */
    static final String CURRENT_MAGIC = "storagelab-current v1";

    private final Storage storage;
    private volatile Version version;
    private long logNumber;
    private long nextFileNumber;
    private long lastSequence;
    private final TreeMap<Integer, InternalKey> compactPointers = new TreeMap<>();
    private long manifestNumber;
    private RecordLogWriter writer;
    /** MANIFESTs CURRENT no longer names, since {@link #takeRetired} was last called. */
    private final List<String> retired = new ArrayList<>();
    /** Set when a MANIFEST write failed: whether the edit is durable is unknown. */
    private IOException failure;

    private Manifest(Storage storage) {
        this.storage = storage;
    }

    /**
     * What replaying a MANIFEST gives.
     *
     * @param manifest        the MANIFEST's file name (what CURRENT named)
     * @param version         every edit applied in order to the empty version
     * @param logNumber       the last log number the edits set
     * @param nextFileNumber  the last next file number the edits set
     * @param lastSequence    the last sequence number the edits set
     * @param compactPointers the last compact pointer each level's edits set
     * @param edits           how many edits were applied
     * @param tornTail        whether a torn last edit was dropped
     */
    public record Recovered(
            String manifest,
            Version version,
            long logNumber,
            long nextFileNumber,
            long lastSequence,
            Map<Integer, InternalKey> compactPointers,
            int edits,
            boolean tornTail) {}

    /**
     * Creates the MANIFEST of a new, empty database in {@code storage}: MANIFEST-000001 holding a
     * snapshot (no table, log number 0, last sequence 0), and CURRENT naming it.
     *
     * @throws IOException if CURRENT already exists (a database is there: {@link #recover} it)
     */
    public static Manifest create(Storage storage) throws IOException {
        Objects.requireNonNull(storage, "storage");
        if (storage.exists(LsmFileNames.CURRENT)) {
            throw new IOException(
                    storage.describe(LsmFileNames.CURRENT) + " exists: a database is already there; recover it");
        }
        Manifest m = new Manifest(storage);
        m.version = Version.empty();
        m.nextFileNumber = 1;
        m.startNewManifest();
        return m;
    }

    /**
     * Opens the database's MANIFEST after a restart or a crash: {@link #replay} it, move the next
     * file number past every numbered file in the directory (a table or log written by an edit that
     * never became durable must not have its number reused), then start a new MANIFEST with a
     * snapshot of the recovered state and point CURRENT at it. The old MANIFEST is then obsolete.
     *
     * @throws CorruptionException as {@link #replay}
     */
    public static Manifest recover(Storage storage) throws IOException {
        return recover(storage, replay(storage));
    }

    /**
     * {@link #recover} from what {@link #replay} already found, so that a caller can run its own
     * checks between the reading and the first write (the store checks its tables and logs: an
     * open that fails must change nothing).
     */
    public static Manifest recover(Storage storage, Recovered r) throws IOException {
        Manifest m = recovered(storage, r);
        m.startNewManifest();
        return m;
    }

    /**
     * Opens the MANIFEST {@link #replay} found for the next edits without writing anything, as
     * LevelDB reuses its MANIFEST: the store's open then changes no file unless it has something
     * to recover. Only a MANIFEST that ended cleanly can be reused (a torn tail must not be
     * appended to): otherwise this is {@link #recover(Storage, Recovered)}.
     */
    public static Manifest reopen(Storage storage, Recovered r) throws IOException {
        if (r.tornTail()) {
            return recover(storage, r);
        }
        Manifest m = recovered(storage, r);
        m.writer = RecordLogWriter.openAppend(storage, r.manifest());
        m.manifestNumber = LsmFileNames.parse(r.manifest()).number();
        return m;
    }

    /** The state {@code r} found, the next file number moved past every numbered file in the directory. */
    private static Manifest recovered(Storage storage, Recovered r) throws IOException {
        Manifest m = new Manifest(storage);
        m.version = r.version();
        m.logNumber = r.logNumber();
        m.nextFileNumber = r.nextFileNumber();
        m.lastSequence = r.lastSequence();
        m.compactPointers.putAll(r.compactPointers());
        for (String name : storage.list()) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.number() >= m.nextFileNumber) {
                m.nextFileNumber = p.number() + 1;
            }
        }
        return m;
    }

    /**
     * Reads CURRENT and replays the MANIFEST it names, changing nothing on disk.
     *
     * <p>{@link #readCurrent} gives the MANIFEST's name; it must exist. Its records are read with a
     * {@link RecordLogReader} of kind MANIFEST that tolerates a torn tail. Each record is decoded
     * ({@link VersionEdit#decode}, with the record's offset) and applied to the version so far,
     * starting from {@link Version#empty()}; an edit that sets a counter or a compact pointer
     * replaces the value so far.
     *
     * @throws CorruptionException naming the file and offset if CURRENT is malformed or names a
     *         MANIFEST that does not exist; if a record is corrupt or does not decode; if an edit
     *         does not apply to the version so far (the {@link Version#apply} message, at the edit's
     *         offset); if the first edit is not a snapshot (it lacks the log number, next file number
     *         or last sequence) or there is no edit at all (at offset 0); or if a table's number
     *         is not below the next file number (at the offset of the last edit)
     * @throws java.nio.file.NoSuchFileException if there is no CURRENT: no database is here
     */
    public static Recovered replay(Storage storage) throws IOException {
        String name = readCurrent(storage);
        // BEGIN SOLUTION lab-05 T6
        if (!storage.exists(name)) {
            throw new CorruptionException(
                    storage.describe(LsmFileNames.CURRENT), 0, "CURRENT names " + name + ", which does not exist");
        }
        String describe = storage.describe(name);
        Version version = Version.empty();
        long logNumber = -1;
        long nextFileNumber = -1;
        long lastSequence = -1;
        Map<Integer, InternalKey> pointers = new TreeMap<>();
        int edits = 0;
        long lastOffset = 0;
        boolean torn;
        try (RecordLogReader reader =
                RecordLogReader.open(storage, name, Kind.MANIFEST, RecoveryMode.TOLERATE_TORN_TAIL)) {
            for (byte[] record = reader.next(); record != null; record = reader.next()) {
                lastOffset = reader.lastRecordOffset();
                VersionEdit edit = VersionEdit.decode(record, describe, lastOffset);
                if (edits == 0
                        && (edit.logNumber().isEmpty()
                                || edit.nextFileNumber().isEmpty()
                                || edit.lastSequence().isEmpty())) {
                    throw new CorruptionException(
                            describe,
                            lastOffset,
                            "the first edit is not a snapshot: it lacks "
                                    + "the log number, next file number or last sequence (" + edit + ")");
                }
                try {
                    version = version.apply(edit);
                } catch (IllegalArgumentException e) {
                    throw new CorruptionException(describe, lastOffset, "edit does not apply: " + e.getMessage());
                }
                logNumber = edit.logNumber().orElse(logNumber);
                nextFileNumber = edit.nextFileNumber().orElse(nextFileNumber);
                lastSequence = edit.lastSequence().orElse(lastSequence);
                pointers.putAll(edit.compactPointers());
                edits++;
            }
            torn = reader.tornTail();
        }
        if (edits == 0) {
            throw new CorruptionException(describe, 0, "MANIFEST holds no edit, not even its snapshot");
        }
        for (long n : version.liveFiles()) {
            if (n >= nextFileNumber) {
                throw new CorruptionException(
                        describe, lastOffset, "table #" + n + " is not below the next file number " + nextFileNumber);
            }
        }
        return new Recovered(
                name,
                version,
                logNumber,
                nextFileNumber,
                lastSequence,
                Collections.unmodifiableMap(pointers),
                edits,
                torn);
        // END SOLUTION
    }

    /**
     * Reads CURRENT: one line {@code storagelab-current v1 MANIFEST-000005 3f0a3744} and a newline,
     * the last field the CRC32C (8 lowercase hex digits) of everything before its separating space.
     *
     * @return the MANIFEST's file name
     * @throws CorruptionException naming CURRENT if the magic, the name, the checksum or the
     *         newline is wrong
     * @throws java.nio.file.NoSuchFileException if there is no CURRENT
     */
    public static String readCurrent(Storage storage) throws IOException {
        String describe = storage.describe(LsmFileNames.CURRENT);
        byte[] bytes;
        try (ReadableFile f = storage.openRead(LsmFileNames.CURRENT)) {
            long size = f.size();
            if (size > 256) {
                throw new CorruptionException(describe, 0, "CURRENT is " + size + " bytes, longer than one line");
            }
            bytes = f.readFully(0, (int) size);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.startsWith(CURRENT_MAGIC + " ")) {
            throw new CorruptionException(describe, 0, "CURRENT does not start with \"" + CURRENT_MAGIC + "\"");
        }
        if (!text.endsWith("\n")) {
            throw new CorruptionException(describe, bytes.length, "CURRENT does not end with a newline (torn?)");
        }
        int space = text.lastIndexOf(' ');
        String body = text.substring(0, space);
        String crc = text.substring(space + 1, text.length() - 1);
        if (!crc.equals(currentChecksum(body))) {
            throw new CorruptionException(
                    describe,
                    space + 1,
                    "CURRENT checksum mismatch: stored " + crc + ", computed " + currentChecksum(body));
        }
        String name = body.substring(CURRENT_MAGIC.length() + 1);
        LsmFileNames.Parsed parsed = LsmFileNames.parse(name);
        if (parsed == null || parsed.type() != LsmFileNames.Type.MANIFEST) {
            throw new CorruptionException(
                    describe,
                    CURRENT_MAGIC.length() + 1,
                    "CURRENT names \"" + name + "\", which is not a MANIFEST file name");
        }
        return name;
    }

    /** The bytes of a CURRENT naming {@code manifest}. */
    static byte[] currentContents(String manifest) {
        String body = CURRENT_MAGIC + " " + manifest;
        return (body + " " + currentChecksum(body) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String currentChecksum(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }

    /**
     * Writes a new MANIFEST holding a snapshot of the state, makes it and its directory entry
     * durable, then points CURRENT at it. Until CURRENT is renamed the old MANIFEST stays the live one.
     */
    private void startNewManifest() throws IOException {
        long number = nextFileNumber++;
        String name = LsmFileNames.manifest(number);
        RecordLogWriter w = RecordLogWriter.create(storage, name, Kind.MANIFEST);
        try {
            w.addRecord(snapshot().encode());
            w.force();
            storage.syncDirectory();
            writeCurrent(name);
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        if (writer != null) {
            retired.add(LsmFileNames.manifest(manifestNumber)); // CURRENT names the new one now
            writer.close();
        }
        writer = w;
        manifestNumber = number;
    }

    /** An edit that rebuilds the whole current state from an empty version. */
    private VersionEdit snapshot() {
        VersionEdit edit = new VersionEdit()
                .setLogNumber(logNumber)
                .setNextFileNumber(nextFileNumber)
                .setLastSequence(lastSequence);
        compactPointers.forEach(edit::setCompactPointer);
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : version.files(level)) {
                edit.addFile(level, f);
            }
        }
        return edit;
    }

    /** Replaces CURRENT atomically: temp file, force, rename, directory sync. */
    private void writeCurrent(String manifest) throws IOException {
        if (storage.exists(LsmFileNames.CURRENT_TEMP)) {
            storage.delete(LsmFileNames.CURRENT_TEMP);
        }
        try (WritableFile tmp = storage.create(LsmFileNames.CURRENT_TEMP)) {
            tmp.append(currentContents(manifest));
            tmp.force();
        }
        storage.rename(LsmFileNames.CURRENT_TEMP, LsmFileNames.CURRENT);
        storage.syncDirectory();
    }

    /**
     * Makes {@code edit} durable, then current. Fills in the next file number if the edit does not
     * set it (so a number handed out by {@link #newFileNumber} is never reused after a crash).
     *
     * @return the new current version
     * @throws IllegalArgumentException if the edit does not apply to the current version
     *         ({@link Version#apply}), moves the log number, next file number or last sequence
     *         backwards, sets a log number at or past the next file number, or adds a table whose
     *         number was never handed out; nothing is written then
     * @throws IOException if the append or the force fails: the edit may or may not be durable, so
     *         this manifest refuses every later edit (recover to go on)
     */
    public synchronized Version logAndApply(VersionEdit edit) throws IOException {
        Objects.requireNonNull(edit, "edit");
        checkUsable();
        long newLog = edit.logNumber().orElse(logNumber);
        long newNext = edit.nextFileNumber().orElse(nextFileNumber);
        long newLast = edit.lastSequence().orElse(lastSequence);
        if (newLog < logNumber || newNext < nextFileNumber || newLast < lastSequence) {
            throw new IllegalArgumentException(
                    "edit moves a counter backwards: log " + logNumber + " -> " + newLog + ", next file "
                            + nextFileNumber + " -> " + newNext + ", last sequence " + lastSequence + " -> " + newLast);
        }
        if (newLog >= newNext) {
            throw new IllegalArgumentException(
                    "log number " + newLog + " was never handed out (next file number " + newNext + ")");
        }
        for (VersionEdit.NewFile f : edit.newFiles()) {
            if (f.meta().number() >= newNext) {
                throw new IllegalArgumentException(
                        "table #" + f.meta().number() + " was never handed out (next file number " + newNext
                                + "): take numbers from newFileNumber()");
            }
        }
        Version next = version.apply(edit);
        edit.setNextFileNumber(newNext);
        try {
            writer.addRecord(edit.encode());
            writer.force();
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
        version = next;
        logNumber = newLog;
        nextFileNumber = newNext;
        lastSequence = newLast;
        compactPointers.putAll(edit.compactPointers());
        if (writer.size() > rolloverBytes) {
            // Recovery replays every edit: start a new MANIFEST holding one snapshot of this state.
            try {
                startNewManifest();
            } catch (IOException | RuntimeException e) {
                // CURRENT may name either MANIFEST now; both hold this edit, but a later one could
                // go to the wrong one: refuse further edits (the store reopens and recovers).
                failure = e instanceof IOException io ? io : new IOException(e);
                throw e;
            }
        }
        return next;
    }

    /**
     * A MANIFEST past this many bytes is replaced, after the edit that took it there, by a new
     * one holding a snapshot of the state (LevelDB starts a new one at each open; RocksDB also
     * when one passes {@code max_manifest_file_size}). 4 MiB: tens of thousands of edits.
     */
    static final long DEFAULT_ROLLOVER_BYTES = 4L << 20;

    private long rolloverBytes = DEFAULT_ROLLOVER_BYTES;

    /** Sets the rollover size (tests: a small one makes the store roll its MANIFEST often). */
    Manifest rolloverAt(long bytes) {
        this.rolloverBytes = bytes;
        return this;
    }

    private void checkUsable() throws IOException {
        if (failure != null) {
            throw new IOException(
                    LsmFileNames.manifest(manifestNumber) + " is unusable after a failed write; "
                            + "recover the database",
                    failure);
        }
    }

    /**
     * Hands out a new file number (for a table, a log or a MANIFEST). It becomes durable with the
     * next edit, which records the next file number.
     */
    public synchronized long newFileNumber() {
        return nextFileNumber++;
    }

    /**
     * The files of the directory that nothing needs any more, for the store to delete: tables not
     * in the current version (unless in {@code pendingOutputs}: tables being written by a flush or
     * compaction not yet logged), logs numbered below the log number, every MANIFEST but the live
     * one, and a leftover {@code CURRENT.tmp}. Other names are left alone.
     */
    public synchronized List<String> obsoleteFiles(Set<Long> pendingOutputs) throws IOException {
        Set<Long> live = version.liveFiles();
        List<String> out = new ArrayList<>();
        for (String name : storage.list()) {
            if (name.equals(LsmFileNames.CURRENT_TEMP)) {
                out.add(name);
                continue;
            }
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p == null) {
                continue;
            }
            boolean obsolete = switch (p.type()) {
                case TABLE -> !live.contains(p.number()) && !pendingOutputs.contains(p.number());
                case LOG -> p.number() < logNumber;
                case MANIFEST -> p.number() != manifestNumber;
            };
            if (obsolete) {
                out.add(name);
            }
        }
        return out;
    }

    /**
     * The MANIFESTs this one replaced since the last call, for the store to delete: what a store
     * needs to know between two scans of the directory ({@link #obsoleteFiles}), which only the open makes.
     */
    public synchronized List<String> takeRetired() {
        List<String> out = List.copyOf(retired);
        retired.clear();
        return out;
    }

    /** The current version. */
    public Version version() {
        return version;
    }

    /** Logs numbered below this are no longer needed. */
    public synchronized long logNumber() {
        return logNumber;
    }

    /** The next file number {@link #newFileNumber} will hand out. */
    public synchronized long nextFileNumber() {
        return nextFileNumber;
    }

    /** The sequence number of the newest write in the tables and logs the version covers. */
    public synchronized long lastSequence() {
        return lastSequence;
    }

    /** The compact pointers by level: a copy, unmodifiable. */
    public synchronized Map<Integer, InternalKey> compactPointers() {
        return Collections.unmodifiableMap(new TreeMap<>(compactPointers));
    }

    /** The live MANIFEST's file name. */
    public synchronized String manifestName() {
        return LsmFileNames.manifest(manifestNumber);
    }

    @Override
    public synchronized void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
