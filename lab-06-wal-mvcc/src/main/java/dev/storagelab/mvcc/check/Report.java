package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link HistoryChecker#check(History)} found: the anomalies, by type, and which isolation
 * levels the history is consistent with. {@link #toString()} is the text to print when a test fails:
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

    Report(History history, List<Anomaly> anomalies) {
        this.history = history;
        // Two reads of one key with one value by one transaction show the same anomaly once.
        List<Anomaly> sorted = new ArrayList<>(new java.util.LinkedHashSet<>(anomalies));
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

    /** Whether every anomaly found is one that {@code level} allows. */
    public boolean allowedUnder(IsolationLevel level) {
        return forbiddenUnder(level).isEmpty();
    }

    /** The anomalies found that {@code level} forbids. */
    public List<Anomaly> forbiddenUnder(IsolationLevel level) {
        return anomalies.stream().filter(a -> !a.type().allowedUnder(level)).toList();
    }

    /** The strongest level the history is consistent with; empty if even read uncommitted forbids something found. */
    public Optional<IsolationLevel> strongestLevel() {
        IsolationLevel best = null;
        for (IsolationLevel l : IsolationLevel.values()) {
            if (allowedUnder(l)) {
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
            s.append("no anomalies: consistent with serializability\n");
        } else {
            Map<Anomaly.Type, Integer> counts = new EnumMap<>(Anomaly.Type.class);
            anomalies.forEach(a -> counts.merge(a.type(), 1, Integer::sum));
            List<String> parts = new ArrayList<>();
            counts.forEach((t, n) -> parts.add(t.label() + " x" + n));
            s.append("anomalies: ").append(String.join(", ", parts)).append('\n');
            s.append("consistent with: ").append(strongestLevel().map(Report::name).orElse("no isolation level"));
            IsolationLevel[] levels = IsolationLevel.values();
            int next = strongestLevel().map(l -> l.ordinal() + 1).orElse(0);
            if (next < levels.length) {
                s.append(" (not ").append(name(levels[next])).append(')');
            }
            s.append('\n');
            for (Map.Entry<Anomaly.Type, Integer> e : counts.entrySet()) {
                List<Anomaly> ofType = anomalies(e.getKey());
                for (Anomaly a : ofType.subList(0, Math.min(SHOWN_PER_TYPE, ofType.size()))) {
                    s.append("  ").append(a).append('\n');
                }
                if (ofType.size() > SHOWN_PER_TYPE) {
                    s.append("  ... and ").append(ofType.size() - SHOWN_PER_TYPE).append(" more ")
                            .append(e.getKey().label()).append('\n');
                }
            }
        }
        List<Txn> unknown = indeterminate();
        if (!unknown.isEmpty()) {
            s.append(unknown.size()).append(" transactions ended with an unexpected exception (outcome unknown), e.g. ")
                    .append(unknown.get(0).name()).append(": ").append(unknown.get(0).error()).append('\n');
        }
        return s.toString();
    }

    private static String name(IsolationLevel level) {
        return level.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
