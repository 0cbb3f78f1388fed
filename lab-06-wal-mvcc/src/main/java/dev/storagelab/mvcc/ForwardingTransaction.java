package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Transaction} that passes every call to another (Guava's {@code Forwarding*} pattern): a
 * subclass overrides what it adds to, such as the workbench's byte counts or a test that injects a
 * failure at commit.
 */
public class ForwardingTransaction implements Transaction {

    private final Transaction delegate;

    public ForwardingTransaction(Transaction delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The transaction the calls go to. */
    public Transaction delegate() {
        return delegate;
    }

    @Override
    public long startTs() {
        return delegate.startTs();
    }

    @Override
    public State state() {
        return delegate.state();
    }

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        return delegate.get(key);
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        delegate.put(key, value);
    }

    @Override
    public void delete(Bytes key) throws IOException {
        delegate.delete(key);
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) throws IOException {
        return delegate.scan(from, to);
    }

    @Override
    public long commit() throws IOException {
        return delegate.commit();
    }

    @Override
    public void abort() {
        delegate.abort();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
