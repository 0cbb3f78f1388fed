package dev.storagelab.hybrid.compaction;

import static dev.storagelab.hybrid.compaction.Tables.at;
import static dev.storagelab.hybrid.compaction.Tables.drain;
import static dev.storagelab.hybrid.compaction.Tables.entries;
import static dev.storagelab.hybrid.compaction.Tables.numbers;
import static dev.storagelab.hybrid.compaction.Tables.table;
import static dev.storagelab.hybrid.compaction.Tables.value;
import static dev.storagelab.hybrid.compaction.Tables.version;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Settings;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.lsm.Version;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** lab-07 T8: adaptive compaction, its classification, its dispatch, and a real store under it. */
class AdaptiveCompactionTest {

    /** Three ranges: orders ("o" + time), products ("p..."), stock ("s..."). */
    static final List<Bytes> BOUNDARIES = List.of(Bytes.of("p"), Bytes.of("s"));

    static Bytes order(long time) {
        byte[] t = at(time).toByteArray();
        byte[] k = new byte[1 + t.length];
        k[0] = 'o';
        System.arraycopy(t, 0, k, 1, t.length);
        return Bytes.wrap(k);
    }

    static Bytes product(int i) {
        return Bytes.of(String.format("p%06d", i));
    }

    static Bytes stock(int i) {
        return Bytes.of(String.format("s%06d", i));
    }

    static AdaptiveCompaction adaptive(Settings settings) {
        return new AdaptiveCompaction(BOUNDARIES, new TimeWindowCompaction(KeyTime.bigEndianAt(1), 1000), settings);
    }

    private final Settings settings = Settings.defaults();

    @Test
    void keysFallInTheRangesTheBoundariesCut() {
        AdaptiveCompaction a = adaptive(settings);
        assertThat(a.rangeCount(), equalTo(3));
        assertThat(a.rangeOf(order(5)), equalTo(0));
        assertThat("a boundary starts its range", a.rangeOf(Bytes.of("p")), equalTo(1));
        assertThat(a.rangeOf(product(3)), equalTo(1));
        assertThat(a.rangeOf(stock(3)), equalTo(2));
        assertThat("every range starts with the initial style", a.styleOf(2), equalTo(Style.LEVELED));
        assertThat(
                "outputs are cut at a range boundary",
                a.cutBetween(product(9).toByteArray(), stock(0).toByteArray()),
                is(true));
        assertThat(
                "not inside a leveled range",
                a.cutBetween(product(1).toByteArray(), product(2).toByteArray()),
                is(false));
        Random random = new Random(9);
        for (int i = 0; i < 3000; i++) {
            a.recordWrite(stock(random.nextInt(1000)));
        }
        assertThat("writes in no order make the stock range tiered", a.styleOf(2), equalTo(Style.TIERED));
        assertThat("and nothing else", a.styleOf(1), equalTo(Style.LEVELED));
    }

    @Test
    void readHeavyIsLeveledWriteHeavyIsTieredInOrderWritesAreTimeWindow() {
        assertThat(AdaptiveCompaction.classify(900, 100, 0, Style.TIERED, settings), equalTo(Style.LEVELED));
        assertThat(AdaptiveCompaction.classify(100, 900, 300, Style.LEVELED, settings), equalTo(Style.TIERED));
        assertThat(AdaptiveCompaction.classify(100, 900, 890, Style.LEVELED, settings), equalTo(Style.TIME_WINDOW));
        assertThat(
                "too little evidence keeps the style",
                AdaptiveCompaction.classify(0, 50, 50, Style.LEVELED, settings),
                equalTo(Style.LEVELED));
    }

