package dev.storagelab.hybrid.query.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.query.ColumnType;
import dev.storagelab.hybrid.query.Predicate;
import dev.storagelab.hybrid.query.QueryFixtures;
import dev.storagelab.hybrid.query.Row;
import dev.storagelab.hybrid.query.RowFormat;
import dev.storagelab.hybrid.query.TableKeys;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Given code of T11: the keys' order-preserving encodings and the row format. */
class TableKeysTest {

    private final TableKeys keys = new TableKeys(QueryFixtures.ORDERS);

    @Test
    void longsKeepTheirOrderNegativesFirst() {
        long[] v = {Long.MIN_VALUE, -1_000_000, -1, 0, 1, 255, 256, 1L << 40, Long.MAX_VALUE};
        for (int i = 1; i < v.length; i++) {
            assertThat(
                    v[i - 1] + " before " + v[i],
                    TableKeys.encode(ColumnType.LONG, v[i - 1]).compareTo(TableKeys.encode(ColumnType.LONG, v[i])),
                    lessThan(0));
        }
        assertThat(TableKeys.decodeLong(TableKeys.encode(ColumnType.LONG, -42L).toByteArray(), 0), equalTo(-42L));
    }

    @Test
    void stringsKeepTheirByteOrderAndAPrimaryKeyAfterThemCannotChangeIt() {
        List<String> v = List.of("", "a", "a\u0000", "a\u0000b", "ab", "b", "\u00e9");
        for (int i = 1; i < v.size(); i++) {
            Bytes a = keys.indexKey("region", v.get(i - 1), Long.MAX_VALUE);
            Bytes b = keys.indexKey("region", v.get(i), Long.MIN_VALUE);
            assertThat(
                    "'" + v.get(i - 1) + "' with the largest pk before '" + v.get(i) + "' with the smallest",
                    a.compareTo(b),
                    lessThan(0));
        }
    }

    @Test
    void anIndexEntryPointsAtItsRow() throws CorruptionException {
        assertThat(
                keys.rowKeyOfIndexEntry("region", keys.indexKey("region", "e\u0000u", 77L)), equalTo(keys.rowKey(77L)));
        assertThat(keys.rowKeyOfIndexEntry("price", keys.indexKey("price", -5L, 78L)), equalTo(keys.rowKey(78L)));
        assertThat(keys.rowKey(1L).toString(), containsString("orders/r/"));
        assertThrows(
                CorruptionException.class, () -> keys.rowKeyOfIndexEntry("price", keys.indexKey("region", "eu", 1L)));
    }

    @Test
    void indexRangesHonourInclusiveAndExclusiveEnds() {
        Bytes[] closed = keys.indexRange("price", Predicate.between("price", 10L, 20L));
        Bytes[] open = keys.indexRange("price", new Predicate("price", 10L, false, 20L, false));
        for (long v = 9; v <= 21; v++) {
            Bytes k = keys.indexKey("price", v, 5L);
            boolean inClosed = k.compareTo(closed[0]) >= 0 && k.compareTo(closed[1]) < 0;
            boolean inOpen = k.compareTo(open[0]) >= 0 && k.compareTo(open[1]) < 0;
            assertThat("price " + v + " in [10, 20]", inClosed, equalTo(v >= 10 && v <= 20));
            assertThat("price " + v + " in (10, 20)", inOpen, equalTo(v > 10 && v < 20));
        }
        Bytes[] empty = keys.indexRange("price", Predicate.between("price", 5L, 3L));
        assertThat("an empty range", empty[0], equalTo(empty[1]));
    }

    @Test
    void aRowRoundTripsAndCorruptionNamesTheKeyAndOffset() throws CorruptionException {
        Row row = Row.of(7L, -3L, "\u00e9t\u00e9", "");
        Bytes key = keys.rowKey(7L);
        assertThat(RowFormat.decode(QueryFixtures.ORDERS, key, RowFormat.encode(row)), equalTo(row));
        byte[] bad = RowFormat.encode(row).toByteArray();
        bad[3] = 2; // the id's tag says string
        CorruptionException e = assertThrows(
                CorruptionException.class, () -> RowFormat.decode(QueryFixtures.ORDERS, key, Bytes.wrap(bad)));
        assertThat(e.getMessage(), containsString("orders/r/"));
        assertThat(e.getMessage(), containsString("tag 2"));
        byte[] cut = java.util.Arrays.copyOf(RowFormat.encode(row).toByteArray(), 10);
        assertThrows(CorruptionException.class, () -> RowFormat.decode(QueryFixtures.ORDERS, key, Bytes.wrap(cut)));
    }
}
