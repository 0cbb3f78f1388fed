package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One anomaly the checker found: its type, the transactions involved and, for a dependency cycle,
 * the cycle itself, edge by edge ({@code T12 -ww(x)-> T15 -rw(y)-> T12}), so a reader can check
 * each step against the history.
 *
 * @param type        what kind of anomaly
 * @param txns        the transaction ids involved, in the order the explanation names them
 * @param cycle       for a cycle anomaly, its edges, each one's {@code to} the next one's {@code from},
 *                    the last one's {@code to} the first one's {@code from}; empty otherwise
 * @param keys        the keys involved
 * @param explanation what was observed, in words
 */
public record Anomaly(Type type, List<Integer> txns, List<Dependency> cycle, List<String> keys, String explanation) {

    /**
     * The kinds of anomaly, with the weakest {@link IsolationLevel} that forbids each (every
     * stronger level forbids it too).
     */
    public enum Type {
        /** A cycle of write-write edges only: two transactions' writes interleaved (dirty write). */
        G0("G0", "write cycle", IsolationLevel.READ_UNCOMMITTED),
        /** A committed transaction read an element appended by a transaction that aborted. */
        G1A("G1a", "aborted read", IsolationLevel.READ_COMMITTED),
        /** A committed transaction read a state another wrote in the middle of its work, not its final one. */
        G1B("G1b", "intermediate read", IsolationLevel.READ_COMMITTED),
        /** A cycle of write-write and write-read edges, with at least one write-read: circular information flow. */
        G1C("G1c", "circular information flow", IsolationLevel.READ_COMMITTED),
        /**
         * A transaction read a version of a key and then wrote the key, but another transaction's
         * write landed in between: the cycle {@code T1 -rw(x)-> T2 -ww(x)-> T1}, all on one key.
         */
        LOST_UPDATE("lost update", "an update based on a stale version", IsolationLevel.SNAPSHOT_ISOLATION),
        /** A cycle with exactly one read-write anti-dependency: read skew (a non-repeatable snapshot). */
        G_SINGLE("G-single", "read skew", IsolationLevel.SNAPSHOT_ISOLATION),
        /** A cycle with two or more read-write anti-dependencies: write skew and its longer kin. */
        G2("G2", "write skew", IsolationLevel.SERIALIZABLE),
        /**
         * Two reads of one key that are not prefixes of each other ({@code [1, 2]} and {@code [1, 3]}):
         * no order of appends explains both. With appends done as read-modify-write, an overwritten
         * list (a lost update) shows up this way.
         */
        INCOMPATIBLE_ORDER("incompatible order", "reads no version order explains", IsolationLevel.SNAPSHOT_ISOLATION),
        /** A read holds an element no transaction ever appended to that key. */
        GARBAGE_READ("garbage read", "element nobody wrote", IsolationLevel.READ_UNCOMMITTED),
        /** A read holds the same element twice, though every element was appended once. */
        DUPLICATE_ELEMENTS("duplicate elements", "element read twice", IsolationLevel.READ_UNCOMMITTED),
        /**
         * A transaction's read contradicts its own writes: it misses an element it appended earlier,
         * or holds one it only appends later.
         */
        INTERNAL("internal", "a transaction does not see its own writes", IsolationLevel.READ_UNCOMMITTED);

        private final String label;
        private final String meaning;
        private final IsolationLevel forbiddenFrom;

        Type(String label, String meaning, IsolationLevel forbiddenFrom) {
            this.label = label;
            this.meaning = meaning;
            this.forbiddenFrom = forbiddenFrom;
        }

        /** The usual name: {@code G1a}, {@code G-single}, {@code lost update}. */
        public String label() {
            return label;
        }

        /** A few words on what it means: {@code intermediate read}. */
        public String meaning() {
            return meaning;
        }

        /** The weakest level that forbids this anomaly. */
        public IsolationLevel forbiddenFrom() {
            return forbiddenFrom;
        }

        /** Whether {@code level} allows a history to show this anomaly. */
        public boolean allowedUnder(IsolationLevel level) {
            return level.compareTo(forbiddenFrom) < 0;
        }
    }

    public Anomaly {
        Objects.requireNonNull(type, "type");
        txns = List.copyOf(txns);
        cycle = List.copyOf(cycle);
        keys = List.copyOf(keys);
    }

    /** A cycle anomaly: the transactions and keys are the cycle's. */
    static Anomaly ofCycle(Type type, List<Dependency> cycle) {
        List<Integer> txns = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (Dependency d : cycle) {
            txns.add(d.from());
            keys.add(d.key());
        }
        return new Anomaly(type, txns, cycle, new ArrayList<>(keys), cycleText(cycle));
    }

    /** How many edges of a cycle its text shows; a longer one shows its first and last edges. */
    private static final int SHOWN_EDGES = 12;

    /**
     * {@code T12 -ww(x)-> T15 -rw(y)-> T12}; a cycle of more than {@value #SHOWN_EDGES} edges shows its
     * first and last few and says how many it leaves out ({@link #cycle()} has them all).
     */
    static String cycleText(List<Dependency> cycle) {
        StringBuilder s = new StringBuilder("T").append(cycle.get(0).from());
        int head = cycle.size() <= SHOWN_EDGES ? cycle.size() : SHOWN_EDGES - 4;
        for (Dependency d : cycle.subList(0, head)) {
            s.append(d.arrow()).append('T').append(d.to());
        }
        if (head < cycle.size()) {
            int tail = cycle.size() - 3;
            s.append(" ... (").append(tail - head).append(" more edges) ... T").append(cycle.get(tail).from());
            for (Dependency d : cycle.subList(tail, cycle.size())) {
                s.append(d.arrow()).append('T').append(d.to());
            }
            s.append(" (").append(cycle.size()).append(" transactions)");
        }
        return s.toString();
    }

    /** Whether this anomaly is a dependency cycle. */
    public boolean isCycle() {
        return !cycle.isEmpty();
    }

    /** {@code G-single (read skew): T3 -rw(x)-> T4 -wr(y)-> T3}. */
    @Override
    public String toString() {
        return type.label() + " (" + type.meaning() + "): " + explanation;
    }
}
