package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.Block;
import dev.storagelab.lsm.BlockBuilder;
import dev.storagelab.lsm.BlockFormat;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.KeyOrder;
import dev.storagelab.lsm.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the block format (lab-05 T2): random sets of binary keys with long shared
 * prefixes (and keys that are prefixes of others) at restart intervals from 1 to 40, against a
 * {@link TreeMap}: forward walks, seeks to present and absent keys, backward walks and seek-then-prev;
 * the number of entries a seek decodes; reads at snapshots over many versions of internal keys; and
 * corruption: every flipped byte caught on open, and entries written wrong under a valid checksum
 * reported with the file and the entry's offset rather than an index exception or a wrong answer.
 */
@Tag("hidden")
class BlockHiddenTest {

    @Provide
    Arbitrary<Set<Bytes>> keySets() {
        Arbitrary<Bytes> key = Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab\u00ff").ofMaxLength(6).map(Bytes::of),
                Arbitraries.integers().between(0, 5000).map(i -> Bytes.of(String.format("user:%08d", i))),
                Arbitraries.bytes().list().ofMaxSize(4).map(l -> {
                    byte[] b = new byte[l.size()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = l.get(i);
                    }
                    return Bytes.wrap(b);
                }));
        return key.set().ofMaxSize(300);
    }

    /**
     * Keys chosen adversarially rather than uniformly: one shared prefix of up to 600 bytes, and
     * suffixes whose lengths jump from nothing to a thousand bytes, so that in sorted order a short
     * key sits next to a much longer one sharing its whole length (and the other way round). A
     * cursor's key buffer must grow to a long key that follows a short one while keeping the shared
     * prefix; a shared length must never be taken from the wrong key.
     */
    @Provide
    Arbitrary<Set<Bytes>> longPrefixKeySets() {
        Arbitrary<Integer> prefixLength = Arbitraries.of(0, 1, 7, 31, 33, 64, 200, 600);
        Arbitrary<Integer> suffixLength = Arbitraries.of(0, 1, 2, 3, 29, 70, 130, 300, 1000);
        Arbitrary<byte[]> suffix =
                suffixLength.flatMap(n -> Arbitraries.of((byte) 0, (byte) 'a', (byte) 'b', (byte) 0xff)
                        .array(byte[].class)
                        .ofSize(n));
        return prefixLength.flatMap(p -> suffix.map(x -> {
                    byte[] key = new byte[p + x.length];
                    java.util.Arrays.fill(key, 0, p, (byte) 'p');
                    System.arraycopy(x, 0, key, p, x.length);
                    return Bytes.wrap(key);
                })
                .set()
                .ofMinSize(2)
                .ofMaxSize(60));
    }

    private static TreeMap<Bytes, Bytes> model(Set<Bytes> keys) {
        TreeMap<Bytes, Bytes> m = new TreeMap<>();
        int i = 0;
        for (Bytes k : keys) {
            m.put(k, Bytes.of("v" + (i++ % 7 == 0 ? "" : "alue-" + i)));
        }
        return m;
    }

    /** Every entry of {@code block}, first to last. */
    private static List<Map.Entry<Bytes, Bytes>> forwardWalk(Block block) throws CorruptionException {
        Block.Cursor c = block.cursor();
        List<Map.Entry<Bytes, Bytes>> seen = new ArrayList<>();
        for (c.seekToFirst(); c.valid(); c.next()) {
            seen.add(Map.entry(Bytes.wrap(c.key()), Bytes.wrap(c.value())));
        }
        return seen;
    }

    private static Block build(TreeMap<Bytes, Bytes> m, int interval) throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE, interval);
        m.forEach((k, v) -> builder.add(k.toByteArray(), v.toByteArray()));
        int estimate = builder.sizeEstimate();
        byte[] data = builder.finish();
        assertThat("sizeEstimate() before finish is the finished size", data.length, equalTo(estimate));
        return Block.open(data, KeyOrder.BYTEWISE, "h.sst", 0);
    }

    @Property(tries = 200)
    @Graded(
            task = "T2",
            points = 4,
            concept = "a block loses, reorders or garbles entries (prefix compression or restart points "
                    + "written or decoded wrong)")
    void aForwardWalkReturnsEveryEntry(
            @ForAll("keySets") Set<Bytes> keys, @ForAll @IntRange(min = 1, max = 40) int interval)
            throws CorruptionException {
        TreeMap<Bytes, Bytes> m = model(keys);
        assertThat(forwardWalk(build(m, interval)), equalTo(new ArrayList<>(m.entrySet())));
    }

    @Property(tries = 200)
    @Graded(
            task = "T2",
            points = 4,
            concept = "a seek in a block lands on the wrong entry (the binary search over restart points "
                    + "or the scan after it is off by one)")
    void seekMatchesCeilingOfTheModel(
            @ForAll("keySets") Set<Bytes> keys,
            @ForAll("keySets") Set<Bytes> targets,
            @ForAll @IntRange(min = 1, max = 40) int interval)
            throws CorruptionException {
        TreeMap<Bytes, Bytes> m = model(keys);
        Block block = build(m, interval);
        List<Bytes> all = new ArrayList<>(targets);
        all.addAll(m.keySet());
        all.add(Bytes.EMPTY);
        for (Bytes t : all) {
            Block.Cursor c = block.cursor();
            c.seek(t.toByteArray());
            Bytes expected = m.ceilingKey(t);
            assertThat(
                    "seek(" + t + ") at interval " + interval,
                    c.valid() ? Bytes.wrap(c.key()) : null,
                    equalTo(expected));
            if (expected != null) {
                assertThat(Bytes.wrap(c.value()), equalTo(m.get(expected)));
            }
        }
    }

    @Property(tries = 300)
    @Graded(
            task = "T2",
            points = 3,
            concept = "keys of very different lengths sharing a long prefix, next to each other in a block, "
                    + "read back wrong or crash (the key buffer does not grow to fit a long key after a short one)")
    void keysOfVeryDifferentLengthsSharingALongPrefixReadBack(
            @ForAll("longPrefixKeySets") Set<Bytes> keys, @ForAll @IntRange(min = 1, max = 16) int interval)
            throws CorruptionException {
        TreeMap<Bytes, Bytes> m = model(keys);
        Block block = build(m, interval);
        assertThat(
                "a forward walk at restart interval " + interval,
                forwardWalk(block),
                equalTo(new ArrayList<>(m.entrySet())));
        Block.Cursor c = block.cursor();
        List<Bytes> backward = new ArrayList<>();
        for (c.seekToLast(); c.valid(); c.prev()) {
            backward.add(Bytes.wrap(c.key()));
        }
        assertThat(
                "a backward walk at restart interval " + interval,
                backward,
                equalTo(new ArrayList<>(m.descendingKeySet())));
        for (Bytes k : m.keySet()) {
            Block.Cursor s = block.cursor();
            s.seek(k.toByteArray());
            assertThat("seek to a key of " + k.length() + " bytes", s.valid() ? Bytes.wrap(s.key()) : null, equalTo(k));
        }
    }

    @Property(tries = 150)
    @Graded(
            task = "T2",
            points = 3,
            concept = "walking a block backward (seekToLast, prev, seek then prev) skips or repeats entries")
    void backwardWalksMatchTheModel(
            @ForAll("keySets") Set<Bytes> keys,
            @ForAll @IntRange(min = 1, max = 40) int interval,
            @ForAll("keySets") Set<Bytes> targets)
            throws CorruptionException {
        TreeMap<Bytes, Bytes> m = model(keys);
        Block block = build(m, interval);
        Block.Cursor c = block.cursor();
        List<Bytes> seen = new ArrayList<>();
        for (c.seekToLast(); c.valid(); c.prev()) {
            seen.add(Bytes.wrap(c.key()));
        }
        assertThat(seen, equalTo(new ArrayList<>(m.descendingKeySet())));
        for (Bytes t : targets) {
            c.seek(t.toByteArray());
            Bytes ceiling = m.ceilingKey(t);
            if (ceiling == null) {
                continue;
            }
            c.prev();
            assertThat(
                    "seek(" + t + ") then prev", c.valid() ? Bytes.wrap(c.key()) : null, equalTo(m.lowerKey(ceiling)));
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 3,
            concept = "a get in a block decodes more than the restart keys of a binary search and one "
                    + "restart interval (the whole block decoded per lookup, as lab-01 did)")
    void aSeekDecodesLogarithmicallyManyRestartKeysAndOneInterval() throws CorruptionException {
        TreeMap<Bytes, Bytes> m = new TreeMap<>();
        for (int i = 0; i < 4096; i++) {
            m.put(Bytes.of(String.format("user:%08d", i)), Bytes.of("v"));
        }
        Block block = build(m, 16);
        assertThat(block.restartCount(), equalTo(256));
        long total = 0;
        for (int i = 0; i < 4096; i += 13) {
            Block.Cursor c = block.cursor();
            c.seek(Bytes.of(String.format("user:%08d", i)).toByteArray());
            assertThat(c.valid(), is(true));
            assertThat(
                    "256 restarts: at most 8 + 1 restart keys and 16 entries",
                    c.entriesDecoded(),
                    allOf(greaterThanOrEqualTo(1L), lessThanOrEqualTo(9L + 16L)));
            total += c.entriesDecoded();
        }
        assertThat("on average about 8 restart keys and half an interval", total / (4096 / 13 + 1), lessThan(20L));
    }

    @Property(tries = 100)
    @Graded(
            task = "T2",
            points = 4,
            concept = "a block of internal keys answers a read at a snapshot with a version newer than the "
                    + "snapshot, or an older one than the newest visible (several versions per key across restarts)")
    void snapshotReadsOverManyVersions(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(max = 9) Integer> writes,
            @ForAll @IntRange(min = 1, max = 8) int interval)
            throws CorruptionException {
        // Write i puts key writes[i] at sequence i + 1, or deletes it when i % 5 == 4.
        TreeMap<byte[], byte[]> sorted = new TreeMap<>(InternalKey.ORDER::compare);
        for (int i = 0; i < writes.size(); i++) {
            ValueType type = i % 5 == 4 ? ValueType.DELETE : ValueType.PUT;
            sorted.put(new InternalKey(Bytes.of("k" + writes.get(i)), i + 1, type).encode(), ("w" + i).getBytes());
        }
        BlockBuilder builder = new BlockBuilder(InternalKey.ORDER, interval);
        sorted.forEach(builder::add);
        Block block = Block.open(builder.finish(), InternalKey.ORDER, "h.sst", 0);
        for (int snapshot = 0; snapshot <= writes.size(); snapshot++) {
            for (int k = 0; k < 10; k++) {
                String expected = null;
                for (int i = 0; i < snapshot; i++) {
                    if (writes.get(i) == k) {
                        expected = i % 5 == 4 ? null : "w" + i;
                    }
                }
                Block.Cursor c = block.cursor();
                c.seek(InternalKey.seekKey(Bytes.of("k" + k), snapshot).encode());
                String got = null;
                if (c.valid()) {
                    byte[] e = c.key();
                    InternalKey found = InternalKey.decode(e, 0, e.length, "h.sst", 0);
                    if (found.userKey().equals(Bytes.of("k" + k)) && found.type() == ValueType.PUT) {
                        got = new String(c.value());
                    }
                }
                assertThat("k" + k + " at snapshot " + snapshot, got, equalTo(expected));
            }
        }
    }

    @Property(tries = 40)
    @Graded(
            task = "T2",
            points = 3,
            concept = "a flipped bit in a block goes unnoticed (CRC32C or type byte not checked) or is "
                    + "not reported with the file's name")
    void everyBitFlipIsCaughtOnOpen(
            @ForAll("keySets") Set<Bytes> keys,
            @ForAll @IntRange(max = 1 << 20) int where,
            @ForAll @IntRange(max = 7) int bit)
            throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        TreeMap<Bytes, Bytes> model = model(keys);
        model.forEach((k, v) -> builder.add(k.toByteArray(), v.toByteArray()));
        byte[] data = builder.finish();
        // the block holds its entries before a bit of it is flipped: a checksum over nothing proves nothing
        assertThat(
                "the block as written",
                forwardWalk(Block.open(data.clone(), KeyOrder.BYTEWISE, "000077.sst", 65536)),
                equalTo(new ArrayList<>(model.entrySet())));
        data[where % data.length] ^= (byte) (1 << bit);
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> Block.open(data, KeyOrder.BYTEWISE, "000077.sst", 65536));
        assertThat(e.file(), equalTo("000077.sst"));
        assertThat(e.offset(), greaterThanOrEqualTo(65536L));
    }

    private static void reseal(byte[] block) {
        CRC32C crc = new CRC32C();
        crc.update(block, 0, block.length - 4);
        int v = (int) crc.getValue();
        block[block.length - 4] = (byte) (v >>> 24);
        block[block.length - 3] = (byte) (v >>> 16);
        block[block.length - 2] = (byte) (v >>> 8);
        block[block.length - 1] = (byte) v;
    }

    @Test
    @Graded(
            task = "T2",
            points = 3,
            concept = "an entry written wrong under a valid checksum (shared longer than the previous key, "
                    + "a malformed varint, lengths past the entries) crashes with an index exception or decodes garbage "
                    + "instead of a CorruptionException naming the entry's offset")
    void entriesWrittenWrongAreCorruptionWithTheirOffset() throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        builder.add(Bytes.of("abc").toByteArray(), Bytes.of("1").toByteArray());
        builder.add(Bytes.of("abd").toByteArray(), Bytes.of("2").toByteArray());
        byte[] good = builder.finish();
        // entry 0 at 0: 00 03 01 'a' 'b' 'c' '1'; entry 1 at 7: 02 01 01 'd' '2'
        assertThat(good[7], equalTo((byte) 2));
        int[][] edits = {{7, 9}, {8, 0x7f}, {7, 0xff}, {0, 1}, {9, 0x80}};
        String[] what = {
            "shared 9 > previous key 3",
            "unshared runs past the entries",
            "malformed shared varint",
            "first entry shares bytes with no previous key",
            "value-length varint runs into the restart array"
        };
        for (int i = 0; i < edits.length; i++) {
            byte[] bad = good.clone();
            bad[edits[i][0]] = (byte) edits[i][1];
            if (i == 4) {
                bad[10] = (byte) 0x80;
                bad[11] = (byte) 0x80;
            }
            reseal(bad);
            Block block = Block.open(bad, KeyOrder.BYTEWISE, "000031.sst", 1000);
            long entryOffset = edits[i][0] < 7 ? 1000 : 1007;
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> {
                        Block.Cursor c = block.cursor();
                        for (c.seekToFirst(); c.valid(); c.next()) {
                            c.key();
                        }
                    },
                    what[i]);
            assertThat(what[i], e.offset(), equalTo(entryOffset));
            assertThat(what[i], e.file(), equalTo("000031.sst"));
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "a block builder reused after reset(), or holding an empty key, a 70 KB value or a "
                    + "restart interval of 1, writes a block that reads back wrong")
    void resetEmptyKeysLargeValuesAndIntervalOne() throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE, 1);
        builder.add(new byte[0], new byte[70_000]);
        builder.add(new byte[] {0}, new byte[] {1});
        builder.finish();
        builder.reset();
        builder.add(new byte[] {5}, new byte[] {6});
        builder.add(new byte[] {5, 0}, new byte[0]);
        byte[] data = builder.finish();
        Block block = Block.open(data, KeyOrder.BYTEWISE, "h.sst", 0);
        assertThat("interval 1: every entry is a restart", block.restartCount(), equalTo(2));
        Block.Cursor c = block.cursor();
        c.seek(new byte[0]);
        assertThat(c.key(), equalTo(new byte[] {5}));
        assertThat(c.value(), equalTo(new byte[] {6}));
        c.next();
        assertThat(c.key(), equalTo(new byte[] {5, 0}));
        assertThat(c.value().length, equalTo(0));
        c.next();
        assertThat(c.valid(), is(false));
        assertThat(BlockFormat.MIN_BLOCK_BYTES, lessThan(data.length));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "prefix compression is not applied: sorted keys with long shared prefixes take as "
                    + "many bytes in a block as if each were stored whole")
    void sharedPrefixesAreStoredOnce() throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        int whole = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] key = Bytes.of(String.format("customer:orders:%08d", i)).toByteArray();
            builder.add(key, new byte[] {1});
            whole += 3 + key.length + 1;
        }
        byte[] data = builder.finish();
        assertThat(
                "1000 keys of 24 bytes sharing 21 or more bytes with their neighbour",
                data.length,
                lessThan(whole / 3));
        Block.Cursor c = Block.open(data, KeyOrder.BYTEWISE, "h.sst", 0).cursor();
        c.seek(Bytes.of("customer:orders:00000999").toByteArray());
        assertThat(c.valid(), is(true));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "a block of keys longer than 32 bytes (long shared prefixes, keys up to 360 bytes) reads "
                    + "back wrong or crashes: the cursor's key buffer does not grow to the longest key")
    void keysOfHundredsOfBytesReadBack() throws CorruptionException {
        TreeMap<Bytes, Bytes> m = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            m.put(Bytes.of("k".repeat(1 + (i % 8) * 50) + String.format("%04d", i)), Bytes.of("v" + i));
        }
        for (int interval : new int[] {1, 3, 16}) {
            Block block = build(m, interval);
            assertThat(
                    "a forward walk at restart interval " + interval,
                    forwardWalk(block),
                    equalTo(new ArrayList<>(m.entrySet())));
            for (Bytes k : m.keySet()) {
                Block.Cursor s = block.cursor();
                s.seek(k.toByteArray());
                assertThat("seek to a key of " + k.length() + " bytes", Bytes.wrap(s.key()), equalTo(k));
            }
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 1,
            concept = "an entry whose value runs a few bytes past the entries into the restart array (under "
                    + "a valid checksum) is read as garbage instead of a CorruptionException naming the entry's offset")
    void aValueRunningIntoTheRestartArrayIsCorruption() throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        builder.add(Bytes.of("abc").toByteArray(), Bytes.of("1").toByteArray());
        builder.add(Bytes.of("abd").toByteArray(), Bytes.of("2").toByteArray());
        byte[] good = builder.finish();
        // entry 1 at 7: 02 01 01 'd' '2', the restart array from 12; its value length (at 9) made 2 to 5
        assertThat(good[9], equalTo((byte) 1));
        for (int valueLength = 2; valueLength <= 5; valueLength++) {
            byte[] bad = good.clone();
            bad[9] = (byte) valueLength;
            reseal(bad);
            Block block = Block.open(bad, KeyOrder.BYTEWISE, "000032.sst", 2000);
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> {
                        Block.Cursor c = block.cursor();
                        for (c.seekToFirst(); c.valid(); c.next()) {
                            c.value();
                        }
                    },
                    "a value of " + valueLength + " bytes, past the entries by " + (valueLength - 1));
            assertThat(e.offset(), equalTo(2007L));
            assertThat(e.file(), equalTo("000032.sst"));
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 1,
            concept = "a block builder miscounts its entries, and so lets a key that does not sort after the "
                    + "previous one in")
    void aBuilderCountsItsEntriesAndRefusesKeysOutOfOrder() {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        for (String k : List.of("a", "b", "c")) {
            builder.add(Bytes.of(k).toByteArray(), new byte[] {1});
        }
        assertThat(builder.entries(), equalTo(3));
        assertThat(builder.isEmpty(), is(false));
        assertThrows(
                IllegalArgumentException.class,
                () -> builder.add(Bytes.of("b").toByteArray(), new byte[0]),
                "b after c");
        assertThrows(
                IllegalArgumentException.class, () -> builder.add(Bytes.of("c").toByteArray(), new byte[0]), "c twice");
    }
}
