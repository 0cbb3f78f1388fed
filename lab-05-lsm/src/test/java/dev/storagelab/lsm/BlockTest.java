package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T2, the block format: {@link BlockBuilder#add} (prefix compression and restart
 * points), {@link Block.Cursor#seek} (binary search over the restarts, then a short scan) and the
 * cursor's entry decoding, which checks every length against the bytes that remain. Keys here are
 * plain bytes ({@link KeyOrder#BYTEWISE}) unless a test says otherwise.
 */
class BlockTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** {@code n} keys "key00000", "key00002", ... (even numbers, so odd ones are absent), value "v" + i. */
    private static TreeMap<String, String> evenKeys(int n) {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            map.put(String.format("key%05d", 2 * i), "v" + i);
        }
        return map;
    }

    private static byte[] build(Map<String, String> entries, int interval) {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE, interval);
        entries.forEach((k, v) -> builder.add(b(k), b(v)));
        return builder.finish();
    }

    /** Recomputes the CRC32C after a test changed the block's contents on purpose. */
    static void reseal(byte[] block) {
        CRC32C crc = new CRC32C();
        crc.update(block, 0, block.length - 4);
        BlockFormat.putInt(block, block.length - 4, (int) crc.getValue());
    }

    @Test
    void prefixCompressionStoresSharedBytesOnce() {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        builder.add(b("apple"), b("x"));
        builder.add(b("applesauce"), b("y"));
        byte[] block = builder.finish();
        byte[] entries = {0, 5, 1, 'a', 'p', 'p', 'l', 'e', 'x', 5, 5, 1, 's', 'a', 'u', 'c', 'e', 'y'};
        assertThat(
                "entry 1 stores shared=0 and all of 'apple'; entry 2 shared=5 and only 'sauce'",
                Arrays.copyOf(block, entries.length),
                equalTo(entries));
        assertThat(
                "then restart[0] = 0, the count 1, the type byte 0 and 4 bytes of CRC32C",
                block.length,
                equalTo(entries.length + 4 + 4 + 1 + 4));
        assertThat(block.length, equalTo(builder.sizeEstimate()));
    }

    @Test
    void aRestartEveryIntervalEntriesStoresTheKeyWhole() throws CorruptionException {
        TreeMap<String, String> map = evenKeys(40);
        byte[] block = build(map, 16);
        Block opened = Block.open(block, KeyOrder.BYTEWISE, "t.sst", 0);
        assertThat(
                "40 entries with a restart every 16: restarts at entries 0, 16 and 32",
                opened.restartCount(),
                equalTo(3));
        int restartsAt = block.length - BlockFormat.TRAILER_BYTES - 4 - 3 * 4;
        int second = BlockFormat.getInt(block, restartsAt + 4);
        assertThat("a restart entry shares no byte with the key before it", block[second], equalTo((byte) 0));
        assertThat("and stores all 8 bytes of its key", block[second + 1], equalTo((byte) 8));
    }

    @Test
    void aCursorWalksEveryEntryInOrder() throws CorruptionException {
        TreeMap<String, String> map = evenKeys(1000);
        Block.Cursor c =
                Block.open(build(map, 16), KeyOrder.BYTEWISE, "t.sst", 0).cursor();
        List<String> seen = new ArrayList<>();
        for (c.seekToFirst(); c.valid(); c.next()) {
            assertThat(s(c.value()), equalTo(map.get(s(c.key()))));
            seen.add(s(c.key()));
        }
        assertThat(seen, equalTo(new ArrayList<>(map.keySet())));
    }

    @Test
    void seekLandsOnTheFirstKeyAtOrAfterTheTarget() throws CorruptionException {
        TreeMap<String, String> map = evenKeys(300);
        Block.Cursor c =
                Block.open(build(map, 16), KeyOrder.BYTEWISE, "t.sst", 0).cursor();
        for (int i = -1; i <= 601; i++) {
            String target = i < 0 ? "" : String.format("key%05d", i);
            c.seek(b(target));
            String expected = map.ceilingKey(target);
            assertThat("seek(" + target + ")", c.valid() ? s(c.key()) : null, equalTo(expected));
        }
        c.seek(b("zzz"));
        assertThat("past the last key the cursor is not valid", c.valid(), is(false));
    }

    @Test
    void aSeekDecodesOnlyTheEntriesItWalks() throws CorruptionException {
        TreeMap<String, String> map = evenKeys(1024);
        Block block = Block.open(build(map, 16), KeyOrder.BYTEWISE, "t.sst", 0);
        for (int i = 0; i < 2048; i += 37) {
            Block.Cursor c = block.cursor();
            c.seek(b(String.format("key%05d", i)));
            assertThat(
                    "64 restarts: about 6 restart keys for the binary search, then at most 16 entries of one"
                            + " interval (lab-01 decoded all 1024)",
                    c.entriesDecoded(),
                    lessThanOrEqualTo(7L + 17L));
        }
    }

    @Test
    void seekToLastAndPrevWalkBackward() throws CorruptionException {
        TreeMap<String, String> map = evenKeys(100);
        Block.Cursor c =
                Block.open(build(map, 7), KeyOrder.BYTEWISE, "t.sst", 0).cursor();
        List<String> seen = new ArrayList<>();
        for (c.seekToLast(); c.valid(); c.prev()) {
            seen.add(s(c.key()));
        }
        assertThat(seen, equalTo(new ArrayList<>(map.descendingKeySet())));
        c.seek(b("key00051"));
        c.prev();
        assertThat("seek then prev: the last key before the target", s(c.key()), equalTo("key00050"));
    }

    @Test
    void internalKeysFindTheNewestVersionAtASnapshot() throws CorruptionException {
        BlockBuilder builder = new BlockBuilder(InternalKey.ORDER, 2);
        for (String k : new String[] {"a", "b", "c"}) {
            for (long seq = 9; seq >= 1; seq -= 4) {
                builder.add(new InternalKey(Bytes.of(k), seq, ValueType.PUT).encode(), b(k + seq));
            }
        }
        Block.Cursor c =
                Block.open(builder.finish(), InternalKey.ORDER, "t.sst", 0).cursor();
        c.seek(InternalKey.seekKey(Bytes.of("b"), 6).encode());
        assertThat("versions of b are 9, 5, 1: a read at snapshot 6 sees 5", s(c.value()), equalTo("b5"));
    }

    @Test
    void addRejectsKeysOutOfOrder() {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        builder.add(b("b"), b("1"));
        assertThrows(IllegalArgumentException.class, () -> builder.add(b("b"), b("2")), "a duplicate key");
        assertThrows(IllegalArgumentException.class, () -> builder.add(b("a"), b("2")), "a smaller key");
    }

    @Test
    void everyFlippedByteIsCaughtWhenTheBlockIsOpened() {
        byte[] block = build(evenKeys(50), 16);
        for (int i = 0; i < block.length; i++) {
            byte[] bad = block.clone();
            bad[i] ^= 0x10;
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> Block.open(bad, KeyOrder.BYTEWISE, "000012.sst", 8192),
                    "byte " + i + " flipped");
            assertThat(e.file(), equalTo("000012.sst"));
        }
    }

    /** Two entries, the second (at offset 5, after 0 1 1 a 1) claiming a 100-byte value, the checksum valid. */
    private static byte[] secondEntryRunsPastTheEntries() {
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE);
        builder.add(b("a"), b("1"));
        builder.add(b("b"), b("2"));
        byte[] block = builder.finish();
        block[5 + 2] = 100;
        reseal(block);
        return block;
    }

    @Test
    void anEntryRunningPastTheEntriesIsCorruptionNamingItsOffset() throws CorruptionException {
        byte[] block = secondEntryRunsPastTheEntries();
        Block.Cursor c =
                Block.open(block, KeyOrder.BYTEWISE, "000012.sst", 8192).cursor();
        c.seekToFirst();
        CorruptionException e = assertThrows(CorruptionException.class, c::next);
        assertThat(e.getMessage(), containsString("000012.sst"));
        assertThat("the file offset of the bad entry: the block's offset plus 5", e.offset(), equalTo(8197L));
    }

    @Test
    void aBlockOpenedInsideALargerArrayReadsAsTheSameBlock() throws CorruptionException {
        // A compaction opens each block where it lies in the buffer it read ahead into.
        TreeMap<String, String> map = evenKeys(200);
        byte[] block = build(map, 16);
        byte[] buffer = new byte[block.length + 100];
        Arrays.fill(buffer, (byte) 0x7f);
        System.arraycopy(block, 0, buffer, 37, block.length);
        Block inside = Block.open(buffer, 37, block.length, KeyOrder.BYTEWISE, "t.sst", 4096);
        assertThat(inside.sizeBytes(), equalTo(block.length));
        Block.Cursor c = inside.cursor();
        List<String> seen = new ArrayList<>();
        for (c.seekToFirst(); c.valid(); c.next()) {
            assertThat(s(c.value()), equalTo(map.get(s(c.key()))));
            seen.add(s(c.key()));
        }
        assertThat(seen, equalTo(new ArrayList<>(map.keySet())));
        for (int i = -1; i <= 401; i += 3) {
            String target = i < 0 ? "" : String.format("key%05d", i);
            c.seek(b(target));
            assertThat("seek(" + target + ")", c.valid() ? s(c.key()) : null, equalTo(map.ceilingKey(target)));
        }
        List<String> backward = new ArrayList<>();
        for (c.seekToLast(); c.valid(); c.prev()) {
            backward.add(s(c.key()));
        }
        assertThat(backward, equalTo(new ArrayList<>(map.descendingKeySet())));
    }

    @Test
    void aBadEntryOfABlockInsideALargerArrayIsNamedAtItsFileOffset() throws CorruptionException {
        byte[] block = secondEntryRunsPastTheEntries();
        byte[] buffer = new byte[block.length + 40];
        System.arraycopy(block, 0, buffer, 40, block.length);
        Block.Cursor c = Block.open(buffer, 40, block.length, KeyOrder.BYTEWISE, "000012.sst", 8192)
                .cursor();
        c.seekToFirst();
        CorruptionException e = assertThrows(CorruptionException.class, c::next);
        assertThat("the block's file offset plus 5, wherever the block lies in memory", e.offset(), equalTo(8197L));
        byte[] flipped = buffer.clone();
        flipped[40 + 3] ^= 1;
        assertThrows(
                CorruptionException.class,
                () -> Block.open(flipped, 40, block.length, KeyOrder.BYTEWISE, "000012.sst", 8192),
                "a flipped byte inside the range fails the checksum");
    }
}
