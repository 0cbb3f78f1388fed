package dev.storagelab.hybrid.compaction;

import static dev.storagelab.hybrid.compaction.Tables.at;
import static dev.storagelab.hybrid.compaction.Tables.drain;
import static dev.storagelab.hybrid.compaction.Tables.entries;
import static dev.storagelab.hybrid.compaction.Tables.numbers;
import static dev.storagelab.hybrid.compaction.Tables.table;
import static dev.storagelab.hybrid.compaction.Tables.value;
import static dev.storagelab.hybrid.compaction.Tables.version;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.Version;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** lab-07 T8: time-window compaction, on versions built by hand and in a real LSM store. */
class TimeWindowCompactionTest {

    private static final long WIDTH = 1000;
    private final TimeWindowCompaction policy = new TimeWindowCompaction(KeyTime.bigEndianPrefix(), WIDTH);

    @Test
    void keyTimeReadsTheBigEndianPrefixAndWindowsDivideIt() {
        assertThat(KeyTime.bigEndianPrefix().timeOf(at(123_456).toByteArray()), equalTo(123_456L));
        assertThat(
                "a short key reads its missing bytes as 0",
                KeyTime.bigEndianPrefix().timeOf(new byte[] {1}),
                equalTo(1L << 56));
        assertThat(
                "the workbench's order keys",
                KeyTime.decimalAt(6, 10).timeOf(Bytes.of("order/0000012345").toByteArray()),
                equalTo(12_345L));
        assertThat(policy.windowOf(at(999).toByteArray()), equalTo(0L));
        assertThat(policy.windowOf(at(1000).toByteArray()), equalTo(1L));
        assertThat(
                "a table's window is its largest key's", policy.windowOf(table(1, 10, at(900), at(1100))), equalTo(1L));
        assertThat("cut between windows", policy.cutBetween(at(999).toByteArray(), at(1000).toByteArray()), is(true));
        assertThat("not inside one", policy.cutBetween(at(1000).toByteArray(), at(1999).toByteArray()), is(false));
        Version two = version(0, table(1, 10, at(10), at(20)), 0, table(2, 10, at(1010), at(1020)));
        assertThat(
                "two tables in windows 0 and 1", List.copyOf(policy.windows(two).keySet()), equalTo(List.of(0L, 1L)));
    }

    @Test
    void tablesAreGroupedByTheWindowOfTheirLargestKey() {
        Version v = version(
                6, table(1, 100, at(10), at(900)),
                0, table(5, 10, at(950), at(1050)), // spans windows 0 and 1: belongs to 1
                1, table(3, 10, at(1100), at(1400)),
                0, table(6, 10, at(2100), at(2200)));
        SortedMap<Long, TimeWindowCompaction.Window> windows = policy.windows(v);
        assertThat("windows 0, 1 and 2, oldest first", List.copyOf(windows.keySet()), equalTo(List.of(0L, 1L, 2L)));
        assertThat(numbers(windows.get(0L).tablesByLevel().get(6)), equalTo(List.of(1L)));
        assertThat(
                "the spanning table is in window 1, at level 0",
                numbers(windows.get(1L).tablesByLevel().get(0)),
                equalTo(List.of(5L)));
        assertThat(numbers(windows.get(1L).tablesByLevel().get(1)), equalTo(List.of(3L)));
        assertThat(numbers(windows.get(2L).tablesByLevel().get(0)), equalTo(List.of(6L)));
    }

    @Test
    void aClosedWindowIsCompactedIntoOneRunAtTheBottomAndNothingOfTheNewerWindowJoins() {
        Version v = version(
                1, table(1, 100, at(0), at(300)),
                1, table(2, 100, at(400), at(700)),
                0, table(4, 50, at(500), at(800)),
                0, table(5, 50, at(1100), at(1300))); // window 1 is the newest: window 0 is closed
        Compaction c = policy.pick(v, LsmOptions.tiny(), new dev.storagelab.lsm.InternalKey[Version.NUM_LEVELS]);
        assertThat("window 0 compacts first", c.output(), equalTo(TimeWindowCompaction.BOTTOM));
        assertThat(
                "all of window 0's tables, nothing of window 1", numbers(c.allInputs()), equalTo(List.of(1L, 2L, 4L)));
    }

    @Test
    void aClosedWindowThatIsOneBottomRunIsLeftAloneAndTheNewestWindowsAppendMovesDown() {
        Version v = version(
                6, table(1, 100, at(0), at(900)),
                6, table(2, 100, at(1000), at(1900)),
                1, table(3, 10, at(2000), at(2100)),
                0, table(4, 10, at(2200), at(2300))); // appended after table 3: overlaps nothing
        Compaction c = policy.pick(v, LsmOptions.tiny(), new dev.storagelab.lsm.InternalKey[Version.NUM_LEVELS]);
        assertThat("the appended table moves to level 1, alone", c.output(), equalTo(1));
        assertThat(numbers(c.allInputs()), equalTo(List.of(4L)));
        Version settled = version(
                6, table(1, 100, at(0), at(900)),
                6, table(2, 100, at(1000), at(1900)),
                1, table(3, 10, at(2000), at(2100)));
        assertThat(
                "nothing to do once every closed window is one bottom run and the newest has no level-0 table",
                policy.pick(settled, LsmOptions.tiny(), new dev.storagelab.lsm.InternalKey[Version.NUM_LEVELS]),
                nullValue());
    }

