package dev.storagelab.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DiskStorage} checked against the file system itself ({@link Files} is the oracle): what
 * the storage says it did must be what is on disk. The behaviour it shares with the in-memory
 * storage is in {@link StorageContract}.
 */
class DiskStorageTest {

    @TempDir
    Path tmp;

    /** The storage lives one level down, so a name escaping it would land in {@link #tmp}, where we can see it. */
    Path dir;

    DiskStorage storage;

    @BeforeEach
    void open() throws IOException {
        dir = tmp.resolve("db");
        storage = DiskStorage.open(dir);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void openCreatesTheDirectoryAndItsParents() throws IOException {
        Path nested = tmp.resolve("x").resolve("y").resolve("z");
        DiskStorage s = DiskStorage.open(nested);
        assertThat("open must create a missing directory", Files.isDirectory(nested), is(true));
        assertThat(s.directory(), equalTo(nested.toAbsolutePath()));
    }

    @Test
    void createPutsAnEmptyFileInTheDirectory() throws IOException {
        storage.create("a.log").close();
        assertThat("the file is on disk, inside the directory", Files.size(dir.resolve("a.log")), is(0L));
    }

    @Test
    void createFailsIfAFileIsAlreadyOnDisk() throws IOException {
        Files.write(dir.resolve("a.log"), "there".getBytes(UTF_8));
        assertThrows(FileAlreadyExistsException.class, () -> storage.create("a.log"));
        assertThat(
                "the file on disk is untouched",
                Files.readAllBytes(dir.resolve("a.log")),
                equalTo("there".getBytes(UTF_8)));
    }

    @Test
    void appendedAndForcedBytesAreOnDisk() throws IOException {
        byte[] content = randomBytes(10_000, 1);
        try (WritableFile f = storage.create("a.log")) {
            f.append(content, 0, 4000);
            f.append(content, 4000, 6000);
            f.force();
            assertThat("size agrees with the file system", f.size(), is(Files.size(dir.resolve("a.log"))));
        }
        assertThat(Files.readAllBytes(dir.resolve("a.log")), equalTo(content));
        assertThat(storage.size("a.log"), is(10_000L));
    }

    @Test
    void writeAtOverwritesPagesInPlaceOnDisk() throws IOException {
        byte[] content = randomBytes(8192, 5);
        Files.write(dir.resolve("pages.db"), content);
        byte[] page = randomBytes(4096, 6);
        byte[] tail = randomBytes(1000, 7);
        try (WritableFile f = storage.openAppend("pages.db")) {
            f.writeAt(4096, page);
            f.writeAt(7692, tail);
            f.force();
            assertThat("size agrees with the file system", f.size(), is(Files.size(dir.resolve("pages.db"))));
        }
        byte[] expected = Arrays.copyOf(content, 8692);
        System.arraycopy(page, 0, expected, 4096, 4096);
        System.arraycopy(tail, 0, expected, 7692, 1000);
        assertThat(
                "the page replaced bytes [4096, 8192) in place (not appended: O_APPEND would do that), "
                        + "and the last write extended the file to 8692 bytes",
                Files.readAllBytes(dir.resolve("pages.db")),
                equalTo(expected));
        try (ReadableFile f = DiskStorage.open(dir).openRead("pages.db")) {
            assertThat(
                    "a storage opened afresh on the directory reads the same bytes",
                    f.readFully(0, expected.length),
                    equalTo(expected));
        }
    }

    @Test
    void positionalReadsSeeWhatIsOnDisk() throws IOException {
        byte[] content = randomBytes(8192, 2);
        Files.write(dir.resolve("seg"), content);
        try (ReadableFile f = storage.openRead("seg")) {
            assertThat(f.readFully(4096, 512), equalTo(Arrays.copyOfRange(content, 4096, 4608)));
            assertThat(f.readFully(8191, 1), equalTo(Arrays.copyOfRange(content, 8191, 8192)));
        }
    }

    @Test
    void aMappedReaderSeesPagesWrittenInPlaceAndPastItsMappingAndMapsThemAsTheFileGrows() throws IOException {
        int page = 4096;
        byte[] first = randomBytes(3 * page, 3);
        byte[] later = randomBytes(40 * page, 4);
        try (WritableFile w = storage.create("pages")) {
            w.append(first);
            try (MappedReadableFile r = (MappedReadableFile) storage.openReadMapped("pages")) {
                assertThat("the file as it was at open is mapped", r.mappedBytes(), is((long) first.length));
                w.append(later);
                byte[] in = randomBytes(page, 5);
                w.writeAt(page, java.nio.ByteBuffer.wrap(in));
                assertThat(
                        "a page written in place after the mapping was made is read as written",
                        r.readFully(page, page),
                        equalTo(in));
                for (int p = 0; p < later.length / page; p++) {
                    assertThat(
                            "page " + (3 + p) + ", written after the reader mapped the file",
                            r.readFully((3L + p) * page, page),
                            equalTo(Arrays.copyOfRange(later, p * page, (p + 1) * page)));
                }
                assertThat(
                        "reads past the mapping that found bytes map the file again, as far as it reaches",
                        r.mappedBytes(),
                        is((long) first.length + later.length));
                assertThat(
                        "a read across the end of the file is short",
                        r.read(43L * page - 10, java.nio.ByteBuffer.allocate(100)),
                        is(10));
                assertThrows(java.io.EOFException.class, () -> r.readFully(43L * page, 1));
            }
        }
    }

    @Test
    void listSeesEveryFileInTheDirectorySorted() throws IOException {
        for (String name : List.of("c", "a", "B", "000010.seg", "000009.seg")) {
            Files.write(dir.resolve(name), new byte[] {1});
        }
        assertThat(
                "list is sorted by String order, as the in-memory storage sorts",
                storage.list(),
                contains("000009.seg", "000010.seg", "B", "a", "c"));
    }

    @Test
    void renameReplacesTheTargetOnDisk() throws IOException {
        Files.write(dir.resolve("CURRENT"), "old".getBytes(UTF_8));
        Files.write(dir.resolve("CURRENT.tmp"), "new".getBytes(UTF_8));
        storage.rename("CURRENT.tmp", "CURRENT");
        assertThat("the temporary name is gone", Files.exists(dir.resolve("CURRENT.tmp")), is(false));
        assertThat(
                "the target holds the new bytes",
                Files.readAllBytes(dir.resolve("CURRENT")),
                equalTo("new".getBytes(UTF_8)));
    }

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "Windows refuses to delete an open file")
    void deleteRemovesTheNameButAnOpenReaderKeepsReading() throws IOException {
        byte[] content = randomBytes(3000, 3);
        Files.write(dir.resolve("old.seg"), content);
        try (ReadableFile f = storage.openRead("old.seg")) {
            storage.delete("old.seg");
            assertThat("the directory entry is gone", Files.exists(dir.resolve("old.seg")), is(false));
            assertThat(
                    "the open handle still reads the unlinked inode, as POSIX promises",
                    f.readFully(0, 3000),
                    equalTo(content));
        }
    }

