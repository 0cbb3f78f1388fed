package dev.storagelab.kvstore;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lsm.WriteBatch;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An engine under a write-ahead log (lab-06 T3). A write is a batch of puts and deletes: it goes to
 * the log as one record (a lab-05 {@link WriteBatch}; the record's LSN orders it), durable as the log's {@link dev.storagelab.wal.SyncMode} says, and only then to the engine,
 * in LSN order, so that the engine's state is always the log's prefix. A {@linkplain #checkpoint
 * checkpoint} makes the engine durable and records the LSN it covers in {@link CheckpointFile};
 * the log's segments below it are then removed. {@link #open} recovers: the engine at its last
 * checkpoint, then every log record after the covered LSN replayed into it.
 *
 * <p>Why replay is safe even when the engine's checkpoint holds some writes <em>after</em> the
 * covered LSN (writes applied while the checkpoint ran): replaying records in LSN order over any
 * state that holds the whole prefix up to the covered LSN gives every key its last logged value.
 *
 * <p>Thread-safe: writers share group commits, then apply one at a time in LSN order; reads go
 * straight to the engine and see every write that has returned.
 */
public final class WriteAheadStore implements OrderedStore {

    private final Storage storage;
    private final Engine engine;
    private final Wal wal;
    private final CheckpointFile recovered;
    private final long replayedRecords;

    /** Guards {@link #appliedLsn}, {@link #failure} and checkpoints. */
    private final ReentrantLock lock = new ReentrantLock();

    private final Condition applied = lock.newCondition();
    /** Every record up to this LSN is in the engine; none after it. */
    private long appliedLsn;
    /** The first failure to apply a logged write: the engine no longer matches the log. */
    private IOException failure;

    private final ReentrantLock checkpointLock = new ReentrantLock();
    private volatile boolean closed;

    private WriteAheadStore(Storage storage, Engine engine, Wal wal, CheckpointFile recovered, long replayedRecords) {
        this.storage = storage;
        this.engine = engine;
        this.wal = wal;
        this.recovered = recovered;
        this.replayedRecords = replayedRecords;
        this.appliedLsn = wal.lastLsn();
    }

    /**
     * Opens the log in {@code storage} over {@code engine} (already open at its last checkpoint; the
     * store owns it from now on, and closes it if the open fails) and recovers: reads {@link CheckpointFile}, replays every log record after its covered LSN into
     * the engine, in order. The engine's files and the log's share {@code storage}; their names do
     * not collide. The engine was opened before the log's checks: prefer
     * {@link #open(Storage, EngineOpener, WalOptions, ReplayListener)}, which opens it after them.
     *
     * @param replayed sees each replayed batch after it is applied (KvStore learns its clock from
     *                 it); may be null
     * @throws CorruptionException if the checkpoint record or a log record before the log's tail is
     *                             damaged, or the log starts after the checkpoint's LSN (records the
     *                             engine never got are gone)
     */
    public static WriteAheadStore open(Storage storage, Engine engine, WalOptions options, ReplayListener replayed)
            throws IOException {
        Objects.requireNonNull(engine, "engine");
        try {
            return open(storage, () -> engine, options, replayed);
        } catch (IOException | RuntimeException e) {
            closeAll(e, engine); // closing twice does nothing
            throw e;
        }
    }

    /**
     * Opens the store as {@link #open(Storage, Engine, WalOptions, ReplayListener)} does, deciding
     * before anything is written: the checkpoint record is read, the log read and checked
     * ({@link Wal#recover}) and found to reach the checkpoint's LSN, and only then is the engine
     * opened (by {@code engine}, whose own open decides before it writes too), the log's torn tail
     * cut and the records after the checkpoint replayed. An open refused by a damaged checkpoint,
     * a damaged log or a log that ends before the checkpoint leaves every file as it was.
     */
    public static WriteAheadStore open(
            Storage storage, EngineOpener engine, WalOptions options, ReplayListener replayed) throws IOException {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(options, "options");
        CheckpointFile checkpoint = CheckpointFile.read(storage);
        Wal.Recovered found = Wal.recover(storage);
        checkReaches(found.lastLsn(), checkpoint.coveredLsn(), storage.describe(CheckpointFile.NAME));
        Engine opened = engine.open();
        Wal wal = null;
        try {
            checkEngineCheckpoint(opened, checkpoint, storage.describe(CheckpointFile.NAME));
            wal = found.open(options);
            long[] count = new long[1];
            recover(wal, opened, checkpoint.coveredLsn(), storage.describe(CheckpointFile.NAME), (lsn, batch) -> {
                count[0]++;
                if (replayed != null) {
                    replayed.replayed(lsn, batch);
                }
            });
            return new WriteAheadStore(storage, opened, wal, checkpoint, count[0]);
        } catch (IOException | RuntimeException e) {
            closeAll(e, wal, opened);
            throw e;
        }
    }

    /** Opens the engine under the log, once the log and the checkpoint have passed their checks. */
    @FunctionalInterface
    public interface EngineOpener {
        Engine open() throws IOException;
    }

    /** Closes each of {@code closeables} that is not null, adding what fails to {@code e}. */
    private static void closeAll(Exception e, java.io.Closeable... closeables) {
        for (java.io.Closeable c : closeables) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }

    /**
     * The engine must have come back at the checkpoint the record names, or a later one (a crash
     * between the engine's checkpoint and the record's leaves the engine ahead, which replay
     * handles). One that came back older lost its newest checkpoint after the record was written,
     * and the log records between the two are gone: opening would return old values.
     */
    private static void checkEngineCheckpoint(Engine engine, CheckpointFile checkpoint, String checkpointFile)
            throws CorruptionException {
        if (engine.checkpointId() < checkpoint.engineCheckpoint()) {
            throw new CorruptionException(
                    checkpointFile,
                    20,
                    "the checkpoint record was taken at the " + engine.kind()
                            + "'s checkpoint " + checkpoint.engineCheckpoint() + " but the " + engine.kind()
                            + " opened at its checkpoint "
                            + engine.checkpointId()
                            + ": its newest checkpoint is damaged, and the log records the two differ by "
                            + "are gone");
        }
    }

    /**
     * The log must reach the checkpoint's LSN: if it ends before, segments are missing, and new
     * records would reuse LSNs the checkpoint claims.
     */
    private static void checkReaches(long lastLsn, long coveredLsn, String checkpointFile) throws CorruptionException {
        if (lastLsn < coveredLsn) {
            throw new CorruptionException(
                    checkpointFile,
                    0,
                    "the checkpoint covers LSN " + coveredLsn
                            + " but the log ends at LSN " + lastLsn
                            + ": log segments are missing, and new records would "
                            + "reuse LSNs the checkpoint claims");
        }
    }

    /** Sees one batch that recovery replayed. */
    @FunctionalInterface
    public interface ReplayListener {
        void replayed(long lsn, List<Entry> batch) throws IOException;
    }

    /**
     * Replays into {@code engine} every record of {@code wal} with an LSN above {@code coveredLsn},
     * in LSN order: checks that each record's LSN is the next one after the checkpoint's, decodes its
     * payload ({@link WriteBatch#decode}), applies its operations in order (a tombstone is a
     * delete), then tells {@code listener}. Applying a record twice is harmless, as the class
     * Javadoc explains, so a crash during recovery is recovered from by recovering again.
     *
     * @param checkpointFile the checkpoint record's name, for the exception
     * @throws CorruptionException if the log ends before {@code coveredLsn} or its first record is
     *                             after {@code coveredLsn + 1} (records between the checkpoint and
     *                             the log's start are missing), or a payload does not decode
     */
    static void recover(Wal wal, Engine engine, long coveredLsn, String checkpointFile, ReplayListener listener)
            throws IOException {
        checkReaches(wal.lastLsn(), coveredLsn, checkpointFile);
        // BEGIN SOLUTION lab-06 T3
        long[] expected = {coveredLsn + 1};
        wal.replay(coveredLsn, (lsn, payload) -> {
            if (lsn != expected[0]) {
                throw new CorruptionException(
                        checkpointFile,
                        0,
                        "the checkpoint covers LSN " + coveredLsn
                                + " but the log continues at LSN " + lsn + ": records " + expected[0] + " to "
                                + (lsn - 1)
                                + " are missing");
            }
            List<Entry> ops =
                    WriteBatch.decode(payload, "log record " + lsn, 0).batch().operations();
            applyTo(engine, ops);
            listener.replayed(lsn, ops);
            expected[0]++;
        });
        // END SOLUTION
    }

    /**
     * Applies one batch's operations to the engine in order ({@link OrderedStore#write}: puts, and a
     * delete for each tombstone; one write batch in the LSM tree).
     */
    static void applyTo(OrderedStore engine, List<Entry> ops) throws IOException {
        engine.write(ops);
    }

    /**
     * Writes {@code ops} atomically: one log record, then the engine. Returns once the record is
     * durable as the sync mode says and the batch is in the engine.
     *
     * @throws IllegalArgumentException if {@code ops} is empty or holds a bad key or value
     * @throws IOException              if the log refused the record (nothing was applied, and the
     *                                  log refuses every later write too) or the store has failed
     */
    @Override
    public void write(List<Entry> ops) throws IOException {
        writeAndGetLsn(ops);
    }

    /** {@link #write}, returning the batch's LSN. */
    public long writeAndGetLsn(List<Entry> ops) throws IOException {
        checkOpen();
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("an empty batch has nothing to write");
        }
        WriteBatch batch = WriteBatch.of(ops);
        // BEGIN SOLUTION lab-06 T3
        long lsn = wal.commit(batch.encode(0)); // the record's LSN orders it; the batch's own sequence is unused
        applyInOrder(lsn, ops);
        return lsn;
        // END SOLUTION
    }

    /**
     * Applies the batch logged at {@code lsn} to the engine once every record before it is applied:
     * waits (uninterruptibly) until {@link #appliedLsn} is {@code lsn - 1}, applies, moves
     * {@code appliedLsn} to {@code lsn} and wakes the other writers. If applying fails, records the
     * failure (every waiting and later writer then fails with it: the engine no longer matches the
     * log) and rethrows.
     */
    private void applyInOrder(long lsn, List<Entry> ops) throws IOException {
        // BEGIN SOLUTION lab-06 T3
        lock.lock();
        try {
            while (appliedLsn != lsn - 1 && failure == null) {
                applied.awaitUninterruptibly();
            }
            if (failure != null) {
                throw new IOException("the store failed earlier and refuses writes: " + failure.getMessage(), failure);
            }
            try {
                applyTo(engine, ops);
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException("applying LSN " + lsn + " failed", e);
                throw e;
            } finally {
                if (failure == null) {
                    appliedLsn = lsn;
                }
                applied.signalAll();
            }
        } finally {
            lock.unlock();
        }
        // END SOLUTION
    }

    /**
     * Takes a checkpoint: notes the LSN every applied record reaches, forces the log (so that after
     * any crash the log reaches that LSN, whatever the sync mode), makes the engine durable
     * ({@link Engine#checkpoint()}), publishes a {@link CheckpointFile} with that LSN, the engine's
     * {@link Engine#checkpointId()} (asked after its checkpoint) and the bytes
     * {@code meta} gives (asked after the LSN is taken, so that what the layer above records there,
     * such as KvStore's clock, covers every record up to it), and only then removes every log segment
     * the checkpoint covers, those whose LSNs are all at or below the covered LSN
     * ({@link Wal#truncateBefore}{@code (covered + 1)}). Returns the covered LSN. Writers go on during the engine's
     * checkpoint; the engine may then hold a few records past the covered LSN, which recovery
     * replays again, harmlessly.
     */
    public long checkpoint(Supplier<byte[]> meta) throws IOException {
        checkOpen();
        checkpointLock.lock();
        try {
            // BEGIN SOLUTION lab-06 T3
            long covered;
            lock.lock();
            try {
                if (failure != null) {
                    throw new IOException("the store failed earlier; no checkpoint: " + failure.getMessage(), failure);
                }
                covered = appliedLsn;
            } finally {
                lock.unlock();
            }
            wal.force(); // under SyncMode.NONE records up to `covered` may not be durable yet
            engine.checkpoint();
            new CheckpointFile(covered, engine.checkpointId(), meta.get()).write(storage);
            wal.truncateBefore(covered + 1);
            return covered;
            // END SOLUTION
        } finally {
            checkpointLock.unlock();
        }
    }

    /** The checkpoint record recovery started from. */
    public CheckpointFile recoveredCheckpoint() {
        return recovered;
    }

    /** How many log records recovery replayed. */
    public long replayedRecords() {
        return replayedRecords;
    }

    /** The log under the store (for its statistics and its size). */
    public Wal wal() {
        return wal;
    }

    /** The engine under the store. */
    public Engine engine() {
        return engine;
    }

    /** The LSN of the last record applied to the engine. */
    public long appliedLsn() {
        lock.lock();
        try {
            return appliedLsn;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkOpen();
        return engine.get(KeyValueStore.checkKey(key));
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        write(List.of(Entry.put(key, value)));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        write(List.of(Entry.tombstone(key)));
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        checkOpen();
        return engine.scan(from, to);
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        checkOpen();
        return engine.scanReverse(from, to);
    }

    /** Forces the log: every write that has returned is durable, whatever the sync mode. */
    @Override
    public void sync() throws IOException {
        checkOpen();
        wal.force();
    }

    /**
     * Closes the log and the engine, without a checkpoint: the log holds everything since the last
     * one, and the next open replays it. Forces the log first, so that under
     * {@link dev.storagelab.wal.SyncMode#NONE} a clean close loses nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        try {
            wal.force();
        } catch (IOException e) {
            first = e;
        }
        try {
            wal.close();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        try {
            engine.close();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }

    @Override
    public String toString() {
        return "write-ahead " + engine.kind() + " store, applied to LSN " + appliedLsn();
    }
}
