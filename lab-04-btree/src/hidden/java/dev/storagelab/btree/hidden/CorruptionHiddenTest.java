package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.Invariants;
import dev.storagelab.btree.PageFile;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.btree.SlottedPage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bit rot and misplaced pages in the page file (lab-04 T2 {@code PageFile.read}, T6 the buffer
 * pool's handling of a page that fails its checks, T3 meta slots and page table). Flips bits in
 * page headers, slot arrays, cells, free space, page-table pages and meta slots, copies whole
 * pages to the wrong place, and cuts the file short. A page the newest checkpoint references must
 * be reported as a {@link CorruptionException} naming the page file and the damaged page's byte
 * offset, at open or at the first read that touches it; never returned as data, and never as an
 * IndexOutOfBounds or NullPointerException from deep inside. The one exception is the meta page of
 * the newest checkpoint: a bad one is what a crash during its write leaves, so the tree falls back
 * to the previous checkpoint, cleanly. A page no checkpoint references must not matter at all.
 */
@Tag("hidden")
class CorruptionHiddenTest {

    private static final int PAGE = 512;
    /** A pool large enough to hold the whole test tree, so verifying every key is cheap. */
    private static final BTreeOptions READ = Trees.SMALL_LRU.withPoolFrames(256);
    /** Header bytes flipped in every page: crc, type, version, counts, cell start, page id, generation, links. */
    private static final int[] HEADER_OFFSETS = {0, 3, 4, 5, 7, 9, 11, 16, 23, 26, 31, 35, 41, 47};

    /** A closed page file with two checkpoints, stale and free pages, and more than one page-table page. */
    private record Built(byte[] bytes, TreeMap<Bytes, Bytes> model, Map<Long, String> referenced) {}

    private static Built build() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(3);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU)) {
            for (int i = 0; i < 420; i++) {
                put(tree, model, i, 30 + i % 20);
            }
            tree.checkpoint();
            for (int i = 0; i < 420; i += 3) {
                tree.delete(Trees.key(i));
                model.remove(Trees.key(i));
            }
            for (int i = 420; i < 470; i++) {
                put(tree, model, i, 25);
            }
        }
        byte[] bytes = storage.contents(BPlusTree.FILE_NAME);
        return new Built(bytes, model, PageFileSpec.referenced(bytes, PAGE));
    }

    private static void put(BPlusTree tree, TreeMap<Bytes, Bytes> model, int i, int length) throws IOException {
        Bytes key = Trees.key(i);
        Bytes value = Trees.value(i, length);
        tree.put(key, value);
        model.put(key, value);
    }

    @Test
    @Graded(
            task = "T2",
            points = 4,
            concept =
                    "a flipped bit in a leaf or internal page is returned as data, crashes with an "
                            + "IndexOutOfBounds/NullPointer, or is not reported as a CorruptionException naming the page's offset")
    void everyFlippedBitInATreePageIsReportedNamingThePage() throws IOException {
        Built built = build();
        Random random = new Random(11);
        int detected = 0;
        int harmless = 0;
        for (long p = 2; p < PageFileSpec.pageCount(built.bytes(), PAGE); p++) {
            PageFileSpec.Page page = PageFileSpec.page(built.bytes(), p, PAGE);
            if (page.type() != PageFileSpec.TYPE_LEAF && page.type() != PageFileSpec.TYPE_INTERNAL) {
                continue;
            }
            int slotEnd = PageFileSpec.HEADER + 2 * page.cellCount();
            List<int[]> flips = new ArrayList<>(); // {offset in page, region: 0 header, 1 slots, 2 cells, 3 free}
            for (int o : HEADER_OFFSETS) {
                flips.add(new int[] {o, 0});
            }
            for (int i = 0; i < 2 && page.cellCount() > 0; i++) {
                flips.add(new int[] {PageFileSpec.HEADER + random.nextInt(slotEnd - PageFileSpec.HEADER), 1});
            }
            for (int i = 0; i < 3 && page.cellStart() < PAGE; i++) {
                flips.add(new int[] {page.cellStart() + random.nextInt(PAGE - page.cellStart()), 2});
            }
            if (page.cellStart() > slotEnd) {
                flips.add(new int[] {slotEnd + random.nextInt(page.cellStart() - slotEnd), 3});
            }
            if (!built.referenced().containsKey(p)) {
                java.util.Collections.shuffle(flips, random);
                flips = flips.subList(0, 3); // a stale page: a few flips show it is never read
            }
            for (int[] flip : flips) {
                int bit = random.nextInt(8);
                String region = new String[] {"header", "slot array", "cell", "free space"}[flip[1]];
                if (checkFlip(built, p, flip[0], bit, region, page.role())) {
                    detected++;
                } else {
                    harmless++;
                }
            }
        }
        System.out.println("CorruptionHiddenTest tree pages: " + detected + " flips reported, " + harmless
                + " in pages no checkpoint references");
        assertThat("flips in referenced tree pages", detected, greaterThanOrEqualTo(1000));
        assertThat("flips in stale or free pages", harmless, greaterThan(100));
    }

    @Test
    @Graded(
            task = "T2",
            points = 1,
            concept = "a page written past the end of the page file does not fill the gap before it "
                    + "with zero pages (the write fails, or the pages in the gap read as anything but corruption)")
    void aPageWrittenPastTheEndFillsTheGapWithZeroPages() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.create("gap.pages").close();
        PageFile file = new PageFile(storage, "gap.pages", PAGE);
        byte[] page = new byte[PAGE];
        new SlottedPage(page).init(PageFormat.TYPE_LEAF, 7);
        file.write(3, page); // a pool may write a page before the ones allocated ahead of it
        assertThat("pages in a new file after a write of physical page 3", file.pageCount(), equalTo(4L));
        byte[] back = new byte[PAGE];
        file.read(3, 7, PageFormat.TYPE_NODE, back);
        assertThat("physical page 3 reads back", back, equalTo(page));
        for (long p = 0; p < 3; p++) {
            long physical = p;
            assertThrows(
                    CorruptionException.class,
                    () -> file.read(physical, 7, PageFormat.TYPE_NODE, back),
                    "physical page " + physical + ", in the gap, is a zero page, which fails its checks");
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "a flipped bit in a page-table page is not reported at open as a "
                    + "CorruptionException naming that page (or the tree opens with pages mapped wrongly)")
    void everyFlippedBitInAPageTablePageIsReportedAtOpen() throws IOException {
        Built built = build();
        Random random = new Random(12);
        int tablePages = 0;
        int detected = 0;
        for (long p = 2; p < PageFileSpec.pageCount(built.bytes(), PAGE); p++) {
            PageFileSpec.Page page = PageFileSpec.page(built.bytes(), p, PAGE);
            if (page.type() != PageFileSpec.TYPE_TABLE) {
                continue;
            }
            tablePages++;
            List<Integer> offsets = new ArrayList<>();
            for (int o : HEADER_OFFSETS) {
                offsets.add(o);
            }
            for (int i = 0; i < 24; i++) {
                offsets.add(PageFileSpec.HEADER + random.nextInt(PAGE - PageFileSpec.HEADER));
            }
            for (int o : offsets) {
                int bit = random.nextInt(8);
                String region = o < PageFileSpec.HEADER ? "header" : "entry " + (o - PageFileSpec.HEADER) / 8;
                if (checkFlip(built, p, o, bit, region, page.role())) {
                    detected++;
                }
            }
        }
        System.out.println(
                "CorruptionHiddenTest page-table pages: " + tablePages + " pages, " + detected + " flips reported");
        assertThat(
                "the newest checkpoint of this file has two page-table pages",
                PageFileSpec.newest(built.bytes(), PAGE).chunks().length,
                equalTo(2));
        assertThat("flips in referenced page-table pages", detected, greaterThanOrEqualTo(70));
    }

    /**
     * Flips {@code bit} of byte {@code offset} of physical page {@code physical} and reads the whole
     * tree. Returns true if the page is referenced (the flip was reported as it must be), false if
     * it is not (the tree read back unchanged, as it must).
     */
    private static boolean checkFlip(Built built, long physical, int offset, int bit, String region, String role)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(physical);
        storage.plant(BPlusTree.FILE_NAME, built.bytes());
        long at = physical * PAGE + offset;
        storage.flipBit(BPlusTree.FILE_NAME, at, bit);
        String referenced = built.referenced().get(physical);
        String where = "bit " + bit + " of byte " + offset + " (" + region + ") of physical page " + physical + " ("
                + (referenced != null
                        ? referenced + ", which the newest checkpoint references"
                        : "a " + role + " no checkpoint references")
                + ") flipped";
        Throwable failure = readEverything(storage, built.model(), where);
        if (referenced == null) {
            assertThat(
                    where + ": a page no checkpoint references is never read, so the tree reads back whole",
                    failure,
                    nullValue());
            return false;
        }
        assertThat(
                where + ": the damage must be reported as a CorruptionException",
                failure,
                instanceOf(CorruptionException.class));
        CorruptionException e = (CorruptionException) failure;
        assertThat(
                where + ": the exception names the page file (" + e.getMessage() + ")",
                e.file(),
                equalTo(BPlusTree.FILE_NAME));
        assertThat(
                where + ": the exception names the damaged page by its byte offset (" + e.getMessage() + ")",
                e.offset(),
                equalTo(physical * PAGE));
        return true;
    }

    /**
     * Opens the tree on {@code storage} and reads every key of {@code model} with {@code get}, then
     * scans it both ways. Returns null if everything read back as the model says, or the
     * exception that stopped it; fails if anything reads back wrong.
     */
    private static Throwable readEverything(FaultInjectingStorage storage, TreeMap<Bytes, Bytes> model, String where) {
        BPlusTree tree = null;
        try {
            tree = BPlusTree.open(storage, READ);
            for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
                Optional<Bytes> got = tree.get(e.getKey());
                assertThat(
                        where + ": get(" + e.getKey() + ") must return its value or throw, never another answer",
                        got,
                        equalTo(Optional.of(e.getValue())));
            }
            assertThat(
                    where + ": a scan must return the tree's entries or throw, never other entries",
                    Trees.scan(tree, null, null, false),
                    equalTo(Trees.expected(model, null, null, false)));
            assertThat(
                    where + ": a reverse scan must return the tree's entries or throw, never other entries",
                    Trees.scan(tree, null, null, true),
                    equalTo(Trees.expected(model, null, null, true)));
            return null;
        } catch (IOException e) {
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": corruption must be reported as a CorruptionException, not as " + e, e);
        } finally {
            Trees.closeQuietly(tree);
        }
    }

    // ------------------------------------------------------------------------------- meta slots

    /** A page file whose newest checkpoint (B) follows an older one (A), never closed. */
    private record TwoCheckpoints(byte[] bytes, TreeMap<Bytes, Bytes> a, TreeMap<Bytes, Bytes> b, int newestSlot) {}

    private static TwoCheckpoints twoCheckpoints() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(4);
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        for (int i = 0; i < 150; i++) {
            put(tree, model, i * 3, 30);
        }
        tree.checkpoint();
        TreeMap<Bytes, Bytes> a = new TreeMap<>(model);
        for (int i = 0; i < 150; i += 2) {
            tree.delete(Trees.key(i * 3));
            model.remove(Trees.key(i * 3));
        }
        for (int i = 0; i < 100; i++) {
            put(tree, model, i * 3 + 1, 40);
        }
        long generation = tree.checkpoint();
        byte[] bytes = storage.contents(BPlusTree.FILE_NAME);
        // The tree is abandoned without a close: a close would write a third checkpoint over A's slot.
        return new TwoCheckpoints(bytes, a, new TreeMap<>(model), (int) (generation % 2));
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "a damaged meta page of the newest checkpoint (a torn checkpoint) is fatal or "
                    + "trusted, instead of falling back cleanly to the previous checkpoint")
    void aDamagedNewestMetaPageFallsBackToThePreviousCheckpoint() throws IOException {
        TwoCheckpoints file = twoCheckpoints();
        Random random = new Random(13);
        // Every byte of the header and the fields after it, then every third byte of the rest.
        for (int offset = 0; offset < PAGE; offset += offset < 128 ? 1 : 3) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = new FaultInjectingStorage(offset);
            storage.plant(BPlusTree.FILE_NAME, file.bytes());
            storage.flipBit(BPlusTree.FILE_NAME, (long) file.newestSlot() * PAGE + offset, bit);
            String where = "bit " + bit + " of byte " + offset + " of meta slot " + file.newestSlot()
                    + " (the newest checkpoint's) flipped";
            checkOpensAt(
                    storage, file.a(), where + ": the tree must open at the previous checkpoint", offset % 32 == 0);
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 2,
            concept = "a damaged meta page of an older checkpoint breaks the open, or makes the tree "
                    + "open at an older checkpoint than the newest valid one")
    void aDamagedOlderMetaPageIsIgnored() throws IOException {
        TwoCheckpoints file = twoCheckpoints();
        Random random = new Random(14);
        int older = 1 - file.newestSlot();
        for (int offset = 0; offset < PAGE; offset += 4) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = new FaultInjectingStorage(offset);
            storage.plant(BPlusTree.FILE_NAME, file.bytes());
            storage.flipBit(BPlusTree.FILE_NAME, (long) older * PAGE + offset, bit);
            checkOpensAt(
                    storage,
                    file.b(),
                    "bit " + bit + " of byte " + offset + " of meta slot " + older
                            + " (the older checkpoint's) flipped: the tree must open at the newest checkpoint",
                    offset % 48 == 0);
        }
        FaultInjectingStorage intact = new FaultInjectingStorage();
        intact.plant(BPlusTree.FILE_NAME, file.bytes());
        checkOpensAt(intact, file.b(), "an intact file with two checkpoints opens at the newer one", true);
    }

    @Test
    @Graded(
            task = "T3",
            points = 2,
            concept = "with both meta pages damaged the file is opened as an empty tree (or "
                    + "reformatted) instead of being reported as corrupt")
    void bothMetaPagesDamagedIsReportedAndTheFileLeftAlone() throws IOException {
        TwoCheckpoints file = twoCheckpoints();
        Random random = new Random(15);
        for (int i = 0; i < 40; i++) {
            int offsetA = random.nextInt(PAGE);
            int offsetB = random.nextInt(PAGE);
            FaultInjectingStorage storage = new FaultInjectingStorage(i);
            storage.plant(BPlusTree.FILE_NAME, file.bytes());
            storage.flipBit(BPlusTree.FILE_NAME, offsetA, random.nextInt(8));
            storage.flipBit(BPlusTree.FILE_NAME, PAGE + offsetB, random.nextInt(8));
            byte[] damaged = storage.contents(BPlusTree.FILE_NAME);
            String where =
                    "bits flipped in byte " + offsetA + " of meta slot 0 and byte " + offsetB + " of meta slot 1";
            Throwable failure = null;
            BPlusTree tree = null;
            try {
                tree = BPlusTree.open(storage, READ);
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                Trees.closeQuietly(tree);
            }
            assertThat(
                    where + ": with no valid meta page the open must fail with a CorruptionException, never "
                            + "open an empty tree",
                    failure,
                    instanceOf(CorruptionException.class));
            assertThat(
                    where + ": the exception names the page file",
                    ((CorruptionException) failure).file(),
                    equalTo(BPlusTree.FILE_NAME));
            assertThat(
                    where + ": a failed open must not write to the file (no reformatting over the damage)",
                    Arrays.equals(storage.contents(BPlusTree.FILE_NAME), damaged),
                    is(true));
        }
    }

    /** Opens {@code storage}: the tree must be {@code expected}, pass every invariant and, if asked, keep working. */
    private static void checkOpensAt(
            FaultInjectingStorage storage, TreeMap<Bytes, Bytes> expected, String where, boolean writeAfter)
            throws IOException {
        BPlusTree tree = null;
        try {
            try {
                tree = BPlusTree.open(storage, Trees.SMALL_LRU);
                Invariants.check(tree);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(where + ", but opening it failed: " + e, e);
            }
            assertThat(where, Trees.contents(tree), equalTo(expected));
            assertThat(where + ": size()", tree.size(), equalTo((long) expected.size()));
            if (writeAfter) {
                TreeMap<Bytes, Bytes> model = new TreeMap<>(expected);
                for (int i = 0; i < 60; i++) {
                    put(tree, model, 600 + i, 35);
                }
                tree.delete(model.firstKey());
                model.remove(model.firstKey());
                tree.checkpoint();
                tree.put(Trees.key(999), Bytes.of("last"));
                model.put(Trees.key(999), Bytes.of("last"));
                tree.close();
                tree = BPlusTree.open(storage, Trees.SMALL_LRU);
                Invariants.check(tree);
                assertThat(
                        where + "; then it takes writes, checkpoints and reopens with all of them",
                        Trees.contents(tree),
                        equalTo(model));
            }
        } finally {
            Trees.closeQuietly(tree);
        }
    }

    // ------------------------------------------------------------------------------- misplaced pages

    @Test
    @Graded(
            task = "T2",
            points = 3,
            concept = "a page written to the wrong place (a valid page with another page's id or type) "
                    + "is read as if it were the page asked for: the page id or type in its header is not checked")
    void aMisdirectedWriteIsReported() throws IOException {
        Built built = build();
        List<Long> leaves = new ArrayList<>();
        List<Long> internals = new ArrayList<>();
        List<Long> tables = new ArrayList<>();
        for (Map.Entry<Long, String> e : built.referenced().entrySet()) {
            int type = PageFileSpec.page(built.bytes(), e.getKey(), PAGE).type();
            (type == PageFileSpec.TYPE_LEAF
                            ? leaves
                            : type == PageFileSpec.TYPE_INTERNAL
                                    ? internals
                                    : type == PageFileSpec.TYPE_TABLE ? tables : new ArrayList<Long>())
                    .add(e.getKey());
        }
        assertThat(
                "the test file has internal pages and two page-table pages",
                internals.size() > 0 && tables.size() == 2,
                is(true));
        int cases = 0;
        for (int i = 0; i + 1 < leaves.size(); i += 3) {
            misdirect(built, leaves.get(i + 1), leaves.get(i), "another leaf");
            misdirect(built, leaves.get(i), leaves.get(i + 1), "another leaf");
            cases += 2;
        }
        for (long internal : internals) {
            misdirect(built, tables.get(0), internal, "a page-table page");
            misdirect(built, leaves.get(0), internal, "a leaf");
            cases += 2;
        }
        misdirect(built, tables.get(0), tables.get(1), "the other page-table page");
        misdirect(built, tables.get(1), tables.get(0), "the other page-table page");
        misdirect(built, leaves.get(2), tables.get(1), "a leaf");
        misdirect(built, internals.get(0), tables.get(0), "an internal page");
        cases += 4;
        assertThat("misdirected writes tried", cases, greaterThan(20));
    }

    /** Copies physical page {@code source} (whole, with its valid checksum) over physical page {@code target}. */
    private static void misdirect(Built built, long source, long target, String what) throws IOException {
        byte[] bytes = built.bytes().clone();
        System.arraycopy(built.bytes(), Math.toIntExact(source * PAGE), bytes, Math.toIntExact(target * PAGE), PAGE);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(BPlusTree.FILE_NAME, bytes);
        String where = "physical page " + target + " (" + built.referenced().get(target)
                + ") overwritten by a valid copy " + "of " + what + " (physical " + source + ", "
                + built.referenced().get(source) + ")";
        Throwable failure = readEverything(storage, built.model(), where);
        assertThat(
                where + ": a page whose header names another page or type must be reported as corrupt",
                failure,
                instanceOf(CorruptionException.class));
        assertThat(
                where + ": the exception names the misplaced page's offset (" + failure.getMessage() + ")",
                ((CorruptionException) failure).offset(),
                equalTo(target * PAGE));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "a page file cut short (pages the checkpoint needs are missing) is read past its "
                    + "end or opened as if whole, instead of being reported as corrupt")
    void aTruncatedPageFileIsReported() throws IOException {
        Built built = build();
        long pages = PageFileSpec.pageCount(built.bytes(), PAGE);
        long lastReferenced = built.referenced().keySet().stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
        int reported = 0;
        for (long c = 2L * PAGE; c < (long) built.bytes().length; c += PAGE / 2 + 37) {
            long cut = c;
            FaultInjectingStorage storage = new FaultInjectingStorage();
            storage.plant(BPlusTree.FILE_NAME, Arrays.copyOf(built.bytes(), Math.toIntExact(cut)));
            boolean missing = built.referenced().keySet().stream().anyMatch(p -> (p + 1) * PAGE > cut);
            String where = "the page file cut from " + built.bytes().length + " to " + cut + " bytes (" + pages
                    + " pages; the newest checkpoint's last page is physical " + lastReferenced + ")";
            Throwable failure = readEverything(storage, built.model(), where);
            if (missing) {
                assertThat(
                        where + ": pages the checkpoint needs are gone, so it must be reported as corrupt",
                        failure,
                        instanceOf(CorruptionException.class));
                assertThat(
                        where + ": the exception names the page file",
                        ((CorruptionException) failure).file(),
                        equalTo(BPlusTree.FILE_NAME));
                reported++;
            } else {
                assertThat(
                        where + ": only pages no checkpoint references are gone, so the tree reads back whole",
                        failure,
                        nullValue());
            }
        }
        assertThat("cuts that remove needed pages", reported, greaterThan(30));
    }
}
