package dev.storagelab.sortedlog;

/**
 * The byte layout of a log file, as drawn in the handout ({@code README.md#log-format}). Every
 * integer is big-endian.
 *
 * <pre>
 * file   := header record*
 * header := magic u32 ("SLOG") | version u32 (1)                          8 bytes
 * record := length u32 | payloadCrc u32 | headerCrc u32 | payload         12 + length bytes
 *           headerCrc  = CRC32C of the 8 bytes before it (length, payloadCrc)
 *           payloadCrc = CRC32C of the payload
 * payload:= type u8 | keyLength u32 | key | value                         value fills the rest
 *           type: 1 = value, 2 = tombstone (no value bytes)
 * </pre>
 *
 * Why a header checksum of its own: a bit flip in {@code length} would otherwise look like a
 * record running past the end of the file, which is what a torn write looks like, and recovery
 * would cut away every record after it without a word.
 */
public final class LogFormat {

    private LogFormat() {}

    /** "SLOG" in ASCII. */
    public static final int MAGIC = 0x534C4F47;

    public static final int VERSION = 1;
    public static final int FILE_HEADER_SIZE = 8;

    /** length u32 + payloadCrc u32 + headerCrc u32. */
    public static final int RECORD_HEADER_SIZE = 12;
    /** type u8 + keyLength u32. */
    public static final int PAYLOAD_PREFIX_SIZE = 5;

    public static final byte TYPE_VALUE = 1;
    public static final byte TYPE_TOMBSTONE = 2;

    /** The longest payload a record may carry: the largest key and value plus the prefix. */
    public static final int MAX_PAYLOAD = PAYLOAD_PREFIX_SIZE
            + dev.storagelab.kv.KeyValueStore.MAX_KEY_BYTES
            + dev.storagelab.kv.KeyValueStore.MAX_VALUE_BYTES;
}
