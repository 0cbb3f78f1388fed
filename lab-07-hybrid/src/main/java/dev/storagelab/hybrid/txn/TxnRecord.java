package dev.storagelab.hybrid.txn;

import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.lsm.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One record of a two-phase-commit log (lab-07 T9): the payload of one lab-06
 * {@link dev.storagelab.wal.Wal} record, whose frame already carries the LSN and a CRC32C. Given
 * code. Big-endian:
 * <pre>
 * record := magic u16 = 0x5443 ("TC") | version u8 = 1 | type u8 | txId u64 | body
 *
 * participant log (one per engine):
 *   type 1 WRITE    body := lab-05 WriteBatch       a one-phase commit: applied at once
 *   type 2 PREPARE  body := lab-05 WriteBatch       durable, invisible until COMMIT
 *   type 3 COMMIT   body := (none)                  apply the PREPARE's writes
 *   type 4 ABORT    body := (none)                  drop them
 * coordinator log:
 *   type 16 DECISION body := n u8 | n x (name length u8 | name UTF-8)   the commit decision
 *   type 17 END      body := (none)                  every participant acknowledged: forget it
 * </pre>
 * There is no abort decision: under presumed abort, a transaction with no DECISION record aborted.
 *
 * @param type         what the record says
 * @param txId         the transaction's id (positive); 0 for nothing
 * @param writes       the writes of a WRITE or PREPARE; empty for the other types
 * @param participants the participants of a DECISION, in the order they were prepared; empty otherwise
 */
public record TxnRecord(Type type, long txId, List<Entry> writes, List<String> participants) {

    /** "TC": every record starts with it, so a record of another log is caught at once. */
    public static final int MAGIC = 0x5443;

    public static final int VERSION = 1;
    /** magic u16 + version u8 + type u8 + txId u64. */
    public static final int HEADER_BYTES = 12;
    /** The longest participant name a DECISION holds, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 64;

    /** The record types, with their type bytes. */
    public enum Type {
        WRITE(1),
        PREPARE(2),
        COMMIT(3),
        ABORT(4),
        DECISION(16),
        END(17);

        final int code;

        Type(int code) {
            this.code = code;
        }

        static Type ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    public TxnRecord {
        Objects.requireNonNull(type, "type");
        writes = List.copyOf(writes);
        participants = List.copyOf(participants);
        if (txId < 1) {
            throw new IllegalArgumentException("transaction ids start at 1: " + txId);
        }
        boolean hasWrites = type == Type.WRITE || type == Type.PREPARE;
        if (hasWrites == writes.isEmpty()) {
            throw new IllegalArgumentException(type + " record " + (hasWrites ? "needs writes" : "holds no writes"));
        }
        if ((type == Type.DECISION) == participants.isEmpty()) {
            throw new IllegalArgumentException(
                    type + " record " + (type == Type.DECISION ? "needs participants" : "names no participants"));
        }
        if (participants.size() > 255) {
            throw new IllegalArgumentException("a decision names at most 255 participants: " + participants.size());
        }
        for (String name : participants) {
            int length = name.getBytes(StandardCharsets.UTF_8).length;
            if (length == 0 || length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException(
                        "participant name must be 1 to " + MAX_NAME_BYTES + " UTF-8 bytes: '" + name + "'");
            }
        }
    }

    public static TxnRecord write(long txId, List<Entry> writes) {
        return new TxnRecord(Type.WRITE, txId, writes, List.of());
    }

    public static TxnRecord prepare(long txId, List<Entry> writes) {
        return new TxnRecord(Type.PREPARE, txId, writes, List.of());
    }

    public static TxnRecord commit(long txId) {
        return new TxnRecord(Type.COMMIT, txId, List.of(), List.of());
    }

    public static TxnRecord abort(long txId) {
        return new TxnRecord(Type.ABORT, txId, List.of(), List.of());
    }

    public static TxnRecord decision(long txId, List<String> participants) {
        return new TxnRecord(Type.DECISION, txId, List.of(), participants);
    }

    public static TxnRecord end(long txId) {
        return new TxnRecord(Type.END, txId, List.of(), List.of());
    }

