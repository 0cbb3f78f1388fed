package dev.storagelab.lsm;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Builds one block of the layout in {@link BlockFormat} (lab-05 T2): keys added in strictly
 * increasing {@link KeyOrder}, each stored as the bytes it shares with the previous key (a count)
 * and the bytes it does not; every {@code restartInterval}-th entry stores its key whole and its
 * offset joins the restart array, so a reader can binary-search the restarts and decode at most
 * {@code restartInterval} entries after one.
 *
 * <p>Sorted keys share long prefixes ({@code user:000123}, {@code user:000124}): prefix compression
 * is what keeps a 4 KiB block holding many of them. Not thread-safe.
 */
public final class BlockBuilder {

    private final KeyOrder order;
    private final int restartInterval;
    private final UnsynchronizedBuffer buffer = new UnsynchronizedBuffer(4096);
    private int[] restarts = new int[16];
    private int restartCount;
    private int sinceRestart;
    private int entries;
    /** The last key added, in {@code lastKey[0 .. lastKeyLength)}: a buffer reused from key to key. */
    private byte[] lastKey = new byte[32];

    private int lastKeyLength;
    private boolean finished;

    /** A builder with a restart every {@link BlockFormat#DEFAULT_RESTART_INTERVAL} entries. */
    public BlockBuilder(KeyOrder order) {
        this(order, BlockFormat.DEFAULT_RESTART_INTERVAL);
    }

    public BlockBuilder(KeyOrder order, int restartInterval) {
        this.order = Objects.requireNonNull(order, "order");
        if (restartInterval < 1) {
            throw new IllegalArgumentException("restartInterval must be positive: " + restartInterval);
        }
        this.restartInterval = restartInterval;
        reset();
    }

    /** Empties the builder for the next block. */
    public void reset() {
        buffer.reset();
        restartCount = 0;
        addRestart(0);
        sinceRestart = 0;
        entries = 0;
        lastKeyLength = 0;
        finished = false;
    }

    private void addRestart(int offset) {
        if (restartCount == restarts.length) {
            restarts = Arrays.copyOf(restarts, restartCount * 2);
        }
        restarts[restartCount++] = offset;
    }

    /**
     * Appends {@code key -> value}: {@link #add(byte[], byte[], int, int)} of the whole value.
     *
     * @throws IllegalArgumentException if {@code key} does not sort strictly after the previous key
     * @throws IllegalStateException    after {@link #finish} (until {@link #reset})
     */
    public void add(byte[] key, byte[] value) {
        add(key, Objects.requireNonNull(value, "value"), 0, value.length);
    }

    /**
     * Appends {@code key} and the value in {@code value[valueOffset .. valueOffset + valueLength)}:
     * the entry header (shared, unshared, value length as varints), the key's unshared suffix and
     * the value's bytes. At every {@code restartInterval}-th entry (the first included) it shares
     * nothing and its offset is recorded as a restart. The value is given where it lies (a
     * compaction passes each value inside the input block it read, without a copy); the builder
     * copies the bytes it needs and keeps neither array.
     *
     * @throws IllegalArgumentException if {@code key} does not sort strictly after the previous key
     * @throws IllegalStateException    after {@link #finish} (until {@link #reset})
     */
    public void add(byte[] key, byte[] value, int valueOffset, int valueLength) {
        Objects.checkFromIndexSize(valueOffset, valueLength, value.length);
        if (finished) {
            throw new IllegalStateException("block already finished; reset() it first");
        }
        if (entries > 0 && order.compare(lastKey, 0, lastKeyLength, key, 0, key.length) >= 0) {
            throw new IllegalArgumentException("block keys must be added in strictly increasing order: "
                    + Arrays.toString(key) + " after " + Arrays.toString(lastKey()));
        }
        // BEGIN SOLUTION lab-05 T2
        int shared = 0;
        if (sinceRestart < restartInterval) {
            int max = Math.min(lastKeyLength, key.length);
            while (shared < max && lastKey[shared] == key[shared]) {
                shared++;
            }
        } else {
            addRestart(buffer.size());
            sinceRestart = 0;
        }
        Varint.write(buffer, shared);
        Varint.write(buffer, key.length - shared);
        Varint.write(buffer, valueLength);
        buffer.write(key, shared, key.length - shared);
        buffer.write(value, valueOffset, valueLength);
        setLastKey(key);
        sinceRestart++;
        entries++;
        // END SOLUTION
    }

