package dev.storagelab.hybrid.tier.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.hybrid.tier.TieredStorage.Location;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.FaultInjectingStorage.Op;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race tests of lab-07 T7's {@code ArchiveMover.copyAndPublish}: a move stopped in the
 * part it must do under the metadata lock (the archive's rename, the switch of open readers) while
 * another thread deletes the file or opens it. The handout's move checks its claim and publishes
 * the copy in one critical section; a move that checks, lets go of the lock and then publishes, or
 * that switches the readers after letting go, leaves a window of a few calls that a stress run
 * rarely meets. Each test forces it with a {@link PausePoint} in the archive (one interleaving, no
 * timing): the other thread either finishes inside the window (the race) or waits for the lock,
 * and the test lets the move go on only once it knows which.
 *
 * <p>The last test forces the window from the other side, with a crash at every step: the move
 * stopped once its copy is written, a delete, rename, truncate or rewrite of the file stopped
 * inside the tiers' lock, the move let go until it waits for that lock. A move that re-checks its
 * claim before it takes the lock, or re-checks something other than the claim's change count,
 * publishes over the change; a crash at each mutation of either tier from the move's start on,
 * then a restart, must find every file in one tier or none, and the change done once it returned.
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
        TieredStorage tiers =
                TieredStorage.open(fast, new PausingStorage(archive, pause, Op.RENAME, name -> true), ticker);
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
        TieredStorage tiers =
                TieredStorage.open(fast, new PausingStorage(archive, pause, Op.OPEN_READ, name -> true), ticker);
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

    // ------------------------------------------------------- a change between the re-check and the publish, crashed

    private static final String CHANGER = "race-change";
    private static final String RENAMED = "000009.sst";

    /**
     * A change of {@link #NAME} made while its move is stopped after the copy: what it does, the
     * fast tier's call inside it at which it stops (a thread of its own), and what the tiers hold
     * once it is done (name to bytes, from the bytes before).
     */
    private enum Change {
        /** Deleted, and the directories synced (a compaction's delete of a table). */
        DELETE(Op.DELETE),
        /** Renamed to {@link #RENAMED}, and the directories synced. */
        RENAME(Op.RENAME),
        /** Cut to its first 10 bytes, the cut forced. */
        TRUNCATE(Op.TRUNCATE),
        /**
         * Cut to nothing and written again with other bytes of the same length, forced: stopped at
         * the force, with the tiers' lock free, so the move re-checks the file as it is now. Only
         * the change count tells it from the file copied.
         */
        REWRITE(Op.FORCE);

        final Op stopsAt;

        Change(Op stopsAt) {
            this.stopsAt = stopsAt;
        }

        void apply(TieredStorage tiers, byte[] content) throws IOException {
            switch (this) {
                case DELETE -> {
                    tiers.delete(NAME);
                    tiers.syncDirectory();
                }
                case RENAME -> {
                    tiers.rename(NAME, RENAMED);
                    tiers.syncDirectory();
                }
                case TRUNCATE -> {
                    tiers.truncate(NAME, 10);
                    try (WritableFile w = tiers.openAppend(NAME)) {
                        w.force(); // a truncate is durable once the file is forced
                    }
                }
                case REWRITE -> {
                    tiers.truncate(NAME, 0);
                    try (WritableFile w = tiers.openAppend(NAME)) {
                        w.append(rewritten(content));
                        w.force();
                    }
                }
            }
        }

        /** What the tiers hold once the change is done. */
        Map<String, byte[]> after(byte[] content) {
            return switch (this) {
                case DELETE -> Map.of();
                case RENAME -> Map.of(RENAMED, content);
                case TRUNCATE -> Map.of(NAME, Arrays.copyOf(content, 10));
                case REWRITE -> Map.of(NAME, rewritten(content));
            };
        }

        /**
         * Whether {@code files} is what a crash during the change may leave: the file as it was, the
         * change done, or (a truncate or a rewrite whose force never came) a prefix of the new bytes.
         */
        boolean mayLeave(Map<String, byte[]> files, byte[] content) {
            if (sameFiles(files, Map.of(NAME, content)) || sameFiles(files, after(content))) {
                return true;
            }
            byte[] now = files.get(NAME);
            byte[] target = after(content).get(NAME);
            return files.size() == 1
                    && now != null
                    && target != null
                    && now.length <= target.length
                    && Arrays.equals(now, Arrays.copyOf(target, now.length));
        }

        private static byte[] rewritten(byte[] content) {
            byte[] b = new byte[content.length];
            new SplittableRandom(29).nextBytes(b);
            return b;
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "a delete, rename, truncate or rewrite of a file between the move's re-check of its claim and "
                    + "its publish is published over: a removed file comes back from the archive, a changed one "
                    + "reads its old bytes, before or after a crash")
    void aChangeBetweenTheMovesReCheckAndItsPublishSurvivesACrashAtEveryStep() throws Exception {
        TieredStoragePublishLincheckHiddenTest.aMoveWithNothingBesideItArchivesTheTable();
        long points = 0;
        for (Change change : Change.values()) {
            for (CrashMode mode : CrashMode.values()) {
                for (boolean crashFast : new boolean[] {true, false}) {
                    // The last run makes fewer mutations than n: no crash, then a power loss.
                    for (int n = 1; raceAChangeAndCrash(change, mode, crashFast, n); n++) {
                        points++;
                    }
                }
            }
        }
        System.out.println("[tiers: a change beside the move's publish] " + points + " crash points");
    }

    /**
     * One crash point of {@link #aChangeBetweenTheMovesReCheckAndItsPublishSurvivesACrashAtEveryStep}:
     * a move of {@link #NAME} stopped once its copy is written (at the copy's force); {@code change}
     * on a second thread, stopped inside the fast tier's call {@link Change#stopsAt} (for all but a
     * rewrite, under the tiers' lock); the move let go until it waits for that lock or ends; then
     * the change let go. The {@code n}-th mutation of one tier from the move's start on crashes it.
     * Checks what the tiers and then a restart hold; returns whether the crash happened.
     */
    private static boolean raceAChangeAndCrash(Change change, CrashMode mode, boolean crashFast, int n)
            throws Exception {
        FaultInjectingStorage fast = new FaultInjectingStorage(n).crashMode(mode);
        FaultInjectingStorage archive = new FaultInjectingStorage(n + 31).crashMode(mode);
        FakeTicker ticker = new FakeTicker();
        PausePoint copied = new PausePoint(MOVER);
        PausePoint changing = new PausePoint(CHANGER);
        TieredStorage tiers = TieredStorage.open(
                new PausingStorage(fast, changing, change.stopsAt, NAME::equals),
                new PausingStorage(archive, copied, Op.FORCE, name -> name.endsWith(TieredStorage.ARCHIVING_SUFFIX)),
                ticker);
        byte[] content = content();
        write(tiers, content);
        FaultInjectingStorage crashed = crashFast ? fast : archive;
        crashed.crashBeforeMutation(n);

        Outcome outcome = new Outcome();
        AtomicBoolean changed = new AtomicBoolean();
        try {
            Thread mover =
                    TestThreads.start(MOVER, () -> outcome.moved.set(tiers.moveToArchive(NAME)), outcome.failures);
            copied.awaitHeld(mover); // false: a crash ended the move before its copy was written
            Thread changer = TestThreads.start(
                    CHANGER,
                    () -> {
                        change.apply(tiers, content);
                        changed.set(true);
                    },
                    outcome.failures);
            // Inside its change (or parked on the tiers' lock, if the move holds it at the force).
            awaitParkedOrEnded(changer, "the " + change + " racing the move");
            copied.release();
            // The move parks on the lock the change holds (or, the lock free, ends).
            awaitParkedOrEnded(mover, "the move");
            changing.release();
            TestThreads.joinAll(List.of(mover, changer));
        } finally {
            copied.release();
            changing.release();
        }

        boolean crash = fast.isCrashed() || archive.isCrashed();
        String when = "a " + change.name().toLowerCase(Locale.ROOT) + " of " + NAME + " beside its move's publish, "
                + (crash
                        ? "the " + (crashFast ? "fast tier" : "archive") + " crashed at its mutation " + n
                                + " from the move's start (" + mode + ")"
                        : "no crash, then a power loss (" + mode + ")");
        if (!crash) {
            Map<String, byte[]> expected = change.after(content);
            checkTiers(tiers, fast, archive, expected, when);
            outcome.checkNoFailure();
        }
        fast.powerLoss();
        archive.powerLoss();
        TieredStorage reopened = TieredStorage.open(fast, archive, ticker);
        Map<String, byte[]> files = new TreeMap<>();
        for (String name : reopened.list()) {
            files.put(name, readAll(reopened, name));
        }
        for (String name : archive.list()) {
            assertThat(when + ": open left the copy " + name, name.endsWith(TieredStorage.ARCHIVING_SUFFIX), is(false));
            assertThat(when + ": open left " + name + " in both tiers", fast.exists(name), is(false));
        }
        if (changed.get() || !crash) {
            assertThat(
                    when + ": the change returned, so a restart must find it done, not the file the move "
                            + "copied before it (the archive must not hold a file the tiers removed or replaced)",
                    describe(files),
                    equalTo(describe(change.after(content))));
        } else {
            assertThat(
                    when + ": the change was cut short by the crash; a restart must find the file as it "
                            + "was or the change done, each name in one tier, but finds " + describe(files),
                    change.mayLeave(files, content),
                    is(true));
        }
        return crash;
    }

    /**
     * The open tiers after the race, no crash: they hold {@code expected}, each file in the tier its
     * location names and in no other, and neither storage holds a name the tiers do not have.
     */
    private static void checkTiers(
            TieredStorage tiers,
            FaultInjectingStorage fast,
            FaultInjectingStorage archive,
            Map<String, byte[]> expected,
            String when)
            throws IOException {
        for (String name : List.of(NAME, RENAMED)) {
            Optional<Location> location = tiers.locate(name);
            if (location.isEmpty()) {
                assertThat(
                        when + ": the archive holds " + name + ", which the tiers no longer have: the move published "
                                + "its copy after the file was removed (it must re-check its claim and publish in one "
                                + "hold of the lock)",
                        archive.exists(name),
                        is(false));
                assertThat(
                        when + ": the fast tier holds " + name + ", which the tiers no longer have",
                        fast.exists(name),
                        is(false));
            } else {
                boolean archived = location.get() == Location.ARCHIVE;
                assertThat(
                        when + ": the tiers place " + name + " in the " + location.get() + " tier, which must hold it",
                        (archived ? archive : fast).exists(name),
                        is(true));
                assertThat(
                        when + ": " + name + " is in both tiers", (archived ? fast : archive).exists(name), is(false));
            }
        }
        Map<String, byte[]> files = new TreeMap<>();
        for (String name : tiers.list()) {
            files.put(name, readAll(tiers, name));
        }
        assertThat(
                when + ": the tiers must hold the changed file, not the copy the move made before the change",
                describe(files),
                equalTo(describe(expected)));
    }

    private static boolean sameFiles(Map<String, byte[]> a, Map<String, byte[]> b) {
        return describe(a).equals(describe(b));
    }

    /** Names and a digest of each file's bytes: two maps of files compare as text. */
    private static String describe(Map<String, byte[]> files) {
        StringBuilder text = new StringBuilder("{");
        new TreeMap<>(files)
                .forEach((name, bytes) -> text.append(text.length() > 1 ? ", " : "")
                        .append(name)
                        .append(": ")
                        .append(bytes.length)
                        .append(" bytes, hash ")
                        .append(Integer.toHexString(Arrays.hashCode(bytes))));
        return text.append('}').toString();
    }

    private static byte[] readAll(Storage s, String name) throws IOException {
        try (ReadableFile f = s.openRead(name)) {
            return f.readFully(0, (int) f.size());
        }
    }

    /** Waits until {@code thread} parks (on a lock or at a pause point) or ends; fails after the liveness bound. */
    private static void awaitParkedOrEnded(Thread thread, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (thread.isAlive() && LockSupport.getBlocker(thread) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " neither ended nor waited for a lock");
            }
            Thread.sleep(1);
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
            awaitParkedOrEnded(racer, "the thread racing the move");
            pause.release();
            TestThreads.joinAll(List.of(mover, racer));
        } finally {
            pause.release();
        }
        return outcome;
    }

    /**
     * A storage whose first call {@code op} (a delete, rename, truncate, open for reading, or a force
     * of a file it created or opened for append) on a name {@code names} accepts is a pause point.
     */
    private static final class PausingStorage extends ForwardingStorage {
        private final PausePoint pause;
        private final Op op;
        private final Predicate<String> names;

        PausingStorage(Storage delegate, PausePoint pause, Op op, Predicate<String> names) {
            super(delegate);
            this.pause = pause;
            this.op = op;
            this.names = names;
        }

        private void point(Op call, String name) {
            if (call == op && names.test(name)) {
                pause.point();
            }
        }

        @Override
        public void delete(String name) throws IOException {
            point(Op.DELETE, name);
            super.delete(name);
        }

        @Override
        public void rename(String from, String to) throws IOException {
            point(Op.RENAME, from);
            super.rename(from, to);
        }

        @Override
        public void truncate(String name, long size) throws IOException {
            point(Op.TRUNCATE, name);
            super.truncate(name, size);
        }

        @Override
        public ReadableFile openRead(String name) throws IOException {
            point(Op.OPEN_READ, name);
            return super.openRead(name);
        }

        @Override
        public WritableFile create(String name) throws IOException {
            return pausingForce(super.create(name), name);
        }

        @Override
        public WritableFile openAppend(String name) throws IOException {
            return pausingForce(super.openAppend(name), name);
        }

        private WritableFile pausingForce(WritableFile file, String name) {
            return new ForwardingWritableFile(file) {
                @Override
                public void force() throws IOException {
                    point(Op.FORCE, name);
                    super.force();
                }
            };
        }
    }
}
