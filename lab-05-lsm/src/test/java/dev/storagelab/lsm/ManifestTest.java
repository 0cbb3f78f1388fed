package dev.storagelab.lsm;

import static dev.storagelab.lsm.VersionEditTest.table;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T6, the MANIFEST: {@link Manifest#logAndApply} makes an edit durable before it
 * takes effect, CURRENT names the live MANIFEST, and {@link Manifest#replay} / {@link Manifest#recover}
 * rebuild the version and the counters after a restart or a crash.
 */
class ManifestTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage(7);

    @Test
    void aNewDatabaseHasAnEmptyVersionAndCurrentNamesItsManifest() throws IOException {
        try (Manifest m = Manifest.create(storage)) {
            assertThat(m.version(), equalTo(Version.empty()));
            assertThat(Manifest.readCurrent(storage), equalTo("MANIFEST-000001"));
            assertThat(m.nextFileNumber(), equalTo(2L));
        }
        assertThrows(IOException.class, () -> Manifest.create(storage), "create refuses to overwrite a database");
    }

    @Test
    void recoveryReplaysEveryAcknowledgedEdit() throws IOException {
        Version expected;
        try (Manifest m = Manifest.create(storage)) {
            long t1 = m.newFileNumber();
            long t2 = m.newFileNumber();
            m.logAndApply(new VersionEdit().addFile(0, table(t1, "a", "m")).setLastSequence(100));
            long log = m.newFileNumber();
            expected = m.logAndApply(new VersionEdit()
                    .deleteFile(0, t1)
                    .addFile(1, table(t2, "a", "m"))
                    .setLogNumber(log)
                    .setLastSequence(250));
        }
        Manifest.Recovered r = Manifest.replay(storage);
        assertThat("the version after both edits", r.version(), equalTo(expected));
        assertThat("snapshot + 2 edits", r.edits(), equalTo(3));
        assertThat(r.lastSequence(), equalTo(250L));
        assertThat(r.logNumber(), equalTo(4L));
        assertThat("numbers 1-4 were handed out", r.nextFileNumber(), equalTo(5L));
        try (Manifest m = Manifest.recover(storage)) {
            assertThat(m.version(), equalTo(expected));
            assertThat(
                    "recovery starts a new MANIFEST with a fresh number", m.manifestName(), equalTo("MANIFEST-000005"));
            assertThat(Manifest.readCurrent(storage), equalTo("MANIFEST-000005"));
            assertThat(
                    "its snapshot alone rebuilds the version",
                    Manifest.replay(storage).edits(),
                    equalTo(1));
        }
    }

    @Test
    void anEditThatDoesNotApplyIsRefusedAndNothingIsWritten() throws IOException {
        try (Manifest m = Manifest.create(storage)) {
            long t = m.newFileNumber();
            m.logAndApply(new VersionEdit().addFile(1, table(t, "a", "f")));
            long size = storage.size(m.manifestName());
            long u = m.newFileNumber();
            assertThrows(
                    IllegalArgumentException.class,
                    () -> m.logAndApply(new VersionEdit().addFile(1, table(u, "c", "k"))));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> m.logAndApply(new VersionEdit().addFile(0, table(99, "c", "k"))),
                    "table 99 was never handed out by newFileNumber()");
            assertThat("a refused edit leaves the MANIFEST as it was", storage.size(m.manifestName()), equalTo(size));
        }
    }

    @Test
    void aTornLastEditIsDroppedAtRecovery() throws IOException {
        try (Manifest m = Manifest.create(storage)) {
            long t = m.newFileNumber();
            m.logAndApply(new VersionEdit().addFile(0, table(t, "a", "f")));
            long size = storage.size(m.manifestName());
            m.logAndApply(new VersionEdit().addFile(0, table(m.newFileNumber(), "g", "k")));
            storage.truncate(m.manifestName(), storage.size(m.manifestName()) - 3);
            assertThat(storage.size(m.manifestName()) > size, equalTo(true));
        }
        Manifest.Recovered r = Manifest.replay(storage);
        assertThat("the torn edit never took effect", r.tornTail(), equalTo(true));
        assertThat(r.version().fileCount(0), equalTo(1));
    }

    @Test
    void corruptionBeforeTheLastEditIsAnError() throws IOException {
        String name;
        try (Manifest m = Manifest.create(storage)) {
            name = m.manifestName();
            m.logAndApply(new VersionEdit().addFile(0, table(m.newFileNumber(), "a", "f")));
            m.logAndApply(new VersionEdit().addFile(0, table(m.newFileNumber(), "g", "k")));
        }
        storage.flipBit(name, RecordLogFormat.FILE_HEADER_SIZE + RecordLogFormat.FRAGMENT_HEADER_SIZE + 1, 0);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> Manifest.replay(storage),
                "a MANIFEST must not silently drop edits: the snapshot is damaged");
        assertThat(e.file(), containsString(name));
        assertThat(e.offset(), equalTo((long) RecordLogFormat.FILE_HEADER_SIZE));
    }

    @Test
    void currentIsOneCheckedLine() throws IOException {
        Manifest.create(storage).close();
        String written = new String(storage.contents(LsmFileNames.CURRENT), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(
                "CURRENT is the magic, the MANIFEST's name, a CRC32C and a newline",
                written,
                org.hamcrest.Matchers.matchesPattern("storagelab-current v1 MANIFEST-000001 [0-9a-f]{8}\n"));
        assertThat(
                "written through CURRENT.tmp and a rename", storage.exists(LsmFileNames.CURRENT_TEMP), equalTo(false));
        storage.plant(LsmFileNames.CURRENT, "storagelab-current v1 MANIFEST-000005 3f0a3744\n".getBytes());
        assertThat("the handout's example", Manifest.readCurrent(storage), equalTo("MANIFEST-000005"));
        storage.plant(LsmFileNames.CURRENT, "storagelab-current v1 MANIFEST-000006 3f0a3744\n".getBytes());
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> Manifest.readCurrent(storage),
                "the checksum no longer matches the name");
        assertThat(e.getMessage(), containsString("checksum"));
    }

    @Test
    void currentNamingAMissingManifestIsCorruption() throws IOException {
        Manifest.create(storage).close();
        storage.delete("MANIFEST-000001");
        CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.recover(storage));
        assertThat(e.getMessage(), containsString("MANIFEST-000001"));
    }

    @Test
    void obsoleteFilesAreOldManifestsDeadTablesAndOldLogs() throws IOException {
        Manifest.create(storage).close();
        try (Manifest m = Manifest.recover(storage)) { // MANIFEST-000002 replaces MANIFEST-000001
            long dead = m.newFileNumber();
            long live = m.newFileNumber();
            long pending = m.newFileNumber();
            long oldLog = m.newFileNumber();
            long newLog = m.newFileNumber();
            for (long n : new long[] {dead, live, pending}) {
                storage.create(LsmFileNames.table(n)).close();
            }
            storage.create(LsmFileNames.log(oldLog)).close();
            storage.create(LsmFileNames.log(newLog)).close();
            m.logAndApply(new VersionEdit().addFile(0, table(dead, "a", "b")));
            m.logAndApply(new VersionEdit()
                    .deleteFile(0, dead)
                    .addFile(1, table(live, "a", "b"))
                    .setLogNumber(newLog));
            assertThat(
                    m.obsoleteFiles(Set.of(pending)),
                    containsInAnyOrder("MANIFEST-000001", LsmFileNames.table(dead), LsmFileNames.log(oldLog)));
        }
    }

    @Test
    void aRolloverRetiresTheManifestItReplaces() throws IOException {
        try (Manifest m = Manifest.create(storage).rolloverAt(200)) {
            for (int i = 0; i < 12; i++) {
                long n = m.newFileNumber();
                m.logAndApply(new VersionEdit().addFile(0, table(n, "a", "b")));
            }
            Set<String> retired = Set.copyOf(m.takeRetired());
            Set<String> oldManifests = m.obsoleteFiles(Set.of()).stream()
                    .filter(n -> n.startsWith(LsmFileNames.MANIFEST_PREFIX))
                    .collect(Collectors.toSet());
            assertThat("12 edits past a 200-byte limit rolled over", oldManifests.size(), greaterThan(2));
            assertThat("the retired MANIFESTs are the ones a listing finds obsolete", retired, equalTo(oldManifests));
            assertThat("each is handed out once", m.takeRetired(), empty());
        }
    }
}
