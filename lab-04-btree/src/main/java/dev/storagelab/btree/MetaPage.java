package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One checkpoint, as its meta page records it: which generation it is, where the root is, and
 * where the page table that maps every logical page to its physical page was written. The page
 * file has two meta slots, physical pages 0 and 1; checkpoint {@code g} is written to slot
 * {@code g % 2}, so it never overwrites the meta page of checkpoint {@code g - 1}. A crash while
 * it is written tears at most the slot being written, whose checksum then fails, and the other
 * slot still names a complete checkpoint.
 *
 * <pre>
 * meta page := header (type meta, pageId = slot, generation)
 *              | magic u64 "SLBTREE1" | pageSize u32 | chunkCount u32 | root u64
 *              | nextLogicalId u64 | entryCount u64 | chunk u64 * chunkCount     (at byte 48)
 *              chunk i: the physical page holding page-table entries [i * E, (i + 1) * E)
 * </pre>
 *
 * @param generation    the checkpoint's number; 0 is the empty tree written when the file is created
 * @param root          the root's logical id, or {@link PageFormat#NO_PAGE} for an empty tree
 * @param nextLogicalId one past the highest logical id ever handed out
 * @param entryCount    the number of keys in the tree
 * @param chunks        the physical page of each page-table chunk
 */
public record MetaPage(long generation, long root, long nextLogicalId, long entryCount, long[] chunks) {

    /** "SLBTREE1" in ASCII. */
    public static final long MAGIC = 0x534C425452454531L;

    public static final int SLOTS = 2;
    private static final int MAGIC_OFFSET = PageFormat.HEADER_SIZE;
    private static final int PAGE_SIZE_OFFSET = MAGIC_OFFSET + 8;
    private static final int CHUNK_COUNT_OFFSET = PAGE_SIZE_OFFSET + 4;
    private static final int ROOT_OFFSET = CHUNK_COUNT_OFFSET + 4;
    private static final int NEXT_LOGICAL_OFFSET = ROOT_OFFSET + 8;
    private static final int ENTRY_COUNT_OFFSET = NEXT_LOGICAL_OFFSET + 8;
    private static final int CHUNKS_OFFSET = ENTRY_COUNT_OFFSET + 8;

    /** The most page-table chunks a meta page of this size can name. */
    public static int maxChunks(int pageSize) {
        return (pageSize - CHUNKS_OFFSET) / 8;
    }

    /** The meta slot checkpoint {@code generation} is written to. */
    public static int slotOf(long generation) {
        return (int) (generation % SLOTS);
    }

    /** Encodes this meta page into {@code page} (the page file seals it with its checksum). */
    public void encode(byte[] page) {
        checkArgument(
                chunks.length <= maxChunks(page.length),
                "%s page-table chunks do not fit in a %s-byte meta page",
                chunks.length,
                page.length);
        SlottedPage header = new SlottedPage(page).init(PageFormat.TYPE_META, slotOf(generation));
        header.setGeneration(generation);
        ByteBuffer buf = ByteBuffer.wrap(page);
        buf.putLong(MAGIC_OFFSET, MAGIC);
        buf.putInt(PAGE_SIZE_OFFSET, page.length);
        buf.putInt(CHUNK_COUNT_OFFSET, chunks.length);
        buf.putLong(ROOT_OFFSET, root);
        buf.putLong(NEXT_LOGICAL_OFFSET, nextLogicalId);
        buf.putLong(ENTRY_COUNT_OFFSET, entryCount);
        for (int i = 0; i < chunks.length; i++) {
            buf.putLong(CHUNKS_OFFSET + 8 * i, chunks[i]);
        }
    }

