package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.CHECKED_FROM;
import static dev.storagelab.btree.PageFormat.CRC_OFFSET;
import static dev.storagelab.btree.PageFormat.PAGE_ID_OFFSET;
import static dev.storagelab.btree.PageFormat.TYPE_OFFSET;
import static dev.storagelab.btree.PageFormat.VERSION;
import static dev.storagelab.btree.PageFormat.VERSION_OFFSET;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The page file: fixed-size pages addressed by physical page number, each sealed with a CRC32C
 * of everything after its checksum field. Physical page {@code p} lives at byte
 * {@code p * pageSize}. Reading checks the checksum, the format version, the page type and the
 * page id in the header, so a torn write, a flipped bit, or a page written to the wrong place
 * (a "misdirected write") is reported as a {@link CorruptionException} naming the file, the
 * offset and the page, never handed to the tree as if it were good.
 *
 * <p>Thread-safe for concurrent reads; writes are serialised by the buffer pool.
 */
public final class PageFile implements Closeable {

    private final Storage storage;
    private final String name;
    private final int pageSize;
    private final WritableFile out;
    private final ReadableFile in;
    private final byte[] zeros;
    /** Held by a write that extends the file: see {@link #write}. */
    private final Object extending = new Object();
    /** The most pages {@link #writeRun} writes at once: 128 KiB of 4 KiB pages. */
    public static final int MAX_RUN = 32;
    /** Where {@link #writeRun} gathers its pages (made at its first use); one checkpoint at a time uses it. */
    private byte[] runBuffer;

    /** Opens the existing file {@code name} in {@code storage}. */
    public PageFile(Storage storage, String name, int pageSize) throws IOException {
        this.storage = storage;
        this.name = name;
        this.pageSize = PageFormat.checkPageSize(pageSize);
        this.out = storage.openAppend(name);
        this.in = storage.openReadMapped(name); // read at random all its life: no system call per page where mapped
        this.zeros = new byte[pageSize];
    }

    public int pageSize() {
        return pageSize;
    }

    /** The file's name in its storage. */
    public String name() {
        return name;
    }

    /** The number of physical pages the file holds (a torn last page counts as a page). */
    public long pageCount() throws IOException {
        return (out.size() + pageSize - 1) / pageSize;
    }

    /** Computes the CRC32C of {@code page}'s bytes from {@link PageFormat#CHECKED_FROM} to its end. */
    public static int checksum(byte[] page) {
        CRC32C crc = new CRC32C();
        crc.update(page, CHECKED_FROM, page.length - CHECKED_FROM);
        return (int) crc.getValue();
    }

    /**
     * Seals {@code page} with its checksum and writes it as physical page {@code physical}. Safe
     * from several threads at once (the buffer pool writes pages back outside its lock): writes
     * inside the file run in parallel, and writes that extend it take turns, because two threads
     * filling the gap before their pages could zero each other's page ({@link #writePage}).
     */
    public void write(long physical, byte[] page) throws IOException {
        if (physical * pageSize < out.size()) { // the file never shrinks, so this stays true
            writePage(physical, page);
            return;
        }
        synchronized (extending) {
            writePage(physical, page);
        }
    }

    /**
     * Writes {@code pages[0, count)} to the consecutive physical pages from {@code firstPhysical} in
     * one write, each stamped with its checksum as {@link #write} stamps one page. At most
     * {@link #MAX_RUN} pages. A crash may leave any part of the run written: it goes only to pages
     * that no durable checkpoint references, as every write of a page does.
     */
    public void writeRun(long firstPhysical, byte[][] pages, int count) throws IOException {
        if (count == 1) {
            write(firstPhysical, pages[0]);
            return;
        }
        if (count > MAX_RUN) {
            throw new IllegalArgumentException("a run of at most " + MAX_RUN + " pages: " + count);
        }
        if (runBuffer == null) {
            runBuffer = new byte[MAX_RUN * pageSize];
        }
        for (int i = 0; i < count; i++) {
            byte[] page = pages[i];
            ByteBuffer.wrap(page).putInt(CRC_OFFSET, checksum(page));
            System.arraycopy(page, 0, runBuffer, i * pageSize, pageSize);
        }
        ByteBuffer run = ByteBuffer.wrap(runBuffer, 0, count * pageSize);
        long position = firstPhysical * pageSize;
        if (position + run.remaining() <= out.size()) {
            out.writeAt(position, run);
            return;
        }
        synchronized (extending) {
            if (out.size() < position) { // a gap before the run: filled as any write past the end fills it
                write(firstPhysical, pages[0]);
            }
            out.writeAt(position, run);
        }
    }

