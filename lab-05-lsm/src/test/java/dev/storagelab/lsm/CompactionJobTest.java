package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The given {@link CompactionJob}: what a compaction's merge reads from each input level, and
 * where it cuts its output tables. Tables are written
 * to an in-memory {@link FaultInjectingStorage}; the level below the output (the grandparents) is
 * metadata only, as a compaction never reads it.
 */
class CompactionJobTest {

    private static final long TABLE_BYTES = 40 << 10;
    /** Keys per grandparent table: about 26 KB of entries, past half of {@link #TABLE_BYTES}. */
    private static final int KEYS_PER_GRANDPARENT = 200;

    private final FaultInjectingStorage storage = new FaultInjectingStorage();
    private final AtomicLong numbers = new AtomicLong(100);

    private static Bytes user(int i) {
        return Bytes.of(String.format("user:%06d", i));
    }

    /** A value of 100 bytes that starts with the sequence number of the version it belongs to. */
    private static byte[] value(long sequence) {
        return ByteBuffer.allocate(100).putLong(sequence).array();
    }

    /** A table of the puts of {@code user(from)} to {@code user(to - 1)}, key {@code i} at {@code sequence(i)}. */
    private FileMeta writeTable(long number, int from, int to, IntToLongFunction sequence) throws IOException {
        try (TableBuilder b = new TableBuilder(storage, LsmFileNames.table(number), TableBuilder.Options.defaults())) {
            for (int i = from; i < to; i++) {
                b.add(new InternalKey(user(i), sequence.applyAsLong(i), ValueType.PUT), value(sequence.applyAsLong(i)));
            }
            TableBuilder.Result r = b.finish();
            return new FileMeta(number, r.fileSize(), r.smallest(), r.largest());
        }
    }

    private static FileMeta grandparent(long number, int from, int to) {
        return new FileMeta(
                number,
                30 << 10,
                new InternalKey(user(from), 1, ValueType.PUT),
                new InternalKey(user(to), 1, ValueType.PUT));
    }

    private List<FileMeta> compactIntoLevel1(LsmOptions options, int keys, int grandparentTables) throws IOException {
        FileMeta input = writeTable(1, 0, keys, i -> i + 1);
        VersionEdit edit = new VersionEdit().addFile(1, input);
        for (int g = 0; g < grandparentTables; g++) {
            edit.addFile(2, grandparent(10 + g, g * KEYS_PER_GRANDPARENT, (g + 1) * KEYS_PER_GRANDPARENT - 1));
        }
        Version v = Version.empty().apply(edit);
        TableCache tables = new TableCache(storage, null);
        CompactionJob job = new CompactionJob(storage, tables, options, numbers::incrementAndGet, new AtomicLong());
        Compaction c = new Compaction(1, List.of(input), List.of());
        try {
            return job.compact(c, TABLE_BYTES, new CompactionJob.DropRules(keys, -1, v, 1, null));
        } finally {
            tables.close();
        }
    }

    private static List<String> largestKeys(List<FileMeta> tables) {
        List<String> out = new ArrayList<>();
        for (FileMeta f : tables) {
            out.add(f.largest().userKey().toString());
        }
        return out;
    }

    @Test
    void leveledOutputTablesEndWhereATableOfTheLevelBelowEnds() throws IOException {
        List<FileMeta> out = compactIntoLevel1(LsmOptions.defaults(), 5 * KEYS_PER_GRANDPARENT, 5);
        List<String> expected = new ArrayList<>();
        for (int g = 0; g < 5; g++) {
            expected.add(user((g + 1) * KEYS_PER_GRANDPARENT - 1).toString());
        }
        assertThat(
                "a table past half its size limit ends where a grandparent ends, so that it overlaps one"
                        + " grandparent when it moves down (at the size limit alone it would end near key 355, inside the second)",
                largestKeys(out),
                equalTo(expected));
        for (FileMeta f : out) {
            assertThat(
                    "no output table passes the size limit by more than an entry",
                    f.size(),
                    lessThanOrEqualTo(TABLE_BYTES + 4096));
        }
    }

    @Test
    void tieredOutputsAreCutAtTheSizeLimitAlone() throws IOException {
        LsmOptions tiered = LsmOptions.defaults().withCompaction(LsmOptions.CompactionStyle.TIERED);
        List<FileMeta> out = compactIntoLevel1(tiered, 5 * KEYS_PER_GRANDPARENT, 5);
        assertThat("1,000 entries of about 122 bytes make more than one table", out.size(), greaterThan(1));
        for (FileMeta f : out.subList(0, out.size() - 1)) {
            assertThat(
                    "a size-tiered compaction starts a new table only at the size limit: " + largestKeys(out),
                    f.size(),
                    greaterThanOrEqualTo(TABLE_BYTES));
        }
    }

