package dev.storagelab.hybrid.tier;

import dev.storagelab.io.ReadableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A reader of a {@link TieredStorage} file that follows its file into the archive (given code of
 * lab-07 T7): a move switches {@link #current} to the archive's copy and closes the fast one
 * ({@link ArchiveMover#switchReaders}). A read that raced the switch and failed on the closed
 * handle is retried on the new one. Reads take no lock.
 */
final class TieredReadableFile implements ReadableFile {
    private final String name;
    /** The storage's metadata lock, which guards {@link FileState#readers} and {@link #closed}. */
    private final ReentrantLock lock;

    private final FileState st;
    private volatile ReadableFile current;
    private boolean closed;

    TieredReadableFile(String name, ReadableFile current, FileState st, ReentrantLock lock) {
        this.name = name;
        this.current = current;
        this.st = st;
        this.lock = lock;
    }

    /** Lock held. */
    void switchTo(ReadableFile next) {
        ReadableFile old = current;
        current = next;
        try {
            old.close();
        } catch (IOException e) {
            // Closing a read handle frees it; there is nothing to save.
        }
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        while (true) {
            ReadableFile f = current;
            try {
                return f.read(position, dst);
            } catch (IOException e) {
                if (f == current) {
                    throw e;
                }
                // The file moved under this read: read the archive's copy.
            }
        }
    }

    @Override
    public long size() throws IOException {
        while (true) {
            ReadableFile f = current;
            try {
                return f.size();
            } catch (IOException e) {
                if (f == current) {
                    throw e;
                }
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            st.readers.remove(this);
        } finally {
            lock.unlock();
        }
        current.close();
    }
}
