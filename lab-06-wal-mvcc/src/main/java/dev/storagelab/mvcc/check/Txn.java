package dev.storagelab.mvcc.check;

import java.util.List;
import java.util.Objects;

/**
 * One recorded transaction of a {@link History}: which thread ran it, when it started and ended (as
 * positions in one order shared by every thread, so {@code a.endOrder() < b.startOrder()} means
 * {@code a} finished before {@code b} began), how it ended, and the micro-operations it performed,
 * in order, with what every read returned.
 *
 * @param id         the transaction's number, unique in its history; anomalies name it {@code T<id>}
 * @param thread     the thread (the client, Jepsen's "process") that ran it
 * @param startOrder when it began, in the history's shared order
 * @param endOrder   when it ended, in the same order; at least {@code startOrder}
 * @param status     how it ended
 * @param ops        its micro-operations, in the order it performed them
 * @param error      for an aborted or unknown transaction, what was thrown (class and message); else null
 */
public record Txn(int id, int thread, long startOrder, long endOrder, Status status, List<MicroOp> ops, String error) {

    /** How a transaction ended. */
    public enum Status {
        /** {@code commit()} returned: its writes are in the database. */
        COMMITTED,
        /**
         * It certainly did not commit: the store threw a {@code ConflictException} (the store
         * aborted it) or the client aborted it. None of its writes may ever be seen by another.
         */
        ABORTED,
        /**
         * It ended with any other exception (an {@code IOException}, a bug): it may or may not have
         * committed, so the checker neither trusts its reads nor rules out its writes.
         */
        UNKNOWN
    }

    public Txn {
        Objects.requireNonNull(status, "status");
        ops = List.copyOf(ops);
        if (endOrder < startOrder) {
            throw new IllegalArgumentException(
                    "T" + id + " ends (" + endOrder + ") before it starts (" + startOrder + ")");
        }
    }

    /** A committed transaction of thread 0, started and ended at order {@code id} (for hand-written histories). */
    public static Txn committed(int id, MicroOp... ops) {
        return new Txn(id, 0, id, id, Status.COMMITTED, List.of(ops), null);
    }

    /** An aborted transaction of thread 0, started and ended at order {@code id} (for hand-written histories). */
    public static Txn aborted(int id, MicroOp... ops) {
        return new Txn(id, 0, id, id, Status.ABORTED, List.of(ops), "aborted");
    }

    /** A transaction of unknown outcome, thread 0, started and ended at order {@code id} (for hand-written histories). */
    public static Txn unknown(int id, MicroOp... ops) {
        return new Txn(id, 0, id, id, Status.UNKNOWN, List.of(ops), "outcome unknown");
    }

    /** {@code append(key, element)}, for hand-written histories. */
    public static MicroOp append(String key, long element) {
        return new MicroOp.Append(key, element);
    }

    /** {@code read(key) -> [elements...]}, for hand-written histories. */
    public static MicroOp read(String key, long... elements) {
        return new MicroOp.Read(key, java.util.Arrays.stream(elements).boxed().toList());
    }

    /** {@code T<id>}, the name anomalies use. */
    public String name() {
        return "T" + id;
    }

    @Override
    public String toString() {
        return name() + " (thread " + thread + ", " + status.name().toLowerCase(java.util.Locale.ROOT)
                + (error != null && status != Status.COMMITTED ? ": " + error : "") + ") " + ops;
    }
}
