package dev.storagelab.lsm;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * One sorted string table read back (lab-05 T4). {@link #open} reads the {@link Footer}, then the
 * index, filter and properties blocks, and keeps them in memory for the table's life; data blocks
 * are read on demand, through the {@link BlockCache} when there is one.
 *
 * <p>A {@link #get} asks the Bloom filter first, so that a key the table cannot hold costs no data
 * block read; otherwise it binary-searches the index for the one block the key can be in and seeks
 * in that block. A {@link Cursor} walks every internal key in order, for scans and compaction.
 *
 * <p>Thread-safe: any number of threads may call {@link #get} and walk their own cursors at once
 * (the file is read with positional reads, the blocks are immutable, the counters are adders).
 */
public final class Table implements Closeable {

    /**
     * What a {@link #get} found in this table.
     *
     * @param state    a value, a tombstone, or nothing visible at the snapshot
     * @param sequence the version's sequence number (−1 when {@link State#NOT_FOUND})
     * @param value    the value when {@link State#PUT}, else null
     */
    public record Lookup(State state, long sequence, Bytes value) {

        public enum State {
            /** The newest visible version is a value. */
            PUT,
            /** The newest visible version is a tombstone: the key is deleted, older tables must not be asked. */
            DELETED,
            /** No version of the key at or before the snapshot is in this table: ask the next (older) one. */
            NOT_FOUND
        }

        public static final Lookup NOT_FOUND = new Lookup(State.NOT_FOUND, -1, null);

        public static Lookup put(long sequence, Bytes value) {
            return new Lookup(State.PUT, sequence, Objects.requireNonNull(value, "value"));
        }

        public static Lookup deleted(long sequence) {
            return new Lookup(State.DELETED, sequence, null);
        }
    }

    /**
     * A table's counters, at one moment: what the metrics report, and what the tests measure the
     * filter's work with.
     *
     * @param gets           calls of {@link #get}
     * @param filterSkips    gets the Bloom filter answered "certainly absent", reading no data block
     * @param blockReads     data blocks read from the file by gets and scans (cache misses, or every
     *                       block without a cache)
     * @param blockCacheHits data blocks found in the cache
     * @param compactionBlockReads data blocks read by {@linkplain #compactionCursor compaction cursors},
     *                       which bypass the cache
     */
    public record Stats(long gets, long filterSkips, long blockReads, long blockCacheHits, long compactionBlockReads) {}

    /**
     * How much a {@linkplain #compactionCursor compaction cursor} reads at once: 64 blocks of 4 KiB
     * in one read instead of 64 (RocksDB's {@code compaction_readahead_size}, 2 MiB there).
     */
    static final int COMPACTION_READAHEAD_BYTES = 256 << 10;

    private final String name;
    private final long fileNumber;
    private final ReadableFile file;
    private final long fileSize;
    private final Footer footer;
    private final Block index;
    private final BloomFilter filter;
    private final TableProperties properties;
    private final BlockCache cache;
    private final LongAdder gets = new LongAdder();
    private final LongAdder filterSkips = new LongAdder();
    private final LongAdder blockReads = new LongAdder();
    private final LongAdder blockCacheHits = new LongAdder();
    private final LongAdder compactionBlockReads = new LongAdder();

    private Table(
            String name,
            long fileNumber,
            ReadableFile file,
            long fileSize,
            Footer footer,
            Block index,
            BloomFilter filter,
            TableProperties properties,
            BlockCache cache) {
        this.name = name;
        this.fileNumber = fileNumber;
        this.file = file;
        this.fileSize = fileSize;
        this.footer = footer;
        this.index = index;
        this.filter = filter;
        this.properties = properties;
        this.cache = cache;
    }

    /**
     * Opens table {@code name}: reads and checks the footer ({@link Footer#decode}), then reads the
     * index block (every entry's handle must point inside the data blocks), the filter block and the
     * properties block, each checked against its checksum.
     *
     * @param fileNumber  the table's number, the key of its blocks in {@code cacheOrNull}
     * @param cacheOrNull the block cache shared by the tables of a store, or null to read every data
     *                    block from the file
     * @throws CorruptionException naming the file, the offset and what failed if the file is shorter
     *         than a footer or any of those checks fails
     */
    public static Table open(Storage storage, String name, long fileNumber, BlockCache cacheOrNull) throws IOException {
        // A table never changes once written, and a get reads it at random all its life: through a
        // mapping where the storage has one, a read is a copy out of the page cache with no system
        // call (LevelDB's Env maps its tables so). The pread and its copies were a fifth of a get.
        ReadableFile file = storage.openReadMapped(name);
        try {
            long size = file.size();
            if (size < Footer.BYTES) {
                throw new CorruptionException(
                        name,
                        0,
                        "file of " + size + " bytes is shorter than the " + Footer.BYTES
                                + "-byte footer: not a table, or truncated");
            }
            long footerAt = size - Footer.BYTES;
            Footer footer = Footer.decode(file.readFully(footerAt, Footer.BYTES), name, footerAt);
            BlockHandle ih = footer.index();
            Block index = Block.open(read(file, ih), InternalKey.ORDER, name, ih.offset());
            BlockHandle fh = footer.filter();
            BloomFilter filter = BloomFilter.open(
                    TableFormat.unseal(read(file, fh), name, fh.offset(), "filter"), name, fh.offset());
            BlockHandle ph = footer.properties();
            TableProperties properties = TableProperties.decode(
                    Block.open(read(file, ph), KeyOrder.BYTEWISE, name, ph.offset()), name, ph.offset());
            checkIndex(index, name, ih.offset(), dataEnd(footer), properties);
            return new Table(name, fileNumber, file, size, footer, index, filter, properties, cacheOrNull);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The end of the data blocks: the first of the other blocks. */
    private static long dataEnd(Footer footer) {
        return Math.min(
                footer.filter().offset(),
                Math.min(footer.properties().offset(), footer.index().offset()));
    }

    /**
     * Checks every index entry once, at open: a valid internal key, a handle that decodes and lies
     * inside the data blocks, keys in order (the block checked that), as many entries as the
     * properties say there are data blocks.
     */
    private static void checkIndex(Block index, String name, long indexAt, long dataEnd, TableProperties properties)
            throws CorruptionException {
        Block.Cursor c = index.cursor();
        long n = 0;
        long expectedOffset = 0;
        for (c.seekToFirst(); c.valid(); c.next(), n++) {
            // Checked where they lie: a flush or a compaction opens every table it writes, and a copy
            // of each key and handle (and a message made for each) was an eighth of a compaction's time.
            int keyLength = c.keyLength();
            if (keyLength < InternalKey.TRAILER_BYTES
                    || ValueType.ofCode(c.keyBuffer()[keyLength - 1] & 0xff) == null) {
                InternalKey.decode(c.key(), 0, keyLength, name, indexAt); // says what is wrong with it
            }
            BlockHandle h = BlockHandle.decode(
                    c.blockBytes(), c.valueOffset(), c.valueLength(), name, indexAt, "index entry", n);
            if (h.offset() != expectedOffset || h.size() < BlockFormat.MIN_BLOCK_BYTES || h.end() > dataEnd) {
                throw new CorruptionException(
                        name,
                        indexAt,
                        "index entry " + n + " points to block " + h + ", expected one starting at " + expectedOffset
                                + " and ending by " + dataEnd);
            }
            expectedOffset = h.end();
        }
        if (n == 0 || n != properties.dataBlocks() || expectedOffset != dataEnd) {
            throw new CorruptionException(
                    name,
                    indexAt,
                    "index has " + n + " entries covering " + expectedOffset + " bytes; the properties say "
                            + properties.dataBlocks() + " data blocks in " + dataEnd + " bytes");
        }
    }

    private static byte[] read(ReadableFile file, BlockHandle h) throws IOException {
        return file.readFully(h.offset(), h.size());
    }

    /** The file's name. */
    public String name() {
        return name;
    }

    /** The table's number, its blocks' key in the cache. */
    public long fileNumber() {
        return fileNumber;
    }

    /** The file's size in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** The footer read at open. */
    public Footer footer() {
        return footer;
    }

    /** What the table holds, read at open. */
    public TableProperties properties() {
        return properties;
    }

    /** The Bloom filter, read at open. */
    public BloomFilter filter() {
        return filter;
    }

    public Stats stats() {
        return new Stats(
                gets.sum(), filterSkips.sum(), blockReads.sum(), blockCacheHits.sum(), compactionBlockReads.sum());
    }

    /**
     * The newest version of {@code userKey} written at or before {@code snapshot} that this table
     * holds: {@link #get(LookupKey)} of a lookup built for this one call.
     *
     * @param snapshot a sequence number: versions written after it are invisible
     * @throws CorruptionException if the block read fails its checks
     */
    public Lookup get(Bytes userKey, long snapshot) throws IOException {
        Objects.requireNonNull(userKey, "userKey");
        if (snapshot < 0 || snapshot > InternalKey.MAX_SEQUENCE) {
            throw new IllegalArgumentException("snapshot must be in [0, 2^56 - 1]: " + snapshot);
        }
        return get(new LookupKey(userKey, snapshot));
    }

    /**
     * The newest version of {@code key}'s user key written at or before its snapshot that this
     * table holds. A store's get builds one {@link LookupKey} and asks every table with it.
     *
     * <p>First the Bloom filter, with the key's hash ({@link BloomFilter#mayContainHash}): if it
     * answers "certainly absent", count a filter skip and return {@link Lookup#NOT_FOUND} without
     * reading a data block. Otherwise seek the index to the key's {@link LookupKey#seekKey seekKey}:
     * the first index entry at or after it names the only block that can hold the answer (no entry:
     * every key of the table sorts before it). Seek that block ({@link #dataBlock}) to the same key;
     * the entry found, if it has the same user key ({@link LookupKey#sameUserKey}, compared where it
     * lies), is the answer: {@link Lookup#put} or {@link Lookup#deleted} with the sequence number of
     * its trailer. Anything else is {@link Lookup#NOT_FOUND}.
     *
     * @throws CorruptionException if the block read fails its checks, or the entry found has an
     *         unknown value type
     */
    public Lookup get(LookupKey key) throws IOException {
        gets.increment();
        // BEGIN SOLUTION lab-05 T4
        if (!filter.mayContainHash(key.hash())) {
            filterSkips.increment();
            return Lookup.NOT_FOUND;
        }
        byte[] target = key.seekKey();
        Block.Cursor in = index.cursor();
        in.seek(target);
        if (!in.valid()) {
            return Lookup.NOT_FOUND;
        }
        BlockHandle handle = handleOf(in);
        Block.Cursor c = dataBlock(handle).cursor();
        c.seek(target);
        if (!c.valid() || !key.sameUserKey(c.keyBuffer(), 0, c.keyLength())) {
            return Lookup.NOT_FOUND;
        }
        long trailer = InternalKey.trailerAt(c.keyBuffer(), c.keyLength() - InternalKey.TRAILER_BYTES);
        ValueType type = ValueType.ofCode((int) (trailer & 0xff));
        if (type == null) {
            throw new CorruptionException(
                    name, handle.offset(), "internal key has unknown value type " + (trailer & 0xff));
        }
        return type == ValueType.PUT ? Lookup.put(trailer >>> 8, Bytes.wrap(c.value())) : Lookup.deleted(trailer >>> 8);
        // END SOLUTION
    }

    /** The handle of the index entry {@code indexCursor} is on (checked at open), decoded where it lies. */
    private BlockHandle handleOf(Block.Cursor indexCursor) throws CorruptionException {
        return BlockHandle.decode(
                indexCursor.blockBytes(),
                indexCursor.valueOffset(),
                indexCursor.valueLength(),
                name,
                footer.index().offset(),
                "index entry",
                -1);
    }

    /**
     * The data block at {@code handle}: from the cache if it is there (a cache hit), else read from
     * the file, checked by {@link Block#open} and put in the cache (a block read).
     */
    Block dataBlock(BlockHandle handle) throws IOException {
        if (cache != null) {
            Block cached = cache.get(fileNumber, handle.offset());
            if (cached != null) {
                blockCacheHits.increment();
                return cached;
            }
        }
        Block block = Block.open(read(file, handle), InternalKey.ORDER, name, handle.offset());
        blockReads.increment();
        if (cache != null) {
            cache.put(fileNumber, handle.offset(), block);
        }
        return block;
    }

    /** A new cursor over every internal key of the table, not yet positioned. */
    public Cursor cursor() {
        return new Cursor(false);
    }

    /**
     * A cursor for a compaction, which reads each block once, in order: it reads ahead
     * {@link #COMPACTION_READAHEAD_BYTES} at a time, and neither looks in the block cache nor fills
     * it (RocksDB's {@code fill_cache = false}), so a compaction does not evict the blocks gets
     * use. Its reads count as {@link Stats#compactionBlockReads}, not {@link Stats#blockReads}.
     */
    public Cursor compactionCursor() {
        return new Cursor(true);
    }

    /** Closes the file. Blocks of this table stay in the cache until {@link BlockCache#evictFile}. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return name + " (#" + fileNumber + ", " + properties.entries() + " entries, " + properties.smallest() + " .. "
                + properties.largest() + ")";
    }

    /**
     * A position among the table's internal keys, in {@link InternalKey#ORDER}: an index cursor and
     * a cursor in the data block it names (a two-level iterator, as LevelDB's). Each cursor belongs
     * to one thread. Moving reads data blocks through the cache.
     */
    public final class Cursor implements InternalIterator {

        private final Block.Cursor indexCursor = index.cursor();
        private Block.Cursor data;
        private final boolean forCompaction;
        /**
         * A compaction cursor's read-ahead: {@code aheadLength} file bytes from {@code aheadOffset},
         * in one buffer reused from read to read.
         */
        private byte[] ahead;

        private int aheadLength;

        private long aheadOffset;

        private Cursor(boolean forCompaction) {
            this.forCompaction = forCompaction;
        }

        /** Whether the cursor is on an entry. */
        public boolean valid() {
            return data != null && data.valid();
        }

        /** The current entry's encoded internal key, a copy. */
        public byte[] key() {
            checkValid();
            return data.key();
        }

        /** The current entry's internal key, decoded. */
        public InternalKey internalKey() throws CorruptionException {
            byte[] k = key();
            return InternalKey.decode(k, 0, k.length, name, 0);
        }

        /** The current entry's value, a copy (empty for a tombstone). */
        public byte[] value() {
            checkValid();
            return data.value();
        }

        /** The current data block's bytes, the value among them (no copy). */
        @Override
        public byte[] valueArray() {
            checkValid();
            return data.blockBytes();
        }

        @Override
        public int valueOffset() {
            checkValid();
            return data.valueOffset();
        }

        @Override
        public int valueLength() {
            checkValid();
            return data.valueLength();
        }

        /** Positions on the table's first entry. */
        public void seekToFirst() throws IOException {
            indexCursor.seekToFirst();
            loadBlock();
            if (data != null) {
                data.seekToFirst();
            }
            skipEmptyForward();
        }

        /** Positions on the table's last entry. */
        public void seekToLast() throws IOException {
            indexCursor.seekToLast();
            loadBlock();
            if (data != null) {
                data.seekToLast();
            }
            skipEmptyBackward();
        }

        /**
         * Positions on the first entry at or after {@code internalKey} (encoded) in
         * {@link InternalKey#ORDER}, or makes the cursor not valid.
         */
        public void seek(byte[] internalKey) throws IOException {
            indexCursor.seek(internalKey);
            loadBlock();
            if (data != null) {
                data.seek(internalKey);
            }
            skipEmptyForward();
        }

        /** Moves to the next entry. */
        public void next() throws IOException {
            checkValid();
            data.next();
            skipEmptyForward();
        }

        /** Moves to the previous entry (rescans one restart interval of the block, as {@link Block.Cursor#prev}). */
        public void prev() throws IOException {
            checkValid();
            data.prev();
            skipEmptyBackward();
        }

        private void loadBlock() throws IOException {
            if (!indexCursor.valid()) {
                data = null;
                return;
            }
            BlockHandle h = handleOf(indexCursor);
            data = (forCompaction ? readAhead(h) : dataBlock(h)).cursor();
        }

        /**
         * The block at {@code h}, opened inside the read-ahead buffer, which is refilled from {@code h}
         * if it does not hold it. The block is valid until the next call: a compaction cursor reads
         * each block once, in order, and keeps none.
         */
        private Block readAhead(BlockHandle h) throws IOException {
            if (ahead == null || h.offset() < aheadOffset || h.end() > aheadOffset + aheadLength) {
                long end = Math.min(dataEnd(footer), Math.max(h.end(), h.offset() + COMPACTION_READAHEAD_BYTES));
                aheadLength = (int) (end - h.offset());
                if (ahead == null || ahead.length < aheadLength) {
                    ahead = new byte[Math.max(aheadLength, COMPACTION_READAHEAD_BYTES)];
                }
                file.readFully(h.offset(), java.nio.ByteBuffer.wrap(ahead, 0, aheadLength));
                aheadOffset = h.offset();
            }
            compactionBlockReads.increment();
            // The block is opened where it lies in the buffer: the cursor leaves it before the next refill.
            return Block.open(
                    ahead, (int) (h.offset() - aheadOffset), (int) h.size(), InternalKey.ORDER, name, h.offset());
        }

        /** Past the end of a block, on to the first entry of the next. */
        private void skipEmptyForward() throws IOException {
            while (data != null && !data.valid()) {
                indexCursor.next();
                loadBlock();
                if (data != null) {
                    data.seekToFirst();
                }
            }
        }

        /** Before the start of a block, on to the last entry of the previous. */
        private void skipEmptyBackward() throws IOException {
            while (data != null && !data.valid()) {
                indexCursor.prev();
                loadBlock();
                if (data != null) {
                    data.seekToLast();
                }
            }
        }

        private void checkValid() {
            if (!valid()) {
                throw new IllegalStateException("cursor is not on an entry");
            }
        }

        /** Holds nothing but blocks, which the cache or the garbage collector owns: a no-op. */
        @Override
        public void close() {
            data = null;
            ahead = null;
        }
    }
}
