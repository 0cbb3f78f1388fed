package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;

/**
 * The keys waiting to move, oldest request first, each at most once: a key asked for again while
 * it waits keeps its place and takes the newest target, so a million reads of one key queue one
 * migration, not a million. Bounded: a request beyond the capacity is refused, and the router asks
 * again on the key's next access. Thread-safe.
 */
public final class MigrationQueue {

    /** One queued move. */
    public record Move(Bytes key, Placement target, int valueBytes) {}

    private final int capacity;
    private final LinkedHashMap<Bytes, Move> waiting = new LinkedHashMap<>();

    public MigrationQueue(int capacity) {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        this.capacity = capacity;
    }

    /**
     * Queues a move of {@code key} (whose value is {@code valueBytes} long) to {@code target};
     * returns false if the queue is full and the key is not already in it.
     */
    public synchronized boolean offer(Bytes key, Placement target, int valueBytes) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        Move move = new Move(key, target, valueBytes);
        if (waiting.containsKey(key)) {
            waiting.put(key, move);
            return true;
        }
        if (waiting.size() >= capacity) {
            return false;
        }
        waiting.put(key, move);
        return true;
    }

    /** The oldest request, left in the queue, or null if none waits. */
    public synchronized Move peek() {
        Iterator<Move> it = waiting.values().iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** Removes {@code move} if it is still the request for its key. */
    public synchronized void remove(Move move) {
        waiting.remove(move.key(), move);
    }

    public synchronized boolean contains(Bytes key) {
        return waiting.containsKey(key);
    }

    public synchronized int size() {
        return waiting.size();
    }

    public int capacity() {
        return capacity;
    }
}
