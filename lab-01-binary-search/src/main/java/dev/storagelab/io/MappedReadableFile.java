package dev.storagelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * A file of {@link DiskStorage} read through a memory mapping ({@link DiskStorage#openReadMapped}):
 * a read is a copy out of the OS page cache, with no system call. A {@code pread} of a 4 KiB page
 * that is in the page cache took 4 to 8 µs on a virtual machine (the system call, not the copy),
 * the copy out of a mapping 0.5 to 1 µs: for a B+tree whose pages miss its buffer pool, the read
 * was most of a miss. LevelDB's {@code Env} maps its table files for the same reason, and LMDB
 * reads everything through a mapping.
 *
 * <p>The file is mapped in segments of {@link #SEGMENT} bytes, each as far as the file reached when
 * it was mapped: Java maps no byte past the end of a file opened for reading, and the operating
 * system kills a read of a mapped page the file no longer has. A read the mappings do not cover
 * (the file grew since) goes to the file's positional reader, the reader
 * {@link DiskStorage#openRead} gives; every {@link #REMAP_AFTER} such reads that found bytes, the segments are mapped again as
 * far as the file reaches now. Writes through the storage's writers reach a mapping at once: on
 * Linux the mapping and the writes share the page cache.
 *
 * <p>The file must not be truncated while it is open this way: a mapped page the file no longer
 * holds cannot be read (the JVM reports an {@link InternalError}). A page file, which only grows,
 * never is. Safe for concurrent use by many threads: reads copy from the mappings with absolute
 * offsets, and a remapping replaces the array of segments whole.
 */
final class MappedReadableFile implements ReadableFile {

    /** Bytes per mapped segment: a segment's pages are mapped once the file holds them. */
    static final long SEGMENT = 1L << 22;

    private static final int SEGMENT_SHIFT = Long.numberOfTrailingZeros(SEGMENT);

    /** Reads past the mappings that found bytes, before the segments are mapped again. */
    static final int REMAP_AFTER = 16;

    /** The file's positional reader: what the mappings do not cover is read through it. */
    private final ReadableFile positional;
    /** The channel {@link #positional} reads: what the segments are mapped from. */
    private final FileChannel ch;
    /** Tells the storage's tally of the bytes each mapped read returned. */
    private final DeviceWork.Tally tally;
    /** Segment {@code i} maps bytes from {@code i * SEGMENT}, as far as its capacity; replaced whole. */
    private volatile MappedByteBuffer[] segments = new MappedByteBuffer[0];
    /** Reads past the mappings since the last remapping; a lost update only delays the next one. */
    private int pastTheMappings;

    /** Maps the file that {@code positional} reads through {@code ch}; its reads are added to {@code tally}. */
    MappedReadableFile(ReadableFile positional, FileChannel ch, DeviceWork.Tally tally) throws IOException {
        this.positional = positional;
        this.ch = ch;
        this.tally = tally;
        remap();
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        if (position < 0) {
            throw new IllegalArgumentException(name() + ": negative read position " + position);
        }
        MappedByteBuffer[] segs = segments;
        int s = (int) (position >>> SEGMENT_SHIFT);
        if (s < segs.length && dst.hasRemaining()) {
            MappedByteBuffer seg = segs[s];
            int offset = (int) (position & (SEGMENT - 1));
            int n = Math.min(dst.remaining(), seg.capacity() - offset);
            if (n > 0) {
                int at = dst.position();
                if (dst.hasArray()) {
                    seg.get(offset, dst.array(), dst.arrayOffset() + at, n);
                } else {
                    dst.put(at, seg, offset, n);
                }
                dst.position(at + n);
                tally.read(n);
                return n;
            }
        }
        int n = positional.read(position, dst);
        if (n > 0 && ++pastTheMappings >= REMAP_AFTER) {
            remap();
        }
        return n;
    }

    /** Maps every segment again that the file now holds more of than its mapping. */
    private synchronized void remap() throws IOException {
        pastTheMappings = 0;
        long size = ch.size();
        MappedByteBuffer[] segs = segments;
        int count = (int) ((size + SEGMENT - 1) >>> SEGMENT_SHIFT);
        MappedByteBuffer[] next = count > segs.length ? Arrays.copyOf(segs, count) : segs.clone();
        boolean changed = false;
        for (int s = 0; s < count; s++) {
            long start = (long) s << SEGMENT_SHIFT;
            long length = Math.min(SEGMENT, size - start);
            if (next[s] == null || next[s].capacity() < length) {
                next[s] = ch.map(FileChannel.MapMode.READ_ONLY, start, length);
                changed = true;
            }
        }
        if (changed) {
            segments = next; // a superseded mapping is unmapped once no reader holds it (the collector)
        }
    }

    /** The bytes the mappings cover now: for tests. */
    long mappedBytes() {
        long n = 0;
        for (MappedByteBuffer s : segments) {
            n += s.capacity();
        }
        return n;
    }

    @Override
    public long size() throws IOException {
        return positional.size();
    }

    @Override
    public String name() {
        return positional.name();
    }

    @Override
    public void close() throws IOException {
        segments = new MappedByteBuffer[0];
        positional.close();
    }
}
