package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the clients of a transactional store saw: every transaction they ran, how it ended, and
 * what each read returned. {@link HistoryRunner} records one from a live store; tests write small
 * ones by hand ({@code History.of(Txn.committed(1, append("x", 1)), ...)}). {@link HistoryChecker}
 * infers from it how the store must have ordered the transactions, and reports the anomalies.
 *
 * <p>A history is well formed when transaction ids are unique and no element is appended twice to
 * the same key (by one transaction or two): the checker's inference rests on each element naming
 * the one append that wrote it. The constructor checks both.
 */
public final class History {

    private final List<Txn> txns;
    private final Map<Integer, Txn> byId;

    /**
     * @throws IllegalArgumentException if two transactions share an id, or an element is appended
     *                                  twice to one key; the message names them
     */
    public History(List<Txn> txns) {
        this.txns = List.copyOf(txns);
        this.byId = new HashMap<>();
        Map<String, Map<Long, Txn>> appended = new HashMap<>();
        for (Txn t : this.txns) {
            Txn before = byId.putIfAbsent(t.id(), t);
            if (before != null) {
                throw new IllegalArgumentException(
                        "two transactions have the id " + t.id() + ": " + before + " and " + t);
            }
            for (MicroOp op : t.ops()) {
                if (op instanceof MicroOp.Append a) {
                    Txn other = appended.computeIfAbsent(a.key(), k -> new HashMap<>())
                            .putIfAbsent(a.element(), t);
                    if (other != null) {
                        throw new IllegalArgumentException("element " + a.element() + " is appended to key " + a.key()
                                + " twice (by " + other.name() + " and " + t.name()
                                + "): the checker needs every appended element to be unique per key");
                    }
                }
            }
        }
    }

    /** A history of these transactions. */
    public static History of(Txn... txns) {
        return new History(List.of(txns));
    }

    /** The transactions, in the order they were recorded. */
    public List<Txn> transactions() {
        return txns;
    }

    /** The transaction with this id. */
    public Txn txn(int id) {
        Txn t = byId.get(id);
        if (t == null) {
            throw new IllegalArgumentException("no transaction T" + id + " in this history");
        }
        return t;
    }

    /** How many transactions ended with {@code status}. */
    public int count(Txn.Status status) {
        int n = 0;
        for (Txn t : txns) {
            if (t.status() == status) {
                n++;
            }
        }
        return n;
    }

    /** The transactions that ended with {@code status}. */
    public List<Txn> withStatus(Txn.Status status) {
        List<Txn> out = new ArrayList<>();
        for (Txn t : txns) {
            if (t.status() == status) {
                out.add(t);
            }
        }
        return out;
    }

    /** The sizes: {@code "8001 transactions: 6410 committed, 1591 aborted, 0 unknown"}. */
    public String summary() {
        return txns.size() + " transactions: " + count(Txn.Status.COMMITTED) + " committed, "
                + count(Txn.Status.ABORTED) + " aborted, " + count(Txn.Status.UNKNOWN) + " unknown";
    }

    /** Every transaction, a line each. */
    @Override
    public String toString() {
        return txns.stream().map(Txn::toString).collect(Collectors.joining("\n"));
    }
}
