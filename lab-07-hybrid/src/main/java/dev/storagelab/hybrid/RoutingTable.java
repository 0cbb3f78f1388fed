package dev.storagelab.hybrid;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.KeyValueStore;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.zip.CRC32C;

/**
 * Which engine each key lives in: the keys routed {@link Placement#HOT} (the exceptions), every
 * other key {@link Placement#COLD}. It is the truth a read and a scan go by: a copy of a key in the
 * engine it is not routed to is stale (a move in flight, or a deleted leftover) and is never
 * returned. In memory it also keeps when each key last moved, for the router's minimum residency.
 *
 * <p>It is made durable at each checkpoint, after both engines' checkpoints, as the file
 * {@code ROUTES}: written whole to {@code ROUTES.tmp}, forced, renamed, directory synced.
 * <pre>
 * +------------------+-------------+-------------+------------------------------------+-------------+
 * | magic "SLROUT07" | version (4) | count n (4) | n x ( key length (2) | key bytes ) | CRC32C (4)  |
 * | (8)              | = 1         |             |   sorted, strictly increasing      | of all before|
 * +------------------+-------------+-------------+------------------------------------+-------------+
 * </pre>
 * All integers big-endian. Thread-safe.
 */
public final class RoutingTable {

    public static final String NAME = "ROUTES";
    public static final String TEMP_NAME = NAME + ".tmp";
    static final byte[] MAGIC = "SLROUT07".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int HEADER_BYTES = 8 + 4 + 4;

    /**
     * Hot key -> when it moved there (ticker nanos), hashed: what {@link #placement} asks on every
     * access, in one probe where a sorted map compares the key a dozen times (a fifth of the
     * request thread's time on the arena's e-commerce store).
     */
    private final Map<Bytes, Long> hot = new ConcurrentHashMap<>();
    /**
     * The same keys, sorted: for the hot-set sweep and the file. A key is added here before
     * {@link #hot} and removed after it.
     */
    private final ConcurrentSkipListSet<Bytes> hotSorted = new ConcurrentSkipListSet<>();
    /** Keys moved to COLD recently -> when (pruned once older than the residency that matters). */
    private final Map<Bytes, Long> recentlyCold = new ConcurrentHashMap<>();

    /** The engine {@code key} is routed to. */
    public Placement placement(Bytes key) {
        return hot.containsKey(key) ? Placement.HOT : Placement.COLD;
    }

    /** When {@code key} last moved (ticker nanos), or {@link Long#MIN_VALUE} if it never did since the store opened. */
    public long movedAt(Bytes key) {
        Long t = hot.get(key);
        if (t == null) {
            t = recentlyCold.get(key);
        }
        return t == null ? Long.MIN_VALUE : t;
    }

    /** Routes {@code key} to {@code target}, noting the time of the move. */
    public void route(Bytes key, Placement target, long nowNanos) {
        if (target == Placement.HOT) {
            hotSorted.add(key);
            hot.put(key, nowNanos);
            recentlyCold.remove(key);
        } else {
            hot.remove(key);
            hotSorted.remove(key);
            recentlyCold.put(key, nowNanos);
        }
    }

    /** Forgets the move times older than {@code oldestNanos} of keys routed COLD (they no longer limit a move). */
    public void pruneMoveTimes(long oldestNanos) {
        recentlyCold.values().removeIf(t -> t < oldestNanos);
    }

    /** Keys routed HOT. */
    public int hotCount() {
        return hot.size();
    }

    /** The keys routed HOT, sorted (a live view, read-only: a key is routed by {@link #route}). */
    public NavigableSet<Bytes> hotKeys() {
        return Collections.unmodifiableNavigableSet(hotSorted);
    }

    /** The first hot key after {@code after} (null: the first), or null if none: the hot-set sweep's cursor. */
    public Bytes nextHot(Bytes after) {
        return after == null ? (hotSorted.isEmpty() ? null : hotSorted.first()) : hotSorted.higher(after);
    }

