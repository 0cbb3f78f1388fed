package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a table holds, written once at its end (lab-05 T4) so that compaction and the metrics can
 * know it without reading a data block: how many entries and tombstones, the smallest and largest
 * internal keys (a compaction picks overlapping tables by them), the sequence range, the raw bytes
 * of keys and values (the size the data would take unencoded, for space amplification), and how
 * the table was built.
 *
 * <p>Stored as a {@link Block} of name/value pairs in {@link KeyOrder#BYTEWISE} order, as RocksDB's
 * properties block: a reader skips names it does not know, so later versions can add some.
 *
 * <pre>
 * name (ASCII)          value
 * data-blocks           varint64
 * entries               varint64
 * filter-bits-per-key   varint64
 * largest               encoded internal key
 * max-sequence          varint64
 * min-sequence          varint64
 * raw-key-bytes         varint64   (encoded internal keys, trailers included)
 * raw-value-bytes       varint64
 * smallest              encoded internal key
 * tombstones            varint64
 * </pre>
 */
public record TableProperties(
        long entries,
        long tombstones,
        long rawKeyBytes,
        long rawValueBytes,
        long dataBlocks,
        InternalKey smallest,
        InternalKey largest,
        long minSequence,
        long maxSequence,
        int filterBitsPerKey) {

    public TableProperties {
        Objects.requireNonNull(smallest, "smallest");
        Objects.requireNonNull(largest, "largest");
    }

    private static final String DATA_BLOCKS = "data-blocks";
    private static final String ENTRIES = "entries";
    private static final String FILTER_BITS = "filter-bits-per-key";
    private static final String LARGEST = "largest";
    private static final String MAX_SEQUENCE = "max-sequence";
    private static final String MIN_SEQUENCE = "min-sequence";
    private static final String RAW_KEY_BYTES = "raw-key-bytes";
    private static final String RAW_VALUE_BYTES = "raw-value-bytes";
    private static final String SMALLEST = "smallest";
    private static final String TOMBSTONES = "tombstones";

    /** The properties block: a {@link Block} with a restart at every entry. */
    public byte[] encode() {
        TreeMap<String, byte[]> m = new TreeMap<>();
        m.put(DATA_BLOCKS, number(dataBlocks));
        m.put(ENTRIES, number(entries));
        m.put(FILTER_BITS, number(filterBitsPerKey));
        m.put(LARGEST, largest.encode());
        m.put(MAX_SEQUENCE, number(maxSequence));
        m.put(MIN_SEQUENCE, number(minSequence));
        m.put(RAW_KEY_BYTES, number(rawKeyBytes));
        m.put(RAW_VALUE_BYTES, number(rawValueBytes));
        m.put(SMALLEST, smallest.encode());
        m.put(TOMBSTONES, number(tombstones));
        BlockBuilder builder = new BlockBuilder(KeyOrder.BYTEWISE, 1);
        m.forEach((k, v) -> builder.add(k.getBytes(StandardCharsets.US_ASCII), v));
        return builder.finish();
    }

    private static byte[] number(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        BlockHandle.writeVarint64(out, v);
        return out.toByteArray();
    }

    /**
     * Reads the properties back from their opened block.
     *
     * @throws CorruptionException naming the file and the block's offset if a property is missing
     *         or does not parse, or the numbers contradict each other (more tombstones than entries,
     *         smallest after largest)
     */
    public static TableProperties decode(Block block, String file, long fileOffset) throws CorruptionException {
        Map<String, byte[]> m = new TreeMap<>();
        Block.Cursor c = block.cursor();
        for (c.seekToFirst(); c.valid(); c.next()) {
            m.put(new String(c.key(), StandardCharsets.US_ASCII), c.value());
        }
        long entries = numberOf(m, ENTRIES, file, fileOffset);
        long tombstones = numberOf(m, TOMBSTONES, file, fileOffset);
        long filterBits = numberOf(m, FILTER_BITS, file, fileOffset);
        InternalKey smallest = keyOf(m, SMALLEST, file, fileOffset);
        InternalKey largest = keyOf(m, LARGEST, file, fileOffset);
        if (tombstones > entries || entries == 0 || filterBits > Integer.MAX_VALUE || smallest.compareTo(largest) > 0) {
            throw new CorruptionException(
                    file,
                    fileOffset,
                    "properties contradict each other: " + entries + " entries, " + tombstones
                            + " tombstones, smallest " + smallest + ", largest " + largest);
        }
        return new TableProperties(
                entries,
                tombstones,
                numberOf(m, RAW_KEY_BYTES, file, fileOffset),
                numberOf(m, RAW_VALUE_BYTES, file, fileOffset),
                numberOf(m, DATA_BLOCKS, file, fileOffset),
                smallest,
                largest,
                numberOf(m, MIN_SEQUENCE, file, fileOffset),
                numberOf(m, MAX_SEQUENCE, file, fileOffset),
                (int) filterBits);
    }

    private static byte[] valueOf(Map<String, byte[]> m, String name, String file, long fileOffset)
            throws CorruptionException {
        byte[] v = m.get(name);
        if (v == null) {
            throw new CorruptionException(file, fileOffset, "properties block has no '" + name + "'");
        }
        return v;
    }

    private static long numberOf(Map<String, byte[]> m, String name, String file, long fileOffset)
            throws CorruptionException {
        byte[] v = valueOf(m, name, file, fileOffset);
        long value = 0;
        for (int i = 0, shift = 0; i < v.length && shift <= 56; i++, shift += 7) {
            value |= (long) (v[i] & 0x7f) << shift;
            if ((v[i] & 0x80) == 0) {
                if (i != v.length - 1) {
                    break;
                }
                return value;
            }
        }
        throw new CorruptionException(file, fileOffset, "property '" + name + "' is not one varint");
    }

    private static InternalKey keyOf(Map<String, byte[]> m, String name, String file, long fileOffset)
            throws CorruptionException {
        byte[] v = valueOf(m, name, file, fileOffset);
        return InternalKey.decode(v, 0, v.length, file, fileOffset);
    }
}
