package dev.storagelab.workbench.tables;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./storagelab figures baseline-table} over a small set of runs written here: each figure is
 * the median of its cell's runs, ratios are taken between medians, and a cell with no run, with a
 * failed run or at another size says so, with the reason the runs left.
 */
class BaselineTableTest {

    @TempDir
    Path dir;

    /** One workbench result as {@code workload --json} writes it, with the fields the table reads. */
    private void run(
            String engine,
            String workload,
            int n,
            long keys,
            long ops,
            double opsPerSecond,
            double p50,
            double p99,
            String counters,
            String load)
            throws IOException {
        String op = workload.startsWith("fill") || workload.equals("overwrite") ? "put" : "get";
        String json = String.format(
                Locale.ROOT,
                "{\"engine\": \"%s\", \"workload\": \"%s\", \"spec\": {\"keys\": %d, \"ops\": %d, \"valueBytes\": 100,"
                        + " \"seed\": 42}, \"seconds\": %f, \"opsPerSecond\": %f, \"latency\": {\"%s\": {\"count\": %d,"
                        + " \"p50\": %f, \"p99\": %f}}, \"operations\": {\"gets\": 0, \"writes\": %d, \"scans\": 0},"
                        + " \"counters\": {%s}, \"gauges\": {\"heap_held_bytes\": 10485760}}",
                engine,
                workload,
                keys,
                ops,
                ops / opsPerSecond,
                opsPerSecond,
                op,
                ops,
                p50,
                p99,
                op.equals("put") ? ops : 0,
                counters);
        Files.writeString(dir.resolve(engine + "-" + workload + "-" + n + ".json"), json);
        Files.writeString(dir.resolve(engine + "-" + workload + "-" + n + ".load"), load);
    }

    @BeforeEach
    void runs() throws IOException {
        Files.writeString(dir.resolve("machine.txt"), "2 processors (a test)\n4.0 GiB of memory\n");
        run(
                "btree",
                "fillrandom",
                1,
                1000,
                1000,
                100_000,
                5,
                50,
                "\"write_amplification\": 30.0, \"forces\": 2",
                "1.0 2.0");
        run(
                "btree",
                "fillrandom",
                2,
                1000,
                1000,
                300_000,
                7,
                70,
                "\"write_amplification\": 40.0, \"forces\": 4",
                "2.0 3.0");
        run("btree", "readrandom", 1, 1000, 100, 50_000, 10, 100, "\"page_reads_per_get\": 1.5", "1.5 1.5");
        run("btree", "readrandom", 2, 1000, 100, 70_000, 12, 120, "\"page_reads_per_get\": 2.5", "1.5 1.5");
        run("h2-pool", "fillrandom", 1, 1000, 1000, 50_000, 9, 90, "", "1.0 1.0");
        run("h2-pool", "fillrandom", 2, 1000, 1000, 100_000, 9, 90, "", "1.0 1.0");
        run("h2-pool", "readrandom", 1, 1000, 100, 25_000, 9, 90, "", "1.0 1.0");
        run("h2-pool", "readrandom", 2, 1000, 100, 35_000, 9, 90, "", "1.0 1.0");
        // kv's puts are forced commits: its fill is taken at 10 keys, the table's is 1,000
        run("kv", "fillrandom", 1, 10, 10, 400, 2000, 9000, "\"forces\": 10", "1.0 1.0");
        run("kv", "fillrandom", 2, 10, 10, 500, 2000, 9000, "\"forces\": 10", "1.0 1.0");
        run("kv", "readrandom", 1, 1000, 100, 80_000, 9, 90, "", "1.0 1.0");
        // lsm's second readrandom failed; bst's fillseq is not run
        run("lsm", "fillrandom", 1, 1000, 1000, 200_000, 4, 40, "", "1.0 1.0");
        run("lsm", "fillrandom", 2, 1000, 1000, 220_000, 4, 40, "", "1.0 1.0");
        run("lsm", "readrandom", 1, 1000, 100, 90_000, 8, 80, "", "1.0 1.0");
        Files.writeString(dir.resolve("lsm-readrandom-2.failed"), "failed (exit 1): out of memory\n");
        Files.writeString(dir.resolve("bst-fillseq.skipped"), "not run: sequential keys make it a list\n");
    }

