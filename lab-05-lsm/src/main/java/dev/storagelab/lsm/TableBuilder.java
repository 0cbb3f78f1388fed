package dev.storagelab.lsm;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import java.io.Closeable;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes one sorted string table (lab-05 T4) in the layout of {@link TableFormat}: entries added
 * in strictly increasing {@link InternalKey#ORDER} go into data blocks of about
 * {@link Options#blockSize} bytes; each finished data block gets one index entry (the block's last
 * key, mapping to the block's {@link BlockHandle}); {@link #finish} then writes the Bloom filter of
 * every user key, the {@link TableProperties}, the index block and the {@link Footer}, and forces
 * the file.
 *
 * <p>The index key of a block is the block's own last key: it is at or after every key of the
 * block and before the first key of the next, which is all a reader needs to pick the one block a
 * key can be in. (LevelDB shortens it to the shortest key between the two blocks; see the handout
 * for why this lab does not.)
 *
 * <p>Making the new file's name durable (a directory sync) is the caller's job: a flush or a
 * compaction writes several tables and syncs the directory once. Not thread-safe.
 */
public final class TableBuilder implements Closeable {

    /**
     * How a table is built.
     *
     * @param blockSize       a data block is cut when it reaches this many bytes (at least 64)
     * @param restartInterval the data blocks' restart interval
     * @param bitsPerKey      the Bloom filter's bits per user key
     */
    public record Options(int blockSize, int restartInterval, int bitsPerKey) {

        public Options {
            checkArgument(blockSize >= 64, "blockSize must be at least 64 bytes: %s", blockSize);
            checkArgument(restartInterval >= 1, "restartInterval must be positive: %s", restartInterval);
            checkArgument(bitsPerKey >= 1, "bitsPerKey must be positive: %s", bitsPerKey);
        }

        /** 4 KiB blocks, a restart every 16 entries, 10 bits per key. */
        public static Options defaults() {
            return new Options(
                    TableFormat.DEFAULT_BLOCK_SIZE,
                    BlockFormat.DEFAULT_RESTART_INTERVAL,
                    TableFormat.DEFAULT_BITS_PER_KEY);
        }

        public Options withBlockSize(int size) {
            return new Options(size, restartInterval, bitsPerKey);
        }

        public Options withBitsPerKey(int bits) {
            return new Options(blockSize, restartInterval, bits);
        }
    }

    /**
     * What {@link #finish} wrote: what a flush or a compaction records about the new table.
     *
     * @param name     the file's name
     * @param fileSize its size in bytes, footer included
     * @param entries  the number of internal keys in it
     * @param smallest its first internal key
     * @param largest  its last internal key
     */
    public record Result(String name, long fileSize, long entries, InternalKey smallest, InternalKey largest) {}

    private final Storage storage;
    private final String name;
    private final Options options;
    private final WritableFile file;
    private final BlockBuilder dataBlock;
    private final BlockBuilder indexBlock = new BlockBuilder(InternalKey.ORDER, TableFormat.INDEX_RESTART_INTERVAL);
    /**
     * The {@linkplain BloomFilter#hash hashes} of the distinct user keys added, for the filter, in
     * {@code filterHashes[0 .. filterKeys)}: a key is hashed as it comes, not kept until the end.
     */
    private long[] filterHashes = new long[1024];

    private int filterKeys;
    /** The last internal key added (encoded), in {@code lastKey[0 .. lastKeyLength)}; none before the first. */
    private byte[] lastKey = new byte[64];

    private int lastKeyLength = -1;

    private byte[] smallest;
    /** Bytes written to the file so far, {@link #pending} included: where the next block starts. */
    private long offset;
    /**
     * Blocks not yet appended to the file: they go out {@link #WRITE_BUFFER_BYTES} at a time, in one
     * append (a system call or two) instead of one per 4 KiB block (RocksDB's {@code
     * WritableFileWriter} buffers too). Nothing reads a table before {@link #finish} has forced it.
     */
    private final byte[] pending = new byte[WRITE_BUFFER_BYTES];

    private int pendingLength;

    /** How many bytes of blocks the builder gathers before it appends them to the file. */
    static final int WRITE_BUFFER_BYTES = 64 << 10;

    private long entries;
    private long tombstones;
    private long rawKeyBytes;
    private long rawValueBytes;
    private long dataBlocks;
    private long minSequence = Long.MAX_VALUE;
    private long maxSequence = -1;
    private boolean closed;

    /** Creates {@code name} in {@code storage} and a builder writing to it. */
    public TableBuilder(Storage storage, String name, Options options) throws IOException {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.name = Storage.checkName(name);
        this.options = Objects.requireNonNull(options, "options");
        this.dataBlock = new BlockBuilder(InternalKey.ORDER, options.restartInterval());
        this.file = storage.create(name);
    }

    /**
     * Adds one entry: {@code internalKey} (an encoded {@link InternalKey}) and its value (empty for a
     * tombstone). The entry goes into the current data block; when that block's
     * {@link BlockBuilder#sizeEstimate} reaches {@link Options#blockSize} it is written out with its
     * index entry ({@link #flushDataBlock}). Keeps the first key as {@code smallest} and every key
     * as the last one ({@link #setLastKey}); counts what {@link TableProperties} records (entries,
     * tombstones, raw key and value bytes, the smallest and largest sequence numbers, read from the
     * key's trailer where it lies); and gives each new user key (the key without its 8-byte trailer)
     * to the filter ({@link #addFilterKey}): several versions of a key are one filter key.
     *
     * @throws IllegalArgumentException if the key is not a valid internal key or does not sort
     *         strictly after the previous one
     * @throws IllegalStateException    after {@link #finish} or {@link #abandon}
     */
    public void add(byte[] internalKey, byte[] value) throws IOException {
        add(internalKey, Objects.requireNonNull(value, "value"), 0, value.length);
    }

    /**
     * {@link #add(byte[], byte[])} of the value in {@code value[valueOffset .. valueOffset +
     * valueLength)}, where it lies: a compaction passes each value inside the input block it read,
     * without a copy (a copy per entry was the largest part of what a compaction allocated). The
     * builder keeps neither array: what it keeps of the key, it copies.
     */
    public void add(byte[] internalKey, byte[] value, int valueOffset, int valueLength) throws IOException {
        checkOpen();
        Objects.checkFromIndexSize(valueOffset, valueLength, value.length);
        int userLength = internalKey.length - InternalKey.TRAILER_BYTES;
        if (userLength < 0 || ValueType.ofCode(internalKey[internalKey.length - 1] & 0xff) == null) {
            try {
                InternalKey.decode(internalKey, 0, internalKey.length, name, offset);
            } catch (CorruptionException e) {
                throw new IllegalArgumentException("not an internal key: " + e.getMessage(), e);
            }
        }
        if (lastKeyLength >= 0
                && InternalKey.ORDER.compare(lastKey, 0, lastKeyLength, internalKey, 0, internalKey.length) >= 0) {
            throw new IllegalArgumentException("table keys must be added in strictly increasing InternalKey.ORDER: "
                    + InternalKey.decode(internalKey, 0, internalKey.length, name, offset) + " after "
                    + InternalKey.decode(lastKey, 0, lastKeyLength, name, offset));
        }
        // BEGIN SOLUTION lab-05 T4
        long trailer = InternalKey.trailerAt(internalKey, userLength);
        if (lastKeyLength < 0) {
            smallest = internalKey.clone();
            addFilterKey(internalKey, userLength);
        } else if (!Arrays.equals(lastKey, 0, lastKeyLength - InternalKey.TRAILER_BYTES, internalKey, 0, userLength)) {
            addFilterKey(internalKey, userLength);
        }
        dataBlock.add(internalKey, value, valueOffset, valueLength);
        setLastKey(internalKey);
        entries++;
        if ((trailer & 0xff) == ValueType.DELETE.code()) {
            tombstones++;
        }
        rawKeyBytes += internalKey.length;
        rawValueBytes += valueLength;
        minSequence = Math.min(minSequence, trailer >>> 8);
        maxSequence = Math.max(maxSequence, trailer >>> 8);
        if (dataBlock.sizeEstimate() >= options.blockSize()) {
            flushDataBlock();
        }
        // END SOLUTION
    }

    /** Gives the user key in the first {@code userLength} bytes of {@code internalKey} to the filter: its hash, kept for {@link #finish}. */
    private void addFilterKey(byte[] internalKey, int userLength) {
        if (filterKeys == filterHashes.length) {
            filterHashes = Arrays.copyOf(filterHashes, filterKeys * 2);
        }
        filterHashes[filterKeys++] = BloomFilter.hash(internalKey, 0, userLength);
    }

    /** Keeps a copy of {@code internalKey} as the last key added, in a buffer reused from key to key. */
    private void setLastKey(byte[] internalKey) {
        if (internalKey.length > lastKey.length) {
            lastKey = new byte[Math.max(internalKey.length, lastKey.length * 2)];
        }
        System.arraycopy(internalKey, 0, lastKey, 0, internalKey.length);
        lastKeyLength = internalKey.length;
    }

    /** {@link #add(byte[], byte[])} of {@code key.encode()}. */
    public void add(InternalKey key, byte[] value) throws IOException {
        add(key.encode(), value);
    }

    /**
     * Writes the current data block, if it holds an entry, and adds its index entry: the block's
     * last key mapping to the {@link BlockHandle#encode encoded} handle {@link #writeBlock(BlockBuilder)} returns.
     * Then resets the block builder for the next block.
     */
    private void flushDataBlock() throws IOException {
        // BEGIN SOLUTION lab-05 T4
        if (dataBlock.isEmpty()) {
            return;
        }
        byte[] last = dataBlock.lastKey();
        BlockHandle handle = writeBlock(dataBlock);
        indexBlock.add(last, handle.encode());
        dataBlock.reset();
        dataBlocks++;
        // END SOLUTION
    }

    /** Appends a finished block at the end of the file and returns where it lies. */
    private BlockHandle writeBlock(byte[] block) throws IOException {
        BlockHandle handle = new BlockHandle(offset, block.length);
        write(block);
        return handle;
    }

    /**
     * Finishes {@code block} and appends it at the end of the file, straight from the builder's
     * buffer ({@link BlockBuilder#finishInPlace}: no array per block), and returns where it lies.
     */
    private BlockHandle writeBlock(BlockBuilder block) throws IOException {
        int size = block.finishInPlace();
        BlockHandle handle = new BlockHandle(offset, size);
        write(block.finishedBytes(), size);
        return handle;
    }

    /** Appends {@code bytes} through {@link #pending}. */
    private void write(byte[] bytes) throws IOException {
        write(bytes, bytes.length);
    }

    /** Appends the first {@code length} bytes of {@code bytes} through {@link #pending}. */
    private void write(byte[] bytes, int length) throws IOException {
        if (pendingLength + length > pending.length) {
            drain();
        }
        if (length > pending.length) {
            file.append(bytes, 0, length);
        } else {
            System.arraycopy(bytes, 0, pending, pendingLength, length);
            pendingLength += length;
        }
        offset += length;
    }

    private void drain() throws IOException {
        if (pendingLength > 0) {
            file.append(pending, 0, pendingLength);
            pendingLength = 0;
        }
    }

    /** The number of entries added so far. */
    public long entries() {
        return entries;
    }

    /**
     * The file's size if it were finished now without more entries, about: what a compaction
     * compares with its target table size to decide when to start the next table.
     */
    public long fileSizeEstimate() {
        return offset
                + dataBlock.sizeEstimate()
                + indexBlock.sizeEstimate()
                + filterKeys * (long) options.bitsPerKey() / 8
                + Footer.BYTES;
    }

    /**
     * Writes the last data block, the filter block (the {@link BloomFilter} of every user key,
     * {@link TableFormat#seal sealed}), the properties block, the index block and the footer, forces
     * the file and closes it.
     *
     * @throws IllegalStateException if no entry was added (an empty table has no smallest key: call
     *         {@link #abandon} instead), or after {@link #finish} or {@link #abandon}
     */
    public Result finish() throws IOException {
        checkOpen();
        if (entries == 0) {
            throw new IllegalStateException(name + ": a table holds at least one entry; abandon() an empty builder");
        }
        flushDataBlock();
        BlockHandle filter = writeBlock(
                TableFormat.seal(BloomFilter.buildFromHashes(filterHashes, filterKeys, options.bitsPerKey())));
        TableProperties properties = new TableProperties(
                entries,
                tombstones,
                rawKeyBytes,
                rawValueBytes,
                dataBlocks,
                InternalKey.decode(smallest, 0, smallest.length, name, 0),
                InternalKey.decode(lastKey, 0, lastKeyLength, name, 0),
                minSequence,
                maxSequence,
                options.bitsPerKey());
        BlockHandle props = writeBlock(properties.encode());
        BlockHandle index = writeBlock(indexBlock);
        byte[] footer = new Footer(index, filter, props, TableFormat.FORMAT_VERSION).encode();
        write(footer);
        drain();
        file.force();
        closed = true;
        file.close();
        return new Result(name, offset, entries, properties.smallest(), properties.largest());
    }

    /** Closes the file and deletes it: for a flush or a compaction that failed or wrote nothing. */
    public void abandon() throws IOException {
        if (!closed) {
            closed = true;
            file.close();
        }
        if (storage.exists(name)) {
            storage.delete(name);
        }
    }

    /** Closes the file without finishing it (what is written stays; it is not a table). */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            file.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + ": the table builder is finished or abandoned");
        }
    }
}
