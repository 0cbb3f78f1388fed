package dev.storagelab.btree;

import static dev.storagelab.btree.Trees.b;
import static dev.storagelab.btree.Trees.key;
import static dev.storagelab.btree.Trees.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole tree across crashes: lab-04 T3's checkpoints ({@link PageTable#physicalForWrite},
 * {@link PageTable#checkpoint} and {@link MetaPage#newest}) under a real tree, so these tests need
 * T1 to T8 as well; run them when the tree works. ({@code PageTableTest} checks T3 on its own.)
 * The tree names pages by logical id; the page table maps each to the
 * physical page holding its bytes. A physical page the last durable checkpoint references is never
 * overwritten: the first write of a page after a checkpoint goes to a free physical page
 * (copy-on-write). A checkpoint writes the dirty pages, then the changed table chunks, forces the
 * file, and only then writes its meta page into the slot the previous checkpoint did not use
 * (generation % 2) and forces again. So a power loss at any moment reopens the tree exactly as one
 * checkpoint or the other left it, never torn; writes after the last checkpoint are lost (lab-06's
 * WAL will keep them).
 *
 * <p>Crashes come from lab-01's {@link FaultInjectingStorage}: {@code powerLoss()} drops what was
 * not forced ({@code LOSE_UNSYNCED}), keeps it ({@code KEEP_UNSYNCED}), or keeps each overwritten
 * sector and a prefix of each appended tail at random ({@code RANDOM}); {@code crashBeforeMutation}
 * stops the world in the middle of a checkpoint.
 */
class CheckpointTest {

    private static final String FILE = BPlusTree.FILE_NAME;
    private static final int PAGE_SIZE = PageFormat.MIN_PAGE_SIZE;

    /** State A: 600 keys, then a checkpoint. Returns the model of A; the tree stays open. */
    private static TreeMap<Bytes, Bytes> buildCheckpointA(BPlusTree tree) throws IOException {
        TreeMap<Bytes, Bytes> a = new TreeMap<>();
        Random random = new Random(1);
        for (int i = 0; i < 600; i++) {
            int k = random.nextInt(2000);
            tree.put(key(k), value(k));
            a.put(key(k), value(k));
        }
        tree.checkpoint();
        return a;
    }

    /** Changes after checkpoint A: overwrites, deletes (pages freed) and new keys (pages split), applied to {@code model}. */
    private static void changeEverything(BPlusTree tree, TreeMap<Bytes, Bytes> model) throws IOException {
        Random random = new Random(2);
        for (int i = 0; i < 1200; i++) {
            int k = random.nextInt(2000);
            switch (i % 3) {
                case 0 -> {
                    tree.put(key(k), b("after-" + i));
                    model.put(key(k), b("after-" + i));
                }
                case 1 -> {
                    tree.delete(key(k));
                    model.remove(key(k));
                }
                default -> {
                    tree.put(key(2000 + k), b("new-" + i));
                    model.put(key(2000 + k), b("new-" + i));
                }
            }
        }
    }

    private static BPlusTree reopen(FaultInjectingStorage storage) throws IOException {
        BPlusTree tree = Trees.openSmall(storage);
        Invariants.check(tree);
        return tree;
    }

    static Stream<Arguments> crashModes() {
        return Stream.of(
                Arguments.of(CrashMode.LOSE_UNSYNCED, 1),
                Arguments.of(CrashMode.KEEP_UNSYNCED, 1),
                Arguments.of(CrashMode.RANDOM, 1),
                Arguments.of(CrashMode.RANDOM, 2),
                Arguments.of(CrashMode.RANDOM, 3));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("crashModes")
    void aPowerLossReopensAtTheLastCheckpointAndLosesTheWritesAfterIt(CrashMode mode, long seed) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(mode);
        BPlusTree tree = Trees.openSmall(storage);
        TreeMap<Bytes, Bytes> a = buildCheckpointA(tree);
        TreeMap<Bytes, Bytes> later = new TreeMap<>(a);
        changeEverything(tree, later);
        assertThat(
                "(setup) the writes after the checkpoint evicted dirty pages: the file was written",
                tree.poolStats().pageWrites(),
                greaterThan(50L));
        storage.powerLoss(); // the tree object is dead now, as after a real crash
        try (BPlusTree reopened = reopen(storage)) {
            Trees.assertHolds(
                    reopened,
                    a,
                    "after a power loss (" + mode + "), the tree is exactly as the checkpoint left"
                            + " it: pages written since went to fresh physical pages, and no meta page names them");
            for (Bytes k : later.keySet()) {
                if (!a.containsKey(k)) {
                    assertThat(
                            "a key first put after the checkpoint is gone after the power loss",
                            reopened.get(k),
                            is(Optional.empty()));
                    break;
                }
            }
        }
    }

    @Test
    void closeAndSyncTakeACheckpoint() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(4).crashMode(CrashMode.LOSE_UNSYNCED);
        BPlusTree tree = Trees.openSmall(storage);
        tree.put(b("a"), b("1"));
        tree.sync();
        tree.put(b("b"), b("2"));
        tree.close();
        storage.powerLoss();
        try (BPlusTree reopened = reopen(storage)) {
            assertThat("a put before sync() survives a power loss", reopened.get(b("a")), is(Optional.of(b("1"))));
            assertThat(
                    "a put before close() survives a power loss: close takes a checkpoint",
                    reopened.get(b("b")),
                    is(Optional.of(b("2"))));
            reopened.put(b("c"), b("3"));
        }
        storage.powerLoss();
        try (BPlusTree reopened = reopen(storage)) {
            assertThat("the put before close() survives the second power loss too", reopened.size(), is(3L));
        }
    }

    @Test
    void aCrashAtAnyPointOfACheckpointReopensAtOneCheckpointOrTheOther() throws IOException {
        // A dry run: the models of checkpoint A and of checkpoint B, and how many mutating calls checkpoint B makes.
        FaultInjectingStorage dry = new FaultInjectingStorage(5);
        BPlusTree dryTree = Trees.openSmall(dry);
        TreeMap<Bytes, Bytes> a = buildCheckpointA(dryTree);
        TreeMap<Bytes, Bytes> b = new TreeMap<>(a);
        changeEverything(dryTree, b);
        long before = dry.mutationCount();
        dryTree.checkpoint();
        long mutations = dry.mutationCount() - before;
        dryTree.close();
        assertThat(
                "(setup) the checkpoint writes pages, table chunks, forces and a meta page",
                mutations,
                greaterThan(10L));
        int atA = 0;
        int atB = 0;
        for (long n = 1; n <= mutations; n++) {
            FaultInjectingStorage storage = new FaultInjectingStorage(100 + n).crashMode(CrashMode.RANDOM);
            BPlusTree tree = Trees.openSmall(storage);
            buildCheckpointA(tree);
            changeEverything(tree, new TreeMap<>());
            storage.crashBeforeMutation(n);
            assertThrows(IOException.class, tree::checkpoint, "(setup) the checkpoint crashes at its mutation " + n);
            storage.powerLoss();
            try (BPlusTree reopened = reopen(storage)) {
                long size = reopened.size();
                boolean isB = size == b.size()
                        && reopened.get(b.lastKey())
                                .equals(Optional.of(b.lastEntry().getValue()));
                Trees.assertHolds(
                        reopened,
                        isB ? b : a,
                        "a crash before mutation " + n + " of " + mutations + " of a"
                                + " checkpoint: the tree must reopen exactly at the previous checkpoint or at the new one");
                if (isB) {
                    atB++;
                } else {
                    atA++;
                }
            }
        }
        assertThat(
                "a crash before the new meta page is written reopens at the previous checkpoint (" + atA + " of "
                        + mutations + " crash points did, " + atB + " reopened at the new one)",
                atA,
                greaterThan(0));
    }

    /** The physical pages the newest checkpoint in the file references: its meta slot, its table chunks, its tree pages. */
    private static Set<Long> pagesOfNewestCheckpoint(FaultInjectingStorage storage) throws IOException {
        Set<Long> pages = new TreeSet<>();
        try (PageFile file = new PageFile(storage, FILE, PAGE_SIZE)) {
            MetaPage meta = MetaPage.newest(file);
            pages.add((long) MetaPage.slotOf(meta.generation()));
            int perChunk = PageTable.entriesPerChunk(PAGE_SIZE);
            byte[] page = new byte[PAGE_SIZE];
            for (int c = 0; c < meta.chunks().length; c++) {
                pages.add(meta.chunks()[c]);
                file.read(meta.chunks()[c], c, PageFormat.TYPE_TABLE, page);
                for (int i = 0; i < perChunk; i++) {
                    long logical = (long) c * perChunk + i;
                    long physical = ByteBuffer.wrap(page).getLong(PageFormat.HEADER_SIZE + 8 * i);
                    if (logical >= 1 && logical < meta.nextLogicalId() && physical != 0) {
                        pages.add(physical);
                    }
                }
            }
        }
        return pages;
    }

    @Test
    void pagesTheLastCheckpointReferencesAreNeverOverwrittenBeforeTheNext() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(6);
        try (BPlusTree tree = Trees.openSmall(storage)) {
            TreeMap<Bytes, Bytes> model = buildCheckpointA(tree);
            for (int round = 0; round < 2; round++) {
                Set<Long> referenced = pagesOfNewestCheckpoint(storage);
                byte[] before = storage.contents(FILE);
                changeEverything(tree, model);
                byte[] after = storage.contents(FILE);
                for (long p : referenced) {
                    int from = (int) p * PAGE_SIZE;
                    assertThat(
                            "round " + round + ": physical page " + p
                                    + " belongs to the last checkpoint; until the next"
                                    + " checkpoint is durable it must not change (write a copy elsewhere and remap the page)",
                            Arrays.equals(before, from, from + PAGE_SIZE, after, from, from + PAGE_SIZE),
                            is(true));
                }
                assertThat("(setup) pages were written since the checkpoint", Arrays.equals(before, after), is(false));
                tree.checkpoint();
            }
            Trees.assertHolds(tree, model, "after two rounds of changes and checkpoints");
        }
    }

    @Test
    void theMetaSlotsAlternate() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(7);
        try (BPlusTree tree = Trees.openSmall(storage);
                PageFile file = new PageFile(storage, FILE, PAGE_SIZE)) {
            tree.put(b("a"), b("1"));
            assertThat("the first checkpoint after creation is generation 1", tree.checkpoint(), is(1L));
            assertThat(
                    "checkpoint 1 is written to slot 1", MetaPage.read(file, 1).generation(), is(1L));
            assertThat(
                    "slot 0 still holds checkpoint 0, the empty tree",
                    MetaPage.read(file, 0).generation(),
                    is(0L));
            byte[] slot1 = Arrays.copyOfRange(storage.contents(FILE), PAGE_SIZE, 2 * PAGE_SIZE);
            tree.put(b("b"), b("2"));
            assertThat("the second checkpoint is generation 2", tree.checkpoint(), is(2L));
            assertThat("checkpoint 2 goes to slot 0", MetaPage.read(file, 0).generation(), is(2L));
            assertThat(
                    "and leaves slot 1, checkpoint 1, byte for byte as it was",
                    Arrays.copyOfRange(storage.contents(FILE), PAGE_SIZE, 2 * PAGE_SIZE),
                    equalTo(slot1));
            assertThat(
                    "checkpoint 2 records the root and the key count",
                    MetaPage.read(file, 0).entryCount(),
                    is(2L));
            assertThat("a checkpoint with nothing changed is still a new generation", tree.checkpoint(), is(3L));
            assertThat(
                    "checkpoint 3 goes to slot 1 again", MetaPage.read(file, 1).generation(), is(3L));
            assertThat(
                    "newest() picks the higher generation",
                    MetaPage.newest(file).generation(),
                    is(3L));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a flipped bit", "a torn write that lost its first sector"})
    void aCorruptNewestMetaSlotFallsBackToThePreviousCheckpoint(String damage) throws IOException {
        int pageSize = 1024; // two 512-byte sectors, so a meta page can tear
        FaultInjectingStorage storage = new FaultInjectingStorage(8).crashMode(CrashMode.LOSE_UNSYNCED);
        BTreeOptions options = Trees.small().withPageSize(pageSize);
        TreeMap<Bytes, Bytes> a = new TreeMap<>();
        BPlusTree tree = BPlusTree.open(storage, options);
        for (int i = 0; i < 300; i++) {
            tree.put(key(i), value(i));
            a.put(key(i), value(i));
        }
        tree.checkpoint(); // generation 1, slot 1
        byte[] beforeSecond = storage.contents(FILE);
        for (int i = 0; i < 300; i += 2) {
            tree.delete(key(i));
        }
        assertThat("(setup) checkpoint 2 goes to slot 0", tree.checkpoint(), is(2L));
        if (damage.equals("a flipped bit")) {
            storage.flipBit(FILE, 100, 4);
        } else {
            byte[] torn = storage.contents(FILE);
            // The first sector of the new meta page never reached the disk; the second did. The slot now holds
            // checkpoint 0's header and checksum, and as both versions' second sectors are zeros, it is checkpoint
            // 0 again: valid, but older than checkpoint 1 in the other slot.
            System.arraycopy(beforeSecond, 0, torn, 0, 512);
            storage.plant(FILE, torn);
        }
        storage.powerLoss();
        try (BPlusTree reopened = BPlusTree.open(storage, options)) {
            Invariants.check(reopened);
            Trees.assertHolds(
                    reopened,
                    a,
                    "slot 0 (checkpoint 2) is damaged by " + damage + ": the tree must reopen at"
                            + " checkpoint 1 from slot 1 (the valid slot with the highest generation), whose pages checkpoint 2"
                            + " did not overwrite");
            reopened.put(b("z"), b("after"));
            assertThat(
                    "the tree goes on from checkpoint 1: the next checkpoint is generation 2 again, into slot 0",
                    reopened.checkpoint(),
                    is(2L));
        }
        storage.powerLoss();
        try (BPlusTree reopened = BPlusTree.open(storage, options)) {
            assertThat(
                    "the new checkpoint 2 replaced the damaged one", reopened.get(b("z")), is(Optional.of(b("after"))));
            assertThat("checkpoint 1's 300 keys and the new one", reopened.size(), is(301L));
        }
    }

    @Test
    void whenBothMetaSlotsAreCorruptOpeningFails() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(9);
        try (BPlusTree tree = Trees.openSmall(storage)) {
            tree.put(b("a"), b("1"));
            tree.checkpoint();
        }
        storage.flipBit(FILE, 60, 1);
        storage.flipBit(FILE, PAGE_SIZE + 60, 1);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> Trees.openSmall(storage),
                "with neither meta slot valid there is no checkpoint to open: that is corruption, not an empty tree");
        assertThat(
                "the message names the file and both failures",
                e.getMessage(),
                allOf(containsString(FILE), containsString("physical 0"), containsString("physical 1")));
    }

    @Test
    void freePhysicalPagesAreReusedSoSteadyOverwritesDoNotGrowTheFile() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(10);
        Random random = new Random(11);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        BPlusTree tree = Trees.openSmall(storage);
        for (int i = 0; i < 1000; i++) {
            tree.put(key(i), value(i));
            model.put(key(i), value(i));
        }
        tree.checkpoint();
        for (int round = 0; round < 30; round++) {
            if (round == 15) { // free space is derived from the page table on open: reopening must not lose it
                tree.close();
                tree = Trees.openSmall(storage);
            }
            for (int j = 0; j < 100; j++) {
                int k = random.nextInt(1000);
                tree.put(key(k), value(k + 1000 * round));
                model.put(key(k), value(k + 1000 * round));
            }
            tree.checkpoint();
            PageTable.Usage usage = tree.pageUsage();
            long chunks = usage.pagesInUse() / PageTable.entriesPerChunk(PAGE_SIZE) + 1;
            long bound = 2 * (usage.pagesInUse() + chunks) + MetaPage.SLOTS;
            assertThat(
                    "round " + round + ": the file holds at most two copies of each page (the one the last checkpoint"
                            + " references and a newer one) and the meta slots, " + bound
                            + " pages; the pages the previous"
                            + " checkpoint alone referenced must be reused (" + usage + ")",
                    storage.size(FILE) / PAGE_SIZE,
                    lessThanOrEqualTo(bound));
        }
        Invariants.check(tree);
        Trees.assertHolds(tree, model, "after 30 rounds of overwrites and checkpoints");
        tree.close();
    }
}
