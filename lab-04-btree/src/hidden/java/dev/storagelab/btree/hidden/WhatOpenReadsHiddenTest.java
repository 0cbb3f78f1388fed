package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.PageTable;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.Optional;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/**
 * A hidden test of what reopening a tree costs (T3): its meta pages and its page table, not its
 * pages, which the gets read from the file as they need them. An engine that reads every page when
 * it opens, or answers from what it kept in memory since it wrote them, fails it: the lesson of the
 * lab is the pages a get reads, and the benchmark counts what opening reads too.
 */
@Tag("hidden")
class WhatOpenReadsHiddenTest {

    static final int KEYS = 20_000;

    @Example
    @Graded(
            task = "T3",
            points = 3,
            concept = "reopening a tree reads more than its meta pages and page table, or a get after reopening"
                    + " answers without reading its pages from the file")
    void reopeningATreeReadsItsMetaPagesAndPageTableAndGetsReadTheirPages() throws IOException {
        FaultInjectingStorage disk = new FaultInjectingStorage();
        // One storage for the writing and the reopening: an engine that kept what it wrote, by storage,
        // would find it again here; the gets after the reopen must read the file all the same.
        CountingStorage storage = new CountingStorage(disk);
        BTreeOptions options = BTreeOptions.defaults();
        try (BPlusTree tree = BPlusTree.open(storage, options)) {
            for (int i = 0; i < KEYS; i++) {
                tree.put(key(i), Bytes.of(("value-" + i + "-").repeat(20).substring(0, 100)));
            }
        }
        long fileBytes = 0;
        for (String name : disk.list()) {
            fileBytes += disk.size(name);
        }
        int pageSize = options.pageSize();
        long pages = fileBytes / pageSize;
        long chunks = (pages + PageTable.entriesPerChunk(pageSize) - 1) / PageTable.entriesPerChunk(pageSize);
        // both meta slots and every page-table chunk, each read up to twice, and a page more
        long bound = 2 * (2 + chunks) * pageSize + pageSize;
        long before = storage.bytesRead();
        try (BPlusTree tree = BPlusTree.open(storage, options)) {
            assertThat(
                    "reopening a tree of " + pages + " pages reads its two meta pages and its " + chunks
                            + " page-table chunks, not its pages: those are for the gets to read",
                    storage.bytesRead() - before,
                    lessThanOrEqualTo(bound));
            for (int i = 7; i < KEYS; i += KEYS / 16) {
                long atGet = storage.bytesRead();
                Optional<Bytes> value = tree.get(key(i));
                assertThat("get(" + key(i) + ") after reopening finds the value put", value.isPresent(), equalTo(true));
                assertThat(
                        "get(" + key(i) + ") after reopening reads its leaf from the file (a page of " + pageSize
                                + " bytes): the tree holds its meta page and page table in memory, not its pages",
                        storage.bytesRead() - atGet,
                        greaterThanOrEqualTo((long) pageSize));
            }
        }
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("key-%08d", i));
    }
}
