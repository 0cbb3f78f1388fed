package dev.storagelab.bounds;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link OrderedStore} that passes every call to another (Guava's {@code Forwarding*} pattern):
 * a subclass overrides what it adds to, such as lab-06's engine adapters (a checkpoint) or a test
 * that watches the calls.
 */
public class ForwardingOrderedStore implements OrderedStore {

    private final OrderedStore delegate;

    public ForwardingOrderedStore(OrderedStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store the calls go to. */
    public OrderedStore delegate() {
        return delegate;
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
    public void write(List<Entry> ops) throws IOException {
        delegate.write(ops);
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return delegate.scan(from, to);
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return delegate.scanReverse(from, to);
    }

    @Override
    public void sync() throws IOException {
        delegate.sync();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "forwarding to " + delegate;
    }
}