    /**
     * Reads meta slot {@code slot} and checks everything a checksum cannot: the magic number, the
     * page size, the slot matching the generation, and counts that fit the page.
     *
     * @throws CorruptionException if the slot is torn, corrupt or not a meta page of this format
     */
    public static MetaPage read(PageFile file, int slot) throws IOException {
        byte[] page = new byte[file.pageSize()];
        file.read(slot, slot, PageFormat.TYPE_META, page);
        ByteBuffer buf = ByteBuffer.wrap(page);
        long offset = (long) slot * file.pageSize();
        if (buf.getLong(MAGIC_OFFSET) != MAGIC) {
            throw new CorruptionException(
                    file.name(),
                    offset,
                    "meta slot " + slot + ": wrong magic number 0x" + Long.toHexString(buf.getLong(MAGIC_OFFSET))
                            + " (not a storagelab B+tree page file)");
        }
        if (buf.getInt(PAGE_SIZE_OFFSET) != page.length) {
            throw new CorruptionException(
                    file.name(),
                    offset,
                    "meta slot " + slot + ": the file was written with " + buf.getInt(PAGE_SIZE_OFFSET)
                            + "-byte pages, opened with " + page.length);
        }
        long generation = new SlottedPage(page).generation();
        int chunkCount = buf.getInt(CHUNK_COUNT_OFFSET);
        if (slotOf(generation) != slot || chunkCount < 0 || chunkCount > maxChunks(page.length)) {
            throw new CorruptionException(
                    file.name(),
                    offset,
                    "meta slot " + slot + ": generation " + generation + " with " + chunkCount
                            + " page-table chunks is impossible here");
        }
        long[] chunks = new long[chunkCount];
        for (int i = 0; i < chunkCount; i++) {
            chunks[i] = buf.getLong(CHUNKS_OFFSET + 8 * i);
        }
        return new MetaPage(
                generation,
                buf.getLong(ROOT_OFFSET),
                buf.getLong(NEXT_LOGICAL_OFFSET),
                buf.getLong(ENTRY_COUNT_OFFSET),
                chunks);
    }

    /**
     * The checkpoint to reopen at: of the two meta slots, the valid one with the higher
     * generation. A slot that fails its checks is what a crash during the last checkpoint's meta
     * write leaves behind, so it is skipped, not fatal; only when <em>both</em> fail is the file
     * unusable.
     *
     * @throws CorruptionException if neither slot holds a valid meta page; the message names both
     *                             failures
     */
    public static MetaPage newest(PageFile file) throws IOException {
        // BEGIN SOLUTION lab-04 T3
        MetaPage best = null;
        StringBuilder failures = new StringBuilder();
        for (int slot = 0; slot < SLOTS; slot++) {
            try {
                MetaPage m = read(file, slot);
                if (best == null || m.generation > best.generation) {
                    best = m;
                }
            } catch (CorruptionException e) {
                failures.append(failures.length() == 0 ? "" : "; ").append(e.getMessage());
            }
        }
        if (best == null) {
            throw new CorruptionException(file.name(), 0, "no valid meta page in either slot: " + failures);
        }
        return best;
        // END SOLUTION
    }

    /**
     * Why a file that fails to open with {@code triedPageSize} might have: the page size its meta
     * pages were written with, if that is another valid page size <em>and</em> a meta page verifies
     * at that size (checksum, magic and all), so a corrupt field can never pass for a diagnosis;
     * otherwise -1. Lets an open with the wrong page size say so, instead of reporting a checksum
     * mismatch.
     */
    static int writtenPageSize(Storage storage, String name, int triedPageSize) throws IOException {
        for (int slot = 0; slot < SLOTS; slot++) {
            int size;
            try (ReadableFile in = storage.openRead(name)) {
                long at = (long) slot * triedPageSize;
                if (in.size() < at + PAGE_SIZE_OFFSET + 4) {
                    continue;
                }
                size = ByteBuffer.wrap(in.readFully(at, PAGE_SIZE_OFFSET + 4)).getInt(PAGE_SIZE_OFFSET);
            }
            boolean plausible = size != triedPageSize
                    && size >= PageFormat.MIN_PAGE_SIZE
                    && size <= PageFormat.MAX_PAGE_SIZE
                    && Integer.bitCount(size) == 1;
            if (plausible) {
                try (PageFile other = new PageFile(storage, name, size)) {
                    read(other, slot);
                    return size;
                } catch (CorruptionException notThatEither) {
                    // not a valid meta page at that size either: no diagnosis from this slot
                }
            }
        }
        return -1;
    }
}
