package dev.storagelab.hybrid.txn;

import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalOptions;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keys routed between two engines, each with its own log, and transactions across them made
 * atomic by two-phase commit (lab-07 T9). Given code over {@link Participant} and
 * {@link Coordinator}: the HOT participant is a lab-04 B+tree in one storage, the COLD one a
 * lab-05 LSM tree (its own log off: the participant's log holds every write) in another, the
 * coordinator's log in a third. A route function says where each key lives; it must not change
 * between runs.
 *
 * <p>{@link #write} splits a batch by route. A batch that touches one engine needs no
 * coordinator: one forced WRITE record in that engine's log is atomic by itself (a one-phase
 * commit, as lab-06's store). A batch that touches both runs two-phase commit: five forces
 * (two PREPAREs, the DECISION, two COMMITs) where lab-07's {@link dev.storagelab.hybrid.HybridStore},
 * with one log in front of both engines, needs one.
 *
 * <p>Thread-safe: writes run one at a time.
 */
public final class CrossEngineStore implements Closeable {

    /** The participants' names in the coordinator's DECISION records. */
    public static final String HOT = "hot";

    public static final String COLD = "cold";

    /**
     * The engines' and the logs' settings.
     *
     * @param btree the HOT engine's options
     * @param lsm   the COLD engine's options (its own log and background work are turned off)
     * @param wal   the three logs' options; the sync mode must force
     */
    public record Options(BTreeOptions btree, LsmOptions lsm, WalOptions wal) {
        public Options {
            Objects.requireNonNull(btree, "btree");
            Objects.requireNonNull(lsm, "lsm");
            Objects.requireNonNull(wal, "wal");
        }

        /** Default engines, every forced record forced on its own ({@link SyncMode#EVERY_WRITE}). */
        public static Options defaults() {
            return new Options(
                    BTreeOptions.defaults(),
                    LsmOptions.defaults(),
                    WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE));
        }

        /** Small engines (1 KiB pages, tiny LSM sizes) and 64 KiB log segments, for tests. */
        public static Options small() {
            return new Options(
                    BTreeOptions.defaults().withPageSize(1024).withPoolFrames(32),
                    LsmOptions.tiny(),
                    WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE).withSegmentBytes(64 << 10));
        }
    }

    private final Function<Bytes, Placement> route;
    private final Participant hot;
    private final Participant cold;
    private final Coordinator coordinator;
    private boolean closed;

    private CrossEngineStore(
            Function<Bytes, Placement> route, Participant hot, Participant cold, Coordinator coordinator) {
        this.route = route;
        this.hot = hot;
        this.cold = cold;
        this.coordinator = coordinator;
    }

    /**
     * Opens (creating if needed) the store: the B+tree and its log in {@code hotStorage}, the LSM tree
     * and its log in {@code coldStorage}, the coordinator's log in {@code coordinatorStorage}; recovers
     * both participants, then the coordinator, which resolves their in-doubt transactions.
     */
    public static CrossEngineStore open(
            Storage hotStorage,
            Storage coldStorage,
            Storage coordinatorStorage,
            Function<Bytes, Placement> route,
            Options options)
            throws IOException {
        Objects.requireNonNull(route, "route");
        Participant[] opened = openParticipants(hotStorage, coldStorage, options);
        try {
            Coordinator coordinator = Coordinator.open(coordinatorStorage, options.wal(), List.of(opened));
            return new CrossEngineStore(route, opened[0], opened[1], coordinator);
        } catch (IOException | RuntimeException e) {
            closeQuietly(e, opened);
            throw e;
        }
    }

    /** The HOT (B+tree) and COLD (LSM) participants, opened and recovered; both closed on failure. */
    static Participant[] openParticipants(Storage hotStorage, Storage coldStorage, Options options) throws IOException {
        Participant h = Participant.open(
                HOT, hotStorage, Engine.of(BPlusTree.open(hotStorage, options.btree())), options.wal());
        try {
            LsmStore lsm = LsmStore.open(coldStorage, options.lsm().withoutWal().withBackgroundWork(false));
            return new Participant[] {h, Participant.open(COLD, coldStorage, Engine.of(lsm), options.wal())};
        } catch (IOException | RuntimeException e) {
            closeQuietly(e, h);
            throw e;
        }
    }

    /**
     * Writes {@code ops} atomically: split by route (order kept within each engine); one engine
     * touched, a one-phase commit in it; both, two-phase commit through the coordinator.
     *
     * @return the transaction's id
     * @throws IllegalArgumentException if {@code ops} is empty or holds a bad key or value
     */
    public synchronized long write(List<Entry> ops) throws IOException {
        checkOpen();
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("an empty batch has nothing to write");
        }
        for (Entry e : ops) { // before any participant logs anything
            KeyValueStore.checkKey(e.key());
            if (!e.isTombstone()) {
                KeyValueStore.checkValue(e.value());
            }
        }
        Map<String, List<Entry>> split = split(ops);
        if (split.size() == 1) {
            Map.Entry<String, List<Entry>> only = split.entrySet().iterator().next();
            long txId = coordinator.nextTxId();
            participant(only.getKey()).write(txId, only.getValue());
            return txId;
        }
        return coordinator.commit(split);
    }

    /** The batch's writes per participant name, HOT first; only names with writes. */
    Map<String, List<Entry>> split(List<Entry> ops) {
        Map<String, List<Entry>> split = new LinkedHashMap<>();
        List<Entry> h = new ArrayList<>();
        List<Entry> c = new ArrayList<>();
        for (Entry e : ops) {
            (placement(e.key()) == Placement.HOT ? h : c).add(e);
        }
        if (!h.isEmpty()) {
            split.put(HOT, h);
        }
        if (!c.isEmpty()) {
            split.put(COLD, c);
        }
        return split;
    }

    public void put(Bytes key, Bytes value) throws IOException {
        write(List.of(Entry.put(key, value)));
    }

    public void delete(Bytes key) throws IOException {
        write(List.of(Entry.tombstone(key)));
    }

    /** The committed value of {@code key}, from the engine its route names. */
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkOpen();
        return participant(placement(KeyValueStore.checkKey(key)) == Placement.HOT ? HOT : COLD)
                .get(key);
    }

    /** The committed entries of {@code [from, to)} of both engines, merged in key order. */
    public EntryIterator scan(Bytes from, Bytes to) {
        checkOpen();
        return new MergingIterator(
                List.of(
                        EntryIterator.filter(hot.scan(from, to), e -> placement(e.key()) == Placement.HOT),
                        EntryIterator.filter(cold.scan(from, to), e -> placement(e.key()) == Placement.COLD)),
                false);
    }

    /** Where {@code key} lives. */
    public Placement placement(Bytes key) {
        return Objects.requireNonNull(route.apply(key), "the route gave no placement");
    }

    /** Checkpoints both participants (their logs kept from their oldest in-doubt PREPARE), then the coordinator. */
    public synchronized void checkpoint() throws IOException {
        checkOpen();
        hot.checkpoint();
        cold.checkpoint();
        coordinator.checkpoint();
    }

    public Participant hot() {
        return hot;
    }

    public Participant cold() {
        return cold;
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    private Participant participant(String name) {
        return name.equals(HOT) ? hot : cold;
    }

    /** Closes the coordinator and both participants, without checkpoints. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        for (Closeable c : new Closeable[] {coordinator, hot, cold}) {
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

    static void closeQuietly(Exception e, Closeable... all) {
        for (Closeable c : all) {
            try {
                c.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }

    @Override
    public String toString() {
        return "cross-engine store: " + hot + ", " + cold + ", " + coordinator;
    }
}
