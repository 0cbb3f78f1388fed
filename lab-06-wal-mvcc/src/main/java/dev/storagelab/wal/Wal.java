package dev.storagelab.wal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.RecordLogFormat;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.lsm.RecordLogReader;
import dev.storagelab.lsm.RecordLogWriter;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write-ahead log (lab-06 T1 and T2): records addressed by log sequence numbers (LSNs) 1, 2,
 * 3, ... with no gap, in segment files that each hold a run of consecutive LSNs. A change is
 * appended (and, for a commit, forced) here before any engine sees it, so that after a crash the
 * log can replay every acknowledged change onto the engine's last checkpoint.
 *
 * <p><b>Files.</b> Each segment is a lab-05 record log ({@link RecordLogFormat}, kind
 * {@link Kind#WAL_SEGMENT}) named for its first LSN, {@code 00000000000000000001.wal} and so on
 * (20 digits, zero-padded); each of its records is a {@link WalRecord}: the LSN, a type byte and the
 * payload. A segment at or past {@link WalOptions#segmentBytes()} is forced and a new one created
 * (and the directory synced) before the next write, so only the last segment can ever end in a torn
 * record. {@link #truncateBefore} deletes the segments a checkpoint covers.
 *
 * <p><b>Recovery.</b> {@link #open} reads every segment in order and checks every record: a torn
 * tail of the last segment is cut; anything else wrong is a {@link CorruptionException} naming the
 * file, the offset and what failed. Nothing is skipped.
 *
 * <p><b>Writing.</b> {@link #commit}s go through one queue ({@link CommitQueue}), whose leader
 * writes a group of commits with one storage write and forces once for the group; {@link #append}
 * and {@link #force} write directly. All are thread-safe. After a failed write or force the log refuses every
 * later write and force with an IOException naming the first failure: what reached the disk is
 * unknown, and a record written after it could sit behind garbage (PostgreSQL's "fsyncgate").
 * Reopening the log recovers it.
 *
 * <p>Typical use by the layer above (lab-06 T3):
 * <pre>{@code
 * try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
 *     wal.replay(checkpointLsn, (lsn, payload) -> engine.apply(payload));   // recovery
 *     long lsn = wal.commit(encode(batch));                                 // durable on return (GROUP)
 *     engine.apply(batch);
 *     ...
 *     wal.truncateBefore(engine.checkpoint());                              // recycle covered segments
 * }
 * }</pre>
 */
public final class Wal implements Closeable {

    /** Hears group commits ({@link #setEventListener}). */
    private volatile EventListener events = dev.storagelab.events.TestRecording.listener();

    /** The largest payload a record takes: a record log's largest record, less the LSN and type. */
    public static final int MAX_PAYLOAD = RecordLogFormat.MAX_RECORD - WalRecord.HEADER_SIZE;

    private final Storage storage;
    private final WalOptions options;
    private final CommitQueue queue;
    /** The segments, in LSN order, the active one last. */
    @GuardedBy("segments")
    private final List<WalSegment> segments;
    /** Serialises {@link #truncateBefore} calls. */
    private final Object truncateLock = new Object();
    /**
     * Serialises every write and force of the log: {@link #append} and {@link #force} take it
     * themselves, the commit queue's leader takes it around its group's write and force.
     */
    private final ReentrantLock ioLock = new ReentrantLock();

    // Written only under ioLock, read by anyone.
    private volatile long lastLsn;
    private volatile long durableLsn;
    private volatile IOException failure;
    private volatile String failedOperation;
    private volatile boolean closed;
    private volatile long records;
    private volatile long bytes;
    private volatile long forces;
    private volatile long commitGroups;
    private volatile long commitGroupRecords;

    @GuardedBy("ioLock")
    private RecordLogWriter active;

    @GuardedBy("ioLock")
    private long activeRecords;

    private Wal(
            Storage storage,
            WalOptions options,
            List<WalSegment> segments,
            RecordLogWriter active,
            long lastLsn,
            long activeRecords) {
        this.storage = storage;
        this.options = options;
        this.segments = segments;
        this.active = active;
        this.lastLsn = lastLsn;
        this.durableLsn = lastLsn;
        this.activeRecords = activeRecords;
        this.queue = new CommitQueue(
                new CommitQueue.Log() {
                    @Override
                    public long append(List<byte[]> payloads) throws IOException {
                        ioLock.lock();
                        try {
                            long first = appendGroup(payloads);
                            commitGroups++;
                            commitGroupRecords += payloads.size();
                            if (EventListener.EMIT && events.isEnabled()) events.onEvent(walGroup(first, payloads));
                            return first;
                        } finally {
                            ioLock.unlock();
                        }
                    }

                    @Override
                    public void force() throws IOException {
                        Wal.this.force();
                    }
                },
                options.syncMode() != SyncMode.EVERY_WRITE,
                options.maxGroupBytes());
    }

    /**
     * Opens the log in {@code storage}, creating it if it has no segment, and recovers it: every
     * segment is read and checked in LSN order, a torn tail of the last one is cut (a last segment
     * whose file header is torn is deleted), and the last segment is forced, so that on return
     * every record the log holds is durable ({@link #durableLsn()} equals {@link #lastLsn()}).
     * Files whose names are not segment names are left alone. The same as
     * {@link #recover recover(storage)}{@code .open(options)}: an open that fails changes nothing.
     *
     * @throws CorruptionException if a segment is damaged anywhere but in the last one's tail, a
     *         segment between two others is missing, or the LSNs have a gap or go backwards; the
     *         message names the file, the offset and what failed
     */
    public static Wal open(Storage storage, WalOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        return recover(storage).open(options);
    }

    /**
     * Reads and checks every segment of the log in {@code storage}, writing nothing: the first half
     * of {@link #open}. A layer above that has checks of its own (a checkpoint the log must reach)
     * makes them on the result before {@link Recovered#open} cuts the torn tail, so that an open
     * it refuses leaves the log's bytes as they were.
     *
     * @throws CorruptionException as {@link #open}
     */
    public static Recovered recover(Storage storage) throws IOException {
        Objects.requireNonNull(storage, "storage");
        return new Recovered(storage, WalRecovery.recover(storage));
    }

    /** A log read and checked by {@link #recover}, its files not yet changed. */
    public static final class Recovered {
        private final Storage storage;
        private final WalRecovery.Result found;

        private Recovered(Storage storage, WalRecovery.Result found) {
            this.storage = storage;
            this.found = found;
        }

        /** The LSN of the last whole record (0 if the log has never held one). */
        public long lastLsn() {
            return found.lastLsn();
        }

        /** The bytes of torn tail that {@link #open} will cut (0 if the log ends cleanly). */
        public long tornBytes() throws IOException {
            return found.tornSegment() == null ? 0 : storage.size(found.tornSegment()) - found.tornEnd();
        }

        /**
         * Opens the log for writing, as {@link Wal#open} does: cuts the torn tail (or deletes a last
         * segment whose header is torn), forces the last segment, or creates the first one.
         */
        public Wal open(WalOptions options) throws IOException {
            Objects.requireNonNull(options, "options");
            if (found.tornSegment() != null) {
                WalRecovery.cutTornTail(storage, found.tornSegment(), found.tornEnd());
            }
            List<WalSegment> segments = new ArrayList<>(found.segments());
            RecordLogWriter active;
            if (segments.isEmpty()) {
                WalSegment first = WalSegment.starting(found.lastLsn() + 1);
                active = RecordLogWriter.create(storage, first.name(), Kind.WAL_SEGMENT);
                try {
                    storage.syncDirectory();
                } catch (IOException | RuntimeException e) {
                    active.close();
                    throw e;
                }
                segments.add(first);
            } else {
                active = RecordLogWriter.openAppend(
                        storage, segments.get(segments.size() - 1).name());
                try {
                    // Makes a cut tail durable, and whatever the last run appended without forcing.
                    active.force();
                } catch (IOException | RuntimeException e) {
                    active.close();
                    throw e;
                }
            }
            return new Wal(storage, options, segments, active, found.lastLsn(), found.activeRecords());
        }
    }

    /**
     * Appends one record in one storage write, written to the operating system but not forced: a
     * crash of the process loses nothing, a power loss may lose it (and the records after it, never
     * one before it). Thread-safe: appends and commits are written one at a time. (An append does
     * not go through group commit: it has nothing to wait for.)
     *
     * @return the record's LSN: the log's last LSN plus one
     * @throws IOException if the write failed, or an earlier write or force did
     */
    public long append(byte[] payload) throws IOException {
        checkPayload(payload);
        ioLock.lock();
        try {
            return appendGroup(List.of(payload));
        } finally {
            ioLock.unlock();
        }
    }

    /** Makes every record appended (or committed) so far durable. Thread-safe. */
    public void force() throws IOException {
        ioLock.lock();
        try {
            forceLog();
        } finally {
            ioLock.unlock();
        }
    }

    /**
     * Appends one record and returns when it is as durable as {@link WalOptions#syncMode()} says:
     * under {@link SyncMode#GROUP} concurrent commits share one write and one force, and each
     * returns once the force covering it is done; under {@link SyncMode#EVERY_WRITE} each commit
     * writes and forces alone, one after another; under {@link SyncMode#NONE} it returns once
     * written. Thread-safe.
     *
     * @return the record's LSN
     * @throws IOException if the write or force of the commit's group failed (every commit of that
     *                     group gets it), or an earlier one did
     */
    public long commit(byte[] payload) throws IOException {
        return queue.submit(checkPayload(payload), options.syncMode() != SyncMode.NONE);
    }

    /** The LSN of the last record appended (0 if the log has never held one). */
    public long lastLsn() {
        return lastLsn;
    }

    /** The LSN up to which every record is durable. */
    public long durableLsn() {
        return durableLsn;
    }

    /**
     * Calls {@code consumer} with every record whose LSN is above {@code afterLsn}, in LSN order,
     * up to the last LSN when the call began: recovery replays the log from a checkpoint with it.
     * Usable right after {@link #open}, and while others append; not while {@link #truncateBefore}
     * may delete the segments being read.
     *
     * @throws CorruptionException if a record after {@code afterLsn} is no longer in the log (its
     *         segment was truncated: the checkpoint is older than the log), naming the first
     *         segment; or if a segment fails its checks
     */
    public void replay(long afterLsn, RecordConsumer consumer) throws IOException {
        Objects.requireNonNull(consumer, "consumer");
        if (afterLsn < 0) {
            throw new IllegalArgumentException("afterLsn must be at least 0: " + afterLsn);
        }
        long last = lastLsn;
        List<WalSegment> snapshot;
        synchronized (segments) {
            snapshot = List.copyOf(segments);
        }
        WalSegment oldest = snapshot.get(0);
        if (afterLsn + 1 < oldest.firstLsn() && afterLsn < last) {
            throw new CorruptionException(
                    storage.describe(oldest.name()),
                    0,
                    "records after LSN " + afterLsn
                            + " were asked for, but the log starts at LSN " + oldest.firstLsn()
                            + ": the segments before it were truncated");
        }
        for (int i = 0; i < snapshot.size(); i++) {
            WalSegment segment = snapshot.get(i);
            long end = i + 1 < snapshot.size() ? snapshot.get(i + 1).firstLsn() - 1 : last;
            if (end <= afterLsn) {
                continue;
            }
            String describe = storage.describe(segment.name());
            // The active segment may be growing: stop at the last LSN taken above, never read past it.
            RecoveryMode mode =
                    i + 1 < snapshot.size() ? RecoveryMode.ABSOLUTE_CONSISTENCY : RecoveryMode.TOLERATE_TORN_TAIL;
            try (RecordLogReader reader = RecordLogReader.open(storage, segment.name(), Kind.WAL_SEGMENT, mode)) {
                for (long lsn = segment.firstLsn(); lsn <= end; lsn++) {
                    byte[] record = reader.next();
                    if (record == null) {
                        throw new CorruptionException(
                                describe,
                                reader.validEnd(),
                                "segment ends before LSN " + lsn + ", expected records up to LSN " + end);
                    }
                    byte[] payload = WalRecord.decode(record, lsn, describe, reader.lastRecordOffset());
                    if (lsn > afterLsn) {
                        consumer.accept(lsn, payload);
                    }
                }
            }
        }
    }

    /**
     * Deletes the segments whose records all have LSNs below {@code lsn}, because a checkpoint
     * covers them; never the active (last) segment. The oldest go first and the directory is synced
     * after, so a crash in between leaves a log that still starts at a whole segment. Segments are
     * chosen by {@link WalSegment#coveredBefore}.
     */
    public void truncateBefore(long lsn) throws IOException {
        synchronized (truncateLock) {
            List<WalSegment> covered;
            synchronized (segments) {
                covered = List.copyOf(segments.subList(0, WalSegment.coveredBefore(List.copyOf(segments), lsn)));
            }
            if (covered.isEmpty()) {
                return;
            }
            for (WalSegment segment : covered) {
                storage.delete(segment.name());
                synchronized (segments) {
                    segments.remove(0);
                }
            }
            storage.syncDirectory();
        }
    }

    /** The segment files' names, in LSN order, the active one last. */
    public List<String> segmentNames() {
        synchronized (segments) {
            return segments.stream().map(WalSegment::name).toList();
        }
    }

    /** What the log has done since it was opened. */
    public WalStats stats() {
        long groups = commitGroups;
        return new WalStats(
                records,
                bytes,
                forces,
                groups,
                groups == 0 ? 0 : (double) commitGroupRecords / groups,
                queue.waiting());
    }

    /** The options the log was opened with. */
    public WalOptions options() {
        return options;
    }

    /**
     * Forces what was appended (unless the log already failed), waits for a write or force in flight
     * and closes the active segment; every later append, commit and force fails. Closing twice does
     * nothing.
     */
    @Override
    public void close() throws IOException {
        ioLock.lock();
        try {
            if (closed) {
                return;
            }
            IOException error = null;
            if (failure == null) {
                try {
                    forceLog();
                } catch (IOException e) {
                    error = e;
                }
            }
            closed = true;
            active.close();
            if (error != null) {
                throw error;
            }
        } finally {
            ioLock.unlock();
        }
    }

    // ---------------------------------------------------------------- the I/O, under ioLock

    /** A group commit of {@code payloads}, the first at LSN {@code first}: its size, bytes and segment. */
    private EngineEvent walGroup(long first, List<byte[]> payloads) {
        long bytes = 0;
        for (byte[] p : payloads) {
            bytes += p.length;
        }
        long segment;
        int count;
        synchronized (segments) { // truncateBefore removes from the front meanwhile
            count = segments.size();
            segment = count == 0 ? 0L : segments.get(count - 1).firstLsn();
        }
        return EngineEvent.of(
                EventType.GROUP_COMMIT,
                "size",
                payloads.size(),
                "bytes",
                bytes,
                "firstLsn",
                first,
                "segment",
                segment,
                "segments",
                count);
    }

    /** Sets who hears this log's group commits ({@link EventListener}); null for none. */
    public void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }

    /** Appends records in one write. */
    @GuardedBy("ioLock")
    private long appendGroup(List<byte[]> payloads) throws IOException {
        checkWritable();
        try {
            if (activeRecords > 0 && active.size() >= options.segmentBytes()) {
                rollOver();
            }
            long first = lastLsn + 1;
            List<byte[]> encoded = new ArrayList<>(payloads.size());
            for (int i = 0; i < payloads.size(); i++) {
                encoded.add(WalRecord.encode(first + i, payloads.get(i)));
            }
            long before = active.size();
            active.addRecords(encoded);
            activeRecords += payloads.size();
            records += payloads.size();
            bytes += active.size() - before;
            lastLsn = first + payloads.size() - 1;
            return first;
        } catch (IOException | RuntimeException e) {
            throw fail("write", e);
        }
    }

    /** Forces the active segment if anything is unforced. */
    @GuardedBy("ioLock")
    private void forceLog() throws IOException {
        checkWritable();
        long upTo = lastLsn;
        if (durableLsn == upTo) {
            return; // every segment but the active one was forced when it filled up
        }
        try {
            active.force();
            forces++;
            durableLsn = upTo;
        } catch (IOException | RuntimeException e) {
            throw fail("force", e);
        }
    }

    /**
     * Closes the full active segment and starts the next: the old one is forced first (so that only
     * the last segment can ever end torn), the new one is created with its header forced, and the
     * directory is synced (so that it cannot vanish in a crash while records in it are acknowledged).
     */
    @GuardedBy("ioLock")
    private void rollOver() throws IOException {
        active.force();
        forces++;
        durableLsn = lastLsn;
        WalSegment next = WalSegment.starting(lastLsn + 1);
        RecordLogWriter writer = RecordLogWriter.create(storage, next.name(), Kind.WAL_SEGMENT);
        try {
            storage.syncDirectory();
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
        RecordLogWriter old = active;
        active = writer;
        activeRecords = 0;
        synchronized (segments) {
            segments.add(next);
        }
        old.close();
    }

    /** Records the log's first failure; returns the exception to rethrow. */
    private IOException fail(String operation, Exception e) {
        IOException io = e instanceof IOException x ? x : new IOException(e);
        if (failure == null) {
            failedOperation = operation;
            failure = io;
        }
        return io;
    }

    private void checkWritable() throws IOException {
        if (failure != null) {
            throw new IOException(
                    "the write-ahead log refuses writes after a failed " + failedOperation + " ("
                            + failure.getMessage() + "): what reached the disk is unknown, so no record may follow it; "
                            + "reopen the log to recover it",
                    failure);
        }
        if (closed) {
            throw new IOException("the write-ahead log is closed");
        }
    }

    private static byte[] checkPayload(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes is larger than the "
                    + MAX_PAYLOAD + " a log record holds");
        }
        return payload;
    }
}
