package dev.storagelab.hybrid.compaction.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.CompactionPolicy;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/** Hidden tests of lab-07 T8's time-window compaction: windows never merge, closed windows are left alone. */
@Tag("hidden")
class TimeWindowCompactionHiddenTest {

    private static final TimeWindowCompaction POLICY = new TimeWindowCompaction(KeyTime.bigEndianPrefix(), 500);

    private static Bytes at(long time, int id) {
        return Bytes.wrap(ByteBuffer.allocate(12).putLong(time).putInt(id).array());
    }

    private static FileMeta table(long number, long size, Bytes lo, Bytes hi) {
        return new FileMeta(
                number,
                size,
                new InternalKey(lo, number * 10 + 1, ValueType.PUT),
                new InternalKey(hi, number * 10, ValueType.PUT));
    }

    private static Version version(Object... levelAndTable) {
        VersionEdit edit = new VersionEdit();
        for (int i = 0; i < levelAndTable.length; i += 2) {
            edit.addFile((Integer) levelAndTable[i], (FileMeta) levelAndTable[i + 1]);
        }
        return Version.empty().apply(edit);
    }

    private static long window(Bytes key) {
        return POLICY.windowOf(key.toByteArray());
    }

    /** Passes calls on; keeps each pick with the version it was picked on. */
    private static final class Recording implements CompactionPolicy {
        final List<Version> versions = new ArrayList<>();
        final List<Compaction> picks = new ArrayList<>();

        @Override
        public Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
            Compaction c = POLICY.pick(v, options, compactPointer);
            if (c != null) {
                versions.add(v);
                picks.add(c);
            }
            return c;
        }

        @Override
        public boolean cutBetween(byte[] previousUserKey, byte[] userKey) {
            return POLICY.cutBetween(previousUserKey, userKey);
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 3,
            concept =
                    "time-window compaction merges tables of different windows (a table below level 0 "
                            + "spans windows, or a compaction into the bottom level takes two windows' runs that no level-0 table spans)")
    void tablesOfDifferentWindowsNeverMerge() throws IOException {
        Recording recording = new Recording();
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        Random random = new Random(21);
        try (LsmStore store =
                LsmStore.open(new FaultInjectingStorage(21), LsmOptions.tiny().withCompactionPolicy(recording))) {
            for (int t = 0; t < 6000; t++) {
                Bytes k = random.nextInt(25) == 0 ? at(random.nextInt(t + 1), 7) : at(t, random.nextInt(3));
                Bytes v = Bytes.of("order-" + t + "-" + "q".repeat(40));
                store.put(k, v);
                model.put(k, v);
            }
            for (int t = 0; t < 6000; t += 37) {
                Bytes k = at(t, 0);
                assertThat(store.get(k), equalTo(Optional.ofNullable(model.get(k))));
            }
        }
        assertThat(recording.picks.size(), greaterThan(10));
        for (int i = 0; i < recording.picks.size(); i++) {
            Compaction c = recording.picks.get(i);
            Set<Long> bottomWindows = new HashSet<>();
            for (FileMeta f : c.inputsByLevel().getOrDefault(TimeWindowCompaction.BOTTOM, List.of())) {
                bottomWindows.add(window(f.largest().userKey()));
            }
            boolean spanningInput = c.inputsByLevel().getOrDefault(0, List.of()).stream()
                    .anyMatch(f ->
                            window(f.smallest().userKey()) != window(f.largest().userKey()));
            // Several windows' bottom runs meet only under a level-0 table that spans them (a late write
            // flushed beside new ones): closeOver must take what it overlaps. Nothing else may join them.
            assertThat(
                    "compaction " + c + " takes the bottom runs of windows " + bottomWindows
                            + " with no level-0 table spanning them",
                    bottomWindows.size() <= 1 || spanningInput,
                    is(true));
            for (int level = 1; level < Version.NUM_LEVELS; level++) {
                for (FileMeta f : recording.versions.get(i).files(level)) {
                    assertThat(
                            "L" + level + " table " + f + " spans windows",
                            window(f.smallest().userKey()),
                            equalTo(window(f.largest().userKey())));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 3,
            concept = "time-window compaction rewrites a closed window's bottom run again although no "
                    + "write reached that window (time-ordered appends are written more than about twice)")
    void appendsNeverRewriteAClosedWindowsBottomRun() throws IOException {
        Recording recording = new Recording();
        try (LsmStore store =
                LsmStore.open(new FaultInjectingStorage(22), LsmOptions.tiny().withCompactionPolicy(recording))) {
            for (int t = 0; t < 8000; t++) {
                store.put(at(t, t % 5), Bytes.of("order-" + t + "-" + "r".repeat(30)));
            }
            LsmStore.Stats s = store.stats();
            assertThat(
                    "compactions wrote " + s.compactionBytesWritten() + " for " + s.flushBytes() + " flushed",
                    (double) s.compactionBytesWritten() / s.flushBytes() <= 1.5,
                    is(true));
            assertThat(
                    "the closed windows are at the bottom",
                    s.filesPerLevel()[TimeWindowCompaction.BOTTOM],
                    greaterThan(10L));
        }
        for (Compaction c : recording.picks) {
            assertThat(
                    "appends only: no compaction takes a bottom table, but " + c + " does",
                    c.inputsByLevel().containsKey(TimeWindowCompaction.BOTTOM),
                    is(false));
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept =
                    "time-window pick does not compact a closed window's tables (every level above the "
                            + "bottom, oldest window first) into the bottom level, or takes the newest window's tables with them")
    void theOldestClosedWindowWithWorkGoesFirstWithAllItsLevels() {
        Version v = version(
                6, table(1, 500, at(0, 0), at(400, 0)),
                0, table(9, 20, at(100, 1), at(300, 1)), // a late write into window 0
                2, table(3, 50, at(500, 0), at(700, 0)),
                1, table(4, 50, at(750, 0), at(900, 0)),
                0, table(8, 20, at(800, 1), at(950, 1)), // window 1
                0, table(10, 20, at(1000, 0), at(1100, 0))); // window 2, the newest
        Compaction c = POLICY.pick(v, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]);
        List<Long> inputs = new ArrayList<>();
        c.allInputs().forEach(f -> inputs.add(f.number()));
        inputs.sort(null);
        assertThat("window 0: the late table and the bottom run it overlaps", inputs, equalTo(List.of(1L, 9L)));
        assertThat(c.output(), equalTo(TimeWindowCompaction.BOTTOM));
        Version next = version(
                6, table(11, 520, at(0, 0), at(400, 0)),
                2, table(3, 50, at(500, 0), at(700, 0)),
                1, table(4, 50, at(750, 0), at(900, 0)),
                0, table(8, 20, at(800, 1), at(950, 1)),
                0, table(10, 20, at(1000, 0), at(1100, 0)));
        Compaction d = POLICY.pick(next, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]);
        List<Long> dIn = new ArrayList<>();
        d.allInputs().forEach(f -> dIn.add(f.number()));
        dIn.sort(null);
        assertThat(
                "window 1: every level above the bottom, nothing of windows 0 or 2", dIn, equalTo(List.of(3L, 4L, 8L)));
        assertThat(d.output(), equalTo(TimeWindowCompaction.BOTTOM));
        Version settled = version(
                6, table(11, 520, at(0, 0), at(400, 0)),
                6, table(12, 120, at(500, 0), at(950, 1)),
                1, table(10, 20, at(1000, 0), at(1100, 0)));
        assertThat(POLICY.pick(settled, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]), nullValue());
    }
}
