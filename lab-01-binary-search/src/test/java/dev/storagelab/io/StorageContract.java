package dev.storagelab.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Storage} promises for ordinary operations, written once and run against each
 * implementation: {@link DiskStorageContractTest}, {@link FaultInjectingStorageContractTest} and
 * {@link CountingStorageContractTest}. An engine tested on the in-memory storage behaves the same
 * on disk only if these pass for both.
 */
abstract class StorageContract {

    /** A fresh, empty storage for one test. */
    abstract Storage newStorage() throws IOException;

    /**
     * Whether a deleted or replaced file stays readable through a handle opened before, as on
     * POSIX. Windows refuses to delete an open file, so the disk implementation says no there.
     */
    boolean keepsUnlinkedFilesReadable() {
        return true;
    }

    Storage storage;

    @BeforeEach
    void openStorage() throws IOException {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() throws IOException {
        storage.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /** {@code n} bytes from a seeded generator: content no test can match by accident. */
    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    void write(String name, byte[] content) throws IOException {
        try (WritableFile f = storage.create(name)) {
            f.append(content);
            f.force();
        }
    }

    byte[] read(String name) throws IOException {
        try (ReadableFile f = storage.openRead(name)) {
            return f.readFully(0, Math.toIntExact(f.size()));
        }
    }

    // ---------------------------------------------------------------- create and append

    @Test
    void createMakesAnEmptyFileThatExists() throws IOException {
        try (WritableFile f = storage.create("a.log")) {
            assertThat("a new file's writer starts at size 0", f.size(), is(0L));
            assertThat("the writer knows its file's name", f.name(), is("a.log"));
        }
        assertThat("create makes the file visible at once", storage.exists("a.log"), is(true));
        assertThat("a created file is empty", storage.size("a.log"), is(0L));
    }

    @Test
    void createFailsIfTheFileExistsAndLeavesItUntouched() throws IOException {
        write("a.log", bytes("precious"));
        assertThrows(
                FileAlreadyExistsException.class,
                () -> storage.create("a.log"),
                "create must never truncate an existing file: that would silently destroy data");
        assertThat("the existing file keeps its bytes", read("a.log"), equalTo(bytes("precious")));
    }

    @Test
    void appendsGrowTheFileAndReadBackInOrder() throws IOException {
        byte[] first = randomBytes(700, 1);
        byte[] second = randomBytes(1300, 2);
        try (WritableFile f = storage.create("a.log")) {
            f.append(first);
            assertThat("writer size counts appended bytes", f.size(), is(700L));
            f.append(ByteBuffer.wrap(second));
            assertThat("writer size counts appended bytes, forced or not", f.size(), is(2000L));
            assertThat("storage size sees unforced appends too", storage.size("a.log"), is(2000L));
        }
        byte[] expected = new byte[2000];
        System.arraycopy(first, 0, expected, 0, 700);
        System.arraycopy(second, 0, expected, 700, 1300);
        assertThat("appends land one after the other", read("a.log"), equalTo(expected));
    }

    @Test
    void appendOfASliceWritesOnlyThatSlice() throws IOException {
        try (WritableFile f = storage.create("a.log")) {
            f.append(bytes("0123456789"), 3, 4);
            ByteBuffer buf = ByteBuffer.wrap(bytes("abcdef"));
            buf.position(2).limit(5);
            f.append(buf);
            assertThat("append consumes the buffer's remaining bytes", buf.remaining(), is(0));
        }
        assertThat(
                "only offset..offset+length of the array and position..limit of the buffer are written",
                read("a.log"),
                equalTo(bytes("3456cde")));
    }

    @Test
    void openAppendContinuesAtTheEndOfAnExistingFile() throws IOException {
        write("a.log", bytes("head-"));
        try (WritableFile f = storage.openAppend("a.log")) {
            assertThat("a reopened writer starts at the file's end", f.size(), is(5L));
            f.append(bytes("tail"));
        }
        assertThat("reopening must not overwrite or truncate", read("a.log"), equalTo(bytes("head-tail")));
    }

    @Test
    void forceKeepsEveryByteReadable() throws IOException {
        byte[] content = randomBytes(3000, 3);
        try (WritableFile f = storage.create("a.log")) {
            f.append(content);
            f.force();
            f.force();
            assertThat("force does not change the size", f.size(), is(3000L));
        }
        assertThat("force does not change the bytes", read("a.log"), equalTo(content));
    }

    @Test
    void openingAMissingFileFailsWithNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> storage.openRead("missing"), "openRead of a missing file");
        assertThrows(
                NoSuchFileException.class,
                () -> storage.openAppend("missing"),
                "openAppend must not create a file: that is create's job");
        assertThrows(NoSuchFileException.class, () -> storage.size("missing"), "size of a missing file");
    }

