package dev.storagelab.lsm;

import com.google.common.collect.AbstractIterator;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The user's view of an {@link InternalIterator} at one snapshot (LevelDB's {@code DBIter}): for
 * each user key in {@code [from, to)}, the newest version written at or before the snapshot, as a
 * lab-01 {@link Entry}; versions newer than the snapshot are invisible, older ones hidden. A key whose
 * visible version is a deletion is skipped. Closing it closes the source.
 */
public final class SnapshotIterator extends AbstractIterator<Entry> implements EntryIterator {

    private final InternalIterator source;
    private final long snapshot;
    private final Bytes from;
    private final Bytes to;
    private final Runnable onClose;
    private boolean started;
    private boolean closed;

    /**
     * @param from    the first user key, inclusive; null for the first key there is
     * @param to      the end, exclusive; null for no end
     * @param onClose run once at close, after the source is closed (a version's release)
     */
    public SnapshotIterator(InternalIterator source, long snapshot, Bytes from, Bytes to, Runnable onClose) {
        this.source = source;
        this.snapshot = snapshot;
        this.from = from;
        this.to = to;
        this.onClose = onClose;
    }

    @Override
    protected Entry computeNext() {
        if (closed) {
            return endOfData();
        }
        try {
            if (!started) {
                started = true;
                if (from == null) {
                    source.seekToFirst();
                } else {
                    source.seek(InternalKey.seekKey(from, snapshot).encode());
                }
            }
            while (source.valid()) {
                byte[] key = source.key();
                if (to != null && to.compareTo(key, 0, key.length - InternalKey.TRAILER_BYTES) <= 0) {
                    return endOfData(); // past the range: nothing after it is read
                }
                Entry e = step();
                if (e != null) {
                    return e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return endOfData();
    }

    /**
     * Looks at the entry the source is on (inside the range): returns the visible version of its
     * user key (and moves past every other version of that key), or null if there is none to
     * return here.
     */
    private Entry step() throws IOException {
        byte[] key = source.key();
        int userLength = key.length - InternalKey.TRAILER_BYTES;
        long sequence = InternalKey.trailerAt(key, userLength) >>> 8;
        if (sequence > snapshot) {
            source.next(); // written after the snapshot: invisible
            return null;
        }
        byte[] userKey = Arrays.copyOf(key, userLength);
        boolean deleted = key[key.length - 1] == ValueType.DELETE.code();
        Entry visible = deleted
                ? null
                : Entry.put(Bytes.wrap(userKey), Bytes.wrap(source.value().clone()));
        // Skip the older versions of the same user key.
        do {
            source.next();
        } while (source.valid() && sameUserKey(source.key(), userKey));
        return visible;
    }

    private static boolean sameUserKey(byte[] internalKey, byte[] userKey) {
        int n = internalKey.length - InternalKey.TRAILER_BYTES;
        return Arrays.equals(internalKey, 0, n, userKey, 0, userKey.length);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                source.close();
            } finally {
                if (onClose != null) {
                    onClose.run();
                }
            }
        }
    }

    /**
     * The user's view of one source at one snapshot, backward: for each user key in
     * {@code [from, to)} from the largest down, the newest version at or before the snapshot (a
     * deletion included, as a tombstone, so that a newest-wins merge of several sources lets it
     * hide older sources' values). Backward, a key's versions come oldest first: the visible one is
     * the last visible one met before the key changes.
     */
    public static EntryIterator reverse(InternalIterator source, long snapshot, Bytes from, Bytes to) {
        class Reverse extends AbstractIterator<Entry> implements EntryIterator {
            private boolean started;
            private boolean closed;

            @Override
            protected Entry computeNext() {
                if (closed) {
                    return endOfData();
                }
                try {
                    if (!started) {
                        started = true;
                        if (to == null) {
                            source.seekToLast();
                        } else {
                            source.seek(new InternalKey(to, InternalKey.MAX_SEQUENCE, ValueType.PUT).encode());
                            if (source.valid()) {
                                source.prev();
                            } else {
                                source.seekToLast();
                            }
                        }
                    }
                    while (source.valid()) {
                        byte[] key = source.key();
                        int userLength = key.length - InternalKey.TRAILER_BYTES;
                        if (from != null && from.compareTo(key, 0, userLength) > 0) {
                            return endOfData(); // below the range
                        }
                        byte[] userKey = Arrays.copyOf(key, userLength);
                        Entry visible = null;
                        do { // oldest version first: the last visible one wins
                            byte[] k = source.key();
                            long sequence = InternalKey.trailerAt(k, userLength) >>> 8;
                            if (sequence <= snapshot) {
                                visible = k[k.length - 1] == ValueType.DELETE.code()
                                        ? Entry.tombstone(Bytes.wrap(userKey))
                                        : Entry.put(
                                                Bytes.wrap(userKey),
                                                Bytes.wrap(source.value().clone()));
                            }
                            source.prev();
                        } while (source.valid() && sameUserKey(source.key(), userKey));
                        if (visible != null) {
                            return visible;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return endOfData();
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    source.close();
                }
            }
        }
        return new Reverse();
    }
}
