package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-04 T2: {@link PageFile#write} and {@link PageFile#read}. Physical page {@code p}
 * lives at byte {@code p * pageSize}; {@code write} seals it with a CRC32C of bytes
 * {@code [4, pageSize)} stored big-endian in bytes {@code [0, 4)}; {@code read} refuses a page that
 * is not wholly in the file, fails its checksum, has an unknown version, has the wrong type, or
 * carries another page's id (a misdirected write). Every refusal is a {@link CorruptionException}
 * naming the file, the page's byte offset, the page and what failed.
 *
 * <p>Most tests use lab-01's {@link FaultInjectingStorage}, whose {@code flipBit} and {@code plant}
 * make bit rot and torn pages on demand.
 */
class PageFileTest {

    private static final String NAME = "test.pages";
    private static final int PAGE_SIZE = 512;

    @TempDir
    Path dir;

    private static PageFile create(Storage storage, int pageSize) throws IOException {
        storage.create(NAME).close();
        return new PageFile(storage, NAME, pageSize);
    }

    /** A page of {@code type} with id {@code id}, its body filled with a pattern that starts at {@code seed}. */
    private static byte[] page(int pageSize, byte type, long id, int seed) {
        byte[] page = new byte[pageSize];
        new SlottedPage(page).init(type, id);
        for (int i = PageFormat.HEADER_SIZE; i < pageSize; i++) {
            page[i] = (byte) (seed + i * 31);
        }
        return page;
    }

    private static byte[] body(byte[] page) {
        return Arrays.copyOfRange(page, PageFormat.CHECKED_FROM, page.length);
    }

    @Test
    void aWrittenPageReadsBackIntact() throws IOException {
        try (DiskStorage storage = DiskStorage.open(dir);
                PageFile file = create(storage, PAGE_SIZE)) {
            byte[] leaf = page(PAGE_SIZE, PageFormat.TYPE_LEAF, 7, 1);
            byte[] internal = page(PAGE_SIZE, PageFormat.TYPE_INTERNAL, 9, 2);
            file.write(0, leaf);
            file.write(1, internal);
            byte[] read = new byte[PAGE_SIZE];
            file.read(0, 7, PageFormat.TYPE_LEAF, read);
            assertThat(
                    "physical page 0 reads back as written (bytes 4.. are the page; 0..3 the checksum)",
                    body(read),
                    equalTo(body(leaf)));
            file.read(1, 9, PageFormat.TYPE_NODE, read);
            assertThat(
                    "TYPE_NODE accepts an internal page; physical page 1 reads back as written",
                    body(read),
                    equalTo(body(internal)));
            file.read(0, 7, PageFormat.TYPE_NODE, read);
            assertThat("TYPE_NODE accepts a leaf page too", body(read), equalTo(body(leaf)));
            assertThat("two pages make a file of two pages", storage.size(NAME), is(2L * PAGE_SIZE));
        }
    }

    @Test
    void thePageIsStoredAtItsOffsetSealedWithABigEndianCrc32c() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(1);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            byte[] page = page(PAGE_SIZE, PageFormat.TYPE_LEAF, 5, 3);
            file.write(0, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 4, 0));
            file.write(1, page);
            byte[] stored = Arrays.copyOfRange(storage.contents(NAME), PAGE_SIZE, 2 * PAGE_SIZE);
            assertThat(
                    "physical page 1 is the bytes [512, 1024) of the file: after the checksum, exactly the page",
                    body(stored),
                    equalTo(body(page)));
            assertThat(
                    "bytes [0, 4) of a stored page hold the CRC32C of bytes [4, pageSize), big-endian",
                    ByteBuffer.wrap(stored).getInt(PageFormat.CRC_OFFSET),
                    is(PageFile.checksum(stored)));
        }
    }

    @Test
    void aRunOfPagesIsWrittenWholeEachPageSealedAndAGapBeforeItZeroFilled() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(9);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            file.write(0, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 1, 1));
            byte[][] run = new byte[PageFile.MAX_RUN][];
            for (int i = 0; i < 3; i++) {
                run[i] = page(PAGE_SIZE, PageFormat.TYPE_LEAF, 10 + i, 20 + i);
            }
            file.writeRun(2, run, 3); // past the end: physical page 1 becomes a page of zeros
            assertThat("the run ends the file", storage.size(NAME), is(5L * PAGE_SIZE));
            assertThat(
                    "the gap before the run is zeros",
                    Arrays.copyOfRange(storage.contents(NAME), PAGE_SIZE, 2 * PAGE_SIZE),
                    equalTo(new byte[PAGE_SIZE]));
            byte[] read = new byte[PAGE_SIZE];
            for (int i = 0; i < 3; i++) {
                file.read(2 + i, 10 + i, PageFormat.TYPE_LEAF, read); // checked: its own checksum
                assertThat(
                        "physical page " + (2 + i) + " holds the run's page " + i,
                        body(read),
                        equalTo(body(page(PAGE_SIZE, PageFormat.TYPE_LEAF, 10 + i, 20 + i))));
            }
            byte[] second = page(PAGE_SIZE, PageFormat.TYPE_INTERNAL, 11, 7);
            run[0] = second;
            file.writeRun(3, run, 1); // a run of one inside the file: written in place
            file.read(3, 11, PageFormat.TYPE_INTERNAL, read);
            assertThat("a run rewrites its pages in place", body(read), equalTo(body(second)));
            assertThat("the file did not grow", storage.size(NAME), is(5L * PAGE_SIZE));
        }
    }

    @Test
    void overwritingAPageReplacesItInPlace() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(2);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            file.write(0, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 1, 1));
            file.write(1, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 2, 2));
            byte[] second = page(PAGE_SIZE, PageFormat.TYPE_INTERNAL, 1, 9);
            file.write(0, second);
            assertThat("rewriting physical page 0 does not grow the file", storage.size(NAME), is(2L * PAGE_SIZE));
            byte[] read = new byte[PAGE_SIZE];
            file.read(0, 1, PageFormat.TYPE_INTERNAL, read);
            assertThat("physical page 0 holds the second version", body(read), equalTo(body(second)));
            file.read(1, 2, PageFormat.TYPE_LEAF, read);
            assertThat(
                    "physical page 1 is untouched by the rewrite of page 0",
                    body(read),
                    equalTo(body(page(PAGE_SIZE, PageFormat.TYPE_LEAF, 2, 2))));
        }
    }

    @Test
    void aFlippedBitIsAChecksumMismatchNamingFileOffsetAndPage() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(3);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            for (int p = 0; p < 5; p++) {
                file.write(p, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 10 + p, p));
            }
            storage.flipBit(NAME, 3L * PAGE_SIZE + 300, 5);
            byte[] read = new byte[PAGE_SIZE];
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(3, 13, PageFormat.TYPE_LEAF, read),
                    "one flipped bit in physical page 3 must fail its checksum: a corrupt page is never handed to the tree");
            assertThat("the exception names the file", e.file(), is(NAME));
            assertThat("the exception names the page's byte offset: 3 * 512", e.offset(), is(3L * PAGE_SIZE));
            assertThat(
                    "the message names the page, its physical place and what failed",
                    e.getMessage(),
                    allOf(containsString("page 13"), containsString("physical 3"), containsString("checksum")));
            file.read(2, 12, PageFormat.TYPE_LEAF, read);
            file.read(4, 14, PageFormat.TYPE_LEAF, read);
            assertThat(
                    "the pages around the bad one still read",
                    body(read),
                    equalTo(body(page(PAGE_SIZE, PageFormat.TYPE_LEAF, 14, 4))));
            storage.flipBit(NAME, 1L * PAGE_SIZE + 1, 0);
            assertThat(
                    "a flipped bit in the stored checksum itself fails too",
                    assertThrows(
                                    CorruptionException.class,
                                    () -> file.read(1, 11, PageFormat.TYPE_LEAF, read),
                                    "bytes 0-3 are the checksum: a flipped bit there is a mismatch like any other")
                            .getMessage(),
                    containsString("checksum"));
        }
    }

    @Test
    void aTornPageFailsItsChecksum() throws IOException {
        int pageSize = 1024; // two 512-byte sectors: a crash may leave one new and one old
        FaultInjectingStorage storage = new FaultInjectingStorage(4);
        byte[] oldVersion;
        byte[] newVersion;
        try (PageFile file = create(storage, pageSize)) {
            file.write(0, page(pageSize, PageFormat.TYPE_LEAF, 1, 1));
            file.write(1, page(pageSize, PageFormat.TYPE_LEAF, 2, 2));
            oldVersion = storage.contents(NAME);
            file.write(1, page(pageSize, PageFormat.TYPE_LEAF, 2, 77));
            newVersion = storage.contents(NAME);
        }
        byte[] torn = newVersion.clone();
        System.arraycopy(oldVersion, pageSize + 512, torn, pageSize + 512, 512); // second sector still old
        storage.plant(NAME, torn);
        try (PageFile file = new PageFile(storage, NAME, pageSize)) {
            byte[] read = new byte[pageSize];
            file.read(0, 1, PageFormat.TYPE_LEAF, read);
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(1, 2, PageFormat.TYPE_LEAF, read),
                    "a page whose first sector is new and second sector old (a torn overwrite) must fail its checksum");
            assertThat(
                    "the message names the page and the failed checksum",
                    e.getMessage(),
                    allOf(containsString("page 2"), containsString("checksum")));
            assertThat("the offset of physical page 1", e.offset(), is((long) pageSize));
        }
    }

    @Test
    void aPagePastTheEndOfTheFileIsRefused() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(5);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            file.write(0, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 1, 1));
            file.write(1, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 2, 2));
            byte[] read = new byte[PAGE_SIZE];
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(5, 6, PageFormat.TYPE_LEAF, read),
                    "physical page 5 of a 2-page file does not exist: a CorruptionException, not an EOF or zeros");
            assertThat(
                    "the message names the page and says it is past the end",
                    e.getMessage(),
                    allOf(containsString("page 6"), containsString("physical 5"), containsString("past the end")));
            assertThat("the offset where the page should be", e.offset(), is(5L * PAGE_SIZE));
        }
        // A file cut in the middle of its last page: a torn append.
        byte[] cut = Arrays.copyOf(storage.contents(NAME), PAGE_SIZE + 100);
        storage.plant(NAME, cut);
        try (PageFile file = new PageFile(storage, NAME, PAGE_SIZE)) {
            byte[] read = new byte[PAGE_SIZE];
            file.read(0, 1, PageFormat.TYPE_LEAF, read);
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(1, 2, PageFormat.TYPE_LEAF, read),
                    "only 100 bytes of physical page 1 are in the file: the whole page must be there");
            assertThat(
                    "a page cut short is past the end of the file too", e.getMessage(), containsString("past the end"));
        }
    }

    @Test
    void aPageWithAnotherPagesIdIsAMisdirectedWrite() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(6);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            file.write(0, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 1, 1));
            file.write(1, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 12, 2)); // meant for elsewhere
            byte[] read = new byte[PAGE_SIZE];
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(1, 17, PageFormat.TYPE_LEAF, read),
                    "physical page 1 holds page 12, but the caller expects page 17 there: the checksum is fine, the"
                            + " page is in the wrong place");
            assertThat(
                    "the message names the page expected, the id found and the cause",
                    e.getMessage(),
                    allOf(
                            containsString("page 17"),
                            containsString("physical 1"),
                            containsString("id 12"),
                            containsString("misdirected")));
            assertThat("the offset of physical page 1", e.offset(), is((long) PAGE_SIZE));
        }
    }

    @Test
    void aPageOfTheWrongTypeIsRefused() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(7);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            file.write(0, page(PAGE_SIZE, PageFormat.TYPE_LEAF, 3, 1));
            file.write(1, page(PAGE_SIZE, PageFormat.TYPE_TABLE, 0, 2));
            byte[] read = new byte[PAGE_SIZE];
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(0, 3, PageFormat.TYPE_INTERNAL, read),
                    "a leaf where an internal page is expected is refused");
            assertThat(
                    "the message names the page, the type found and the type expected",
                    e.getMessage(),
                    allOf(containsString("page 3"), containsString("leaf"), containsString("internal")));
            e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(1, 0, PageFormat.TYPE_NODE, read),
                    "TYPE_NODE accepts a leaf or an internal page, never a page-table page");
            assertThat("the message names the type found", e.getMessage(), containsString("page-table"));
        }
    }

    @Test
    void aPageOfAnUnknownFormatVersionIsRefused() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(8);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            byte[] future = page(PAGE_SIZE, PageFormat.TYPE_LEAF, 3, 1);
            future[PageFormat.VERSION_OFFSET] = 9;
            file.write(0, future); // sealed: the checksum is right, the version is not
            byte[] read = new byte[PAGE_SIZE];
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> file.read(0, 3, PageFormat.TYPE_LEAF, read),
                    "a page of format version 9 is not one this code can read, even with a good checksum");
            assertThat("the message says the version is wrong", e.getMessage(), containsString("version"));
        }
    }

    @Test
    void writingPastTheEndFillsTheGapWithPagesThatNeverPassTheChecksum() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(9);
        try (PageFile file = create(storage, PAGE_SIZE)) {
            byte[] far = page(PAGE_SIZE, PageFormat.TYPE_LEAF, 4, 4);
            file.write(4, far);
            assertThat(
                    "writing physical page 4 into an empty file makes it 5 pages long",
                    storage.size(NAME),
                    is(5L * PAGE_SIZE));
            assertThat("pageCount() counts the gap pages", file.pageCount(), is(5L));
            byte[] contents = storage.contents(NAME);
            assertThat(
                    "the gap, pages 0 to 3, is zeros",
                    Arrays.equals(contents, 0, 4 * PAGE_SIZE, new byte[4 * PAGE_SIZE], 0, 4 * PAGE_SIZE),
                    is(true));
            byte[] read = new byte[PAGE_SIZE];
            file.read(4, 4, PageFormat.TYPE_LEAF, read);
            assertThat("page 4 reads back", body(read), equalTo(body(far)));
            assertThrows(
                    CorruptionException.class,
                    () -> file.read(2, 2, PageFormat.TYPE_LEAF, read),
                    "a gap page was never written: reading it must fail, not return an empty page");
            byte[] filled = page(PAGE_SIZE, PageFormat.TYPE_INTERNAL, 2, 5);
            file.write(2, filled);
            file.read(2, 2, PageFormat.TYPE_INTERNAL, read);
            assertThat("a gap page written later reads back", body(read), equalTo(body(filled)));
            file.read(4, 4, PageFormat.TYPE_LEAF, read);
            assertThat("and page 4 is untouched", body(read), equalTo(body(far)));
            assertThat("filling a gap page does not grow the file", storage.size(NAME), is(5L * PAGE_SIZE));
        }
    }
}
