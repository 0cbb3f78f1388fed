package dev.storagelab.wal.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.FaultInjectingStorage.Op;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.RecordLogFormat;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.lsm.RecordLogReader;
import dev.storagelab.lsm.RecordLogWriter;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import dev.storagelab.wal.WalRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-06 T1, the log: round trips across segment rollovers with records from empty
 * to 100 KiB; a crash sweep over every mutation of a run of appends, forces, rollovers and
 * truncations (and over recovery itself), in three crash modes: every forced LSN survives, the log
 * is a gap-free prefix of what was appended, and reopening never fails; a flipped bit anywhere
 * before the last record is corruption naming the segment and an offset at or before the bit; a
 * cut anywhere in the last record is a torn tail, cut; a missing segment, an LSN gap, an LSN that
 * goes backwards and a torn segment that is not the last are corruption; a failed force or append
 * makes the log refuse every later write.
 */
@Tag("hidden")
class WalHiddenTest {

    /** The payload of LSN {@code lsn}: 0 to 149 bytes, derived from the LSN, so a replay can be checked. */
    static byte[] payload(long lsn) {
        byte[] b = new byte[(int) (lsn * 37 % 150)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (lsn * 31 + i);
        }
        return b;
    }

    /** A T1 "commit": append, then force (T2's {@code Wal.commit} does this with group commit). */
    static long appendAndForce(Wal wal, byte[] payload) throws IOException {
        long lsn = wal.append(payload);
        wal.force();
        return lsn;
    }

    static long firstLsnOf(String segmentName) {
        return Long.parseLong(segmentName.substring(0, segmentName.indexOf('.')));
    }

    /** Replays the whole log and checks it is LSNs first..last, each with its payload; returns the count. */
    static long checkReplay(Wal wal) throws IOException {
        long first = firstLsnOf(wal.segmentNames().get(0));
        long[] next = {first};
        wal.replay(first - 1, (lsn, p) -> {
            assertThat("replay order", lsn, equalTo(next[0]));
            assertThat("the payload of LSN " + lsn, Arrays.equals(p, payload(lsn)), equalTo(true));
            next[0]++;
        });
        assertThat("replay ends at the last LSN", next[0] - 1, equalTo(wal.lastLsn()));
        return next[0] - first;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept =
                    "records from empty to 100 KiB (spanning blocks) do not come back whole and in LSN "
                            + "order from replay across segment rollovers and reopens, or replay(after) starts at the wrong record")
    void largeAndEmptyRecordsRoundTripAcrossRolloversAndReopens() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SplittableRandom random = new SplittableRandom(7);
        List<byte[]> written = new ArrayList<>();
        WalOptions options = WalOptions.defaults().withSegmentBytes(64 << 10);
        for (int round = 0; round < 3; round++) {
            try (Wal wal = Wal.open(storage, options)) {
                assertThat("lastLsn after reopening", wal.lastLsn(), equalTo((long) written.size()));
                for (int i = 0; i < 25; i++) {
                    int size = switch (random.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(100);
                        case 2 ->
                            RecordLogFormat.BLOCK_SIZE - RecordLogFormat.FRAGMENT_HEADER_SIZE - WalRecord.HEADER_SIZE;
                        default -> random.nextInt(100 << 10);
                    };
                    byte[] p = new byte[size];
                    random.nextBytes(p);
                    written.add(p);
                    long lsn = i % 2 == 0 ? wal.append(p) : appendAndForce(wal, p);
                    assertThat("LSN of record " + written.size(), lsn, equalTo((long) written.size()));
                }
                for (long after : new long[] {0, written.size() / 2, written.size() - 1, written.size()}) {
                    List<Long> lsns = new ArrayList<>();
                    wal.replay(after, (lsn, p) -> {
                        assertThat(
                                "payload of LSN " + lsn, Arrays.equals(p, written.get((int) lsn - 1)), equalTo(true));
                        lsns.add(lsn);
                    });
                    assertThat("replay(" + after + ") count", (long) lsns.size(), equalTo(written.size() - after));
                    if (!lsns.isEmpty()) {
                        assertThat("replay(" + after + ") starts after it", lsns.get(0), equalTo(after + 1));
                    }
                }
                assertThat("segments", wal.segmentNames().size(), greaterThan(round + 1));
            }
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 1,
            concept = "a reopened log miscounts the records of its last segment, so it rolls over to a new "
                    + "segment later (or sooner) than the same appends without the restart")
    void reopeningDoesNotMoveTheRollovers() throws IOException {
        WalOptions options = WalOptions.defaults().withSegmentBytes(300);
        FaultInjectingStorage straight = new FaultInjectingStorage();
        List<String> expected;
        try (Wal wal = Wal.open(straight, options)) {
            for (long lsn = 1; lsn <= 40; lsn++) {
                appendAndForce(wal, payload(lsn));
            }
            expected = wal.segmentNames();
        }
        assertThat("40 records of up to 149 bytes in segments of 300 bytes roll over", expected.size(), greaterThan(5));
        FaultInjectingStorage reopened = new FaultInjectingStorage();
        for (long lsn = 1; lsn <= 40; lsn++) {
            try (Wal wal = Wal.open(reopened, options)) {
                appendAndForce(wal, payload(lsn));
            }
        }
        try (Wal wal = Wal.open(reopened, options)) {
            assertThat("the segments after a reopen before every append", wal.segmentNames(), equalTo(expected));
            assertThat(checkReplay(wal), equalTo(40L));
        }
    }

