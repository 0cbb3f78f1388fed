package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.FaultInjectingStorage.PowerLossException;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmFileNames;
import dev.storagelab.lsm.Manifest;
import dev.storagelab.lsm.RecordLogFormat.Kind;
import dev.storagelab.lsm.RecordLogReader;
import dev.storagelab.lsm.RecordLogWriter;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import dev.storagelab.sortedlog.RecoveryMode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the MANIFEST (lab-05 T6): power loss before every write, force, rename and
 * directory sync of a database's life (create, 24 flush and compaction edits), in three crash modes
 * and several seeds, must recover a version equal to the state after a prefix of the edits that
 * includes every acknowledged one, with the matching counters, and go on working; a crash at every
 * point of recovery itself loses nothing; a torn last edit at every byte is dropped; a corrupt
 * middle edit, a CURRENT that is garbled or names a missing MANIFEST, a wrong magic or kind, and
 * edits that do not apply are reported as corruption.
 */
@Tag("hidden")
class ManifestHiddenTest {

    static final int EDITS = 24;

    static InternalKey key(String user, long seq) {
        return new InternalKey(Bytes.of(user), seq, ValueType.PUT);
    }

    /** What recovery must give back after some prefix of the edits. */
    record State(Version version, long lastSequence, long logNumber) {
        static State of(Manifest m) {
            return new State(m.version(), m.lastSequence(), m.logNumber());
        }

        static State of(Manifest.Recovered r) {
            return new State(r.version(), r.lastSequence(), r.logNumber());
        }
    }

    /**
     * Edit {@code i} of the workload: three flushes (an L0 table, a new log) then a compaction of
     * L0 and L1 into two disjoint L1 tables. Deterministic given the manifest's state.
     */
    static VersionEdit edit(Manifest m, int i) {
        VersionEdit e = new VersionEdit().setLastSequence(100L * (i + 1));
        if (i % 4 != 3) {
            long table = m.newFileNumber();
            long log = m.newFileNumber();
            char c = (char) ('a' + i % 26);
            e.addFile(0, new FileMeta(table, 1000 + i, key(c + "0", 100L * (i + 1)), key(c + "9", 100L * i + 1)))
                    .setLogNumber(log);
        } else {
            Version v = m.version();
            v.files(0).forEach(f -> e.deleteFile(0, f.number()));
            v.files(1).forEach(f -> e.deleteFile(1, f.number()));
            e.addFile(1, new FileMeta(m.newFileNumber(), 5000 + i, key("a", 5), key("m", 1)));
            e.addFile(1, new FileMeta(m.newFileNumber(), 6000 + i, key("n", 5), key("z", 1)));
            e.setCompactPointer(1, key("m", 1));
        }
        return e;
    }

    /** Creates a database and applies the edits, adding the state after create and after each edit to {@code acked}. */
    static void workload(FaultInjectingStorage storage, List<State> acked) throws IOException {
        try (Manifest m = Manifest.create(storage)) {
            acked.add(State.of(m));
            for (int i = 0; i < EDITS; i++) {
                m.logAndApply(edit(m, i));
                acked.add(State.of(m));
            }
        }
    }

    static List<State> cleanStates() throws IOException {
        List<State> states = new ArrayList<>();
        workload(new FaultInjectingStorage(), states);
        return states;
    }

