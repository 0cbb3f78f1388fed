package dev.storagelab.io;

import java.io.IOException;
import java.util.List;

/**
 * A {@link Storage} that passes every call to another, in the style of Guava's
 * {@code ForwardingObject}: a decorator overrides only the calls it changes ({@link CountingStorage}
 * counts, a test's storage can delay or gate).
 */
public abstract class ForwardingStorage implements Storage {

    /**
     * Private, not protected: a subclass reaches it only through the forwarding calls
     * ({@code super.create(name)}), so no class of this package (a student's among them) can peel
     * a {@link CountingStorage} off the storage it counts.
     */
    private final Storage delegate;

    protected ForwardingStorage(Storage delegate) {
        this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public WritableFile create(String name) throws IOException {
        return delegate.create(name);
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return delegate.openAppend(name);
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        return delegate.openRead(name);
    }

    /**
     * The delegate's {@link Storage#openReadMapped}, for a decorator that leaves reads as they are
     * ({@link CountingStorage} only counts them) to forward that call with. Not forwarded by
     * default: {@link Storage#openReadMapped}'s default opens through {@link #openRead}, so a
     * decorator that changes reads (a test's gate, added latency) changes every read.
     */
    protected final ReadableFile openReadMappedByDelegate(String name) throws IOException {
        return delegate.openReadMapped(name);
    }

    @Override
    public boolean exists(String name) throws IOException {
        return delegate.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
        return delegate.size(name);
    }

    @Override
    public List<String> list() throws IOException {
        return delegate.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        delegate.delete(name);
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        delegate.truncate(name, size);
    }

    @Override
    public void syncDirectory() throws IOException {
        delegate.syncDirectory();
    }

    @Override
    public String describe(String name) {
        return delegate.describe(name);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
