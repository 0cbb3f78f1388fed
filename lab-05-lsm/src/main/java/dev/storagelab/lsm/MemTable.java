package dev.storagelab.lsm;

import dev.storagelab.bst.SkipListMap;
import dev.storagelab.kv.Bytes;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The LSM tree's memtable: every version of every key written since the last flush, as encoded
 * {@link InternalKey}s in lab-03's {@link SkipListMap} (ordered by {@link InternalKey#ORDER}), so
 * readers never lock and never wait while the one writer inserts. A put and a delete are both
 * inserts: a new version never replaces an old one here, because a snapshot may still need the old
 * one; compaction drops versions later, when no snapshot can see them.
 *
 * <p>Thread-safe: one writer at a time (the store's write path serialises them), any number of
 * readers beside it.
 */
public final class MemTable {

    /** The lookup's answer for one user key at one snapshot. */
    public enum Found {
        /** The newest version visible is a value. */
        VALUE,
        /** The newest version visible is a deletion: the key is absent, and older sources must not be asked. */
        DELETED,
        /** No version visible here: ask the next older source. */
        ABSENT
    }

    /** A lookup's result: what was found and, for {@link Found#VALUE}, the value. */
    public record Lookup(Found found, Bytes value) {
        static final Lookup ABSENT = new Lookup(Found.ABSENT, null);
        static final Lookup DELETED = new Lookup(Found.DELETED, null);
    }

    /** Per entry, besides its key and value: about what a skip-list node and its links take. */
    static final int ENTRY_OVERHEAD = 48;

    /** Probes per key of the memtable's filter ({@link #mayHold}). */
    static final int FILTER_PROBES = 6;

    private final SkipListMap<byte[], byte[]> entries = new SkipListMap<>(InternalKey.ORDER::compare);
    private final AtomicLong approximateBytes = new AtomicLong();
    private volatile long largestSequence = -1;
    /**
     * A Bloom filter of the user keys added (RocksDB's {@code memtable_whole_key_filtering}):
     * {@link #get} of a key the memtable never held answers without searching the skip list. After
     * a fill, that search was 40% of a get's time (a few MB of nodes, two cache misses a step),
     * and the memtable holds about one key in a hundred that gets ask for. Set by the one writer
     * before the entry is linked; a reader reads it at a sequence number it read after the writer
     * published the entry ({@code StoreWriter}'s volatile {@code lastSequence}), so it sees the bits.
     */
    private final long[] filter;

    private final long filterMask;

    /** A memtable sized for the default 4 MiB ({@link LsmOptions#memtableBytes()}). */
    public MemTable() {
        this(4 << 20);
    }

    /**
     * A memtable expected to hold about {@code expectedBytes} (its filter gets one bit per 8
     * bytes, a power of two between 2^10 and 2^26 bits: about 20 bits per key at lab-05's sizes).
     */
    public MemTable(long expectedBytes) {
        long bits = Long.highestOneBit(Math.max(1L << 10, Math.min(1L << 26, expectedBytes / 8)));
        filter = new long[(int) (bits >>> 6)];
        filterMask = bits - 1;
    }

    /**
     * Adds one version: {@code key} at {@code sequence}, a value or (when {@code value} is null) a
     * deletion. Sequence numbers of one user key must increase from call to call.
     */
    public void add(long sequence, Bytes key, Bytes value) {
        InternalKey ik = new InternalKey(key, sequence, value == null ? ValueType.DELETE : ValueType.PUT);
        byte[] v = value == null ? new byte[0] : value.toByteArray();
        byte[] k = ik.encode();
        long h = userKeyHash(k);
        for (int i = 0; i < FILTER_PROBES; i++) {
            long bit = probe(h, i);
            filter[(int) (bit >>> 6)] |= 1L << bit;
        }
        entries.put(k, v);
        approximateBytes.addAndGet(k.length + v.length + ENTRY_OVERHEAD);
        if (sequence > largestSequence) {
            largestSequence = sequence;
        }
    }

    /**
     * The newest version of {@code key} written at or before {@code snapshot}: {@link #get(LookupKey)}
     * of a lookup built for this one call.
     */
    public Lookup get(Bytes key, long snapshot) {
        return get(new LookupKey(key, snapshot));
    }

    /**
     * The newest version of {@code key}'s user key written at or before its snapshot: if the
     * filter lets the key's hash through, seek to its {@link LookupKey#seekKey}, and the first entry
     * at or after it answers if it has the same user key.
     */
    public Lookup get(LookupKey key) {
        if (!mayHold(key.hash())) {
            return Lookup.ABSENT;
        }
        return find(key.userKey(), key.seekKey());
    }

    /** Whether the filter lets a user key of hash {@code h} through: false only if no version of it was added. */
    private boolean mayHold(long h) {
        for (int i = 0; i < FILTER_PROBES; i++) {
            long bit = probe(h, i);
            if ((filter[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** The filter's hash of an encoded internal key's user key (the key less its trailer). */
    private static long userKeyHash(byte[] internalKey) {
        return BloomFilter.hash(internalKey, 0, internalKey.length - InternalKey.TRAILER_BYTES);
    }

    /** The filter bit of probe {@code i} for hash {@code h}: double hashing, as {@link BloomFilter}'s. */
    private long probe(long h, int i) {
        return (h + i * (h >>> 32)) & filterMask;
    }

    /**
     * {@link #get}'s search, once the filter let the key through ({@code seekKey} is
     * {@link InternalKey#seekKey} of {@code key} and the snapshot, encoded): the first entry at or
     * after {@code seekKey} answers if it has the same user key.
     */
    private Lookup find(Bytes key, byte[] seekKey) {
        // BEGIN SOLUTION lab-05 T7
        Map.Entry<byte[], byte[]> e = entries.ceilingEntry(seekKey);
        if (e == null || !sameUserKey(e.getKey(), key)) {
            return Lookup.ABSENT;
        }
        byte[] k = e.getKey();
        return k[k.length - 1] == ValueType.DELETE.code()
                ? Lookup.DELETED
                : new Lookup(Found.VALUE, Bytes.wrap(e.getValue()));
        // END SOLUTION
    }

    static boolean sameUserKey(byte[] internalKey, Bytes userKey) {
        int n = internalKey.length - InternalKey.TRAILER_BYTES;
        return n == userKey.length() && userKey.compareTo(internalKey, 0, n) == 0;
    }

    /** The bytes the entries take, roughly: what decides when the memtable is full. */
    public long approximateBytes() {
        return approximateBytes.get();
    }

    /** The number of versions held. */
    public int entryCount() {
        return entries.size();
    }

    /** Whether nothing was added. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The largest sequence number added, or -1. */
    public long largestSequence() {
        return largestSequence;
    }

    /**
     * An iterator over every version, in internal-key order, forward and backward; weakly
     * consistent under a concurrent writer (it sees each entry added meanwhile, or not).
     */
    public InternalIterator iterator() {
        return new InternalIterator() {
            private Map.Entry<byte[], byte[]> current;
            /**
             * Walks the skip list's bottom links from {@code current} while moving forward: a flush
             * steps through every entry, and a search from the top for each one cost a fifth of the
             * flush thread's time. Null after a seek backward; the next step forward makes a new one.
             */
            private Iterator<Map.Entry<byte[], byte[]>> forward;

            @Override
            public boolean valid() {
                return current != null;
            }

            @Override
            public void seekToFirst() {
                forward = entries.entrySet().iterator();
                current = forward.hasNext() ? forward.next() : null;
            }

            @Override
            public void seek(byte[] target) {
                forward = entries.tailMap(target, true).entrySet().iterator();
                current = forward.hasNext() ? forward.next() : null;
            }

            @Override
            public void next() {
                if (forward == null) {
                    forward =
                            entries.tailMap(current.getKey(), false).entrySet().iterator();
                }
                current = forward.hasNext() ? forward.next() : null;
            }

            @Override
            public void seekToLast() {
                forward = null;
                current = entries.isEmpty() ? null : entries.lastEntry();
            }

            @Override
            public void prev() {
                forward = null;
                current = entries.lowerEntry(current.getKey());
            }

            @Override
            public byte[] key() {
                return current.getKey();
            }

            @Override
            public byte[] value() {
                return current.getValue();
            }

            @Override
            public void close() {
                current = null;
                forward = null;
            }
        };
    }
}
