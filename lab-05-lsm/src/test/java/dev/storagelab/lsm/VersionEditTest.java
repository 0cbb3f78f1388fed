package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-05 T6, version edits and versions: {@link VersionEdit#decode} reads back the tagged
 * fields {@link VersionEdit#encode} writes and rejects anything else; {@link Version#apply} turns a
 * version and an edit into the next version and refuses edits that would break a level's order.
 */
class VersionEditTest {

    static InternalKey key(String user, long seq) {
        return new InternalKey(Bytes.of(user), seq, ValueType.PUT);
    }

    static FileMeta table(long number, String smallest, String largest) {
        return new FileMeta(number, 1000 * number, key(smallest, 9), key(largest, 1));
    }

    @Test
    void everyFieldRoundTrips() throws CorruptionException {
        VersionEdit edit = new VersionEdit()
                .setLogNumber(12)
                .setNextFileNumber(1L << 40)
                .setLastSequence(InternalKey.MAX_SEQUENCE)
                .setCompactPointer(2, key("m", 5))
                .deleteFile(1, 7)
                .deleteFile(0, 3)
                .addFile(1, table(20, "a", "f"))
                .addFile(0, table(21, "b", "z"));
        VersionEdit back = VersionEdit.decode(edit.encode(), "MANIFEST-000001", 8);
        assertThat("decode(encode(edit)) equals edit: " + back, back, equalTo(edit));
        assertThat(back.newFiles().get(1).meta(), equalTo(table(21, "b", "z")));
    }

    @Test
    void encodeWritesTaggedVarintFieldsThatDecodeReads() throws CorruptionException {
        VersionEdit edit = new VersionEdit().setLogNumber(5).setNextFileNumber(300);
        byte[] bytes = edit.encode();
        assertThat("decode reads back what encode wrote", VersionEdit.decode(bytes, "M", 0), equalTo(edit));
        assertThat("tag 2, 5, tag 3, 300 as a two-byte varint (0xac 0x02)", bytes, equalTo(new byte[] {
            2, 5, 3, (byte) 0xac, 2
        }));
        assertThat("an empty edit is empty", new VersionEdit().encode().length, equalTo(0));
        assertThat(
                "the handout's example",
                new VersionEdit().setLogNumber(5).deleteFile(0, 300).encode(),
                equalTo(new byte[] {2, 5, 6, 0, (byte) 0xac, 2}));
    }

    @Test
    void unknownTagsAreCorruptionNamingTheByte() throws CorruptionException {
        byte[] bytes = new VersionEdit().setLogNumber(5).encode();
        assertThat(
                "without the extra field the edit decodes",
                VersionEdit.decode(bytes, "MANIFEST-000004", 77).logNumber().getAsLong(),
                equalTo(5L));
        byte[] withTag = Arrays.copyOf(bytes, bytes.length + 2);
        withTag[bytes.length] = 42;
        CorruptionException e =
                assertThrows(CorruptionException.class, () -> VersionEdit.decode(withTag, "MANIFEST-000004", 77));
        assertThat(e.file(), equalTo("MANIFEST-000004"));
        assertThat(e.offset(), equalTo(77L));
        assertThat(e.getMessage(), containsString("tag 42"));
        assertThat("the message names where the bad field starts", e.getMessage(), containsString("byte 2"));
    }

    @Test
    void truncatedEditsAreCorruption() {
        byte[] bytes = new VersionEdit()
                .setLastSequence(1L << 50)
                .addFile(3, table(9, "k", "q"))
                .encode();
        int fieldBoundary = 1 + 8; // tag 4 and an 8-byte varint: cut there, the rest is a valid edit of one field
        for (int cut = 1; cut < bytes.length; cut++) {
            if (cut == fieldBoundary) {
                continue; // the record's checksum, not the edit's encoding, catches a record cut between fields
            }
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThrows(
                    CorruptionException.class,
                    () -> VersionEdit.decode(truncated, "M", 0),
                    "edit cut to " + cut + " bytes");
        }
    }

    @Test
    void aLevelPastTheLastAndARepeatedCounterAreCorruption() throws CorruptionException {
        assertThat(
                "the last level, 6, is fine",
                VersionEdit.decode(new byte[] {VersionEdit.TAG_DELETED_FILE, 6, 5}, "M", 0)
                        .deletedFiles()
                        .get(0),
                equalTo(new VersionEdit.DeletedFile(6, 5)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Varint.write(out, VersionEdit.TAG_DELETED_FILE);
        Varint.write(out, Version.NUM_LEVELS);
        Varint.write(out, 5);
        CorruptionException level =
                assertThrows(CorruptionException.class, () -> VersionEdit.decode(out.toByteArray(), "M", 0));
        assertThat(level.getMessage(), containsString("level 7"));
        byte[] twice = {2, 5, 2, 6};
        CorruptionException dup = assertThrows(CorruptionException.class, () -> VersionEdit.decode(twice, "M", 0));
        assertThat(dup.getMessage(), containsString("twice"));
    }

    @Test
    void applyKeepsLevelZeroNewestFirstAndHigherLevelsBySmallestKey() {
        Version v = Version.empty()
                .apply(new VersionEdit()
                        .addFile(0, table(3, "a", "z"))
                        .addFile(0, table(5, "c", "d"))
                        .addFile(1, table(4, "m", "p"))
                        .addFile(1, table(2, "a", "f")));
        assertThat("L0 newest (largest number) first", v.files(0), contains(table(5, "c", "d"), table(3, "a", "z")));
        assertThat("L1 by smallest key", v.files(1), contains(table(2, "a", "f"), table(4, "m", "p")));
        assertThat(v.levelBytes(1), equalTo(6000L));
        assertThat(
                "the L1 tables meeting [g, n]",
                v.overlapping(1, Bytes.of("g"), Bytes.of("n")),
                contains(table(4, "m", "p")));
        Version after =
                v.apply(new VersionEdit().deleteFile(0, 3).deleteFile(1, 2).addFile(1, table(6, "a", "g")));
        assertThat(after.files(0), contains(table(5, "c", "d")));
        assertThat(after.files(1), contains(table(6, "a", "g"), table(4, "m", "p")));
        assertThat("apply leaves the old version as it was", v.fileCount(1), equalTo(2));
    }

    @Test
    void applyRejectsOverlapAtLevelOneAndMissingOrDuplicateTables() {
        Version v = Version.empty().apply(new VersionEdit().addFile(1, table(2, "a", "f")));
        IllegalArgumentException overlap = assertThrows(
                IllegalArgumentException.class,
                () -> v.apply(new VersionEdit().addFile(1, table(3, "f", "k"))),
                "L1 tables [a..f] and [f..k] share user key f: a get could not know which one holds it");
        assertThat(overlap.getMessage(), containsString("L1"));
        assertThat(
                "L0 tables may overlap",
                v.apply(new VersionEdit().addFile(0, table(3, "a", "f"))).fileCount(0),
                equalTo(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> v.apply(new VersionEdit().deleteFile(2, 2)),
                "table 2 is at L1, not L2");
        assertThrows(
                IllegalArgumentException.class,
                () -> v.apply(new VersionEdit().addFile(3, table(2, "x", "y"))),
                "table number 2 is already in the version");
    }
}
