package dev.storagelab.hybrid.tier;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.storagelab.hybrid.tier.TieredStorage.ARCHIVING_SUFFIX;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.tier.TieredStorage.Location;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The archive mover of a {@link TieredStorage} (lab-07 T7: you write {@link #copyAndPublish} and
 * {@link #candidatesForArchive}): it picks the fast files old enough to archive and moves each
 * one crash-safely. Copy it to {@code NAME.archiving} in the archive, force the copy, rename it to
 * {@code NAME}, sync the archive's directory, then delete the fast copy and sync the fast directory.
 * A crash at any step leaves at least one complete copy, and {@link TieredStorage#open} keeps
 * exactly one ({@link TierRecovery}). Readers that have the file open follow it: their handles
 * switch to the archive's copy, so the fast copy's space is freed and their reads are the
 * archive's (counted and slowed by the latency storage).
 *
 * <p>It works on the storage's map of files under the storage's metadata lock (the two are the
 * storage's own, shared with it). The copy, the slow part, runs outside the lock; then the move
 * re-checks under the lock that the file is still the one it copied (not deleted, renamed,
 * truncated or reopened for writing meanwhile) and otherwise drops its copy. So a move racing a
 * compaction's delete of the same table never loses a live file nor brings back a deleted one.
 * What is its own: the counters of moves, bytes moved and abandoned moves.
 */
final class ArchiveMover {

    /** Bytes per read and append of a move's copy. */
    static final int COPY_CHUNK = 64 << 10;

    private final Storage fast;
    private final Storage archive;
    private final Ticker ticker;
    /** The storage's metadata lock. */
    private final ReentrantLock lock;
    /** The storage's files, by name. Guarded by {@link #lock}. */
    private final TreeMap<String, FileState> files;

    private final AtomicLong moves = new AtomicLong();
    private final AtomicLong bytesMoved = new AtomicLong();
    private final AtomicLong abandonedMoves = new AtomicLong();

    ArchiveMover(Storage fast, Storage archive, Ticker ticker, ReentrantLock lock, TreeMap<String, FileState> files) {
        this.fast = fast;
        this.archive = archive;
        this.ticker = ticker;
        this.lock = lock;
        this.files = files;
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
    boolean moveToArchive(String name) throws IOException {
        Storage.checkName(name);
        Claim claim;
        lock.lock();
        try {
            FileState st = files.get(name);
            if (st == null) {
                throw new NoSuchFileException(fast.describe(name));
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
    record Claim(FileState state, long changes) {}

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
     * complete copy visible after {@link TieredStorage#open}.
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
        try (ReadableFile in = fast.openRead(name);
                WritableFile out = archive.create(temp)) {
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
     * ({@link TieredStorage#lsmTables()}): logs, MANIFESTs and CURRENT stay fast.
     *
     * @return the names moved, in the order they moved
     */
    List<String> archiveOlderThan(Duration age, Predicate<String> eligible) throws IOException {
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
    List<String> candidatesForArchive(Duration age, Predicate<String> eligible) {
        checkArgument(age != null && !age.isNegative(), "age must not be negative: %s", age);
        Objects.requireNonNull(eligible, "eligible");
        // BEGIN SOLUTION lab-07 T7
        lock.lock();
        try {
            long now = ticker.read();
            List<Map.Entry<String, FileState>> old = new ArrayList<>();
            for (Map.Entry<String, FileState> e : files.entrySet()) {
                FileState st = e.getValue();
                if (st.location == Location.FAST
                        && !st.moving
                        && st.openWriters == 0
                        && now - st.bornNanos >= age.toNanos()
                        && eligible.test(e.getKey())) {
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

    /** Files moved to the archive since the storage opened. */
    long moves() {
        return moves.get();
    }

    /** Bytes copied by the moves that published their copy. */
    long bytesMoved() {
        return bytesMoved.get();
    }

    /** Moves that dropped their copy because the file changed or disappeared while it was copied. */
    long abandonedMoves() {
        return abandonedMoves.get();
    }
}
