package dev.storagelab.hybrid;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.io.FaultInjectingStorage;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** T6: a power loss before every fourth file operation of a run with moves and checkpoints. */
class MigrationCrashTest {

    @Test
    void aPowerLossDuringMovesAndCheckpointsLosesNothingAcknowledged() throws IOException {
        FaultInjectingStorage dry = new FaultInjectingStorage(1);
        new CrashWorkload(36).run(dry);
        long total = dry.mutationCount();
        assertThat(total, greaterThan(100L));
        for (long n = 1; n <= total; n += 4) {
            FaultInjectingStorage storage = new FaultInjectingStorage(n);
            storage.crashBeforeMutation(n);
            CrashWorkload run = new CrashWorkload(36);
            run.run(storage);
            storage.powerLoss();
            run.check(storage, "crash before mutation " + n + " of " + total);
        }
    }
}
