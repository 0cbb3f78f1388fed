package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of version edits and versions (lab-05 T6): random edits round trip through encode
 * and decode; random bytes and every truncation decode or fail with a CorruptionException, never
 * another exception; random sequences of flush-like and compaction-like edits applied to a version
 * match a simple model of the levels, and edits that would overlap tables at a level from 1, delete
 * a missing table or add a number twice are refused without changing the version.
 */
@Tag("hidden")
class VersionHiddenTest {

    static InternalKey key(String user, long seq, ValueType type) {
        return new InternalKey(Bytes.of(user), seq, type);
    }

    @Provide
    Arbitrary<VersionEdit> edits() {
        Arbitrary<InternalKey> keys = Combinators.combine(
                        Arbitraries.strings().ofMaxLength(12),
                        Arbitraries.longs().between(0, InternalKey.MAX_SEQUENCE),
                        Arbitraries.of(ValueType.values()))
                .as((u, s, t) -> new InternalKey(Bytes.of(u), s, t));
        Arbitrary<FileMeta> tables = Combinators.combine(
                        Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        keys,
                        keys)
                .as((n, size, a, b) -> a.compareTo(b) <= 0 ? new FileMeta(n, size, a, b) : new FileMeta(n, size, b, a));
        Arbitrary<Integer> levels = Arbitraries.integers().between(0, Version.NUM_LEVELS - 1);
        return Combinators.combine(
                        Arbitraries.longs().between(-1, Long.MAX_VALUE),
                        Arbitraries.longs().between(-1, Long.MAX_VALUE),
                        Arbitraries.longs().between(-1, InternalKey.MAX_SEQUENCE),
                        Combinators.combine(levels, keys).as(List::of).list().ofMaxSize(3),
                        Combinators.combine(levels, Arbitraries.longs().between(1, Long.MAX_VALUE))
                                .as(List::of)
                                .list()
                                .ofMaxSize(5),
                        Combinators.combine(levels, tables).as(List::of).list().ofMaxSize(5))
                .as((log, next, last, pointers, deleted, added) -> {
                    VersionEdit e = new VersionEdit();
                    if (log >= 0) {
                        e.setLogNumber(log);
                    }
                    if (next >= 0) {
                        e.setNextFileNumber(next);
                    }
                    if (last >= 0) {
                        e.setLastSequence(last);
                    }
                    pointers.forEach(p -> e.setCompactPointer((Integer) p.get(0), (InternalKey) p.get(1)));
                    deleted.forEach(d -> e.deleteFile((Integer) d.get(0), (Long) d.get(1)));
                    added.forEach(a -> e.addFile((Integer) a.get(0), (FileMeta) a.get(1)));
                    return e;
                });
    }

    @Property(tries = 300)
    @Graded(
            task = "T6",
            points = 3,
            concept = "a version edit does not survive encode and decode: a counter, a compact pointer, a "
                    + "deleted or added table (its level, number, size or keys) is lost or changed")
    void editsRoundTrip(@ForAll("edits") VersionEdit edit) throws CorruptionException {
        assertThat(VersionEdit.decode(edit.encode(), "MANIFEST-000009", 8), equalTo(edit));
    }