    /** The bytes of this record, in the layout of the class comment. */
    public byte[] encode() {
        byte[] body;
        if (!writes.isEmpty()) {
            body = WriteBatch.of(writes).encode(0);
        } else if (!participants.isEmpty()) {
            List<byte[]> names = new ArrayList<>();
            int size = 1;
            for (String p : participants) {
                byte[] n = p.getBytes(StandardCharsets.UTF_8);
                names.add(n);
                size += 1 + n.length;
            }
            ByteBuffer b = ByteBuffer.allocate(size);
            b.put((byte) names.size());
            for (byte[] n : names) {
                b.put((byte) n.length).put(n);
            }
            body = b.array();
        } else {
            body = new byte[0];
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + body.length);
        out.putShort((short) MAGIC)
                .put((byte) VERSION)
                .put((byte) type.code)
                .putLong(txId)
                .put(body);
        return out.array();
    }

    /**
     * Reads back a record {@link #encode} wrote; every length is checked against what remains.
     *
     * @param log the log it came from, for the message
     * @param lsn its LSN in that log, for the message
     * @throws CorruptionException naming the log, the LSN and the byte in the record if it is shorter than its
     *         header, has another magic or version, an unknown type, a transaction id below 1, a body
     *         its type does not allow, or bytes left over
     */
    public static TxnRecord decode(byte[] payload, String log, long lsn) throws CorruptionException {
        String at = log + ", record at LSN " + lsn;
        if (payload.length < HEADER_BYTES) {
            throw new CorruptionException(
                    at,
                    0,
                    payload.length + " bytes, shorter than the " + HEADER_BYTES + "-byte transaction record header");
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        int magic = b.getShort() & 0xffff;
        if (magic != MAGIC) {
            throw new CorruptionException(
                    at,
                    0,
                    String.format(
                            "magic 0x%04x, expected 0x%04x (\"TC\"): " + "not a transaction record", magic, MAGIC));
        }
        int version = b.get() & 0xff;
        if (version != VERSION) {
            throw new CorruptionException(at, 2, "version " + version + ", expected " + VERSION);
        }
        int code = b.get() & 0xff;
        Type type = Type.ofCode(code);
        if (type == null) {
            throw new CorruptionException(at, 3, "unknown transaction record type " + code);
        }
        long txId = b.getLong();
        if (txId < 1) {
            throw new CorruptionException(at, 4, type + " with transaction id " + txId + ", below 1");
        }
        switch (type) {
            case WRITE, PREPARE -> {
                byte[] body = new byte[b.remaining()];
                b.get(body);
                List<Entry> ops =
                        WriteBatch.decode(body, at, HEADER_BYTES).batch().operations();
                return new TxnRecord(type, txId, ops, List.of());
            }
            case DECISION -> {
                if (!b.hasRemaining()) {
                    throw new CorruptionException(at, HEADER_BYTES, "DECISION without its participant count");
                }
                int n = b.get() & 0xff;
                if (n == 0) {
                    throw new CorruptionException(at, HEADER_BYTES, "DECISION names no participant");
                }
                List<String> names = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    if (!b.hasRemaining()) {
                        throw new CorruptionException(
                                at, b.position(), "DECISION ends before participant " + i + " of " + n);
                    }
                    int length = b.get() & 0xff;
                    if (length == 0 || length > MAX_NAME_BYTES || length > b.remaining()) {
                        throw new CorruptionException(
                                at,
                                b.position() - 1,
                                "DECISION participant " + i + " has a name of " + length + " bytes, with "
                                        + b.remaining() + " left (1 to " + MAX_NAME_BYTES + " allowed)");
                    }
                    byte[] name = new byte[length];
                    b.get(name);
                    names.add(new String(name, StandardCharsets.UTF_8));
                }
                if (b.hasRemaining()) {
                    throw new CorruptionException(
                            at, b.position(), b.remaining() + " bytes after the DECISION's participants");
                }
                return new TxnRecord(type, txId, List.of(), names);
            }
            default -> {
                if (b.hasRemaining()) {
                    throw new CorruptionException(
                            at, HEADER_BYTES, type + " has " + b.remaining() + " bytes of body; it has none");
                }
                return new TxnRecord(type, txId, List.of(), List.of());
            }
        }
    }

    @Override
    public String toString() {
        return type + " " + txId + (writes.isEmpty() ? "" : " (" + writes.size() + " writes)")
                + (participants.isEmpty() ? "" : " " + participants);
    }
}
