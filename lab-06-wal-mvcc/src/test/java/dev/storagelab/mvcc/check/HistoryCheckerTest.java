package dev.storagelab.mvcc.check;

import static dev.storagelab.mvcc.check.Txn.aborted;
import static dev.storagelab.mvcc.check.Txn.append;
import static dev.storagelab.mvcc.check.Txn.committed;
import static dev.storagelab.mvcc.check.Txn.read;
import static dev.storagelab.mvcc.check.Txn.unknown;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.mvcc.check.Anomaly.Type;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The checker on small histories written by hand: a clean one of each shape finds nothing, and a
 * history built to show one anomaly is reported as exactly that anomaly, naming the right
 * transactions, edges and keys. The names follow Adya's phenomena; the comments draw each history.
 */
class HistoryCheckerTest {

    /** The one anomaly of {@code type} the history must show, and nothing else. */
    private static Anomaly only(Type type, History h) {
        Report r = HistoryChecker.check(h);
        assertThat(
                "the history shows " + type.label() + " and nothing else:\n" + r, r.types(), equalTo(EnumSet.of(type)));
        assertThat("one " + type.label() + " in the report:\n" + r, r.anomalies(type), hasSize(1));
        return r.anomalies(type).get(0);
    }

    @Test
    void serialHistoriesShowNoAnomaly() {
        History h = History.of(
                committed(1, read("x"), append("x", 1), read("y"), append("y", 2)),
                committed(2, read("x", 1), append("x", 3), read("y", 2)),
                committed(3, read("y", 2), append("y", 4), append("y", 5), read("y", 2, 4, 5)),
                aborted(4, read("x", 1, 3), append("x", 6)),
                committed(5, read("x", 1, 3), read("y", 2, 4, 5)));
        Report r = HistoryChecker.check(h);
        assertThat(r.toString(), r.isClean(), is(true));
        assertThat(r.allowedUnder(IsolationLevel.SERIALIZABLE), is(true));
        assertThat(r.strongestLevel(), equalTo(Optional.of(IsolationLevel.SERIALIZABLE)));
        assertThat(r.toString(), containsString("no anomalies"));
    }

    @Test
    void anEmptyHistoryAndOneOfReadsOnlyAreClean() {
        assertThat(HistoryChecker.check(History.of()).isClean(), is(true));
        assertThat(
                HistoryChecker.check(History.of(committed(1, read("x")), committed(2, read("x"), read("y"))))
                        .isClean(),
                is(true));
    }

    @Test
    void aSeenAppendOfUnknownOutcomeIsTakenAsCommitted() {
        // T1 threw an I/O error at commit; T2 saw its element, so it did commit: nothing wrong.
        History h = History.of(unknown(1, append("x", 1)), committed(2, read("x", 1)), unknown(3, append("x", 2)));
        Report r = HistoryChecker.check(h);
        assertThat(r.toString(), r.isClean(), is(true));
        assertThat(r.indeterminate(), hasSize(2));
        assertThat(r.toString(), containsString("2 transactions ended with an unexpected exception"));
    }

    @Test
    void g0WriteCycle() {
        // T1 and T2 each append to x and y; x's order puts T1 first, y's puts T2 first.
        History h = History.of(
                committed(1, append("x", 1), append("y", 2)),
                committed(2, append("x", 3), append("y", 4)),
                committed(3, read("x", 1, 3), read("y", 4, 2)));
        Anomaly a = only(Type.G0, h);
        assertThat(a.explanation(), equalTo("T1 -ww(x)-> T2 -ww(y)-> T1"));
        assertThat(a.txns(), containsInAnyOrder(1, 2));
        assertThat(a.keys(), containsInAnyOrder("x", "y"));
        assertThat(a.cycle().stream().map(Dependency::kind).toList(), everyItem(equalTo(Dependency.Kind.WW)));
        assertThat(
                "a write cycle is forbidden even under read uncommitted",
                HistoryChecker.check(h).allowedUnder(IsolationLevel.READ_UNCOMMITTED),
                is(false));
    }

