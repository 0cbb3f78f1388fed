package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T4, the sorted string table: {@link TableBuilder#add} (cutting data blocks and
 * writing their index entries), {@link Table#get} (filter, then index, then one block) and the
 * footer's checks in {@link Footer#decode}. Tables are written to an in-memory
 * {@link FaultInjectingStorage}; a {@link CountingStorage} over it counts the reads a get makes.
 */
class TableTest {

    private final FaultInjectingStorage disk = new FaultInjectingStorage();
    private final CountingStorage storage = new CountingStorage(disk);

    private static byte[] ik(String userKey, long seq, ValueType type) {
        return new InternalKey(Bytes.of(userKey), seq, type).encode();
    }

    private static String user(int i) {
        return String.format("user:%06d", i);
    }

    /** Keys user:000000, user:000002, ... (even: odd ones are absent), one PUT each at sequence i + 1. */
    private TableBuilder.Result writeEven(String name, int n, TableBuilder.Options options) throws IOException {
        try (TableBuilder b = new TableBuilder(storage, name, options)) {
            for (int i = 0; i < n; i++) {
                b.add(
                        ik(user(2 * i), i + 1, ValueType.PUT),
                        Bytes.of("value-" + i + "-".repeat(40)).toByteArray());
            }
            return b.finish();
        }
    }

    @Test
    void aTableReturnsEveryEntryInOrderAndDescribesItself() throws IOException {
        TreeMap<byte[], byte[]> model = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 2000; i++) {
            model.put(
                    ik(user(i / 3), 5000 - i, i % 7 == 6 ? ValueType.DELETE : ValueType.PUT),
                    Bytes.of("v" + i).toByteArray());
        }
        TableBuilder.Result result;
        try (TableBuilder b = new TableBuilder(storage, "000001.sst", TableBuilder.Options.defaults())) {
            for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
                b.add(e.getKey(), e.getValue());
            }
            result = b.finish();
        }
        assertThat(
                "finish() reports the file's size",
                result.fileSize(),
                equalTo(disk.contents("000001.sst").length + 0L));
        assertThat(result.entries(), equalTo(2000L));
        assertThat(result.smallest().encode(), equalTo(model.firstKey()));
        assertThat(result.largest().encode(), equalTo(model.lastKey()));
        try (Table t = Table.open(storage, "000001.sst", 1, null)) {
            assertThat("the properties block counts the entries", t.properties().entries(), equalTo(2000L));
            assertThat(
                    "and the tombstones (every 7th entry is a DELETE)",
                    t.properties().tombstones(),
                    equalTo(2000L / 7));
            assertThat(
                    "about 20 bytes an entry: several 4 KiB data blocks",
                    t.properties().dataBlocks(),
                    greaterThan(3L));
            List<byte[]> seen = new ArrayList<>();
            Table.Cursor c = t.cursor();
            for (c.seekToFirst(); c.valid(); c.next()) {
                assertThat(c.value(), equalTo(model.get(c.key())));
                seen.add(c.key());
            }
            assertThat("a cursor walks every entry of every data block, in order", seen.size(), equalTo(model.size()));
            int i = 0;
            for (byte[] k : model.keySet()) {
                assertThat("entry " + i, seen.get(i++), equalTo(k));
            }
        }
    }

    @Test
    void getReturnsTheNewestVersionVisibleAtTheSnapshot() throws IOException {
        try (TableBuilder b = new TableBuilder(storage, "000002.sst", TableBuilder.Options.defaults())) {
            b.add(ik("apple", 30, ValueType.PUT), Bytes.of("red").toByteArray());
            b.add(ik("apple", 20, ValueType.DELETE), new byte[0]);
            b.add(ik("apple", 10, ValueType.PUT), Bytes.of("green").toByteArray());
            b.add(ik("pear", 15, ValueType.PUT), Bytes.of("yellow").toByteArray());
            b.finish();
        }
        try (Table t = Table.open(storage, "000002.sst", 2, null)) {
            assertThat(
                    "at snapshot 35 the newest version, 30",
                    t.get(Bytes.of("apple"), 35).value(),
                    equalTo(Bytes.of("red")));
            assertThat(
                    "at snapshot 30 version 30 is visible (sequence <= snapshot)",
                    t.get(Bytes.of("apple"), 30).sequence(),
                    equalTo(30L));
            assertThat(
                    "at snapshot 25 the tombstone of 20: deleted, and older tables must not be asked",
                    t.get(Bytes.of("apple"), 25).state(),
                    equalTo(Table.Lookup.State.DELETED));
            assertThat(
                    "at snapshot 12 the first version",
                    t.get(Bytes.of("apple"), 12).value(),
                    equalTo(Bytes.of("green")));
            assertThat(
                    "at snapshot 9 nothing was written yet",
                    t.get(Bytes.of("apple"), 9).state(),
                    equalTo(Table.Lookup.State.NOT_FOUND));
            assertThat(
                    "pear is not apple's neighbour's value",
                    t.get(Bytes.of("pea"), 99).state(),
                    equalTo(Table.Lookup.State.NOT_FOUND));
            assertThat(t.get(Bytes.of("pear"), 99).value(), equalTo(Bytes.of("yellow")));
        }
    }

    @Test
    void getFindsEveryKeyAcrossManyBlocks() throws IOException {
        writeEven("000003.sst", 3000, TableBuilder.Options.defaults());
        try (Table t = Table.open(storage, "000003.sst", 3, null)) {
            for (int i = 0; i < 3000; i++) {
                Table.Lookup got = t.get(Bytes.of(user(2 * i)), InternalKey.MAX_SEQUENCE);
                assertThat(user(2 * i), got.state(), equalTo(Table.Lookup.State.PUT));
                assertThat(user(2 * i), got.value(), equalTo(Bytes.of("value-" + i + "-".repeat(40))));
            }
            assertThat("past the last key", t.get(Bytes.of("zzz"), 99).state(), equalTo(Table.Lookup.State.NOT_FOUND));
            assertThat("before the first key", t.get(Bytes.of("a"), 99).state(), equalTo(Table.Lookup.State.NOT_FOUND));
        }
    }

    @Test
    void theBloomFilterSkipsMostAbsentKeysWithoutReadingABlock() throws IOException {
        writeEven("000004.sst", 5000, TableBuilder.Options.defaults());
        try (Table t = Table.open(storage, "000004.sst", 4, null)) {
            long readsBefore = storage.reads();
            for (int i = 0; i < 5000; i++) {
                assertThat(t.get(Bytes.of(user(2 * i + 1)), 99_999).state(), equalTo(Table.Lookup.State.NOT_FOUND));
            }
            long blockReads = storage.reads() - readsBefore;
            assertThat(
                    "5,000 absent keys at 10 bits per key: about 41 false positives, each one block read; the filter"
                            + " must be asked before the index",
                    blockReads,
                    lessThan(100L));
            assertThat("the table counts its filter skips", t.stats().filterSkips(), greaterThan(4900L));
            assertThat("and its block reads", t.stats().blockReads(), equalTo(blockReads));
        }
    }

    @Test
    void dataBlocksAreCutAtTheBlockSizeAndIndexedByTheirLastKey() throws IOException {
        TableBuilder.Result r =
                writeEven("000005.sst", 1000, TableBuilder.Options.defaults().withBlockSize(1024));
        try (Table t = Table.open(storage, "000005.sst", 5, null)) {
            long blocks = t.properties().dataBlocks();
            long dataBytes = t.footer().filter().offset();
            assertThat("1,000 entries of about 60 bytes in 1 KiB blocks", blocks, greaterThan(40L));
            assertThat(
                    "each block is cut once it reaches the block size, so blocks average at least 1 KiB",
                    dataBytes / blocks,
                    greaterThan(1000L));
            assertThat("and at most the block size plus one entry", dataBytes / blocks, lessThanOrEqualTo(1024L + 80));
            assertThat(r.fileSize(), equalTo(t.fileSize()));
        }
    }

    @Test
    void keysOutOfOrderAndAnEmptyTableAreRejected() throws IOException {
        try (TableBuilder b = new TableBuilder(storage, "000006.sst", TableBuilder.Options.defaults())) {
            assertThrows(IllegalStateException.class, b::finish, "a table with no entry has no smallest key");
            b.add(ik("b", 5, ValueType.PUT), new byte[0]);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> b.add(ik("a", 9, ValueType.PUT), new byte[0]),
                    "a smaller user key");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> b.add(ik("b", 6, ValueType.PUT), new byte[0]),
                    "a newer version of the same key sorts before the older one: it must come first");
            b.abandon();
        }
        assertThat("abandon() deletes the file", disk.exists("000006.sst"), is(false));
    }

    @Test
    void theFooterIsTheLast52BytesAsTheHandoutDrawsIt() throws IOException {
        writeEven("000012.sst", 500, TableBuilder.Options.defaults());
        byte[] file = disk.contents("000012.sst");
        int footerAt = file.length - Footer.BYTES;
        assertThat(
                "the magic, \"SLSSTAB1\", ends the file",
                new String(Arrays.copyOfRange(file, file.length - 8, file.length), StandardCharsets.US_ASCII),
                equalTo("SLSSTAB1"));
        assertThat(
                "the format version, 4 bytes big-endian at footer offset 36",
                Arrays.copyOfRange(file, footerAt + 36, footerAt + 40),
                equalTo(new byte[] {0, 0, 0, 1}));
        Footer footer = Footer.decode(Arrays.copyOfRange(file, footerAt, file.length), "000012.sst", footerAt);
        assertThat(
                "the index block is written last, just before the footer",
                footer.index().end(),
                equalTo((long) footerAt));
        assertThat(
                "the properties block before it",
                footer.properties().end(),
                equalTo(footer.index().offset()));
        assertThat(
                "the filter block before that",
                footer.filter().end(),
                equalTo(footer.properties().offset()));
        assertThat(
                "and the data blocks from offset 0 to the filter block: 500 entries of about 70 bytes",
                footer.filter().offset(),
                greaterThan(500L * 60));
    }

    @Test
    void aWrongMagicNumberIsCorruptionNamingTheFileAndOffset() throws IOException {
        writeEven("000007.sst", 100, TableBuilder.Options.defaults());
        long size = disk.size("000007.sst");
        disk.flipBit("000007.sst", size - 1, 0);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> Table.open(storage, "000007.sst", 7, null));
        assertThat(e.file(), equalTo("000007.sst"));
        assertThat("the magic is the footer's last 8 bytes", e.offset(), equalTo(size - 8));
        assertThat(e.getMessage(), containsString("magic"));
    }

    @Test
    void aFlippedBitInTheFooterHandlesIsCaughtByTheFooterChecksum() throws IOException {
        writeEven("000008.sst", 100, TableBuilder.Options.defaults());
        long footerAt = disk.size("000008.sst") - Footer.BYTES;
        disk.flipBit("000008.sst", footerAt + Footer.INDEX_AT + 7, 3);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> Table.open(storage, "000008.sst", 8, null));
        assertThat(e.getMessage(), containsString("checksum"));
        assertThat(e.offset(), equalTo(footerAt + Footer.CRC_AT));
    }

    @Test
    void aTruncatedTableIsCorruptionNotAnEndOfFile() throws IOException {
        writeEven("000009.sst", 100, TableBuilder.Options.defaults());
        disk.truncate("000009.sst", disk.size("000009.sst") - 10);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> Table.open(storage, "000009.sst", 9, null));
        assertThat(e.file(), equalTo("000009.sst"));
        disk.truncate("000009.sst", 20);
        e = assertThrows(CorruptionException.class, () -> Table.open(storage, "000009.sst", 9, null));
        assertThat(e.getMessage(), containsString("shorter than"));
    }

    @Test
    void aSecondGetOfTheSameBlockComesFromTheCache() throws IOException {
        writeEven("000010.sst", 1000, TableBuilder.Options.defaults());
        BlockCache cache = new BlockCache(1 << 20);
        try (Table t = Table.open(storage, "000010.sst", 10, cache)) {
            t.get(Bytes.of(user(500)), 99_999);
            long reads = storage.reads();
            t.get(Bytes.of(user(502)), 99_999);
            assertThat("the neighbouring key is in the block just read: no read", storage.reads(), equalTo(reads));
            assertThat(t.stats().blockCacheHits(), equalTo(1L));
            assertThat(cache.stats().hits(), equalTo(1L));
        }
    }

    @Test
    void aCursorSeeksToTheFirstEntryAtOrAfterAKey() throws IOException {
        writeEven("000011.sst", 1000, TableBuilder.Options.defaults());
        try (Table t = Table.open(storage, "000011.sst", 11, null)) {
            Table.Cursor c = t.cursor();
            c.seek(InternalKey.seekKey(Bytes.of(user(777)), InternalKey.MAX_SEQUENCE)
                    .encode());
            assertThat(
                    "user:000777 is absent: the next key is user:000778",
                    c.internalKey().userKey(),
                    equalTo(Bytes.of(user(778))));
            c.prev();
            assertThat(c.internalKey().userKey(), equalTo(Bytes.of(user(776))));
            c.seek(InternalKey.seekKey(Bytes.of("zzz"), 0).encode());
            assertThat(c.valid(), is(false));
        }
    }
}
