package dev.storagelab.lsm;

/**
 * The byte layout of a record log (lab-05 T6): the LSM tree's write-ahead log and its MANIFEST
 * are both sequences of opaque records written in LevelDB's log format, with a file header and a
 * header checksum added. Every integer is big-endian.
 *
 * <pre>
 * file     := header block*                      header only at offset 0, inside block 0
 * header   := magic u32 ("LSML") | version u16 (1) | kind u8 | reserved u8 (0)        8 bytes
 * block    := fragment* padding                  32 KiB at offsets 0, 32768, 65536, ...
 * padding  := 0 to 10 zero bytes                 a block tail too short for a fragment header
 * fragment := length u16 | type u8 | payloadCrc u32 | headerCrc u32 | payload[length]
 *             payloadCrc = CRC32C of the payload
 *             headerCrc  = CRC32C of the 7 bytes before it (length, type, payloadCrc)
 * type     := 1 FULL | 2 FIRST | 3 MIDDLE | 4 LAST      (0 is never written: zero-filled space)
 * record   := FULL | FIRST MIDDLE* LAST
 * </pre>
 *
 * A fragment never crosses a block boundary, so a reader that loses its place can always find the
 * next fragment header at the next multiple of 32 KiB, and a FIRST or MIDDLE fragment always ends
 * exactly at the end of its block (the writer only splits a record when the block is full).
 *
 * <p>Why a file header: the framing itself is what a version number must guard, so it has to be
 * readable before any fragment is parsed; a "versioned first record" would already assume the
 * framing it is meant to announce. The kind byte stops a WAL from being replayed as a MANIFEST.
 * Why a header checksum of its own (LevelDB's 7-byte header has one CRC over type and payload and
 * none over the length): a bit flip in {@code length} would otherwise make a fragment look as if
 * it ran past the end of the file, which is what a torn write looks like, and recovery would cut
 * away the good records after it without a word (lab-01's {@code LogFormat} makes the same choice).
 */
public final class RecordLogFormat {

    private RecordLogFormat() {}

    /** "LSML" in ASCII. */
    public static final int MAGIC = 0x4C534D4C;

    public static final int VERSION = 1;
    /** magic u32 + version u16 + kind u8 + reserved u8. */
    public static final int FILE_HEADER_SIZE = 8;

    /** The unit the file is cut into: a fragment never crosses a multiple of this. */
    public static final int BLOCK_SIZE = 32 * 1024;

    /** length u16 + type u8 + payloadCrc u32 + headerCrc u32. */
    public static final int FRAGMENT_HEADER_SIZE = 11;
    /** The bytes of the header that {@code headerCrc} covers. */
    public static final int HEADER_CRC_COVERS = 7;

    /** Never written: a header of zeros is space the file system allocated but nobody wrote. */
    public static final byte TYPE_ZERO = 0;
    /** A whole record in one fragment. */
    public static final byte TYPE_FULL = 1;
    /** The first fragment of a record that continues in the next block. */
    public static final byte TYPE_FIRST = 2;
    /** A fragment that fills a whole block between a FIRST and a LAST. */
    public static final byte TYPE_MIDDLE = 3;
    /** The final fragment of a record split across blocks. */
    public static final byte TYPE_LAST = 4;

    /** The largest record a log accepts: 64 MiB, far above any write batch or version edit. */
    public static final int MAX_RECORD = 64 << 20;

    /** What a log file holds, written in its header so a WAL is never replayed as a MANIFEST. */
    public enum Kind {
        /** A write-ahead log: each record is one encoded {@link WriteBatch}. */
        WAL(1),
        /** A MANIFEST: each record is one encoded {@link VersionEdit}. */
        MANIFEST(2),
        /** A segment of lab-06's write-ahead log: each record is an LSN, a type and a payload. */
        WAL_SEGMENT(3);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The header's kind byte. */
        public int code() {
            return code;
        }

        /** The kind whose code is {@code code}, or null. */
        public static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** The bytes left in the block that {@code offset} is in. */
    public static int blockRemaining(long offset) {
        return BLOCK_SIZE - (int) (offset % BLOCK_SIZE);
    }

    static void putInt(byte[] dst, int pos, int v) {
        BlockFormat.putInt(dst, pos, v);
    }

    static int getInt(byte[] src, int pos) {
        return BlockFormat.getInt(src, pos);
    }
}
