package dev.storagelab.mvcc.check;

import java.util.ArrayList;
import java.util.List;

/**
 * A transaction-history checker in the style of Jepsen's Elle (Kingsbury and Alvaro, "Elle:
 * Inferring Isolation Anomalies from Experimental Observations", VLDB 2020), for list-append
 * histories. It treats the store as a black box: from what the clients saw alone, it infers each
 * key's version order (the longest read; every other read must be a prefix of it), builds the
 * dependency graph (ww, wr and rw edges), and reports the anomalies, each with its transactions:
 * G0, G1a, G1b, G1c, lost update, G-single, G2, and the reads no order explains;
 * {@link #checkRealtime(History)} adds real-time edges and the stale reads they reveal.
 *
 * <pre>{@code
 * History h = HistoryRunner.run(store, 8, 200, 3, 42);
 * Report r = HistoryChecker.check(h);
 * assertTrue(r.allowedUnder(IsolationLevel.SNAPSHOT_ISOLATION), r.toString());
 * }</pre>
 *
 * <p>It reports only what follows from the history (given that every element is appended once),
 * but it is not complete: an anomaly the clients could not observe is not found.
 */
public final class HistoryChecker {

    private HistoryChecker() {}

    /** Checks {@code history} against the data alone: when each transaction ran does not matter. */
    public static Report check(History history) {
        return check(history, false);
    }

    /**
     * Checks {@code history} with its real-time order too: a transaction that began after another
     * committed must come after it. Beside everything {@link #check(History)} finds, this finds
     * G-single-realtime (a stale read, which plain snapshot isolation allows but a store whose
     * transactions begin at the newest commit must not show) and G2-realtime, so the report can
     * judge strong snapshot isolation and strict serializability. The order is the one
     * {@link HistoryRunner} records; a hand-written history's transactions, each starting and
     * ending at its id, run one after another.
     */
    public static Report checkRealtime(History history) {
        return check(history, true);
    }

    private static Report check(History history, boolean realtime) {
        ListAppendInference inference = new ListAppendInference(history);
        if (realtime) {
            RealtimeOrder.addTo(inference.graph(), history);
        }
        List<Anomaly> anomalies = new ArrayList<>(inference.anomalies());
        anomalies.addAll(CycleSearch.find(inference.graph()));
        return new Report(history, anomalies, realtime);
    }
}
