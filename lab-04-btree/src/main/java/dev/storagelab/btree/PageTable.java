package dev.storagelab.btree;

import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The indirection that makes checkpoints crash-safe: the tree names pages by <em>logical</em> id
 * (child pointers, sibling links, the root), and this table maps each logical id to the
 * <em>physical</em> page that holds its current bytes.
 *
 * <p>The rule, copy-on-write at checkpoint granularity, as WiredTiger and LMDB do: a physical page
 * that the last durable checkpoint references is never overwritten. The first write of a logical
 * page after a checkpoint goes to a fresh physical page and remaps it; later writes before the
 * next checkpoint overwrite that fresh page in place (no checkpoint references it). A checkpoint
 * writes the changed chunks of this table the same way, forces the file, and only then writes a
 * meta page into the meta slot the previous checkpoint did not use. Until that meta page is
 * durable, the previous checkpoint's pages, table and meta are all intact, so a crash at any
 * moment reopens at one checkpoint or the other, never at a torn tree.
 *
 * <p>Because children and siblings point at logical ids, moving a page moves nothing else: without
 * the table, copying a leaf would change its parent's pointer and both siblings' links, and the
 * copies would cascade up the tree and along the leaf level.
 *
 * <p>Nothing about free space is stored: on open, the physical pages no table entry names are free,
 * and the logical ids that map to nothing are free.
 *
 * <pre>
 * table page := header (type page-table, pageId = chunk index, generation)
 *               | physical u64 * E         E = (pageSize - 48) / 8 entries, for logical ids
 *                                          [chunk * E, (chunk + 1) * E); 0 = unmapped
 * </pre>
 *
 * Not thread-safe: the buffer pool calls it under its own lock.
 */
public final class PageTable {

    /** Physical pages 0 and 1 are the meta slots. */
    static final long FIRST_DATA_PAGE = MetaPage.SLOTS;

    private final PageFile file;
    private final int perChunk;
    /** logical id -> physical page; 0 means the id is free or not yet written. */
    private long[] map;
    /** chunk -> the physical page holding it in the last checkpoint (0: never written). */
    private long[] chunks;

    private final BitSet dirtyChunks = new BitSet();
    /** Physical pages the last durable checkpoint references: never overwritten. */
    private BitSet checkpointed = new BitSet();
    /** Physical pages below {@link #physicalEnd} that hold nothing and can be written. */
    private BitSet freePhysical = new BitSet();

    private long physicalEnd;
    /** Logical ids below {@link #nextLogical} that are free. */
    private final BitSet freeLogical = new BitSet();

    private long nextLogical;
    private long generation;

    private PageTable(PageFile file) {
        this.file = file;
        this.perChunk = entriesPerChunk(file.pageSize());
    }

    /** How many logical ids one table page maps. */
    public static int entriesPerChunk(int pageSize) {
        return (pageSize - PageFormat.HEADER_SIZE) / 8;
    }

    /**
     * Writes checkpoint 0 of an empty tree into a new, empty page file: meta slot 0 valid, slot 1
     * zeros (never valid). The caller forces the file and publishes it.
     */
    static void format(PageFile file) throws IOException {
        byte[] page = new byte[file.pageSize()];
        new MetaPage(0, PageFormat.NO_PAGE, 1, 0, new long[0]).encode(page);
        file.write(0, page);
        // Slot 1 holds a page of zeros (sealed, but with version 0 it is never a valid meta page)
        // until checkpoint 1 is written there.
        file.write(1, new byte[file.pageSize()]);
    }

    /** Opens the table at the newest valid checkpoint of {@code file}. */
    static PageTable open(PageFile file) throws IOException {
        PageTable t = new PageTable(file);
        MetaPage meta = MetaPage.newest(file);
        t.generation = meta.generation();
        t.nextLogical = meta.nextLogicalId();
        t.chunks = meta.chunks().clone();
        long needed = Math.max(1, meta.nextLogicalId());
        if (needed > (long) meta.chunks().length * t.perChunk && meta.nextLogicalId() > 1) {
            throw new CorruptionException(
                    file.name(),
                    (long) MetaPage.slotOf(meta.generation()) * file.pageSize(),
                    "meta page names " + meta.nextLogicalId() + " logical pages but only " + meta.chunks().length
                            + " page-table chunks");
        }
        t.map = new long[Math.toIntExact(Math.max(16, needed))];
        byte[] page = new byte[file.pageSize()];
        for (int c = 0; c < t.chunks.length; c++) {
            file.read(t.chunks[c], c, PageFormat.TYPE_TABLE, page);
            ByteBuffer buf = ByteBuffer.wrap(page);
            for (int i = 0; i < t.perChunk; i++) {
                long logical = (long) c * t.perChunk + i;
                if (logical < t.nextLogical) {
                    t.map[(int) logical] = buf.getLong(PageFormat.HEADER_SIZE + 8 * i);
                }
            }
        }
        t.physicalEnd = Math.max(FIRST_DATA_PAGE, file.pageCount());
        t.deriveFreeSpace();
        for (long l = 1; l < t.nextLogical; l++) {
            long p = t.map[(int) l];
            if (p != 0 && (p < FIRST_DATA_PAGE || p >= t.physicalEnd)) {
                throw new CorruptionException(
                        file.name(),
                        0,
                        "page table maps page " + l + " to physical page " + p + ", outside the file's " + t.physicalEnd
                                + " pages");
            }
        }
        return t;
    }