    /**
     * Seals {@code page} with its checksum and writes it as physical page {@code physical}. A page
     * past the end of the file extends it; any gap before it is filled with zero pages, which can
     * never pass the checksum.
     */
    private void writePage(long physical, byte[] page) throws IOException {
        // BEGIN SOLUTION lab-04 T2
        ByteBuffer.wrap(page).putInt(CRC_OFFSET, checksum(page));
        long position = physical * pageSize;
        for (long end = out.size(); end < position; end += pageSize) {
            out.writeAt(end, ByteBuffer.wrap(zeros, 0, (int) Math.min(pageSize, position - end)));
        }
        out.writeAt(position, ByteBuffer.wrap(page));
        // END SOLUTION
    }

    /**
     * Reads physical page {@code physical} into {@code page} and checks it: the whole page must be
     * in the file, its checksum must match, its version must be {@link PageFormat#VERSION}, its type
     * {@code expectedType} ({@link PageFormat#TYPE_NODE} accepts a leaf or an internal page: the
     * tree knows a child's id, not its type) and the page id in its header {@code expectedId}.
     *
     * @throws CorruptionException naming this file, the page's byte offset, the page and what failed:
     *                             "page 17 (physical 9): checksum mismatch (stored 0x1234abcd,
     *                             computed 0x0badf00d)", "page 17 (physical 9) is past the end of
     *                             the file", "page 17 (physical 9) has id 12 in its header: a
     *                             misdirected write", "... is a leaf page, expected internal"
     */
    public void read(long physical, long expectedId, byte expectedType, byte[] page) throws IOException {
        // BEGIN SOLUTION lab-04 T2
        long position = physical * pageSize;
        try {
            in.readFully(position, ByteBuffer.wrap(page));
        } catch (EOFException e) {
            // Checked here rather than before every read: asking for the file's size is a system call.
            throw new CorruptionException(
                    name,
                    position,
                    pageName(physical, expectedId, expectedType) + " is past the end of the file (" + in.size()
                            + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(page);
        int stored = buf.getInt(CRC_OFFSET);
        int computed = checksum(page);
        if (stored != computed) {
            throw new CorruptionException(
                    name,
                    position,
                    pageName(physical, expectedId, expectedType)
                            + ": checksum mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
                            + Integer.toHexString(computed) + ")");
        }
        if (page[VERSION_OFFSET] != VERSION) {
            throw new CorruptionException(
                    name,
                    position,
                    pageName(physical, expectedId, expectedType) + ": unknown page format version "
                            + page[VERSION_OFFSET]);
        }
        boolean typeOk = expectedType == PageFormat.TYPE_NODE
                ? page[TYPE_OFFSET] == PageFormat.TYPE_LEAF || page[TYPE_OFFSET] == PageFormat.TYPE_INTERNAL
                : page[TYPE_OFFSET] == expectedType;
        if (!typeOk) {
            throw new CorruptionException(
                    name,
                    position,
                    pageName(physical, expectedId, expectedType) + " is a " + PageFormat.typeName(page[TYPE_OFFSET])
                            + " page, expected " + PageFormat.typeName(expectedType));
        }
        long id = buf.getLong(PAGE_ID_OFFSET);
        if (id != expectedId) {
            throw new CorruptionException(
                    name,
                    position,
                    pageName(physical, expectedId, expectedType) + " has id " + id
                            + " in its header: a misdirected write");
        }
        // END SOLUTION
    }

    // BEGIN REMOVE
    /** How a read's error message names the page: "leaf page 17 (physical 9)". Built only when a check fails. */
    private static String pageName(long physical, long expectedId, byte expectedType) {
        return PageFormat.typeName(expectedType) + " page " + expectedId + " (physical " + physical + ")";
    }
    // END REMOVE

    /** Makes every page written so far durable. */
    public void force() throws IOException {
        out.force();
    }

    /** A human-readable location for messages. */
    public String describe() {
        return storage.describe(name);
    }

    @Override
    public void close() throws IOException {
        try (in;
                out) {
            // both closed, the reader first
        }
    }
}
