package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.BlockBuilder;
import dev.storagelab.lsm.BlockCache;
import dev.storagelab.lsm.BlockHandle;
import dev.storagelab.lsm.Footer;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.Table;
import dev.storagelab.lsm.TableBuilder;
import dev.storagelab.lsm.TableFormat;
import dev.storagelab.lsm.ValueType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the sorted string table (lab-05 T4): random tables of internal keys (binary user
 * keys with shared prefixes, many versions and tombstones, block sizes from 64 bytes to 8 KiB)
 * against a {@link TreeMap} in {@link InternalKey#ORDER}: forward and backward walks, seeks, gets at
 * every snapshot; the Bloom filter skipping absent keys with no data block read (counted by a
 * {@link CountingStorage}); values larger than a block; the properties; concurrent readers sharing
 * a cache; and corruption: every flipped bit, every truncation and hand-made damage under valid
 * checksums reported as a {@link CorruptionException} naming the file and an offset inside the
 * damaged part.
 */
@Tag("hidden")
class TableHiddenTest {

    /** One write of a random history: user key, sequence, type, value. */
    record Write(Bytes key, long sequence, ValueType type, Bytes value) {}

    @Provide
    Arbitrary<List<Write>> histories() {
        Arbitrary<Bytes> key = Arbitraries.oneOf(
                Arbitraries.strings()
                        .withChars("ab\u00ff")
                        .ofMinLength(0)
                        .ofMaxLength(5)
                        .map(Bytes::of),
                Arbitraries.integers().between(0, 3000).map(i -> Bytes.of(String.format("user:%08d", i))));
        Arbitrary<Bytes> value = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30).map(Bytes::of),
                Arbitraries.integers().between(0, 3000).map(n -> Bytes.wrap(new byte[n])));
        Arbitrary<Write> write = Combinators.combine(key, Arbitraries.integers().between(0, 9), value)
                .as((k, t, v) -> new Write(k, 0, t == 0 ? ValueType.DELETE : ValueType.PUT, t == 0 ? Bytes.EMPTY : v));
        return write.list().ofMinSize(1).ofMaxSize(400).map(ws -> {
            List<Write> out = new ArrayList<>();
            for (int i = 0; i < ws.size(); i++) {
                Write w = ws.get(i);
                out.add(new Write(w.key(), i + 1, w.type(), w.value()));
            }
            return out;
        });
    }

    private static TreeMap<byte[], byte[]> model(List<Write> writes) {
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (Write w : writes) {
            m.put(
                    new InternalKey(w.key(), w.sequence(), w.type()).encode(),
                    w.value().toByteArray());
        }
        return m;
    }

    private static TableBuilder.Result write(
            FaultInjectingStorage storage, String name, TreeMap<byte[], byte[]> m, TableBuilder.Options options)
            throws IOException {
        try (TableBuilder b = new TableBuilder(storage, name, options)) {
            for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
                b.add(e.getKey(), e.getValue());
            }
            return b.finish();
        }
    }

    private static TableBuilder.Options options(int blockSize, int interval) {
        return new TableBuilder.Options(blockSize, interval, TableFormat.DEFAULT_BITS_PER_KEY);
    }

    @Property(tries = 120)
    @Graded(
            task = "T4",
            points = 5,
            concept = "a table loses, reorders or garbles entries, or walks the data blocks wrong (an entry "
                    + "left behind in the last block, a block written twice, the index pointing to the wrong block)")
    void randomTablesRoundTrip(
            @ForAll("histories") List<Write> writes,
            @ForAll @IntRange(min = 64, max = 8192) int blockSize,
            @ForAll @IntRange(min = 1, max = 20) int interval,
            @ForAll boolean smallCache)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = model(writes);
        TableBuilder.Result r = write(storage, "000001.sst", m, options(blockSize, interval));
        assertThat(r.entries(), equalTo((long) m.size()));
        assertThat(r.smallest().encode(), equalTo(m.firstKey()));
        assertThat(r.largest().encode(), equalTo(m.lastKey()));
        assertThat(r.fileSize(), equalTo(storage.size("000001.sst")));
        try (Table t = Table.open(storage, "000001.sst", 1, smallCache ? new BlockCache(4 * blockSize, 2) : null)) {
            Table.Cursor c = t.cursor();
            List<byte[]> keys = new ArrayList<>();
            for (c.seekToFirst(); c.valid(); c.next()) {
                keys.add(c.key());
                assertThat(c.value(), equalTo(m.get(c.key())));
            }
            assertThat("entries walked", keys.size(), equalTo(m.size()));
            int i = 0;
            for (byte[] k : m.keySet()) {
                assertThat("entry " + i, keys.get(i++), equalTo(k));
            }
            List<byte[]> back = new ArrayList<>();
            for (c.seekToLast(); c.valid(); c.prev()) {
                back.add(c.key());
            }
            assertThat("a backward walk sees as many entries", back.size(), equalTo(m.size()));
            assertThat(back.get(0), equalTo(m.lastKey()));
            assertThat(back.get(back.size() - 1), equalTo(m.firstKey()));
        }
    }

    @Property(tries = 100)
    @Graded(
            task = "T4",
            points = 5,
            concept = "a get from a table answers a read at a snapshot with a version newer than the "
                    + "snapshot, an older one than the newest visible, a neighbouring key's value, or misses a tombstone "
                    + "(versions of one key spread over several data blocks)")
    void getAtEverySnapshotMatchesTheModel(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(max = 11) Integer> keys,
            @ForAll @IntRange(min = 64, max = 512) int blockSize)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < keys.size(); i++) {
            ValueType type = i % 4 == 3 ? ValueType.DELETE : ValueType.PUT;
            m.put(
                    new InternalKey(Bytes.of("k" + keys.get(i)), i + 1, type).encode(),
                    type == ValueType.PUT ? ("w" + i + "-".repeat(i % 17)).getBytes() : new byte[0]);
        }
        write(storage, "000002.sst", m, options(blockSize, 3));
        try (Table t = Table.open(storage, "000002.sst", 2, null)) {
            for (int snapshot = 0; snapshot <= keys.size() + 1; snapshot++) {
                for (int k = 0; k <= 12; k++) {
                    Table.Lookup expected = Table.Lookup.NOT_FOUND;
                    for (int i = 0; i < Math.min(snapshot, keys.size()); i++) {
                        if (keys.get(i) == k) {
                            expected = i % 4 == 3
                                    ? Table.Lookup.deleted(i + 1)
                                    : Table.Lookup.put(i + 1, Bytes.of("w" + i + "-".repeat(i % 17)));
                        }
                    }
                    assertThat(
                            "k" + k + " at snapshot " + snapshot,
                            t.get(Bytes.of("k" + k), snapshot),
                            equalTo(expected));
                }
            }
        }
    }

    @Property(tries = 80)
    @Graded(
            task = "T4",
            points = 3,
            concept = "a table cursor's seek lands on the wrong entry, or prev after a seek crosses a data "
                    + "block boundary wrong")
    void seekAndPrevMatchTheModel(
            @ForAll("histories") List<Write> writes,
            @ForAll("histories") List<Write> targets,
            @ForAll @IntRange(min = 64, max = 1024) int blockSize)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = model(writes);
        write(storage, "000003.sst", m, options(blockSize, 4));
        try (Table t = Table.open(storage, "000003.sst", 3, null)) {
            Table.Cursor c = t.cursor();
            List<byte[]> all = new ArrayList<>(m.keySet());
            for (Write w : targets) {
                all.add(InternalKey.seekKey(w.key(), w.sequence() * 3 % 500).encode());
            }
            for (byte[] target : all) {
                c.seek(target);
                byte[] expected = m.ceilingKey(target);
                assertThat("seek", c.valid() ? c.key() : null, equalTo(expected));
                if (expected != null) {
                    c.prev();
                    assertThat("seek then prev", c.valid() ? c.key() : null, equalTo(m.lowerKey(expected)));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 4,
            concept = "a get of a key the table does not hold reads a data block although the Bloom filter "
                    + "could have said 'absent' (filter not asked first, built over internal keys instead of user keys, or "
                    + "not stored)")
    void absentKeysCostNoDataBlockRead() throws IOException {
        FaultInjectingStorage disk = new FaultInjectingStorage();
        CountingStorage storage = new CountingStorage(disk);
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 20_000; i++) {
            // three versions of each key: a filter over internal keys would still pass, one over
            // user keys with duplicates would be three times too dense
            for (int v = 0; v < 3; v++) {
                m.put(new InternalKey(Bytes.of("present:" + i), 3L * i + v + 1, ValueType.PUT).encode(), new byte[8]);
            }
        }
        try (TableBuilder b = new TableBuilder(storage, "000004.sst", TableBuilder.Options.defaults())) {
            for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
                b.add(e.getKey(), e.getValue());
            }
            b.finish();
        }
        try (Table t = Table.open(storage, "000004.sst", 4, null)) {
            assertThat(
                    "the filter holds each user key once: 20,000 keys at 10 bits",
                    t.filter().bitCount(),
                    lessThanOrEqualTo(200_000L + 8));
            long before = storage.reads();
            for (int i = 0; i < 20_000; i++) {
                assertThat(
                        t.get(Bytes.of("absent:" + i), InternalKey.MAX_SEQUENCE).state(),
                        equalTo(Table.Lookup.State.NOT_FOUND));
            }
            long reads = storage.reads() - before;
            assertThat("20,000 absent keys at 0.82% false positives: about 164 block reads", reads, lessThan(300L));
            assertThat(t.stats().filterSkips(), greaterThan(19_700L));
            assertThat(t.stats().blockReads(), equalTo(reads));
            before = storage.reads();
            assertThat(t.get(Bytes.of("present:777"), InternalKey.MAX_SEQUENCE).sequence(), equalTo(3L * 777 + 3));
            assertThat(
                    "a present key costs exactly one read: index and filter are in memory",
                    storage.reads() - before,
                    equalTo(1L));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "values larger than a data block (10 KB to 300 KB) are split, lost or read back wrong")
    void valuesLargerThanABlock() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 12; i++) {
            byte[] value = new byte[10_000 * (i + 1) * (i % 3 == 0 ? 3 : 1)];
            Arrays.fill(value, (byte) i);
            value[value.length - 1] = (byte) 0x7f;
            m.put(new InternalKey(Bytes.of("big" + i), 100 - i, ValueType.PUT).encode(), value);
        }
        write(storage, "000005.sst", m, TableBuilder.Options.defaults());
        try (Table t = Table.open(storage, "000005.sst", 5, new BlockCache(1 << 16))) {
            assertThat("each value fills a block of its own", t.properties().dataBlocks(), equalTo(12L));
            for (Map.Entry<byte[], byte[]> e : m.entrySet()) {
                InternalKey k = InternalKey.decode(e.getKey(), 0, e.getKey().length, "m", 0);
                assertThat(k.toString(), t.get(k.userKey(), 1000).value(), equalTo(Bytes.wrap(e.getValue())));
            }
            Table.Cursor c = t.cursor();
            int n = 0;
            for (c.seekToFirst(); c.valid(); c.next()) {
                assertThat(c.value(), equalTo(m.get(c.key())));
                n++;
            }
            assertThat(n, equalTo(12));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "the properties block does not record what compaction and the metrics need (entries, "
                    + "tombstones, smallest and largest keys, sequence range, raw sizes, data blocks)")
    void propertiesRecordWhatCompactionNeeds() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        long rawKeys = 0;
        long rawValues = 0;
        for (int i = 0; i < 900; i++) {
            ValueType type = i % 9 == 0 ? ValueType.DELETE : ValueType.PUT;
            byte[] k = new InternalKey(Bytes.of("p" + (i % 300)), 1000 + i, type).encode();
            byte[] v = type == ValueType.PUT ? new byte[i % 50] : new byte[0];
            m.put(k, v);
            rawKeys += k.length;
            rawValues += v.length;
        }
        write(
                storage,
                "000006.sst",
                m,
                TableBuilder.Options.defaults().withBlockSize(512).withBitsPerKey(7));
        try (Table t = Table.open(storage, "000006.sst", 6, null)) {
            var p = t.properties();
            assertThat(p.entries(), equalTo(900L));
            assertThat(p.tombstones(), equalTo(100L));
            assertThat(p.rawKeyBytes(), equalTo(rawKeys));
            assertThat(p.rawValueBytes(), equalTo(rawValues));
            assertThat(p.minSequence(), equalTo(1000L));
            assertThat(p.maxSequence(), equalTo(1899L));
            assertThat(p.smallest().encode(), equalTo(m.firstKey()));
            assertThat(p.largest().encode(), equalTo(m.lastKey()));
            assertThat(p.filterBitsPerKey(), equalTo(7));
            assertThat("the index has one entry per data block", p.dataBlocks(), greaterThan(10L));
        }
    }

    /** Where each part of a table file lies: the data blocks, filter, properties, index, footer. */
    private static List<long[]> regions(byte[] file) throws CorruptionException {
        long footerAt = file.length - Footer.BYTES;
        Footer f = Footer.decode(Arrays.copyOfRange(file, (int) footerAt, file.length), "t", footerAt);
        List<long[]> r = new ArrayList<>();
        r.add(new long[] {0, f.filter().offset()});
        for (BlockHandle h : List.of(f.filter(), f.properties(), f.index())) {
            r.add(new long[] {h.offset(), h.end()});
        }
        r.add(new long[] {footerAt, file.length});
        return r;
    }

    /** Opens the table, walks it and gets every key; returns normally only if nothing was noticed. */
    private static void readEverything(FaultInjectingStorage storage, String name, List<Bytes> userKeys)
            throws IOException {
        try (Table t = Table.open(storage, name, 9, null)) {
            Table.Cursor c = t.cursor();
            for (c.seekToFirst(); c.valid(); c.next()) {
                c.value();
            }
            for (Bytes k : userKeys) {
                t.get(k, InternalKey.MAX_SEQUENCE);
            }
        }
    }

    @Property(tries = 150)
    @Graded(
            task = "T4",
            points = 4,
            concept = "a flipped bit anywhere in a table file (data, index, filter or properties block, "
                    + "footer) goes unnoticed or is reported without the file and an offset inside the damaged part")
    void everyBitFlipIsCaughtWithFileAndOffset(
            @ForAll @IntRange(max = 1 << 20) int where, @ForAll @IntRange(max = 7) int bit) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        List<Bytes> users = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            users.add(Bytes.of("key" + i * 7));
            m.put(new InternalKey(users.get(i), i + 1, ValueType.PUT).encode(), ("value" + i).getBytes());
        }
        write(storage, "000009.sst", m, TableBuilder.Options.defaults().withBlockSize(1024));
        byte[] file = storage.contents("000009.sst");
        long at = where % file.length;
        storage.flipBit("000009.sst", at, bit);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> readEverything(storage, "000009.sst", users),
                "bit " + bit + " of byte " + at + " of " + file.length);
        assertThat(e.file(), equalTo("000009.sst"));
        long[] part = regions(file).stream()
                .filter(r -> r[0] <= at && at < r[1])
                .findFirst()
                .orElseThrow();
        assertThat(
                "byte " + at + " flipped: the offset reported lies in the part [" + part[0] + ", " + part[1] + ")",
                e.offset(),
                is(both(part[0], part[1])));
    }

    private static org.hamcrest.Matcher<Long> both(long from, long to) {
        return org.hamcrest.Matchers.both(greaterThanOrEqualTo(from)).and(lessThan(to));
    }

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "a table cut short at some length is opened, or fails with an EOFException or an index "
                    + "exception instead of a CorruptionException naming the file")
    void everyTruncationIsCorruption() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 40; i++) {
            m.put(new InternalKey(Bytes.of("t" + i), i + 1, ValueType.PUT).encode(), new byte[] {(byte) i});
        }
        write(storage, "000010.sst", m, TableBuilder.Options.defaults().withBlockSize(128));
        byte[] whole = storage.contents("000010.sst");
        for (int length = 0; length < whole.length; length++) {
            storage.plant("000010.sst", Arrays.copyOf(whole, length));
            int l = length;
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> Table.open(storage, "000010.sst", 10, null),
                    "cut to " + l + " of " + whole.length + " bytes");
            assertThat(e.file(), equalTo("000010.sst"));
        }
    }

    private static void resealFooter(byte[] file) {
        int at = file.length - Footer.BYTES;
        CRC32C crc = new CRC32C();
        crc.update(file, at, Footer.CRC_AT);
        int v = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            file[at + Footer.CRC_AT + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "a footer damaged under a valid checksum (another format version, a handle past the "
                    + "footer, a filter with a probe count of 0, an index entry pointing to the wrong offset) is trusted "
                    + "instead of reported with the file, the offset and what failed")
    void damageUnderValidChecksumsIsReported() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 500; i++) {
            m.put(new InternalKey(Bytes.of("d" + i), i + 1, ValueType.PUT).encode(), new byte[20]);
        }
        write(storage, "000011.sst", m, TableBuilder.Options.defaults().withBlockSize(1024));
        byte[] good = storage.contents("000011.sst");
        int footerAt = good.length - Footer.BYTES;
        Footer footer = Footer.decode(Arrays.copyOfRange(good, footerAt, good.length), "t", footerAt);

        byte[] version = good.clone();
        putInt(version, footerAt + Footer.VERSION_AT, 2);
        resealFooter(version);
        expectCorruption(storage, version, footerAt + Footer.VERSION_AT, "format version 2");

        byte[] pastFooter = good.clone();
        putInt(pastFooter, footerAt + Footer.INDEX_AT + 8, footer.index().size() + 1);
        resealFooter(pastFooter);
        expectCorruption(storage, pastFooter, footerAt + Footer.INDEX_AT, "index handle one byte into the footer");

        byte[] probes = good.clone();
        int probeAt = (int) footer.filter().end() - 5 - 1;
        probes[probeAt] = 0;
        byte[] sealed = TableFormat.seal(
                Arrays.copyOfRange(probes, (int) footer.filter().offset(), probeAt + 1));
        System.arraycopy(sealed, 0, probes, (int) footer.filter().offset(), sealed.length);
        CorruptionException e = expectCorruption(storage, probes, -1, "a filter of 0 probes");
        assertThat(e.offset(), both(footer.filter().offset(), footer.filter().end()));

        // An index whose second entry points one byte past its block's start, rebuilt and resealed.
        BlockBuilder index = new BlockBuilder(InternalKey.ORDER, 1);
        // the index is the last block before the footer: cut it out and write a shifted one
        dev.storagelab.lsm.Block opened = dev.storagelab.lsm.Block.open(
                Arrays.copyOfRange(good, (int) footer.index().offset(), (int)
                        footer.index().end()),
                InternalKey.ORDER,
                "t",
                footer.index().offset());
        dev.storagelab.lsm.Block.Cursor ic = opened.cursor();
        int n = 0;
        for (ic.seekToFirst(); ic.valid(); ic.next(), n++) {
            BlockHandle h = BlockHandle.decode(ic.value(), "t", 0, "entry");
            index.add(ic.key(), (n == 1 ? new BlockHandle(h.offset() + 1, h.size()) : h).encode());
        }
        byte[] newIndex = index.finish();
        byte[] shifted = Arrays.copyOf(good, (int) footer.index().offset() + newIndex.length + Footer.BYTES);
        System.arraycopy(newIndex, 0, shifted, (int) footer.index().offset(), newIndex.length);
        byte[] newFooter = new Footer(
                        new BlockHandle(footer.index().offset(), newIndex.length),
                        footer.filter(),
                        footer.properties(),
                        TableFormat.FORMAT_VERSION)
                .encode();
        System.arraycopy(newFooter, 0, shifted, shifted.length - Footer.BYTES, Footer.BYTES);
        e = expectCorruption(storage, shifted, -1, "an index entry pointing one byte into its block");
        assertThat(e.offset(), both(footer.index().offset(), footer.index().offset() + newIndex.length));
        assertThat("the index had several entries", n, greaterThan(2));
    }

    private static CorruptionException expectCorruption(
            FaultInjectingStorage storage, byte[] file, long offset, String what) {
        storage.plant("000011.sst", file);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> readEverything(storage, "000011.sst", List.of()), what);
        assertThat(what, e.file(), equalTo("000011.sst"));
        if (offset >= 0) {
            assertThat(what, e.offset(), equalTo(offset));
        }
        return e;
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "a table of a single entry (one data block that is never full) is written or read "
                    + "wrong, or an empty table is finished instead of rejected")
    void aSingleEntryTableWorksAndAnEmptyOneIsRejected() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TableBuilder empty = new TableBuilder(storage, "000012.sst", TableBuilder.Options.defaults());
        assertThrows(IllegalStateException.class, empty::finish);
        empty.abandon();
        assertThat(storage.exists("000012.sst"), is(false));
        TableBuilder one = new TableBuilder(storage, "000012.sst", TableBuilder.Options.defaults());
        one.add(new InternalKey(Bytes.EMPTY, 0, ValueType.DELETE), new byte[0]);
        TableBuilder.Result r = one.finish();
        assertThat(r.smallest(), equalTo(r.largest()));
        try (Table t = Table.open(storage, "000012.sst", 12, null)) {
            assertThat(t.properties().dataBlocks(), equalTo(1L));
            assertThat(
                    "the empty user key's tombstone at sequence 0",
                    t.get(Bytes.EMPTY, 0),
                    equalTo(Table.Lookup.deleted(0)));
            assertThat(t.get(Bytes.of("a"), 0), equalTo(Table.Lookup.NOT_FOUND));
            Table.Cursor c = t.cursor();
            c.seekToLast();
            assertThat(c.internalKey(), equalTo(r.largest()));
            c.next();
            assertThat(c.valid(), is(false));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "concurrent readers of one table sharing a block cache see wrong values or fail "
                    + "(shared mutable state in the table or the cache)")
    void concurrentReadersShareATableAndACache() throws Exception {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 20_000; i++) {
            m.put(
                    new InternalKey(Bytes.of(String.format("c%06d", i)), i + 1, ValueType.PUT).encode(),
                    ("value-" + i).getBytes());
        }
        write(storage, "000013.sst", m, TableBuilder.Options.defaults());
        BlockCache cache = new BlockCache(64 * 1024, 4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Table t = Table.open(storage, "000013.sst", 13, cache)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int th = 0; th < 4; th++) {
                int seed = th;
                results.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    int ok = 0;
                    for (int i = 0; i < 20_000; i++) {
                        int k = random.nextInt(22_000);
                        Table.Lookup got = t.get(Bytes.of(String.format("c%06d", k)), InternalKey.MAX_SEQUENCE);
                        if (k < 20_000
                                ? got.value().equals(Bytes.of("value-" + k))
                                : got.state() == Table.Lookup.State.NOT_FOUND) {
                            ok++;
                        }
                        assertThat(cache.usedBytes(), lessThanOrEqualTo(64L * 1024));
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat("gets answered right", f.get(), equalTo(20_000));
            }
            Table.Stats s = t.stats();
            assertThat(s.gets(), equalTo(80_000L));
            assertThat(
                    "a get reads at most one block, from the file or the cache, and none when the filter skips it",
                    s.blockReads() + s.blockCacheHits() + s.filterSkips(),
                    lessThanOrEqualTo(80_000L));
            assertThat(
                    "every get of one of the 20,000 present keys (about 72,700 of the 80,000) reads its block",
                    s.blockReads() + s.blockCacheHits(),
                    greaterThan(70_000L));
            assertThat(cache.stats().hits(), equalTo(s.blockCacheHits()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "two tables sharing one block cache get each other's blocks (blocks cached by offset "
                    + "alone), or a table's blocks outlive evictFile")
    void twoTablesShareOneCache() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BlockCache cache = new BlockCache(1 << 20);
        for (int f = 1; f <= 2; f++) {
            TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
            for (int i = 0; i < 2000; i++) {
                m.put(
                        new InternalKey(Bytes.of(String.format("s%05d", i)), i + 1, ValueType.PUT).encode(),
                        ("table" + f + "-" + i).getBytes());
            }
            write(storage, "00000" + f + ".sst", m, TableBuilder.Options.defaults());
        }
        try (Table one = Table.open(storage, "000001.sst", 1, cache);
                Table two = Table.open(storage, "000002.sst", 2, cache)) {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 2000; i += 7) {
                    Bytes k = Bytes.of(String.format("s%05d", i));
                    assertThat(one.get(k, 99_999).value(), equalTo(Bytes.of("table1-" + i)));
                    assertThat(two.get(k, 99_999).value(), equalTo(Bytes.of("table2-" + i)));
                }
            }
            assertThat("the second round hits the cache", one.stats().blockCacheHits(), greaterThan(0L));
            long blocks = cache.size();
            cache.evictFile(1);
            assertThat(
                    "evictFile(1) drops table 1's blocks only",
                    (long) cache.size(),
                    equalTo(blocks - one.properties().dataBlocks()));
            long reads = one.stats().blockReads();
            one.get(Bytes.of("s00007"), 99_999);
            assertThat(
                    "table 1's block is read again from the file", one.stats().blockReads(), equalTo(reads + 1));
        }
    }

    @Test
    @Graded(task = "T4", points = 1, concept = "the Bloom filter's bits per key from the builder's options are ignored")
    void bitsPerKeyIsConfigurable() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 1000; i++) {
            m.put(new InternalKey(Bytes.of("f" + i), i + 1, ValueType.PUT).encode(), new byte[0]);
        }
        for (int bits : new int[] {4, 10, 16}) {
            String name = "0000" + bits + ".sst";
            write(storage, name, m, TableBuilder.Options.defaults().withBitsPerKey(bits));
            try (Table t = Table.open(storage, name, bits, null)) {
                assertThat(bits + " bits per key", t.filter().bitCount(), equalTo(1000L * bits));
            }
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "a key whose versions straddle two data blocks is answered from the wrong block "
                    + "(the index key of a block is not at or after its last key)")
    void versionsStraddlingBlocksAreFound() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int seq = 1; seq <= 200; seq++) {
            m.put(
                    new InternalKey(Bytes.of("hot"), seq, seq % 10 == 0 ? ValueType.DELETE : ValueType.PUT).encode(),
                    seq % 10 == 0 ? new byte[0] : ("v" + seq).getBytes());
        }
        m.put(new InternalKey(Bytes.of("hotter"), 7, ValueType.PUT).encode(), "x".getBytes());
        write(storage, "000014.sst", m, TableBuilder.Options.defaults().withBlockSize(64));
        try (Table t = Table.open(storage, "000014.sst", 14, null)) {
            assertThat(t.properties().dataBlocks(), greaterThan(20L));
            for (int snap = 0; snap <= 210; snap++) {
                int s = Math.min(snap, 200);
                Table.Lookup expected = s == 0
                        ? Table.Lookup.NOT_FOUND
                        : s % 10 == 0 ? Table.Lookup.deleted(s) : Table.Lookup.put(s, Bytes.of("v" + s));
                assertThat("hot at " + snap, t.get(Bytes.of("hot"), snap), equalTo(expected));
            }
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "a data block is not cut when its size estimate reaches the block size exactly, only "
                    + "once it passes it")
    void aBlockIsCutWhenItReachesTheBlockSizeExactly() throws IOException {
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 40; i++) {
            m.put(new InternalKey(Bytes.of(String.format("key-%04d", i)), i + 1, ValueType.PUT).encode(), new byte[50]);
        }
        BlockBuilder one = new BlockBuilder(
                InternalKey.ORDER, TableBuilder.Options.defaults().restartInterval());
        one.add(m.firstKey(), m.firstEntry().getValue());
        int blockSize = one.sizeEstimate();
        FaultInjectingStorage storage = new FaultInjectingStorage();
        write(storage, "000015.sst", m, TableBuilder.Options.defaults().withBlockSize(blockSize));
        try (Table t = Table.open(storage, "000015.sst", 15, null)) {
            assertThat(
                    "every entry alone fills a block of " + blockSize + " bytes",
                    t.properties().dataBlocks(),
                    equalTo(40L));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 1,
            concept = "a bad magic number or footer checksum is reported at an offset outside the footer")
    void everyDamagedFooterByteIsReportedInsideTheFooter() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        TreeMap<byte[], byte[]> m = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < 50; i++) {
            m.put(new InternalKey(Bytes.of("f" + i), i + 1, ValueType.PUT).encode(), new byte[] {(byte) i});
        }
        write(storage, "000016.sst", m, TableBuilder.Options.defaults());
        byte[] good = storage.contents("000016.sst");
        int footerAt = good.length - Footer.BYTES;
        for (int at = footerAt; at < good.length; at++) {
            byte[] bad = good.clone();
            bad[at] ^= 1;
            storage.plant("000016.sst", bad);
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> readEverything(storage, "000016.sst", List.of()),
                    "footer byte " + (at - footerAt) + " flipped");
            assertThat(e.file(), equalTo("000016.sst"));
            assertThat(
                    "footer byte " + (at - footerAt) + " flipped: the offset reported lies in the footer [" + footerAt
                            + ", " + good.length + ")",
                    e.offset(),
                    is(both(footerAt, good.length)));
        }
    }
}
