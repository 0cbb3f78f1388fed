package dev.storagelab.lsm;

/**
 * A point-in-time view of an {@link LsmStore}: reads through it see every write with a sequence
 * number at or below {@link #sequence()} and none after. While it is open, compactions keep the
 * versions it can see; close it when done, or the store keeps old versions forever.
 */
public final class Snapshot implements AutoCloseable {

    private final LsmStore store;
    private final long sequence;
    private boolean closed;

    Snapshot(LsmStore store, long sequence) {
        this.store = store;
        this.sequence = sequence;
    }

    /** The sequence number of the last write this snapshot sees. */
    public long sequence() {
        return sequence;
    }

    /** Lets the store drop the versions only this snapshot could see. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.releaseSnapshot(sequence);
        }
    }

    @Override
    public String toString() {
        return "snapshot@" + sequence;
    }
}
