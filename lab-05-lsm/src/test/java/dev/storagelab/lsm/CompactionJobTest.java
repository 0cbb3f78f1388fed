package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The given {@link CompactionJob}: where a compaction cuts its output tables. Tables are written
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

    private FileMeta writeTable(long number, int keys) throws IOException {
        try (TableBuilder b = new TableBuilder(storage, LsmFileNames.table(number), TableBuilder.Options.defaults())) {
            for (int i = 0; i < keys; i++) {
                b.add(new InternalKey(user(i), i + 1, ValueType.PUT), new byte[100]);
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
        FileMeta input = writeTable(1, keys);
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
}
