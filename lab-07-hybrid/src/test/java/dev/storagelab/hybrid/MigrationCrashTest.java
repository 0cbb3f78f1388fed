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
        sweep(false);
    }

    @Test
    void aPowerLossWithDirtyEntriesInTheCacheLosesNothingAcknowledged() throws IOException {
        sweep(true);
    }

    @Test
    void aPowerLossWhileTablesMoveToTheArchiveLosesNothingAcknowledged() throws IOException {
        sweep(true, true);
    }

    @Test
    void aPowerLossWhileNewKeysArePlacedInTheBTreeLosesNothingAcknowledged() throws IOException {
        sweep(false, false, true);
        sweep(true, false, true);
    }

    private static void sweep(boolean cached) throws IOException {
        sweep(cached, false);
    }

    private static void sweep(boolean cached, boolean archived) throws IOException {
        sweep(cached, archived, false);
    }

    private static void sweep(boolean cached, boolean archived, boolean newKeysHot) throws IOException {
        FaultInjectingStorage dry = new FaultInjectingStorage(1);
        CrashWorkload dryRun = new CrashWorkload(36, cached, archived, newKeysHot);
        dryRun.run(dry);
        assertThat(
                "writes that placed new keys in the B+tree",
                dryRun.newKeysPlacedHot > 0,
                org.hamcrest.Matchers.is(newKeysHot));
        assertThat("tables moved to the archive", dryRun.archiveMutations() > 0, org.hamcrest.Matchers.is(archived));
        long total = dry.mutationCount();
        assertThat(total, greaterThan(100L));
        for (long n = 1; n <= total; n += 4) {
            FaultInjectingStorage storage = new FaultInjectingStorage(n);
            storage.crashBeforeMutation(n);
            CrashWorkload run = new CrashWorkload(36, cached, archived, newKeysHot);
            run.run(storage);
            run.powerLoss(storage);
            run.check(storage, "crash before mutation " + n + " of " + total);
        }
    }
}
