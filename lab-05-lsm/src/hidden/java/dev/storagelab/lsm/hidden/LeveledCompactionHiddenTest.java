package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LeveledCompaction;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the leveled compaction policy's choice (lab-05 T7), on hand-made versions (a
 * table's size is only its metadata here) with {@link LsmOptions#tiny()}: level 0's trigger of 2
 * tables, level 1's 16 KiB target, a multiplier of 4. Added for survivors of the mutation audit
 * (notes/audit.md), whose store-level tests pass whichever level a compaction picks.
 */
@Tag("hidden")
class LeveledCompactionHiddenTest {

    private static final LsmOptions OPTIONS = LsmOptions.tiny();

    private static FileMeta table(long number, long bytes, String smallest, String largest) {
        return new FileMeta(
                number,
                bytes,
                new InternalKey(Bytes.of(smallest), number * 10, ValueType.PUT),
                new InternalKey(Bytes.of(largest), number * 10 + 1, ValueType.PUT));
    }

    /** A version holding {@code tables}: level, then the table. */
    private static Version version(Object... levelAndTable) {
        VersionEdit edit = new VersionEdit();
        for (int i = 0; i < levelAndTable.length; i += 2) {
            edit.addFile((Integer) levelAndTable[i], (FileMeta) levelAndTable[i + 1]);
        }
        return Version.empty().apply(edit);
    }

    private static Compaction pick(Version v, InternalKey[] pointers) {
        return new LeveledCompaction().pick(v, OPTIONS, pointers);
    }

