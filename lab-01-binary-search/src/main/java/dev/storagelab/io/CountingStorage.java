package dev.storagelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Storage} decorator that counts the I/O going through it: bytes written (appended or
 * overwritten in place), bytes and calls for reads, forces, and the read and write handles open on each file. Engines wrap their storage in one,
 * so write amplification (bytes written to disk over bytes the user wrote) and read cost come
 * from what really reached the files.
 */
public final class CountingStorage extends ForwardingStorage {

    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder forces = new LongAdder();
    private final LongAdder filesCreated = new LongAdder();
    private final java.util.Map<String, Integer> openReaders = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Integer> openWriters = new java.util.concurrent.ConcurrentHashMap<>();

    public CountingStorage(Storage delegate) {
        super(delegate);
    }

    /** Bytes written to any file, by appends and by in-place writes alike. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** Bytes returned by positional reads. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Positional read calls. */
    public long reads() {
        return reads.sum();
    }

    /** Force (fsync) calls, on files and on the directory. */
    public long forces() {
        return forces.sum();
    }

    /** Files created. */
    public long filesCreated() {
        return filesCreated.sum();
    }

    @Override
    public WritableFile create(String name) throws IOException {
        WritableFile f = super.create(name);
        filesCreated.increment();
        return tracked(name, f);
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return tracked(name, super.openAppend(name));
    }

    /** {@code f}, counted, and listed in {@link #openWriteHandles()} until it is closed. */
    private WritableFile tracked(String name, WritableFile f) {
        openWriters.merge(name, 1, Integer::sum);
        return new CountingWritable(
                f, bytesWritten, forces, () -> openWriters.computeIfPresent(name, (n, c) -> c == 1 ? null : c - 1));
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        return tracked(name, super.openRead(name));
    }

    @Override
    public ReadableFile openReadMapped(String name) throws IOException {
        return tracked(name, openReadMappedByDelegate(name));
    }

    /** {@code f}, its reads counted, and listed in {@link #openReadHandles()} until it is closed. */
    private ReadableFile tracked(String name, ReadableFile f) {
        openReaders.merge(name, 1, Integer::sum);
        return new ReadableFile() {
            private final java.util.concurrent.atomic.AtomicBoolean closed =
                    new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                int n = f.read(position, dst);
                reads.increment();
                if (n > 0) {
                    bytesRead.add(n);
                }
                return n;
            }

            @Override
            public long size() throws IOException {
                return f.size();
            }

            @Override
            public String name() {
                return f.name();
            }

            @Override
            public void close() throws IOException {
                if (closed.compareAndSet(false, true)) {
                    openReaders.computeIfPresent(name, (n, c) -> c == 1 ? null : c - 1);
                }
                f.close();
            }
        };
    }

    /**
     * The read handles open now, per file name (files with none are absent). A file deleted from
     * the directory but still listed here is pinned by a reader, as an open scan pins the
     * segments of its snapshot.
     */
    public java.util.Map<String, Integer> openReadHandles() {
        return new java.util.TreeMap<>(openReaders);
    }

    /**
     * The write handles open now, per name the file was created or opened under (files with none
     * are absent): a writer that is done with a file and still listed here leaked its handle.
     */
    public java.util.Map<String, Integer> openWriteHandles() {
        return new java.util.TreeMap<>(openWriters);
    }

    @Override
    public void syncDirectory() throws IOException {
        super.syncDirectory();
        forces.increment();
    }

    /**
     * {@code f}, counting the bytes it writes (appended or in place) into {@code bytes} and its forces
     * into {@code forces}: this storage's own counting, for a storage that counts by kinds of file.
     */
    public static WritableFile counting(WritableFile f, LongAdder bytes, LongAdder forces) {
        return new CountingWritable(f, bytes, forces, null);
    }

    private static final class CountingWritable extends ForwardingWritableFile {
        private final LongAdder bytes;
        private final LongAdder forces;
        /** Run once, at the first close (null: nothing to run). */
        private final Runnable onClose;

        private final java.util.concurrent.atomic.AtomicBoolean closed =
                new java.util.concurrent.atomic.AtomicBoolean();

        CountingWritable(WritableFile f, LongAdder bytes, LongAdder forces, Runnable onClose) {
            super(f);
            this.bytes = bytes;
            this.forces = forces;
            this.onClose = onClose;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            int n = src.remaining();
            super.append(src);
            bytes.add(n);
        }

        @Override
        public void writeAt(long position, ByteBuffer src) throws IOException {
            int n = src.remaining();
            super.writeAt(position, src);
            bytes.add(n);
        }

        @Override
        public void force() throws IOException {
            super.force();
            forces.increment();
        }

        @Override
        public void close() throws IOException {
            if (onClose != null && closed.compareAndSet(false, true)) {
                onClose.run();
            }
            super.close();
        }
    }
}
