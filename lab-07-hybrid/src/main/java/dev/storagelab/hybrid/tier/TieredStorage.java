package dev.storagelab.hybrid.tier;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.lsm.LsmFileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p><b>Moving a file</b> ({@link #moveToArchive}): copy it to {@code NAME.archiving} in the archive,
 * force the copy, rename it to {@code NAME}, sync the archive's directory, then delete the fast copy
 * and sync the fast directory. A crash at any step leaves at least one complete copy, and
 * {@link #open} keeps exactly one. Readers that have the file open follow it: their handles switch
 * to the archive's copy, so the fast copy's space is freed and their reads are the archive's (counted
 * and slowed by the latency storage).
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
 */
public final class TieredStorage implements Storage {

    /** The suffix of a copy being made in the archive; reserved: no file of the engines may use it. */
    public static final String ARCHIVING_SUFFIX = ".archiving";

    /** Bytes per read and append of a move's copy. */
    static final int COPY_CHUNK = 64 << 10;

    /** Where a file lives. */
    public enum Location {
        FAST, ARCHIVE
    }

    /** What the metadata lock guards about one file. */
    static final class FileState {
        Location location;
        final long bornNanos;
        /** Writers open on the file: a file being written is never moved. */
        int openWriters;
        /** Bumped by every change of the file's name or bytes a move could miss (rename, truncate, openAppend, delete). */
        long changes;
        /** A move of this file is copying it. */
        boolean moving;
        /** Handles open on this file, switched to the archive's copy when it moves. */
        final Set<TieredReadableFile> readers = new HashSet<>();

        FileState(Location location, long bornNanos) {
            this.location = location;
            this.bornNanos = bornNanos;
        }
    }

    private final Storage fast;
    private final Storage archive;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Every visible file, by name (sorted: {@link #list()} reads it in order). Guarded by {@link #lock}. */
    private final TreeMap<String, FileState> files = new TreeMap<>();
    private final AtomicLong moves = new AtomicLong();
    private final AtomicLong bytesMoved = new AtomicLong();
    private final AtomicLong abandonedMoves = new AtomicLong();

    private TieredStorage(Storage fast, Storage archive, Ticker ticker) {
        this.fast = fast;
        this.archive = archive;
        this.ticker = ticker;
    }

    /**
     * Opens the two tiers and recovers from a move that a crash interrupted, then records every
     * file's location (each born now, on {@code ticker}). Recovery, in this order:
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
        tiers.recover();
        tiers.loadFiles();
        return tiers;
    }

    /** Steps 1 to 3 of {@link #open}: afterwards no name is in both tiers, and no {@code .archiving} copy is left. */
    private void recover() throws IOException {
        // BEGIN SOLUTION lab-07 T7
        List<String> archived = new ArrayList<>();
        boolean archiveChanged = false;
        for (String name : archive.list()) {
            if (name.endsWith(ARCHIVING_SUFFIX)) {
                archive.delete(name);
                archiveChanged = true;
            } else {
                archived.add(name);
            }
        }
        if (archiveChanged) {
            archive.syncDirectory();
        }
        boolean fastChanged = false;
        for (String name : archived) {
            if (fast.exists(name)) {
                fast.delete(name);
                fastChanged = true;
            }
        }
        if (fastChanged) {
            fast.syncDirectory();
        }
        // END SOLUTION
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
                    throw new IOException("recovery left " + name + (previous != null
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
     * Moves {@code name} from the fast storage to the archive, crash-safely: claims the file (it
     * must be in the fast tier, with no writer open and no other move under way), lets
     * {@link #copyAndPublish} copy and publish it, then releases the claim and deletes a copy that
     * was not published.
     *
     * @return true if the file moved; false if it is already archived, is being moved by another
     *         thread, has a writer open, or changed or disappeared while it was being copied
     * @throws NoSuchFileException if there is no such file when the move starts
     */
    public boolean moveToArchive(String name) throws IOException {
        Storage.checkName(name);
        Claim claim;
        lock.lock();
        try {
            FileState st = files.get(name);
            if (st == null) {
                throw new NoSuchFileException(describe(name));
            }
            if (st.location != Location.FAST || st.moving || st.openWriters > 0) {
                return false;
            }
            st.moving = true;
            claim = new Claim(st, st.changes);
        } finally {
            lock.unlock();
        }
        try {
            long bytes = copyAndPublish(name, claim);
            if (bytes < 0) {
                abandonedMoves.incrementAndGet();
                return false;
            }
            moves.incrementAndGet();
            bytesMoved.addAndGet(bytes);
            return true;
        } finally {
            deleteQuietly(archive, name + ARCHIVING_SUFFIX); // a copy that was never renamed, if any
            lock.lock();
            try {
                claim.state().moving = false;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * A file claimed by a move: its state, and its change count when the move began. The file is
     * still the one the move copies while {@code files.get(name) == state} and
     * {@code state.changes == changes} (a delete, rename, truncate or openAppend bumps the count).
     */
    record Claim(FileState state, long changes) {
    }

    /**
     * The move's steps, in this order (the claim is held, so no other move of {@code name} runs):
     * <ol>
     *   <li>without the metadata lock (the copy is the slow part: the engines must not wait for it),
     *       copy the fast file's bytes to {@code name + ARCHIVING_SUFFIX} in the archive (delete
     *       such a file first if a failed move left one), force the copy and close it;</li>
     *   <li>under the lock, re-check the claim: if the file was deleted, renamed or changed during
     *       the copy, return -1 (the caller deletes the stale copy; publishing it would bring back
     *       a deleted table or lose new bytes);</li>
     *   <li>still under the lock: rename the copy to {@code name} in the archive and sync the
     *       archive's directory (from here the archive's copy is the file, even after a crash: it
     *       is complete because it was forced before the rename); mark the file archived and
     *       switch its open readers to the archive's copy ({@link #switchReaders}); delete the fast
     *       copy and sync the fast directory.</li>
     * </ol>
     * Why this order: until the archive's rename is durable the fast copy is the file, and open
     * deletes a leftover {@code .archiving}; after it, open prefers the archive's copy over a fast
     * one a crash left behind. The fast copy is deleted last. A crash at any step leaves exactly one
     * complete copy visible after {@link #open}.
     *
     * @return the bytes copied, or -1 if the file changed during the copy and nothing was published
     */
    private long copyAndPublish(String name, Claim claim) throws IOException {
        // BEGIN SOLUTION lab-07 T7
        String temp = name + ARCHIVING_SUFFIX;
        if (archive.exists(temp)) {
            archive.delete(temp);
        }
        long bytes;
        try (ReadableFile in = fast.openRead(name); WritableFile out = archive.create(temp)) {
            bytes = copy(in, out);
            out.force();
        }
        lock.lock();
        try {
            FileState st = claim.state();
            if (files.get(name) != st || st.changes != claim.changes()) {
                return -1;
            }
            archive.rename(temp, name);
            archive.syncDirectory();
            st.location = Location.ARCHIVE;
            switchReaders(name, st);
            fast.delete(name);
            fast.syncDirectory();
            return bytes;
        } finally {
            lock.unlock();
        }
        // END SOLUTION
    }

    /**
     * Moves every file of the fast tier that is at least {@code age} old ({@code now - created >=
     * age} on the ticker) and that {@code eligible} accepts, oldest first (ties by name), skipping
     * files being written or already being moved. The hybrid store passes "is an LSM table"
     * ({@code LsmFileNames.parse(name)} of type {@code TABLE}): logs, MANIFESTs and CURRENT stay fast.
     *
     * @return the names moved, in the order they moved
     */
    public List<String> archiveOlderThan(Duration age, Predicate<String> eligible) throws IOException {
        checkArgument(age != null && !age.isNegative(), "age must not be negative: %s", age);
        Objects.requireNonNull(eligible, "eligible");
        List<String> candidates = candidatesForArchive(age, eligible);
        List<String> moved = new ArrayList<>();
        for (String name : candidates) {
            try {
                if (moveToArchive(name)) {
                    moved.add(name);
                }
            } catch (NoSuchFileException e) {
                // Deleted (a compaction) between the selection and its move: nothing to move.
            }
        }
        return moved;
    }

    /**
     * What {@link #archiveOlderThan} moves, in the order it moves them: the files of the fast tier
     * that are at least {@code age} old ({@code now - created >= age}, on the ticker), that have no
     * writer open and no move under way, and that {@code eligible} accepts; oldest first, ties by
     * name. Nothing is moved. (The shell's {@code tiers} shows this list as "next to archive".)
     */
    public List<String> candidatesForArchive(Duration age, Predicate<String> eligible) {
        checkArgument(age != null && !age.isNegative(), "age must not be negative: %s", age);
        Objects.requireNonNull(eligible, "eligible");
        // BEGIN SOLUTION lab-07 T7
        lock.lock();
        try {
            long now = ticker.read();
            List<Map.Entry<String, FileState>> old = new ArrayList<>();
            for (Map.Entry<String, FileState> e : files.entrySet()) {
                FileState st = e.getValue();
                if (st.location == Location.FAST && !st.moving && st.openWriters == 0
                        && now - st.bornNanos >= age.toNanos() && eligible.test(e.getKey())) {
                    old.add(e);
                }
            }
            old.sort(Comparator.comparingLong((Map.Entry<String, FileState> e) -> e.getValue().bornNanos)
                    .thenComparing(Map.Entry::getKey));
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, FileState> e : old) {
                names.add(e.getKey());
            }
            return names;
        } finally {
            lock.unlock();
        }
        // END SOLUTION
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

    /** Appends every byte of {@code in} to {@code out}, {@link #COPY_CHUNK} at a time; returns how many. */
    static long copy(ReadableFile in, WritableFile out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(COPY_CHUNK);
        long pos = 0;
        while (true) {
            buf.clear();
            int n = in.read(pos, buf);
            if (n < 0) {
                return pos;
            }
            buf.flip();
            out.append(buf);
            pos += n;
        }
    }

    /** Points every open handle of {@code name} at the archive's copy (lock held). */
    private void switchReaders(String name, FileState st) {
        for (TieredReadableFile r : st.readers) {
            try {
                r.switchTo(archive.openRead(name));
            } catch (IOException e) {
                // The reader keeps its handle on the fast copy, which stays readable until it closes.
            }
        }
    }

    private static void deleteQuietly(Storage storage, String name) {
        try {
            if (storage.exists(name)) {
                storage.delete(name);
            }
        } catch (IOException e) {
            // A leftover .archiving copy is deleted by the next open.
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
        return new TierReport(fastFiles, fastBytes, archiveFiles, archiveBytes, reads, writes, read, written,
                moves.get(), bytesMoved.get(), abandonedMoves.get());
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
            return new TieredWritableFile(w, st);
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
            return new TieredWritableFile(w, st);
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
            TieredReadableFile r = new TieredReadableFile(name, tier(st).openRead(name), st);
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
                    throw new IOException("cannot rename " + describe(from) + " onto " + describe(to)
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

    /** A writer that tells the metadata when it closes: a file with an open writer never moves. */
    private final class TieredWritableFile extends ForwardingWritableFile {
        private final FileState st;
        private boolean closed;

        TieredWritableFile(WritableFile delegate, FileState st) {
            super(delegate);
            this.st = st;
        }

        @Override
        public void close() throws IOException {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                st.openWriters--;
            } finally {
                lock.unlock();
            }
            delegate.close();
        }
    }

    /**
     * A reader that follows its file into the archive: a move switches {@link #current} to the
     * archive's copy and closes the fast one. A read that raced the switch and failed on the closed
     * handle is retried on the new one.
     */
    final class TieredReadableFile implements ReadableFile {
        private final String name;
        private final FileState st;
        private volatile ReadableFile current;
        private boolean closed;

        TieredReadableFile(String name, ReadableFile current, FileState st) {
            this.name = name;
            this.current = current;
            this.st = st;
        }

        /** Lock held. */
        void switchTo(ReadableFile next) {
            ReadableFile old = current;
            current = next;
            try {
                old.close();
            } catch (IOException e) {
                // Closing a read handle frees it; there is nothing to save.
            }
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            while (true) {
                ReadableFile f = current;
                try {
                    return f.read(position, dst);
                } catch (IOException e) {
                    if (f == current) {
                        throw e;
                    }
                    // The file moved under this read: read the archive's copy.
                }
            }
        }

        @Override
        public long size() throws IOException {
            while (true) {
                ReadableFile f = current;
                try {
                    return f.size();
                } catch (IOException e) {
                    if (f == current) {
                        throw e;
                    }
                }
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void close() throws IOException {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                st.readers.remove(this);
            } finally {
                lock.unlock();
            }
            current.close();
        }
    }
}