    static long cleanMutations() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage();
        workload(s, new ArrayList<>());
        return s.mutationCount();
    }

    @Test
    @Graded(
            task = "T6",
            points = 6,
            concept = "after a power loss at some write, force, rename or directory sync while logging "
                    + "edits, recovery loses an acknowledged edit, applies part of one, fails, or gives a state that no prefix of "
                    + "the edits produces")
    void powerLossAtEveryPointRecoversAPrefixWithEveryAcknowledgedEdit() throws IOException {
        List<State> states = cleanStates();
        long points = cleanMutations();
        assertThat("create and 24 edits, a write each at least", points, greaterThan((long) EDITS));
        int runs = 0;
        for (CrashMode mode : CrashMode.values()) {
            for (long seed = 1; seed <= (mode == CrashMode.RANDOM ? 6 : 1); seed++) {
                for (long k = 1; k <= points; k++) {
                    FaultInjectingStorage storage = new FaultInjectingStorage(seed * 1000 + k).crashMode(mode);
                    storage.crashBeforeMutation(k);
                    List<State> acked = new ArrayList<>();
                    try {
                        workload(storage, acked);
                        fail("the crash armed before mutation " + k + " of " + points + " did not happen");
                    } catch (PowerLossException expected) {
                        // the machine went down here
                    }
                    storage.powerLoss();
                    String where = mode + " seed " + seed + ", crash before mutation " + k + " with " + acked.size()
                            + " states acknowledged (create counts as one)";
                    if (acked.isEmpty() && !storage.exists(LsmFileNames.CURRENT)) {
                        assertThrows(NoSuchFileException.class, () -> Manifest.recover(storage), where);
                        runs++;
                        continue;
                    }
                    State recovered;
                    Version continued;
                    try (Manifest m = Manifest.recover(storage)) {
                        recovered = State.of(m);
                        int lo = Math.max(0, acked.size() - 1);
                        int hi = Math.min(states.size() - 1, acked.size());
                        boolean prefix = false;
                        for (int j = lo; j <= hi; j++) {
                            prefix |= recovered.equals(states.get(j));
                        }
                        assertThat(
                                where + ": recovered " + recovered + " must equal the state after edit " + lo + " or "
                                        + hi,
                                prefix,
                                equalTo(true));
                        for (String name : storage.list()) {
                            LsmFileNames.Parsed p = LsmFileNames.parse(name);
                            if (p != null) {
                                assertThat(
                                        where + ": the next file number is past " + name,
                                        m.nextFileNumber(),
                                        greaterThan(p.number()));
                            }
                        }
                        // and the database goes on: one more flush, durable across a clean restart
                        VersionEdit more = new VersionEdit()
                                .addFile(0, new FileMeta(m.newFileNumber(), 1, key("q", 1), key("r", 1)));
                        continued = m.logAndApply(more);
                    }
                    try (Manifest again = Manifest.recover(storage)) {
                        assertThat(
                                where + ": an edit logged after recovery survives a restart",
                                again.version(),
                                equalTo(continued));
                    }
                    runs++;
                }
            }
        }
        assertThat(runs, equalTo((int) points * 8));
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a power loss during recovery (while the new MANIFEST and CURRENT are written) loses "
                    + "the database or some of its edits")
    void powerLossAtEveryPointOfRecoveryLosesNothing() throws IOException {
        List<State> states = cleanStates();
        State last = states.get(states.size() - 1);
        FaultInjectingStorage probe = new FaultInjectingStorage();
        workload(probe, new ArrayList<>());
        long before = probe.mutationCount();
        Manifest.recover(probe).close();
        long points = probe.mutationCount() - before;
        assertThat("recovery writes a MANIFEST and a CURRENT", points, greaterThan(2L));
        for (CrashMode mode : CrashMode.values()) {
            for (long k = 1; k <= points; k++) {
                FaultInjectingStorage storage = new FaultInjectingStorage(k).crashMode(mode);
                workload(storage, new ArrayList<>());
                storage.crashBeforeMutation(k);
                assertThrows(PowerLossException.class, () -> Manifest.recover(storage), "crash armed at mutation " + k);
                storage.powerLoss();
                try (Manifest m = Manifest.recover(storage)) {
                    assertThat(mode + ", crash before recovery mutation " + k, State.of(m), equalTo(last));
                }
                try (Manifest m = Manifest.recover(storage)) {
                    assertThat(
                            mode + ", crash before recovery mutation " + k + ", recovered twice",
                            State.of(m),
                            equalTo(last));
                }
            }
        }
    }

    /** The offsets of the MANIFEST's records. */
    static List<Long> recordOffsets(FaultInjectingStorage storage, String name) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (RecordLogReader r =
                RecordLogReader.open(storage, name, Kind.MANIFEST, RecoveryMode.ABSOLUTE_CONSISTENCY)) {
            while (r.next() != null) {
                offsets.add(r.lastRecordOffset());
            }
        }
        return offsets;
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a MANIFEST whose last edit is torn (cut at any byte) fails to recover, or recovers "
                    + "with the torn edit half-applied, instead of the state before that edit")
    void aTornLastEditIsDroppedAtEveryByte() throws IOException {
        List<State> states = cleanStates();
        FaultInjectingStorage storage = new FaultInjectingStorage();
        workload(storage, new ArrayList<>());
        String name = Manifest.readCurrent(storage);
        byte[] whole = storage.contents(name);
        List<Long> offsets = recordOffsets(storage, name);
        long lastStart = offsets.get(offsets.size() - 1);
        for (long cut = lastStart; cut < whole.length; cut++) {
            storage.plant(name, Arrays.copyOf(whole, (int) cut));
            Manifest.Recovered r = Manifest.replay(storage);
            assertThat(
                    "MANIFEST cut at " + cut + " (last edit at " + lastStart + ")",
                    State.of(r),
                    equalTo(states.get(states.size() - 2)));
            assertThat("cut at " + cut, r.tornTail(), equalTo(cut > lastStart));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a damaged edit in the middle of the MANIFEST is skipped or treated as a torn tail "
                    + "(silently dropping later edits) instead of reported as corruption at that edit's offset")
    void aCorruptMiddleEditIsReportedAtItsOffset() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        workload(storage, new ArrayList<>());
        String name = Manifest.readCurrent(storage);
        byte[] whole = storage.contents(name);
        List<Long> offsets = recordOffsets(storage, name);
        for (int rec = 0; rec + 1 < offsets.size(); rec++) {
            for (long at = offsets.get(rec); at < offsets.get(rec + 1); at += 3) {
                byte[] bad = whole.clone();
                bad[(int) at] ^= (byte) (1 << (at % 8));
                storage.plant(name, bad);
                CorruptionException e = assertThrows(
                        CorruptionException.class,
                        () -> Manifest.replay(storage),
                        "byte " + at + " of edit " + rec + " flipped");
                assertThat("byte " + at + " flipped", e.offset(), equalTo(offsets.get(rec)));
                assertThat(e.file(), containsString(name));
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "CURRENT naming a MANIFEST that does not exist, or a garbled CURRENT, is not reported "
                    + "as corruption naming CURRENT (or a missing CURRENT is mistaken for an empty database)")
    void currentIsChecked() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        assertThrows(NoSuchFileException.class, () -> Manifest.recover(storage), "no CURRENT: no database");
        workload(storage, new ArrayList<>());
        byte[] current = storage.contents(LsmFileNames.CURRENT);
        for (int i = 0; i < current.length; i++) {
            byte[] bad = current.clone();
            bad[i] ^= 0x02;
            storage.plant(LsmFileNames.CURRENT, bad);
            CorruptionException e = assertThrows(
                    CorruptionException.class, () -> Manifest.recover(storage), "byte " + i + " of CURRENT changed");
            assertThat(e.file(), containsString(LsmFileNames.CURRENT));
        }
        storage.plant(LsmFileNames.CURRENT, current);
        String name = Manifest.readCurrent(storage);
        storage.delete(name);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.recover(storage));
        assertThat("the message names the missing MANIFEST", e.getMessage(), containsString(name));
        assertThat(e.file(), containsString(LsmFileNames.CURRENT));
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a MANIFEST with a wrong magic number, or a write-ahead log named as the MANIFEST, "
                    + "is replayed instead of rejected")
    void wrongMagicAndWrongKindAreRejected() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        workload(storage, new ArrayList<>());
        String name = Manifest.readCurrent(storage);
        byte[] whole = storage.contents(name);
        byte[] magic = whole.clone();
        magic[1] ^= 0x10;
        storage.plant(name, magic);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.recover(storage));
        assertThat(e.offset(), equalTo(0L));
        assertThat(e.getMessage(), containsString("magic"));
        // a WAL holding a valid edit, named as the MANIFEST
        storage.delete(name);
        try (RecordLogWriter w = RecordLogWriter.create(storage, name, Kind.WAL)) {
            w.addRecord(new VersionEdit()
                    .setLogNumber(0)
                    .setNextFileNumber(5)
                    .setLastSequence(0)
                    .encode());
            w.force();
        }
        CorruptionException kind = assertThrows(CorruptionException.class, () -> Manifest.recover(storage));
        assertThat(kind.getMessage(), containsString("WAL"));
    }

    /** Plants a MANIFEST-000001 of these edits and a CURRENT naming it. */
    static void plantManifest(FaultInjectingStorage storage, VersionEdit... edits) throws IOException {
        try (RecordLogWriter w = RecordLogWriter.create(storage, "MANIFEST-000001", Kind.MANIFEST)) {
            for (VersionEdit e : edits) {
                w.addRecord(e.encode());
            }
            w.force();
        }
        // a fresh database's CURRENT names MANIFEST-000001
        FaultInjectingStorage fresh = new FaultInjectingStorage();
        Manifest.create(fresh).close();
        storage.plant(LsmFileNames.CURRENT, fresh.contents(LsmFileNames.CURRENT));
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a MANIFEST whose edits do not apply (deleting a table that is not there, overlapping "
                    + "tables at L1, a first edit that is not a snapshot, no edit at all, a table past the next file number) is "
                    + "recovered instead of reported as corruption at the edit's offset")
    void editsThatDoNotApplyAreCorruption() throws IOException {
        VersionEdit snapshot =
                new VersionEdit().setLogNumber(0).setNextFileNumber(10).setLastSequence(0);
        VersionEdit[][] bad = {
            {snapshot, new VersionEdit().deleteFile(0, 7)},
            {
                snapshot,
                new VersionEdit()
                        .addFile(1, new FileMeta(3, 1, key("a", 1), key("k", 1)))
                        .addFile(1, new FileMeta(4, 1, key("k", 9), key("z", 1)))
            },
            {new VersionEdit().setLogNumber(0).addFile(0, new FileMeta(3, 1, key("a", 1), key("k", 1)))},
            {},
            {snapshot, new VersionEdit().addFile(2, new FileMeta(12, 1, key("a", 1), key("k", 1)))},
        };
        for (int i = 0; i < bad.length; i++) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            plantManifest(storage, bad[i]);
            List<Long> offsets = recordOffsets(storage, "MANIFEST-000001");
            CorruptionException e =
                    assertThrows(CorruptionException.class, () -> Manifest.recover(storage), "case " + i);
            long expected = offsets.isEmpty() ? 0 : offsets.get(offsets.size() - 1);
            assertThat("case " + i + ": " + e.getMessage(), e.offset(), equalTo(expected));
            assertThat(e.file(), containsString("MANIFEST-000001"));
        }
        FaultInjectingStorage good = new FaultInjectingStorage();
        plantManifest(good, snapshot, new VersionEdit().addFile(1, new FileMeta(3, 1, key("a", 1), key("k", 1))));
        assertThat(
                "the same MANIFEST without the bad edit recovers",
                Manifest.replay(good).version().fileCount(1),
                equalTo(1));
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept =
                    "after a crash, recovery hands out a file number that a table or log written before "
                            + "the crash (but never logged in the MANIFEST) already uses, or does not list that orphan as obsolete")
    void recoveryNeverReusesTheNumberOfAnOrphanFile() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        workload(storage, new ArrayList<>());
        long next = Manifest.replay(storage).nextFileNumber();
        String orphan = LsmFileNames.table(next + 3);
        storage.plant(orphan, new byte[100]);
        try (Manifest m = Manifest.recover(storage)) {
            assertThat("numbers past the orphan " + orphan, m.nextFileNumber(), greaterThan(next + 3));
            assertThat(m.obsoleteFiles(Set.of()), hasItem(orphan));
            assertThat(
                    "the old MANIFEST is obsolete too", m.obsoleteFiles(Set.of()), hasItem(LsmFileNames.manifest(1)));
            for (String name : m.obsoleteFiles(Set.of())) {
                LsmFileNames.Parsed p = LsmFileNames.parse(name);
                if (p != null && p.type() == LsmFileNames.Type.TABLE) {
                    assertThat(name + " is not live", m.version().liveFiles().contains(p.number()), equalTo(false));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "after a failed MANIFEST force the version changes anyway, or later edits are "
                    + "still logged behind a tail whose durability is unknown")
    void aFailedForceStopsTheManifest() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Version before;
        try (Manifest m = Manifest.create(storage)) {
            m.logAndApply(edit(m, 0));
            before = m.version();
            storage.failNext(FaultInjectingStorage.Op.FORCE, m.manifestName());
            assertThrows(IOException.class, () -> m.logAndApply(edit(m, 1)));
            assertThat("the failed edit did not take effect in memory", m.version(), equalTo(before));
            IOException e = assertThrows(IOException.class, () -> m.logAndApply(edit(m, 2)));
            assertThat(e.getMessage(), containsString("unusable"));
        }
        storage.powerLoss();
        try (Manifest m = Manifest.recover(storage)) {
            assertThat(
                    "the acknowledged edit is there", m.version().files(0).containsAll(before.files(0)), equalTo(true));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "a MANIFEST holding a table numbered exactly its next file number (a number a new "
                    + "file would reuse) is recovered instead of reported as corruption")
    void aTableNumberedTheNextFileNumberIsCorruption() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        plantManifest(
                storage,
                new VersionEdit().setLogNumber(0).setNextFileNumber(10).setLastSequence(0),
                new VersionEdit().addFile(1, new FileMeta(10, 1, key("a", 1), key("k", 1))));
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.recover(storage));
        assertThat(e.file(), containsString("MANIFEST-000001"));
        FaultInjectingStorage below = new FaultInjectingStorage();
        plantManifest(
                below,
                new VersionEdit().setLogNumber(0).setNextFileNumber(10).setLastSequence(0),
                new VersionEdit().addFile(1, new FileMeta(9, 1, key("a", 1), key("k", 1))));
        assertThat(
                "table 9 is below the next file number 10",
                Manifest.replay(below).version().fileCount(1),
                equalTo(1));
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "recovery forgets the compact pointers the MANIFEST's edits set (compaction starts over "
                    + "at each level's first table after a restart), or miscounts the edits it applied")
    void recoveryKeepsTheCompactPointersAndCountsTheEdits() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        plantManifest(
                storage,
                new VersionEdit().setLogNumber(0).setNextFileNumber(10).setLastSequence(0),
                new VersionEdit().setCompactPointer(1, key("d", 4)).setCompactPointer(2, key("q", 7)),
                new VersionEdit().setCompactPointer(1, key("m", 2)).setLastSequence(50));
        Manifest.Recovered r = Manifest.replay(storage);
        assertThat(
                "the last pointer each level's edits set",
                r.compactPointers(),
                equalTo(java.util.Map.of(1, key("m", 2), 2, key("q", 7))));
        assertThat(r.edits(), equalTo(3));
        assertThat(r.lastSequence(), equalTo(50L));
        try (Manifest m = Manifest.recover(storage)) {
            assertThat("and the recovered MANIFEST holds them", m.compactPointers(), equalTo(r.compactPointers()));
        }
    }
}