    /** The table numbers of each input level, and the output level. */
    private static String shape(Compaction c) {
        Map<Integer, List<Long>> numbers = new TreeMap<>();
        c.inputsByLevel()
                .forEach((level, files) -> numbers.put(
                        level, files.stream().map(FileMeta::number).sorted().collect(Collectors.toList())));
        return numbers + " -> L" + c.output();
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "level 0 is not compacted once it holds exactly its trigger's count of tables, or is "
                    + "not compacted whole with the overlapping tables of level 1")
    void levelZeroAtExactlyItsTriggerIsCompactedWhole() {
        Version v = version(
                0,
                table(1, 3000, "a", "c"),
                0,
                table(2, 3000, "b", "d"),
                1,
                table(3, 1000, "c", "e"),
                1,
                table(4, 1000, "x", "z"));
        Compaction c = pick(v, new InternalKey[Version.NUM_LEVELS]);
        assertThat("2 tables at level 0, its trigger", c, notNullValue());
        assertThat(shape(c), equalTo("{0=[1, 2], 1=[3]} -> L1"));
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "of two levels with the same score, the compaction policy picks the deeper one (a tie "
                    + "goes to the shallower level)")
    void aTieGoesToTheShallowerLevel() {
        // level 0 at its trigger: 2 tables of 2 and score 1; level 1, the bottom, at exactly its target of 16 KiB plus
        // the 6,000 bytes level 0 will bring down: score 1 too
        Version v = version(
                0,
                table(1, 3000, "a", "c"),
                0,
                table(2, 3000, "b", "d"),
                1,
                table(3, 11192, "c", "e"),
                1,
                table(4, 11192, "x", "z"));
        Compaction c = pick(v, new InternalKey[Version.NUM_LEVELS]);
        assertThat("level 0 and level 1 both at score 1", c, notNullValue());
        assertThat(shape(c), equalTo("{0=[1, 2], 1=[3]} -> L1"));
        // one byte more at level 1 and it wins
        Version deeper = version(
                0,
                table(1, 3000, "a", "c"),
                0,
                table(2, 3000, "b", "d"),
                1,
                table(3, 11192, "c", "e"),
                1,
                table(4, 11193, "x", "z"));
        Compaction d = pick(deeper, new InternalKey[Version.NUM_LEVELS]);
        assertThat(
                "level 1 one byte over its score of 1 is compacted: " + shape(d),
                d.inputsByLevel().get(1),
                equalTo(List.of(v.files(1).get(0))));
        assertThat("into level 2: " + shape(d), d.output(), equalTo(2));
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "the compaction policy picks a level under its trigger or target, or the bottom level "
                    + "(which has no level below it to compact into)")
    void nothingIsPickedUnderTheTriggersAndTargetsNorAtTheBottomLevel() {
        assertThat(
                "one table at level 0 and 1 KB at level 1",
                pick(
                        version(0, table(1, 3000, "a", "c"), 1, table(2, 1000, "c", "e")),
                        new InternalKey[Version.NUM_LEVELS]),
                nullValue());
        assertThat(
                "20 MiB at the bottom level only, over its static target of 16 MiB",
                pick(
                        version(Version.NUM_LEVELS - 1, table(5, 20L << 20, "a", "z")),
                        new InternalKey[Version.NUM_LEVELS]),
                nullValue());
        // a policy that never picks anything passes the two above: it must pick where there is work
        assertThat(
                "two tables at level 0 over 64 KiB at level 3",
                pick(
                        version(
                                0,
                                table(1, 3000, "a", "c"),
                                0,
                                table(2, 3000, "b", "d"),
                                3,
                                table(3, 64 << 10, "a", "z")),
                        new InternalKey[Version.NUM_LEVELS]),
                notNullValue());
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "level 0 is compacted into level 1 although the data sits deep (its base level, "
                    + "sized from the bottom, is below level 1)")
    void levelZeroGoesToTheBaseLevelWhenTheDataSitsDeep() {
        // 64 KiB at level 3: level 2's share sized from the bottom is 16 KiB, exactly level 1's static target
        // (the base level: the level 0 data goes there), level 1's is 4 KiB
        Version v = version(0, table(1, 3000, "a", "c"), 0, table(2, 3000, "b", "d"), 3, table(3, 64 << 10, "a", "z"));
        Compaction c = pick(v, new InternalKey[Version.NUM_LEVELS]);
        assertThat(c, notNullValue());
        assertThat(shape(c), equalTo("{0=[1, 2], 2=[]} -> L2"));
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "a level over its target is not compacted one table at a time into the next level, "
                    + "round-robin from the first table after where its last compaction ended")
    void aLevelOverItsTargetCompactsTheTableAfterItsPointerIntoTheNext() {
        // 24 KB at level 1 over 40 KB at level 2 (level 2 under its 64 KiB target)
        Object[] tables = {
            1,
            table(1, 8000, "a", "c"),
            1,
            table(2, 8000, "d", "f"),
            1,
            table(3, 8000, "g", "i"),
            2,
            table(4, 20_000, "e", "h"),
            2,
            table(5, 20_000, "x", "z")
        };
        Version v = version(tables);
        InternalKey[] pointers = new InternalKey[Version.NUM_LEVELS];
        assertThat("no pointer yet: the first table", shape(pick(v, pointers)), equalTo("{1=[1], 2=[]} -> L2"));
        pointers[1] = table(1, 0, "a", "c").largest();
        assertThat(
                "after table 1: table 2 with the overlapping table 4",
                shape(pick(v, pointers)),
                equalTo("{1=[2], 2=[4]} -> L2"));
        pointers[1] = table(2, 0, "d", "f").largest();
        assertThat(
                "after table 2 (the pointer is its largest key): table 3",
                shape(pick(v, pointers)),
                equalTo("{1=[3], 2=[4]} -> L2"));
        pointers[1] = table(3, 0, "g", "i").largest();
        assertThat("after the last table: back to the first", shape(pick(v, pointers)), equalTo("{1=[1], 2=[]} -> L2"));
    }

    @Test
    @Graded(
            task = "T7",
            points = 1,
            concept = "the bottom level is taken to be the first level that holds data, not the deepest: "
                    + "a level above deep data keeps its static target and is never drained")
    void theBottomLevelIsTheDeepestThatHoldsData() {
        // 64 KiB at level 3 sizes level 1's target from the bottom: 64 KiB / 4 / 4 = 4 KiB, so 6,000 bytes
        // there are over it. Sized as if level 1 were the bottom, its target would be the static 16 KiB.
        Version v = version(1, table(1, 6000, "a", "c"), 3, table(2, 64 << 10, "a", "z"));
        Compaction c = pick(v, new InternalKey[Version.NUM_LEVELS]);
        assertThat("level 1 is over its target sized from the bottom level (level 3)", c, notNullValue());
        assertThat(shape(c), equalTo("{1=[1], 2=[]} -> L2"));
    }
}