    /**
     * Recomputes, from the table alone, which physical pages the current state references (they
     * become the checkpointed set), which are free, and which logical ids are free.
     */
    private void deriveFreeSpace() {
        checkpointed = new BitSet();
        for (long l = 1; l < nextLogical; l++) {
            if (map[(int) l] != 0) {
                checkpointed.set(Math.toIntExact(map[(int) l]));
            }
        }
        for (long c : chunks) {
            if (c != 0) {
                checkpointed.set(Math.toIntExact(c));
            }
        }
        freePhysical = new BitSet();
        freePhysical.set((int) FIRST_DATA_PAGE, Math.toIntExact(physicalEnd));
        freePhysical.andNot(checkpointed);
        freeLogical.clear();
        for (long l = 1; l < nextLogical; l++) {
            if (map[(int) l] == 0) {
                freeLogical.set((int) l);
            }
        }
    }

    /** The generation of the last durable checkpoint; pages written now belong to the next one. */
    public long generation() {
        return generation;
    }

    /** Hands out a free logical id, the lowest one first; it maps to nothing until it is written. */
    long allocate() {
        int reused = freeLogical.nextSetBit(1);
        if (reused > 0) {
            freeLogical.clear(reused);
            return reused;
        }
        long id = nextLogical++;
        if (id >= (long) MetaPage.maxChunks(file.pageSize()) * perChunk) {
            nextLogical--;
            throw new IllegalStateException("the page table is full: a tree with " + file.pageSize()
                    + "-byte pages holds at most " + (long) MetaPage.maxChunks(file.pageSize()) * perChunk
                    + " pages; use larger pages");
        }
        if (id >= map.length) {
            map = Arrays.copyOf(map, Math.toIntExact(Math.max(id + 1, map.length * 2L)));
        }
        return id;
    }

    /**
     * Frees logical page {@code logical}: its id can be handed out again now; its physical page can
     * be reused now if no checkpoint references it, and after the next checkpoint otherwise.
     */
    void free(long logical) {
        long physical = map[(int) logical];
        map[(int) logical] = 0;
        dirtyChunks.set(chunkOf(logical));
        releasePhysical(physical);
        freeLogical.set((int) logical);
    }

    /** Frees every logical page in use, as {@link #free} frees one. */
    void freeAll() {
        for (long l = 1; l < nextLogical; l++) {
            if (inUse(l)) {
                free(l);
            }
        }
    }

    private void releasePhysical(long physical) {
        if (physical != 0 && !checkpointed.get((int) physical)) {
            freePhysical.set((int) physical);
        }
    }

    private int chunkOf(long logical) {
        return (int) (logical / perChunk);
    }

    /** Whether {@code logical} is a page in use: handed out and not freed. */
    boolean inUse(long logical) {
        return logical >= 1 && logical < nextLogical && !freeLogical.get((int) logical);
    }

    /**
     * The physical page holding {@code logical}'s bytes as of the last write.
     *
     * @throws CorruptionException if {@code logical} maps to no page: a pointer in the tree names a
     *                             page that was freed or never written
     */
    long physicalForRead(long logical) throws CorruptionException {
        long p = logical >= 1 && logical < nextLogical ? map[(int) logical] : 0;
        if (p == 0) {
            throw new CorruptionException(
                    file.name(),
                    0,
                    "the tree points at page " + logical + ", which the page table maps to no physical page");
        }
        return p;
    }

    /** Whether the last durable checkpoint references physical page {@code physical}. */
    boolean isCheckpointed(long physical) {
        return checkpointed.get(Math.toIntExact(physical));
    }

