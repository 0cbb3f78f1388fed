package dev.storagelab.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.either;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * In-place writes ({@link WritableFile#writeAt}) and power loss: a forced overwrite is durable; an
 * unforced one leaves every 512-byte sector it touched wholly old or wholly new, each sector on
 * its own, and never a mix inside one sector. The oracles (the old bytes, the new bytes, the
 * sector grid) come from the specification, not from the simulator.
 */
class FaultInjectingStorageWriteAtTest {

    /** The sector size the specification promises tears happen at. */
    private static final int SECTOR = 512;

    /** Enough seeds that an outcome with probability 1/4 is missed with odds below 1e-24. */
    private static final int SEEDS = 200;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A durable four-sector page file. */
    private static final byte[] OLD = randomBytes(4 * SECTOR, 1);

    /** Two pages' worth of new bytes, written in place over sectors 1 and 2. */
    private static final byte[] NEW = randomBytes(2 * SECTOR, 2);

    /** {@code base} with {@code patch} written over it at {@code position}, growing it as needed. */
    private static byte[] overwritten(byte[] base, int position, byte[] patch) {
        byte[] out = Arrays.copyOf(base, Math.max(base.length, position + patch.length));
        System.arraycopy(patch, 0, out, position, patch.length);
        return out;
    }

    /** A storage whose file "pages" durably holds {@code content}. */
    private static FaultInjectingStorage pagesHolding(byte[] content, long seed) {
        FaultInjectingStorage s = new FaultInjectingStorage(seed);
        s.plant("pages", content);
        return s;
    }

    /** Writes {@code patch} over "pages" at {@code position}, unforced. */
    private static void writeAt(FaultInjectingStorage s, int position, byte[] patch) throws IOException {
        try (WritableFile f = s.openAppend("pages")) {
            f.writeAt(position, patch);
        }
    }

    /** A storage holding {@link #OLD}, durably, as "pages", with {@link #NEW} written over sectors 1 and 2. */
    private static FaultInjectingStorage overwriteSectorsOneAndTwo(long seed, CrashMode mode, boolean force)
            throws IOException {
        FaultInjectingStorage s = pagesHolding(OLD, seed).crashMode(mode);
        try (WritableFile f = s.openAppend("pages")) {
            f.writeAt(SECTOR, NEW);
            if (force) {
                f.force();
            }
        }
        return s;
    }

    /** Bytes [from, to) of {@code b}. */
    private static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    // ---------------------------------------------------------------- forced and unforced

    @Example
    void aForcedOverwriteSurvivesEveryCrashMode() throws IOException {
        for (CrashMode mode : CrashMode.values()) {
            for (long seed = 0; seed < SEEDS; seed++) {
                FaultInjectingStorage s = overwriteSectorsOneAndTwo(seed, mode, true);
                s.powerLoss();
                assertThat(
                        mode + " seed " + seed + ": forced bytes are durable, overwritten or appended alike",
                        s.contents("pages"),
                        equalTo(overwritten(OLD, SECTOR, NEW)));
            }
        }
    }

    @Example
    void anUnforcedOverwriteAndExtensionAreUndoneWhenLosingUnsynced() throws IOException {
        FaultInjectingStorage s = overwriteSectorsOneAndTwo(3, CrashMode.LOSE_UNSYNCED, false);
        try (WritableFile f = s.openAppend("pages")) {
            f.writeAt(OLD.length - 100, randomBytes(700, 3)); // runs 600 bytes past the end
            assertThat("before the crash the file has grown", f.size(), is(OLD.length + 600L));
        }
        s.powerLoss();
        assertThat(
                "every overwritten sector reverts to its forced bytes and the unforced extension is lost",
                s.contents("pages"),
                equalTo(OLD));
    }

    @Example
    void anUnforcedOverwriteSurvivesWhenKeepingUnsynced() throws IOException {
        FaultInjectingStorage s = overwriteSectorsOneAndTwo(4, CrashMode.KEEP_UNSYNCED, false);
        s.powerLoss();
        assertThat(
                "as if the OS flushed its caches just in time",
                s.contents("pages"),
                equalTo(overwritten(OLD, SECTOR, NEW)));
    }

    @Example
    void durableContentsShowsTheOldBytesUntilAForce() throws IOException {
        FaultInjectingStorage s = pagesHolding(OLD, 5);
        try (WritableFile f = s.openAppend("pages")) {
            f.writeAt(SECTOR, NEW);
            assertThat(
                    "a reader sees the new bytes at once", s.contents("pages"), equalTo(overwritten(OLD, SECTOR, NEW)));
            assertThat("but the medium still holds the old ones", s.durableContents("pages"), equalTo(OLD));
            f.force();
            assertThat(
                    "after a force the new bytes are the durable ones",
                    s.durableContents("pages"),
                    equalTo(overwritten(OLD, SECTOR, NEW)));
        }
    }

    @Example
    void aSecondOverwriteBeforeAForceStillRevertsToTheForcedBytes() throws IOException {
        byte[] first = randomBytes(100, 6);
        byte[] second = randomBytes(100, 7);
        byte[] oldSector = slice(OLD, SECTOR, 2 * SECTOR);
        byte[] secondSector = slice(overwritten(OLD, 600, second), SECTOR, 2 * SECTOR);
        Set<String> seen = new TreeSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = pagesHolding(OLD, seed);
            writeAt(s, 600, first);
            writeAt(s, 600, second);
            assertThat(
                    "seed " + seed + ": the medium holds what was forced, not the first overwrite",
                    s.durableContents("pages"),
                    equalTo(OLD));
            s.powerLoss();
            byte[] sector = slice(s.contents("pages"), SECTOR, 2 * SECTOR);
            assertThat(
                    "seed " + seed + ": sector 1 holds the forced bytes or the last write's, "
                            + "never an intermediate state",
                    sector,
                    either(equalTo(oldSector)).or(equalTo(secondSector)));
            seen.add(Arrays.equals(sector, oldSector) ? "old" : "new");
        }
        assertThat("both outcomes occur", seen, equalTo(Set.of("new", "old")));
    }

    // ---------------------------------------------------------------- torn at sector granularity

    @Example
    void eachOverwrittenSectorIndependentlyKeepsItsOldOrItsNewBytes() throws IOException {
        byte[] expectedNew = overwritten(OLD, SECTOR, NEW);
        Set<String> seen = new TreeSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = overwriteSectorsOneAndTwo(seed, CrashMode.RANDOM, false);
            s.powerLoss();
            byte[] after = s.contents("pages");
            assertThat(
                    "seed " + seed + ": an overwrite inside the file never changes its size",
                    after.length,
                    is(OLD.length));
            StringBuilder outcome = new StringBuilder();
            for (int sector = 0; sector < 4; sector++) {
                int from = sector * SECTOR;
                int to = from + SECTOR;
                byte[] got = slice(after, from, to);
                boolean old = Arrays.equals(got, slice(OLD, from, to));
                boolean isNew = Arrays.equals(got, slice(expectedNew, from, to));
                assertThat(
                        "seed " + seed + ": sector " + sector + " must be wholly old or wholly new; "
                                + "a disk writes a sector atomically",
                        old || isNew,
                        is(true));
                outcome.append(old ? 'O' : 'N');
            }
            seen.add(outcome.toString());
        }
        assertThat(
                "sectors 0 and 3 were never written, so they stay old; sectors 1 and 2 each go either way, "
                        + "independently: all four combinations must occur",
                seen,
                equalTo(Set.of("OOOO", "OONO", "ONOO", "ONNO")));
    }

    @Example
    void theSectorHoldingTheForcedEndIsNeverHalfOldHalfNew() throws IOException {
        byte[] durable = randomBytes(1000, 8);
        byte[] patch = randomBytes(300, 9);
        byte[] written = overwritten(durable, 900, patch); // [900, 1000) overwritten, [1000, 1200) appended
        Set<Integer> lengths = new TreeSet<>();
        for (long seed = 0; seed < SEEDS; seed++) {
            FaultInjectingStorage s = pagesHolding(durable, seed);
            writeAt(s, 900, patch);
            s.powerLoss();
            byte[] after = s.contents("pages");
            lengths.add(after.length);
            int end = Math.min(after.length, 2 * SECTOR);
            byte[] sector = slice(after, SECTOR, end);
            if (Arrays.equals(sector, slice(durable, SECTOR, end))) {
                assertThat(
                        "seed " + seed + ": sector 1 kept its old bytes, so none of the new bytes written into it "
                                + "past the forced end may survive either",
                        after.length,
                        is(1000));
            } else {
                assertThat("seed " + seed + ": sector 1 is wholly new", sector, equalTo(slice(written, SECTOR, end)));
            }
        }
        assertThat(
                "the tail is cut at the forced end, the sector boundary, or kept whole",
                lengths,
                equalTo(Set.of(1000, 1024, 1200)));
    }

    /** One write in place: where it starts, as a percentage of the file's size then, and how long it is. */
    record Write(int startPercent, int length) {}

    @Provide
    Arbitrary<List<Write>> writes() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 100),
                        Arbitraries.integers().between(0, 1500))
                .as(Write::new)
                .list()
                .ofMaxSize(6);
    }

    @Property(tries = 300)
    void aPowerLossLeavesEverySectorWhollyForcedOrWhollyWritten(
            @ForAll @IntRange(min = 0, max = 3000) int durableSize,
            @ForAll("writes") List<Write> writes,
            @ForAll long seed)
            throws IOException {
        byte[] durable = randomBytes(durableSize, seed);
        FaultInjectingStorage s = pagesHolding(durable, seed);
        byte[] written = durable;
        try (WritableFile f = s.openAppend("pages")) {
            for (int i = 0; i < writes.size(); i++) {
                int position = written.length * writes.get(i).startPercent() / 100;
                byte[] patch = randomBytes(writes.get(i).length(), seed + i + 1);
                f.writeAt(position, patch);
                written = overwritten(written, position, patch);
            }
        }
        s.powerLoss();
        byte[] after = s.contents("pages");
        assertThat(
                "the file ends at the forced end, a sector boundary past it, or where the writes ended; " + "durable="
                        + durableSize + " written=" + written.length,
                FaultInjectingStorageTornWriteTest.allowedCuts(durableSize, written.length),
                hasItem(after.length));
        for (int from = 0; from < after.length; from += SECTOR) {
            int to = Math.min(from + SECTOR, after.length);
            byte[] got = slice(after, from, to);
            boolean old = to <= durable.length && Arrays.equals(got, slice(durable, from, to));
            assertThat(
                    "bytes [" + from + ", " + to + ") of sector " + from / SECTOR + " are the forced bytes or the "
                            + "written ones, never a mix: " + writes,
                    old || Arrays.equals(got, slice(written, from, to)),
                    is(true));
        }
    }

    // ---------------------------------------------------------------- with truncate

    @Example
    void anUnforcedTruncateAfterAnOverwriteIsUndoneToTheForcedBytes() throws IOException {
        for (CrashMode mode : List.of(CrashMode.LOSE_UNSYNCED, CrashMode.RANDOM)) {
            for (long seed = 0; seed < SEEDS; seed++) {
                FaultInjectingStorage s = overwriteSectorsOneAndTwo(seed, mode, false);
                s.truncate("pages", 1000);
                assertThat(
                        mode + " seed " + seed + ": the medium still holds the forced file, not the overwrite",
                        s.durableContents("pages"),
                        equalTo(OLD));
                s.powerLoss();
                assertThat(
                        mode + " seed " + seed + ": neither the truncate nor the overwrite was forced",
                        s.contents("pages"),
                        equalTo(OLD));
            }
        }
    }

    @Example
    void anOverwriteAfterAnUnforcedTruncateIsLostWithIt() throws IOException {
        FaultInjectingStorage s = pagesHolding(OLD, 10);
        s.truncate("pages", 1000);
        writeAt(s, 100, NEW);
        assertThat(s.durableContents("pages"), equalTo(OLD));
        s.powerLoss();
        assertThat("until a force, the file on the medium is the one forced last", s.contents("pages"), equalTo(OLD));
    }

    @Example
    void aForcedTruncateAndOverwriteAreDurable() throws IOException {
        byte[] expected = overwritten(Arrays.copyOf(OLD, 1000), 100, NEW);
        for (CrashMode mode : CrashMode.values()) {
            FaultInjectingStorage s = pagesHolding(OLD, 11).crashMode(mode);
            s.truncate("pages", 1000);
            try (WritableFile f = s.openAppend("pages")) {
                f.writeAt(100, NEW);
                f.force();
            }
            s.powerLoss();
            assertThat(
                    mode + ": a force makes the cut and the write durable together",
                    s.contents("pages"),
                    equalTo(expected));
        }
    }
}
