package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.either;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.FaultInjectingStorage.PowerLossException;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests for lab-04 T3 on its own: {@link PageTable#physicalForWrite}, {@link PageTable#checkpoint}
 * and {@link MetaPage#newest}, driven directly on a page file with no buffer pool and no tree, so
 * they need only T1 and T2 besides. ({@code CheckpointTest} checks the same rules under a whole
 * tree, once T4 to T8 work too.)
 *
 * <p>The tests use the table as the buffer pool does: to write logical page {@code l}, ask
 * {@code physicalForWrite(l)} where, and write the page there with {@link PageFile#write}; to read
 * it, ask {@code physicalForRead(l)}. Every page here is a leaf whose header carries its logical id
 * and whose one cell holds a payload string ("page 7 v2"), so each read checks both that the table
 * points at the right page and that the page holds the right version.
 *
 * <p>The rule under test: a physical page that the last durable checkpoint references is never
 * overwritten. The first write of a page after a checkpoint goes to a free physical page (the
 * lowest) and remaps the page; later writes before the next checkpoint overwrite that copy in
 * place. A checkpoint writes the changed table chunks the same way, forces, writes its meta page
 * into slot {@code generation % 2} and forces again; only then do the pages the previous
 * checkpoint alone referenced become free. So a crash at any moment reopens at one checkpoint or
 * the other. Crashes come from lab-01's {@link FaultInjectingStorage}.
 */
class PageTableTest {

    private static final String NAME = "table.pages";
    private static final int PAGE_SIZE = PageFormat.MIN_PAGE_SIZE;
    /** Logical ids per table chunk: (512 - 48) / 8 = 58. */
    private static final int PER_CHUNK = PageTable.entriesPerChunk(PAGE_SIZE);

    private static final Bytes KEY = Bytes.of("payload");

    /**
     * A page table on a page file in a {@link FaultInjectingStorage}, used as the buffer pool uses
     * it. {@code highest} is the highest logical id ever handed out, so that checks can tell that
     * every other id is free.
     */
    private static final class Pages {
        final FaultInjectingStorage storage;
        PageFile file;
        PageTable table;
        long highest;

        /** Creates the page file durably and formats it at checkpoint 0, as {@code BPlusTree.open} does. */
        Pages(FaultInjectingStorage storage) throws IOException {
            this.storage = storage;
            storage.create(NAME).close();
            storage.syncDirectory();
            file = new PageFile(storage, NAME, PAGE_SIZE);
            PageTable.format(file);
            file.force();
            table = PageTable.open(file);
        }

        /** Opens the file and the table again, as a restart does (after a power loss the old handles are dead). */
        void reopen() throws IOException {
            file.close();
            file = new PageFile(storage, NAME, PAGE_SIZE);
            table = PageTable.open(file);
        }

        /** Writes {@code payload} as the new contents of {@code logical}, where the table says; returns that page. */
        long write(long logical, String payload) throws IOException {
            long physical = table.physicalForWrite(logical);
            byte[] page = new byte[PAGE_SIZE];
            SlottedPage leaf = new SlottedPage(page).init(PageFormat.TYPE_LEAF, logical);
            leaf.setGeneration(table.generation() + 1);
            assertThat(
                    "(setup) a short payload fits in an empty leaf",
                    leaf.insertLeaf(0, KEY, Bytes.of(payload)),
                    is(true));
            file.write(physical, page);
            return physical;
        }

        /** Allocates a logical page, writes {@code payload} into it and records it in {@code model}; returns its id. */
        long create(TreeMap<Long, String> model, String payload) throws IOException {
            long logical = table.allocate();
            highest = Math.max(highest, logical);
            write(logical, payload);
            model.put(logical, payload);
            return logical;
        }

        /** Writes {@code payload} into the existing page {@code logical} and records it in {@code model}. */
        long update(TreeMap<Long, String> model, long logical, String payload) throws IOException {
            long physical = write(logical, payload);
            model.put(logical, payload);
            return physical;
        }

        /** Takes a checkpoint of {@code model}'s state: root = its lowest page, entry count = its size. */
        long checkpoint(TreeMap<Long, String> model) throws IOException {
            return table.checkpoint(root(model), model.size()).generation();
        }

        /** The payload logical page {@code logical} holds, read from its physical page {@code physical}. */
        String readAt(long physical, long logical) throws IOException {
            byte[] page = new byte[PAGE_SIZE];
            file.read(physical, logical, PageFormat.TYPE_LEAF, page);
            return new SlottedPage(page).value(0).toUtf8();
        }

        /** The payload logical page {@code logical} holds now. */
        String read(long logical) throws IOException {
            return readAt(table.physicalForRead(logical), logical);
        }

        /** A copy of physical page {@code physical}'s bytes in the file. */
        byte[] bytesAt(long physical) throws IOException {
            return pageOf(storage.contents(NAME), physical);
        }

        /** Every page of {@code model} holds its payload, and every other id ever handed out is free. */
        void assertHolds(TreeMap<Long, String> model, String when) throws IOException {
            for (Map.Entry<Long, String> e : model.entrySet()) {
                assertThat(
                        when + ": logical page " + e.getKey() + " maps to a physical page holding its latest version",
                        read(e.getKey()),
                        is(e.getValue()));
            }
            for (long logical = 1; logical <= highest; logical++) {
                if (!model.containsKey(logical)) {
                    assertThat(when + ": logical page " + logical + " is not in use", table.inUse(logical), is(false));
                }
            }
            assertThat(
                    when + ": the table counts the pages in use", table.usage().pagesInUse(), is((long) model.size()));
        }

        /** The table is exactly as checkpoint {@code generation}, whose state was {@code model}, left it. */
        void assertAtCheckpoint(TreeMap<Long, String> model, long generation, String when) throws IOException {
            assertThat(when + ": the table reopens at checkpoint " + generation, table.generation(), is(generation));
            MetaPage meta = MetaPage.newest(file);
            assertThat(when + ": newest() reads checkpoint " + generation, meta.generation(), is(generation));
            assertThat(when + ": the meta page records the root passed to checkpoint()", meta.root(), is(root(model)));
            assertThat(
                    when + ": the meta page records the entry count passed to checkpoint()",
                    meta.entryCount(),
                    is((long) model.size()));
            assertHolds(model, when);
        }

        /** The raw generation field in the header of meta slot {@code slot}, whatever the slot holds. */
        long slotGeneration(int slot) throws IOException {
            return ByteBuffer.wrap(bytesAt(slot)).getLong(PageFormat.GENERATION_OFFSET);
        }

        /** The bytes of every physical page the newest checkpoint references: its meta slot, its chunks, its pages. */
        Map<Long, byte[]> checkpointedBytes(TreeMap<Long, String> model) throws IOException {
            MetaPage meta = MetaPage.newest(file);
            byte[] contents = storage.contents(NAME);
            Map<Long, byte[]> pages = new HashMap<>();
            pages.put((long) MetaPage.slotOf(meta.generation()), pageOf(contents, MetaPage.slotOf(meta.generation())));
            for (long chunk : meta.chunks()) {
                pages.put(chunk, pageOf(contents, chunk));
            }
            for (long logical : model.keySet()) {
                long physical = table.physicalForRead(logical);
                pages.put(physical, pageOf(contents, physical));
            }
            return pages;
        }

        /** Every page in {@code pages} (physical page -> bytes) still holds those bytes. */
        void assertUnchanged(Map<Long, byte[]> pages, String when) throws IOException {
            byte[] contents = storage.contents(NAME);
            for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
                assertThat(
                        when + ": physical page " + e.getKey() + " belongs to the last durable checkpoint, so nothing"
                                + " may overwrite it before the next checkpoint is durable",
                        Arrays.equals(pageOf(contents, e.getKey()), e.getValue()),
                        is(true));
            }
        }
    }

    /** Physical page {@code physical}'s bytes in a copy of the file's contents. */
    private static byte[] pageOf(byte[] contents, long physical) {
        int from = Math.toIntExact(physical * PAGE_SIZE);
        return Arrays.copyOfRange(contents, from, from + PAGE_SIZE);
    }

    private static long root(TreeMap<Long, String> model) {
        return model.isEmpty() ? PageFormat.NO_PAGE : model.firstKey();
    }

    /** Checkpoint 1 of 100 pages (two table chunks), then checkpoint 2 after rewriting them all and freeing some. */
    private static TreeMap<Long, String> twoCheckpoints(Pages pages) throws IOException {
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            pages.create(model, "page " + (i + 1) + " v1");
        }
        assertThat("(setup) the first checkpoint", pages.checkpoint(model), is(1L));
        for (long logical : new ArrayList<>(model.keySet())) {
            if (logical % 7 == 0) {
                pages.table.free(logical);
                model.remove(logical);
            } else {
                pages.update(model, logical, "page " + logical + " v2");
            }
        }
        assertThat("(setup) the second checkpoint", pages.checkpoint(model), is(2L));
        return model;
    }

    /**
     * After {@link #twoCheckpoints}: rewrites every page (onto the pages checkpoint 2 freed: overwrites in place that
     * a power loss may tear), frees some, and adds 60 pages, which take the 32 free ids (those freed just now too)
     * and 28 new ones that grow the table into a third chunk.
     */
    private static void changeEverything(Pages pages, TreeMap<Long, String> model) throws IOException {
        for (long logical : new ArrayList<>(model.keySet())) {
            if (logical % 5 == 0) {
                pages.table.free(logical);
                model.remove(logical);
            } else {
                pages.update(model, logical, "page " + logical + " v3");
            }
        }
        for (int i = 0; i < 60; i++) {
            pages.create(model, "new page " + i);
        }
    }

    @Test
    void theFirstWriteOfAPageGetsADataPageAndRewritesBeforeAnyCheckpointStayInPlace() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(1));
        TreeMap<Long, String> model = new TreeMap<>();
        long a = pages.create(model, "a v1");
        long b = pages.create(model, "b v1");
        long c = pages.create(model, "c v1");
        Set<Long> physical = new HashSet<>();
        for (long logical : List.of(a, b, c)) {
            long p = pages.table.physicalForRead(logical);
            assertThat(
                    "logical page " + logical + " was written to a data page: physical pages 0 and 1 are the meta"
                            + " slots, which only a checkpoint writes",
                    p,
                    greaterThanOrEqualTo(2L));
            assertThat(
                    "physical page " + p + " is referenced by no checkpoint yet",
                    pages.table.isCheckpointed(p),
                    is(false));
            physical.add(p);
        }
        assertThat("three logical pages get three different physical pages", physical.size(), is(3));
        long pa = pages.table.physicalForRead(a);
        assertThat(
                "writing page " + a + " again before any checkpoint: no checkpoint references its physical page " + pa
                        + ", so overwriting it in place is safe",
                pages.update(model, a, "a v2"),
                is(pa));
        assertThat("and a third time, still in place", pages.update(model, a, "a v3"), is(pa));
        assertThat(
                "rewrites in place do not grow the file: two meta slots and three pages",
                pages.file.pageCount(),
                is(5L));
        pages.assertHolds(model, "after rewriting page " + a + " twice");
    }

    @Test
    void afterACheckpointTheNextWriteGoesToACopyAndTheCheckpointedPageIsUntouched() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(2));
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 4; i++) {
            pages.create(model, "page " + i + " v1");
        }
        long old = pages.table.physicalForRead(1);
        assertThat("(setup) the first checkpoint is generation 1", pages.checkpoint(model), is(1L));
        assertThat("checkpoint 1 references page 1's physical page " + old, pages.table.isCheckpointed(old), is(true));
        byte[] oldBytes = pages.bytesAt(old);
        long copy = pages.update(model, 1, "page 1 v2");
        assertThat(
                "physical page " + old + " belongs to checkpoint 1: the first write of page 1 after it must go to"
                        + " another physical page (copy-on-write), or a crash now would reopen checkpoint 1 with page 1 changed",
                copy,
                not(old));
        assertThat("the copy is a data page, not a meta slot", copy, greaterThanOrEqualTo(2L));
        assertThat("the copy is a page no checkpoint references", pages.table.isCheckpointed(copy), is(false));
        for (long other = 2; other <= 4; other++) {
            assertThat(
                    "the copy is not page " + other + "'s physical page",
                    copy,
                    not(pages.table.physicalForRead(other)));
        }
        assertThat("page 1 is remapped to its copy", pages.table.physicalForRead(1), is(copy));
        assertThat(
                "checkpoint 1's page " + old + " is untouched, byte for byte", pages.bytesAt(old), equalTo(oldBytes));
        assertThat("and still reads back as page 1's checkpointed version", pages.readAt(old, 1), is("page 1 v1"));
        assertThat(
                "the second write of page 1 since checkpoint 1: its copy " + copy + " is referenced by no checkpoint,"
                        + " so it is overwritten in place",
                pages.update(model, 1, "page 1 v3"),
                is(copy));
        assertThat("checkpoint 1's page " + old + " is still untouched", pages.bytesAt(old), equalTo(oldBytes));
        pages.assertHolds(model, "after writing page 1 twice since checkpoint 1");
    }

    @Test
    void theNextCheckpointFreesTheOldCopyAndTheLowestFreePageIsReusedFirst() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(3));
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 4; i++) {
            pages.create(model, "page " + i + " v1");
        }
        pages.checkpoint(model);
        long old1 = pages.table.physicalForRead(1);
        long old2 = pages.table.physicalForRead(2);
        assertThat("(setup) page 1, written first, sits at the lowest data page", old1, is(2L));
        pages.update(model, 1, "page 1 v2");
        long copy2 = pages.update(model, 2, "page 2 v2");
        assertThat(
                "before checkpoint 2, page 1's old copy " + old1 + " still belongs to checkpoint 1: page 2's copy"
                        + " must not go there",
                copy2,
                allOf(not(old1), not(old2)));
        assertThat("(setup) checkpoint 2", pages.checkpoint(model), is(2L));
        assertThat(
                "checkpoint 2 references page 1's new copy, not " + old1, pages.table.isCheckpointed(old1), is(false));
        assertThat(
                "the pages checkpoint 1 alone referenced (pages 1 and 2's old copies, its table chunk) are free now",
                pages.table.usage().freePages(),
                greaterThanOrEqualTo(2L));
        long size = pages.file.pageCount();
        assertThat(
                "page 3's first write since checkpoint 2 goes to the lowest free page: " + old1 + ", page 1's copy"
                        + " of checkpoint 1, free since checkpoint 2",
                pages.update(model, 3, "page 3 v2"),
                is(old1));
        assertThat(
                "the next one to the next free page, " + old2 + ", page 2's old copy",
                pages.update(model, 4, "page 4 v2"),
                is(old2));
        assertThat("reusing free pages does not grow the file", pages.file.pageCount(), is(size));
        pages.assertHolds(model, "after reusing the pages checkpoint 2 freed");
    }

    @Test
    void theMetaSlotsAlternateAndNeitherCheckpointTouchesTheOtherSlot() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(4));
        TreeMap<Long, String> model = new TreeMap<>();
        assertThat("a formatted file opens at checkpoint 0, the empty table", pages.table.generation(), is(0L));
        assertThat("checkpoint 0 is in slot 0", MetaPage.read(pages.file, 0).generation(), is(0L));
        long a = pages.create(model, "a v1");
        MetaPage first = pages.table.checkpoint(a, 1);
        assertThat("the first checkpoint is generation 1", first.generation(), is(1L));
        assertThat("generation() advances once the checkpoint is durable", pages.table.generation(), is(1L));
        assertThat(
                "checkpoint 1 goes to slot 1 (1 % 2), not over checkpoint 0, the only durable checkpoint while it is"
                        + " written",
                pages.slotGeneration(1), is(1L));
        MetaPage slot1 = MetaPage.read(pages.file, 1);
        assertThat("slot 1 holds a valid meta page of generation 1", slot1.generation(), is(1L));
        assertThat("the meta page records the root passed to checkpoint()", slot1.root(), is(a));
        assertThat("the meta page records the entry count passed to checkpoint()", slot1.entryCount(), is(1L));
        assertThat("the meta page records the next logical id", slot1.nextLogicalId(), is(a + 1));
        assertThat(
                "slot 0 still holds checkpoint 0", MetaPage.read(pages.file, 0).generation(), is(0L));
        byte[] slot1Bytes = pages.bytesAt(1);

        pages.update(model, a, "a v2");
        assertThat("the second checkpoint is generation 2", pages.checkpoint(model), is(2L));
        assertThat(
                "checkpoint 2 goes to slot 0 (2 % 2), over checkpoint 0, which checkpoint 1 superseded",
                pages.slotGeneration(0), is(2L));
        assertThat(
                "slot 0 holds a valid meta page of generation 2",
                MetaPage.read(pages.file, 0).generation(),
                is(2L));
        assertThat(
                "checkpoint 2 leaves slot 1, checkpoint 1, byte for byte as it was: it is the fallback if slot 0"
                        + " tears",
                pages.bytesAt(1),
                equalTo(slot1Bytes));
        byte[] slot0Bytes = pages.bytesAt(0);

        assertThat("a checkpoint with nothing changed is still a new generation", pages.checkpoint(model), is(3L));
        assertThat(
                "checkpoint 3 goes to slot 1 again",
                MetaPage.read(pages.file, 1).generation(),
                is(3L));
        assertThat("checkpoint 3 leaves slot 0, checkpoint 2, as it was", pages.bytesAt(0), equalTo(slot0Bytes));
        pages.reopen();
        pages.assertAtCheckpoint(model, 3, "reopened after checkpoint 3");
    }

    @Test
    void newestPicksTheValidSlotWithTheHigherGenerationAndFallsBackWhenItIsCorrupt() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(5);
        Pages pages = new Pages(storage);
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 5; i++) {
            pages.create(model, "page " + i + " v1");
        }
        pages.checkpoint(model);
        for (long logical = 1; logical <= 5; logical++) {
            pages.update(model, logical, "page " + logical + " v2");
        }
        pages.create(model, "page 6 v2");
        pages.checkpoint(model);
        assertThat(
                "slot 0 holds generation 2, slot 1 generation 1: newest() picks the higher, in slot 0",
                MetaPage.newest(pages.file).generation(),
                is(2L));
        TreeMap<Long, String> atTwo = new TreeMap<>(model);
        pages.update(model, 3, "page 3 v3");
        pages.table.free(5);
        model.remove(5L);
        pages.checkpoint(model);
        assertThat(
                "slot 0 holds generation 2, slot 1 generation 3: newest() picks the higher, now in slot 1",
                MetaPage.newest(pages.file).generation(),
                is(3L));

        storage.flipBit(NAME, PAGE_SIZE + 100, 3); // slot 1, checkpoint 3: as if its write had torn
        assertThat(
                "slot 1 fails its checksum: newest() skips it and falls back to slot 0, checkpoint 2",
                MetaPage.newest(pages.file).generation(),
                is(2L));
        pages.reopen();
        pages.assertAtCheckpoint(
                atTwo,
                2,
                "reopened with checkpoint 3's meta page corrupt: checkpoint 3 did not"
                        + " overwrite any page of checkpoint 2, so the table is exactly as checkpoint 2 left it");

        pages.update(atTwo, 6, "page 6 v4");
        assertThat(
                "going on from checkpoint 2, the next checkpoint is generation 3 again",
                pages.checkpoint(atTwo),
                is(3L));
        assertThat(
                "and it replaces the corrupt slot 1",
                MetaPage.read(pages.file, 1).generation(),
                is(3L));
        pages.reopen();
        pages.assertAtCheckpoint(atTwo, 3, "reopened after the new checkpoint 3");
    }

    @Test
    void whenBothMetaSlotsAreCorruptNewestFailsNamingBothFailures() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(6);
        Pages pages = new Pages(storage);
        TreeMap<Long, String> model = new TreeMap<>();
        pages.create(model, "page 1 v1");
        pages.checkpoint(model);
        storage.flipBit(NAME, 60, 1);
        storage.flipBit(NAME, PAGE_SIZE + 60, 1);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> MetaPage.newest(pages.file),
                "with neither meta slot valid there is no checkpoint to open: that is corruption, not an empty table");
        assertThat(
                "the message names the file and both slots' failures, physical pages 0 and 1",
                e.getMessage(),
                allOf(containsString(NAME), containsString("physical 0"), containsString("physical 1")));
        assertThrows(
                CorruptionException.class,
                () -> PageTable.open(pages.file),
                "opening the table reads the newest meta page, so it fails the same way");
    }

    @Test
    void reopeningRestoresTheMappingAndTheFreeSpace() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(7));
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 6; i++) {
            pages.create(model, "page " + i + " v1");
        }
        pages.checkpoint(model);
        pages.update(model, 2, "page 2 v2");
        pages.table.free(4);
        model.remove(4L);
        pages.update(model, 6, "page 6 v2");
        pages.checkpoint(model);
        Map<Long, Long> physical = new HashMap<>();
        for (long logical : model.keySet()) {
            physical.put(logical, pages.table.physicalForRead(logical));
        }
        PageTable.Usage before = pages.table.usage();
        assertThat(
                "(setup) checkpoint 2 freed the pages checkpoint 1 alone referenced",
                before.freePages(),
                greaterThan(0L));

        pages.reopen();
        for (long logical : model.keySet()) {
            assertThat(
                    "after a restart, logical page " + logical + " maps where checkpoint 2 put it",
                    pages.table.physicalForRead(logical),
                    is(physical.get(logical)));
        }
        pages.assertAtCheckpoint(model, 2, "reopened after checkpoint 2");
        assertThat(
                "free space is derived from the table on open: the same pages in use, free and checkpointed as"
                        + " before the restart",
                pages.table.usage(),
                equalTo(before));
        assertThat(
                "the freed logical id 4 is handed out again, the lowest free id first", pages.table.allocate(), is(4L));
        long reused = pages.update(model, 4, "page 4 again");
        assertThat(
                "its page goes to a free physical page inside the file, not past its end",
                reused,
                lessThan(before.physicalPages()));
        assertThat("a page checkpoint 2 does not reference", pages.table.isCheckpointed(reused), is(false));
        pages.assertHolds(model, "after reusing the free id and page");
    }

    static Stream<Arguments> powerLosses() {
        return Stream.of(
                Arguments.of(CrashMode.LOSE_UNSYNCED, 1),
                Arguments.of(CrashMode.KEEP_UNSYNCED, 1),
                Arguments.of(CrashMode.RANDOM, 1),
                Arguments.of(CrashMode.RANDOM, 2),
                Arguments.of(CrashMode.RANDOM, 3));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("powerLosses")
    void aPowerLossBeforeTheNextCheckpointReopensAtTheLastOne(CrashMode mode, long seed) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(mode);
        Pages pages = new Pages(storage);
        TreeMap<Long, String> atTwo = twoCheckpoints(pages);
        TreeMap<Long, String> later = new TreeMap<>(atTwo);
        changeEverything(pages, later);
        storage.powerLoss(); // the table and the file handles are dead now, as after a real crash
        pages.reopen();
        pages.assertAtCheckpoint(
                atTwo,
                2,
                "after a power loss (" + mode + ") with every page rewritten, some freed and"
                        + " 60 added since checkpoint 2: those writes went to pages no checkpoint references, and no meta page"
                        + " names them, so the table reopens exactly at checkpoint 2");
    }

    @ParameterizedTest
    @EnumSource(
            value = CrashMode.class,
            names = {"LOSE_UNSYNCED", "RANDOM"})
    void aCrashAtAnyMutationOfACheckpointReopensAtOneCheckpointOrTheOther(CrashMode mode) throws IOException {
        // RANDOM keeps a different part of the unforced writes for each seed: three seeds per crash point.
        int seeds = mode == CrashMode.RANDOM ? 3 : 1;
        int atOld = 0;
        int atNew = 0;
        boolean completed = false;
        for (int n = 1; !completed; n++) {
            assertThat(
                    "a checkpoint of a table of three chunks makes a handful of mutating calls, not " + n,
                    n,
                    lessThanOrEqualTo(50));
            for (int seed = 0; seed < seeds; seed++) {
                long storageSeed = 100L * seed + n;
                FaultInjectingStorage storage = new FaultInjectingStorage(storageSeed).crashMode(mode);
                Pages pages = new Pages(storage);
                TreeMap<Long, String> atTwo = twoCheckpoints(pages);
                TreeMap<Long, String> atThree = new TreeMap<>(atTwo);
                changeEverything(pages, atThree);
                storage.crashBeforeMutation(n);
                try {
                    pages.checkpoint(atThree);
                    completed = true;
                } catch (PowerLossException e) {
                    assertThat(
                            "(setup) the storage crashed at mutating call " + n + " of checkpoint 3",
                            storage.isCrashed(),
                            is(true));
                }
                storage.powerLoss();
                pages.reopen();
                long generation = pages.table.generation();
                String when = (completed
                                ? "after checkpoint 3 returned and a power loss"
                                : "after a crash before mutating call " + n + " of checkpoint 3")
                        + " (" + mode + ", storage seed "
                        + storageSeed + ")";
                assertThat(
                        when + ": the table reopens at checkpoint 2 or 3, never anything else",
                        generation,
                        either(is(2L)).or(is(3L)));
                if (completed) {
                    assertThat(when + ": a checkpoint that returned is durable", generation, is(3L));
                }
                pages.assertAtCheckpoint(generation == 2 ? atTwo : atThree, generation, when);
                if (generation == 2) {
                    atOld++;
                } else {
                    atNew++;
                }
            }
        }
        assertThat(
                "a crash before the new meta page is written reopens at the previous checkpoint (" + atOld
                        + " crash runs did, " + atNew + " reopened at the new one)",
                atOld,
                greaterThan(0));
    }

    @Test
    void steadyOverwritesReuseTheOldCopiesSoTheFileStaysBounded() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(10));
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 100; i++) {
            pages.create(model, "page " + i + " round -1");
        }
        pages.checkpoint(model);
        long chunks = (model.size() + 1 + PER_CHUNK - 1) / PER_CHUNK;
        long bound = 2 * (model.size() + chunks) + MetaPage.SLOTS;
        for (int round = 0; round < 12; round++) {
            if (round == 6) { // free space is derived from the table on open: a restart must not lose it
                pages.reopen();
            }
            for (long logical : model.keySet()) {
                pages.update(model, logical, "page " + logical + " round " + round);
            }
            pages.checkpoint(model);
            assertThat(
                    "round " + round + ": the file holds at most two copies of each of the 100 pages and " + chunks
                            + " table chunks (the one the last checkpoint references and the one before, free now) and the two"
                            + " meta slots, " + bound
                            + " pages; the pages the previous checkpoint alone referenced must be"
                            + " reused (" + pages.table.usage() + ")",
                    pages.file.pageCount(),
                    lessThanOrEqualTo(bound));
        }
        pages.assertHolds(model, "after 12 rounds of rewriting every page");
    }

    @Test
    void aFreedPageNoCheckpointReferencesIsReusableAtOnce() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(11));
        TreeMap<Long, String> model = new TreeMap<>();
        pages.create(model, "page 1 v1");
        pages.create(model, "page 2 v1");
        long p2 = pages.table.physicalForRead(2);
        pages.table.free(2);
        model.remove(2L);
        assertThrows(
                CorruptionException.class,
                () -> pages.table.physicalForRead(2),
                "a freed page maps to no physical page: reading it is a dangling pointer");
        assertThat(
                "no checkpoint references page 2's physical page " + p2 + ": it is free at once",
                pages.table.usage().freePages(),
                is(1L));
        assertThat("the freed id 2 is handed out again", pages.table.allocate(), is(2L));
        assertThat(
                "and its first write goes to the freed physical page " + p2 + ", the lowest free one",
                pages.update(model, 2, "page 2 again"),
                is(p2));

        pages.checkpoint(model);
        long p1 = pages.table.physicalForRead(1);
        long copy = pages.update(model, 1, "page 1 v2");
        pages.table.free(1);
        model.remove(1L);
        assertThat(
                "page 1's copy " + copy + ", written since checkpoint 1, is free at once; its checkpointed page " + p1
                        + " is not",
                pages.table.usage().freePages(),
                is(1L));
        assertThat("the freed id 1 is handed out again", pages.table.allocate(), is(1L));
        assertThat(
                "its first write reuses the copy " + copy + ", never checkpoint 1's page " + p1,
                pages.update(model, 1, "page 1 again"),
                is(copy));
        pages.assertHolds(model, "after freeing and reusing pages 2 and 1");
    }

    @Test
    void aFreedPageTheLastCheckpointReferencesIsReusableOnlyAfterTheNextCheckpoint() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(12));
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 4; i++) {
            pages.create(model, "page " + i + " v1");
        }
        pages.checkpoint(model);
        long p3 = pages.table.physicalForRead(3);
        byte[] p3Bytes = pages.bytesAt(p3);
        pages.table.free(3);
        model.remove(3L);
        assertThat(
                "checkpoint 1 still references page 3's physical page " + p3 + ": a crash now reopens at checkpoint"
                        + " 1, where page 3 lives",
                pages.table.isCheckpointed(p3),
                is(true));
        assertThat("so it is not free yet", pages.table.usage().freePages(), is(0L));
        assertThat(
                "the logical id 3 is free at once (ids reach the disk only with the next checkpoint's table)",
                pages.table.allocate(),
                is(3L));
        long newPage = pages.update(model, 3, "a new page 3");
        assertThat("the new page 3 must not go to " + p3 + ", which checkpoint 1 references", newPage, not(p3));
        assertThat("checkpoint 1's page " + p3 + " is untouched", pages.bytesAt(p3), equalTo(p3Bytes));
        pages.checkpoint(model);
        assertThat(
                "checkpoint 2 does not reference " + p3 + ": it is free now",
                pages.table.isCheckpointed(p3),
                is(false));
        long id = pages.table.allocate();
        assertThat(
                "a new page's first write goes to the lowest free page, " + p3,
                pages.update(model, id, "page 5"),
                is(p3));
        pages.assertHolds(model, "after reusing the freed page");
    }

    @Test
    void theTableGrowsPastOneChunkAndRewritesOnlyTheChangedChunks() throws IOException {
        Pages pages = new Pages(new FaultInjectingStorage(13));
        TreeMap<Long, String> model = new TreeMap<>();
        for (int i = 1; i <= 300; i++) {
            pages.create(model, "page " + i + " v1");
        }
        pages.checkpoint(model);
        MetaPage first = MetaPage.newest(pages.file);
        int chunks = (300 + 1 + PER_CHUNK - 1) / PER_CHUNK;
        assertThat(
                "ids 0 to 300 need " + chunks + " table chunks of " + PER_CHUNK + " entries",
                first.chunks().length,
                is(chunks));
        Set<Long> distinct = new HashSet<>();
        for (long chunk : first.chunks()) {
            assertThat(
                    "table chunk page " + chunk + " is a data page, not a meta slot", chunk, greaterThanOrEqualTo(2L));
            assertThat(
                    "table chunk page " + chunk + " is referenced by checkpoint 1",
                    pages.table.isCheckpointed(chunk),
                    is(true));
            distinct.add(chunk);
        }
        assertThat("every chunk has its own physical page", distinct.size(), is(chunks));
        pages.reopen();
        pages.assertAtCheckpoint(model, 1, "reopened after checkpoint 1 of 300 pages");

        long changed = 200;
        pages.update(model, changed, "page 200 v2");
        pages.checkpoint(model);
        MetaPage second = MetaPage.newest(pages.file);
        int chunkOf200 = (int) (changed / PER_CHUNK);
        for (int c = 0; c < chunks; c++) {
            if (c == chunkOf200) {
                assertThat(
                        "chunk " + c + " maps page 200, which moved: it is written again, to a new page (its old"
                                + " page belongs to checkpoint 1)",
                        second.chunks()[c],
                        not(first.chunks()[c]));
            } else {
                assertThat(
                        "chunk " + c + " did not change: checkpoint 2 writes only the changed chunks",
                        second.chunks()[c],
                        is(first.chunks()[c]));
            }
        }
        pages.reopen();
        pages.assertAtCheckpoint(model, 2, "reopened after checkpoint 2");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void aRandomWorkloadNeverOverwritesTheLastCheckpointAndMatchesItsModel(long seed) throws IOException {
        Random random = new Random(seed);
        FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(CrashMode.RANDOM);
        Pages pages = new Pages(storage);
        TreeMap<Long, String> model = new TreeMap<>();
        TreeMap<Long, String> durable = new TreeMap<>();
        Map<Long, byte[]> checkpointed = pages.checkpointedBytes(durable);
        long generation = 0;
        for (int step = 0; step < 300; step++) {
            int op = random.nextInt(100);
            String when = "seed " + seed + ", step " + step;
            if (model.size() < 5 || op < 25) {
                long logical = pages.create(model, "new at step " + step);
                assertThat(
                        when + ": the first write of new page " + logical + " goes to a page no checkpoint"
                                + " references",
                        pages.table.isCheckpointed(pages.table.physicalForRead(logical)),
                        is(false));
            } else if (op < 75) {
                long logical = new ArrayList<>(model.keySet()).get(random.nextInt(model.size()));
                long physical = pages.update(model, logical, "page " + logical + " at step " + step);
                assertThat(
                        when + ": rewriting page " + logical + " goes to a page no checkpoint references",
                        pages.table.isCheckpointed(physical),
                        is(false));
                assertThat(when + ": and to a data page", physical, greaterThanOrEqualTo(2L));
            } else if (op < 87) {
                long logical = new ArrayList<>(model.keySet()).get(random.nextInt(model.size()));
                pages.table.free(logical);
                model.remove(logical);
            } else if (op < 96) {
                pages.assertUnchanged(checkpointed, when + ", before checkpoint " + (generation + 1));
                generation = pages.checkpoint(model);
                pages.assertUnchanged(
                        checkpointed,
                        when + ", after checkpoint " + generation
                                + " (the old checkpoint's pages become free, but nothing has written them yet)");
                durable = new TreeMap<>(model);
                checkpointed = pages.checkpointedBytes(durable);
            } else {
                boolean crash = op >= 98;
                if (crash) {
                    storage.powerLoss();
                }
                pages.reopen();
                model = new TreeMap<>(durable);
                pages.assertAtCheckpoint(
                        model,
                        generation,
                        when + ": " + (crash ? "a power loss" : "a restart")
                                + " loses the changes since the last checkpoint");
            }
            Set<Long> physical = new HashSet<>();
            for (long logical : model.keySet()) {
                physical.add(pages.table.physicalForRead(logical));
            }
            assertThat(when + ": no two pages in use share a physical page", physical.size(), is(model.size()));
        }
        pages.assertHolds(model, "seed " + seed + ", at the end");
        generation = pages.checkpoint(model);
        pages.reopen();
        pages.assertAtCheckpoint(model, generation, "seed " + seed + ", reopened after a final checkpoint");
    }
}
