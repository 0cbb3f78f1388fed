package dev.storagelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link WritableFile} that passes every call to another, as {@link ForwardingStorage} does for
 * a storage: a decorator overrides only the calls it changes (a test's file can pause, count or
 * fail its appends).
 */
public abstract class ForwardingWritableFile implements WritableFile {

    /**
     * Private, not protected: a subclass reaches it only through the forwarding calls
     * ({@code super.create(name)}), so no class of this package (a student's among them) can peel
     * a {@link CountingStorage} off the storage it counts.
     */
    private final WritableFile delegate;

    protected ForwardingWritableFile(WritableFile delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void append(ByteBuffer src) throws IOException {
        delegate.append(src);
    }

    @Override
    public void writeAt(long position, ByteBuffer src) throws IOException {
        delegate.writeAt(position, src);
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public void force() throws IOException {
        delegate.force();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