    /**
     * Reads {@code ROUTES} from {@code storage} (an empty table if there is none); every key's
     * residency starts at {@code nowNanos}. Writes nothing, so that a store whose open is refused
     * later changes nothing: a leftover {@code ROUTES.tmp} (a crash before the rename; the old table
     * stands) is ignored here and replaced by the next {@link #write}.
     *
     * @throws CorruptionException naming the file and offset if the file is not a routing table of
     *                             this version, is cut short, or fails its checksum
     */
    public static RoutingTable read(Storage storage, long nowNanos) throws IOException {
        RoutingTable table = new RoutingTable();
        if (!storage.exists(NAME)) {
            return table;
        }
        String file = storage.describe(NAME);
        long size = storage.size(NAME);
        if (size < HEADER_BYTES + 4 || size > Integer.MAX_VALUE - 8) {
            throw new CorruptionException(
                    file, 0, "routing table is " + size + " bytes; a table is at least " + (HEADER_BYTES + 4));
        }
        byte[] bytes = new byte[(int) size];
        try (ReadableFile f = storage.openRead(NAME)) {
            f.readFully(0, ByteBuffer.wrap(bytes));
        }
        if (!Arrays.equals(bytes, 0, 8, MAGIC, 0, 8)) {
            throw new CorruptionException(file, 0, "wrong magic: not a routing table (expected \"SLROUT07\")");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new CorruptionException(file, bytes.length - 4, "routing table checksum mismatch");
        }
        b.position(8);
        int version = b.getInt();
        if (version != VERSION) {
            throw new CorruptionException(file, 8, "routing table version " + version + ", expected " + VERSION);
        }
        int count = b.getInt();
        if (count < 0) {
            throw new CorruptionException(file, 12, "routing table count is negative: " + count);
        }
        Bytes previous = null;
        for (int i = 0; i < count; i++) {
            int at = b.position();
            if (at + 2 > bytes.length - 4) {
                throw new CorruptionException(file, at, "routing table ends inside entry " + i + " of " + count);
            }
            int length = Short.toUnsignedInt(b.getShort());
            if (length == 0 || length > KeyValueStore.MAX_KEY_BYTES || b.position() + length > bytes.length - 4) {
                throw new CorruptionException(file, at, "routing table entry " + i + " has a bad key length " + length);
            }
            Bytes key = Bytes.read(b, length);
            if (previous != null && previous.compareTo(key) >= 0) {
                throw new CorruptionException(file, at, "routing table keys are not strictly increasing at entry " + i);
            }
            previous = key;
            table.hotSorted.add(key);
            table.hot.put(key, nowNanos);
        }
        if (b.position() != bytes.length - 4) {
            throw new CorruptionException(
                    file,
                    b.position(),
                    "routing table has " + (bytes.length - 4 - b.position()) + " bytes after its " + count
                            + " entries");
        }
        return table;
    }

    /** The table's bytes, as the class Javadoc draws them. */
    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER_BYTES + 4 + hot.size() * 24);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(VERSION);
            java.util.List<Bytes> keys = new java.util.ArrayList<>(hotSorted);
            out.writeInt(keys.size());
            for (Bytes key : keys) {
                out.writeShort(key.length());
                out.write(key.toByteArray());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError("a byte array stream does not fail", e);
        }
    }

    /** Publishes the table atomically: temp file, force, rename, directory sync. */
    public void write(Storage storage) throws IOException {
        byte[] bytes = encode();
        if (storage.exists(TEMP_NAME)) {
            storage.delete(TEMP_NAME);
        }
        try (WritableFile f = storage.create(TEMP_NAME)) {
            f.append(bytes);
            f.force();
        }
        storage.rename(TEMP_NAME, NAME);
        storage.syncDirectory();
    }

    @Override
    public String toString() {
        return "RoutingTable{" + hot.size() + " hot keys}";
    }
}