    @Property(tries = 300)
    @Graded(
            task = "T6",
            points = 2,
            concept = "a truncated or garbled version edit makes decode throw something other than a "
                    + "CorruptionException naming the MANIFEST (an index or argument exception)")
    void badBytesAreCorruptionOrAnEdit(
            @ForAll("edits") VersionEdit edit, @ForAll @LongRange(min = 0, max = 1 << 20) long seed)
            throws CorruptionException {
        byte[] bytes = edit.encode();
        // the edit as written decodes to itself (a decode that accepts nothing would pass the rest)
        assertThat(VersionEdit.decode(bytes, "MANIFEST-000009", 12), equalTo(edit));
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bad = java.util.Arrays.copyOf(bytes, bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1));
        for (int i = 0; i < 3 && bad.length > 0; i++) {
            bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
        try {
            assertThat(
                    "bytes that decode without a CorruptionException decode to an edit",
                    VersionEdit.decode(bad, "MANIFEST-000009", 12),
                    notNullValue());
        } catch (CorruptionException e) {
            assertThat(e.file(), equalTo("MANIFEST-000009"));
            assertThat(e.offset(), equalTo(12L));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a version edit with an unknown tag, a varint past 63 bits, a file number 0, a last "
                    + "sequence past 2^56 - 1 or a table whose smallest key sorts after its largest is accepted")
    void malformedFieldsAreCorruption() {
        byte[][] bad = {
            {1, 3, 'a', 'b', 'c'}, // LevelDB's comparator tag: not used here
            {9, 1}, // LevelDB's previous log number
            {
                2,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                (byte) 0xff,
                0x01
            }, // 2^64 - 1
            {6, 0, 0}, // delete file 0
            {
                4,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                0x01
            }, // 2^56
        };
        for (byte[] b : bad) {
            assertThrows(CorruptionException.class, () -> VersionEdit.decode(b, "M", 0), java.util.Arrays.toString(b));
        }
        VersionEdit swapped = new VersionEdit()
                .addFile(2, new FileMeta(5, 10, key("a", 1, ValueType.PUT), key("z", 1, ValueType.PUT)));
        byte[] b = swapped.encode();
        // the smallest key's user byte 'a' sits after tag, level, number, size and the key length
        int at = 5;
        assertThat(b[at], equalTo((byte) 'a'));
        b[at] = (byte) '{'; // the smallest key's user key now sorts after the largest's "z"
        CorruptionException e = assertThrows(CorruptionException.class, () -> VersionEdit.decode(b, "M", 0));
        assertThat(e.getMessage(), containsString("smallest"));
    }

    /** A model of the levels: level -> number -> table. */
    private static final class Model {
        final List<TreeMap<Long, FileMeta>> levels = new ArrayList<>();

        Model() {
            for (int i = 0; i < Version.NUM_LEVELS; i++) {
                levels.add(new TreeMap<>());
            }
        }

        void check(Version v) {
            for (int level = 0; level < Version.NUM_LEVELS; level++) {
                List<FileMeta> expected = new ArrayList<>(levels.get(level).values());
                expected.sort(
                        level == 0
                                ? Comparator.comparingLong(FileMeta::number).reversed()
                                : Comparator.comparing(FileMeta::smallest));
                assertThat("L" + level + " of " + v, v.files(level), equalTo(expected));
                long bytes = expected.stream().mapToLong(FileMeta::size).sum();
                assertThat("levelBytes(" + level + ")", v.levelBytes(level), equalTo(bytes));
            }
        }
    }

    @Property(tries = 200)
    @Graded(
            task = "T6",
            points = 4,
            concept =
                    "applying flush and compaction edits to a version gives the wrong tables per level, "
                            + "the wrong order (L0 newest first, L1+ by smallest key), or changes the version it was applied to")
    void randomFlushesAndCompactionsMatchAModel(@ForAll @LongRange(min = 0, max = 1 << 30) long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Model model = new Model();
        Version v = Version.empty();
        long nextNumber = 1;
        for (int step = 0; step < 40; step++) {
            VersionEdit edit = new VersionEdit();
            int kind = random.nextInt(3);
            if (kind == 0 || model.levels.get(0).isEmpty()) {
                // flush: one L0 table over a random range
                int a = random.nextInt(1000);
                int b = a + random.nextInt(200);
                FileMeta f = new FileMeta(
                        nextNumber++,
                        random.nextInt(1 << 20),
                        key(String.format("k%04d", a), 100, ValueType.PUT),
                        key(String.format("k%04d", b), 1, ValueType.DELETE));
                edit.addFile(0, f);
                model.levels.get(0).put(f.number(), f);
            } else {
                // compaction: every L0 table and one random level's tables into disjoint tables at that level
                int level = 1 + random.nextInt(Version.NUM_LEVELS - 1);
                for (FileMeta f : model.levels.get(0).values()) {
                    edit.deleteFile(0, f.number());
                }
                for (FileMeta f : model.levels.get(level).values()) {
                    edit.deleteFile(level, f.number());
                }
                model.levels.get(0).clear();
                model.levels.get(level).clear();
                int outputs = 1 + random.nextInt(5);
                int lo = random.nextInt(100);
                for (int i = 0; i < outputs; i++) {
                    int a = lo + i * 250;
                    FileMeta f = new FileMeta(
                            nextNumber++,
                            1000 + i,
                            key(String.format("k%04d", a), 7, ValueType.PUT),
                            key(String.format("k%04d", a + random.nextInt(250)), 3, ValueType.PUT));
                    edit.addFile(level, f);
                    model.levels.get(level).put(f.number(), f);
                }
            }
            Version before = v;
            String beforeText = before.toString();
            v = v.apply(edit);
            assertThat("apply must not change the version it is called on", before.toString(), equalTo(beforeText));
            model.check(v);
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "an edit that leaves two tables of a level from 1 with overlapping user keys (even one "
                    + "shared user key at different sequence numbers) is applied instead of refused")
    void overlapAtLevelsFromOneIsRefused() {
        FileMeta a = new FileMeta(2, 10, key("a", 9, ValueType.PUT), key("m", 5, ValueType.PUT));
        for (int level = 1; level < Version.NUM_LEVELS; level++) {
            final int l = level;
            Version v = Version.empty().apply(new VersionEdit().addFile(level, a));
            FileMeta[] overlapping = {
                new FileMeta(3, 10, key("m", 4, ValueType.PUT), key("z", 1, ValueType.PUT)), // same user key m, older
                new FileMeta(3, 10, key("0", 4, ValueType.PUT), key("a", 9, ValueType.DELETE)), // ends on a
                new FileMeta(3, 10, key("c", 4, ValueType.PUT), key("d", 1, ValueType.PUT)), // inside
                new FileMeta(3, 10, key("0", 4, ValueType.PUT), key("zz", 1, ValueType.PUT)), // around
            };
            for (FileMeta f : overlapping) {
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> v.apply(new VersionEdit().addFile(l, f)),
                        "L" + level + ": " + a + " and " + f);
                assertThat(e.getMessage(), containsString("L" + level));
            }
            assertThat(
                    "disjoint tables are fine",
                    v.apply(new VersionEdit()
                                    .addFile(
                                            level,
                                            new FileMeta(
                                                    3, 10, key("m\0", 4, ValueType.PUT), key("z", 1, ValueType.PUT))))
                            .fileCount(level),
                    equalTo(2));
            assertThat(
                    "two overlapping tables in one edit",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> Version.empty()
                                            .apply(new VersionEdit()
                                                    .addFile(
                                                            l,
                                                            new FileMeta(
                                                                    4,
                                                                    1,
                                                                    key("b", 1, ValueType.PUT),
                                                                    key("c", 1, ValueType.PUT)))
                                                    .addFile(
                                                            l,
                                                            new FileMeta(
                                                                    5,
                                                                    1,
                                                                    key("a", 1, ValueType.PUT),
                                                                    key("b", 1, ValueType.PUT)))))
                            .getMessage(),
                    containsString("overlaps"));
        }
        Version zero = Version.empty()
                .apply(new VersionEdit()
                        .addFile(0, a)
                        .addFile(0, new FileMeta(3, 10, key("c", 4, ValueType.PUT), key("d", 1, ValueType.PUT))));
        assertThat("L0 tables may overlap", zero.fileCount(0), equalTo(2));
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "an edit that deletes a table from a level that does not hold it, or adds a table "
                    + "number already in the version, is applied instead of refused")
    void missingDeletesAndDuplicateNumbersAreRefused() {
        Version v = Version.empty()
                .apply(new VersionEdit()
                        .addFile(0, new FileMeta(4, 1, key("a", 1, ValueType.PUT), key("b", 1, ValueType.PUT))));
        assertThrows(IllegalArgumentException.class, () -> v.apply(new VersionEdit().deleteFile(1, 4)));
        assertThrows(IllegalArgumentException.class, () -> v.apply(new VersionEdit().deleteFile(0, 5)));
        assertThrows(
                IllegalArgumentException.class,
                () -> v.apply(new VersionEdit()
                        .addFile(5, new FileMeta(4, 1, key("x", 1, ValueType.PUT), key("y", 1, ValueType.PUT)))));
        FileMeta twice = new FileMeta(6, 1, key("x", 1, ValueType.PUT), key("y", 1, ValueType.PUT));
        assertThrows(
                IllegalArgumentException.class,
                () -> v.apply(new VersionEdit().addFile(0, twice).addFile(0, twice)));
        assertThat(
                "delete then re-add of the same number in one edit moves a table",
                v.apply(new VersionEdit()
                                .deleteFile(0, 4)
                                .addFile(2, new FileMeta(4, 1, key("a", 1, ValueType.PUT), key("b", 1, ValueType.PUT))))
                        .fileCount(2),
                equalTo(1));
    }

