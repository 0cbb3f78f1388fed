package dev.storagelab.lsm;

import dev.storagelab.kv.CorruptionException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One change to the set of table files, and to the counters that go with it: the payload of one
 * MANIFEST record (lab-05 T6). A flush is an edit "add this L0 table, the log before number n is no
 * longer needed"; a compaction is "delete these tables from levels L and L+1, add these to L+1".
 * Replaying every edit of a MANIFEST in order, starting from an empty {@link Version}, rebuilds the
 * database's files.
 *
 * <p>Encoded as a sequence of tagged fields (LevelDB's {@code version_edit.cc}, its tag numbers
 * too), each a varint tag followed by the field's values; numbers are unsigned LEB128 varints of up
 * to 64 bits, keys a varint length and the encoded {@link InternalKey}:
 *
 * <pre>
 * tag 2  log number        | number (varint64) |
 * tag 3  next file number  | number (varint64) |
 * tag 4  last sequence     | sequence (varint64) |
 * tag 5  compact pointer   | level (varint) | key length (varint) | internal key |
 * tag 6  deleted file      | level (varint) | file number (varint64) |
 * tag 7  new file          | level (varint) | file number (varint64) | size (varint64) |
 *                          | smallest length (varint) | smallest | largest length (varint) | largest |
 * </pre>
 *
 * {@link #encode} writes the scalar fields first (in tag order, each at most once), then the
 * compact pointers by level, the deleted files by level and number, and the new files in the
 * order they were added. Tags 1 (LevelDB's comparator name) and 9 (its previous log number) are
 * not used here and, like any other unknown tag, are corruption: an edit this code does not fully
 * understand must not be applied half-way.
 *
 * <p>Not thread-safe; an edit is built by one thread and then handed to {@link Manifest#logAndApply}.
 */
public final class VersionEdit {

    public static final int TAG_LOG_NUMBER = 2;
    public static final int TAG_NEXT_FILE_NUMBER = 3;
    public static final int TAG_LAST_SEQUENCE = 4;
    public static final int TAG_COMPACT_POINTER = 5;
    public static final int TAG_DELETED_FILE = 6;
    public static final int TAG_NEW_FILE = 7;

    /** The most bytes a 64-bit varint takes. */
    static final int MAX_VARINT64_BYTES = 10;

    /** A table added at a level. */
    public record NewFile(int level, FileMeta meta) {
        public NewFile {
            Version.checkLevel(level);
            Objects.requireNonNull(meta, "meta");
        }
    }

    /** A table removed from a level. */
    public record DeletedFile(int level, long number) {
        public DeletedFile {
            Version.checkLevel(level);
            if (number <= 0) {
                throw new IllegalArgumentException("table file number must be positive: " + number);
            }
        }
    }

    private static final Comparator<DeletedFile> DELETED_ORDER =
            Comparator.comparingInt(DeletedFile::level).thenComparingLong(DeletedFile::number);

    private long logNumber = -1;
    private long nextFileNumber = -1;
    private long lastSequence = -1;
    private final TreeMap<Integer, InternalKey> compactPointers = new TreeMap<>();
    private final TreeSet<DeletedFile> deletedFiles = new TreeSet<>(DELETED_ORDER);
    private final List<NewFile> newFiles = new ArrayList<>();

    /** Records that logs numbered below {@code number} are no longer needed: their writes are in tables. */
    public VersionEdit setLogNumber(long number) {
        logNumber = checkNonNegative(number, "log number");
        return this;
    }

    /** Records the next unused file number. */
    public VersionEdit setNextFileNumber(long number) {
        nextFileNumber = checkNonNegative(number, "next file number");
        return this;
    }

    /** Records the sequence number of the newest write the tables and logs hold. */
    public VersionEdit setLastSequence(long sequence) {
        if (sequence < 0 || sequence > InternalKey.MAX_SEQUENCE) {
            throw new IllegalArgumentException("last sequence must be in [0, 2^56 - 1]: " + sequence);
        }
        lastSequence = sequence;
        return this;
    }

    /** Records where the next compaction of {@code level} starts (the key after the last one compacted). */
    public VersionEdit setCompactPointer(int level, InternalKey key) {
        Version.checkLevel(level);
        compactPointers.put(level, Objects.requireNonNull(key, "key"));
        return this;
    }

    /** Adds table {@code meta} to {@code level}. */
    public VersionEdit addFile(int level, FileMeta meta) {
        newFiles.add(new NewFile(level, meta));
        return this;
    }

    /** Removes table {@code number} from {@code level} (deletions apply before additions). */
    public VersionEdit deleteFile(int level, long number) {
        deletedFiles.add(new DeletedFile(level, number));
        return this;
    }

    public OptionalLong logNumber() {
        return logNumber < 0 ? OptionalLong.empty() : OptionalLong.of(logNumber);
    }

    public OptionalLong nextFileNumber() {
        return nextFileNumber < 0 ? OptionalLong.empty() : OptionalLong.of(nextFileNumber);
    }

    public OptionalLong lastSequence() {
        return lastSequence < 0 ? OptionalLong.empty() : OptionalLong.of(lastSequence);
    }

    /** The compact pointers by level, unmodifiable. */
    public Map<Integer, InternalKey> compactPointers() {
        return Collections.unmodifiableMap(compactPointers);
    }

    /** The deleted files by level and number, unmodifiable. */
    public List<DeletedFile> deletedFiles() {
        return List.copyOf(deletedFiles);
    }

    /** The added files in the order they were added, unmodifiable. */
    public List<NewFile> newFiles() {
        return Collections.unmodifiableList(newFiles);
    }

    /** The encoded form: the tagged fields drawn in the class comment, in the order it gives. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (logNumber >= 0) {
            Varint.write(out, TAG_LOG_NUMBER);
            writeLong(out, logNumber);
        }
        if (nextFileNumber >= 0) {
            Varint.write(out, TAG_NEXT_FILE_NUMBER);
            writeLong(out, nextFileNumber);
        }
        if (lastSequence >= 0) {
            Varint.write(out, TAG_LAST_SEQUENCE);
            writeLong(out, lastSequence);
        }
        for (Map.Entry<Integer, InternalKey> e : compactPointers.entrySet()) {
            Varint.write(out, TAG_COMPACT_POINTER);
            Varint.write(out, e.getKey());
            writeKey(out, e.getValue());
        }
        for (DeletedFile d : deletedFiles) {
            Varint.write(out, TAG_DELETED_FILE);
            Varint.write(out, d.level());
            writeLong(out, d.number());
        }
        for (NewFile f : newFiles) {
            Varint.write(out, TAG_NEW_FILE);
            Varint.write(out, f.level());
            writeLong(out, f.meta().number());
            writeLong(out, f.meta().size());
            writeKey(out, f.meta().smallest());
            writeKey(out, f.meta().largest());
        }
        return out.toByteArray();
    }

    /**
     * Decodes an edit {@link #encode} wrote.
     *
     * <p>Reads fields until the payload ends, each a varint tag and that tag's values. Every varint
     * and every key must lie inside the payload; levels must be in {@code [0, Version.NUM_LEVELS)};
     * file numbers positive; the last sequence at most {@link InternalKey#MAX_SEQUENCE}; a table's
     * smallest key not after its largest; each of the log number, next file number and last
     * sequence may appear at most once. An empty payload is an edit that changes nothing.
     *
     * @param file   the MANIFEST the payload came from, for the exception
     * @param offset the record's offset in that file, for the exception
     * @throws CorruptionException naming {@code file} and {@code offset}, with the byte of the
     *         payload where the bad field starts and what was wrong with it, if any check fails or
     *         a tag is unknown
     */
    public static VersionEdit decode(byte[] payload, String file, long offset) throws CorruptionException {
        Decoder in = new Decoder(payload, file, offset);
        VersionEdit edit = new VersionEdit();
        // BEGIN SOLUTION lab-05 T6
        while (in.pos < payload.length) {
            in.fieldStart = in.pos;
            int tag = in.varint32("tag");
            switch (tag) {
                case TAG_LOG_NUMBER -> {
                    in.checkOnce(edit.logNumber, "log number");
                    edit.logNumber = in.varint64("log number");
                }
                case TAG_NEXT_FILE_NUMBER -> {
                    in.checkOnce(edit.nextFileNumber, "next file number");
                    edit.nextFileNumber = in.varint64("next file number");
                }
                case TAG_LAST_SEQUENCE -> {
                    in.checkOnce(edit.lastSequence, "last sequence");
                    long sequence = in.varint64("last sequence");
                    if (sequence > InternalKey.MAX_SEQUENCE) {
                        throw in.corrupt("last sequence " + sequence + " is past 2^56 - 1");
                    }
                    edit.lastSequence = sequence;
                }
                case TAG_COMPACT_POINTER -> {
                    int level = in.level();
                    edit.compactPointers.put(level, in.key("compact pointer"));
                }
                case TAG_DELETED_FILE -> {
                    int level = in.level();
                    edit.deletedFiles.add(new DeletedFile(level, in.fileNumber()));
                }
                case TAG_NEW_FILE -> {
                    int level = in.level();
                    long number = in.fileNumber();
                    long size = in.varint64("table size");
                    InternalKey smallest = in.key("smallest key");
                    InternalKey largest = in.key("largest key");
                    if (smallest.compareTo(largest) > 0) {
                        throw in.corrupt(
                                "table " + number + " has smallest key " + smallest + " after largest key " + largest);
                    }
                    edit.newFiles.add(new NewFile(level, new FileMeta(number, size, smallest, largest)));
                }
                default -> throw in.corrupt("unknown tag " + tag);
            }
        }
        return edit;
        // END SOLUTION
    }

    /** Reads a payload front to back; every method checks what it reads against the bytes left. */
    static final class Decoder {
        final byte[] payload;
        final String file;
        final long offset;
        /** The next byte to read. */
        int pos;
        /** Where the field being read starts: what exceptions name. */
        int fieldStart;

        Decoder(byte[] payload, String file, long offset) {
            this.payload = payload;
            this.file = file;
            this.offset = offset;
        }

        CorruptionException corrupt(String what) {
            return new CorruptionException(file, offset, "version edit byte " + fieldStart + ": " + what);
        }

        /** A varint of at most 32 bits (a non-negative int). */
        int varint32(String what) throws CorruptionException {
            long r = Varint.read(payload, pos, payload.length);
            if (r < 0) {
                throw corrupt(what + " is a truncated or malformed varint");
            }
            pos = Varint.next(r);
            return Varint.value(r);
        }

        /** A varint of at most 63 bits (a non-negative long). */
        long varint64(String what) throws CorruptionException {
            long value = 0;
            for (int shift = 0, i = pos; shift < 64 && i < payload.length; shift += 7, i++) {
                int b = payload[i] & 0xff;
                if (shift == 63 && b > 0) {
                    break; // the 64th bit: a negative long
                }
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    pos = i + 1;
                    return value;
                }
            }
            throw corrupt(what + " is a truncated, overlong or out-of-range varint");
        }

        int level() throws CorruptionException {
            int level = varint32("level");
            if (level >= Version.NUM_LEVELS) {
                throw corrupt("level " + level + " is not below " + Version.NUM_LEVELS);
            }
            return level;
        }

        long fileNumber() throws CorruptionException {
            long number = varint64("file number");
            if (number == 0) {
                throw corrupt("file number 0");
            }
            return number;
        }

        InternalKey key(String what) throws CorruptionException {
            int length = varint32(what + " length");
            if (length > payload.length - pos) {
                throw corrupt(
                        what + " of " + length + " bytes runs past the " + (payload.length - pos) + " bytes left");
            }
            InternalKey key;
            try {
                key = InternalKey.decode(payload, pos, length, file, offset);
            } catch (CorruptionException e) {
                throw corrupt(what + ": " + e.getMessage());
            }
            pos += length;
            return key;
        }

        void checkOnce(long current, String what) throws CorruptionException {
            if (current >= 0) {
                throw corrupt(what + " appears twice");
            }
        }
    }

    static void writeLong(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static void writeKey(ByteArrayOutputStream out, InternalKey key) {
        byte[] k = key.encode();
        Varint.write(out, k.length);
        out.writeBytes(k);
    }

    private static long checkNonNegative(long n, String what) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + n);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionEdit e
                && logNumber == e.logNumber
                && nextFileNumber == e.nextFileNumber
                && lastSequence == e.lastSequence
                && compactPointers.equals(e.compactPointers)
                && deletedFiles.equals(e.deletedFiles)
                && newFiles.equals(e.newFiles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(logNumber, nextFileNumber, lastSequence, compactPointers, deletedFiles, newFiles);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("VersionEdit{");
        logNumber().ifPresent(n -> sb.append("log=").append(n).append(' '));
        nextFileNumber().ifPresent(n -> sb.append("nextFile=").append(n).append(' '));
        lastSequence().ifPresent(n -> sb.append("lastSeq=").append(n).append(' '));
        compactPointers.forEach(
                (l, k) -> sb.append("pointer L").append(l).append('=').append(k).append(' '));
        deletedFiles.forEach(d ->
                sb.append("-L").append(d.level()).append('#').append(d.number()).append(' '));
        newFiles.forEach(f -> sb.append("+L").append(f.level()).append(f.meta()).append(' '));
        return sb.append('}').toString();
    }
}
