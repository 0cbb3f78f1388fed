package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
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

    /** The kinds of anomaly, each with the isolation levels that forbid it. */
    public enum Type {
        /** A cycle of write-write edges only: two transactions' writes interleaved (dirty write). */
        G0("G0", "write cycle", Levels.ALL),
        /** A committed transaction read an element appended by a transaction that aborted. */
        G1A("G1a", "aborted read", Levels.READ_COMMITTED_AND_UP),
        /** A committed transaction read a state another wrote in the middle of its work, not its final one. */
        G1B("G1b", "intermediate read", Levels.READ_COMMITTED_AND_UP),
        /** A cycle of write-write and write-read edges, with at least one write-read: circular information flow. */
        G1C("G1c", "circular information flow", Levels.READ_COMMITTED_AND_UP),
        /**
         * A transaction read a version of a key and then wrote the key, but another transaction's
         * write landed in between: two updates based on one version, or the cycle
         * {@code T1 -rw(x)-> T2 -ww(x)-> T1}, all on one key.
         */
        LOST_UPDATE("lost update", "an update based on a stale version", Levels.SNAPSHOT_AND_UP),
        /** A cycle with exactly one read-write anti-dependency: read skew (a non-repeatable snapshot). */
        G_SINGLE("G-single", "read skew", Levels.SNAPSHOT_AND_UP),
        /** A cycle with two or more read-write anti-dependencies: write skew and its longer kin. */
        G2("G2", "write skew", Levels.SERIALIZABLE),
        /**
         * A cycle through real-time order with at most one rw edge: typically a stale read, a
         * transaction that began after another committed and did not see it. Only found by
         * {@link HistoryChecker#checkRealtime}.
         */
        G_SINGLE_REALTIME("G-single-realtime", "stale read", Levels.STRONG_SNAPSHOT),
        /** A cycle through real-time order with two or more rw edges. Only found by {@link HistoryChecker#checkRealtime}. */
        G2_REALTIME("G2-realtime", "write skew against real time", Levels.STRICT_SERIALIZABLE),
        /**
         * Two reads of one key that are not prefixes of each other ({@code [1, 2]} and {@code [1, 3]}):
         * no order of appends explains both. With appends done as read-modify-write, an overwritten
         * list (a lost update) shows up this way.
         */
        INCOMPATIBLE_ORDER("incompatible order", "reads no version order explains", Levels.SNAPSHOT_AND_UP),
        /** A read holds an element no transaction ever appended to that key. */
        GARBAGE_READ("garbage read", "element nobody wrote", Levels.ALL),
        /** A read holds the same element twice, though every element was appended once. */
        DUPLICATE_ELEMENTS("duplicate elements", "element read twice", Levels.ALL),
        /**
         * A transaction's read contradicts its own writes: it misses an element it appended earlier,
         * or holds one it only appends later.
         */
        INTERNAL("internal", "a transaction does not see its own writes", Levels.ALL);

        private final String label;
        private final String meaning;
        private final Set<IsolationLevel> forbiddenUnder;

        Type(String label, String meaning, Set<IsolationLevel> forbiddenUnder) {
            this.label = label;
            this.meaning = meaning;
            this.forbiddenUnder = forbiddenUnder;
        }

        /** The usual name: {@code G1a}, {@code G-single}, {@code lost update}. */
        public String label() {
            return label;
        }

        /** A few words on what it means: {@code intermediate read}. */
        public String meaning() {
            return meaning;
        }

        /** The levels that forbid this anomaly. */
        public Set<IsolationLevel> forbiddenUnder() {
            return forbiddenUnder;
        }

        /** Whether {@code level} allows a history to show this anomaly. */
        public boolean allowedUnder(IsolationLevel level) {
            return !forbiddenUnder.contains(level);
        }
    }

    /** The sets of levels the types name (an enum's constructor cannot reach its own statics). */
    private static final class Levels {
        static final Set<IsolationLevel> ALL = Collections.unmodifiableSet(EnumSet.allOf(IsolationLevel.class));
        static final Set<IsolationLevel> READ_COMMITTED_AND_UP =
                Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(IsolationLevel.READ_UNCOMMITTED)));
        static final Set<IsolationLevel> SNAPSHOT_AND_UP = Collections.unmodifiableSet(
                EnumSet.range(IsolationLevel.SNAPSHOT_ISOLATION, IsolationLevel.STRICT_SERIALIZABLE));
        static final Set<IsolationLevel> SERIALIZABLE = Collections.unmodifiableSet(
                EnumSet.of(IsolationLevel.SERIALIZABLE, IsolationLevel.STRICT_SERIALIZABLE));
        static final Set<IsolationLevel> STRONG_SNAPSHOT = Collections.unmodifiableSet(
                EnumSet.of(IsolationLevel.STRONG_SNAPSHOT_ISOLATION, IsolationLevel.STRICT_SERIALIZABLE));
        static final Set<IsolationLevel> STRICT_SERIALIZABLE =
                Collections.unmodifiableSet(EnumSet.of(IsolationLevel.STRICT_SERIALIZABLE));

        private Levels() {}
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
            if (d.kind() != Dependency.Kind.RT) {
                keys.add(d.key());
            }
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
            s.append(" ... (")
                    .append(tail - head)
                    .append(" more edges) ... T")
                    .append(cycle.get(tail).from());
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