    /** Copies {@code key} into the last-key buffer, growing it if it is too short. */
    private void setLastKey(byte[] key) {
        if (key.length > lastKey.length) {
            lastKey = new byte[Math.max(key.length, lastKey.length * 2)];
        }
        System.arraycopy(key, 0, lastKey, 0, key.length);
        lastKeyLength = key.length;
    }

    /** The number of entries added since the last {@link #reset}. */
    public int entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries == 0;
    }

    /** The size {@link #finish} would return now: what a table writer compares with its block size. */
    public int sizeEstimate() {
        return finished
                ? buffer.size()
                : buffer.size() + (restartCount + 1) * BlockFormat.RESTART_BYTES + BlockFormat.TRAILER_BYTES;
    }

    /** The last key added (a copy), or an empty array if none. */
    public byte[] lastKey() {
        return Arrays.copyOf(lastKey, lastKeyLength);
    }

    /**
     * Finishes the block: appends the restart array, its count, the type byte
     * ({@link BlockFormat#TYPE_UNCOMPRESSED}) and the CRC32C of everything before the checksum.
     *
     * @return the block's bytes, exactly {@link #sizeEstimate} of them
     */
    public byte[] finish() {
        int n = finishInPlace();
        return Arrays.copyOf(buffer.array(), n);
    }

    /**
     * {@link #finish} without a copy: the block's bytes are the first {@code n} (returned) of
     * {@link #finishedBytes}, until the next {@link #reset}. A table builder copies them straight
     * into its write buffer: a new array per 4 KiB block was a fifth of a compaction's time.
     */
    int finishInPlace() {
        if (finished) {
            throw new IllegalStateException("block already finished; reset() it first");
        }
        int size = sizeEstimate();
        byte[] word = new byte[BlockFormat.RESTART_BYTES];
        for (int i = 0; i < restartCount; i++) {
            BlockFormat.putInt(word, 0, restarts[i]);
            buffer.write(word, 0, word.length);
        }
        BlockFormat.putInt(word, 0, restartCount);
        buffer.write(word, 0, word.length);
        buffer.write(BlockFormat.TYPE_UNCOMPRESSED);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.size());
        BlockFormat.putInt(word, 0, (int) crc.getValue());
        buffer.write(word, 0, word.length);
        finished = true;
        assert buffer.size() == size : buffer.size() + " != " + size;
        return size;
    }

    /** The buffer {@link #finishInPlace} finished the block in. */
    byte[] finishedBytes() {
        return buffer.array();
    }

    /**
     * A {@code ByteArrayOutputStream} whose writes take no lock: a builder belongs to one thread,
     * and the lock on each of an entry's writes (three varints, key, value, and the size the table
     * builder asks for) was an eighth of a compaction's time.
     */
    private static final class UnsynchronizedBuffer extends ByteArrayOutputStream {

        UnsynchronizedBuffer(int size) {
            super(size);
        }

        @Override
        public void write(int b) {
            ensureCapacity(count + 1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureCapacity(count + len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        @Override
        public int size() {
            return count;
        }

        /** The buffer itself: its first {@link #size} bytes are what was written. */
        byte[] array() {
            return buf;
        }

        @Override
        public void reset() {
            count = 0;
        }

        private void ensureCapacity(int needed) {
            if (needed > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(needed, 2 * buf.length));
            }
        }
    }
}
