package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.Footer;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.Table;
import dev.storagelab.lsm.TableBuilder;
import dev.storagelab.lsm.ValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/**
 * A hidden test of what opening a table costs (T4): its footer, index, filter and properties, which
 * it holds in memory from then on, and not its data blocks, which each get reads from the file as it
 * needs one. A table that reads every block when it opens, or answers from what it kept in memory
 * since it was built, fails it: the lesson of the task is what a get reads, and the benchmarks count
 * what opening reads too.
 */
@Tag("hidden")
class WhatOpenReadsHiddenTest {

    /** Bytes an open may read beyond twice what it needs: a read of a whole page at the tail. */
    static final int SLACK = 8192;

    static final int KEYS = 20_000;

    @Example
    @Graded(
            task = "T4",
            points = 3,
            concept = "opening a table reads more than its footer, index, filter and properties, or a get"
                    + " answers without reading its data block from the file")
    void openingATableReadsItsIndexAndFilterAndEachGetReadsItsBlock() throws IOException {
        FaultInjectingStorage disk = new FaultInjectingStorage();
        // One storage for the building and the opening: a table that kept what it built, by storage,
        // would find it again here; the gets must read the file all the same.
        CountingStorage storage = new CountingStorage(disk);
        String name = "000007.sst";
        try (TableBuilder b = new TableBuilder(storage, name, TableBuilder.Options.defaults())) {
            for (int i = 0; i < KEYS; i++) {
                b.add(new InternalKey(key(i), i + 1, ValueType.PUT), value(i));
            }
            b.finish();
        }
        byte[] file = disk.contents(name);
        long needed = file.length - dataEnd(file);
        long before = storage.bytesRead();
        try (Table table = Table.open(storage, name, 7, null)) {
            assertThat(
                    "opening a table of " + file.length + " bytes reads its footer, index, filter and properties ("
                            + needed + " bytes at its end), not its data blocks: those are for the gets to read",
                    storage.bytesRead() - before,
                    lessThanOrEqualTo(2 * needed + SLACK));
            for (int i = 7; i < KEYS - 100; i += KEYS / 16) {
                long atGet = storage.bytesRead();
                Table.Lookup got = table.get(key(i), InternalKey.MAX_SEQUENCE);
                assertThat("get(" + key(i) + ") finds the key's version", got.sequence(), equalTo(i + 1L));
                assertThat(
                        "get(" + key(i) + ") reads the data block that holds it from the file (about "
                                + TableBuilder.Options.defaults().blockSize()
                                + " bytes): the table holds its index and filter in memory, not its entries",
                        storage.bytesRead() - atGet,
                        greaterThanOrEqualTo(1024L));
            }
        }
    }

    /** Where a table's data blocks end: the first of its index, filter and properties blocks, from its footer. */
    static long dataEnd(byte[] file) {
        ByteBuffer footer = ByteBuffer.wrap(file, file.length - Footer.BYTES, Footer.BYTES);
        long index = footer.getLong(file.length - Footer.BYTES + Footer.INDEX_AT);
        long filter = footer.getLong(file.length - Footer.BYTES + Footer.FILTER_AT);
        long properties = footer.getLong(file.length - Footer.BYTES + Footer.PROPERTIES_AT);
        return Math.min(index, Math.min(filter, properties));
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("user:%08d", i));
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-").repeat(20).substring(0, 100).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
