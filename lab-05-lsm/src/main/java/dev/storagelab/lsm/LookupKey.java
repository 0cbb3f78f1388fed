package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import java.util.Objects;

/**
 * What a get asks every source for, built once per get (LevelDB's {@code LookupKey}): the user
 * key, the snapshot, the {@linkplain InternalKey#seekKey seek key} encoded, and the user key's
 * {@linkplain BloomFilter#hash filter hash}. A get may ask three memtables and one table per level
 * (up to four in level 0); each of them used to encode the seek key and hash the user key again.
 */
public final class LookupKey {

    private final Bytes userKey;
    private final long snapshot;
    private final byte[] seekKey;
    private final long hash;

    /**
     * The lookup of {@code userKey} as of {@code snapshot}.
     *
     * @throws IllegalArgumentException if {@code snapshot} is outside {@code [0, 2^56 - 1]}
     */
    public LookupKey(Bytes userKey, long snapshot) {
        this.userKey = Objects.requireNonNull(userKey, "userKey");
        this.snapshot = snapshot;
        this.seekKey = InternalKey.seekKey(userKey, snapshot).encode();
        this.hash = BloomFilter.hash(seekKey, 0, seekKey.length - InternalKey.TRAILER_BYTES);
    }

    /** The key the user asked for. */
    public Bytes userKey() {
        return userKey;
    }

    /** Versions written after this sequence number are invisible. */
    public long snapshot() {
        return snapshot;
    }

    /**
     * {@link InternalKey#seekKey}{@code (userKey, snapshot)} encoded: the first entry at or after it
     * is the newest version visible at the snapshot, if it has the same user key. Shared, not
     * copied: callers must not change it.
     */
    byte[] seekKey() {
        return seekKey;
    }

    /** The user key's length in {@link #seekKey}: its first bytes. */
    int userKeyLength() {
        return seekKey.length - InternalKey.TRAILER_BYTES;
    }

    /** {@link BloomFilter#hash} of the user key: the same for every filter a get probes. */
    public long hash() {
        return hash;
    }

    /** Whether the encoded internal key of {@code length} bytes at {@code offset} in {@code src} has this user key. */
    boolean sameUserKey(byte[] src, int offset, int length) {
        int n = userKeyLength();
        return length - InternalKey.TRAILER_BYTES == n
                && java.util.Arrays.equals(seekKey, 0, n, src, offset, offset + n);
    }

    @Override
    public String toString() {
        return userKey + "@" + snapshot;
    }
}