    @Test
    void g1aAbortedRead() {
        History h = History.of(aborted(1, append("x", 1)), committed(2, read("x", 1)));
        Anomaly a = only(Type.G1A, h);
        assertThat("the reader, then the aborted writer", a.txns(), equalTo(List.of(2, 1)));
        assertThat(a.keys(), equalTo(List.of("x")));
        assertThat(
                a.toString(), equalTo("G1a (aborted read): T2 read x = [1], but 1 was appended by T1, which aborted"));
        Report r = HistoryChecker.check(h);
        assertThat(r.allowedUnder(IsolationLevel.READ_UNCOMMITTED), is(true));
        assertThat(r.allowedUnder(IsolationLevel.READ_COMMITTED), is(false));
    }

    @Test
    void g1bIntermediateRead() {
        // T2 saw x after T1's first append, before its second.
        History h = History.of(committed(1, append("x", 1), append("x", 2)), committed(2, read("x", 1)));
        Anomaly a = only(Type.G1B, h);
        assertThat(a.txns(), equalTo(List.of(2, 1)));
        assertThat(a.explanation(), containsString("T1 went on to append 2 to x"));
        assertThat(HistoryChecker.check(h).allowedUnder(IsolationLevel.READ_COMMITTED), is(false));
    }

    @Test
    void g1cCircularInformationFlow() {
        // Each transaction read the other's write: neither can have come first.
        History h = History.of(committed(1, append("x", 1), read("y", 2)), committed(2, append("y", 2), read("x", 1)));
        Anomaly a = only(Type.G1C, h);
        assertThat(a.explanation(), equalTo("T1 -wr(x)-> T2 -wr(y)-> T1"));
        assertThat(HistoryChecker.check(h).allowedUnder(IsolationLevel.READ_COMMITTED), is(false));
    }

    @Test
    void lostUpdate() {
        // T1 and T2 both read x = [] and both appended: T2's append landed after T1's, which it never saw.
        History h = History.of(
                committed(1, read("x"), append("x", 1)),
                committed(2, read("x"), append("x", 2)),
                committed(3, read("x", 1, 2)));
        Anomaly a = only(Type.LOST_UPDATE, h);
        assertThat(
                a.explanation(),
                equalTo("T1 and T2 each read x = [] and then appended to it (1, 2), and all committed:"
                        + " every update after the first was made without seeing the ones before it"));
        assertThat(a.txns(), equalTo(List.of(1, 2)));
        Report r = HistoryChecker.check(h);
        assertThat(r.allowedUnder(IsolationLevel.READ_COMMITTED), is(true));
        assertThat("first committer wins forbids it", r.allowedUnder(IsolationLevel.SNAPSHOT_ISOLATION), is(false));
    }

    @Test
    void lostUpdateWithABlindWriteInBetween() {
        // T2 appended without reading; T1 read [] and appended after it.
        History h = History.of(
                committed(1, read("x"), append("x", 1)), committed(2, append("x", 2)), committed(3, read("x", 2, 1)));
        Anomaly a = only(Type.LOST_UPDATE, h);
        assertThat(
                a.explanation(),
                equalTo(
                        "T1 read x = [] and then appended 1, but T2's append of 2 came in between: T1 -rw(x)-> T2 -ww(x)-> T1"));
        assertThat(a.txns(), equalTo(List.of(1, 2)));
        assertThat(
                a.cycle().stream().map(Dependency::kind).toList(),
                equalTo(List.of(Dependency.Kind.RW, Dependency.Kind.WW)));
    }

    @Test
    void gSingleReadSkew() {
        // T2 read x before T1's append and y after it: half of T1.
        History h = History.of(committed(1, append("x", 1), append("y", 2)), committed(2, read("x"), read("y", 2)));
        Anomaly a = only(Type.G_SINGLE, h);
        assertThat(a.explanation(), equalTo("T2 -rw(x)-> T1 -wr(y)-> T2"));
        assertThat(
                a.cycle().stream().filter(d -> d.kind() == Dependency.Kind.RW).count(), equalTo(1L));
        Report r = HistoryChecker.check(h);
        assertThat(r.allowedUnder(IsolationLevel.READ_COMMITTED), is(true));
        assertThat(r.allowedUnder(IsolationLevel.SNAPSHOT_ISOLATION), is(false));
    }

