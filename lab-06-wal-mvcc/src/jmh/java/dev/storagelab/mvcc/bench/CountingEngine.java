package dev.storagelab.mvcc.bench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * An engine that counts what the MVCC store asks of it: the scans it opens (each a seek) and the
 * entries it reads from them. The benchmark hands the store this and keeps the engine underneath,
 * so lab code can reach the engine only through these counters. (Not a
 * {@link dev.storagelab.bounds.ForwardingOrderedStore}: that one hands out its delegate, which lab
 * code could then read uncounted.)
 */
final class CountingEngine implements OrderedStore {

    private final OrderedStore engine;
    long scansOpened;
    long entriesRead;

    CountingEngine(OrderedStore engine) {
        this.engine = engine;
    }

    /** The engine's reads so far: the scans opened and the entries read. */
    long reads() {
        return scansOpened + entriesRead;
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return counted(engine.scan(from, to));
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return counted(engine.scanReverse(from, to));
    }

    private EntryIterator counted(EntryIterator it) {
        scansOpened++;
        return new EntryIterator() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Entry next() {
                entriesRead++;
                return it.next();
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        entriesRead++;
        return engine.get(key);
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        engine.put(key, value);
    }

    @Override
    public void delete(Bytes key) throws IOException {
        engine.delete(key);
    }

    @Override
    public void write(List<Entry> ops) throws IOException {
        engine.write(ops);
    }

    @Override
    public void sync() throws IOException {
        engine.sync();
    }

    @Override
    public void close() throws IOException {
        engine.close();
    }
}