    @Test
    void existsIsFalseForAMissingFile() throws IOException {
        assertThat(storage.exists("missing"), is(false));
    }

    // ---------------------------------------------------------------- writes in place

    @Test
    void writeAtOverwritesBytesInTheMiddleAndLeavesTheRest() throws IOException {
        byte[] content = randomBytes(3000, 20);
        write("pages", content);
        byte[] page = randomBytes(700, 21);
        try (WritableFile f = storage.openAppend("pages")) {
            f.writeAt(1000, page);
            assertThat("an overwrite inside the file does not change its size", f.size(), is(3000L));
        }
        byte[] expected = content.clone();
        System.arraycopy(page, 0, expected, 1000, 700);
        assertThat("bytes [1000, 1700) are replaced, every other byte is as before", read("pages"), equalTo(expected));
    }

    @Test
    void writeAtRunningPastTheEndExtendsTheFile() throws IOException {
        write("pages", bytes("0123456789"));
        try (WritableFile f = storage.openAppend("pages")) {
            f.writeAt(8, bytes("abcd"));
            assertThat("a write over the end grows the file to where the write ends", f.size(), is(12L));
            f.writeAt(12, bytes("EF"));
            assertThat("a write at exactly the end is allowed: it adds to the file", f.size(), is(14L));
        }
        assertThat(storage.size("pages"), is(14L));
        assertThat(read("pages"), equalTo(bytes("01234567abcdEF")));
    }

    @Test
    void writeAtWritesTheBuffersRemainingBytesAndConsumesThem() throws IOException {
        try (WritableFile f = storage.create("pages")) {
            f.append(bytes("0123456789"));
            ByteBuffer buf = ByteBuffer.wrap(bytes("abcdef"));
            buf.position(1).limit(4);
            f.writeAt(2, buf);
            assertThat("writeAt consumes the buffer's remaining bytes", buf.remaining(), is(0));
        }
        assertThat("only position..limit of the buffer is written", read("pages"), equalTo(bytes("01bcd56789")));
    }

    @Test
    void appendAfterWriteAtStillGoesToTheEnd() throws IOException {
        try (WritableFile f = storage.create("pages")) {
            f.append(bytes("0123456789"));
            f.writeAt(0, bytes("ab"));
            f.append(bytes("XY"));
            assertThat(f.size(), is(12L));
        }
        assertThat("a positional write does not move where appends go", read("pages"), equalTo(bytes("ab23456789XY")));
    }