    @Test
    void gSingleOnOneKeyIsANonRepeatableRead() {
        // T2 read x twice and saw T1's append only the second time.
        History h = History.of(committed(1, append("x", 1)), committed(2, read("x"), read("x", 1)));
        Anomaly a = only(Type.G_SINGLE, h);
        assertThat(a.explanation(), equalTo("T2 -rw(x)-> T1 -wr(x)-> T2"));
    }

    @Test
    void g2WriteSkew() {
        // Both read x and y empty; each appended to a different one.
        History h = History.of(
                committed(1, read("x"), read("y"), append("x", 1)),
                committed(2, read("x"), read("y"), append("y", 2)),
                committed(3, read("x", 1), read("y", 2)));
        Anomaly a = only(Type.G2, h);
        assertThat(a.explanation(), equalTo("T1 -rw(y)-> T2 -rw(x)-> T1"));
        assertThat(a.txns(), containsInAnyOrder(1, 2));
        Report r = HistoryChecker.check(h);
        assertThat("snapshot isolation allows write skew", r.allowedUnder(IsolationLevel.SNAPSHOT_ISOLATION), is(true));
        assertThat(r.allowedUnder(IsolationLevel.SERIALIZABLE), is(false));
        assertThat(r.strongestLevel(), equalTo(Optional.of(IsolationLevel.SNAPSHOT_ISOLATION)));
        assertThat(r.toString(), containsString("G2 (write skew): T1 -rw(y)-> T2 -rw(x)-> T1"));
        assertThat(
                r.toString(),
                containsString(
                        "allowed under: read uncommitted, read committed, snapshot isolation; forbidden under: serializable\n"));
    }

    @Test
    void g2WithThreeTransactions() {
        // A ring: each reads the key the next one writes.
        History h = History.of(
                committed(1, read("x"), append("y", 1)),
                committed(2, read("y"), append("z", 2)),
                committed(3, read("z"), append("x", 3)));
        Anomaly a = only(Type.G2, h);
        assertThat(a.cycle(), hasSize(3));
        assertThat(a.cycle().stream().map(Dependency::kind).toList(), everyItem(equalTo(Dependency.Kind.RW)));
    }

    @Test
    void aStaleReadIsACycleThroughRealTime() {
        // T1 committed before T2 began (each hand-written transaction starts and ends at its id),
        // yet T2 read x without T1's element.
        History h = History.of(committed(1, append("x", 1)), committed(2, read("x")));
        Report plain = HistoryChecker.check(h);
        assertThat("without real time, T2 simply comes first:\n" + plain, plain.isClean(), is(true));
        assertThrows(IllegalStateException.class, () -> plain.allowedUnder(IsolationLevel.STRONG_SNAPSHOT_ISOLATION));

        Report r = HistoryChecker.checkRealtime(h);
        assertThat(r.toString(), r.types(), equalTo(EnumSet.of(Type.G_SINGLE_REALTIME)));
        assertThat(r.anomalies().get(0).explanation(), equalTo("T1 -rt-> T2 -rw(x)-> T1"));
        assertThat(r.anomalies().get(0).keys(), equalTo(List.of("x")));
        assertThat(
                "snapshot isolation allows an old snapshot",
                r.allowedUnder(IsolationLevel.SNAPSHOT_ISOLATION),
                is(true));
        assertThat(r.allowedUnder(IsolationLevel.SERIALIZABLE), is(true));
        assertThat(r.allowedUnder(IsolationLevel.STRONG_SNAPSHOT_ISOLATION), is(false));
        assertThat(r.allowedUnder(IsolationLevel.STRICT_SERIALIZABLE), is(false));
    }

