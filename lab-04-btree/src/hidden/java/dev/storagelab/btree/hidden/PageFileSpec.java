package dev.storagelab.btree.hidden;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * An independent reading of the page-file format in the handout (and {@code PageFormat},
 * {@code MetaPage}, {@code PageTable}), written from the byte diagrams and not from the code under
 * test, so the corruption tests know which physical page holds what without trusting the
 * implementation they check.
 *
 * <pre>
 * header    := crc u32 | type u8 | version u8 | cellCount u16 | cellStart u16 | fragmented u16
 *              | reserved u32 | pageId u64 | generation u64 | prev u64 | next u64          48 bytes
 * meta      := header | magic u64 | pageSize u32 | chunkCount u32 | root u64 | nextLogicalId u64
 *              | entryCount u64 | chunk u64 * chunkCount
 * table     := header | physical u64 * ((pageSize - 48) / 8)
 * </pre>
 */
final class PageFileSpec {

    static final int HEADER = 48;
    static final int TYPE_META = 1;
    static final int TYPE_LEAF = 2;
    static final int TYPE_INTERNAL = 3;
    static final int TYPE_TABLE = 4;
    static final long MAGIC = 0x534C425452454531L;

    private PageFileSpec() {}

    /** The header of one physical page, and whether its checksum and version are good. */
    record Page(long physical, int type, int cellCount, int cellStart, long pageId, long generation, boolean sealed) {

        String role() {
            return switch (type) {
                case TYPE_META -> "meta slot " + physical;
                case TYPE_LEAF -> "leaf page " + pageId;
                case TYPE_INTERNAL -> "internal page " + pageId;
                case TYPE_TABLE -> "page-table page " + pageId;
                default -> "page of type " + type;
            };
        }
    }

    /** A valid meta page. */
    record Meta(int slot, long generation, long root, long nextLogical, long entryCount, long[] chunks) {}

    static long pageCount(byte[] file, int pageSize) {
        return file.length / pageSize;
    }

    static Page page(byte[] file, long physical, int pageSize) {
        int at = Math.toIntExact(physical * pageSize);
        ByteBuffer b = ByteBuffer.wrap(file, at, pageSize).slice();
        CRC32C crc = new CRC32C();
        crc.update(file, at + 4, pageSize - 4);
        boolean sealed = b.getInt(0) == (int) crc.getValue() && b.get(5) == 1;
        return new Page(
                physical,
                b.get(4),
                b.getShort(6) & 0xffff,
                b.getShort(8) & 0xffff,
                b.getLong(16),
                b.getLong(24),
                sealed);
    }

    /** Meta slot {@code slot} if it is a valid meta page of this page size; null otherwise. */
    static Meta meta(byte[] file, int slot, int pageSize) {
        if (file.length < (slot + 1) * pageSize) {
            return null;
        }
        Page p = page(file, slot, pageSize);
        ByteBuffer b = ByteBuffer.wrap(file, slot * pageSize, pageSize).slice();
        if (!p.sealed()
                || p.type() != TYPE_META
                || b.getLong(HEADER) != MAGIC
                || b.getInt(HEADER + 8) != pageSize
                || p.generation() % 2 != slot) {
            return null;
        }
        int chunks = b.getInt(HEADER + 12);
        long[] c = new long[chunks];
        for (int i = 0; i < chunks; i++) {
            c[i] = b.getLong(HEADER + 40 + 8 * i);
        }
        return new Meta(
                slot, p.generation(), b.getLong(HEADER + 16), b.getLong(HEADER + 24), b.getLong(HEADER + 32), c);
    }

    /** The valid meta slot with the highest generation. */
    static Meta newest(byte[] file, int pageSize) {
        Meta a = meta(file, 0, pageSize);
        Meta b = meta(file, 1, pageSize);
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return a.generation() > b.generation() ? a : b;
    }

    /**
     * Every physical page the newest checkpoint references, with what it is: its meta slot, its
     * page-table pages, and every tree page its table maps.
     */
    static Map<Long, String> referenced(byte[] file, int pageSize) {
        Meta meta = newest(file, pageSize);
        Map<Long, String> out = new LinkedHashMap<>();
        out.put((long) meta.slot(), "the newest meta page (slot " + meta.slot() + ")");
        int perChunk = (pageSize - HEADER) / 8;
        for (int c = 0; c < meta.chunks().length; c++) {
            long chunk = meta.chunks()[c];
            out.put(chunk, "page-table page " + c);
            ByteBuffer b = ByteBuffer.wrap(file, Math.toIntExact(chunk * pageSize), pageSize)
                    .slice();
            for (int i = 0; i < perChunk; i++) {
                long logical = (long) c * perChunk + i;
                long physical = b.getLong(HEADER + 8 * i);
                if (logical >= 1 && logical < meta.nextLogical() && physical != 0) {
                    out.put(physical, page(file, physical, pageSize).role());
                }
            }
        }
        return out;
    }
}