    @Property(tries = 100)
    @Graded(
            task = "T6",
            points = 2,
            concept = "Version.overlapping misses a table whose user keys meet the range, or returns one "
                    + "that does not (check the binary search at levels from 1 and the inclusive bounds)")
    void overlappingMatchesABruteForceScan(@ForAll @LongRange(min = 0, max = 1 << 30) long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        VersionEdit edit = new VersionEdit();
        long number = 1;
        for (int a = random.nextInt(5); a < 1000; a += 2 + random.nextInt(60)) {
            int b = a + random.nextInt(3);
            edit.addFile(
                    1,
                    new FileMeta(
                            number++,
                            1,
                            key(String.format("%04d", a), 5, ValueType.PUT),
                            key(String.format("%04d", b), 5, ValueType.PUT)));
            a = b;
        }
        for (int i = 0; i < 8; i++) {
            int a = random.nextInt(1000);
            edit.addFile(
                    0,
                    new FileMeta(
                            number++,
                            1,
                            key(String.format("%04d", a), 5, ValueType.PUT),
                            key(String.format("%04d", a + random.nextInt(300)), 5, ValueType.PUT)));
        }
        Version v = Version.empty().apply(edit);
        for (int q = 0; q < 50; q++) {
            int a = random.nextInt(1100);
            int b = a + random.nextInt(100);
            Bytes lo = random.nextInt(10) == 0 ? null : Bytes.of(String.format("%04d", a));
            Bytes hi = random.nextInt(10) == 0 ? null : Bytes.of(String.format("%04d", b));
            for (int level = 0; level < 2; level++) {
                List<FileMeta> expected = new ArrayList<>();
                for (FileMeta f : v.files(level)) {
                    if ((lo == null || f.largest().userKey().compareTo(lo) >= 0)
                            && (hi == null || f.smallest().userKey().compareTo(hi) <= 0)) {
                        expected.add(f);
                    }
                }
                assertThat(
                        "L" + level + " tables meeting [" + lo + ", " + hi + "]",
                        v.overlapping(level, lo, hi),
                        equalTo(expected));
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "a version edit that sets its log number, next file number or last sequence twice is "
                    + "decoded (the second value silently wins) instead of reported as corruption")
    void aFieldSetTwiceInOneEditIsCorruption() throws CorruptionException {
        VersionEdit[][] twice = {
            {new VersionEdit().setLogNumber(4), new VersionEdit().setLogNumber(9)},
            {new VersionEdit().setNextFileNumber(12), new VersionEdit().setNextFileNumber(30)},
            {new VersionEdit().setLastSequence(100), new VersionEdit().setLastSequence(200)},
        };
        String[] what = {"log number", "next file number", "last sequence"};
        for (int i = 0; i < twice.length; i++) {
            byte[] a = twice[i][0].encode();
            byte[] b = twice[i][1].encode();
            byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, both, a.length, b.length);
            VersionEdit.decode(a, "MANIFEST-000001", 8); // each alone is fine
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> VersionEdit.decode(both, "MANIFEST-000001", 8),
                    what[i] + " set twice");
            assertThat(e.file(), equalTo("MANIFEST-000001"));
        }
    }
}
