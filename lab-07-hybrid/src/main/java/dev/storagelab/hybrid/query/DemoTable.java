package dev.storagelab.hybrid.query;

import dev.storagelab.bounds.OrderedStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The demo table of the shell and of the planner's figure: {@code orders(id long primary key,
 * price long indexed, region string indexed, note string)}, rows of about 440 bytes (a 400-byte
 * note) whose index entries are about 30: prices uniform in {@code [0, 10^6)}, one of 8 regions.
 */
public final class DemoTable {

    public static final Schema SCHEMA = new Schema(
            "orders",
            List.of(Column.ofLong("id"), Column.ofLong("price"), Column.ofString("region"), Column.ofString("note")),
            "id",
            List.of("price", "region"));
    public static final List<String> REGIONS =
            List.of("africa", "apac", "china", "eu", "india", "latam", "mideast", "us");
    /** Prices are in {@code [0, PRICES)}. */
    public static final long PRICES = 1_000_000;
    /** A note's characters. */
    public static final int NOTE_CHARS = 400;

    private DemoTable() {}

    /** Row {@code id}, its other values drawn from {@code random}. */
    public static Row row(long id, Random random) {
        char[] note = new char[NOTE_CHARS];
        Arrays.fill(note, (char) ('a' + random.nextInt(26)));
        return Row.of(
                id, (long) random.nextInt((int) PRICES), REGIONS.get(random.nextInt(REGIONS.size())), new String(note));
    }

    /** Writes rows {@code 0 .. rows-1} (seeded) into the table in {@code store}, 500 rows a batch, and returns it. */
    public static Table load(OrderedStore store, int rows, long seed) throws IOException {
        Table t = Table.open(store, SCHEMA);
        Random r = new Random(seed);
        List<Row> batch = new ArrayList<>();
        for (long id = 0; id < rows; id++) {
            batch.add(row(id, r));
            if (batch.size() == 500) {
                t.putAll(batch);
                batch.clear();
            }
        }
        t.putAll(batch);
        return t;
    }
}
