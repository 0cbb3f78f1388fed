package dev.storagelab.testkit;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A linearizability checker for concurrent histories over a map, against the sequential map a
 * {@code TreeMap} is: every operation must appear to take effect at one instant between its call
 * and its return, in an order that a sequential map would have produced the same results in.
 *
 * <p>Threads record what they do in a {@link Recorder}: each operation gets a call and a return
 * stamp from one shared counter, so "A returned before B was called" is exact. The check relies
 * on <em>locality</em> (Herlihy and Wing, 1990): a history of a map is linearizable if and only if
 * the sub-history of each key is, because a get, put or delete touches one key. Each key's
 * sub-history is then searched with the Wing-Gong algorithm (with Lowe's memo of states already
 * tried): try to linearize, next, any operation that no other pending operation must precede.
 *
 * <p>Range scans are not atomic in the engines checked here (a scan copies one leaf or node at a
 * time and promises only that each key is read once, in order, at some instant of the scan), so a
 * scan is recorded as one {@link Kind#GET} per key of the key universe in its range, all with the
 * scan's call and return stamps: present with the value it returned, absent otherwise. That is
 * exactly the scan's promise, stated per key; its order and uniqueness are the caller's to check.
 */
public final class Linearizability {

    private Linearizability() {}

    /** What an operation did. */
    public enum Kind {
        PUT,
        DELETE,
        GET
    }

    /**
     * One operation on one key: for a {@link Kind#PUT} the value written, for a {@link Kind#GET}
     * the value read (null: absent); {@code call} and {@code ret} are the recorder's stamps.
     */
    public record Op<K, V>(int thread, Kind kind, K key, V value, long call, long ret) {

        @Override
        public String toString() {
            String what = switch (kind) {
                case PUT -> "put(" + key + ", " + value + ")";
                case DELETE -> "delete(" + key + ")";
                case GET -> "get(" + key + ") = " + (value == null ? "absent" : value);
            };
            return "thread " + thread + " [" + call + ".." + ret + "] " + what;
        }
    }

    /** Records the operations of many threads; thread-safe. */
    public static final class Recorder<K, V> {
        private final AtomicLong clock = new AtomicLong();
        private final ConcurrentLinkedQueue<Op<K, V>> ops = new ConcurrentLinkedQueue<>();

        /** A call stamp: take it just before calling the operation. */
        public long call() {
            return clock.incrementAndGet();
        }

        /** Records an operation that was called at {@code call} and has just returned. */
        public void returned(int thread, Kind kind, K key, V value, long call) {
            ops.add(new Op<>(thread, kind, key, value, call, clock.incrementAndGet()));
        }

        /**
         * Records a scan called at {@code call} that has just returned {@code result}: a
         * {@link Kind#GET} for each key of {@code universeInRange}, present or absent.
         */
        public void scanned(int thread, Collection<K> universeInRange, Map<K, V> result, long call) {
            long ret = clock.incrementAndGet();
            for (K key : universeInRange) {
                ops.add(new Op<>(thread, Kind.GET, key, result.get(key), call, ret));
            }
        }

        /** Every operation recorded so far. */
        public List<Op<K, V>> history() {
            return new ArrayList<>(ops);
        }
    }

    /**
     * Checks {@code history} against a sequential map that starts as {@code initial}.
     *
     * @return empty if linearizable; otherwise a description of the first key whose operations
     *         no sequential order explains, with those operations in call order
     */
    public static <K, V> Optional<String> check(Map<K, V> initial, List<Op<K, V>> history) {
        Map<K, List<Op<K, V>>> byKey = new HashMap<>();
        for (Op<K, V> op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<K, List<Op<K, V>>> e : byKey.entrySet()) {
            List<Op<K, V>> ops = e.getValue();
            ops.sort(Comparator.comparingLong(Op::call));
            if (!linearizable(ops, initial.get(e.getKey()))) {
                StringBuilder sb = new StringBuilder("no sequential order explains the operations on key ")
                        .append(e.getKey())
                        .append(" (initially ")
                        .append(initial.containsKey(e.getKey()) ? initial.get(e.getKey()) : "absent")
                        .append("):");
                ops.forEach(op -> sb.append("\n  ").append(op));
                return Optional.of(sb.toString());
            }
        }
        return Optional.empty();
    }

    /** Wing-Gong search over one key's operations (sorted by call), the register starting at {@code initial}. */
    private static <K, V> boolean linearizable(List<Op<K, V>> ops, V initial) {
        int n = ops.size();
        Set<State> tried = new HashSet<>();
        return search(ops, new BitSet(n), initial, n, tried);
    }

    private record State(BitSet done, Object value) {}

    private static <K, V> boolean search(List<Op<K, V>> ops, BitSet done, V value, int n, Set<State> tried) {
        int next = done.nextClearBit(0);
        if (next >= n) {
            return true;
        }
        if (!tried.add(new State((BitSet) done.clone(), value))) {
            return false;
        }
        // An operation may go next only if it was called before every pending operation returned.
        long firstReturn = Long.MAX_VALUE;
        for (int i = next; i < n; i = done.nextClearBit(i + 1)) {
            firstReturn = Math.min(firstReturn, ops.get(i).ret());
        }
        for (int i = next; i < n && ops.get(i).call() < firstReturn; i = done.nextClearBit(i + 1)) {
            Op<K, V> op = ops.get(i);
            V after;
            switch (op.kind()) {
                case PUT -> after = op.value();
                case DELETE -> after = null;
                default -> {
                    if (!Objects.equals(op.value(), value)) {
                        continue;
                    }
                    after = value;
                }
            }
            done.set(i);
            boolean ok = search(ops, done, after, n, tried);
            done.clear(i);
            if (ok) {
                return true;
            }
        }
        return false;
    }
}
