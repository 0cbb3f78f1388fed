package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.FileNames;
import dev.storagelab.sortedlog.SegmentFormat;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/**
 * Hidden tests of what opening costs: a segment opens by reading its footer and its sparse index
 * (T7), a store reopens by reading its segments' footers and indexes and its logs (T8), and the
 * blocks are read by the gets that need them, from the file. An engine that reads every block when
 * it opens, or answers from what it kept in memory since it wrote the data, fails them: the lesson
 * of the lab is what a lookup reads, and the benchmarks count what opening reads too.
 */
@Tag("hidden")
class WhatOpenReadsHiddenTest {

    /** Bytes an open may read beyond twice what it needs, per file: a read of a whole page at the tail. */
    static final int SLACK_PER_FILE = 8192;

    private static final String NAME = "000001-000001.seg";

    @Example
    @Graded(
            task = "T7",
            points = 3,
            concept = "opening a segment reads more than its footer and sparse index, or a get answers without"
                    + " reading its block from the file")
    void openingASegmentReadsItsFooterAndIndexAndEachGetReadsItsBlock() throws IOException {
        List<Entry> entries = SegmentHiddenTest.manyEntries(9000, 100);
        FaultInjectingStorage disk = new FaultInjectingStorage();
        SpecSegment.Built built = SpecSegment.build(entries, 4096);
        disk.plant(NAME, built.bytes());
        CountingStorage storage = new CountingStorage(disk);
        long needed = footerAndIndex(built.bytes());
        try (SegmentReader segment = SegmentReader.open(storage, NAME, null)) {
            assertThat(
                    "opening a segment of " + built.bytes().length + " bytes reads its " + SegmentFormat.FOOTER_SIZE
                            + "-byte footer and its sparse index (" + (needed - SegmentFormat.FOOTER_SIZE)
                            + " bytes), not its blocks: those are for the gets to read",
                    storage.bytesRead(),
                    lessThanOrEqualTo(2 * needed + SLACK_PER_FILE));
            for (int b = 0; b + 1 < built.blocks().size(); b += built.blocks().size() / 16) {
                long[] block = built.blocks().get(b); // offset, length
                Bytes key = built.firstKeys().get(b);
                long before = storage.bytesRead();
                Entry found = segment.get(key);
                assertThat(
                        "get(" + key + ") returns the key's entry", found == null ? null : found.key(), equalTo(key));
                assertThat(
                        "get(" + key + ") reads the block that holds it from the file, " + block[1]
                                + " bytes: the segment holds its footer and index in memory, not its entries",
                        storage.bytesRead() - before,
                        greaterThanOrEqualTo(block[1]));
            }
        }
    }

    @Example
    @Graded(
            task = "T8",
            points = 3,
            concept = "reopening the store reads more than its segments' footers and indexes and its logs, or a"
                    + " get after reopening answers without reading a block from the file")
    void reopeningTheStoreReadsFootersIndexesAndLogsAndGetsReadTheirBlocks() throws IOException {
        FaultInjectingStorage disk = new FaultInjectingStorage();
        // One storage for the writing and the reopening: an engine that kept what it wrote, by storage,
        // would find it again here; the gets after the reopen must read the file all the same.
        CountingStorage storage = new CountingStorage(disk);
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1L << 30)
                .compactionTrigger(0)
                .build();
        int segments = 3;
        int perSegment = 2500;
        List<Bytes> firstKeys = new ArrayList<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int s = 0; s < segments; s++) {
                for (int i = 0; i < perSegment; i++) {
                    Bytes key = Bytes.of(String.format("key-%02d-%06d", s, i));
                    if (i == 0) {
                        firstKeys.add(key);
                    }
                    store.put(key, Bytes.of("value-" + s + "-" + i + "-".repeat(90)));
                }
                store.flush();
            }
        }
        long needed = 0;
        int files = 0;
        for (String name : disk.list()) {
            byte[] bytes = disk.contents(name);
            needed += FileNames.parseSegment(name).isPresent() ? footerAndIndex(bytes) : bytes.length;
            files++;
        }
        long before = storage.bytesRead();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertThat(
                    "reopening a store of " + segments + " segments reads their footers and indexes and its logs ("
                            + needed + " bytes in " + files + " files), not the segments' blocks",
                    storage.bytesRead() - before,
                    lessThanOrEqualTo(2 * needed + (long) SLACK_PER_FILE * files));
            for (int s = 0; s < segments; s++) {
                Bytes key = firstKeys.get(s);
                long atGet = storage.bytesRead();
                Optional<Bytes> value = store.get(key);
                assertThat("get(" + key + ") after reopening finds the value put", value.isPresent(), equalTo(true));
                assertThat(
                        "get(" + key + ") after reopening reads the block that holds it from its segment's file",
                        storage.bytesRead() - atGet,
                        greaterThan(1024L));
            }
        }
    }

    /** The bytes of a segment's footer and sparse index, read from its footer (SegmentFormat). */
    static long footerAndIndex(byte[] segment) {
        ByteBuffer footer =
                ByteBuffer.wrap(segment, segment.length - SegmentFormat.FOOTER_SIZE, SegmentFormat.FOOTER_SIZE);
        footer.getLong(); // the index's offset
        int indexLength = footer.getInt();
        return SegmentFormat.FOOTER_SIZE + (long) indexLength;
    }
}