    // ------------------------------------------------------------------ crash sweeps

    /** What a workload run was told was durable, and what it asked to truncate. */
    static final class Run {
        long appended;
        long forced;
        long truncateAsked;
    }

    static final long RECORDS = 60;

    static final WalOptions SWEEP = WalOptions.defaults().withSegmentBytes(300).withSyncMode(SyncMode.GROUP);

    /** Appends, forces, rollovers (300-byte segments) and truncations, on a log starting empty. */
    static void workload(FaultInjectingStorage storage, Run run) throws IOException {
        try (Wal wal = Wal.open(storage, SWEEP)) {
            for (long i = 1; i <= RECORDS; i++) {
                boolean commit = i % 3 == 0;
                long lsn = commit ? appendAndForce(wal, payload(i)) : wal.append(payload(i));
                assertThat("LSN", lsn, equalTo(i));
                run.appended = lsn;
                if (commit) {
                    run.forced = lsn;
                }
                if (i % 8 == 0) {
                    wal.force();
                    run.forced = lsn;
                }
                if (i % 16 == 0) {
                    run.truncateAsked = lsn - 4;
                    wal.truncateBefore(lsn - 4);
                }
            }
        }
    }

    /** After a crash: the log opens, holds every forced LSN and is a gap-free run of the appended records. */
    static void checkAfterCrash(FaultInjectingStorage storage, Run run, String what) throws IOException {
        try (Wal wal = Wal.open(storage, SWEEP)) {
            assertThat(what + ": every forced LSN survives", wal.lastLsn(), greaterThanOrEqualTo(run.forced));
            assertThat(what + ": no LSN that was never appended", wal.lastLsn(), lessThanOrEqualTo(run.appended + 1));
            assertThat(
                    what + ": truncation removed only covered segments",
                    firstLsnOf(wal.segmentNames().get(0)),
                    lessThanOrEqualTo(Math.max(1, run.truncateAsked)));
            checkReplay(wal);
            long next = wal.lastLsn() + 1;
            assertThat(what + ": the next LSN", wal.append(payload(next)), equalTo(next));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 6,
            concept = "after a crash at any point of appends, forces, segment rollovers and "
                    + "truncations, the log loses a forced record, has a gap, holds garbage, or cannot be reopened")
    void aCrashAtEveryMutationLeavesAPrefixHoldingEveryForcedRecord() throws IOException {
        FaultInjectingStorage clean = new FaultInjectingStorage();
        workload(clean, new Run());
        long mutations = clean.mutationCount();
        assertThat("the workload's mutations", mutations, greaterThan(100L));
        int points = 0;
        for (CrashMode mode : CrashMode.values()) {
            // RANDOM keeps a different part of the unforced state for each seed: six of them per point.
            int seeds = mode == CrashMode.RANDOM ? 6 : 1;
            for (long n = 1; n <= mutations * seeds; n++) {
                FaultInjectingStorage storage = new FaultInjectingStorage(n * 7919 + mode.ordinal()).crashMode(mode);
                long point = (n - 1) % mutations + 1;
                storage.crashBeforeMutation(point);
                Run run = new Run();
                try {
                    workload(storage, run);
                } catch (IOException e) {
                    // the crash
                }
                storage.powerLoss();
                String what = mode + ", seed " + (n * 7919 + mode.ordinal()) + ", crash before mutation " + point;
                checkAfterCrash(storage, run, what);
                storage.powerLoss();
                try (Wal wal = Wal.open(storage, SWEEP)) {
                    checkReplay(wal);
                }
                points++;
            }
        }
        assertThat("crash points", points, greaterThan(1000));
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "a crash during recovery itself (while cutting a torn tail or dropping a torn new "
                    + "segment) leaves a log that loses a forced record or cannot be reopened")
    void aCrashDuringRecoveryIsRecoveredFrom() throws IOException {
        FaultInjectingStorage clean = new FaultInjectingStorage();
        workload(clean, new Run());
        long mutations = clean.mutationCount();
        int recoveriesThatWrite = 0;
        for (long n = 3; n <= mutations; n++) {
            long openMutations = -1;
            for (long k = 1; openMutations < 0 || k <= openMutations; k++) {
                FaultInjectingStorage storage = new FaultInjectingStorage(n).crashMode(CrashMode.RANDOM);
                storage.crashBeforeMutation(n);
                Run run = new Run();
                try {
                    workload(storage, run);
                } catch (IOException e) {
                    // the first crash
                }
                storage.powerLoss();
                if (openMutations < 0) {
                    long before = storage.mutationCount();
                    Wal.open(storage, SWEEP).close();
                    openMutations = storage.mutationCount() - before;
                    recoveriesThatWrite++;
                    continue;
                }
                storage.crashBeforeMutation(k);
                try {
                    Wal.open(storage, SWEEP).close();
                } catch (IOException e) {
                    // the second crash, inside recovery
                }
                storage.powerLoss();
                checkAfterCrash(
                        storage, run, "crash before mutation " + n + ", then before mutation " + k + " of recovery");
            }
        }
        assertThat(recoveriesThatWrite, greaterThan(10));
    }

    // ------------------------------------------------------------------ damage

    /** A log of 3 or more segments, forced and closed. */
    static List<String> smallLog(FaultInjectingStorage storage, int records) throws IOException {
        try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(256))) {
            for (long i = 1; i <= records; i++) {
                appendAndForce(wal, payload(i));
            }
            return wal.segmentNames();
        }
    }

    /** The offset of the last record's first fragment in {@code name}. */
    static long lastRecordOffset(FaultInjectingStorage storage, String name) throws IOException {
        try (RecordLogReader r =
                RecordLogReader.open(storage, name, Kind.WAL_SEGMENT, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            while (r.next() != null) {
                // to the end
            }
            return r.lastRecordOffset();
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 4,
            concept = "a flipped bit in a segment before the log's last record is skipped, read as data, "
                    + "cut as a torn tail, or reported without the segment's name and the offset of the damage")
    void aFlippedBitAnywhereBeforeTheTailIsCorruptionNamingFileAndOffset() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<String> names = smallLog(storage, 14);
        assertThat("segments", names.size(), greaterThanOrEqualTo(3));
        int flips = 0;
        for (int s = 0; s < names.size(); s++) {
            String name = names.get(s);
            byte[] good = storage.contents(name);
            long end = s == names.size() - 1 ? lastRecordOffset(storage, name) : good.length;
            for (int pos = 0; pos < end; pos++) {
                byte[] bad = good.clone();
                bad[pos] ^= (byte) (1 << (pos % 8));
                storage.plant(name, bad);
                int at = pos;
                CorruptionException e = assertThrows(
                        CorruptionException.class,
                        () -> Wal.open(storage, WalOptions.defaults()),
                        "bit " + at % 8 + " of byte " + at + " of " + name + " flipped");
                assertThat("the file named for a flip at " + name + " @ " + pos, e.file(), containsString(name));
                assertThat("the offset named for a flip at " + name + " @ " + pos, e.offset(), lessThanOrEqualTo((long)
                        pos));
                storage.plant(name, good);
                flips++;
            }
        }
        assertThat(flips, greaterThan(500));
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            assertThat("the undamaged log", checkReplay(wal), equalTo(14L));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "a last record cut at any byte (a torn tail) is not cut off on open, or the cut "
                    + "also drops a whole record, or the torn record's LSN is not given again")
    void aTailCutAtEveryByteOfTheLastRecordIsCut() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<String> names = smallLog(storage, 14);
        String last = names.get(names.size() - 1);
        byte[] good = storage.contents(last);
        long lastStart = lastRecordOffset(storage, last);
        for (int cut = (int) lastStart; cut < good.length; cut++) {
            storage.plant(last, Arrays.copyOf(good, cut));
            try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
                assertThat("cut at " + cut + ": the torn record is dropped", wal.lastLsn(), equalTo(13L));
                assertThat("cut at " + cut + ": the file is cut", storage.size(last), lessThanOrEqualTo(lastStart));
                assertThat(checkReplay(wal), greaterThan(0L));
                assertThat("cut at " + cut + ": LSN 14 again", appendAndForce(wal, payload(14)), equalTo(14L));
            }
            try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
                assertThat(wal.lastLsn(), equalTo(14L));
                checkReplay(wal);
            }
        }
        byte[] zeros = Arrays.copyOf(good, good.length + 700);
        storage.plant(last, zeros);
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            assertThat("a zero-filled tail is torn, not corrupt", wal.lastLsn(), equalTo(14L));
            assertThat(storage.size(last), equalTo((long) good.length));
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "a new segment whose file header never reached the disk makes the log fail to open "
                    + "or lose records, instead of being dropped")
    void aNewSegmentWithATornHeaderIsDropped() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<String> names = smallLog(storage, 14);
        String torn = String.format("%020d.wal", 15L);
        for (int length = 0; length < RecordLogFormat.FILE_HEADER_SIZE; length++) {
            storage.plant(torn, new byte[length]);
            try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(256))) {
                assertThat("a header torn at " + length + " bytes", wal.lastLsn(), equalTo(14L));
                assertThat(wal.segmentNames(), equalTo(names));
                checkReplay(wal);
            }
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "a missing segment, an LSN gap or an LSN that goes backwards inside a segment, or "
                    + "a segment that starts at the wrong LSN, is skipped instead of reported as corruption")
    void missingSegmentsAndLsnGapsAreCorruption() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<String> names = smallLog(storage, 20);
        byte[] middle = storage.contents(names.get(1));
        storage.delete(names.get(1));
        CorruptionException missing = assertThrows(
                CorruptionException.class, () -> Wal.open(storage, WalOptions.defaults()), "a missing middle segment");
        assertThat(missing.file(), containsString(names.get(2)));
        assertThat(missing.offset(), equalTo(0L));
        storage.plant(names.get(1), middle);

        long[][] sequences = {{1, 2, 4, 5}, {1, 2, 2, 3}, {1, 2, 1, 2}};
        for (long[] lsns : sequences) {
            FaultInjectingStorage s = new FaultInjectingStorage();
            String name = String.format("%020d.wal", 1L);
            long offset;
            try (RecordLogWriter w = RecordLogWriter.create(s, name, Kind.WAL_SEGMENT)) {
                w.addRecord(WalRecord.encode(lsns[0], payload(1)));
                w.addRecord(WalRecord.encode(lsns[1], payload(2)));
                offset = w.addRecord(WalRecord.encode(lsns[2], payload(3)));
                w.addRecord(WalRecord.encode(lsns[3], payload(4)));
                w.force();
            }
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> Wal.open(s, WalOptions.defaults()),
                    "LSNs " + Arrays.toString(lsns));
            assertThat("LSNs " + Arrays.toString(lsns), e.file(), containsString(name));
            assertThat("LSNs " + Arrays.toString(lsns) + ": the third record's offset", e.offset(), equalTo(offset));
        }

        FaultInjectingStorage s = new FaultInjectingStorage();
        String name = String.format("%020d.wal", 5L);
        try (RecordLogWriter w = RecordLogWriter.create(s, name, Kind.WAL_SEGMENT)) {
            w.addRecord(WalRecord.encode(6, payload(6)));
            w.force();
        }
        CorruptionException wrongStart = assertThrows(
                CorruptionException.class,
                () -> Wal.open(s, WalOptions.defaults()),
                "a segment named for LSN 5 whose first record is LSN 6");
        assertThat(wrongStart.file(), containsString(name));
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "a torn tail in a segment that is not the last (damage no crash explains) is cut "
                    + "quietly instead of reported as corruption")
    void aTornSegmentBeforeTheLastIsCorruption() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        List<String> names = smallLog(storage, 20);
        byte[] first = storage.contents(names.get(0));
        storage.plant(names.get(0), Arrays.copyOf(first, first.length - 2));
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> Wal.open(storage, WalOptions.defaults()),
                "the first of " + names.size() + " segments lost its last 2 bytes");
        assertThat(e.file(), containsString(names.get(0)));
    }

    // ------------------------------------------------------------------ fsyncgate

    @Test
    @Graded(
            task = "T1",
            points = 3,
            concept = "after a failed force or a failed write the log accepts more writes (fsyncgate: a "
                    + "failed fsync must never be retried), or the refusal does not name the first failure")
    void afterAFailedForceOrWriteTheLogRefusesEveryWrite() throws IOException {
        for (Op op : new Op[] {Op.FORCE, Op.APPEND}) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
                appendAndForce(wal, payload(1));
                storage.failNext(op);
                IOException first =
                        assertThrows(IOException.class, () -> appendAndForce(wal, payload(2)), op + " fails");
                for (int i = 0; i < 3; i++) {
                    IOException later = assertThrows(
                            IOException.class,
                            () -> appendAndForce(wal, payload(3)),
                            "an append and force after a failed " + op);
                    Throwable root = later;
                    boolean namesIt = false;
                    while (root != null) {
                        namesIt |=
                                root.getMessage() != null && root.getMessage().contains("injected")
                                        || root == first
                                        || root == first.getCause();
                        root = root.getCause();
                    }
                    assertThat("the refusal names the first failure: " + later.getMessage(), namesIt, equalTo(true));
                    assertThrows(IOException.class, () -> wal.append(payload(3)), "an append after a failed " + op);
                    assertThrows(IOException.class, wal::force, "a force after a failed " + op);
                }
                assertThat("no LSN handed out after the failure", wal.lastLsn(), lessThanOrEqualTo(2L));
            } catch (IOException closing) {
                // close may report the failure again
            }
            storage.powerLoss();
            try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
                assertThat(op + ": the forced record survives", wal.lastLsn(), greaterThanOrEqualTo(1L));
                checkReplay(wal);
                long next = wal.lastLsn() + 1;
                assertThat("reopening recovers the log", appendAndForce(wal, payload(next)), equalTo(next));
            }
        }
    }

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "a failure while starting a new segment (create, header, directory sync) lets the "
                    + "log go on writing, or loses an acknowledged record")
    void aFailedRolloverMakesTheLogRefuse() throws IOException {
        for (Op op : new Op[] {Op.CREATE, Op.SYNC_DIRECTORY}) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            long acknowledged = 0;
            try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(50))) {
                acknowledged = appendAndForce(wal, payload(1));
                storage.failNext(op);
                assertThrows(
                        IOException.class, () -> appendAndForce(wal, payload(2)), op + " fails during the rollover");
                assertThrows(
                        IOException.class,
                        () -> appendAndForce(wal, payload(2)),
                        "an append and force after the failed rollover");
            } catch (IOException closing) {
                // close may report the failure again
            }
            storage.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
            try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(50))) {
                assertThat(op + ": the acknowledged record", wal.lastLsn(), greaterThanOrEqualTo(acknowledged));
                checkReplay(wal);
            }
        }
    }

    // ------------------------------------------------------------------ truncation

    @Test
    @Graded(
            task = "T1",
            points = 2,
            concept = "truncateBefore deletes the active segment or one holding an LSN at or above its "
                    + "argument, its deletions come back after a power loss (no directory sync), or replay from before the "
                    + "log's start does not report the missing records")
    void truncateBeforeDeletesOnlyCoveredSegmentsDurably() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage().crashMode(CrashMode.LOSE_UNSYNCED);
        List<String> before;
        List<String> after;
        try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(256))) {
            for (long i = 1; i <= 30; i++) {
                appendAndForce(wal, payload(i));
            }
            before = wal.segmentNames();
            for (long lsn = 1; lsn <= 31; lsn++) {
                wal.truncateBefore(lsn);
                long first = firstLsnOf(wal.segmentNames().get(0));
                assertThat(
                        "after truncateBefore(" + lsn + ") LSN " + lsn + " is still in the log",
                        first,
                        lessThanOrEqualTo(Math.min(lsn, 30)));
                int index = before.indexOf(wal.segmentNames().get(0));
                if (index + 1 < before.size()) {
                    assertThat(
                            "the next segment after truncateBefore(" + lsn + ") starts above it",
                            firstLsnOf(before.get(index + 1)),
                            greaterThan(lsn));
                }
            }
            after = wal.segmentNames();
            assertThat("the active segment stays", after, equalTo(List.of(before.get(before.size() - 1))));
            long start = firstLsnOf(after.get(0));
            assertThrows(
                    CorruptionException.class,
                    () -> wal.replay(start - 2, (lsn, p) -> {}),
                    "replay from before the log's first record");
        }
        storage.powerLoss();
        try (Wal wal = Wal.open(storage, WalOptions.defaults().withSegmentBytes(256))) {
            assertThat("the deletions are durable", wal.segmentNames(), equalTo(after));
            assertThat(wal.lastLsn(), equalTo(30L));
            checkReplay(wal);
        }
    }
}
