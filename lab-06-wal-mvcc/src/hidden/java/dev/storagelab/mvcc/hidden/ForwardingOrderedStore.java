package dev.storagelab.mvcc.hidden;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.Optional;

/** An {@link OrderedStore} that passes every call to another; tests override what they watch. */
class ForwardingOrderedStore implements OrderedStore {

    private final OrderedStore delegate;

    ForwardingOrderedStore(OrderedStore delegate) {
        this.delegate = delegate;
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
    public void sync() throws IOException {
        delegate.sync();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
