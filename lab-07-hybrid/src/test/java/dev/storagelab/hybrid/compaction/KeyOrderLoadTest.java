package dev.storagelab.hybrid.compaction;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The e-commerce store's cold data under adaptive compaction, as the workbench's arena runs it:
 * orders keyed {@code order/CUSTOMER/ORDER} (the order's number is its time, but the customer comes
 * first), prices {@code price/PRODUCT} and stock {@code stock/PRODUCT}, all loaded in key order,
 * then scattered order inserts, price and stock updates and reads. Loaded in key order, the order
 * range's keys arrive in increasing order while their times jump back and forth: it is not an
 * append stream in time, and time windows over it would cut every table at nearly every key.
 * Flushes and compactions run on the writer's thread, so every count here is repeatable.
 */
class KeyOrderLoadTest {

    static final int PRODUCTS = 40;
    static final int ORDERS = 3_000;
    static final int CUSTOMERS = ORDERS / 6;
    static final int MEASURED = 6_000;
    /** The arena's order time: the ten digits after {@code order/CUSTOMER/}. */
    static final KeyTime ORDER_TIME = KeyTime.decimalAt("order/0000000000/".length(), 10);
    /** Orders per time window: a tenth of the loaded ones. */
    static final long WINDOW = ORDERS / 10;

    static Bytes order(long order) {
        long customer = Math.floorMod(new SplittableRandom(order).nextLong(), CUSTOMERS);
        return Bytes.of(String.format("order/%010d/%010d", customer, order));
    }

    static Bytes price(long product) {
        return Bytes.of(String.format("price/%010d", product));
    }

    static Bytes stock(long product) {
        return Bytes.of(String.format("stock/%010d", product));
    }

    static Bytes value(long i) {
        return Bytes.of(String.format("%08d", i) + "v".repeat(92));
    }

    /** What a run of the store came to. */
    record Run(
            LsmStore.Stats stats,
            long loadRewritten,
            long loadFlushed,
            long maxLevel0,
            Set<Style> orderStyles,
            Style orderStyleAfterLoad) {

        /** Bytes written to tables by flushes and compactions over the whole run. */
        long tableBytesWritten() {
            return stats.flushBytes() + stats.compactionBytesWritten();
        }

        @Override
        public String toString() {
            return String.format(
                    "%,d bytes flushed, %,d rewritten, tables per level %s, level 0 at most %d, order range %s",
                    stats.flushBytes(),
                    stats.compactionBytesWritten(),
                    java.util.Arrays.toString(stats.filesPerLevel()),
                    maxLevel0,
                    orderStyles);
        }
    }

