package dev.storagelab.hybrid.tier;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.lsm.LsmFileNames;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * One directory of files spread over two storages (lab-07 T7): a fast one, where every file is
 * born, and an archive (in production a slow directory behind a {@link LatencyInjectingStorage}
 * with an object store's {@link DeviceModel}), where old files are moved to cost less. Every file
 * lives in exactly one of them; the engines on top (the LSM tree, the B+tree, the log) see one
 * {@link Storage} and never know where a file is. RocksDB does the same with its per-level
 * {@code db_paths} and, in recent versions, its file "temperature" ({@code last_level_temperature = kCold}).
 *
 * <p><b>Operations.</b> {@link #create} makes a file in the fast storage. A file is written, truncated
 * and renamed where it lives: an archived file opened with {@link #openAppend} is written in the
 * archive, at the archive's price (the LSM tree never does it: its tables are immutable). A rename
 * stays inside the tier of its source; a fast file renamed onto an archived one is refused (the two
 * tiers have no common atomic rename), an archived file renamed onto a fast one replaces it (see
 * {@link #rename}). {@link #list()} is the sorted union of both tiers. {@link #delete} of an
 * archived file is durable at once (the archive's directory is synced, as an object store's DELETE
 * is), so a deleted file never comes back. {@link #syncDirectory()} syncs both directories.
 *
 * <p><b>Moving a file</b> ({@link #moveToArchive}) is the {@link ArchiveMover}'s: copy it to
 * {@code NAME.archiving} in the archive, force the copy, rename it to {@code NAME}, sync the
 * archive's directory, then delete the fast copy and sync the fast directory. A crash at any step
 * leaves at least one complete copy, and {@link #open} keeps exactly one ({@link TierRecovery}).
 * Readers that have the file open follow it ({@link TieredReadableFile}).
 *
 * <p><b>Concurrency.</b> One metadata lock guards the map of files (where each lives, when it was
 * born, who has it open). The copy, the slow part, runs outside it; then the move re-checks under the
 * lock that the file is still the one it copied (not deleted, renamed, truncated or reopened for
 * writing meanwhile) and otherwise drops its copy. So a move racing a compaction's delete of the same
 * table never loses a live file nor brings back a deleted one. Reads through an open handle take no
 * lock.
 *
 * <p><b>Ages.</b> A file's age counts from its creation, on the {@link Ticker} (a rename keeps it);
 * a file found by {@link #open} is as old as the open (ages are not persisted: after a restart,
 * files wait one full age again before they move, which costs space, never correctness).
 *
 * <p>Where lab-07 T7's code is: {@link TierRecovery#recover} (open's recovery),
 * {@link ArchiveMover#copyAndPublish} and {@link ArchiveMover#candidatesForArchive} (the move and
 * what it picks). This class keeps the map of files ({@link FileState}, one per name) and answers
 * the {@link Storage} calls from it.
 */
public final class TieredStorage implements Storage {

    /** The suffix of a copy being made in the archive; reserved: no file of the engines may use it. */
    public static final String ARCHIVING_SUFFIX = ".archiving";

    /** Where a file lives. */
    public enum Location {
        FAST,
        ARCHIVE
    }

    private final Storage fast;
    private final Storage archive;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Every visible file, by name (sorted: {@link #list()} reads it in order). Guarded by {@link #lock}. */
    private final TreeMap<String, FileState> files = new TreeMap<>();
    /** Moves files to the archive, on {@link #files} under {@link #lock}. */
    private final ArchiveMover mover;

    private TieredStorage(Storage fast, Storage archive, Ticker ticker) {
        this.fast = fast;
        this.archive = archive;
        this.ticker = ticker;
        this.mover = new ArchiveMover(fast, archive, ticker, lock, files);
    }

    /**
     * Opens the two tiers and recovers from a move that a crash interrupted
     * ({@link TierRecovery#recover}), then records every file's location (each born now, on
     * {@code ticker}). Recovery, in this order:
     * <ol>
     *   <li>every {@code NAME.archiving} in the archive is a copy whose rename never happened: the
     *       fast copy is still there and complete; the partial copy is deleted;</li>
     *   <li>a name in both tiers is a move that crashed between the archive's rename and the fast
     *       copy's delete: the archive's copy is complete (it was forced before its rename) and is
     *       kept; the fast copy is deleted;</li>
     *   <li>if anything was deleted, that tier's directory is synced, so recovery itself survives a
     *       crash right after it.</li>
     * </ol>
     *
     * @param fast    where files are born
     * @param archive where old files are moved (a {@link LatencyInjectingStorage} gets its requests
     *                counted in {@link #report()})
     * @param ticker  the clock of file ages
     */
    public static TieredStorage open(Storage fast, Storage archive, Ticker ticker) throws IOException {
        Objects.requireNonNull(fast, "fast");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(ticker, "ticker");
        checkArgument(fast != archive, "the fast storage and the archive must be two different storages");
        TieredStorage tiers = new TieredStorage(fast, archive, ticker);
        new TierRecovery(fast, archive).recover();
        tiers.loadFiles();
        return tiers;
    }

    /** Records where every file lives, each born now; checks that recovery left each in one tier. */
    private void loadFiles() throws IOException {
        long now = ticker.read();
        lock.lock();
        try {
            for (String name : fast.list()) {
                files.put(name, new FileState(Location.FAST, now));
            }
            for (String name : archive.list()) {
                FileState previous = files.put(name, new FileState(Location.ARCHIVE, now));
                if (previous != null || name.endsWith(ARCHIVING_SUFFIX)) {
                    throw new IOException("recovery left " + name
                            + (previous != null
                                    ? " in both " + fast.describe(name) + " and " + archive.describe(name)
                                    : " half copied at " + archive.describe(name))
                            + ": a file must live in exactly one tier after open");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- tiers

    /** The fast storage. */
    public Storage fast() {
        return fast;
    }

    /** The archive storage. */
    public Storage archive() {
        return archive;
    }

    /** Where {@code name} lives, or empty if it does not exist. */
    public Optional<Location> locate(String name) {
        Storage.checkName(name);
        lock.lock();
        try {
            FileState st = files.get(name);
            return st == null ? Optional.empty() : Optional.of(st.location);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves {@code name} from the fast storage to the archive, crash-safely ({@link ArchiveMover#moveToArchive}).
     *
     * @return true if the file moved; false if it is already archived, is being moved by another
     *         thread, has a writer open, or changed or disappeared while it was being copied
     * @throws NoSuchFileException if there is no such file when the move starts
     */
    public boolean moveToArchive(String name) throws IOException {
        return mover.moveToArchive(name);
    }

    /**
     * Moves every file of the fast tier that is at least {@code age} old ({@code now - created >=
     * age} on the ticker) and that {@code eligible} accepts, oldest first (ties by name), skipping
     * files being written or already being moved ({@link ArchiveMover#archiveOlderThan}). The
     * hybrid store passes {@link #lsmTables()}: logs, MANIFESTs and CURRENT stay fast.
     *
     * @return the names moved, in the order they moved
     */
    public List<String> archiveOlderThan(Duration age, Predicate<String> eligible) throws IOException {
        return mover.archiveOlderThan(age, eligible);
    }

    /**
     * What {@link #archiveOlderThan} moves, in the order it moves them: the files of the fast tier
     * that are at least {@code age} old ({@code now - created >= age}, on the ticker), that have no
     * writer open and no move under way, and that {@code eligible} accepts; oldest first, ties by
     * name ({@link ArchiveMover#candidatesForArchive}). Nothing is moved. (The shell's {@code tiers}
     * shows this list as "next to archive".)
     */
    public List<String> candidatesForArchive(Duration age, Predicate<String> eligible) {
        return mover.candidatesForArchive(age, eligible);
    }

    /**
     * "Is an LSM table": what the hybrid store archives. Its logs, MANIFESTs and CURRENT are written
     * and read all the time and stay fast; a table is immutable, and an old one is rarely read.
     */
    public static Predicate<String> lsmTables() {
        return name -> {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            return p != null && p.type() == LsmFileNames.Type.TABLE;
        };
    }

    /** How long ago {@code name} was created (or this storage opened, for a file it found), on the ticker. */
    public Duration age(String name) throws IOException {
        lock.lock();
        try {
            return Duration.ofNanos(ticker.read() - state(name).bornNanos);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- money

    /**
     * Bytes and files per tier now, and what the archive has been asked since it was made (counted
     * by the archive if it is a {@link LatencyInjectingStorage}; zero otherwise). Price it with
     * {@link TierCosts#monthly}.
     */
    public TierReport report() throws IOException {
        long fastFiles = 0;
        long fastBytes = 0;
        long archiveFiles = 0;
        long archiveBytes = 0;
        lock.lock();
        try {
            for (Map.Entry<String, FileState> e : files.entrySet()) {
                if (e.getValue().location == Location.FAST) {
                    fastFiles++;
                    fastBytes += fast.size(e.getKey());
                } else {
                    archiveFiles++;
                    archiveBytes += archive.size(e.getKey());
                }
            }
        } finally {
            lock.unlock();
        }
        long reads = 0;
        long writes = 0;
        long read = 0;
        long written = 0;
        if (archive instanceof LatencyInjectingStorage l) {
            reads = l.readCalls();
            writes = l.writeCalls();
            read = l.bytesRead();
            written = l.bytesWritten();
        }
        return new TierReport(
                fastFiles,
                fastBytes,
                archiveFiles,
                archiveBytes,
                reads,
                writes,
                read,
                written,
                mover.moves(),
                mover.bytesMoved(),
                mover.abandonedMoves());
    }

    // ---------------------------------------------------------------- Storage

    @Override
    public WritableFile create(String name) throws IOException {
        checkUsableName(name);
        lock.lock();
        try {
            if (files.containsKey(name)) {
                throw new FileAlreadyExistsException(describe(name));
            }
            WritableFile w = fast.create(name);
            FileState st = new FileState(Location.FAST, ticker.read());
            st.openWriters++;
            files.put(name, st);
            return new TieredWritableFile(w, st, lock);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        Storage.checkName(name);
        lock.lock();
        try {
            FileState st = state(name);
            WritableFile w = tier(st).openAppend(name);
            st.openWriters++;
            st.changes++;
            return new TieredWritableFile(w, st, lock);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        Storage.checkName(name);
        lock.lock();
        try {
            FileState st = state(name);
            TieredReadableFile r = new TieredReadableFile(name, tier(st).openRead(name), st, lock);
            st.readers.add(r);
            return r;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean exists(String name) {
        Storage.checkName(name);
        lock.lock();
        try {
            return files.containsKey(name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long size(String name) throws IOException {
        Storage.checkName(name);
        lock.lock();
        try {
            return tier(state(name)).size(name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> list() {
        lock.lock();
        try {
            return new ArrayList<>(files.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Renames inside the tier that holds {@code from}. An archived file renamed onto a fast one:
     * the archive's rename is made durable, then the fast target is deleted (a crash between leaves
     * both, and {@link #open} keeps the archive's: the renamed file, as the rename promised). A fast
     * file renamed onto an archived one is refused with an IOException: no order of the two tiers'
     * steps is atomic (delete the target first).
     */
    @Override
    public void rename(String from, String to) throws IOException {
        Storage.checkName(from);
        checkUsableName(to);
        lock.lock();
        try {
            FileState src = state(from);
            if (from.equals(to)) {
                return;
            }
            FileState dst = files.get(to);
            if (src.location == Location.FAST) {
                if (dst != null && dst.location == Location.ARCHIVE) {
                    throw new IOException(
                            "cannot rename " + describe(from) + " onto " + describe(to)
                                    + ": the target is archived, and a rename across the two tiers cannot be atomic (delete it first)");
                }
                fast.rename(from, to);
            } else {
                archive.rename(from, to);
                if (dst != null && dst.location == Location.FAST) {
                    archive.syncDirectory(); // the new file is durable before the old one goes
                    fast.delete(to);
                }
            }
            files.remove(from);
            files.put(to, src);
            src.changes++;
            if (dst != null) {
                dst.changes++;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes {@code name} from its tier. A delete in the archive is synced at once, and removes any
     * fast copy a failed move left behind, so that the file cannot come back after a crash.
     */
    @Override
    public void delete(String name) throws IOException {
        Storage.checkName(name);
        lock.lock();
        try {
            FileState st = state(name);
            if (st.location == Location.FAST) {
                fast.delete(name);
            } else {
                archive.delete(name);
                archive.syncDirectory();
                if (fast.exists(name)) {
                    fast.delete(name);
                    fast.syncDirectory();
                }
            }
            files.remove(name);
            st.changes++;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        Storage.checkName(name);
        lock.lock();
        try {
            FileState st = state(name);
            tier(st).truncate(name, size);
            st.changes++;
        } finally {
            lock.unlock();
        }
    }

    /** Syncs both directories. */
    @Override
    public void syncDirectory() throws IOException {
        fast.syncDirectory();
        archive.syncDirectory();
    }

    @Override
    public String describe(String name) {
        lock.lock();
        try {
            FileState st = files.get(name);
            return st != null && st.location == Location.ARCHIVE
                    ? archive.describe(name) + " (archived)"
                    : fast.describe(name);
        } finally {
            lock.unlock();
        }
    }

    /** Closes both storages. */
    @Override
    public void close() throws IOException {
        try {
            fast.close();
        } finally {
            archive.close();
        }
    }

    @Override
    public String toString() {
        return "TieredStorage(" + fast + " | " + archive + ")";
    }

    // ---------------------------------------------------------------- internals

    private FileState state(String name) throws NoSuchFileException {
        FileState st = files.get(name);
        if (st == null) {
            throw new NoSuchFileException(fast.describe(name));
        }
        return st;
    }

    private Storage tier(FileState st) {
        return st.location == Location.FAST ? fast : archive;
    }

    private static void checkUsableName(String name) {
        Storage.checkName(name);
        if (name.endsWith(ARCHIVING_SUFFIX)) {
            throw new IllegalArgumentException("file name must not end with " + ARCHIVING_SUFFIX
                    + " (reserved for copies being archived): " + name);
        }
    }
}
