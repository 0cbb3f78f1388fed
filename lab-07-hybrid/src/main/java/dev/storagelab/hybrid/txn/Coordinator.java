package dev.storagelab.hybrid.txn;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kvstore.CheckpointFile;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The coordinator of two-phase commit across engines (lab-07 T9), with <em>presumed abort</em>.
 * It keeps its own lab-06 {@link Wal} in its own {@link Storage}; every record is a
 * {@link TxnRecord}.
 *
 * <p><b>The protocol</b> ({@link #commit}): PREPARE at every participant the transaction writes
 * to; if all prepared, the <em>decision</em> is one DECISION record (the transaction's id and its
 * participants) forced to the coordinator's log: that force is the commit point. Then COMMIT at
 * every participant; once all acknowledged, an END record, not forced, lets the coordinator
 * forget the transaction. An abort is never logged here: a transaction with no DECISION record
 * aborted (presumed abort), so an abort costs the coordinator nothing, and recovery answers
 * "abort" about any transaction it has no record of.
 *
 * <p><b>Recovery</b> ({@link #open}): the participants are open and recovered (each knows its
 * in-doubt transactions); the coordinator reads its log (the DECISIONs without an END) and
 * resolves every in-doubt participant transaction: commit if a DECISION for it is durable,
 * otherwise abort; then writes END for every decision. Transaction ids continue after the
 * largest the coordinator's log or any participant has seen, so that an id is never reused.
 *
 * <p>The coordinator's checkpoint record ({@link CheckpointFile} in its storage) covers the log up
 * to the oldest decision still without END, so that {@link #checkpoint} can truncate the rest:
 * <pre>
 * meta := version u8 = 1 | largest transaction id u64                            (9 bytes)
 * </pre>
 *
 * <p>Thread-safe: transactions run one at a time (the coordinator's lock).
 */
public final class Coordinator implements Closeable {

    /** A durable commit decision not yet followed by END. */
    record Decision(long lsn, List<String> participants) {}

    static final int META_VERSION = 1;
    static final int META_BYTES = 9;

    private final Storage storage;
    private final Wal wal;
    private final String logName;
    private final Map<String, Participant> participants;
    /** Decisions without END, by transaction id. */
    @GuardedBy("this")
    private final SortedMap<Long, Decision> decided = new TreeMap<>();
    /** The largest transaction id handed out or seen. */
    @GuardedBy("this")
    private long lastTxId;

    private boolean closed;

    private Coordinator(Storage storage, Wal wal, Map<String, Participant> participants, long lastTxId) {
        this.storage = storage;
        this.wal = wal;
        this.logName = "the coordinator's log " + storage.describe("*.wal");
        this.participants = participants;
        this.lastTxId = lastTxId;
    }

    /**
     * Opens the coordinator's log in {@code storage} and recovers (the class comment): reads the
     * decisions, then {@link #recover resolves} the participants' in-doubt transactions. The
     * participants must be open (and so recovered) already; the coordinator does not own them.
     *
     * @param options the log's options; its sync mode must force (a decision that is not forced is
     *                no decision)
     * @throws CorruptionException if the log or checkpoint record is damaged, holds a participant's
     *         record, or a decision names a participant not given here
     * @throws IllegalArgumentException if two participants share a name, or the sync mode is NONE
     */
    public static Coordinator open(Storage storage, WalOptions options, List<Participant> participants)
            throws IOException {
        Objects.requireNonNull(storage, "storage");
        if (options.syncMode() == SyncMode.NONE) {
            throw new IllegalArgumentException("the coordinator's decisions must be forced: not SyncMode.NONE");
        }
        Map<String, Participant> byName = new LinkedHashMap<>();
        for (Participant p : participants) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two participants are named " + p.name());
            }
        }
        CheckpointFile checkpoint = CheckpointFile.read(storage);
        String checkpointName = storage.describe(CheckpointFile.NAME);
        long metaTxId = decodeMeta(checkpoint, checkpointName);
        Wal wal = Wal.open(storage, options);
        try {
            if (wal.lastLsn() < checkpoint.coveredLsn()) {
                throw new CorruptionException(
                        checkpointName,
                        0,
                        "the checkpoint covers LSN " + checkpoint.coveredLsn()
                                + " but the coordinator's log ends at LSN " + wal.lastLsn());
            }
            Coordinator c = new Coordinator(storage, wal, byName, metaTxId);
            synchronized (c) { // no other thread has it yet: held for the lock check of what recovery reads and writes
                c.readLog(checkpoint.coveredLsn());
                c.recover();
            }
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                wal.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Reads the decisions without END after {@code coveredLsn} into {@link #decided}. */
    @GuardedBy("this")
    @SuppressWarnings("GuardedBy") // the replay calls the lambda on this thread, before it returns
    private void readLog(long coveredLsn) throws IOException {
        wal.replay(coveredLsn, (lsn, payload) -> {
            TxnRecord r = TxnRecord.decode(payload, logName, lsn);
            lastTxId = Math.max(lastTxId, r.txId());
            switch (r.type()) {
                case DECISION -> {
                    for (String name : r.participants()) {
                        if (!participants.containsKey(name)) {
                            throw new CorruptionException(
                                    logName + ", record at LSN " + lsn,
                                    0,
                                    "the decision of transaction " + r.txId()
                                            + " names participant '" + name + "', which is not open (open: "
                                            + participants.keySet() + ")");
                        }
                    }
                    decided.put(r.txId(), new Decision(lsn, r.participants()));
                }
                case END -> decided.remove(r.txId());
                default ->
                    throw new CorruptionException(
                            logName + ", record at LSN " + lsn,
                            0,
                            "participant record " + r + " in the coordinator's log");
            }
        });
    }

    /**
     * Recovery's second half, at open, once {@link #decided} holds every durable decision without
     * END: moves {@link #lastTxId} past every participant's {@link Participant#maxTxId()} (an id an
     * aborted transaction used must not come back: a lost ABORT would let an old PREPARE of it be
     * committed by the new transaction's decision); resolves each participant's in-doubt
     * transactions (commit those {@link #decided} holds, abort the others: presumed abort); then,
     * for each decision, makes sure every participant it names has committed
     * ({@link Participant#commit} is a no-op where it already has), appends END (not forced) and
     * forgets it. A crash anywhere in here is safe: recovering again does the same, and every step
     * is idempotent.
     */
    @GuardedBy("this")
    private void recover() throws IOException {
        // BEGIN SOLUTION lab-07 T9
        for (Participant p : participants.values()) {
            lastTxId = Math.max(lastTxId, p.maxTxId());
        }
        for (Participant p : participants.values()) {
            for (long txId : p.inDoubt()) {
                if (decided.containsKey(txId)) {
                    p.commit(txId);
                } else {
                    p.abort(txId);
                }
            }
        }
        for (long txId : List.copyOf(decided.keySet())) {
            finish(txId, decided.get(txId).participants());
        }
        // END SOLUTION
    }

    /** Phase two of a decided transaction: COMMIT at each participant named, then END, then forget. */
    @GuardedBy("this")
    private void finish(long txId, List<String> names) throws IOException {
        for (String name : names) {
            participants.get(name).commit(txId);
        }
        wal.append(TxnRecord.end(txId).encode());
        decided.remove(txId);
    }

    /**
     * Commits one transaction across the participants {@code writes} names (each with its writes,
     * in the map's order), atomically: after any crash, and recovery, either every participant has
     * its writes or none has. Takes the next transaction id, then:
     * <ol>
     *   <li>{@link Participant#prepare} at each participant in order. If one fails (an
     *       {@link IOException} or a {@link RuntimeException}), abort at every participant
     *       (a participant that had not prepared ignores it; an abort's own failure is added to the
     *       first exception as suppressed), log nothing here, and rethrow the first failure;</li>
     *   <li>the decision: a DECISION record with the id and the participants' names, forced
     *       ({@link Wal#commit}); put it in {@link #decided}. If this write fails, the outcome is
     *       unknown (the record may have reached the disk): do <em>not</em> abort anyone, rethrow;</li>
     *   <li>{@link Participant#commit} at each participant, then END, not forced ({@link Wal#append}),
     *       and forget the decision ({@link #finish} does both). A failure here leaves the
     *       transaction committed; recovery completes it.</li>
     * </ol>
     *
     * @param writes participant name to its writes; at least one participant, each with at least one write
     * @return the transaction's id
     * @throws IllegalArgumentException if a name is not a participant's or a list is empty
     */
    public synchronized long commit(Map<String, List<Entry>> writes) throws IOException {
        checkOpen();
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs at least one participant");
        }
        List<Participant> involved = new ArrayList<>();
        for (Map.Entry<String, List<Entry>> e : writes.entrySet()) {
            Participant p = participants.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException(
                        "no participant is named " + e.getKey() + " (open: " + participants.keySet() + ")");
            }
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException("participant " + e.getKey() + " has no writes in the transaction");
            }
            involved.add(p);
        }
        long txId = ++lastTxId;
        // BEGIN SOLUTION lab-07 T9
        try {
            for (Participant p : involved) {
                p.prepare(txId, writes.get(p.name()));
            }
        } catch (IOException | RuntimeException e) {
            for (Participant p : involved) {
                try {
                    p.abort(txId);
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        List<String> names = involved.stream().map(Participant::name).toList();
        long lsn = wal.commit(TxnRecord.decision(txId, names).encode());
        decided.put(txId, new Decision(lsn, names));
        finish(txId, names);
        return txId;
        // END SOLUTION
    }

    /**
     * A fresh transaction id, for a one-phase write that needs no decision (the ids of both kinds
     * come from one sequence).
     */
    public synchronized long nextTxId() {
        checkOpen();
        return ++lastTxId;
    }

    /**
     * Forgets what the log no longer needs: publishes a checkpoint record covering the log up to
     * just before the oldest decision still without END (all of it when there is none), with
     * {@link #lastTxId} in its meta, then truncates the segments before it. Given code.
     */
    public synchronized void checkpoint() throws IOException {
        checkOpen();
        wal.force();
        long keepFrom = decided.isEmpty()
                ? wal.lastLsn() + 1
                : decided.values().stream().mapToLong(Decision::lsn).min().getAsLong();
        byte[] meta = ByteBuffer.allocate(META_BYTES)
                .put((byte) META_VERSION)
                .putLong(lastTxId)
                .array();
        new CheckpointFile(keepFrom - 1, meta).write(storage);
        wal.truncateBefore(keepFrom);
    }

    /** The decisions not yet followed by END (transaction id to participant names), for tests. */
    public synchronized SortedMap<Long, List<String>> pendingDecisions() {
        SortedMap<Long, List<String>> out = new TreeMap<>();
        decided.forEach((id, d) -> out.put(id, d.participants()));
        return out;
    }

    /** The largest transaction id handed out or seen. */
    public synchronized long lastTxId() {
        return lastTxId;
    }

    /** The coordinator's log (for its statistics). */
    public Wal wal() {
        return wal;
    }

    /** Closes the log (forcing it). The participants stay open: the caller owns them. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        wal.close();
    }

    private static long decodeMeta(CheckpointFile checkpoint, String file) throws CorruptionException {
        byte[] meta = checkpoint.meta();
        if (meta.length == 0 && checkpoint.coveredLsn() == 0) {
            return 0;
        }
        if (meta.length != META_BYTES) {
            throw new CorruptionException(
                    file, 24, "coordinator checkpoint meta is " + meta.length + " bytes, expected " + META_BYTES);
        }
        ByteBuffer b = ByteBuffer.wrap(meta);
        int version = b.get() & 0xff;
        if (version != META_VERSION) {
            throw new CorruptionException(
                    file, 24, "coordinator checkpoint meta version " + version + ", expected " + META_VERSION);
        }
        long txId = b.getLong();
        if (txId < 0) {
            throw new CorruptionException(file, 25, "coordinator checkpoint holds transaction id " + txId);
        }
        return txId;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the coordinator is closed");
        }
    }

    @Override
    public synchronized String toString() {
        return "coordinator of " + participants.keySet() + ", " + decided.size() + " decisions pending";
    }
}
