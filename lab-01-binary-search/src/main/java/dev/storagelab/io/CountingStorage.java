package dev.storagelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Storage} decorator that counts the I/O going through it: bytes and calls for appends,
 * reads and forces. Engines wrap their storage in one, so write amplification (bytes written to
 * disk over bytes the user wrote) and read cost come from what really reached the files.
 */
public final class CountingStorage implements Storage {

    private final Storage inner;
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder forces = new LongAdder();
    private final LongAdder filesCreated = new LongAdder();

    public CountingStorage(Storage inner) {
        this.inner = inner;
    }

    /** Bytes appended to any file. */
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
        WritableFile f = inner.create(name);
        filesCreated.increment();
        return new CountingWritable(f);
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return new CountingWritable(inner.openAppend(name));
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        ReadableFile f = inner.openRead(name);
        return new ReadableFile() {
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
                f.close();
            }
        };
    }

    @Override
    public boolean exists(String name) throws IOException {
        return inner.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
        return inner.size(name);
    }

    @Override
    public List<String> list() throws IOException {
        return inner.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
        inner.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        inner.delete(name);
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        inner.truncate(name, size);
    }

    @Override
    public void syncDirectory() throws IOException {
        inner.syncDirectory();
        forces.increment();
    }

    @Override
    public String describe(String name) {
        return inner.describe(name);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    private final class CountingWritable implements WritableFile {
        private final WritableFile f;

        CountingWritable(WritableFile f) {
            this.f = f;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            int n = src.remaining();
            f.append(src);
            bytesWritten.add(n);
        }

        @Override
        public long size() throws IOException {
            return f.size();
        }

        @Override
        public void force() throws IOException {
            f.force();
            forces.increment();
        }

        @Override
        public String name() {
            return f.name();
        }

        @Override
        public void close() throws IOException {
            f.close();
        }
    }
}
