package dev.storagelab.workbench.figures;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import dev.storagelab.hybrid.cost.Calibrator;
import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.lsm.BloomFilter;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.workbench.workloads.LsmSimulator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notes' deterministic figures, run again: each test reads a figure where the notes quote it,
 * checks that the notes name the command that produced it, runs that command's code at the size
 * the notes name, and fails when the result has drifted from the quoted figure by more than the
 * tolerance stated here (and in the notes beside the figure). A change to the code that moves a
 * figure must move the notes with it. Figures measured on a machine (throughput, latency on a
 * real disk) are stated once with their conditions and are not checked here; but every figure,
 * measured or not, names the command that produced it ({@link FigureCommands}).
 */
class NotesFiguresTest {

    /** A simulation's write amplification: within 0.5% of the notes' figure. */
    private static final double SIMULATION_TOLERANCE = 0.005;
    /** A simulated device's engine figures: within 0.1%. */
    private static final double DEVICE_TOLERANCE = 0.001;
    /** A false-positive rate over a fixed set of keys: within 0.01 percentage points. */
    private static final double RATE_TOLERANCE = 0.0001;

    @TempDir
    Path tmp;

    private static Path root() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
    }

    private static String notes(String chapter) throws IOException {
        return Files.readString(root().resolve("notes").resolve(chapter), StandardCharsets.UTF_8);
    }

    /** The notes' chapters, their benchmarks and audit pages, and the labs' handouts: every document with figures. */
    private static List<Path> documentsWithFigures() throws IOException {
        List<Path> documents = new ArrayList<>();
        try (Stream<Path> notes = Files.list(root().resolve("notes"))) {
            notes.filter(p -> p.getFileName().toString().endsWith(".md")
                            && !p.getFileName().toString().equals("glossary.md"))
                    .sorted()
                    .forEach(documents::add);
        }
        try (Stream<Path> labs = Files.list(root())) {
            labs.filter(p -> p.getFileName().toString().startsWith("lab-"))
                    .map(p -> p.resolve("README.md"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .forEach(documents::add);
        }
        return documents;
    }

    @Test
    void everyFigureOfTheNotesAndHandoutsNamesTheCommandThatProducedIt() throws IOException {
        List<Path> documents = documentsWithFigures();
        assertThat("the chapters and handouts are found", documents.size() > 14, is(true));
        List<String> missing = new ArrayList<>();
        for (Path doc : documents) {
            for (String figure : FigureCommands.withoutCommand(Files.readString(doc, StandardCharsets.UTF_8))) {
                missing.add(root().relativize(doc) + " " + figure);
            }
        }
        assertThat(
                "figures (a table of numbers, an image) with no command in their caption or above them in their section"
                        + " (a table: within " + FigureCommands.LINES_BEFORE
                        + " lines): name the `./storagelab` verb, the `notes/figures/`"
                        + " script, or the `mvn`/`java` command that produced each, or say \"no command kept\" and how it was taken",
                missing,
                empty());
    }

    @Test
    void aFigureWithoutItsCommandIsFound() {
        String doc = String.join(
                "\n",
                "## A section with a command",
                "Measured with `./storagelab workload --engine lsm --workload fillrandom`:",
                "",
                "| workload | ops/s |",
                "| --- | ---: |",
                "| fillrandom | 120,000 |",
                "",
                "## A section without one",
                "",
                "| workload | ops/s |",
                "| --- | ---: |",
                "| readrandom | 300,000 |",
                "",
                "![a plot](figures/plot.png)",
                "",
                "## A caption names it",
                "",
                "![a plot](figures/plot.png)",
                "",
                "(Drawn by `notes/figures/measure_lab01.sh`.)",
                "",
                "## A format's constants, a command in code that is no figure",
                "",
                FigureCommands.NOT_A_MEASUREMENT + "a format's constants -->",
                "| constant | value |",
                "| --- | ---: |",
                "| MAGIC | 0x5354 |",
                "",
                "```",
                "| a | 1 |",
                "```",
                "",
                "| words | only |",
                "| --- | --- |",
                "| no | digits |");
        assertThat(
                FigureCommands.withoutCommand(doc),
                contains("line 10: | workload | ops/s |", "line 14: ![a plot](figures/plot.png)"));
    }

    @Test
    void aCommandFarAboveAFigureDoesNotNameIt() {
        List<String> lines = new ArrayList<>(List.of(
                "## A long section",
                "Measured with `./storagelab workload --engine lsm --workload fillrandom`:",
                "",
                "| workload | ops/s |",
                "| --- | ---: |",
                "| fillrandom | 120,000 |"));
        for (int i = 0; i < FigureCommands.LINES_BEFORE; i++) {
            lines.add("Prose about the table above, line " + i + ".");
        }
        lines.addAll(List.of(
                "",
                "| workload | ops/s |",
                "| --- | ---: |",
                "| readrandom | 300,000 |",
                "",
                "## Counted by hand",
                "",
                "The third table's own words (no command kept: counted by hand on 2026-11-20):",
                "",
                "| workload | ops/s |",
                "| --- | ---: |",
                "| readmissing | 500,000 |",
                "",
                "| workload | ops/s |",
                "| --- | ---: |",
                "| seekrandom | 20,000 |",
                "",
                "(The same run: `./storagelab workload --engine lsm --workload seekrandom`.)"));
        String doc = String.join("\n", lines);
        int second = 6 + FigureCommands.LINES_BEFORE + 2;
        assertThat(
                "a command more than " + FigureCommands.LINES_BEFORE + " lines above, in the same section",
                FigureCommands.withoutCommand(doc),
                contains("line " + second + ": | workload | ops/s |"));
        // The same command moved to just above the second table: every table is named.
        String near = doc.replace(
                "Prose about the table above, line " + (FigureCommands.LINES_BEFORE - 1) + ".",
                "The same run's reads: `./storagelab workload --engine lsm --workload readrandom`.");
        assertThat(FigureCommands.withoutCommand(near), empty());
    }

    @Test
    void aPlotsFileAndAPythonScriptAreNoCommandButTheCommandThatDrewItIs() {
        String doc = String.join(
                "\n",
                "## Hit rates",
                "(plotted in `notes/figures/lab07-cache-hit-rates.png`):",
                "",
                "| entries | ARC | LRU |",
                "| ---: | ---: | ---: |",
                "| 1,000 | 41.2% | 35.0% |");
        assertThat(FigureCommands.withoutCommand(doc), contains("line 4: | entries | ARC | LRU |"));
        assertThat(
                "no figure needs Python: a Python script is no command",
                FigureCommands.withoutCommand(
                        doc.replace(
                                "(plotted in `notes/figures/lab07-cache-hit-rates.png`)",
                                "(plotted by `python3 notes/figures/plot_lab07_cache.py notes/data/lab07/cache-hit-rates.csv`)")),
                contains("line 4: | entries | ARC | LRU |"));
        assertThat(
                FigureCommands.withoutCommand(doc.replace(
                        "(plotted in `notes/figures/lab07-cache-hit-rates.png`)",
                        "(plotted by `./storagelab figures`)")),
                empty());
    }

    /** The numbers {@code pattern}'s groups capture in {@code text} (thousands separators dropped); fails if it is not there. */
    private static List<Double> quoted(String text, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        assertThat("the notes quote the figure: " + pattern, m.find(), is(true));
        List<Double> numbers = new ArrayList<>();
        for (int g = 1; g <= m.groupCount(); g++) {
            numbers.add(Double.parseDouble(m.group(g).replace(",", "")));
        }
        return numbers;
    }

    private static double lsmSim(LsmOptions.CompactionStyle policy, long keys, long writes) throws IOException {
        return LsmSimulator.run(
                policy,
                10,
                1,
                keys,
                writes,
                LsmSimulator.Pattern.UNIFORM,
                100,
                10,
                42,
                new PrintStream(OutputStream.nullOutputStream()));
    }

    /**
     * §5.8's table is at 100,000 keys and 400,000 writes (minutes of CPU); the check runs the size
     * the notes record beside it, a tenth of that, whose figures the notes quote too.
     */
    @Test
    void lsmSimsWriteAmplificationAtTheSizeTheNotesRecordForTheCheck() throws IOException {
        String notes = notes("05-lsm.md");
        assertThat(notes, containsString("`./storagelab lsm-sim --policy leveled --keys 100000 --writes 400000`"));
        List<Double> small = quoted(
                notes,
                "`./storagelab lsm-sim --policy leveled --keys 10000 --writes 40000`, which prints a write"
                        + "\\s+amplification of ([\\d.]+) \\(([\\d.]+) with `--policy tiered`\\)");
        assertThat(
                "leveled",
                lsmSim(LsmOptions.CompactionStyle.LEVELED, 10_000, 40_000),
                closeTo(small.get(0), small.get(0) * SIMULATION_TOLERANCE));
        assertThat(
                "tiered",
                lsmSim(LsmOptions.CompactionStyle.TIERED, 10_000, 40_000),
                closeTo(small.get(1), small.get(1) * SIMULATION_TOLERANCE));
    }

    @Test
    void theSimulatedDevicesEngineFigures() throws IOException {
        String notes = notes("07-hybrid.md");
        String[][] devices = {{"hdd", "hdd, simulated"}, {"object-store", "object store, simulated"}};
        for (String[] d : devices) {
            assertThat(notes, containsString("`./storagelab hybrid-calibrate --device " + d[0] + "`"));
            // | profile | ... | B+tree get / put µs | LSM get / put µs |
            List<Double> q = quoted(
                    notes, "\\| " + d[1] + " \\|[^\\n]*\\| ([\\d,.]+) / ([\\d,.]+) \\| ([\\d,.]+) / ([\\d,.]+) \\|");
            HardwareProfile p =
                    Calibrator.calibrate(DiskStorage.open(Files.createDirectories(tmp.resolve(d[0]))), d[0], 10_000);
            double[] measured = {p.btreeGetMicros(), p.btreePutMicros(), p.lsmGetMicros(), p.lsmPutMicros()};
            String[] names = {"B+tree get", "B+tree put", "LSM get", "LSM put"};
            for (int i = 0; i < measured.length; i++) {
                // Quoted to a tenth of a microsecond: the tolerance is never below that rounding.
                double tolerance = Math.max(0.05, q.get(i) * DEVICE_TOLERANCE);
                assertThat(d[0] + ": " + names[i], measured[i], closeTo(q.get(i), tolerance));
            }
        }
    }

    @Test
    void theBloomFiltersFalsePositiveRateAtTenBitsPerKey() throws Exception {
        String notes = notes("05-lsm.md");
        double quoted =
                quoted(notes, "measures ([\\d.]+)% over a million absent keys").get(0) / 100;
        List<byte[]> added = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            added.add(("present-" + i).getBytes(StandardCharsets.UTF_8));
        }
        BloomFilter filter = BloomFilter.open(BloomFilter.build(added, 10), "notes.sst", 0);
        int falsePositives = 0;
        for (int i = 0; i < 1_000_000; i++) {
            if (filter.mayContain(("absent-" + i).getBytes(StandardCharsets.UTF_8))) {
                falsePositives++;
            }
        }
        assertThat(falsePositives / 1e6, closeTo(quoted, RATE_TOLERANCE));
    }
}