    private List<String> table(String... engines) throws Exception {
        BaselineTable c = new BaselineTable();
        c.dir = dir;
        c.engines = List.of(engines);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(c.call(), is(0));
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The rows of the table under {@code heading}, up to the next blank line after it. */
    private static List<String> rows(List<String> lines, String heading) {
        int h = lines.indexOf(heading);
        assertThat(heading, h >= 0, is(true));
        int start = h + 1;
        while (!lines.get(start).startsWith("|")) {
            start++;
        }
        int end = start;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        return lines.subList(start, end);
    }

    @Test
    void eachCellIsTheMedianOfItsRunsAndEachRatioIsOfTheMedians() throws Exception {
        List<String> t = table("btree", "kv", "lsm", "h2-pool");
        assertThat(
                rows(t, "### Throughput, operations per second"),
                equalTo(List.of(
                        "| engine, ops/s | fillrandom | readrandom |",
                        "| --- | ---: | ---: |",
                        "| `btree` | 200,000 | 60,000 |",
                        "| `kv` | 450 † | 80,000 |",
                        "| `lsm` | 210,000 | 90,000 |",
                        "| `h2-pool` | 75,000 | 30,000 |")));
        assertThat(rows(t, "### Latency, p50 / p99 µs"), hasItem("| `btree` | 6.0 / 60 | 11.0 / 110 |"));
        // kv's fill at another size has no ratio to the B+tree's
        assertThat(
                rows(t, "### Ratios to the B+tree"),
                equalTo(List.of(
                        "| engine, over btree | fillrandom | readrandom |",
                        "| --- | ---: | ---: |",
                        "| `btree` | 1.00 | 1.00 |",
                        "| `kv` | – | 1.33 |",
                        "| `lsm` | 1.05 | 1.50 |",
                        "| `h2-pool` | 0.38 | 0.50 |")));
        assertThat(
                rows(t, "### On equal terms"),
                equalTo(List.of(
                        "| workload | `btree` / `h2-pool` |",
                        "| --- | ---: |",
                        "| fillrandom | **2.67** (2.00, 3.00) |",
                        "| readrandom | **2.00** (2.00, 2.00) |")));
        assertThat(
                rows(t, "### The engines' counters"), hasItem("| `btree` | 35.00 | – | 3.00 | 2.00 | – | 10.0 | – |"));
        assertThat(rows(t, "### The engines' counters"), hasItem("| `kv` | – | – | 1,000.00 | – | – | 10.0 | – |"));
    }

    @Test
    void theMachineTheLoadAndTheSizeAreSaid() throws Exception {
        List<String> t = table("btree", "kv", "lsm", "h2-pool");
        assertThat(t.get(0), equalTo("Machine: 2 processors (a test); 4.0 GiB of memory."));
        assertThat(t.get(2), equalTo("Load average (one minute) before and after each run: 1.0 to 3.0, median 1.0."));
        assertThat(t.get(4), containsString("1,000 keys of 16 bytes with 100-byte values"));
        assertThat(t.get(4), containsString("runs 100 measured operations; 2 runs a cell"));
        // btree fillrandom: 100,000 and 300,000, their median's 100% apart, the widest
        assertThat(t.get(6), containsString("100% at the widest (btree fillrandom)"));
    }

    @Test
    void aMissingCellIsADashWithItsReason() throws Exception {
        List<String> t = table("bst", "btree", "kv", "lsm");
        assertThat(rows(t, "### Throughput, operations per second"), hasItem("| `bst` | – | – | – |"));
        assertThat(t, hasItem("- `bst` fillseq: not run: sequential keys make it a list."));
        assertThat(t, hasItem("- `bst` fillrandom: no run in the folder."));
        assertThat(t, hasItem("- `lsm` readrandom: 1 of 2 runs; run 2 failed (exit 1): out of memory."));
        assertThat(t, hasItem("- `kv` fillrandom †: 10 keys and 10 operations, not the table's 1,000 keys."));
        assertThat(t, hasItem("- `btree` fillseq: no run in the folder."));
        assertThat(t, not(hasItem(startsWith("- `btree` fillrandom"))));
    }

    @Test
    void theEnginesAreThoseWithRunsInTheFolderInTheBaselinesOrder() throws Exception {
        assertThat(
                rows(table(), "### Throughput, operations per second").get(0),
                equalTo("| engine, ops/s | fillseq | fillrandom | readrandom |"));
        BaselineTable.Baseline b = BaselineTable.Baseline.read(dir, List.of());
        assertThat(b.engines(), equalTo(List.of("bst", "btree", "lsm", "kv", "h2-pool")));
        assertThat(b.workloads(), equalTo(List.of("fillseq", "fillrandom", "readrandom")));
    }

    @Test
    void thePageGetsTheTablesBetweenItsMarkersAndNothingElseChanges() throws Exception {
        Path page = dir.resolve("page.md");
        Files.writeString(
                page,
                "# Benchmarks\n\nprose\n\n" + BaselineTable.BEGIN + "\nold tables\n" + BaselineTable.END
                        + "\n\nmore prose\n");
        BaselineTable c = new BaselineTable();
        c.dir = dir;
        c.page = page;
        c.out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        c.call();
        String written = Files.readString(page);
        assertThat(written, not(containsString("old tables")));
        assertThat(written, containsString("# Benchmarks\n\nprose\n\n" + BaselineTable.BEGIN + "\n\nMachine: "));
        assertThat(written, containsString("| `btree` | – | 200,000 | 60,000 |"));
        assertThat(written.endsWith(BaselineTable.END + "\n\nmore prose\n"), is(true));
        // again: the same page
        c.call();
        assertThat(Files.readString(page), equalTo(written));

        Files.writeString(page, "# Benchmarks without markers\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::call);
        assertThat(e.getMessage(), containsString("the page needs the line " + BaselineTable.BEGIN));
    }

    /** notes/benchmarks.md shows the tables of the runs in notes/data/bench, as the command prints them, and no other. */
    @Test
    void theBenchmarksPageShowsTheTablesOfItsRuns() throws Exception {
        Path root = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
        String page = Files.readString(root.resolve("notes/benchmarks.md"), StandardCharsets.UTF_8);
        String tables = BaselineTable.Baseline.read(root.resolve("notes/data/bench"), List.of())
                .markdown("notes/data/bench");
        assertThat(
                "notes/benchmarks.md's tables are not those of notes/data/bench: run ./storagelab figures baseline-table"
                        + " notes/data/bench --page notes/benchmarks.md",
                BaselineTable.intoPage(page, tables),
                equalTo(page));
    }
}