    /**
     * Where to write logical page {@code logical} now. If its current physical page is one the last
     * checkpoint does not reference, that page (an overwrite in place is safe: a crash loses only
     * work done since the checkpoint, which is not durable anyway). Otherwise a free physical page,
     * the lowest one, or a new page at the end of the file, and {@code logical} is remapped to it:
     * copy-on-write. The old page stays untouched until the next checkpoint makes it free.
     */
    long physicalForWrite(long logical) {
        // BEGIN SOLUTION lab-04 T3
        long current = map[(int) logical];
        if (current != 0 && !checkpointed.get((int) current)) {
            return current;
        }
        long fresh = allocatePhysical();
        map[(int) logical] = fresh;
        dirtyChunks.set(chunkOf(logical));
        return fresh;
        // END SOLUTION
    }

    private long allocatePhysical() {
        int free = freePhysical.nextSetBit((int) FIRST_DATA_PAGE);
        if (free >= 0) {
            freePhysical.clear(free);
            return free;
        }
        return physicalEnd++;
    }

    /**
     * Completes a checkpoint. The buffer pool has already written every dirty page (through
     * {@link #physicalForWrite}). Steps, in this order, because each makes the next one safe:
     * <ol>
     *   <li>write every changed table chunk, copy-on-write like any page (a fresh physical page
     *       unless the chunk's page is one the last checkpoint does not reference), stamped with
     *       the new generation;</li>
     *   <li>force the file: every page of the new checkpoint is durable;</li>
     *   <li>write the meta page of generation {@code generation() + 1} into its slot
     *       ({@link MetaPage#slotOf}) and force again: the new checkpoint is now the newest valid
     *       one;</li>
     *   <li>only now advance {@link #generation()} and recompute free space: the pages the old
     *       checkpoint alone referenced become free.</li>
     * </ol>
     *
     * @param root       the tree's root, as the new meta page records it
     * @param entryCount the tree's key count, as the new meta page records it
     * @return the meta page written
     */
    MetaPage checkpoint(long root, long entryCount) throws IOException {
        // BEGIN SOLUTION lab-04 T3
        long next = generation + 1;
        int chunkCount = (int) ((nextLogical + perChunk - 1) / perChunk);
        if (chunkCount > MetaPage.maxChunks(file.pageSize())) {
            throw new IllegalStateException("the page table needs " + chunkCount + " chunks; a meta page holds "
                    + MetaPage.maxChunks(file.pageSize()));
        }
        if (chunks.length < chunkCount) {
            int from = chunks.length;
            chunks = Arrays.copyOf(chunks, chunkCount);
            dirtyChunks.set(from, chunkCount);
        }
        byte[] page = new byte[file.pageSize()];
        ByteBuffer buf = ByteBuffer.wrap(page);
        for (int c = dirtyChunks.nextSetBit(0); c >= 0 && c < chunkCount; c = dirtyChunks.nextSetBit(c + 1)) {
            SlottedPage header = new SlottedPage(page).init(PageFormat.TYPE_TABLE, c);
            header.setGeneration(next);
            for (int i = 0; i < perChunk; i++) {
                long logical = (long) c * perChunk + i;
                buf.putLong(PageFormat.HEADER_SIZE + 8 * i, logical < nextLogical ? map[(int) logical] : 0);
            }
            long old = chunks[c];
            long target = old != 0 && !checkpointed.get((int) old) ? old : allocatePhysical();
            file.write(target, page);
            chunks[c] = target;
        }
        file.force();
        MetaPage meta = new MetaPage(next, root, nextLogical, entryCount, chunks.clone());
        meta.encode(page);
        file.write(MetaPage.slotOf(next), page);
        file.force();
        generation = next;
        dirtyChunks.clear();
        deriveFreeSpace();
        return meta;
        // END SOLUTION
    }

    /** How the file's pages are used now. */
    Usage usage() {
        return new Usage(
                generation,
                nextLogical - 1 - freeLogical.cardinality(),
                physicalEnd,
                freePhysical.cardinality(),
                checkpointed.cardinality());
    }

    /**
     * How the page file's pages are used.
     *
     * @param generation    the last durable checkpoint
     * @param pagesInUse    logical pages in use (tree nodes)
     * @param physicalPages pages in the file, meta slots included
     * @param freePages     physical pages free for writing now
     * @param checkpointed  physical pages the last checkpoint references (tree pages and table chunks)
     */
    public record Usage(long generation, long pagesInUse, long physicalPages, long freePages, long checkpointed) {}
}
