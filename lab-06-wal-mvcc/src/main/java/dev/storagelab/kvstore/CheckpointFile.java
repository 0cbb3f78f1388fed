package dev.storagelab.kvstore;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The record of the last completed checkpoint: the log sequence number it covers (every log record
 * up to it is in the engine's durable files), which of the engine's own checkpoints holds them
 * ({@link Engine#checkpointId()}), and a few bytes the layer above keeps with it (KvStore: its
 * clock). It is written whole to {@code CHECKPOINT.tmp}, forced, and renamed over
 * {@code CHECKPOINT}, so a crash leaves the old record or the new one, never a mix.
 *
 * <pre>
 * +-----------------+-------------+--------------+-------------------+-----------------+-------------+--------------+
 * | magic "SLCKPT06"| version (4) | covered LSN  | engine checkpoint | meta length (4) | meta        | CRC32C (4)   |
 * | (8)             | = 2         | (8)          | (8)               |                 | (length)    | of all before|
 * +-----------------+-------------+--------------+-------------------+-----------------+-------------+--------------+
 * </pre>
 * All integers big-endian. Version 1 (written before the engine checkpoint field existed) has no
 * such field and reads as engine checkpoint 0.
 *
 * @param coveredLsn       every log record with this LSN or a smaller one is in the engine's checkpoint
 * @param engineCheckpoint the engine's {@link Engine#checkpointId()} once that checkpoint was durable
 * @param meta             the layer above's bytes (at most {@link #MAX_META_BYTES})
 */
public record CheckpointFile(long coveredLsn, long engineCheckpoint, byte[] meta) {

    public static final String NAME = "CHECKPOINT";
    static final String TEMP_NAME = NAME + ".tmp";
    static final byte[] MAGIC = "SLCKPT06".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 2;
    public static final int MAX_META_BYTES = 4096;
    private static final int FIXED_BYTES = 8 + 4 + 8 + 8 + 4 + 4;
    /** Where the meta bytes start in a record of this version. */
    public static final int META_OFFSET = FIXED_BYTES - 4;
    /** Version 1's frame: no engine checkpoint field. */
    private static final int FIXED_BYTES_V1 = FIXED_BYTES - 8;

    public CheckpointFile {
        if (coveredLsn < 0) {
            throw new IllegalArgumentException("a checkpoint covers a non-negative LSN: " + coveredLsn);
        }
        if (engineCheckpoint < 0) {
            throw new IllegalArgumentException("an engine checkpoint is non-negative: " + engineCheckpoint);
        }
        meta = meta == null ? new byte[0] : meta.clone();
        if (meta.length > MAX_META_BYTES) {
            throw new IllegalArgumentException(
                    "checkpoint meta is " + meta.length + " bytes; the limit is " + MAX_META_BYTES);
        }
    }

    /** A record for an engine without checkpoint ids ({@link Engine#checkpointId()} 0). */
    public CheckpointFile(long coveredLsn, byte[] meta) {
        this(coveredLsn, 0, meta);
    }

    /** Before any checkpoint: nothing covered, no meta. */
    public static CheckpointFile none() {
        return new CheckpointFile(0, new byte[0]);
    }

    @Override
    public byte[] meta() {
        return meta.clone();
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + meta.length);
        b.put(MAGIC)
                .putInt(VERSION)
                .putLong(coveredLsn)
                .putLong(engineCheckpoint)
                .putInt(meta.length)
                .put(meta);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static CheckpointFile decode(byte[] bytes, String file) throws CorruptionException {
        if (bytes.length < FIXED_BYTES_V1) {
            throw new CorruptionException(
                    file,
                    0,
                    "checkpoint record is " + bytes.length + " bytes, shorter than its " + FIXED_BYTES_V1
                            + "-byte frame");
        }
        if (!Arrays.equals(bytes, 0, 8, MAGIC, 0, 8)) {
            throw new CorruptionException(file, 0, "wrong magic: not a checkpoint record (expected \"SLCKPT06\")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(8);
        int version = b.getInt();
        if (version != VERSION && version != 1) {
            throw new CorruptionException(
                    file, 8, "checkpoint record version " + version + ", expected 1 or " + VERSION);
        }
        long lsn = b.getLong();
        long engineCheckpoint = version == 1 ? 0 : b.getLong();
        int fixed = version == 1 ? FIXED_BYTES_V1 : FIXED_BYTES;
        int metaLength = bytes.length < fixed ? -1 : b.getInt();
        if (metaLength < 0 || metaLength != bytes.length - fixed) {
            throw new CorruptionException(
                    file,
                    fixed - 8,
                    "checkpoint meta length " + metaLength + " does not match the " + bytes.length + "-byte file");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new CorruptionException(file, bytes.length - 4, "checkpoint record checksum mismatch");
        }
        if (lsn < 0) {
            throw new CorruptionException(file, 12, "checkpoint covers a negative LSN: " + lsn);
        }
        if (engineCheckpoint < 0) {
            throw new CorruptionException(
                    file, 20, "checkpoint names a negative engine checkpoint: " + engineCheckpoint);
        }
        int metaStart = fixed - 4;
        return new CheckpointFile(lsn, engineCheckpoint, Arrays.copyOfRange(bytes, metaStart, metaStart + metaLength));
    }

    /** The last checkpoint's record, or {@link #none()} if there has been none. */
    public static CheckpointFile read(Storage storage) throws IOException {
        if (!storage.exists(NAME)) {
            return none();
        }
        long size = storage.size(NAME);
        if (size > FIXED_BYTES + MAX_META_BYTES) {
            throw new CorruptionException(
                    storage.describe(NAME), 0, "checkpoint record is " + size + " bytes, more than a record can be");
        }
        byte[] bytes = new byte[(int) size];
        try (ReadableFile f = storage.openRead(NAME)) {
            f.readFully(0, ByteBuffer.wrap(bytes));
        }
        return decode(bytes, storage.describe(NAME));
    }

    /**
     * Publishes this record atomically: temp file, force, rename, directory sync. A temp file a
     * crash left behind is garbage (the rename never happened) and is replaced.
     */
    public void write(Storage storage) throws IOException {
        if (storage.exists(TEMP_NAME)) {
            storage.delete(TEMP_NAME);
        }
        try (WritableFile f = storage.create(TEMP_NAME)) {
            f.append(encode());
            f.force();
        }
        storage.rename(TEMP_NAME, NAME);
        storage.syncDirectory();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointFile c
                && c.coveredLsn == coveredLsn
                && c.engineCheckpoint == engineCheckpoint
                && Arrays.equals(c.meta, meta);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(coveredLsn) * 31 + Long.hashCode(engineCheckpoint)) * 31 + Arrays.hashCode(meta);
    }

    @Override
    public String toString() {
        return "checkpoint covering LSN " + coveredLsn + " at engine checkpoint " + engineCheckpoint + " ("
                + meta.length + " meta bytes)";
    }
}
