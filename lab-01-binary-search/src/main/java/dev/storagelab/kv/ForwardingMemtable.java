package dev.storagelab.kv;

import java.util.Objects;

/**
 * A {@link Memtable} that passes every call to another, in the style of Guava's
 * {@code ForwardingObject}: a decorator overrides only the calls it changes (a test's memtable can
 * pause a lookup, gate a flush's iterator, or count a cursor's steps).
 */
public abstract class ForwardingMemtable implements Memtable {

    protected final Memtable delegate;

    protected ForwardingMemtable(Memtable delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void apply(Entry entry) {
        delegate.apply(entry);
    }

    @Override
    public Entry get(Bytes key) {
        return delegate.get(key);
    }

    @Override
    public EntryIterator iterator(Bytes from) {
        return delegate.iterator(from);
    }

    @Override
    public EntryIterator descendingIterator(Bytes from) {
        return delegate.descendingIterator(from);
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public long approximateBytes() {
        return delegate.approximateBytes();
    }

    @Override
    public void freeze() {
        delegate.freeze();
    }

    @Override
    public boolean isFrozen() {
        return delegate.isFrozen();
    }
}
