package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.storagelab.testkit.Linearizability.Kind;
import dev.storagelab.testkit.Linearizability.Op;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The linearizability checker accepts what a sequential map explains and rejects what none does. */
class LinearizabilityTest {

    private static Op<String, String> op(int thread, Kind kind, String key, String value, long call, long ret) {
        return new Op<>(thread, kind, key, value, call, ret);
    }

    @Test
    void overlappingOperationsMayTakeEffectInEitherOrder() {
        // put(a, 1) overlaps a get that sees 1 and a get that still sees the initial 0.
        List<Op<String, String>> history = List.of(
                op(0, Kind.PUT, "a", "1", 1, 6), op(1, Kind.GET, "a", "1", 2, 3), op(2, Kind.GET, "a", "0", 4, 5));
        assertThat(
                "get(a)=0 may take effect before the put, get(a)=1 after it... but not in this real-time order",
                Linearizability.check(Map.of("a", "0"), history).isPresent(),
                is(true));
        List<Op<String, String>> reordered = List.of(
                op(0, Kind.PUT, "a", "1", 1, 6), op(1, Kind.GET, "a", "0", 2, 3), op(2, Kind.GET, "a", "1", 4, 5));
        assertThat(Linearizability.check(Map.of("a", "0"), reordered), is(Optional.empty()));
    }

    @Test
    void aReadOfAValueOverwrittenBeforeItWasCalledIsALostUpdate() {
        List<Op<String, String>> history = List.of(
                op(0, Kind.PUT, "k", "x", 1, 2), op(0, Kind.PUT, "k", "y", 3, 4), op(1, Kind.GET, "k", "x", 5, 6));
        Optional<String> violation = Linearizability.check(Map.of(), history);
        assertThat(violation.isPresent(), is(true));
        assertThat("the report names the key and lists its operations", violation.get(), containsString("key k"));
    }

    @Test
    void aDeleteThatReturnedMakesTheKeyAbsentAndScansCountPerKey() {
        Linearizability.Recorder<String, String> recorder = new Linearizability.Recorder<>();
        long c = recorder.call();
        recorder.returned(0, Kind.DELETE, "b", null, c);
        c = recorder.call();
        recorder.scanned(1, List.of("a", "b"), Map.of("a", "1", "b", "2"), c);
        assertThat(
                "a scan after the delete returned still saw b",
                Linearizability.check(Map.of("a", "1", "b", "2"), recorder.history())
                        .isPresent(),
                is(true));
        Linearizability.Recorder<String, String> ok = new Linearizability.Recorder<>();
        long s = ok.call();
        long d = ok.call();
        ok.returned(0, Kind.DELETE, "b", null, d);
        ok.scanned(1, List.of("a", "b"), Map.of("a", "1", "b", "2"), s);
        assertThat(
                "a scan that overlapped the delete may have seen b",
                Linearizability.check(Map.of("a", "1", "b", "2"), ok.history()),
                is(Optional.empty()));
    }
}
