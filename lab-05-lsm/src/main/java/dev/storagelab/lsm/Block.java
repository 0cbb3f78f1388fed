package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * One block read back (lab-05 T2): the smallest unit an LSM tree reads, checks and caches. Opening
 * it checks the trailer (type and CRC32C) and the restart array; a {@link Cursor} then decodes
 * entries lazily, only those it walks: a seek binary-searches the restart keys and scans at most
 * one restart interval. Lab-01's {@code BlockReader} decoded every entry of a block to answer one
 * get; this one decodes about {@code log2(restarts) + interval / 2} keys.
 *
 * <p>A block is immutable and may be shared by threads (the block cache hands the same one to every
 * reader); each cursor belongs to one thread.
 */
public final class Block {

    /**
     * The bytes the block lies in, from {@link #start} for {@link #sizeBytes} bytes: its own array
     * (a block read for a get, and cached), or a compaction's read-ahead buffer. Every offset a
     * cursor keeps is an index into this array.
     */
    private final byte[] data;

    private final int start;
    private final int size;
    private final KeyOrder order;
    private final String file;
    /** The file offset of {@code data[0]}: an entry at index {@code i} of {@link #data} lies at {@code fileBase + i}. */
    private final long fileBase;
    /** Where the restart array starts: the end of the entries. */
    private final int restartsOffset;

    private final int restartCount;

    private Block(
            byte[] data,
            int start,
            int size,
            KeyOrder order,
            String file,
            long fileBase,
            int restartsOffset,
            int restartCount) {
        this.data = data;
        this.start = start;
        this.size = size;
        this.order = order;
        this.file = file;
        this.fileBase = fileBase;
        this.restartsOffset = restartsOffset;
        this.restartCount = restartCount;
    }

    /**
     * Checks and opens the block {@link BlockBuilder#finish} wrote.
     *
     * @param data       the block with its trailer; kept, not copied: the caller must not change it
     * @param file       the file it was read from, for exceptions
     * @param fileOffset where in that file it starts, for exceptions
     * @throws CorruptionException naming the file and offset if the block is too short, its checksum
     *         or type byte is wrong, or its restart array does not fit or is not increasing
     */
    public static Block open(byte[] data, KeyOrder order, String file, long fileOffset) throws CorruptionException {
        return open(data, 0, data.length, order, file, fileOffset);
    }

