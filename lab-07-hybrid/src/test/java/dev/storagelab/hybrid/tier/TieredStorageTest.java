package dev.storagelab.hybrid.tier;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.tier.TieredStorage.Location;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lab-07 T7: the archive tier. A {@link TieredStorage} over two in-memory fault-injecting storages
 * (the archive behind a {@link LatencyInjectingStorage} on a fake clock), so a crash can be put
 * before any file operation of a move, and a power loss decides what survived.
 */
class TieredStorageTest {

    private final FakeTicker ticker = new FakeTicker();
    private final FaultInjectingStorage fast = new FaultInjectingStorage(1);
    private final FaultInjectingStorage archiveDisk = new FaultInjectingStorage(2);
    private final LatencyInjectingStorage archive =
            new LatencyInjectingStorage(archiveDisk, DeviceModel.objectStore(), ticker::advance);

    private TieredStorage open() throws IOException {
        return TieredStorage.open(fast, archive, ticker);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(Storage s, String name, byte[] content) throws IOException {
        try (WritableFile f = s.create(name)) {
            f.append(content);
            f.force();
        }
        s.syncDirectory();
    }

    private static byte[] read(Storage s, String name) throws IOException {
        try (ReadableFile f = s.openRead(name)) {
            return f.readFully(0, (int) f.size());
        }
    }

    // ---------------------------------------------------------------- where files live

    @Test
    void newFilesAreBornInTheFastTierAndListIsTheSortedUnion() throws IOException {
        archiveDisk.plant("000003.sst", bytes("old table"));
        TieredStorage tiers = open();
        write(tiers, "000009.sst", bytes("new table"));
        write(tiers, "CURRENT", bytes("MANIFEST-000001\n"));
        assertThat("a new file goes to the fast tier", fast.exists("000009.sst"), is(true));
        assertThat("and only there", archiveDisk.exists("000009.sst"), is(false));
        assertThat(tiers.locate("000009.sst"), is(Optional.of(Location.FAST)));
        assertThat(
                "a file the archive held when the storage opened is found there",
                tiers.locate("000003.sst"),
                is(Optional.of(Location.ARCHIVE)));
        assertThat(
                "list is the union of both tiers, sorted, as any Storage's list is",
                tiers.list(),
                contains("000003.sst", "000009.sst", "CURRENT"));
        assertThat("an archived file reads like any other", read(tiers, "000003.sst"), equalTo(bytes("old table")));
        assertThat(tiers.size("000003.sst"), is(9L));
        assertThat(tiers.locate("missing"), is(Optional.empty()));
    }

    @Test
    void moveToArchiveLeavesExactlyOneCompleteCopyInTheArchive() throws IOException {
        TieredStorage tiers = open();
        byte[] content = randomBytes(200_000, 7);
        write(tiers, "000005.sst", content);
        assertThat("the move reports that it moved the file", tiers.moveToArchive("000005.sst"), is(true));
        assertThat("the fast copy is deleted", fast.exists("000005.sst"), is(false));
        assertThat("the archive holds the file under its own name", archiveDisk.exists("000005.sst"), is(true));
        assertThat(
                "the archive's copy is forced: a power loss keeps it whole",
                archiveDisk.durableContents("000005.sst"),
                equalTo(content));
        assertThat("no temporary copy is left", archiveDisk.list(), contains("000005.sst"));
        assertThat(tiers.locate("000005.sst"), is(Optional.of(Location.ARCHIVE)));
        assertThat("the engines still see the file by its name", read(tiers, "000005.sst"), equalTo(content));
        assertThat("moving an archived file again does nothing", tiers.moveToArchive("000005.sst"), is(false));
        assertThrows(NoSuchFileException.class, () -> tiers.moveToArchive("000006.sst"), "a file that does not exist");
        assertThat(tiers.report().moves(), is(1L));
        assertThat(tiers.report().bytesMoved(), is(200_000L));
    }

    @Test
    void readsOfAnArchivedFileGoThroughTheSlowDeviceAndAreCounted() throws IOException {
        TieredStorage tiers = open();
        write(tiers, "000005.sst", randomBytes(10_000, 8));
        tiers.moveToArchive("000005.sst");
        long readsBefore = archive.readCalls();
        long t0 = ticker.read();
        try (ReadableFile f = tiers.openRead("000005.sst")) {
            f.readFully(4096, 100);
        }
        assertThat("a read of an archived file is a request to the archive", archive.readCalls(), is(readsBefore + 1));
        assertThat(
                "and costs the object store's time to first byte (30 ms on the fake clock)",
                ticker.read() - t0,
                greaterThan(30_000_000L));
    }

    @Test
    void anOpenReaderFollowsItsFileIntoTheArchive() throws IOException {
        TieredStorage tiers = open();
        byte[] content = randomBytes(50_000, 9);
        write(tiers, "000005.sst", content);
        try (ReadableFile f = tiers.openRead("000005.sst")) {
            assertThat(f.readFully(0, 100), equalTo(Arrays.copyOf(content, 100)));
            tiers.moveToArchive("000005.sst");
            long readsBefore = archive.readCalls();
            assertThat(
                    "a table the LSM tree opened before the move reads the same bytes after it",
                    f.readFully(40_000, 100),
                    equalTo(Arrays.copyOfRange(content, 40_000, 40_100)));
            assertThat(
                    "from the archive: the open handle switched to the archive's copy, so the fast copy's"
                            + " space is really freed",
                    archive.readCalls(),
                    greaterThan(readsBefore));
        }
    }

    // ---------------------------------------------------------------- recovery

    @Test
    void openDeletesALeftoverCopyAndKeepsTheFastFile() throws IOException {
        fast.plant("000005.sst", bytes("the table"));
        archiveDisk.plant("000005.sst" + TieredStorage.ARCHIVING_SUFFIX, bytes("the ta"));
        TieredStorage tiers = open();
        assertThat("a copy whose rename never happened is garbage", archiveDisk.list(), is(empty()));
        assertThat("the fast copy is the file", read(tiers, "000005.sst"), equalTo(bytes("the table")));
        assertThat(tiers.list(), contains("000005.sst"));
    }

    @Test
    void openKeepsTheArchiveCopyOfAFileFoundInBothTiers() throws IOException {
        fast.plant("000005.sst", bytes("the table"));
        archiveDisk.plant("000005.sst", bytes("the table"));
        TieredStorage tiers = open();
        assertThat(
                "a move crashed between the archive's rename and the fast delete: the archive's copy was"
                        + " forced before its rename, the fast one is the duplicate",
                fast.exists("000005.sst"),
                is(false));
        assertThat(archiveDisk.list(), contains("000005.sst"));
        assertThat(tiers.locate("000005.sst"), is(Optional.of(Location.ARCHIVE)));
        fast.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        assertThat("recovery's own delete is synced", fast.exists("000005.sst"), is(false));
    }

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void aCrashBeforeAnyStepOfAMoveLeavesExactlyOneCompleteCopy(CrashMode mode) throws IOException {
        byte[] content = randomBytes(150_000, 10);
        for (boolean crashFast : new boolean[] {false, true}) {
            for (int n = 1; ; n++) {
                FaultInjectingStorage f = new FaultInjectingStorage(n);
                FaultInjectingStorage a = new FaultInjectingStorage(n + 1000);
                TieredStorage tiers = TieredStorage.open(f, a, ticker);
                write(tiers, "000005.sst", content);
                (crashFast ? f : a).crashBeforeMutation(n);
                boolean crashed = false;
                try {
                    tiers.moveToArchive("000005.sst");
                } catch (FaultInjectingStorage.PowerLossException e) {
                    crashed = true;
                }
                f.crashMode(mode).powerLoss();
                a.crashMode(mode).powerLoss();
                TieredStorage reopened = TieredStorage.open(f, a, ticker);
                String where = (crashFast ? "fast" : "archive") + " crash before mutation " + n + ", " + mode;
                assertThat(where + ": the file is visible once", reopened.list(), contains("000005.sst"));
                assertThat(where + ": in exactly one tier", f.exists("000005.sst") != a.exists("000005.sst"), is(true));
                assertThat(
                        where + ": no temporary copy is left",
                        a.exists("000005.sst" + TieredStorage.ARCHIVING_SUFFIX),
                        is(false));
                assertThat(where + ": complete", Arrays.equals(read(reopened, "000005.sst"), content), is(true));
                if (!crashed) {
                    break; // the move ran to its end: every crash point was tried
                }
            }
        }
    }

    // ---------------------------------------------------------------- what moves, and races

    @Test
    void archiveOlderThanMovesEligibleOldFilesOldestFirst() throws IOException {
        TieredStorage tiers = open();
        write(tiers, "000007.sst", bytes("b"));
        ticker.advance(Duration.ofMinutes(1));
        write(tiers, "000004.sst", bytes("a"));
        write(tiers, "000002.log", bytes("log"));
        ticker.advance(Duration.ofMinutes(1));
        write(tiers, "000009.sst", bytes("young"));
        ticker.advance(Duration.ofSeconds(30));
        assertThat(
                "files at least a minute old that the predicate accepts, oldest first: 000007 was written a"
                        + " minute before 000004, whatever their names; the log is not a table, 000009 is too young",
                tiers.archiveOlderThan(Duration.ofMinutes(1), TieredStorage.lsmTables()),
                contains("000007.sst", "000004.sst"));
        assertThat(tiers.locate("000002.log"), is(Optional.of(Location.FAST)));
        assertThat(tiers.locate("000009.sst"), is(Optional.of(Location.FAST)));
        ticker.advance(Duration.ofSeconds(30));
        assertThat(
                "exactly one minute old counts as old enough",
                tiers.archiveOlderThan(Duration.ofMinutes(1), TieredStorage.lsmTables()),
                contains("000009.sst"));
        assertThat(
                "nothing left to move", tiers.archiveOlderThan(Duration.ZERO, TieredStorage.lsmTables()), is(empty()));
    }

    @Test
    void aFileBeingWrittenIsNeverMoved() throws IOException {
        TieredStorage tiers = open();
        try (WritableFile w = tiers.create("000005.sst")) {
            w.append(bytes("half a table"));
            ticker.advance(Duration.ofHours(1));
            assertThat("its writer is still open", tiers.moveToArchive("000005.sst"), is(false));
            assertThat(tiers.archiveOlderThan(Duration.ZERO, name -> true), is(empty()));
            w.force();
        }
        assertThat("once closed, it may move", tiers.moveToArchive("000005.sst"), is(true));
    }

    @Test
    void aMoveRacingADeleteOfItsFileDropsItsCopy() throws IOException {
        TieredStorage[] tiers = new TieredStorage[1];
        // The archive's create of the temporary copy is the moment the move copies outside the lock:
        // a compaction deletes the table then.
        Storage racingArchive = new ForwardingStorage(archive) {
            @Override
            public WritableFile create(String name) throws IOException {
                if (name.endsWith(TieredStorage.ARCHIVING_SUFFIX)) {
                    tiers[0].delete("000005.sst");
                }
                return super.create(name);
            }
        };
        tiers[0] = TieredStorage.open(fast, racingArchive, ticker);
        write(tiers[0], "000005.sst", bytes("a table a compaction deletes"));
        assertThat(
                "the file was deleted while it was copied: the move must not publish its copy",
                tiers[0].moveToArchive("000005.sst"),
                is(false));
        assertThat("the deleted file must not come back in the archive", archiveDisk.list(), is(empty()));
        assertThat(tiers[0].list(), is(empty()));
        fast.powerLoss();
        archiveDisk.powerLoss();
        assertThat(
                "nor after a crash and a reopen",
                TieredStorage.open(fast, archive, ticker).list(),
                is(empty()));
    }

    @Test
    void aDeleteOfAnArchivedFileSurvivesAPowerLoss() throws IOException {
        TieredStorage tiers = open();
        write(tiers, "000005.sst", bytes("t"));
        tiers.moveToArchive("000005.sst");
        tiers.delete("000005.sst");
        fast.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        archiveDisk.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        assertThat(
                "a delete in the archive is durable when it returns, as an object store's DELETE is",
                TieredStorage.open(fast, archive, ticker).list(),
                is(empty()));
    }

    // ---------------------------------------------------------------- the Storage contract

    @Test
    void itKeepsTheStorageContractForFilesInEitherTier() throws IOException {
        TieredStorage tiers = open();
        write(tiers, "a", bytes("0123456789"));
        write(tiers, "b", bytes("bbb"));
        tiers.moveToArchive("a");
        assertThrows(FileAlreadyExistsException.class, () -> tiers.create("a"), "create of an archived name");
        assertThrows(NoSuchFileException.class, () -> tiers.openRead("missing"));
        assertThrows(NoSuchFileException.class, () -> tiers.openAppend("missing"));
        assertThrows(NoSuchFileException.class, () -> tiers.size("missing"));
        assertThrows(NoSuchFileException.class, () -> tiers.delete("missing"));
        try (WritableFile w = tiers.openAppend("a")) {
            w.writeAt(2, bytes("ab"));
            w.append(bytes("XY"));
            w.force();
        }
        assertThat(
                "an archived file is written where it lives", read(archiveDisk, "a"), equalTo(bytes("01ab456789XY")));
        tiers.truncate("a", 4);
        assertThat(read(tiers, "a"), equalTo(bytes("01ab")));
        tiers.rename("a", "b");
        assertThat("an archived file renamed onto a fast one replaces it", tiers.list(), contains("b"));
        assertThat(read(tiers, "b"), equalTo(bytes("01ab")));
        assertThat("in the archive, with the fast target gone", fast.exists("b"), is(false));
        write(tiers, "c", bytes("c"));
        IOException across = assertThrows(IOException.class, () -> tiers.rename("c", "b"));
        assertThat("the refusal says why", across.getMessage(), containsString("archived"));
        tiers.rename("c", "d");
        assertThat(tiers.list(), contains("b", "d"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> tiers.create("../x"));
        assertThat(bad.getMessage(), containsString("file name must"));
        assertThrows(
                IllegalArgumentException.class,
                () -> tiers.create("x" + TieredStorage.ARCHIVING_SUFFIX),
                "the temporary suffix is reserved");
        tiers.delete("b");
        assertThat(tiers.list(), contains("d"));
        assertThat(tiers.describe("d"), containsString("d"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void onDiskTheArchivedFilesAreInTheArchiveDirectory(boolean reopen, @TempDir Path dir) throws IOException {
        TieredStorage tiers = TieredStorage.open(
                DiskStorage.open(dir.resolve("fast")), DiskStorage.open(dir.resolve("archive")), ticker);
        byte[] content = randomBytes(100_000, 11);
        write(tiers, "000005.sst", content);
        tiers.moveToArchive("000005.sst");
        if (reopen) {
            tiers = TieredStorage.open(
                    DiskStorage.open(dir.resolve("fast")), DiskStorage.open(dir.resolve("archive")), ticker);
        }
        assertThat(dir.resolve("archive").resolve("000005.sst").toFile().length(), is(100_000L));
        assertThat(dir.resolve("fast").resolve("000005.sst").toFile().exists(), is(false));
        assertThat(read(tiers, "000005.sst"), equalTo(content));
    }

    // ---------------------------------------------------------------- the LSM tree on top, and the bill

    @Test
    void anLsmTreeOverTieredStorageReadsItsArchivedTablesAfterAReopen() throws IOException {
        TieredStorage tiers = open();
        LsmStore lsm = LsmStore.open(tiers, LsmOptions.tiny());
        for (int i = 0; i < 600; i++) {
            lsm.put(Bytes.of(String.format("order%05d", i)), Bytes.of("v" + i + "-" + "x".repeat(40)));
            if (i % 100 == 99) {
                ticker.advance(Duration.ofHours(1));
                tiers.archiveOlderThan(Duration.ofHours(2), TieredStorage.lsmTables());
            }
        }
        lsm.close();
        assertThat("old tables moved", tiers.report().archiveFiles(), greaterThan(0L));
        assertThat(
                "no log, MANIFEST or CURRENT is archived",
                archiveDisk.list().stream().allMatch(n -> n.endsWith(".sst")),
                is(true));
        TieredStorage reopened = open();
        long readsBefore = archive.readCalls();
        LsmStore again = LsmStore.open(reopened, LsmOptions.tiny().withBlockCacheBytes(0));
        for (int i = 0; i < 600; i++) {
            assertThat(
                    "order " + i,
                    again.get(Bytes.of(String.format("order%05d", i))),
                    is(Optional.of(Bytes.of("v" + i + "-" + "x".repeat(40)))));
        }
        assertThat("reads of archived tables went to the archive", archive.readCalls(), greaterThan(readsBefore));
        again.close();
    }

    @Test
    void theReportCountsBytesPerTierAndTheBillPricesThem() throws IOException {
        TieredStorage tiers = open();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            names.add(String.format("%06d.sst", i));
            write(tiers, names.get(i - 1), new byte[1000 * i]);
        }
        tiers.moveToArchive(names.get(0));
        tiers.moveToArchive(names.get(2));
        TierReport r = tiers.report();
        assertThat(r.fastFiles(), is(2L));
        assertThat(r.fastBytes(), is(2000L + 4000L));
        assertThat(r.archiveFiles(), is(2L));
        assertThat(r.archiveBytes(), is(1000L + 3000L));
        assertThat("the moves' copies were written to the archive", r.archiveBytesWritten(), is(4000L));

        TierCosts costs = TierCosts.gp3AndS3InfrequentAccess();
        TierCosts.Bill bill = costs.monthly(r);
        assertThat(
                "the fast tier's bytes at gp3's $0.08 per GB-month",
                bill.fastStorage(),
                closeTo(6000 / TierCosts.GB * 0.08, 1e-15));
        assertThat(
                "the archive's bytes at S3-IA's $0.0125",
                bill.archiveStorage(),
                closeTo(4000 / TierCosts.GB * 0.0125, 1e-15));
        long gib = 1L << 30;
        TierReport terabyte =
                new TierReport(10, 100 * gib, 90, 900 * gib, 2_000_000, 50_000, 10 * gib, 900 * gib, 90, 900 * gib, 0);
        TierCosts.Bill month = costs.monthly(terabyte);
        assertThat("100 GB on gp3 at $0.08", month.fastStorage(), closeTo(8.0, 1e-9));
        assertThat("900 GB on S3-IA at $0.0125", month.archiveStorage(), closeTo(11.25, 1e-9));
        assertThat(
                "2M GETs at $0.001/1000 + 50k PUTs at $0.01/1000 + 10 GB retrieved at $0.01",
                month.requests(),
                closeTo(2.0 + 0.5 + 0.1, 1e-9));
        assertThat("the same terabyte all on gp3", costs.allFastMonthly(terabyte), closeTo(80.0, 1e-9));
        assertThat(terabyte.archivedFraction(), closeTo(0.9, 1e-12));
    }
}