    @Test
    void insideTheDeadBandARangeKeepsWhatItIs() {
        // 62% writes: past 60%, but not by the 10% margin a leveled range needs; a tiered range stays tiered
        assertThat(AdaptiveCompaction.classify(380, 620, 0, Style.LEVELED, settings), equalTo(Style.LEVELED));
        assertThat(AdaptiveCompaction.classify(380, 620, 0, Style.TIERED, settings), equalTo(Style.TIERED));
        assertThat(
                "72% writes: a leveled range becomes tiered",
                AdaptiveCompaction.classify(280, 720, 0, Style.LEVELED, settings), equalTo(Style.TIERED));
        assertThat(
                "48% writes: a tiered range becomes leveled",
                AdaptiveCompaction.classify(520, 480, 0, Style.TIERED, settings), equalTo(Style.LEVELED));
        // 75% of the writes in order: below 80% + 10% for a tiered range, above 80% - 10% for a time-window one
        assertThat(AdaptiveCompaction.classify(0, 1000, 750, Style.TIERED, settings), equalTo(Style.TIERED));
        assertThat(AdaptiveCompaction.classify(0, 1000, 750, Style.TIME_WINDOW, settings), equalTo(Style.TIME_WINDOW));
    }

    @Test
    void aScanCountsAsAReadPerEntryItReturnedUpToACap() {
        // two writes to each scan of 20: as one read a scan would leave the range two-thirds writes
        // (tiered); as its 20 entries, a tenth
        AdaptiveCompaction a = adaptive(settings);
        Random random = new Random(2);
        for (int i = 0; i < 3000; i++) {
            a.recordWrite(product(random.nextInt(1000)));
            a.recordWrite(product(random.nextInt(1000)));
            a.recordScan(product(random.nextInt(1000)), 20);
        }
        assertThat("a scanned range is leveled (" + a.stats(1) + ")", a.styleOf(1), equalTo(Style.LEVELED));
        assertThat(a.stats(1).writeShare(), closeTo(2.0 / 22, 0.01));
        AdaptiveCompaction b = adaptive(settings);
        b.recordWrite(product(1));
        b.recordScan(product(1), 1_000_000);
        assertThat(
                "one long scan counts as MAX_SCAN_READS reads",
                b.stats(1).events(),
                equalTo(1L + AdaptiveCompaction.MAX_SCAN_READS));
    }

    @Test
    void aSustainedChangeOfPatternSwitchesTheStyleAndAShortBurstDoesNot() {
        AdaptiveCompaction a = adaptive(settings);
        Random random = new Random(1);
        for (int i = 0; i < 5000; i++) {
            a.recordRead(product(random.nextInt(1000)));
        }
        assertThat("reads only: leveled", a.styleOf(1), equalTo(Style.LEVELED));
        for (int i = 0; i < 200; i++) {
            a.recordWrite(product(random.nextInt(1000)));
        }
        assertThat(
                "a burst of 200 writes after 5,000 reads: still leveled (" + a.stats(1) + ")",
                a.styleOf(1),
                equalTo(Style.LEVELED));
        for (int i = 0; i < 5000; i++) {
            a.recordWrite(product(random.nextInt(1000)));
        }
        assertThat("5,000 random writes: tiered (" + a.stats(1) + ")", a.styleOf(1), equalTo(Style.TIERED));
        for (int i = 0; i < 5000; i++) {
            a.recordWrite(product(1000 + i));
        }
        assertThat(
                "5,000 appends in key order: time-window (" + a.stats(1) + ")",
                a.styleOf(1),
                equalTo(Style.TIME_WINDOW));
        assertThat("two switches, counted", a.stats(1).switches(), equalTo(2L));
        assertThat("the other ranges saw nothing", a.stats(0).events(), equalTo(0L));
    }

    /** {@code PREFIX/CUSTOMER/TIME}, ten digits each: the workbench's order keys. */
    static Bytes keyed(String prefix, long customer, long time) {
        return Bytes.of(String.format("%s/%010d/%010d", prefix, customer, time));
    }

    /** An order's customer, one of 1,000, fixed by the order's number and uniform over them. */
    static long customerOf(long order) {
        return Math.floorMod(new java.util.SplittableRandom(order).nextLong(), 1000);
    }

