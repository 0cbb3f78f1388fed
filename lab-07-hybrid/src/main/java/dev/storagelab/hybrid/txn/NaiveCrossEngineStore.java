package dev.storagelab.hybrid.txn;

import dev.storagelab.hybrid.Placement;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The episode's first cross-engine write, and failure mode 5 (given code, deliberately wrong): the
 * same two participants as {@link CrossEngineStore}, each with its own log, and no coordinator. A
 * batch is split by route and written to each engine in turn, a one-phase commit in each. Each
 * engine's share is atomic; the batch is not: a crash after the HOT engine's record is durable and
 * before the COLD one's leaves half a transaction, and recovery has nothing to undo it with. The
 * failure-mode tests run the same crash sweep over both stores and show this one losing atomicity.
 */
public final class NaiveCrossEngineStore implements Closeable {

    private final Function<Bytes, Placement> route;
    private final Participant hot;
    private final Participant cold;
    private long lastTxId;

    private NaiveCrossEngineStore(Function<Bytes, Placement> route, Participant hot, Participant cold) {
        this.route = route;
        this.hot = hot;
        this.cold = cold;
        this.lastTxId = Math.max(hot.maxTxId(), cold.maxTxId());
    }

    /** Opens (creating if needed) the two engines and their logs, as {@link CrossEngineStore#open} does, without a coordinator. */
    public static NaiveCrossEngineStore open(
            Storage hotStorage, Storage coldStorage, Function<Bytes, Placement> route, CrossEngineStore.Options options)
            throws IOException {
        Objects.requireNonNull(route, "route");
        Participant[] opened = CrossEngineStore.openParticipants(hotStorage, coldStorage, options);
        return new NaiveCrossEngineStore(route, opened[0], opened[1]);
    }

    /** Writes the HOT share of {@code ops}, then the COLD share, each a one-phase commit in its own log. */
    public synchronized void write(List<Entry> ops) throws IOException {
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("an empty batch has nothing to write");
        }
        List<Entry> h =
                ops.stream().filter(e -> placement(e.key()) == Placement.HOT).toList();
        List<Entry> c =
                ops.stream().filter(e -> placement(e.key()) == Placement.COLD).toList();
        long txId = ++lastTxId;
        for (Map.Entry<Participant, List<Entry>> share : List.of(Map.entry(hot, h), Map.entry(cold, c))) {
            if (!share.getValue().isEmpty()) {
                share.getKey().write(txId, share.getValue());
            }
        }
    }

    public Optional<Bytes> get(Bytes key) throws IOException {
        return (placement(key) == Placement.HOT ? hot : cold).get(key);
    }

    public Placement placement(Bytes key) {
        return Objects.requireNonNull(route.apply(key), "the route gave no placement");
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Closeable c : new Closeable[] {hot, cold}) {
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
}
