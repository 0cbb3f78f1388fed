package dev.storagelab.mvcc;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Every version of every key, kept in one {@link OrderedStore} (the lab-04 B+tree, the lab-05 LSM
 * tree, or any other): the storage half of MVCC. A write at commit timestamp {@code t} adds a
 * version {@code (key, t)} for each key it writes and changes no older version, so a reader at
 * timestamp {@code r} can read the state as of {@code r} while writers go on: the newest version of
 * each key at or before {@code r}.
 *
 * <p>Engine keys are {@link VersionedKey}s. Engine values are a kind byte and the value:
 * <pre>
 *   | KIND_VALUE (0x01) | value bytes |     a put
 *   | KIND_TOMBSTONE (0x00) |               a delete: a version that says "absent from here on"
 * </pre>
 * A delete is a tombstone version, never an engine delete: the older versions must stay readable for
 * the snapshots older than the delete. Only {@link #collectGarbage} deletes engine keys.
 *
 * <p>Thread-safe as far as its engine is (the lab-04 and lab-05 engines are). Reads at a timestamp
 * are stable only if no write at or below that timestamp is in progress: {@link TransactionManager}
 * reads at its visible timestamp, below which every write is complete.
 */
public final class MvccStore implements AutoCloseable {

    /** The kind byte of a tombstone version. */
    public static final byte KIND_TOMBSTONE = 0x00;
    /** The kind byte of a value version. */
    public static final byte KIND_VALUE = 0x01;

    /**
     * The default of how many engine entries a scan walks past within one user key before it seeks
     * instead: a seek (a new engine scan) costs a descent of the B+tree or a merge of every LSM
     * table, a step costs one entry, so a few steps are cheaper than a seek and many are not
     * (RocksDB's {@code max_sequential_skip_in_iterations}, default 8).
     */
    public static final int MAX_SEQUENTIAL_SKIP = 8;

    private final OrderedStore engine;
    /** Steps within one key before a scan seeks; {@link #MAX_SEQUENTIAL_SKIP} unless the constructor says. */
    private final int maxSequentialSkip;

    /** An MVCC store over {@code engine}, which holds only versioned keys (or is empty). */
    public MvccStore(OrderedStore engine) {
        this(engine, MAX_SEQUENTIAL_SKIP);
    }

    /**
     * An MVCC store over {@code engine} whose scans step over at most {@code maxSequentialSkip}
     * versions of a key before they seek: more for an engine whose scans are expensive to open (an
     * LSM tree with many tables), fewer for one where a seek is cheap.
     *
     * @throws IllegalArgumentException if {@code maxSequentialSkip < 1}
     */
    public MvccStore(OrderedStore engine, int maxSequentialSkip) {
        this.engine = checkNotNull(engine, "engine must not be null");
        checkArgument(maxSequentialSkip >= 1, "maxSequentialSkip must be at least 1: %s", maxSequentialSkip);
        this.maxSequentialSkip = maxSequentialSkip;
    }

    /** The engine under this store. */
    public OrderedStore engine() {
        return engine;
    }

    // ------------------------------------------------------------------ values

    /** The engine value of {@code entry}: its kind byte, then its value (none for a tombstone). */
    public static Bytes encodeValue(Entry entry) {
        if (entry.isTombstone()) {
            return Bytes.wrap(new byte[] {KIND_TOMBSTONE});
        }
        byte[] out = new byte[1 + entry.value().length()];
        out[0] = KIND_VALUE;
        entry.value().copyTo(out, 1);
        return Bytes.wrap(out);
    }

    /**
     * The value an engine value encodes, or null for a tombstone.
     *
     * @param engineKey the engine key it was stored under, for the error message
     * @throws CorruptionException if the value is empty, has an unknown kind, or is a tombstone with
     *                             bytes after its kind
     */
    public static Bytes decodeValue(Bytes stored, Bytes engineKey) throws CorruptionException {
        if (stored.isEmpty()) {
            throw new CorruptionException("value of versioned key " + engineKey, 0, "empty: no kind byte");
        }
        byte kind = stored.byteAt(0);
        if (kind == KIND_VALUE) {
            return Bytes.copyOf(stored.toByteArray(), 1, stored.length() - 1);
        }
        if (kind == KIND_TOMBSTONE) {
            if (stored.length() != 1) {
                throw new CorruptionException(
                        "value of versioned key " + engineKey,
                        1,
                        (stored.length() - 1) + " bytes after a tombstone's kind byte");
            }
            return null;
        }
        throw new CorruptionException(
                "value of versioned key " + engineKey,
                0,
                String.format("unknown kind 0x%02x (0x00 tombstone, 0x01 value)", kind & 0xff));
    }

    // ------------------------------------------------------------------ writes

    /**
     * Adds one version per entry at {@code commitTs}: a value, or a tombstone for a tombstone entry.
     * Older versions are left as they are. The versions go to the engine as one
     * {@link OrderedStore#write batch}: atomic after a crash where the engine's batches are (a
     * {@code WriteAheadStore} logs it as one record). A reader at {@code commitTs} or later may see
     * some of the versions before the call returns ({@link TransactionManager} makes a commit
     * visible only once it is whole).
     *
     * @throws IllegalArgumentException if a key is empty or too long once encoded, or a value too long
     */
    public void write(long commitTs, List<Entry> writes) throws IOException {
        checkArgument(commitTs >= 0, "commit timestamp must not be negative: %s", commitTs);
        checkNotNull(writes, "writes must not be null");
        for (Entry e : writes) {
            KeyValueStore.checkKey(e.key());
            if (!e.isTombstone()) {
                KeyValueStore.checkValue(e.value());
            }
        }
        List<Entry> versions = new java.util.ArrayList<>(writes.size());
        for (Entry e : writes) {
            Bytes engineKey = new VersionedKey(e.key(), commitTs).encode();
            if (engineKey.length() > KeyValueStore.MAX_KEY_BYTES) {
                throw new IllegalArgumentException("key " + e.key() + " is " + engineKey.length()
                        + " bytes once versioned (zero bytes escaped, timestamp added); the limit is "
                        + KeyValueStore.MAX_KEY_BYTES);
            }
            versions.add(Entry.put(engineKey, encodeValue(e)));
        }
        engine.write(versions); // one batch: under the write-ahead log (KvStore), one log record
    }

    // ------------------------------------------------------------------ reads

    /**
     * The value of {@code key} in the snapshot at {@code readTs}: the newest version with a commit
     * timestamp {@code <= readTs}; empty if there is none or it is a tombstone. One seek: a single
     * engine scan from {@link VersionedKey#seekKey(Bytes, long)} that ends at
     * {@link VersionedKey#versionsEnd(Bytes)}, and at most one entry read from it; never a walk over
     * the versions newer than {@code readTs}.
     */
    public Optional<Bytes> get(Bytes key, long readTs) throws IOException {
        KeyValueStore.checkKey(key);
        checkArgument(readTs >= 0, "read timestamp must not be negative: %s", readTs);
        // BEGIN SOLUTION lab-06 T4
        try (EntryIterator it = engine.scan(VersionedKey.seekKey(key, readTs), VersionedKey.versionsEnd(key))) {
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Entry e = it.next();
            return Optional.ofNullable(decodeValue(e.value(), e.key()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        // END SOLUTION
    }

    /**
     * The commit timestamp of the newest version of {@code key}, whatever it is (a tombstone
     * included); empty if the key has no version. (Recovery and tests use it; conflict detection
     * uses {@link TransactionManager}'s in-memory record, which also sees commits not yet applied.)
     */
    public OptionalLong newestCommitTs(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        try (EntryIterator it = engine.scan(VersionedKey.versionsStart(key), VersionedKey.versionsEnd(key))) {
            return it.hasNext()
                    ? OptionalLong.of(VersionedKey.decode(it.next().key()).commitTs())
                    : OptionalLong.empty();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The live entries with {@code from <= key < to} in the snapshot at {@code readTs}, in
     * increasing key order, one per user key: its newest version at or before {@code readTs}, left
     * out if it is a tombstone. A null bound is open. The scan walks the versions newer than
     * {@code readTs} and the versions older than the one it returns one step at a time for up to
     * {@code maxSequentialSkip} ({@link #MAX_SEQUENTIAL_SKIP} by default) entries per key, and
     * seeks past a longer run (a new engine scan). The iterator must be
     * closed; I/O errors surface as {@link UncheckedIOException}.
     *
     * @throws IllegalArgumentException if {@code from > to}
     */
    public EntryIterator scan(Bytes from, Bytes to, long readTs) {
        checkArgument(readTs >= 0, "read timestamp must not be negative: %s", readTs);
        checkArgument(
                from == null || to == null || from.compareTo(to) <= 0,
                "scan range is reversed: from %s > to %s",
                from,
                to);
        Bytes engineFrom = from == null ? null : VersionedKey.versionsStart(from);
        Bytes engineTo = to == null ? null : VersionedKey.versionsStart(to);
        return new SnapshotScan(engineFrom, engineTo, readTs);
    }

    /**
     * A scan at one read timestamp: a cursor on the engine (the entry under it decoded in
     * {@link #current}, or null at the end) that steps one entry or seeks by opening a new engine
     * scan, and above it the choice of one version per user key.
     */
    private final class SnapshotScan implements EntryIterator {

        private final Bytes engineTo;
        private final long readTs;
        private EntryIterator source;
        /** The engine entry under the cursor and its decoded key; both null at the end. */
        private Entry currentEntry;

        private VersionedKey current;
        /** The entry {@link #next()} returns next; null when the scan is over. */
        private Entry next;

        private boolean started;
        private boolean closed;

        SnapshotScan(Bytes engineFrom, Bytes engineTo, long readTs) {
            this.engineTo = engineTo;
            this.readTs = readTs;
            this.source = engine.scan(engineFrom, engineTo);
        }

        /** Moves the cursor to the next engine entry. */
        private void step() {
            if (source.hasNext()) {
                currentEntry = source.next();
                current = decodeKey(currentEntry.key());
            } else {
                currentEntry = null;
                current = null;
            }
        }

        /** Moves the cursor to the first engine entry at or after {@code engineKey}: a new engine scan. */
        private void seek(Bytes engineKey) {
            source.close();
            source = engine.scan(engineKey, engineTo);
            step();
        }

        /**
         * Sets {@link #next} to the next live entry of the snapshot, or null at the end: for each user
         * key from the cursor on, passes its versions newer than {@code readTs}, takes the first
         * version at or before {@code readTs} (none: the key is absent from the snapshot), passes
         * the older versions, and returns the taken version's value unless it is a tombstone. Each
         * of the two passes steps over up to {@code maxSequentialSkip} entries one at a time, and
         * only if the run is longer than that seeks past the rest (one new engine scan): to
         * {@link VersionedKey#seekKey} of the user key at {@code readTs}, and to its
         * {@link VersionedKey#versionsEnd}. A run of exactly {@code maxSequentialSkip} entries costs
         * no seek.
         */
        private void advance() {
            // BEGIN SOLUTION lab-06 T4
            next = null;
            while (current != null) {
                Bytes user = current.userKey();
                int steps = 0;
                while (current != null
                        && current.commitTs() > readTs
                        && current.userKey().equals(user)) {
                    if (++steps > maxSequentialSkip) {
                        seek(VersionedKey.seekKey(user, readTs));
                    } else {
                        step();
                    }
                }
                if (current == null || !current.userKey().equals(user)) {
                    continue; // every version of the key is newer than the snapshot
                }
                Entry visible = currentEntry;
                steps = 0;
                while (current != null && current.userKey().equals(user)) {
                    if (++steps > maxSequentialSkip) {
                        seek(VersionedKey.versionsEnd(user));
                    } else {
                        step();
                    }
                }
                Bytes value = decodeStoredValue(visible);
                if (value != null) {
                    next = Entry.put(user, value);
                    return;
                }
            }
            // END SOLUTION
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            if (!started) {
                started = true;
                step();
                advance();
            }
            return next != null;
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Entry out = next;
            advance();
            return out;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                next = null;
                source.close();
            }
        }
    }

    /** {@link VersionedKey#decode}, for iterators: corruption as an {@link UncheckedIOException}. */
    private static VersionedKey decodeKey(Bytes engineKey) {
        try {
            return VersionedKey.decode(engineKey);
        } catch (CorruptionException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #decodeValue} of an engine entry, for iterators: corruption as an {@link UncheckedIOException}. */
    private static Bytes decodeStoredValue(Entry engineEntry) {
        try {
            return decodeValue(engineEntry.value(), engineEntry.key());
        } catch (CorruptionException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ garbage collection

    /**
     * What one {@link #collectGarbage} pass did.
     *
     * @param keysScanned     user keys looked at
     * @param versionsScanned versions looked at
     * @param versionsRemoved versions deleted from the engine
     */
    public record GcResult(long keysScanned, long versionsScanned, long versionsRemoved) {

        /** Nothing scanned, nothing removed. */
        public static final GcResult NONE = new GcResult(0, 0, 0);

        /** The sums of this and {@code other}: totals over several passes. */
        public GcResult plus(GcResult other) {
            return new GcResult(
                    keysScanned + other.keysScanned,
                    versionsScanned + other.versionsScanned,
                    versionsRemoved + other.versionsRemoved);
        }
    }

    /**
     * Removes the versions no snapshot at or after {@code watermark} can read. For each user key it
     * keeps every version newer than the watermark and the newest version at or below it (a read at
     * any timestamp {@code >= watermark} finds one of these); it removes (engine deletes) every
     * older version; and it also removes that newest version at or below the watermark if it is a
     * tombstone and the key has no newer version (then no snapshot at or after the watermark sees
     * the key at all, with the tombstone or without it). Removing versions that no read needs is
     * safe in any order, but a tombstone must go <em>after</em> the older versions it hides: a reader
     * (or a crash) between the two would otherwise find an older value come back to life.
     *
     * <p>Safe beside readers at or after the watermark and writers above it. The caller picks the
     * watermark: {@link TransactionManager#gcWatermark()}, never above the oldest live snapshot.
     *
     * @throws IllegalArgumentException if {@code watermark} is negative
     */
    public GcResult collectGarbage(long watermark) throws IOException {
        checkArgument(watermark >= 0, "watermark must not be negative: %s", watermark);
        // BEGIN SOLUTION lab-06 T6
        long keys = 0;
        long scanned = 0;
        long removed = 0;
        Bytes user = null;
        boolean newerSeen = false;
        boolean keptOne = false;
        Bytes tombstoneToRemove = null;
        try (EntryIterator it = engine.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                VersionedKey v = VersionedKey.decode(e.key());
                scanned++;
                if (!v.userKey().equals(user)) {
                    if (tombstoneToRemove != null) {
                        engine.delete(tombstoneToRemove); // after every older version of its key
                        removed++;
                    }
                    user = v.userKey();
                    keys++;
                    newerSeen = false;
                    keptOne = false;
                    tombstoneToRemove = null;
                }
                if (v.commitTs() > watermark) {
                    newerSeen = true;
                } else if (!keptOne) {
                    keptOne = true;
                    if (!newerSeen && decodeValue(e.value(), e.key()) == null) {
                        tombstoneToRemove = e.key();
                    }
                } else {
                    engine.delete(e.key());
                    removed++;
                }
            }
            if (tombstoneToRemove != null) {
                engine.delete(tombstoneToRemove);
                removed++;
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new GcResult(keys, scanned, removed);
        // END SOLUTION
    }

    /** Closes the engine. */
    @Override
    public void close() throws IOException {
        engine.close();
    }

    @Override
    public String toString() {
        return "mvcc over " + engine;
    }
}