    @Test
    void writesInKeyOrderAreTimeWindowedOnlyIfTheirTimeFollowsTheKeys() {
        // the time is the number after the customer: "order/CUSTOMER/TIME" (range 0), "queue/CUSTOMER/TIME" (range 1)
        AdaptiveCompaction a = new AdaptiveCompaction(
                List.of(Bytes.of("p")),
                new TimeWindowCompaction(KeyTime.decimalAt("order/0000000000/".length(), 10), 500),
                settings);
        List<Bytes> load = new ArrayList<>();
        for (long order = 0; order < 6000; order++) {
            load.add(keyed("order", customerOf(order), order));
        }
        java.util.Collections.sort(load);
        for (Bytes k : load) {
            a.recordWrite(k);
            assertThat(
                    "keys in key order whose time jumps back at every customer: leveled, neither time windows nor tiered ("
                            + a.stats(0) + ")",
                    a.styleOf(0),
                    equalTo(Style.LEVELED));
        }
        assertThat(
                "a load in key order stays leveled, whose trivial moves write it once",
                a.stats(0).switches(),
                equalTo(0L));
        for (long order = 6000; order < 12_000; order++) {
            a.recordWrite(keyed("order", customerOf(order), order));
        }
        assertThat(
                "new orders in time order but scattered over the customers: write-heavy in no key order, tiered ("
                        + a.stats(0) + ")",
                a.styleOf(0),
                equalTo(Style.TIERED));
        for (long time = 0; time < 3000; time++) {
            a.recordWrite(keyed("queue", 7, time));
        }
        assertThat(
                "keys whose time follows their order, written in it: time windows (" + a.stats(1) + ")",
                a.styleOf(1),
                equalTo(Style.TIME_WINDOW));
    }

    @Test
    void aRangeKeepsANewStyleForTheDwellEvenIfThePatternFlipsBack() {
        AdaptiveCompaction a = adaptive(settings.withHalfLife(50).withDwell(2000));
        Random random = new Random(2);
        for (int i = 0; i < 300; i++) {
            a.recordWrite(stock(random.nextInt(100)));
        }
        assertThat(a.styleOf(2), equalTo(Style.LEVELED)); // the dwell counts from the start too
        for (int i = 0; i < 2000; i++) {
            a.recordWrite(stock(random.nextInt(100)));
        }
        assertThat(a.styleOf(2), equalTo(Style.TIERED));
        for (int i = 0; i < 1500; i++) {
            a.recordRead(stock(random.nextInt(100)));
        }
        assertThat("reads only again, but within the dwell: still tiered", a.styleOf(2), equalTo(Style.TIERED));
        for (int i = 0; i < 600; i++) {
            a.recordRead(stock(random.nextInt(100)));
        }
        assertThat("past the dwell: leveled", a.styleOf(2), equalTo(Style.LEVELED));
    }