    /**
     * Loads the store in key order and runs the measured mix, checking every read against a
     * model; with {@code adaptive}, reports each read and write to it as the hybrid does (in
     * arrival order) and notes every style the order range takes.
     */
    static Run run(AdaptiveCompaction adaptive) throws IOException {
        LsmOptions options =
                adaptive == null ? LsmOptions.tiny() : LsmOptions.tiny().withCompactionPolicy(adaptive);
        TreeMap<Bytes, Bytes> model = new TreeMap<>();
        List<Bytes> keys = new ArrayList<>();
        for (int p = 0; p < PRODUCTS; p++) {
            keys.add(price(p));
            keys.add(stock(p));
        }
        for (int o = 0; o < ORDERS; o++) {
            keys.add(order(o));
        }
        Collections.sort(keys);
        Set<Style> orderStyles = EnumSet.noneOf(Style.class);
        int orders = adaptive == null ? -1 : adaptive.rangeOf(order(0));
        long maxLevel0 = 0;
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(5), options)) {
            long n = 0;
            for (Bytes k : keys) {
                store.put(k, value(n));
                model.put(k, value(n++));
                if (adaptive != null) {
                    adaptive.recordWrite(k);
                    orderStyles.add(adaptive.styleOf(orders));
                }
                maxLevel0 = Math.max(maxLevel0, store.stats().filesPerLevel()[0]);
            }
            Style afterLoad = adaptive == null ? null : adaptive.styleOf(orders);
            LsmStore.Stats loaded = store.stats();
            SplittableRandom random = new SplittableRandom(7);
            long nextOrder = ORDERS;
            for (int i = 0; i < MEASURED; i++) {
                int dice = random.nextInt(100);
                Bytes k;
                boolean write;
                if (dice < 45) {
                    k = price(hot(random));
                    write = true;
                } else if (dice < 70) {
                    k = stock(hot(random));
                    read(store, model, adaptive, k);
                    write = true;
                } else if (dice < 85) {
                    k = price(hot(random));
                    write = false;
                } else if (dice < 95) {
                    k = order(nextOrder++);
                    write = true;
                } else {
                    k = order(random.nextLong(nextOrder));
                    write = false;
                }
                if (write) {
                    store.put(k, value(n));
                    model.put(k, value(n++));
                    if (adaptive != null) {
                        adaptive.recordWrite(k);
                    }
                } else {
                    read(store, model, adaptive, k);
                }
                if (adaptive != null) {
                    orderStyles.add(adaptive.styleOf(orders));
                }
                maxLevel0 = Math.max(maxLevel0, store.stats().filesPerLevel()[0]);
            }
            store.flush();
            for (Bytes k : model.keySet()) {
                if (k.hashCode() % 7 == 0) {
                    assertThat(store.get(k), equalTo(Optional.of(model.get(k))));
                }
            }
            return new Run(
                    store.stats(),
                    loaded.compactionBytesWritten(),
                    loaded.flushBytes(),
                    maxLevel0,
                    orderStyles,
                    afterLoad);
        }
    }

    /** A product, skewed towards the first ones as the arena's Zipfian picks are. */
    private static long hot(SplittableRandom random) {
        return random.nextInt(random.nextInt(PRODUCTS) + 1);
    }

    private static void read(LsmStore store, TreeMap<Bytes, Bytes> model, AdaptiveCompaction adaptive, Bytes k)
            throws IOException {
        assertThat("get " + k, store.get(k), equalTo(Optional.ofNullable(model.get(k))));
        if (adaptive != null) {
            adaptive.recordRead(k);
        }
    }

    static AdaptiveCompaction arenaLike() {
        return new AdaptiveCompaction(
                List.of(Bytes.of("price/"), Bytes.of("stock/")), new TimeWindowCompaction(ORDER_TIME, WINDOW));
    }

    @Test
    void aKeyOrderLoadOfOrdersKeyedByCustomerIsNotTakenForTimeOrderedAppends() throws IOException {
        Run leveled = run(null);
        Run adaptive = run(arenaLike());
        String counts = String.format(
                "adaptive: %s (load: %,d bytes rewritten, %,d flushed); leveled: %s (load: %,d rewritten)",
                adaptive, adaptive.loadRewritten(), adaptive.loadFlushed(), leveled, leveled.loadRewritten());
        assertThat(
                "the order range never takes time windows: its keys' time is not their order; " + counts,
                adaptive.orderStyles().contains(Style.TIME_WINDOW),
                is(false));
        assertThat(
                "loaded in key order, the order range is leveled: trivial moves write it once; " + counts,
                adaptive.orderStyleAfterLoad(),
                equalTo(Style.LEVELED));
        assertThat(
                "the load rewrites no more than leveled compaction alone (10% of slack for the cuts at range boundaries); "
                        + counts,
                (double) adaptive.loadRewritten(),
                lessThanOrEqualTo(1.1 * leveled.loadRewritten()));
        assertThat(
                "over the load and the mix, no more bytes written to tables (flushes and compactions) than leveled "
                        + "compaction alone; " + counts,
                adaptive.tableBytesWritten(),
                lessThan(leveled.tableBytesWritten()));
        assertThat("level 0 never reaches the slowdown trigger; " + counts, adaptive.maxLevel0(), lessThan((long)
                LsmOptions.tiny().l0SlowdownTrigger()));
    }
}
