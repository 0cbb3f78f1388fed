package dev.storagelab.workbench.peers;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.util.NoSuchElementException;

/**
 * A range scan over a peer's native iterator, in the workspace's shape: half-open
 * {@code [from, to)}, forward or backward, closed when done. Subclasses say how to position, read,
 * step and release the native iterator.
 */
abstract class PeerScan implements EntryIterator {

    private final Bytes from;
    private final Bytes to;
    private final boolean descending;
    private Entry next;
    private boolean started;
    private boolean closed;

    PeerScan(Bytes from, Bytes to, boolean descending) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            throw new IllegalArgumentException("range start " + from + " is after its end " + to + "; a range is [from, to)");
        }
        this.from = from;
        this.to = to;
        this.descending = descending;
    }

    /** Positions at the first key >= {@code key}, or the first key if null. */
    abstract void seek(byte[] key);

    /** Positions at the last key <= {@code key}, or the last key if null. */
    abstract void seekForPrev(byte[] key);

    abstract boolean valid();

    abstract byte[] key();

    abstract byte[] value();

    abstract void step(boolean backward);

    abstract void release();

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        if (next != null) {
            return true;
        }
        if (!started) {
            started = true;
            if (descending) {
                seekForPrev(to == null ? null : to.toByteArray());
                if (valid() && to != null && Bytes.wrap(key()).equals(to)) {
                    step(true); // to is exclusive
                }
            } else {
                seek(from == null ? null : from.toByteArray());
            }
        } else {
            step(descending);
        }
        if (!valid()) {
            close();
            return false;
        }
        Bytes k = Bytes.wrap(key());
        boolean inRange = descending ? from == null || k.compareTo(from) >= 0 : to == null || k.compareTo(to) < 0;
        if (!inRange) {
            close();
            return false;
        }
        next = Entry.put(k, Bytes.wrap(value()));
        return true;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Entry e = next;
        next = null;
        return e;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }
}
