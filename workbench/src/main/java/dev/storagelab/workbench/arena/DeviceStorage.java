package dev.storagelab.workbench.arena;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ReadableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.LongAdder;

/**
 * The arena's storage: a {@link DiskStorage} whose files are <em>read</em> with direct I/O
 * ({@code O_DIRECT}, {@link com.sun.nio.file.ExtendedOpenOption#DIRECT}), so the operating
 * system's page cache never answers a read the engine's own memory did not; and which counts the
 * bytes that reach the device both ways. Writes stay buffered: the kernel flushes a dirty range
 * before a direct read of it, so a read always sees what was written, and a buffered write does
 * not let any engine read faster, it only lets the kernel order the device's writes (each engine
 * forces what its durability promise needs).
 *
 * <p>A direct read must start and end on the file system's block boundaries and land in a
 * block-aligned buffer: a read of {@code n} bytes at {@code p} reads the whole blocks around them
 * into a thread's aligned buffer and copies out the bytes asked for. The device's bytes read are
 * the whole blocks: what the device really transferred. Bytes written are counted by lab-01's
 * {@link CountingStorage} over it (and bytes read too, for buffered reads).
 */
final class DeviceStorage extends ForwardingStorage {

    private final CountingStorage counting;
    private final Path dir;
    /** The direct-read layer, or null for buffered reads. */
    private final DirectReads direct;

    private DeviceStorage(CountingStorage counting, Path dir, DirectReads direct) {
        super(counting);
        this.counting = counting;
        this.dir = dir;
        this.direct = direct;
    }

    /**
     * Opens {@code dir}; with {@code direct}, every read bypasses the page cache.
     *
     * @throws IllegalArgumentException if {@code direct} and the file system of {@code dir} has no
     *                                  direct I/O (tmpfs, some overlay and network file systems)
     */
    static DeviceStorage open(Path dir, boolean direct) throws IOException {
        Files.createDirectories(dir);
        DiskStorage disk = DiskStorage.open(dir);
        DirectReads reads = direct ? new DirectReads(disk, dir, probeDirect(dir)) : null;
        return new DeviceStorage(new CountingStorage(reads != null ? reads : disk), dir, reads);
    }

    /**
     * The block size direct reads of {@code dir} must align to, after one real direct read there.
     *
     * @throws IllegalArgumentException naming the fix, if the file system refuses direct I/O
     */
    static int probeDirect(Path dir) throws IOException {
        return probeDirect(
                dir,
                path -> FileChannel.open(path, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT));
    }

    /** How the probe opens a file for direct reads (a test stands in a file system that refuses). */
    @FunctionalInterface
    interface DirectOpener {
        FileChannel open(Path path) throws IOException;
    }

    static int probeDirect(Path dir, DirectOpener opener) throws IOException {
        Path probe = Files.createTempFile(Files.createDirectories(dir), "direct-io-probe", ".tmp");
        try {
            int block = (int) Math.max(512, Files.getFileStore(probe).getBlockSize());
            Files.write(probe, new byte[block]);
            try (FileChannel ch = opener.open(probe)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(2 * block).alignedSlice(block);
                buf.limit(block);
                ch.read(buf, 0);
            }
            return block;
        } catch (UnsupportedOperationException | IOException e) {
            throw new IllegalArgumentException("the file system of " + dir + " has no direct I/O (" + e.getMessage()
                    + "): give --dir a directory on a disk file system such as ext4 or xfs, or run with --io buffered"
                    + " (the page cache then serves reads, and the results say so)");
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Whether reads bypass the page cache. */
    boolean direct() {
        return direct != null;
    }

    /** The directory. */
    Path directory() {
        return dir;
    }

    /** Bytes read from the device since open (whole blocks, for direct reads). */
    long bytesRead() {
        return direct != null ? direct.blockBytesRead.sum() : counting.bytesRead();
    }

    /**
     * Times the direct reads {@code thread} makes from now on ({@link #requestReadNanos}); null
     * stops. The arena watches its request thread: the time an operation waits for the device.
     */
    void watchRequestThread(Thread thread) {
        if (direct != null) {
            direct.watched = thread;
        }
    }

    /** Nanoseconds the watched thread has spent in direct reads; -1 for buffered reads. */
    long requestReadNanos() {
        return direct != null ? direct.watchedNanos.sum() : -1;
    }

    /** Bytes written to files since open (the log, tables, pages, manifests, checkpoints). */
    long bytesWritten() {
        return counting.bytesWritten();
    }

    /** The disk storage with every file opened for reading with O_DIRECT. */
    private static final class DirectReads extends ForwardingStorage {
        private final Path dir;
        private final int block;
        private final LongAdder blockBytesRead = new LongAdder();
        /** The thread whose reads are timed, or null. */
        private volatile Thread watched;

        private final LongAdder watchedNanos = new LongAdder();
        /** One aligned buffer per reading thread, shared by every file: a thread reads one block run at a time. */
        private final ThreadLocal<ByteBuffer> buffers = new ThreadLocal<>();

        DirectReads(DiskStorage disk, Path dir, int block) {
            super(disk);
            this.dir = dir;
            this.block = block;
        }

        @Override
        public ReadableFile openRead(String name) throws IOException {
            Path path = dir.resolve(dev.storagelab.io.Storage.checkName(name));
            return new DirectFile(
                    name, FileChannel.open(path, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT));
        }

        /** The calling thread's aligned buffer, at least {@code bytes} long, cleared. */
        private ByteBuffer buffer(int bytes) {
            ByteBuffer b = buffers.get();
            if (b == null || b.capacity() < bytes) {
                int capacity = Math.max(bytes, 64 << 10);
                b = ByteBuffer.allocateDirect(capacity + block).alignedSlice(block);
                buffers.set(b);
            }
            b.clear();
            return b;
        }

        /** A file read with O_DIRECT, through a block-aligned buffer per thread. */
        private final class DirectFile implements ReadableFile {
            private final String name;
            private final FileChannel ch;

            DirectFile(String name, FileChannel ch) {
                this.name = name;
                this.ch = ch;
            }

            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                if (!dst.hasRemaining()) {
                    return 0;
                }
                long start = position - Math.floorMod(position, block);
                long end = position + dst.remaining();
                long alignedEnd = (end + block - 1) / block * block;
                ByteBuffer b = buffer(Math.toIntExact(alignedEnd - start));
                b.limit(Math.toIntExact(alignedEnd - start));
                long at = start;
                boolean timed = watched == Thread.currentThread();
                long t0 = timed ? System.nanoTime() : 0;
                while (b.hasRemaining()) {
                    int n = ch.read(b, at);
                    if (n <= 0 || n % block != 0) {
                        break; // end of file: the last block is short
                    }
                    at += n;
                }
                if (timed) {
                    watchedNanos.add(System.nanoTime() - t0);
                }
                long got = b.position();
                blockBytesRead.add(got);
                int skip = (int) (position - start);
                if (got <= skip) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), got - skip);
                b.flip().position(skip).limit(skip + n);
                dst.put(b);
                return n;
            }

            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        }
    }

    @Override
    public String toString() {
        return "DeviceStorage{" + dir + (direct != null ? ", direct reads" : ", buffered reads") + "}";
    }
}