    /**
     * {@link #open(byte[], KeyOrder, String, long)} of the {@code length} bytes of {@code data} from
     * {@code offset}, where they lie: a compaction opens each block inside the buffer it read ahead
     * into, instead of copying 4 KiB out of it per block (a fifth of what a compaction allocated).
     * The block keeps {@code data}, which must not change while the block is in use.
     */
    public static Block open(byte[] data, int offset, int length, KeyOrder order, String file, long fileOffset)
            throws CorruptionException {
        Objects.requireNonNull(order, "order");
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length < BlockFormat.MIN_BLOCK_BYTES) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    "block of " + length + " bytes is shorter than the " + BlockFormat.MIN_BLOCK_BYTES
                            + " of an empty block");
        }
        int crcAt = offset + length - 4;
        CRC32C crc = new CRC32C();
        crc.update(data, offset, crcAt - offset);
        int stored = BlockFormat.getInt(data, crcAt);
        if (stored != (int) crc.getValue()) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    "block checksum mismatch: stored " + Integer.toHexString(stored) + ", computed "
                            + Long.toHexString(crc.getValue()));
        }
        int typeAt = crcAt - 1;
        if (data[typeAt] != BlockFormat.TYPE_UNCOMPRESSED) {
            throw new CorruptionException(file, fileOffset, "block has unknown type " + (data[typeAt] & 0xff));
        }
        int countAt = typeAt - BlockFormat.RESTART_BYTES - offset;
        int count = BlockFormat.getInt(data, offset + countAt);
        if (count < 1 || count > countAt / BlockFormat.RESTART_BYTES) {
            throw new CorruptionException(
                    file, fileOffset, "block restart count " + count + " does not fit its " + length + " bytes");
        }
        int restartsOffset = countAt - count * BlockFormat.RESTART_BYTES;
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int r = BlockFormat.getInt(data, offset + restartsOffset + i * BlockFormat.RESTART_BYTES);
            if (r <= previous
                    || r > restartsOffset
                    || (i == 0 && r != 0)
                    || (r == restartsOffset && restartsOffset > 0)) {
                throw new CorruptionException(
                        file,
                        fileOffset + restartsOffset + (long) i * BlockFormat.RESTART_BYTES,
                        "block restart " + i + " at offset " + r + " is out of order or outside the " + restartsOffset
                                + " bytes of entries");
            }
            previous = r;
        }
        return new Block(data, offset, length, order, file, fileOffset - offset, offset + restartsOffset, count);
    }

    /** The number of restart points. */
    public int restartCount() {
        return restartCount;
    }

    /** The block's size in bytes, trailer included: what the block cache charges for it. */
    public int sizeBytes() {
        return size;
    }

    /** Whether the block holds no entry. */
    public boolean isEmpty() {
        return restartsOffset == start;
    }

    /** A new cursor, not yet positioned ({@link Cursor#valid} is false). */
    public Cursor cursor() {
        return new Cursor();
    }

    /**
     * A position in the block: seek to a key, step forward or backward, read the key and value there.
     * Methods that decode throw {@link CorruptionException} when an entry does not parse; a block
     * that passed its checksum only fails so if it was written wrong.
     */
    public final class Cursor {

        /** Offset of the current entry, or -1 when not valid. */
        private int current = -1;
        /** Offset of the entry after the current one. */
        private int nextOffset;
        /** The restart interval the current entry is in. */
        private int restartIndex;
        /** Where the restart after {@link #restartIndex} lies, or {@code Integer.MAX_VALUE} after the last. */
        private int nextRestart;

        private byte[] key = new byte[32];
        private int keyLength;
        private int valueOffset;
        private int valueLength;
        private long entriesDecoded;

        private Cursor() {
            nextRestart = restartAfter(0);
        }

        /** Whether the cursor is on an entry. */
        public boolean valid() {
            return current >= 0;
        }

        /** The current entry's key, a copy. */
        public byte[] key() {
            checkValid();
            return Arrays.copyOf(key, keyLength);
        }

        /** The current entry's value, a copy. */
        public byte[] value() {
            checkValid();
            return Arrays.copyOfRange(data, valueOffset, valueOffset + valueLength);
        }

        /**
         * Entries this cursor has decoded since it was made, restart keys read by a seek's binary
         * search included: what "a get decodes only what it walks" is measured with.
         */
        public long entriesDecoded() {
            return entriesDecoded;
        }

        /** Positions on the first entry (not valid if the block is empty). */
        public void seekToFirst() throws CorruptionException {
            seekToRestart(0);
            next();
        }

        /** Positions on the last entry (not valid if the block is empty). */
        public void seekToLast() throws CorruptionException {
            seekToRestart(restartCount - 1);
            advance();
            while (valid() && nextOffset < restartsOffset) {
                advance();
            }
        }

        /**
         * Positions on the first entry whose key is at or after {@code target} in the block's
         * {@link KeyOrder}, or makes the cursor not valid if every key sorts before it.
         *
         * <p>Binary search over the restart points for the last restart whose key sorts before
         * {@code target} (a restart's key is stored whole, so it is read without decoding anything
         * before it), then a linear scan from there: at most one restart interval of entries.
         */
        public void seek(byte[] target) throws CorruptionException {
            // BEGIN SOLUTION lab-05 T2
            int left = 0;
            int right = restartCount - 1;
            while (left < right) {
                int mid = (left + right + 1) >>> 1;
                // A restart's key is whole (it shares nothing): compared where it lies, not copied
                // into the cursor's key. A header of three one-byte varints (shared 0, key and value
                // shorter than 128) is read here; any other goes the long way, with every check.
                int at = restartOffset(mid);
                int c;
                if (at + 3 <= restartsOffset
                        && data[at] == 0
                        && (data[at + 1] | data[at + 2]) >= 0
                        && data[at + 1] + data[at + 2] <= restartsOffset - at - 3) {
                    entriesDecoded++;
                    c = order.compare(data, at + 3, data[at + 1], target, 0, target.length);
                } else {
                    seekToRestart(mid);
                    advance();
                    c = order.compare(key, 0, keyLength, target, 0, target.length);
                }
                if (c < 0) {
                    left = mid;
                } else {
                    right = mid - 1;
                }
            }
            seekToRestart(left);
            advance();
            while (valid() && order.compare(key, 0, keyLength, target, 0, target.length) < 0) {
                next();
            }
            // END SOLUTION
        }

        /** Moves to the next entry; past the last one the cursor becomes not valid. */
        public void next() throws CorruptionException {
            advance();
        }

        /**
         * Moves to the previous entry; before the first one the cursor becomes not valid. Entries are
         * chained forward only, so this rescans from the restart before the current entry.
         */
        public void prev() throws CorruptionException {
            checkValid();
            int target = current;
            while (restartIndex > 0 && restartOffset(restartIndex) >= target) {
                restartIndex--;
            }
            if (restartOffset(restartIndex) >= target) {
                nextRestart = restartAfter(restartIndex);
                current = -1;
                return;
            }
            seekToRestart(restartIndex);
            do {
                advance();
            } while (nextOffset < target);
        }

        /** The current entry's key where it lies, without a copy: the first {@link #keyLength} bytes, until the cursor moves. */
        byte[] keyBuffer() {
            checkValid();
            return key;
        }

        /** The current entry's key length. */
        int keyLength() {
            checkValid();
            return keyLength;
        }

        /** The block's bytes: the current entry's value is {@link #valueLength} of them from {@link #valueOffset}. */
        byte[] blockBytes() {
            return data;
        }

        /** Where the current entry's value starts in {@link #blockBytes}. */
        int valueOffset() {
            checkValid();
            return valueOffset;
        }

        /** The current entry's value length. */
        int valueLength() {
            checkValid();
            return valueLength;
        }

        /** Where restart {@code index}'s entry lies in {@link #blockBytes} (the restart array holds offsets in the block). */
        private int restartOffset(int index) {
            return start + BlockFormat.getInt(data, restartsOffset + index * BlockFormat.RESTART_BYTES);
        }

        /** Where the restart after restart {@code index} lies, or {@code Integer.MAX_VALUE} after the last. */
        private int restartAfter(int index) {
            return index + 1 < restartCount ? restartOffset(index + 1) : Integer.MAX_VALUE;
        }

        private void seekToRestart(int index) {
            restartIndex = index;
            nextRestart = restartAfter(index);
            current = -1;
            keyLength = 0;
            nextOffset = restartOffset(index);
        }

        /**
         * Decodes the entry at {@code nextOffset} onto the current key (which holds the previous
         * entry's key), or makes the cursor not valid at the end of the entries.
         */
        private void advance() throws CorruptionException {
            if (nextOffset >= restartsOffset) {
                current = -1;
                return;
            }
            decodeEntryAt(nextOffset);
            while (current >= nextRestart) {
                restartIndex++;
                nextRestart = restartAfter(restartIndex);
            }
        }

        /**
         * Decodes the entry at {@code offset}: its three varints, then its key as the first
         * {@code shared} bytes of the current key followed by its {@code unshared} bytes. Sets
         * {@code current}, {@code key}/{@code keyLength}, {@code valueOffset}/{@code valueLength} and
         * {@code nextOffset}, and counts one decoded entry.
         *
         * @throws CorruptionException naming the file and the entry's offset if a varint is
         *         malformed, {@code shared} is longer than the previous key, or the key suffix and value
         *         run past the entries (into the restart array)
         */
        private void decodeEntryAt(int offset) throws CorruptionException {
            // BEGIN SOLUTION lab-05 T2
            int limit = restartsOffset;
            int s;
            int u;
            int v;
            int keyAt;
            if (offset + 3 <= limit && (data[offset] | data[offset + 1] | data[offset + 2]) >= 0) {
                s = data[offset]; // all three below 128, a byte each: most entries (LevelDB's fast path)
                u = data[offset + 1];
                v = data[offset + 2];
                keyAt = offset + 3;
            } else {
                long shared = Varint.read(data, offset, limit);
                long unshared = shared < 0 ? -1 : Varint.read(data, Varint.next(shared), limit);
                long valueLen = unshared < 0 ? -1 : Varint.read(data, Varint.next(unshared), limit);
                if (valueLen < 0) {
                    throw corrupt(offset, "block entry header is truncated or malformed");
                }
                s = Varint.value(shared);
                u = Varint.value(unshared);
                v = Varint.value(valueLen);
                keyAt = Varint.next(valueLen);
            }
            if (s > keyLength) {
                throw corrupt(offset, "block entry shares " + s + " bytes with a previous key of " + keyLength);
            }
            if ((long) u + v > limit - keyAt) {
                throw corrupt(offset, "block entry of " + u + " key and " + v + " value bytes runs past the entries");
            }
            if (s + u > key.length) {
                key = Arrays.copyOf(key, Math.max(s + u, key.length * 2));
            }
            System.arraycopy(data, keyAt, key, s, u);
            keyLength = s + u;
            valueOffset = keyAt + u;
            valueLength = v;
            current = offset;
            nextOffset = valueOffset + v;
            entriesDecoded++;
            // END SOLUTION
        }

        private CorruptionException corrupt(int offset, String what) {
            return new CorruptionException(file, fileBase + offset, what);
        }

        private void checkValid() {
            if (current < 0) {
                throw new IllegalStateException("cursor is not on an entry");
            }
        }
    }
}
