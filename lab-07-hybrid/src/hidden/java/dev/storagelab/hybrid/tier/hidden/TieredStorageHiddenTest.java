package dev.storagelab.hybrid.tier.hidden;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.hybrid.tier.LatencyInjectingStorage;
import dev.storagelab.hybrid.tier.TierReport;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.hybrid.tier.TieredStorage.Location;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.LsmFileNames;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-07 T7, the archive tier: an LSM tree over a {@link TieredStorage} with its
 * tables archived while it writes, flushes and compacts, crashed before every file operation of
 * the fast tier and of the archive in every power-loss mode (every acknowledged write readable with
 * its newest value, nothing deleted back); moves of many files crashed at every step, and crashes
 * during open's recovery; moves racing deletes, renames, rewrites and readers, deterministic and
 * with threads; open readers following their file into the archive, counted there; what
 * {@code archiveOlderThan} selects.
 */
@Tag("hidden")
class TieredStorageHiddenTest {

    private static final String TEMP = TieredStorage.ARCHIVING_SUFFIX;

    private static LatencyInjectingStorage slow(Storage disk, FakeTicker ticker) {
        return new LatencyInjectingStorage(disk, DeviceModel.objectStore(), ticker::advance);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
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

    /** Arrays.equals: Hamcrest's equalTo compares arrays element by element through reflection, far slower on 200 KB. */
    private static void assertSameBytes(String what, byte[] actual, byte[] expected) {
        assertThat(
                what + " (" + actual.length + " bytes, expected " + expected.length + ")",
                Arrays.equals(actual, expected),
                is(true));
    }

    /** Every name is in exactly one tier, and no temporary copy is left: what open promises. */
    private static void checkOneCopyEach(FaultInjectingStorage fast, FaultInjectingStorage archive, String when)
            throws IOException {
        for (String name : archive.list()) {
            assertThat(when + ": open left the temporary copy " + name, name.endsWith(TEMP), is(false));
            assertThat(when + ": open left " + name + " in both tiers", fast.exists(name), is(false));
        }
    }

    // ---------------------------------------------------------------- an LSM tree on the tiers, crashed

    private static final int OPS = 240;
    private static final int KEYS = 50;

    /** What was acknowledged, and the one operation in flight at the crash (null value: a delete). */
    static final class Model {
        final TreeMap<Integer, String> acked = new TreeMap<>();
        Integer inflightKey;
        String inflightValue;
        int moves;
    }

    private static Bytes key(int k) {
        return Bytes.of(String.format("order-%04d", k));
    }

    /**
     * Puts and deletes (forced one by one) on an LSM tree with tiny memtables over the tiers, with
     * every table at least two simulated minutes old archived every 20 operations: flushes, moves
     * and compactions (which read and delete archived tables) interleave.
     */
    private static Model runLsm(FaultInjectingStorage fast, FaultInjectingStorage archive) throws IOException {
        Model model = new Model();
        FakeTicker ticker = new FakeTicker();
        SplittableRandom random = new SplittableRandom(42);
        try {
            TieredStorage tiers = TieredStorage.open(fast, slow(archive, ticker), ticker);
            LsmStore lsm = LsmStore.open(tiers, LsmOptions.tiny().withSyncWrites(true));
            for (int i = 0; i < OPS; i++) {
                int k = random.nextInt(KEYS);
                boolean delete = random.nextInt(5) == 0;
                String value = delete ? null : "op" + i + "-" + "v".repeat(120);
                model.inflightKey = k;
                model.inflightValue = value;
                if (delete) {
                    lsm.delete(key(k));
                    model.acked.remove(k);
                } else {
                    lsm.put(key(k), Bytes.of(value));
                    model.acked.put(k, value);
                }
                model.inflightKey = null;
                if (i % 20 == 19) {
                    ticker.advance(Duration.ofMinutes(1));
                    model.moves += tiers.archiveOlderThan(Duration.ofMinutes(2), TieredStorage.lsmTables())
                            .size();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            if (!fast.isCrashed() && !archive.isCrashed()) {
                throw e;
            }
        }
        return model;
    }

    private static void checkLsm(FaultInjectingStorage fast, FaultInjectingStorage archive, Model model, String when)
            throws IOException {
        FakeTicker ticker = new FakeTicker();
        TieredStorage tiers = TieredStorage.open(fast, slow(archive, ticker), ticker);
        checkOneCopyEach(fast, archive, when);
        try (LsmStore lsm = LsmStore.open(tiers, LsmOptions.tiny().withSyncWrites(true))) {
            for (int k = 0; k < KEYS; k++) {
                Optional<Bytes> got = lsm.get(key(k));
                Optional<Bytes> acked = Optional.ofNullable(model.acked.get(k)).map(Bytes::of);
                if (model.inflightKey != null && model.inflightKey == k) {
                    Optional<Bytes> inflight =
                            Optional.ofNullable(model.inflightValue).map(Bytes::of);
                    assertThat(
                            when + ": " + key(k) + " must hold its last acknowledged value or the one in flight",
                            got.equals(acked) || got.equals(inflight),
                            is(true));
                } else {
                    assertThat(
                            when + ": " + key(k)
                                    + (acked.isEmpty()
                                            ? " was deleted (or never written) and came back"
                                            : " lost its newest acknowledged value"),
                            got,
                            equalTo(acked));
                }
            }
        }
    }

    private static long sweepLsm(boolean crashFast, CrashMode mode, int step) throws IOException {
        FaultInjectingStorage dryFast = new FaultInjectingStorage(1);
        FaultInjectingStorage dryArchive = new FaultInjectingStorage(2);
        Model dry = runLsm(dryFast, dryArchive);
        assertThat("the workload archives tables", dry.moves, greaterThan(3));
        long total = (crashFast ? dryFast : dryArchive).mutationCount();
        long points = 0;
        for (long n = 1; n <= total; n += step) {
            FaultInjectingStorage fast = new FaultInjectingStorage(n).crashMode(mode);
            FaultInjectingStorage archive = new FaultInjectingStorage(n + 7).crashMode(mode);
            (crashFast ? fast : archive).crashBeforeMutation(n);
            Model model = runLsm(fast, archive);
            fast.powerLoss();
            archive.powerLoss();
            checkLsm(
                    fast,
                    archive,
                    model,
                    (crashFast ? "fast tier" : "archive") + " crash before mutation " + n + " of " + total + ", "
                            + mode);
            points++;
        }
        return points;
    }

    @Test
    @Graded(
            task = "T7",
            points = 6,
            concept = "a power loss in the fast tier while an LSM tree flushes, compacts and archives its "
                    + "tables loses an acknowledged write, brings a deleted key back, or leaves a table in both tiers")
    void aPowerLossBeforeAnyFastFileOperationKeepsEveryAcknowledgedWrite() throws IOException {
        long points = sweepLsm(true, CrashMode.RANDOM, 1) + sweepLsm(true, CrashMode.LOSE_UNSYNCED, 3);
        System.out.println("[tiers: LSM over the tiers, fast tier crashed] " + points + " crash points");
    }

    @Test
    @Graded(
            task = "T7",
            points = 6,
            concept =
                    "a power loss in the archive during a move or a compaction of archived tables loses "
                            + "an acknowledged write or a table (its copy was not forced before the rename, or the fast copy went first)")
    void aPowerLossBeforeAnyArchiveFileOperationKeepsEveryAcknowledgedWrite() throws IOException {
        long points = 0;
        for (CrashMode mode : CrashMode.values()) {
            points += sweepLsm(false, mode, 1);
        }
        System.out.println("[tiers: LSM over the tiers, archive crashed] " + points + " crash points");
    }

    // ---------------------------------------------------------------- moves crashed, recovery crashed

    @Test
    @Graded(
            task = "T7",
            points = 5,
            concept = "a crash at some step of moving files to the archive leaves a file in both tiers, "
                    + "in neither, or incomplete, or open cannot recover from a crash during its own recovery")
    void aCrashAtEveryStepOfManyMovesAndOfRecoveryLeavesOneCompleteCopyEach() throws IOException {
        // Sizes: empty, under a chunk, exactly a chunk, several chunks with a tail.
        int[] sizes = {0, 700, 64 << 10, (64 << 10) * 3 + 17};
        long points = 0;
        for (CrashMode mode : CrashMode.values()) {
            for (boolean crashFast : new boolean[] {true, false}) {
                for (int n = 1; ; n++) {
                    FaultInjectingStorage fast = new FaultInjectingStorage(n).crashMode(mode);
                    FaultInjectingStorage archive = new FaultInjectingStorage(n + 99).crashMode(mode);
                    FakeTicker ticker = new FakeTicker();
                    TieredStorage tiers = TieredStorage.open(fast, archive, ticker);
                    for (int i = 0; i < sizes.length; i++) {
                        write(tiers, LsmFileNames.table(i + 1), randomBytes(sizes[i], i));
                    }
                    (crashFast ? fast : archive).crashBeforeMutation(n);
                    boolean crashed = false;
                    try {
                        tiers.archiveOlderThan(Duration.ZERO, name -> true);
                    } catch (IOException e) {
                        crashed = true;
                    }
                    fast.powerLoss();
                    archive.powerLoss();
                    String when = (crashFast ? "fast" : "archive") + " crash before mutation " + n + ", " + mode;
                    // A crash during recovery too: before each of its first operations, then recover again.
                    for (int r = 1; r <= 3; r++) {
                        (r % 2 == 1 ? archive : fast).crashBeforeMutation(r);
                        try {
                            TieredStorage.open(fast, archive, ticker);
                        } catch (IOException e) {
                            // the crash during recovery
                        }
                        fast.powerLoss();
                        archive.powerLoss();
                    }
                    TieredStorage reopened = TieredStorage.open(fast, archive, ticker);
                    checkOneCopyEach(fast, archive, when);
                    List<String> expected = new ArrayList<>();
                    for (int i = 0; i < sizes.length; i++) {
                        expected.add(LsmFileNames.table(i + 1));
                    }
                    assertThat(when + ": every file visible once", reopened.list(), equalTo(expected));
                    for (int i = 0; i < sizes.length; i++) {
                        assertSameBytes(
                                when + ": " + expected.get(i) + " complete",
                                read(reopened, expected.get(i)),
                                randomBytes(sizes[i], i));
                    }
                    points++;
                    if (!crashed) {
                        // the moves ran to their end: every file is in the archive (files that never
                        // move keep every rule above)
                        for (String name : expected) {
                            assertThat(when + ", no crash: " + name + " archived", archive.exists(name), is(true));
                        }
                        break;
                    }
                }
            }
        }
        System.out.println("[tiers: moves of " + sizes.length + " files] " + points + " crash points");
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "open does not recover an interrupted move: a leftover .archiving copy is kept or "
                    + "listed, a file found in both tiers keeps the fast copy, or recovery's deletes are not synced")
    void openResolvesEveryLeftoverOfAnInterruptedMoveDurably() throws IOException {
        FaultInjectingStorage fast = new FaultInjectingStorage(5);
        FaultInjectingStorage archive = new FaultInjectingStorage(6);
        fast.plant("000001.sst", randomBytes(3000, 1));
        archive.plant("000001.sst" + TEMP, Arrays.copyOf(randomBytes(3000, 1), 1000));
        fast.plant("000002.sst", randomBytes(100, 9)); // a stale fast copy: the archive's is the file
        archive.plant("000002.sst", randomBytes(2000, 2));
        archive.plant("000003.sst", randomBytes(500, 3));
        fast.plant("CURRENT", "MANIFEST-000004\n".getBytes(UTF_8));
        FakeTicker ticker = new FakeTicker();
        TieredStorage tiers = TieredStorage.open(fast, archive, ticker);
        assertThat(tiers.list(), contains("000001.sst", "000002.sst", "000003.sst", "CURRENT"));
        assertThat(tiers.locate("000001.sst"), is(Optional.of(Location.FAST)));
        assertThat(tiers.locate("000002.sst"), is(Optional.of(Location.ARCHIVE)));
        assertThat(
                "a file in both tiers: the archive's copy was forced before its rename",
                read(tiers, "000002.sst"),
                equalTo(randomBytes(2000, 2)));
        assertThat(read(tiers, "000001.sst"), equalTo(randomBytes(3000, 1)));
        fast.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        archive.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        checkOneCopyEach(fast, archive, "after open and a power loss that keeps nothing unsynced");
        assertThat("recovery's deletes are made durable", fast.list(), contains("000001.sst", "CURRENT"));
        assertThat(archive.list(), contains("000002.sst", "000003.sst"));
    }

    // ---------------------------------------------------------------- races

    /** An archive that runs {@code hook} when a move creates its temporary copy: while the move copies, outside any lock. */
    private static Storage racing(Storage archive, Consumer<String> hook) {
        return new ForwardingStorage(archive) {
            @Override
            public WritableFile create(String name) throws IOException {
                if (name.endsWith(TEMP)) {
                    hook.accept(name.substring(0, name.length() - TEMP.length()));
                }
                return super.create(name);
            }
        };
    }

    private interface Change {
        void apply(TieredStorage tiers, String name) throws IOException;
    }

    @Test
    @Graded(
            task = "T7",
            points = 5,
            concept = "a move racing a delete, rename or rewrite of its file publishes a stale or deleted "
                    + "copy (a deleted table comes back, or a rewritten file loses its new bytes), or blocks the change for the "
                    + "whole copy")
    void aMoveRacingAChangeOfItsFileNeverPublishesAStaleCopy() throws IOException {
        byte[] content = randomBytes(150_000, 4);
        Map<String, Change> changes = new TreeMap<>();
        changes.put("delete", (t, n) -> t.delete(n));
        changes.put("rename", (t, n) -> t.rename(n, "000099.sst"));
        changes.put("truncate", (t, n) -> {
            t.truncate(n, 10);
            try (WritableFile w = t.openAppend(n)) {
                w.force(); // a truncate is durable once the file is forced
            }
        });
        changes.put("append", (t, n) -> {
            try (WritableFile w = t.openAppend(n)) {
                w.append("appended".getBytes(UTF_8));
                w.force();
            }
        });
        for (Map.Entry<String, Change> c : changes.entrySet()) {
            FaultInjectingStorage fast = new FaultInjectingStorage(1);
            FaultInjectingStorage archive = new FaultInjectingStorage(2);
            FakeTicker ticker = new FakeTicker();
            TieredStorage[] tiers = new TieredStorage[1];
            AtomicBoolean ran = new AtomicBoolean();
            tiers[0] = TieredStorage.open(
                    fast,
                    racing(archive, name -> {
                        try {
                            c.getValue().apply(tiers[0], name); // must not wait for the move: the copy holds no lock
                            ran.set(true);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }),
                    ticker);
            write(tiers[0], "000005.sst", content);
            TreeMap<String, byte[]> expected = new TreeMap<>();
            boolean moved = tiers[0].moveToArchive("000005.sst");
            assertThat(c.getKey() + " during the copy ran", ran.get(), is(true));
            assertThat(
                    "a " + c.getKey() + " during the copy makes the copy stale: the move must drop it",
                    moved,
                    is(false));
            switch (c.getKey()) {
                case "delete" -> {}
                case "rename" -> expected.put("000099.sst", content);
                case "truncate" -> expected.put("000005.sst", Arrays.copyOf(content, 10));
                default -> {
                    byte[] longer = Arrays.copyOf(content, content.length + 8);
                    System.arraycopy("appended".getBytes(UTF_8), 0, longer, content.length, 8);
                    expected.put("000005.sst", longer);
                }
            }
            for (CrashMode mode : new CrashMode[] {CrashMode.KEEP_UNSYNCED, CrashMode.LOSE_UNSYNCED}) {
                tiers[0].syncDirectory();
                fast.crashMode(mode).powerLoss();
                archive.crashMode(mode).powerLoss();
                TieredStorage reopened = TieredStorage.open(fast, archive, ticker);
                checkOneCopyEach(fast, archive, c.getKey() + ", " + mode);
                assertThat(
                        c.getKey() + " during a move, then a power loss (" + mode + ")",
                        reopened.list(),
                        equalTo(new ArrayList<>(expected.keySet())));
                for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                    assertSameBytes(c.getKey() + ": " + e.getKey(), read(reopened, e.getKey()), e.getValue());
                }
                tiers[0] = reopened;
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "moves racing an LSM tree's own flushes and compactions on other threads lose a "
                    + "table, resurrect a deleted one, or fail the tree")
    void movesRacingBackgroundCompactionsLoseNothing() throws Exception {
        FaultInjectingStorage fast = new FaultInjectingStorage(3);
        FaultInjectingStorage archive = new FaultInjectingStorage(4);
        FakeTicker ticker = new FakeTicker();
        TieredStorage tiers = TieredStorage.open(fast, slow(archive, ticker), ticker);
        LsmStore lsm = LsmStore.open(tiers, LsmOptions.tiny().withBackgroundWork(true));
        ConcurrentHashMap<Integer, String> model = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        long moved;
        try {
            Future<Long> archiver = pool.submit(() -> {
                long n = 0;
                while (!done.get()) {
                    n += tiers.archiveOlderThan(Duration.ZERO, TieredStorage.lsmTables())
                            .size();
                    Thread.yield();
                }
                return n;
            });
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 4000; i++) {
                    int k = i * 7919 % 700;
                    String v = "w" + i + "-" + "p".repeat(60);
                    lsm.put(key(k), Bytes.of(v));
                    model.put(k, v);
                }
                return null;
            });
            writer.get(120, TimeUnit.SECONDS);
            done.set(true);
            moved = archiver.get(120, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertThat("tables were archived while the tree compacted", moved, greaterThan(0L));
        for (Map.Entry<Integer, String> e : model.entrySet()) {
            assertThat("live, " + key(e.getKey()), lsm.get(key(e.getKey())), is(Optional.of(Bytes.of(e.getValue()))));
        }
        lsm.close();
        checkOneCopyEach(fast, archive, "after the run");
        TieredStorage reopened = TieredStorage.open(fast, slow(archive, ticker), ticker);
        try (LsmStore again = LsmStore.open(reopened, LsmOptions.tiny())) {
            for (Map.Entry<Integer, String> e : model.entrySet()) {
                assertThat(
                        "reopened, " + key(e.getKey()),
                        again.get(key(e.getKey())),
                        is(Optional.of(Bytes.of(e.getValue()))));
            }
        }
    }

    // ---------------------------------------------------------------- readers, selection

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept =
                    "a table the LSM tree has open keeps being read from the fast tier after its move "
                            + "(the fast copy's space is never freed, the archive's reads are never counted), or a reader fails")
    void openTablesFollowTheirFilesAndTheirReadsAreCountedByTheArchive() throws IOException {
        FaultInjectingStorage fast = new FaultInjectingStorage(3);
        FaultInjectingStorage archiveDisk = new FaultInjectingStorage(4);
        FakeTicker ticker = new FakeTicker();
        LatencyInjectingStorage archive = slow(archiveDisk, ticker);
        TieredStorage tiers = TieredStorage.open(fast, archive, ticker);
        try (LsmStore lsm = LsmStore.open(tiers, LsmOptions.tiny().withBlockCacheBytes(0))) {
            for (int i = 0; i < 400; i++) {
                lsm.put(key(i), Bytes.of("value-" + i + "-" + "z".repeat(50)));
            }
            lsm.flush();
            for (int i = 0; i < 400; i++) {
                lsm.get(key(i)); // every table is open now
            }
            List<String> moved = tiers.archiveOlderThan(Duration.ZERO, TieredStorage.lsmTables());
            assertThat(moved.isEmpty(), is(false));
            assertThat(
                    "no table is left in the fast tier",
                    fast.list().stream().anyMatch(TieredStorage.lsmTables()),
                    is(false));
            long before = archive.readCalls();
            for (int i = 0; i < 400; i++) {
                assertThat(lsm.get(key(i)), is(Optional.of(Bytes.of("value-" + i + "-" + "z".repeat(50)))));
            }
            TierReport report = tiers.report();
            assertThat(
                    "gets of the tables opened before the move are requests to the archive",
                    report.archiveReadCalls() - before,
                    greaterThan(100L));
            assertThat(report.fastFiles() + report.archiveFiles(), is((long)
                    tiers.list().size()));
            assertThat(report.archiveFiles(), is((long) moved.size()));
        }

        // A reader that opens while the move copies (outside the lock) follows the file too.
        FaultInjectingStorage fast2 = new FaultInjectingStorage(5);
        LatencyInjectingStorage archive2 = slow(new FaultInjectingStorage(6), ticker);
        TieredStorage[] racingTiers = new TieredStorage[1];
        ReadableFile[] opened = new ReadableFile[1];
        racingTiers[0] = TieredStorage.open(
                fast2,
                racing(archive2, name -> {
                    try {
                        opened[0] = racingTiers[0].openRead(name);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }),
                ticker);
        byte[] content = randomBytes(70_000, 12);
        write(racingTiers[0], "000007.sst", content);
        assertThat(
                "a reader opening during the copy does not stop the move",
                racingTiers[0].moveToArchive("000007.sst"),
                is(true));
        long before = archive2.readCalls();
        try (ReadableFile r = opened[0]) {
            assertSameBytes("the reader opened during the copy", r.readFully(0, content.length), content);
        }
        assertThat("it reads the archive's copy: the fast one is deleted", archive2.readCalls(), greaterThan(before));
        assertThat(fast2.list(), is(empty()));
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "archiveOlderThan moves the wrong files: too young, not eligible, being written, "
                    + "not oldest first, or it reports files it did not move")
    void archiveOlderThanSelectsByAgeEligibilityAndOrder() throws IOException {
        FaultInjectingStorage fast = new FaultInjectingStorage(3);
        FaultInjectingStorage archive = new FaultInjectingStorage(4);
        fast.plant("000050.sst", new byte[10]); // found at open: as old as the open
        FakeTicker ticker = new FakeTicker();
        ticker.advance(Duration.ofDays(3));
        TieredStorage tiers = TieredStorage.open(fast, archive, ticker);
        ticker.advance(Duration.ofMinutes(10));
        write(tiers, "000030.sst", new byte[10]);
        ticker.advance(Duration.ofMinutes(10));
        write(tiers, "000020.sst", new byte[10]);
        write(tiers, "000010.sst", new byte[10]); // same age as 000020: ties by name
        write(tiers, "000011.log", new byte[10]);
        ticker.advance(Duration.ofMinutes(10));
        WritableFile open = tiers.create("000005.sst");
        ticker.advance(Duration.ofMinutes(10));
        write(tiers, "000040.sst", new byte[10]);
        tiers.rename("000040.sst", "000041.sst");
        ticker.advance(Duration.ofMinutes(5));
        // Ages now: 000050 45 min, 000030 35, 000020 and 000010 25, 000011.log 25, 000005 (open) 15, 000041 5.
        assertThat(tiers.age("000050.sst"), is(Duration.ofMinutes(45)));
        assertThat(
                "nothing moves yet",
                tiers.candidatesForArchive(Duration.ofMinutes(46), TieredStorage.lsmTables()),
                is(empty()));
        assertThat(
                tiers.candidatesForArchive(Duration.ofMinutes(25), TieredStorage.lsmTables()),
                contains("000050.sst", "000030.sst", "000010.sst", "000020.sst"));
        assertThat(
                "a predicate that refuses 000030",
                tiers.archiveOlderThan(
                        Duration.ofMinutes(25), n -> TieredStorage.lsmTables().test(n) && !n.equals("000030.sst")),
                contains("000050.sst", "000010.sst", "000020.sst"));
        assertThat(
                "a file with a writer open is skipped, already archived ones are not listed again",
                tiers.archiveOlderThan(Duration.ofMinutes(1), TieredStorage.lsmTables()),
                contains("000030.sst", "000041.sst"));
        open.close();
        assertThat(tiers.archiveOlderThan(Duration.ofMinutes(1), n -> true), contains("000011.log", "000005.sst"));
        assertThat(fast.list(), is(empty()));
        try {
            tiers.moveToArchive("000077.sst");
            throw new AssertionError("moveToArchive of a missing file must throw NoSuchFileException");
        } catch (NoSuchFileException expected) {
            // as specified
        }
    }
}