    @Test
    void writeAtMatchesAByteArrayOracleOverManyWrites() throws IOException {
        Random random = new Random(22);
        byte[] oracle = new byte[0];
        try (WritableFile f = storage.create("pages")) {
            for (int i = 0; i < 60; i++) {
                byte[] chunk = randomBytes(random.nextInt(1500), i);
                boolean append = random.nextInt(4) == 0;
                int position = append ? oracle.length : random.nextInt(oracle.length + 1);
                if (append) {
                    f.append(chunk);
                } else {
                    f.writeAt(position, chunk);
                }
                oracle = Arrays.copyOf(oracle, Math.max(oracle.length, position + chunk.length));
                System.arraycopy(chunk, 0, oracle, position, chunk.length);
                assertThat("size after write #" + i, f.size(), is((long) oracle.length));
            }
        }
        assertThat(
                "the file holds what the writes, applied in order to an array, give", read("pages"), equalTo(oracle));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 11, Long.MIN_VALUE, Long.MAX_VALUE})
    void writeAtOutsideTheFileIsRejectedNamingTheFilePositionAndSize(long bad) throws IOException {
        write("pages.db", bytes("0123456789"));
        try (WritableFile f = storage.openAppend("pages.db")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> f.writeAt(bad, bytes("x")),
                    "a write must start inside the file or at its end: past the end it would leave a hole");
            assertThat(
                    "the message says which file, which position and how big the file is",
                    e.getMessage(),
                    allOf(containsString("pages.db"), containsString(String.valueOf(bad)), containsString("size 10")));
            assertThat("a rejected write leaves the size alone", f.size(), is(10L));
        }
        assertThat("a rejected write changes no byte", read("pages.db"), equalTo(bytes("0123456789")));
    }

    // ---------------------------------------------------------------- reads

    @Test
    void positionalReadReturnsTheBytesAtThatOffset() throws IOException {
        byte[] content = randomBytes(5000, 4);
        write("a.log", content);
        try (ReadableFile f = storage.openRead("a.log")) {
            assertThat(f.name(), is("a.log"));
            assertThat("reader size", f.size(), is(5000L));
            for (int offset : new int[] {0, 1, 511, 512, 4000}) {
                byte[] got = f.readFully(offset, 100);
                byte[] want = Arrays.copyOfRange(content, offset, offset + 100);
                assertThat("bytes at offset " + offset, got, equalTo(want));
            }
        }
    }

    @Test
    void readAtTheEndReturnsShortThenMinusOne() throws IOException {
        write("a.log", bytes("0123456789"));
        try (ReadableFile f = storage.openRead("a.log")) {
            ByteBuffer dst = ByteBuffer.allocate(8);
            int n = f.read(6, dst);
            assertThat("a read near the end returns only the bytes that exist", n, is(4));
            assertThat(Arrays.copyOf(dst.array(), 4), equalTo(bytes("6789")));
            assertThat("a read at the end signals end of file with -1", f.read(10, ByteBuffer.allocate(8)), is(-1));
            assertThat("a read past the end signals end of file with -1", f.read(50, ByteBuffer.allocate(8)), is(-1));
        }
    }

    @Test
    void readFullyPastTheEndThrowsEofNamingTheFileAndTheOffset() throws IOException {
        write("seg-000042", randomBytes(100, 5));
        try (ReadableFile f = storage.openRead("seg-000042")) {
            EOFException e = assertThrows(
                    EOFException.class, () -> f.readFully(90, 20), "readFully must not return a half-filled buffer");
            assertThat(
                    "an operator must be able to find the short file and where it ended",
                    e.getMessage(),
                    allOf(containsString("seg-000042"), containsString("100")));
            EOFException past = assertThrows(EOFException.class, () -> f.readFully(200, 1));
            assertThat(
                    "the message names the offset the read wanted and where the file ends",
                    past.getMessage(),
                    allOf(containsString("seg-000042"), containsString("offset 200"), containsString("100")));
        }
    }

    @Test
    void aReaderSeesBytesAppendedAfterItWasOpened() throws IOException {
        try (WritableFile w = storage.create("a.log");
                ReadableFile r = storage.openRead("a.log")) {
            w.append(bytes("late"));
            assertThat("a reader's size follows the file", r.size(), is(4L));
            assertThat(r.readFully(0, 4), equalTo(bytes("late")));
        }
    }

    // ---------------------------------------------------------------- directory operations

    @Test
    void listIsSortedByName() throws IOException {
        assertThat("a new storage is empty", storage.list(), is(empty()));
        List<String> names = new ArrayList<>(List.of("000010.log", "000002.log", "b.seg", "MANIFEST", "a.tmp"));
        for (String name : names) {
            write(name, bytes(name));
        }
        Collections.sort(names);
        assertThat(
                "list returns every file, sorted, so engines see segments in number order",
                storage.list(),
                equalTo(names));
    }

    @Test
    void renameMovesTheFileWithItsBytes() throws IOException {
        byte[] content = randomBytes(1000, 6);
        write("x.tmp", content);
        storage.rename("x.tmp", "x.seg");
        assertThat("after rename only the new name exists", storage.list(), contains("x.seg"));
        assertThat("rename keeps the bytes", read("x.seg"), equalTo(content));
    }

    @Test
    void renameReplacesAnExistingTarget() throws IOException {
        write("CURRENT", bytes("old"));
        write("CURRENT.tmp", bytes("new"));
        storage.rename("CURRENT.tmp", "CURRENT");
        assertThat(
                "rename onto an existing file replaces it: that is how a file is published",
                storage.list(),
                contains("CURRENT"));
        assertThat(read("CURRENT"), equalTo(bytes("new")));
    }

    @Test
    void aReaderOfAReplacedTargetKeepsReadingTheOldBytes() throws IOException {
        assumeTrue(keepsUnlinkedFilesReadable());
        write("CURRENT", bytes("old"));
        write("CURRENT.tmp", bytes("new"));
        try (ReadableFile old = storage.openRead("CURRENT")) {
            storage.rename("CURRENT.tmp", "CURRENT");
            assertThat(
                    "a reader never sees a mix: it keeps the file it opened",
                    old.readFully(0, 3),
                    equalTo(bytes("old")));
        }
    }

    @Test
    void aWriterFollowsItsFileAcrossARename() throws IOException {
        try (WritableFile f = storage.create("x.tmp")) {
            f.append(bytes("before-"));
            storage.rename("x.tmp", "x.seg");
            f.append(bytes("after"));
        }
        assertThat("a handle names a file, not a path", read("x.seg"), equalTo(bytes("before-after")));
    }

    @Test
    void renameOfAMissingFileFailsWithNoSuchFile() throws IOException {
        write("b", bytes("b"));
        assertThrows(NoSuchFileException.class, () -> storage.rename("missing", "b"));
        assertThat("a failed rename leaves the target alone", read("b"), equalTo(bytes("b")));
    }

    @Test
    void deleteRemovesTheFile() throws IOException {
        write("a.log", bytes("a"));
        write("b.log", bytes("b"));
        storage.delete("a.log");
        assertThat(storage.exists("a.log"), is(false));
        assertThat("delete touches only its file", storage.list(), contains("b.log"));
        assertThrows(NoSuchFileException.class, () -> storage.delete("a.log"), "deleting twice");
    }

    @Test
    void anOpenReaderStillReadsADeletedFile() throws IOException {
        assumeTrue(keepsUnlinkedFilesReadable());
        byte[] content = randomBytes(2000, 7);
        write("old.seg", content);
        try (ReadableFile f = storage.openRead("old.seg")) {
            storage.delete("old.seg");
            assertThat("the name is gone", storage.exists("old.seg"), is(false));
            assertThat(
                    "compaction may delete a segment a reader still uses, as on POSIX",
                    f.readFully(0, 2000),
                    equalTo(content));
        }
    }

    @Test
    void truncateShortensTheFile() throws IOException {
        byte[] content = randomBytes(1000, 8);
        write("a.log", content);
        storage.truncate("a.log", 300);
        assertThat("truncate sets the size", storage.size("a.log"), is(300L));
        assertThat("truncate keeps the prefix", read("a.log"), equalTo(Arrays.copyOf(content, 300)));
    }

    @Test
    void truncateNeverGrowsAFile() throws IOException {
        write("a.log", bytes("abc"));
        storage.truncate("a.log", 10);
        assertThat("truncate to a larger size leaves the file as it is", read("a.log"), equalTo(bytes("abc")));
    }

    @Test
    void appendAfterTruncateGoesToTheNewEnd() throws IOException {
        try (WritableFile f = storage.create("a.log")) {
            f.append(bytes("good-torn"));
            storage.truncate("a.log", 5);
            assertThat("the writer's size follows the cut", f.size(), is(5L));
            f.append(bytes("next"));
        }
        assertThat(
                "appends go to the end of the file, with no hole where the torn tail was",
                read("a.log"),
                equalTo(bytes("good-next")));
    }

    @Test
    void aWriterFollowsItsFileThroughARenameAndATruncate() throws IOException {
        try (WritableFile f = storage.create("a.tmp")) {
            f.append(bytes("good-torn"));
            storage.rename("a.tmp", "a.log");
            storage.truncate("a.log", 5);
            assertThat("the writer's size follows the cut of its renamed file", f.size(), is(5L));
            f.append(bytes("next"));
            storage.truncate("a.log", 100);
            assertThat("a truncate past the end leaves the writer's size alone", f.size(), is(9L));
        }
        assertThat(
                "appends go to the end of the renamed file, with no hole", read("a.log"), equalTo(bytes("good-next")));
    }

    @Test
    void aWriterOfAFileReplacedByARenameKeepsItsOwnSize() throws IOException {
        write("b.tmp", bytes("xy"));
        try (WritableFile f = storage.create("a.log")) {
            f.append(bytes("abcdef"));
            storage.rename("b.tmp", "a.log");
            storage.truncate("a.log", 1);
            assertThat("a cut of the file that replaced this writer's is not this writer's", f.size(), is(6L));
        }
        assertThat(read("a.log"), equalTo(bytes("x")));
    }

    @Test
    void truncateOfAMissingFileFailsWithNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> storage.truncate("missing", 0));
    }

    @Test
    void syncDirectoryChangesNothingVisible() throws IOException {
        write("a", bytes("a"));
        storage.syncDirectory();
        storage.syncDirectory();
        assertThat(storage.list(), contains("a"));
        assertThat(read("a"), equalTo(bytes("a")));
    }

    @Test
    void describeNamesTheFile() {
        assertThat(
                "error messages use describe to say which file",
                storage.describe("000007.seg"),
                containsString("000007.seg"));
    }

    // ---------------------------------------------------------------- names

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../x", "a/b", "/etc/passwd", "a\\b", "nul\0byte"})
    void badNamesAreRejectedByEveryOperation(String bad) throws IOException {
        write("ok", bytes("ok"));
        List<ThrowingCall> calls = List.of(
                () -> storage.create(bad),
                () -> storage.openAppend(bad),
                () -> storage.openRead(bad),
                () -> storage.exists(bad),
                () -> storage.size(bad),
                () -> storage.rename("ok", bad),
                () -> storage.rename(bad, "ok"),
                () -> storage.delete(bad),
                () -> storage.truncate(bad, 0));
        for (ThrowingCall call : calls) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    call::run,
                    "a name that is not a plain file name must be rejected, never resolved outside the directory");
            assertThat("the message says what a name must be", e.getMessage(), containsString("file name must"));
        }
        assertThat("rejected calls change nothing", storage.list(), contains("ok"));
        assertThat(read("ok"), equalTo(bytes("ok")));
    }

    @Test
    void nullNameIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> storage.create(null));
        assertThat(e.getMessage(), containsString("non-empty"));
    }

    interface ThrowingCall {
        void run() throws IOException;
    }
}