    @Test
    void pickAsksEachRangesOwnStyleAboutItsOwnTables() {
        AdaptiveCompaction a = adaptive(settings.withDwell(0));
        Random random = new Random(3);
        for (int i = 0; i < 3000; i++) {
            a.recordWrite(stock(random.nextInt(1000))); // stock: tiered
            a.recordRead(product(random.nextInt(1000))); // products: leveled
        }
        assertThat(a.styleOf(2), equalTo(Style.TIERED));
        assertThat(a.styleOf(1), equalTo(Style.LEVELED));
        Version v = version(
                0, table(1, 100, stock(0), stock(500)),
                0, table(2, 100, stock(100), stock(900)),
                1, table(3, 400, stock(0), stock(999)),
                3, table(4, 100, product(0), product(999)));
        Compaction c = a.pick(v, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]);
        assertThat(
                "the stock range just became tiered: its catch-up takes all its tables to the bottom",
                numbers(c.allInputs()),
                equalTo(List.of(1L, 2L, 3L)));
        assertThat(c.output(), equalTo(TimeWindowCompaction.BOTTOM));
        Version caughtUp = version(
                0, table(1, 100, stock(0), stock(500)),
                0, table(2, 100, stock(100), stock(900)),
                6, table(3, 400, stock(0), stock(999)),
                3, table(4, 100, product(0), product(999)));
        c = a.pick(caughtUp, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]);
        assertThat(
                "then size-tiered: both level-0 runs; the bottom run, twice their bytes, waits",
                numbers(c.allInputs()),
                equalTo(List.of(1L, 2L)));
        assertThat("a new run just above the bottom", c.output(), equalTo(TimeWindowCompaction.BOTTOM - 1));
        a.recordRead(stock(1)); // nothing changes with one read
        Version products = version(
                0, table(1, 100, product(0), product(500)),
                0, table(2, 100, product(100), product(900)),
                3, table(4, 100, product(0), product(999)),
                0, table(5, 100, stock(0), stock(10)));
        Compaction p = a.pick(products, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]);
        assertThat(
                "the product range, leveled: its level-0 tables into its base level with what overlaps there",
                numbers(p.allInputs()),
                equalTo(List.of(1L, 2L, 4L)));
        assertThat(p.output(), equalTo(3));
    }

    @Test
    void aStoreUnderAdaptiveCompactionReadsBackTheModelAndEachRangeGetsItsStyle() throws IOException {
        AdaptiveCompaction a = adaptive(settings.withHalfLife(500).withDwell(500));
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        Random random = new Random(4);
        try (LsmStore store =
                LsmStore.open(new FaultInjectingStorage(4), LsmOptions.tiny().withCompactionPolicy(a))) {
            for (int i = 0; i < 3000; i++) {
                Bytes p = product(i % 500);
                store.put(p, value(i, 0));
                model.put(p, value(i, 0));
            }
            for (int i = 0; i < 12_000; i++) {
                Bytes o = order(i);
                store.put(o, value(i, 1));
                model.put(o, value(i, 1));
                a.recordWrite(o);
                Bytes s = stock(random.nextInt(300));
                if (random.nextInt(20) == 0) {
                    store.delete(s);
                    model.remove(s);
                } else {
                    store.put(s, value(i, 2));
                    model.put(s, value(i, 2));
                }
                a.recordWrite(s);
                for (int r = 0; r < 3; r++) {
                    Bytes p = product(random.nextInt(500));
                    assertThat(store.get(p), equalTo(Optional.ofNullable(model.get(p))));
                    a.recordRead(p);
                }
                if (i % 3000 == 2999) {
                    store.flush();
                    assertThat(
                            "a full scan is the model at " + i, drain(store.scan(null, null)), equalTo(entries(model)));
                }
            }
            assertThat(a.styleOf(0), equalTo(Style.TIME_WINDOW));
            assertThat(a.styleOf(1), equalTo(Style.LEVELED));
            assertThat(a.styleOf(2), equalTo(Style.TIERED));
            store.compactAll();
            assertThat("after compactAll", drain(store.scan(null, null)), equalTo(entries(model)));
            assertThat(store.stats().compactionBytesWritten(), greaterThan(0L));
        }
    }

    @Test
    void recordsFromManyThreadsWhilePickingLoseNoEvent() throws InterruptedException {
        AdaptiveCompaction a = adaptive(settings);
        Version v = version(0, table(1, 100, stock(0), stock(500)), 0, table(2, 100, product(0), product(9)));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        if (id == 0 && i % 100 == 0) {
                            a.pick(v, LsmOptions.tiny(), new InternalKey[Version.NUM_LEVELS]);
                        }
                        if (i % 2 == 0) {
                            a.recordWrite(stock(i % 1000));
                        } else {
                            a.recordRead(product(i % 1000));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat("no failure: " + failures, failures.isEmpty(), is(true));
        assertThat(a.stats(2).events(), equalTo(40_000L));
        assertThat(a.stats(1).events(), equalTo(40_000L));
    }

    /** A table of a range in the version, for the tests' readability. */
    static FileMeta range(long n, Bytes lo, Bytes hi) {
        return table(n, 100, lo, hi);
    }
}
