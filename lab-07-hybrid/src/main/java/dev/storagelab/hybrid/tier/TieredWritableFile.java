package dev.storagelab.hybrid.tier;

import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A writer of a {@link TieredStorage} file that tells the metadata when it closes (given code of
 * lab-07 T7): a file with an open writer never moves ({@link FileState#openWriters}).
 */
final class TieredWritableFile extends ForwardingWritableFile {
    /** The storage's metadata lock, which guards {@link #st}. */
    private final ReentrantLock lock;

    private final FileState st;
    private boolean closed;

    TieredWritableFile(WritableFile delegate, FileState st, ReentrantLock lock) {
        super(delegate);
        this.st = st;
        this.lock = lock;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            st.openWriters--;
        } finally {
            lock.unlock();
        }
        super.close();
    }
}
