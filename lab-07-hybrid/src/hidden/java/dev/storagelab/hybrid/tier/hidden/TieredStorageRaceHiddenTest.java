package dev.storagelab.hybrid.tier.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.PausePoint;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race tests of lab-07 T7's {@code TieredStorage.copyAndPublish}: a move stopped in the
 * part it must do under the metadata lock (the archive's rename, the switch of open readers) while
 * another thread deletes the file or opens it. The handout's move checks its claim and publishes
 * the copy in one critical section; a move that checks, lets go of the lock and then publishes, or
 * that switches the readers after letting go, leaves a window of a few calls that a stress run
 * rarely meets. Each test forces it with a {@link PausePoint} in the archive (one interleaving, no
 * timing): the other thread either finishes inside the window (the race) or waits for the lock,
 * and the test lets the move go on only once it knows which.
 */
@Tag("hidden")
class TieredStorageRaceHiddenTest {

    private static final String MOVER = "race-mover";
    private static final String NAME = "000005.sst";

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "a move checks its claim and publishes the copy under two different holds of the lock: "
                    + "a table deleted in between comes back from the archive")
    void aDeleteWhileTheMovePublishesNeverBringsTheFileBack() throws Exception {
        FaultInjectingStorage fast = new FaultInjectingStorage(1);
        FaultInjectingStorage archive = new FaultInjectingStorage(2);
        FakeTicker ticker = new FakeTicker();
        PausePoint pause = new PausePoint(MOVER);
        TieredStorage tiers = TieredStorage.open(fast, new PausingArchive(archive, pause, true), ticker);
        write(tiers, content());
        Outcome outcome = raceTheMove(tiers, pause, "archive's rename of the copy", () -> tiers.delete(NAME));

        assertThat(
                "a table deleted while its move published the copy (the move stopped at the archive's rename) "
                        + "is back in the archive: the move must re-check its claim and publish in one hold of the lock",
                archive.exists(NAME),
                is(false));
        assertThat("the deleted table is in the fast tier", fast.exists(NAME), is(false));
        outcome.checkNoFailure();
        tiers.syncDirectory();
        assertThat(
                "the tiers reopened after a table was deleted during its move",
                TieredStorage.open(fast, archive, ticker).list(),
                is(empty()));
    }

    @Test
    @Graded(
            task = "T7",
            points = 2,
            concept = "a move switches the open readers to the archive without the lock: a reader opened "
                    + "meanwhile breaks the move, which leaves the fast copy behind")
    void aReaderOpenedWhileTheMoveSwitchesReadersNeitherBreaksTheMoveNorKeepsTheFastCopy() throws Exception {
        FaultInjectingStorage fast = new FaultInjectingStorage(3);
        FaultInjectingStorage archive = new FaultInjectingStorage(4);
        FakeTicker ticker = new FakeTicker();
        PausePoint pause = new PausePoint(MOVER);
        TieredStorage tiers = TieredStorage.open(fast, new PausingArchive(archive, pause, false), ticker);
        byte[] content = content();
        write(tiers, content);
        List<ReadableFile> readers = new ArrayList<>(List.of(tiers.openRead(NAME), tiers.openRead(NAME)));
        AtomicReference<ReadableFile> late = new AtomicReference<>();
        Outcome outcome = raceTheMove(
                tiers, pause, "switch of the first open reader to the archive", () -> late.set(tiers.openRead(NAME)));
        if (late.get() != null) {
            readers.add(late.get());
        }
        outcome.checkNoFailure();
        assertThat(
                "the move of a file with two readers open, one more opened while it switched them",
                outcome.moved.get(),
                is(true));
        assertThat("the moved file's fast copy is deleted", fast.exists(NAME), is(false));
        for (ReadableFile r : readers) {
            try (r) {
                assertThat(
                        "a reader of the moved file reads its bytes",
                        Arrays.equals(r.readFully(0, content.length), content),
                        is(true));
            }
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static byte[] content() {
        byte[] b = new byte[70_000];
        new SplittableRandom(23).nextBytes(b);
        return b;
    }

    private static void write(Storage s, byte[] content) throws IOException {
        try (WritableFile f = s.create(NAME)) {
            f.append(content);
            f.force();
        }
        s.syncDirectory();
    }

    /** What the move and the other thread did. */
    private static final class Outcome {
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean moved = new AtomicBoolean();

        void checkNoFailure() {
            TestThreads.rethrow(failures, "the move or the thread racing it");
        }
    }

    /**
     * Moves {@link #NAME} on a thread of its own, stopped at {@code pause}; runs {@code other} on a
     * second thread and waits until it has either finished (inside the window) or is parked on a
     * lock (the move holds it); then lets the move go on, and waits for both.
     */
    private static Outcome raceTheMove(TieredStorage tiers, PausePoint pause, String where, TestThreads.Body other)
            throws InterruptedException {
        Outcome outcome = new Outcome();
        try {
            Thread mover =
                    TestThreads.start(MOVER, () -> outcome.moved.set(tiers.moveToArchive(NAME)), outcome.failures);
            if (!pause.awaitHeld(mover)) {
                outcome.checkNoFailure();
                throw new AssertionError("the move of " + NAME + " never reached the " + where);
            }
            Thread racer = TestThreads.start("race-other", other, outcome.failures);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
            while (racer.isAlive() && LockSupport.getBlocker(racer) == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the thread racing the move neither finished nor waited for a lock");
                }
                Thread.sleep(1);
            }
            pause.release();
            TestThreads.joinAll(List.of(mover, racer));
        } finally {
            pause.release();
        }
        return outcome;
    }

    /** An archive whose renames (or, if not {@code renames}, whose opens for reading) are pause points. */
    private static final class PausingArchive extends ForwardingStorage {
        private final PausePoint pause;
        private final boolean renames;

        PausingArchive(Storage delegate, PausePoint pause, boolean renames) {
            super(delegate);
            this.pause = pause;
            this.renames = renames;
        }

        @Override
        public void rename(String from, String to) throws IOException {
            if (renames) {
                pause.point();
            }
            super.rename(from, to);
        }

        @Override
        public ReadableFile openRead(String name) throws IOException {
            if (!renames) {
                pause.point();
            }
            return super.openRead(name);
        }
    }
}
