package dev.storagelab.wal;

import dev.storagelab.kv.CorruptionException;
import java.util.Arrays;

/**
 * One record of the write-ahead log: the payload of one record of a segment file's record log
 * (lab-05's framing, {@link dev.storagelab.lsm.RecordLogFormat}, does the blocks, fragments and
 * checksums). Big-endian:
 * <pre>
 * record := lsn u64 | type u8 | payload[...]        the payload runs to the end of the record
 * type   := 1 DATA                                   every other value is corruption
 * </pre>
 * The LSN is stored in the record, not implied by its position, so that recovery can check that
 * the log really is 1, 2, 3, ... with nothing missing, repeated or out of order.
 */
public final class WalRecord {

    private WalRecord() {}

    /** lsn u64 + type u8. */
    public static final int HEADER_SIZE = 9;
    /** A record whose payload is opaque bytes for the layer above (a commit, a batch of writes). */
    public static final byte TYPE_DATA = 1;

    /**
     * The bytes of a DATA record: {@code lsn} as 8 big-endian bytes, the type byte
     * {@link #TYPE_DATA}, then the payload.
     *
     * @param lsn the record's log sequence number, at least 1
     */
    public static byte[] encode(long lsn, byte[] payload) {
        if (lsn < 1) {
            throw new IllegalArgumentException("LSNs start at 1: " + lsn);
        }
        // BEGIN SOLUTION lab-06 T1
        byte[] out = new byte[HEADER_SIZE + payload.length];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (lsn >>> (56 - 8 * i));
        }
        out[8] = TYPE_DATA;
        System.arraycopy(payload, 0, out, HEADER_SIZE, payload.length);
        return out;
        // END SOLUTION
    }

    /**
     * Checks a record read back from segment {@code file} and returns its payload.
     *
     * <p>The record must be at least {@link #HEADER_SIZE} bytes, its LSN must be exactly
     * {@code expectedLsn} (the one after the previous record's: any other value means a record is
     * missing, repeated or out of order) and its type {@link #TYPE_DATA}. Check them in that order.
     *
     * @param expectedLsn the LSN this record must carry
     * @param file        the segment, for the message ({@code Storage.describe})
     * @param offset      where the record starts in the segment, for the message
     * @return a copy of the payload
     * @throws CorruptionException naming {@code file}, {@code offset}, what was found and what was
     *                             expected
     */
    public static byte[] decode(byte[] record, long expectedLsn, String file, long offset) throws CorruptionException {
        // BEGIN SOLUTION lab-06 T1
        if (record.length < HEADER_SIZE) {
            throw new CorruptionException(
                    file,
                    offset,
                    "log record of " + record.length + " bytes is shorter than its " + HEADER_SIZE
                            + "-byte LSN and type");
        }
        long lsn = lsnOf(record);
        if (lsn != expectedLsn) {
            throw new CorruptionException(
                    file,
                    offset,
                    "record carries LSN " + lsn + ", expected " + expectedLsn
                            + (lsn < expectedLsn
                                    ? ": the LSN goes backwards"
                                    : ": LSNs " + expectedLsn + " to " + (lsn - 1) + " are missing"));
        }
        if (record[8] != TYPE_DATA) {
            throw new CorruptionException(file, offset, "record " + lsn + " has unknown type " + (record[8] & 0xff));
        }
        return Arrays.copyOfRange(record, HEADER_SIZE, record.length);
        // END SOLUTION
    }

    /** The LSN in the first 8 bytes of {@code record} (at least 8 bytes long). */
    static long lsnOf(byte[] record) {
        long lsn = 0;
        for (int i = 0; i < 8; i++) {
            lsn = lsn << 8 | (record[i] & 0xff);
        }
        return lsn;
    }
}