    @Test
    void writeSkewAgainstRealTimeIsG2Realtime() {
        // T3 runs from 1 to 3, T2 from 2 to 5, T1 from 4 to 6: only T3 -rt-> T1. T1 missed T2's
        // append to x, T2 missed T3's append to y.
        History h = History.of(
                new Txn(3, 0, 1, 3, Txn.Status.COMMITTED, List.of(append("y", 3)), null),
                new Txn(2, 1, 2, 5, Txn.Status.COMMITTED, List.of(append("x", 2), read("y")), null),
                new Txn(1, 2, 4, 6, Txn.Status.COMMITTED, List.of(read("x")), null));
        assertThat(HistoryChecker.check(h).isClean(), is(true));
        Report r = HistoryChecker.checkRealtime(h);
        assertThat(r.toString(), r.types(), equalTo(EnumSet.of(Type.G2_REALTIME)));
        assertThat(r.anomalies().get(0).explanation(), equalTo("T3 -rt-> T1 -rw(x)-> T2 -rw(y)-> T3"));
        assertThat(r.allowedUnder(IsolationLevel.STRONG_SNAPSHOT_ISOLATION), is(true));
        assertThat(r.allowedUnder(IsolationLevel.SERIALIZABLE), is(true));
        assertThat(r.allowedUnder(IsolationLevel.STRICT_SERIALIZABLE), is(false));
        assertThat(r.toString(), containsString("forbidden under: strict serializable\n"));
    }

    @Test
    void incompatibleOrders() {
        History h = History.of(
                committed(1, append("x", 1)),
                committed(2, append("x", 2)),
                committed(3, read("x", 1, 2)),
                committed(4, read("x", 2, 1)));
        Anomaly a = only(Type.INCOMPATIBLE_ORDER, h);
        assertThat(a.txns(), equalTo(List.of(4, 3)));
        assertThat(a.explanation(), containsString("T4 read x = [2, 1] and T3 read x = [1, 2]"));
    }

    @Test
    void garbageRead() {
        History h = History.of(committed(1, append("x", 1)), committed(2, read("x", 1, 99)));
        Anomaly a = only(Type.GARBAGE_READ, h);
        assertThat(a.txns(), equalTo(List.of(2)));
        assertThat(a.explanation(), containsString("no transaction appended 99 to x"));
    }

    @Test
    void duplicateElements() {
        History h = History.of(
                committed(1, append("x", 1)), committed(2, append("x", 2)), committed(3, read("x", 1, 2, 2)));
        Anomaly a = only(Type.DUPLICATE_ELEMENTS, h);
        assertThat(a.txns(), equalTo(List.of(3)));
        assertThat(a.explanation(), containsString("2 is in it twice"));
    }

    @Test
    void aTransactionThatMissesItsOwnAppend() {
        Anomaly a = only(Type.INTERNAL, History.of(committed(1, append("x", 1), read("x"))));
        assertThat(a.explanation(), containsString("the read misses the transaction's own append"));
    }

    @Test
    void aTransactionThatReadsWhatItAppendsOnlyLater() {
        Anomaly a = only(Type.INTERNAL, History.of(committed(1, read("x", 1), append("x", 1))));
        assertThat(a.explanation(), containsString("an element it only appends later"));
    }

    @Test
    void severalAnomaliesAreAllReportedAndJudgedTogether() {
        History h = History.of(
                aborted(1, append("z", 9)),
                committed(2, read("x"), read("y"), append("x", 1)),
                committed(3, read("x"), read("y"), append("y", 2)),
                committed(4, read("x", 1), read("y", 2), read("z", 9)));
        Report r = HistoryChecker.check(h);
        assertThat(r.toString(), r.types(), equalTo(EnumSet.of(Type.G1A, Type.G2)));
        assertThat(
                r.forbiddenUnder(IsolationLevel.SNAPSHOT_ISOLATION).stream()
                        .map(Anomaly::type)
                        .toList(),
                equalTo(List.of(Type.G1A)));
        assertThat(r.strongestLevel(), equalTo(Optional.of(IsolationLevel.READ_UNCOMMITTED)));
    }

    @Test
    void anAbortedTransactionsReadsAndUnseenWritesDoNotCount() {
        History h = History.of(
                committed(1, append("x", 1)),
                aborted(2, read("x"), append("x", 2), read("y", 77)),
                committed(3, read("x", 1)));
        assertThat(HistoryChecker.check(h).anomalies(), empty());
    }

    @Test
    void aHistoryWithAnElementAppendedTwiceIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> History.of(committed(1, append("x", 1)), committed(2, append("x", 1))));
        assertThat(e.getMessage(), containsString("element 1 is appended to key x twice (by T1 and T2)"));
        assertThrows(IllegalArgumentException.class, () -> History.of(committed(1), committed(1)));
    }
}
