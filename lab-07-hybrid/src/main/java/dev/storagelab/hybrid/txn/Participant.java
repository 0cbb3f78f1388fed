package dev.storagelab.hybrid.txn;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kvstore.CheckpointFile;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One engine as a participant of two-phase commit (lab-07 T9): the engine (the lab-04 B+tree or
 * the lab-05 LSM tree, through lab-06's {@link Engine}) with its <em>own</em> lab-06 {@link Wal}
 * in its own {@link Storage}, and a {@link CheckpointFile} there. Every record of the log is a
 * {@link TxnRecord}.
 *
 * <ul>
 *   <li>{@link #write} is a one-phase commit: a forced WRITE record, then the engine.</li>
 *   <li>{@link #prepare} logs a PREPARE record holding the transaction's writes and forces it: from
 *       then on the participant has promised to commit if asked, whatever crashes. The writes are
 *       durable but <em>invisible</em>: they wait in the in-doubt table, and no read sees them.</li>
 *   <li>{@link #commit} logs COMMIT, forced (the coordinator forgets the transaction once every
 *       participant acknowledged, so a lost COMMIT could never be asked about again), then applies
 *       the writes to the engine.</li>
 *   <li>{@link #abort} logs ABORT without forcing it and drops the writes: a lost ABORT leaves an
 *       in-doubt PREPARE, which recovery asks the coordinator about, and the coordinator, having no
 *       decision for it, answers abort again (presumed abort).</li>
 * </ul>
 *
 * <p><b>Recovery</b> ({@link #open}): the engine is at its last checkpoint; the log is replayed from
 * the checkpoint's record: WRITEs and COMMITs after the covered LSN are applied, PREPAREs go back
 * into the in-doubt table, COMMITs and ABORTs take them out. What is left in the table is
 * <em>in doubt</em>: only the coordinator knows its outcome ({@link #inDoubt()}).
 *
 * <p><b>Checkpoints</b> ({@link #checkpoint}) make the engine durable and let the log be truncated,
 * but never past the PREPARE of a transaction still in doubt: its writes are in no engine file yet.
 * The checkpoint record's meta says where the log must be kept from:
 * <pre>
 * meta := version u8 = 1 | keep-from LSN u64 | largest transaction id seen u64     (17 bytes)
 * </pre>
 *
 * <p>Thread-safe: every call holds the participant's lock (one record at a time).
 */
public final class Participant implements Closeable {

    /** A prepared transaction whose outcome this participant does not know yet. */
    record Prepared(long lsn, List<Entry> writes) {}

    static final int META_VERSION = 1;
    static final int META_BYTES = 17;

    private final String name;
    private final Storage storage;
    private final Engine engine;
    private final Wal wal;
    private final String logName;
    /** The prepared transactions with no outcome yet, by id. */
    @GuardedBy("this")
    private final Map<Long, Prepared> inDoubt = new LinkedHashMap<>();
    /** The largest transaction id this participant's log has held. */
    @GuardedBy("this")
    private long maxTxId;

    private boolean closed;

    private Participant(String name, Storage storage, Engine engine, Wal wal, long maxTxId) {
        this.name = name;
        this.storage = storage;
        this.engine = engine;
        this.wal = wal;
        this.logName = "participant " + name + "'s log " + storage.describe("*.wal");
        this.maxTxId = maxTxId;
    }

    /**
     * Opens the participant {@code name} over {@code engine} (already open at its last checkpoint,
     * its files in {@code storage}; the participant owns it from now on and closes it if the open
     * fails), opens its log in {@code storage} and recovers (the class comment).
     *
     * @param options the log's options; its sync mode must force ({@link SyncMode#GROUP} or
     *                {@link SyncMode#EVERY_WRITE}): a PREPARE or COMMIT that is not forced is no promise
     * @throws CorruptionException if the checkpoint record, its meta or a log record is damaged, or
     *         the log holds a COMMIT after the checkpoint for a transaction it never prepared
     */
    public static Participant open(String name, Storage storage, Engine engine, WalOptions options) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(engine, "engine");
        if (options.syncMode() == SyncMode.NONE) {
            engine.close();
            throw new IllegalArgumentException(
                    "participant " + name + ": two-phase commit needs forced log records, " + "not SyncMode.NONE");
        }
        Wal wal = null;
        try {
            CheckpointFile checkpoint = CheckpointFile.read(storage);
            long[] meta = decodeMeta(checkpoint, storage.describe(CheckpointFile.NAME));
            wal = Wal.open(storage, options);
            if (wal.lastLsn() < checkpoint.coveredLsn()) {
                throw new CorruptionException(
                        storage.describe(CheckpointFile.NAME),
                        0,
                        "the checkpoint covers LSN " + checkpoint.coveredLsn() + " but participant " + name
                                + "'s log ends at LSN " + wal.lastLsn());
            }
            Participant p = new Participant(name, storage, engine, wal, meta[1]);
            synchronized (p) { // no other thread has it yet: held for the lock check of what recovery writes
                p.recover(checkpoint.coveredLsn(), meta[0]);
            }
            return p;
        } catch (IOException | RuntimeException e) {
            for (Closeable c : new Closeable[] {wal, engine}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Replays the log into the engine and the in-doubt table, at open. The engine holds every
     * record up to {@code coveredLsn} (its checkpoint); the log holds every record from
     * {@code keepFromLsn} on (at most {@code coveredLsn + 1}: the PREPAREs still in doubt at the
     * checkpoint are kept). Reads every record after {@code min(coveredLsn, keepFromLsn - 1)} in
     * LSN order ({@link Wal#replay}), decodes it ({@link TxnRecord#decode}, with {@link #logName}
     * and the LSN for the message), raises {@link #maxTxId} to its transaction id, and then:
     * <ul>
     *   <li>WRITE: applies its writes to the engine if its LSN is above {@code coveredLsn} (at or
     *       below it, the engine has them already);</li>
     *   <li>PREPARE: puts the transaction into {@link #inDoubt} (its LSN and writes);</li>
     *   <li>COMMIT: takes the transaction out of {@link #inDoubt} and, if the COMMIT's LSN is above
     *       {@code coveredLsn}, applies its writes to the engine. A COMMIT above {@code coveredLsn}
     *       of a transaction not in the table is a {@link CorruptionException} (its PREPARE is
     *       missing); at or below, the PREPARE may have been truncated, and there is nothing to do;</li>
     *   <li>ABORT: takes the transaction out of {@link #inDoubt}, if it is there;</li>
     *   <li>a coordinator's record (DECISION, END) is a {@link CorruptionException}: it has no
     *       business in a participant's log.</li>
     * </ul>
     * Applying a record twice is harmless (the engine's checkpoint may already hold what is
     * replayed), so a crash during recovery is recovered from by recovering again.
     */
    @GuardedBy("this")
    @SuppressWarnings("GuardedBy") // the replay calls the lambda on this thread, before it returns
    private void recover(long coveredLsn, long keepFromLsn) throws IOException {
        // BEGIN SOLUTION lab-07 T9
        wal.replay(Math.min(coveredLsn, keepFromLsn - 1), (lsn, payload) -> {
            TxnRecord r = TxnRecord.decode(payload, logName, lsn);
            maxTxId = Math.max(maxTxId, r.txId());
            switch (r.type()) {
                case WRITE -> {
                    if (lsn > coveredLsn) {
                        engine.write(r.writes());
                    }
                }
                case PREPARE -> inDoubt.put(r.txId(), new Prepared(lsn, r.writes()));
                case COMMIT -> {
                    Prepared p = inDoubt.remove(r.txId());
                    if (lsn > coveredLsn) {
                        if (p == null) {
                            throw new CorruptionException(
                                    logName + ", record at LSN " + lsn,
                                    0,
                                    "COMMIT of transaction " + r.txId() + ", which this log never prepared");
                        }
                        engine.write(p.writes());
                    }
                }
                case ABORT -> inDoubt.remove(r.txId());
                default ->
                    throw new CorruptionException(
                            logName + ", record at LSN " + lsn,
                            0,
                            "coordinator record " + r + " in participant " + name + "'s log");
            }
        });
        // END SOLUTION
    }

    /**
     * A one-phase commit of a transaction that touches this engine only: logs a WRITE record with
     * {@code writes}, forced, then applies them to the engine. Returns once both are done.
     *
     * @throws IllegalArgumentException if {@code writes} is empty or holds a bad key or value, or
     *         {@code txId} is below 1
     */
    public synchronized void write(long txId, List<Entry> writes) throws IOException {
        checkOpen();
        byte[] record = TxnRecord.write(txId, checkWrites(writes)).encode();
        wal.commit(record);
        maxTxId = Math.max(maxTxId, txId);
        engine.write(writes);
    }

    /**
     * Phase one: logs a PREPARE record holding {@code writes}, forced, and keeps them in the in-doubt
     * table. On return the writes survive any crash, and no read sees them until {@link #commit}.
     *
     * @throws IllegalStateException    if {@code txId} is already prepared here
     * @throws IllegalArgumentException if {@code writes} is empty or holds a bad key or value
     */
    public synchronized void prepare(long txId, List<Entry> writes) throws IOException {
        checkOpen();
        if (inDoubt.containsKey(txId)) {
            throw new IllegalStateException("participant " + name + ": transaction " + txId + " is already prepared");
        }
        List<Entry> copy = checkWrites(writes);
        long lsn = wal.commit(TxnRecord.prepare(txId, copy).encode());
        inDoubt.put(txId, new Prepared(lsn, copy));
        maxTxId = Math.max(maxTxId, txId);
    }

    /**
     * Phase two, commit: logs COMMIT, forced, then applies the prepared writes to the engine. A
     * transaction not prepared here (already committed, or never prepared) is acknowledged without
     * a record: the coordinator asks again after a crash until it has written END.
     *
     * @return whether the transaction was in doubt here (and is now committed)
     */
    public synchronized boolean commit(long txId) throws IOException {
        checkOpen();
        Prepared p = inDoubt.get(txId);
        if (p == null) {
            return false;
        }
        wal.commit(TxnRecord.commit(txId).encode());
        inDoubt.remove(txId);
        engine.write(p.writes());
        return true;
    }

    /**
     * Phase two, abort: logs ABORT, <em>not</em> forced, and drops the prepared writes. A
     * transaction not prepared here is acknowledged without a record.
     *
     * @return whether the transaction was in doubt here (and is now aborted)
     */
    public synchronized boolean abort(long txId) throws IOException {
        checkOpen();
        if (!inDoubt.containsKey(txId)) {
            return false;
        }
        wal.append(TxnRecord.abort(txId).encode());
        inDoubt.remove(txId);
        return true;
    }

    /**
     * Takes a checkpoint: forces the log, makes the engine durable ({@link Engine#checkpoint()}),
     * then publishes a {@link CheckpointFile} covering the log's last LSN, whose meta (the class
     * comment, {@link #encodeMeta}) keeps the log from the <em>oldest in-doubt PREPARE's LSN</em>
     * (the covered LSN plus one when nothing is in doubt) and records {@link #maxTxId}; and only
     * then removes the log segments wholly before that LSN ({@link Wal#truncateBefore}). A PREPARE
     * still in doubt must survive the truncation: its writes are in no engine file, and its outcome
     * may be commit.
     */
    public synchronized void checkpoint() throws IOException {
        checkOpen();
        wal.force();
        engine.checkpoint();
        long covered = wal.lastLsn();
        // BEGIN SOLUTION lab-07 T9
        long keepFrom = covered + 1;
        for (Prepared p : inDoubt.values()) {
            keepFrom = Math.min(keepFrom, p.lsn());
        }
        new CheckpointFile(covered, encodeMeta(keepFrom, maxTxId)).write(storage);
        wal.truncateBefore(keepFrom);
        // END SOLUTION
    }

    /** The reads: the engine's committed state; prepared writes are not seen. */
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkOpen();
        return engine.get(KeyValueStore.checkKey(key));
    }

    /** The engine's entries in {@code [from, to)}, prepared writes not seen. */
    public EntryIterator scan(Bytes from, Bytes to) {
        checkOpen();
        return engine.scan(from, to);
    }

    /** The ids of the transactions prepared here whose outcome is unknown, ascending. */
    public synchronized SortedSet<Long> inDoubt() {
        return new TreeSet<>(inDoubt.keySet());
    }

    /** The largest transaction id this participant's log has held (0 if none). */
    public synchronized long maxTxId() {
        return maxTxId;
    }

    /** The name the coordinator's DECISION records use. */
    public String name() {
        return name;
    }

    /** The engine (for tests and statistics). */
    public Engine engine() {
        return engine;
    }

    /** The log (for its statistics: {@code wal().stats().forces()}). */
    public Wal wal() {
        return wal;
    }

    /** Closes the log (forcing it) and the engine, without a checkpoint. Closing twice does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        for (Closeable c : new Closeable[] {wal, engine}) {
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "participant " + name + " (" + engine.kind() + ", log at LSN " + wal.lastLsn() + ")";
    }

    // ---------------------------------------------------------------- the checkpoint's meta

    /** The 17 bytes of the checkpoint meta: version, keep-from LSN, largest transaction id. */
    static byte[] encodeMeta(long keepFromLsn, long maxTxId) {
        return ByteBuffer.allocate(META_BYTES)
                .put((byte) META_VERSION)
                .putLong(keepFromLsn)
                .putLong(maxTxId)
                .array();
    }

    /** {keep-from LSN, largest transaction id} of a checkpoint record; {1, 0} before the first. */
    static long[] decodeMeta(CheckpointFile checkpoint, String file) throws CorruptionException {
        byte[] meta = checkpoint.meta();
        if (meta.length == 0 && checkpoint.coveredLsn() == 0) {
            return new long[] {1, 0};
        }
        if (meta.length != META_BYTES) {
            throw new CorruptionException(
                    file, 24, "participant checkpoint meta is " + meta.length + " bytes, expected " + META_BYTES);
        }
        ByteBuffer b = ByteBuffer.wrap(meta);
        int version = b.get() & 0xff;
        if (version != META_VERSION) {
            throw new CorruptionException(
                    file, 24, "participant checkpoint meta version " + version + ", expected " + META_VERSION);
        }
        long keepFrom = b.getLong();
        long maxTxId = b.getLong();
        if (keepFrom < 1 || keepFrom > checkpoint.coveredLsn() + 1 || maxTxId < 0) {
            throw new CorruptionException(
                    file,
                    25,
                    "participant checkpoint keeps the log from LSN " + keepFrom + " (covered: "
                            + checkpoint.coveredLsn() + ") with largest transaction id " + maxTxId);
        }
        return new long[] {keepFrom, maxTxId};
    }

    private static List<Entry> checkWrites(List<Entry> writes) {
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs at least one write");
        }
        for (Entry e : writes) {
            KeyValueStore.checkKey(e.key());
            if (!e.isTombstone()) {
                KeyValueStore.checkValue(e.value());
            }
        }
        return List.copyOf(writes);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("participant " + name + " is closed");
        }
    }
}
