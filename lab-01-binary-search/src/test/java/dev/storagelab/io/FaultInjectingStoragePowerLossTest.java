package dev.storagelab.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.either;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What survives {@link FaultInjectingStorage#powerLoss()}: forced bytes always, synced directory
 * entries always, and of the rest what the {@link CrashMode} allows. Random outcomes are checked
 * over many seeds: every outcome must be allowed, and every allowed outcome must occur, so the
 * simulator neither invents states nor hides the ones engines must survive.
 */
class FaultInjectingStoragePowerLossTest {

    /** Enough seeds that an outcome with probability 1/5 is missed with odds below 1e-19. */
    private static final int SEEDS = 200;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A durable file: created, written, forced, and its directory entry synced. */
    private static void durableFile(FaultInjectingStorage s, String name, byte[] content) throws IOException {
        try (WritableFile f = s.create(name)) {
            f.append(content);
            f.force();
        }
        s.syncDirectory();
    }

    /** The names present after a power loss in RANDOM mode, for each seed. */
    private interface Scenario {
        void run(FaultInjectingStorage s) throws IOException;
    }

    private static Set<List<String>> listingsAfterRandomPowerLoss(Scenario beforeCrash) throws IOException {
        Set<List<String>> seen = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = new FaultInjectingStorage(seed);
            beforeCrash.run(s);
            s.powerLoss();
            seen.add(s.list());
        }
        return seen;
    }

    // ---------------------------------------------------------------- file contents

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void forcedDataSurvivesInEveryMode(CrashMode mode) throws IOException {
        byte[] forced = randomBytes(1500, 1);
        byte[] unforced = randomBytes(1100, 2);
        byte[] all = concat(forced, unforced);
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = new FaultInjectingStorage(seed).crashMode(mode);
            durableFile(s, "a.log", forced);
            try (WritableFile f = s.openAppend("a.log")) {
                f.append(unforced);
            }
            s.powerLoss();
            byte[] after = s.contents("a.log");
            assertThat(
                    "seed " + seed + ": a power loss never takes back forced bytes",
                    after.length,
                    greaterThanOrEqualTo(forced.length));
            assertThat(
                    "seed " + seed + ": what survives is a prefix of what was written",
                    after,
                    equalTo(Arrays.copyOf(all, after.length)));
        }
    }

    @Test
    void unforcedBytesAreLostWhenLosingUnsynced() throws IOException {
        byte[] forced = randomBytes(1500, 3);
        FaultInjectingStorage s = new FaultInjectingStorage(7).crashMode(CrashMode.LOSE_UNSYNCED);
        durableFile(s, "a.log", forced);
        try (WritableFile f = s.openAppend("a.log")) {
            f.append(randomBytes(2000, 4));
            assertThat("before the crash the reader sees the unforced bytes", s.size("a.log"), is(3500L));
        }
        s.powerLoss();
        assertThat("only the forced prefix survives", s.contents("a.log"), equalTo(forced));
    }

    @Test
    void durableContentsIsWhatLosingUnsyncedWouldLeave() throws IOException {
        byte[] forced = randomBytes(700, 5);
        FaultInjectingStorage s = new FaultInjectingStorage(8).crashMode(CrashMode.LOSE_UNSYNCED);
        durableFile(s, "a.log", forced);
        try (WritableFile f = s.openAppend("a.log")) {
            f.append(randomBytes(300, 6));
        }
        assertThat("durableContents predicts the survivor", s.durableContents("a.log"), equalTo(forced));
        assertThat("contents is what a reader sees now", s.contents("a.log").length, is(1000));
        s.powerLoss();
        assertThat(s.contents("a.log"), equalTo(forced));
    }

    @Test
    void keepUnsyncedKeepsEverything() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(9).crashMode(CrashMode.KEEP_UNSYNCED);
        durableFile(s, "gone", randomBytes(10, 1));
        durableFile(s, "old", randomBytes(10, 2));
        byte[] unforced = randomBytes(1234, 10);
        try (WritableFile f = s.create("new")) {
            f.append(unforced);
        }
        s.rename("old", "renamed");
        s.delete("gone");
        s.powerLoss();
        assertThat("every unsynced directory change survives", s.list(), contains("new", "renamed"));
        assertThat("every unforced byte survives", s.contents("new"), equalTo(unforced));
    }

    @Test
    void truncateBelowTheForcedSizeWithoutAForceIsUndoneByACrash() throws IOException {
        byte[] forced = randomBytes(1000, 11);
        for (CrashMode mode : List.of(CrashMode.LOSE_UNSYNCED, CrashMode.RANDOM)) {
            for (long seed = 0; seed < SEEDS; seed++) {
                FaultInjectingStorage s = new FaultInjectingStorage(seed).crashMode(mode);
                durableFile(s, "a.log", forced);
                s.truncate("a.log", 300);
                assertThat("the cut is visible before the crash", s.size("a.log"), is(300L));
                s.powerLoss();
                assertThat(
                        mode + " seed " + seed + ": an unforced truncate is not durable; the forced bytes come back",
                        s.contents("a.log"),
                        equalTo(forced));
            }
        }
    }

    @Test
    void appendsAfterAnUnforcedTruncateAreLostWithIt() throws IOException {
        byte[] forced = randomBytes(1000, 12);
        FaultInjectingStorage s = new FaultInjectingStorage(13).crashMode(CrashMode.RANDOM);
        durableFile(s, "a.log", forced);
        s.truncate("a.log", 300);
        try (WritableFile f = s.openAppend("a.log")) {
            f.append(randomBytes(2000, 14));
        }
        s.powerLoss();
        assertThat("until a force, the file on disk is the one forced last", s.contents("a.log"), equalTo(forced));
    }

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void aForcedTruncateIsDurable(CrashMode mode) throws IOException {
        byte[] forced = randomBytes(1000, 15);
        FaultInjectingStorage s = new FaultInjectingStorage(16).crashMode(mode);
        durableFile(s, "a.log", forced);
        s.truncate("a.log", 300);
        try (WritableFile f = s.openAppend("a.log")) {
            f.force();
        }
        s.powerLoss();
        assertThat("a truncate followed by a force survives", s.contents("a.log"), equalTo(Arrays.copyOf(forced, 300)));
    }

    // ---------------------------------------------------------------- directory entries

    @Test
    void aFileCreatedSinceTheLastDirectorySyncMayVanish() throws IOException {
        Set<List<String>> seen = listingsAfterRandomPowerLoss(s -> {
            try (WritableFile f = s.create("new.log")) {
                f.append(randomBytes(100, 1));
                f.force(); // forcing the file does not make its directory entry durable
            }
        });
        assertThat(
                "with RANDOM, an unsynced create sometimes survives and sometimes does not",
                seen,
                containsInAnyOrder(List.of(), List.of("new.log")));
    }

    @Test
    void aFileCreatedSinceTheLastDirectorySyncAlwaysVanishesWhenLosingUnsynced() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(1).crashMode(CrashMode.LOSE_UNSYNCED);
        try (WritableFile f = s.create("new.log")) {
            f.append(randomBytes(100, 1));
            f.force();
        }
        s.powerLoss();
        assertThat("fsync of the file is not enough: the directory needs its own sync", s.list(), is(empty()));
    }

    @Test
    void aFileRenamedSinceTheLastSyncMayRevertToItsOldName() throws IOException {
        byte[] content = randomBytes(600, 2);
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = new FaultInjectingStorage(seed);
            durableFile(s, "x.tmp", content);
            s.rename("x.tmp", "x.seg");
            s.powerLoss();
            List<String> names = s.list();
            assertThat(
                    "seed " + seed + ": rename is atomic, so the file is under exactly one of its names",
                    names,
                    either(contains("x.tmp")).or(contains("x.seg")));
            assertThat(
                    "seed " + seed + ": the bytes survive under whichever name",
                    s.contents(names.get(0)),
                    equalTo(content));
        }
        Set<List<String>> seen = listingsAfterRandomPowerLoss(s -> {
            durableFile(s, "x.tmp", content);
            s.rename("x.tmp", "x.seg");
        });
        assertThat("both the old and the new name occur", seen, containsInAnyOrder(List.of("x.tmp"), List.of("x.seg")));
    }

    @Test
    void anUnsyncedRenameOverATargetMayBeUndoneButNeverHalfDone() throws IOException {
        Set<List<String>> seen = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = new FaultInjectingStorage(seed);
            durableFile(s, "CURRENT", "old".getBytes(UTF_8));
            durableFile(s, "CURRENT.tmp", "new".getBytes(UTF_8));
            s.rename("CURRENT.tmp", "CURRENT");
            s.powerLoss();
            List<String> names = s.list();
            seen.add(names);
            if (names.equals(List.of("CURRENT"))) {
                assertThat(
                        "seed " + seed + ": only CURRENT is left, so the rename happened and CURRENT holds "
                                + "the new bytes (a half-done rename loses the new file)",
                        new String(s.contents("CURRENT"), UTF_8),
                        is("new"));
            } else {
                assertThat(
                        "seed " + seed + ": the rename was undone entirely", names, contains("CURRENT", "CURRENT.tmp"));
                assertThat(
                        "seed " + seed + ": the rename was undone, so CURRENT holds the old bytes",
                        new String(s.contents("CURRENT"), UTF_8),
                        is("old"));
            }
        }
        assertThat("both outcomes occur", seen.size(), is(2));
    }

    @Test
    void anUnsyncedDeleteMayComeBack() throws IOException {
        Set<List<String>> seen = listingsAfterRandomPowerLoss(s -> {
            durableFile(s, "old.seg", randomBytes(100, 3));
            s.delete("old.seg");
        });
        assertThat(
                "with RANDOM, an unsynced delete sometimes comes back",
                seen,
                containsInAnyOrder(List.of(), List.of("old.seg")));

        FaultInjectingStorage s = new FaultInjectingStorage(1).crashMode(CrashMode.LOSE_UNSYNCED);
        durableFile(s, "old.seg", randomBytes(100, 3));
        s.delete("old.seg");
        s.powerLoss();
        assertThat(
                "when losing unsynced, an unsynced delete always comes back, bytes and all",
                s.contents("old.seg"),
                equalTo(randomBytes(100, 3)));
    }

    @Test
    void directoryChangesSurviveAsAnOrderedPrefix() throws IOException {
        Set<List<String>> seen = listingsAfterRandomPowerLoss(s -> {
            s.create("a").close();
            s.create("b").close();
            s.create("c").close();
        });
        assertThat(
                "the journal replays a prefix: never b without a, never c without b",
                seen,
                containsInAnyOrder(List.of(), List.of("a"), List.of("a", "b"), List.of("a", "b", "c")));
    }

    @Test
    void syncDirectoryMakesCreateRenameAndDeleteDurable() throws IOException {
        for (CrashMode mode : CrashMode.values()) {
            FaultInjectingStorage s = new FaultInjectingStorage(2).crashMode(mode);
            durableFile(s, "doomed", randomBytes(10, 1));
            durableFile(s, "x.tmp", randomBytes(10, 2));
            s.create("fresh").close();
            s.rename("x.tmp", "x.seg");
            s.delete("doomed");
            s.syncDirectory();
            s.powerLoss();
            assertThat(
                    mode + ": after syncDirectory every directory change is durable",
                    s.list(),
                    contains("fresh", "x.seg"));
            assertThat(s.contents("x.seg"), equalTo(randomBytes(10, 2)));
        }
    }

    // ---------------------------------------------------------------- handles

    @Test
    void handlesOpenedBeforeAPowerLossFailAfterwardsSayingSo() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(3);
        durableFile(s, "a.log", randomBytes(100, 4));
        WritableFile w = s.openAppend("a.log");
        ReadableFile r = s.openRead("a.log");
        s.powerLoss();
        List<Executable> calls = List.of(
                () -> w.append(ByteBuffer.wrap(new byte[1])),
                () -> w.writeAt(0, ByteBuffer.wrap(new byte[1])),
                w::force,
                w::size,
                () -> r.read(0, ByteBuffer.allocate(1)),
                r::size);
        for (Executable call : calls) {
            IOException e = assertThrows(
                    IOException.class, call, "a handle from before the power loss belongs to a process that is gone");
            assertThat(
                    "the message says why the handle is dead",
                    e.getMessage(),
                    allOf(containsString("a.log"), containsString("power loss")));
            assertThat(
                    "a stale handle is a plain IOException, not an armed crash",
                    e,
                    not(instanceOf(FaultInjectingStorage.PowerLossException.class)));
        }
        try (ReadableFile fresh = s.openRead("a.log")) {
            assertThat(
                    "handles opened after the power loss work", fresh.readFully(0, 100), equalTo(randomBytes(100, 4)));
        }
    }
}