    /**
     * Compacts {@code inputs} into {@code output} with every older version of a key droppable (every
     * sequence number below the smallest snapshot's, no deletion) and returns what the output tables hold, user key by user key, checking
     * on the way that they hold it in strictly increasing user-key order, one version each.
     */
    private TreeMap<String, Long> compactAndRead(SortedMap<Integer, List<FileMeta>> inputs, int output)
            throws IOException {
        TableCache tables = new TableCache(storage, null);
        try {
            CompactionJob job = new CompactionJob(
                    storage, tables, LsmOptions.defaults(), numbers::incrementAndGet, new AtomicLong());
            List<FileMeta> out = job.compact(
                    new Compaction(inputs, output),
                    TABLE_BYTES,
                    new CompactionJob.DropRules(1_000, -1, Version.empty(), output, null));
            TreeMap<String, Long> read = new TreeMap<>();
            String previous = null;
            for (FileMeta f : out) {
                try (Table.Cursor c = tables.table(f).cursor()) {
                    for (c.seekToFirst(); c.valid(); c.next()) {
                        InternalKey k = InternalKey.decode(c.key(), 0, c.key().length, f.toString(), 0);
                        String user = k.userKey().toString();
                        if (previous != null) {
                            assertThat(
                                    "the output holds one version of each user key, in increasing order: " + user
                                            + " after " + previous,
                                    user.compareTo(previous),
                                    greaterThan(0));
                        }
                        previous = user;
                        assertThat(
                                "the value of " + k + " is the one written with it",
                                ByteBuffer.wrap(c.value()).getLong(),
                                equalTo(k.sequence()));
                        read.put(user, k.sequence());
                    }
                }
            }
            return read;
        } finally {
            tables.close();
        }
    }

    /** The newest sequence number of each user key over {@code tables} of (from, to, sequence). */
    private static TreeMap<String, Long> newest(int[][] tables) {
        TreeMap<String, Long> newest = new TreeMap<>();
        for (int[] t : tables) {
            for (int i = t[0]; i < t[1]; i++) {
                newest.merge(user(i).toString(), (long) t[2], Math::max);
            }
        }
        return newest;
    }

    @Test
    void aLevelWhoseTablesOverlapIsMergedTableByTableTheNewestVersionWinning() throws IOException {
        // One level of three overlapping runs, as a size-tiered range's level may hold: [from, to, sequence].
        int[][] runs = {{100, 400, 2}, {0, 300, 1}, {200, 500, 3}};
        List<FileMeta> level = new ArrayList<>();
        for (int[] r : runs) {
            level.add(writeTable(level.size() + 1, r[0], r[1], i -> r[2]));
        }
        TreeMap<String, Long> read = compactAndRead(new TreeMap<>(Map.of(1, level)), 1);
        assertThat(
                "a level whose tables overlap is merged in key order, the newest version of each key kept",
                read,
                equalTo(newest(runs)));
    }

    @Test
    void aLevelOfDisjointTablesHandedOutOfKeyOrderIsMergedInKeyOrder() throws IOException {
        // Level 0: two overlapping tables; level 1: three disjoint tables listed from the last key
        // range to the first (as a picker that grows a compaction adds them); level 2: one table.
        int[][] l0 = {{50, 150, 9}, {120, 260, 8}};
        int[][] l1 = {{200, 300, 5}, {100, 200, 6}, {0, 100, 7}};
        int[][] l2 = {{0, 400, 1}};
        SortedMap<Integer, List<FileMeta>> inputs = new TreeMap<>();
        int[][][] levels = {l0, l1, l2};
        long number = 1;
        for (int level = 0; level < levels.length; level++) {
            List<FileMeta> files = new ArrayList<>();
            for (int[] t : levels[level]) {
                files.add(writeTable(number++, t[0], t[1], i -> t[2]));
            }
            inputs.put(level, files);
        }
        TreeMap<String, Long> read = compactAndRead(inputs, 2);
        int[][] all = {l0[0], l0[1], l1[0], l1[1], l1[2], l2[0]};
        assertThat(
                "every input level is read in key order whatever order its tables are listed in, the newest"
                        + " version of each key kept",
                read,
                equalTo(newest(all)));
    }
}
