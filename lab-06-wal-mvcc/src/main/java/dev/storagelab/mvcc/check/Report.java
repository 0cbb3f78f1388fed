package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link HistoryChecker#check(History)} (or {@link HistoryChecker#checkRealtime(History)})
 * found: the anomalies, by type, and which isolation levels the history is allowed under. {@link #toString()} is the text to print when a test fails:
 * the history's size, the verdict, and each anomaly with its transactions, edges and keys.
 *
 * <p>Cycle anomalies come one per type per strongly connected component of the dependency graph
 * (the shortest the search found); the others come one per read or transaction that shows them.
 */
public final class Report {

    /** How many anomalies of one type {@link #toString()} prints before it only counts the rest. */
    private static final int SHOWN_PER_TYPE = 5;

    private final History history;
    private final List<Anomaly> anomalies;
    private final boolean realtime;

    Report(History history, List<Anomaly> anomalies, boolean realtime) {
        this.history = history;
        this.realtime = realtime;
        // Two reads of one key with one value by one transaction show the same anomaly once.
        List<Anomaly> sorted = new ArrayList<>(new LinkedHashSet<>(anomalies));
        sorted.sort(Comparator.comparing(Anomaly::type));
        this.anomalies = List.copyOf(sorted);
    }

    /** The history checked. */
    public History history() {
        return history;
    }

    /** Every anomaly found, grouped by type in {@link Anomaly.Type} order. */
    public List<Anomaly> anomalies() {
        return anomalies;
    }

    /** The anomalies of one type. */
    public List<Anomaly> anomalies(Anomaly.Type type) {
        return anomalies.stream().filter(a -> a.type() == type).toList();
    }

    /** Whether at least one anomaly of {@code type} was found. */
    public boolean has(Anomaly.Type type) {
        return anomalies.stream().anyMatch(a -> a.type() == type);
    }

    /** The types of the anomalies found. */
    public Set<Anomaly.Type> types() {
        Set<Anomaly.Type> types = EnumSet.noneOf(Anomaly.Type.class);
        anomalies.forEach(a -> types.add(a.type()));
        return types;
    }

    /** Whether no anomaly at all was found: the history is serializable as far as the checker can tell. */
    public boolean isClean() {
        return anomalies.isEmpty();
    }

    /** Whether the history was checked with its real-time order ({@link HistoryChecker#checkRealtime}). */
    public boolean realtime() {
        return realtime;
    }

    /**
     * Whether every anomaly found is one that {@code level} allows.
     *
     * @throws IllegalStateException if {@code level} needs the real-time order and the history was
     *                               checked without it
     */
    public boolean allowedUnder(IsolationLevel level) {
        return forbiddenUnder(level).isEmpty();
    }

    /**
     * The anomalies found that {@code level} forbids.
     *
     * @throws IllegalStateException as {@link #allowedUnder(IsolationLevel)}
     */
    public List<Anomaly> forbiddenUnder(IsolationLevel level) {
        if (level.needsRealtime() && !realtime) {
            throw new IllegalStateException(level + " is about real time too: check the history with"
                    + " HistoryChecker.checkRealtime to judge it");
        }
        return anomalies.stream().filter(a -> !a.type().allowedUnder(level)).toList();
    }

    /** The levels the history is allowed under, of those this report can judge. */
    public Set<IsolationLevel> allowedLevels() {
        Set<IsolationLevel> levels = EnumSet.noneOf(IsolationLevel.class);
        for (IsolationLevel l : IsolationLevel.values()) {
            if ((realtime || !l.needsRealtime()) && allowedUnder(l)) {
                levels.add(l);
            }
        }
        return levels;
    }

    /**
     * The strongest of read uncommitted, read committed, snapshot isolation and serializable (each
     * stronger than the one before) that the history is allowed under; empty if not even read
     * uncommitted.
     */
    public Optional<IsolationLevel> strongestLevel() {
        IsolationLevel best = null;
        for (IsolationLevel l : IsolationLevel.values()) {
            if (!l.needsRealtime() && allowedUnder(l)) {
                best = l;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The transactions whose outcome is unknown (they threw something other than a conflict). A
     * run where most transactions end this way checked little: look at why they failed.
     */
    public List<Txn> indeterminate() {
        return history.withStatus(Txn.Status.UNKNOWN);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append("history: ").append(history.summary()).append('\n');
        if (anomalies.isEmpty()) {
            s.append("no anomalies: allowed under every level")
                    .append(realtime ? "" : " (real time not checked)")
                    .append('\n');
        } else {
            Map<Anomaly.Type, Integer> counts = new EnumMap<>(Anomaly.Type.class);
            anomalies.forEach(a -> counts.merge(a.type(), 1, Integer::sum));
            List<String> parts = new ArrayList<>();
            counts.forEach((t, n) -> parts.add(t.label() + " x" + n));
            s.append("anomalies: ").append(String.join(", ", parts)).append('\n');
            s.append("allowed under: ").append(names(allowedLevels()));
            Set<IsolationLevel> forbidden = EnumSet.allOf(IsolationLevel.class);
            forbidden.removeAll(allowedLevels());
            forbidden.removeIf(l -> l.needsRealtime() && !realtime);
            s.append("; forbidden under: ").append(names(forbidden)).append('\n');
            for (Map.Entry<Anomaly.Type, Integer> e : counts.entrySet()) {
                List<Anomaly> ofType = anomalies(e.getKey());
                for (Anomaly a : ofType.subList(0, Math.min(SHOWN_PER_TYPE, ofType.size()))) {
                    s.append("  ").append(a).append('\n');
                }
                if (ofType.size() > SHOWN_PER_TYPE) {
                    s.append("  ... and ")
                            .append(ofType.size() - SHOWN_PER_TYPE)
                            .append(" more ")
                            .append(e.getKey().label())
                            .append('\n');
                }
            }
        }
        List<Txn> unknown = indeterminate();
        if (!unknown.isEmpty()) {
            s.append(unknown.size())
                    .append(" transactions ended with an unexpected exception (outcome unknown), e.g. ")
                    .append(unknown.get(0).name())
                    .append(": ")
                    .append(unknown.get(0).error())
                    .append('\n');
        }
        return s.toString();
    }

    private static String names(Set<IsolationLevel> levels) {
        if (levels.isEmpty()) {
            return "none";
        }
        List<String> names = new ArrayList<>();
        levels.forEach(l -> names.add(l.name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        return String.join(", ", names);
    }
}