    @Test
    void theNewestWindowsOverlappingTablesMergeIntoItsLevelOneRunWithoutTheOlderWindows() {
        Version v = version(
                6, table(1, 1000, at(0), at(900)),
                0, table(4, 10, at(1000), at(1500)),
                0, table(5, 10, at(1200), at(1600))); // overlap: out of order inside window 1
        LsmOptions options = LsmOptions.tiny(); // level 0 compacts at 2 tables
        Compaction c = policy.pick(v, options, new dev.storagelab.lsm.InternalKey[Version.NUM_LEVELS]);
        assertThat(numbers(c.allInputs()), equalTo(List.of(4L, 5L)));
        assertThat("into the window's level-1 run", c.output(), equalTo(1));
        Version withRun = version(
                6, table(1, 1000, at(0, 0), at(900, 0)),
                1, table(2, 10, at(1000, 0), at(1300, 0)),
                1, table(3, 10, at(1301, 0), at(1450, 0)),
                0, table(4, 10, at(1400, 0), at(1500, 0)),
                0, table(5, 10, at(1420, 0), at(1600, 0))); // a little out of order: overlap the run's tail
        Compaction tail = policy.pick(withRun, options, new dev.storagelab.lsm.InternalKey[Version.NUM_LEVELS]);
        assertThat("only the run's tables they overlap join", numbers(tail.allInputs()), equalTo(List.of(3L, 4L, 5L)));
        assertThat(tail.output(), equalTo(1));
        Version one = version(
                6,
                table(1, 1000, at(0), at(900)),
                0,
                table(4, 10, at(1000), at(1500)),
                1,
                table(3, 10, at(1100), at(1200)));
        assertThat(
                "one overlapping level-0 table is below the trigger",
                policy.pick(one, options, new dev.storagelab.lsm.InternalKey[Version.NUM_LEVELS]),
                nullValue());
    }

    @Test
    void timeOrderedAppendsInAStoreKeepEveryTableInOneWindowAndReadBack() throws IOException {
        Tables.Recording recording = new Tables.Recording(policy);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        try (LsmStore store =
                LsmStore.open(new FaultInjectingStorage(3), LsmOptions.tiny().withCompactionPolicy(recording))) {
            for (int i = 0; i < 6000; i++) {
                Bytes k = at(i, i % 7);
                store.put(k, value(i, 0));
                model.put(k, value(i, 0));
            }
            assertThat("a full scan is the model", drain(store.scan(null, null)), equalTo(entries(model)));
            for (int i = 0; i < 6000; i += 101) {
                assertThat(store.get(at(i, i % 7)), equalTo(Optional.of(value(i, 0))));
            }
        }
        assertThat("the store asked the policy", recording.picks.size(), greaterThan(5));
        for (Version v : recording.versions) {
            for (int level = 1; level < Version.NUM_LEVELS; level++) {
                for (FileMeta f : v.files(level)) {
                    assertThat(
                            "a table below level 0 spans windows: " + f,
                            policy.windowOf(f.smallest().userKey().toByteArray()),
                            equalTo(policy.windowOf(f)));
                }
            }
        }
    }

    @Test
    void timeOrderedAppendsAreWrittenAboutTwiceWhereSizeTieredRewritesThemMore() throws IOException {
        double[] amplification = new double[2];
        int i = 0;
        for (LsmOptions options : new LsmOptions[] {
            LsmOptions.tiny().withCompactionPolicy(policy),
            LsmOptions.tiny().withCompaction(LsmOptions.CompactionStyle.TIERED)
        }) {
            try (LsmStore store = LsmStore.open(new FaultInjectingStorage(4), options)) {
                Random random = new Random(4);
                for (int t = 0; t < 20_000; t++) {
                    store.put(at(t, random.nextInt(1000)), value(t, 0));
                }
                LsmStore.Stats s = store.stats();
                amplification[i++] = (double) s.compactionBytesWritten() / s.flushBytes();
            }
        }
        assertThat(
                "time-window: compactions write at most ~1.5x what the flushes wrote (" + amplification[0] + ")",
                amplification[0],
                lessThanOrEqualTo(1.5));
        assertThat(
                "and less than size-tiered, which merges every new run into the old ones (" + amplification[1] + ")",
                amplification[0],
                lessThan(amplification[1]));
    }

    @Test
    void lateWritesAndDeletesIntoClosedWindowsReadBackAsTheModelSays() throws IOException {
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        Random random = new Random(5);
        try (LsmStore store =
                LsmStore.open(new FaultInjectingStorage(5), LsmOptions.tiny().withCompactionPolicy(policy))) {
            for (int t = 0; t < 8000; t++) {
                Bytes k = random.nextInt(10) == 0 ? at(random.nextInt(t + 1), 1) : at(t, 0); // one in ten is late
                if (random.nextInt(15) == 0 && !model.isEmpty()) {
                    Bytes gone = model.ceilingKey(at(random.nextInt(t + 1)));
                    if (gone != null) {
                        store.delete(gone);
                        model.remove(gone);
                    }
                }
                store.put(k, value(t, 1));
                model.put(k, value(t, 1));
                if (t % 2500 == 0) {
                    store.flush();
                }
            }
            assertThat("a full scan is the model", drain(store.scan(null, null)), equalTo(entries(model)));
            store.compactAll();
            assertThat("and after compactAll", drain(store.scan(null, null)), equalTo(entries(model)));
        }
    }
}
