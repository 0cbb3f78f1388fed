package dev.storagelab.kvstore.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.kvstore.KvOptions.EngineKind;
import dev.storagelab.wal.SyncMode;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notes' measurement programs (notes/figures/measure_lab06.sh) at tiny sizes: they run through
 * the store and report numbers that add up. No timing is checked. StorageMedia touches no store
 * code; {@code QUICK=1 notes/figures/measure_lab06.sh} smokes it.
 */
class MeasurementProgramsTest {

    @TempDir
    Path dir;

    @Test
    void writeTwiceCountsTheLogOnceAndTheEngineOnTop() throws Exception {
        String row = WriteTwice.measure(dir, new WriteTwice.Config(EngineKind.BTREE, SyncMode.GROUP, 16 << 10), 300);
        long user = number(row, "userBytes");
        assertThat("300 puts of a 16-byte key and a 100-byte value", user, equalTo(300L * 116));
        // every commit's key and value is in the log once, with its timestamp, framing and checksum
        assertThat(row, number(row, "logFileBytes"), allOf(greaterThan(user), lessThan(3 * user)));
        assertThat(
                "the storage's count of log bytes is the log's own, plus each segment's header",
                number(row, "logFileBytes") - number(row, "walStatsBytes"),
                allOf(greaterThanOrEqualTo(0L), lessThan(64L)));
        // the closing checkpoint wrote the tree's pages
        assertThat(row, number(row, "engineFileBytes"), greaterThanOrEqualTo(number(row, "btreePageWriteBytes")));
        assertThat(row, number(row, "btreePageWrites"), greaterThan(0L));
        assertThat(row, number(row, "checkpoints"), greaterThanOrEqualTo(1L));
    }

    @Test
    void recoveryTimeReplaysWhatCameAfterTheCheckpoint() throws Exception {
        String json = RecoveryTime.run(dir, new EngineKind[] {EngineKind.LSM}, new long[] {16 << 10}, 1);
        assertThat(
                json,
                allOf(
                        containsString("\"allCommitsRecovered\": true"),
                        containsString("\"coldAllCommitsRecovered\": true")));
        long commits = number(json, "commits");
        assertThat(json, commits, greaterThan(0L));
        assertThat(json, number(json, "replayedRecords"), lessThanOrEqualTo(commits));
        assertThat(
                "the crash came after 1.9 checkpoint intervals of log",
                number(json, "walBytes"),
                greaterThanOrEqualTo((long) (1.9 * (16 << 10))));
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\": (-?[0-9]+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no integer field " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
