package dev.storagelab.workbench.workloads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.lsm.LsmOptions.CompactionStyle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code lsm-sim}: the lab-05 store's policies in memory. What a student should be able to read off
 * it: leveled compaction rewrites data many times under random writes, tiered far fewer, and
 * sequential writes cost either almost nothing beyond the flush (tables move down untouched).
 */
class LsmSimulatorTest {

    private static double run(CompactionStyle policy, LsmSimulator.Pattern pattern, StringBuilder text)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long keys = pattern == LsmSimulator.Pattern.SEQUENTIAL ? 60_000 : 20_000; // sequential: inserts only
        double w = LsmSimulator.run(
                policy, 10, 1, keys, 60_000, pattern, 100, 3, 7, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        text.append(bytes.toString(StandardCharsets.UTF_8));
        return w;
    }

    @Test
    void leveledRewritesMoreThanTieredAndSequentialWritesAreCheap() throws IOException {
        StringBuilder text = new StringBuilder();
        double leveled = run(CompactionStyle.LEVELED, LsmSimulator.Pattern.UNIFORM, text);
        double tiered = run(CompactionStyle.TIERED, LsmSimulator.Pattern.UNIFORM, text);
        double sequential = run(CompactionStyle.LEVELED, LsmSimulator.Pattern.SEQUENTIAL, text);
        assertThat("uniform random writes, leveled: several rewrites per byte\n" + text, leveled, greaterThan(4.0));
        assertThat("tiered writes less than leveled on the same writes\n" + text, tiered, lessThan(leveled));
        assertThat(
                "sequential writes, leveled: log + flush + little else (trivial moves)\n" + text,
                sequential,
                both(greaterThan(1.5)).and(lessThan(4.0)));
        assertThat(text.toString(), containsString("write amplification"));
        assertThat("the levels are shown as they grow", text.toString(), containsString(" L2: "));
        assertThat(text.toString(), containsString("trivial moves"));
    }

    @Test
    void realSizesBuildTheStoresOwnTree() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // A memtable charges 172 bytes a put (key, value, trailer and node): 4 MiB hold 24,000 puts,
        // so 30,000 puts make one flush and leave the rest in the next memtable.
        double w = LsmSimulator.run(
                CompactionStyle.LEVELED,
                10,
                1,
                30_000,
                30_000,
                LsmSimulator.Pattern.UNIFORM,
                100,
                1,
                7,
                LsmSimulator.Sizes.REAL,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text, containsString("memtable 4 MiB, level 1 10 MiB, tables 2 MiB"));
        assertThat("one flush, nothing compacted yet\n" + text, text, containsString(" L0: 1 ("));
        assertThat(
                "the log (1.2 with its framing), and a flush of four fifths of the writes\n" + text,
                w,
                both(greaterThan(1.8)).and(lessThan(2.2)));
    }
}