    @Test
    void truncateCutsTheFileOnDisk() throws IOException {
        byte[] content = randomBytes(1000, 4);
        Files.write(dir.resolve("a.log"), content);
        storage.truncate("a.log", 123);
        assertThat(Files.readAllBytes(dir.resolve("a.log")), equalTo(Arrays.copyOf(content, 123)));
    }

    @Test
    void syncDirectoryDoesNotThrow() throws IOException {
        storage.create("a").close();
        storage.rename("a", "b");
        assertDoesNotThrow(storage::syncDirectory, "fsync of the directory must work on this platform");
    }

    @Test
    void describeGivesTheFilesPath() {
        assertThat(
                "error messages should name the real path",
                storage.describe("000007.seg"),
                is(dir.resolve("000007.seg").toAbsolutePath().toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "", "..", "."})
    void badNamesAreRejectedWithAClearMessageAndNothingEscapes(String bad) throws IOException {
        Files.createDirectories(dir.resolve("a"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> storage.create(bad), "create(\"" + bad + "\") must be refused");
        assertThat("the message quotes the rule", e.getMessage(), containsString("file name must be"));
        assertThat("nothing was created next to the directory", Files.exists(tmp.resolve("x")), is(false));
        assertThat(
                "nothing was created in a subdirectory",
                Files.exists(dir.resolve("a").resolve("b")),
                is(false));
    }
}
