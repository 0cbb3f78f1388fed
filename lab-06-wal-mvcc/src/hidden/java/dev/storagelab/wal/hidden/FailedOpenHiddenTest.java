package dev.storagelab.wal.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.io.CorruptionSweep;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.lab.Graded;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An open of the write-ahead log either succeeds with every committed record replayed, or fails
 * with a clear error and changes nothing: no torn tail cut, no segment deleted or created on the
 * way to the error. Every byte of every segment is inverted in turn. A bad last record ending at
 * the end of the last segment looks like a torn write: the open may cut it, and only it, when
 * {@link Wal#recover} has said so ({@link Wal.Recovered#tornBytes()}).
 */
@Tag("hidden")
class FailedOpenHiddenTest {

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "a failed open of the write-ahead log changes the segments it refused (a cut "
                    + "tail, a deleted segment), or a successful one loses a committed record")
    void anOpenThatFailsLeavesEverySegmentAsItWas() throws IOException {
        WalOptions options = WalOptions.defaults().withSegmentBytes(300);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<byte[]> committed = new ArrayList<>();
        try (Wal wal = Wal.open(storage, options)) {
            for (int i = 1; i <= 24; i++) {
                wal.commit(WalHiddenTest.payload(i));
                committed.add(WalHiddenTest.payload(i));
            }
        }
        CorruptionSweep.Result result = CorruptionSweep.run(CorruptionSweep.image(storage), 120, (damaged, damage) -> {
            boolean tornReported = Wal.recover(damaged).tornBytes() > 0;
            try (Wal wal = Wal.open(damaged, options)) {
                List<byte[]> replayed = new ArrayList<>();
                wal.replay(0, (lsn, payload) -> replayed.add(payload));
                int expected =
                        tornReported && replayed.size() == committed.size() - 1 ? replayed.size() : committed.size();
                assertThat(
                        "with " + damage + " inverted, after a successful open every committed record replays "
                                + "(the last one may be cut as torn, and only if recovery reported it)",
                        replayed.size(),
                        equalTo(expected));
                for (int i = 0; i < replayed.size(); i++) {
                    assertThat(
                            "with " + damage + " inverted, record " + (i + 1) + " replays as committed",
                            replayed.get(i),
                            equalTo(committed.get(i)));
                }
            }
        });
        assertThat(
                "some damage must be refused (a record before the last segment's tail)",
                result.refused(),
                greaterThan(0));
        assertThat("some damage must open (the last record, seen as torn)", result.opened(), greaterThan(0));
    }
}
