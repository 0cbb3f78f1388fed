package dev.storagelab.workbench.tables;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.workbench.data.Md;
import dev.storagelab.workbench.workloads.ThreadTimes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * The table commands of {@code ./storagelab figures} that the measurement scripts and logs use
 * instead of Python, run on the recorded data: each prints what the notes recorded from it (the
 * tables in the logs' READMEs, every line of {@code runs.log}, the analysis in {@code
 * events-overhead-jmh.txt}), so that a figure redrawn without Python is the figure the notes show.
 */
class TableCommandsTest {

    @TempDir
    Path tmp;

    private static Path data() {
        return Path.of(System.getProperty("basedir", ""))
                .toAbsolutePath()
                .getParent()
                .resolve("notes/data");
    }

    /** What the command printed, and its exit status. */
    private record Printed(int exit, List<String> lines) {}

    private static Printed run(FigureTables.Table command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        command.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = command.call();
        return new Printed(exit, bytes.toString(StandardCharsets.UTF_8).lines().toList());
    }

    /** The lines of {@code printed} that {@code file} does not have, word for word. */
    private static List<String> notIn(List<String> printed, Path file) throws IOException {
        String recorded = Files.readString(file, StandardCharsets.UTF_8);
        return printed.stream().filter(l -> !recorded.contains(l)).toList();
    }

    @Test
    void lsmTableTakesItsRunsInTurnAndPrintsOursOverThePeersWithTheMachine() throws Exception {
        LsmTable c = new LsmTable();
        c.dir = tmp.resolve("runs");
        c.engines = List.of("lsm", "skiplist");
        c.run = true;
        c.keys = 2_000;
        c.ops = 500;
        c.runs = 1;
        c.heap = "256m";
        c.workloads = List.of("fillrandom", "readwhilewriting");
        Printed p = run(c);
        assertThat(p.exit(), is(0));
        assertThat(
                p.lines().get(0), startsWith("machine: " + Runtime.getRuntime().availableProcessors() + " processors"));
        assertThat(p.lines().get(1), startsWith("load average during the runs: "));
        assertThat(p.lines().get(1), org.hamcrest.Matchers.not(containsString("not recorded")));
        assertThat(
                p.lines().get(3),
                equalTo("| workload | lsm ops/s (runs) | skiplist ops/s (runs) | lsm / skiplist | run by run"
                        + " | write amplification, lsm / skiplist | lsm block reads per get |"));
        Pattern row = Pattern.compile("\\| (\\w+) \\| [\\d,]+ \\([\\d,]+k\\) \\| [\\d,]+ \\([\\d,]+k\\) \\|"
                + " \\*\\*\\d+\\.\\d\\d\\*\\* \\| \\d+\\.\\d\\d \\| ([\\d.–]+ / [\\d.–]+|–) \\| (–|\\d\\.\\d{3}) \\|");
        List<String> workloads = new ArrayList<>();
        for (String l : p.lines().subList(5, 7)) {
            Matcher m = row.matcher(l);
            assertThat(l, m.matches(), is(true));
            workloads.add(m.group(1));
        }
        assertThat(workloads, contains("fillrandom", "readwhilewriting"));
        assertThat(p.lines().get(8), startsWith("readwhilewriting's writer, puts/s beside the reads (median): lsm "));
        if (!ThreadTimes.sample().isEmpty()) { // Linux: where each run's processor time went, thread by thread
            assertThat(p.lines().get(9), startsWith("readwhilewriting's threads over the gets, seconds running"));
            assertThat(p.lines().get(10), matchesPattern("  lsm: .*\\d\\.\\d\\d \\(\\d\\.\\d\\d\\).*"));
        }
        for (String e : List.of("lsm", "skiplist")) {
            for (String w : workloads) {
                assertThat(e + "-" + w, Files.isRegularFile(c.dir.resolve(e + "-" + w + "-1.load")), is(true));
            }
        }
        // the same table again from the recorded runs, without taking them
        LsmTable again = new LsmTable();
        again.dir = c.dir;
        again.engines = c.engines;
        again.workloads = c.workloads;
        assertThat(run(again).lines(), equalTo(p.lines()));
    }

    /** A B+tree counts the pages a get reads, not blocks: the last column says so and shows them. */
    @Test
    void lsmTableShowsTheReadsAGetMakesInTheUnitOfItsEngine() throws Exception {
        LsmTable c = new LsmTable();
        c.dir = data().resolve("bench");
        c.engines = List.of("btree-16m", "h2");
        c.workloads = List.of("fillrandom", "readrandom");
        Printed p = run(c);
        assertThat(p.exit(), is(0));
        assertThat(p.lines().get(3), endsWith(" | btree-16m page reads per get |"));
        assertThat(p.lines().get(5), startsWith("| fillrandom |"));
        assertThat(p.lines().get(5), endsWith(" | – |"));
        assertThat(p.lines().get(6), startsWith("| readrandom |"));
        assertThat(p.lines().get(6), matchesPattern(".* \\| \\d\\.\\d{3} \\|"));
    }

    @Test
    void lsmTableRefusesAWorkloadThatIsNotDbBenchs() {
        LsmTable c = new LsmTable();
        c.dir = tmp;
        c.workloads = List.of("ycsb-a");
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, c::call);
        assertThat(e.getMessage(), containsString("no db_bench workload named 'ycsb-a'"));
    }

    @Test
    void redesignTableIsTheOneItsLogRecorded() throws Exception {
        LogTables.RedesignTable c = new LogTables.RedesignTable();
        c.dir = data().resolve("redesign-ab");
        List<String> lines = run(c).lines();
        assertThat(lines, hasSize(8));
        assertThat(notIn(lines, data().resolve("redesign-ab/README.md")), empty());
    }

    @Test
    void guardsControlTableIsTheOneItsLogRecorded() throws Exception {
        LogTables.GuardsControlTable c = new LogTables.GuardsControlTable();
        c.dir = data().resolve("lab04-guards/jmh-control");
        List<String> lines = run(c).lines();
        assertThat(lines.get(0), startsWith("| round | before ops/s | after / before | control / before |"));
        assertThat(notIn(lines.subList(2, lines.size()), data().resolve("lab04-guards/README.md")), empty());
    }

    @Test
    void lockfreeTableIsTheOneChapterFoursLogRecorded() throws Exception {
        LogTables.LockfreeTable c = new LogTables.LockfreeTable();
        c.dir = data().resolve("lab04-lockfree/m");
        List<String> rows =
                run(c).lines().stream().filter(l -> l.startsWith("| `")).toList();
        assertThat(rows, hasSize(7));
        // its p50 of 3.125 µs is 3.12, rounded half to even as the table was first printed
        assertThat(notIn(rows, data().resolve("lab04/README.md")), empty());
    }

    @Test
    void everyRunLineOfTheRedesignIsTheLineItsLogRecorded() throws Exception {
        List<Path> runs;
        try (Stream<Path> s = Files.walk(data().resolve("redesign-ab"))) {
            runs = s.filter(p -> p.toString().endsWith("-1.json")).sorted().toList();
        }
        assertThat(runs, hasSize(36));
        List<String> lines = new ArrayList<>();
        for (Path json : runs) {
            RunTables.RunLine c = new RunTables.RunLine();
            c.file = json;
            c.time = json.resolveSibling(json.getFileName().toString().replace(".json", ".time"));
            lines.add(run(c).lines().get(0).stripTrailing());
        }
        // the counters are printed apart (a missing one as "–", not Python's "None"): the rest is the log's
        assertThat(notIn(lines, data().resolve("redesign-ab/runs.log")), empty());
    }

    /**
     * The JMH A/B analysis from the forks' scores the run printed (four decimals each): the means,
     * the ratios and both confidence intervals are the recorded ones.
     */
    @Test
    void eventsJmhAnalysisFromTheRecordedForksIsTheRecordedOne() throws Exception {
        List<String> txt = Files.readAllLines(data().resolve("events-overhead-jmh.txt"), StandardCharsets.UTF_8);
        Pattern spec = Pattern.compile("^== (\\S+) (\\S+)\\s*(.*)$");
        Pattern fork = Pattern.compile("^  ([AB]) fork (\\d+):\\s+([\\d.]+) (\\S+)$");
        List<String> specs = new ArrayList<>();
        int rounds = 0;
        for (String line : txt) {
            Matcher s = spec.matcher(line);
            Matcher f = fork.matcher(line);
            if (s.matches()) {
                specs.add(s.group(1) + "|" + s.group(2) + "|" + s.group(3).trim());
            } else if (f.matches()) {
                rounds = Math.max(rounds, Integer.parseInt(f.group(2)));
                Files.writeString(
                        tmp.resolve("b" + specs.size() + "-" + f.group(1) + "-" + f.group(2) + ".json"),
                        "[{\"benchmark\": \"b.B.m\", \"primaryMetric\": {\"score\": " + f.group(3)
                                + ", \"scoreUnit\": \"" + f.group(4) + "\"}}]");
            }
        }
        assertThat(specs, hasSize(4));
        RunTables.EventsJmhAb c = new RunTables.EventsJmhAb();
        c.dir = tmp;
        c.rounds = rounds;
        c.specs = specs;
        List<String> printed = run(c).lines();
        List<String> rows = printed.stream()
                .filter(l -> l.matches(".*\\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}]$"))
                .toList();
        assertThat(rows, hasSize(4));
        assertThat(notIn(rows, data().resolve("events-overhead-jmh.txt")), empty());
        assertThat(
                notIn(
                        printed.stream()
                                .filter(l -> l.startsWith("the largest upper bound"))
                                .toList(),
                        data().resolve("events-overhead-jmh.txt")),
                empty());
    }

    @Test
    void gradeSummaryNamesTheLostTestsAndExitsOneUnlessFull() throws Exception {
        Path full = Files.writeString(
                tmp.resolve("full.json"),
                "{\"score\": 1529.0, \"max_score\": 1529.0, \"percent\": 100.0, \"isolated\": [{\"tests\":"
                        + " [{\"id\": \"lab-01 T1 a\", \"score\": 2.0, \"max_score\": 2.0, \"message\": null}]}]}");
        Path lost = Files.writeString(
                tmp.resolve("lost.json"),
                "{\"score\": 1527.0, \"max_score\": 1529.0, \"percent\": 99.9, \"isolated\": [{\"tests\":"
                        + " [{\"id\": \"lab-01 T1 a\", \"score\": 0.0, \"max_score\": 2.0, \"message\": \""
                        + "x".repeat(200)
                        + "\"}]}]}");
        GradeTables.GradeSummary c = new GradeTables.GradeSummary();
        c.file = full;
        assertThat(run(c), equalTo(new Printed(0, List.of("1529.0/1529.0 points, 100.0 %"))));
        c.file = lost;
        assertThat(
                run(c),
                equalTo(new Printed(
                        1,
                        List.of(
                                "1527.0/1529.0 points, 99.9 %",
                                "    lost lab-01 T1 a: " + "x".repeat(GradeTables.MESSAGE)))));
        c.file = tmp.resolve("none.json");
        Printed none = run(c);
        assertThat(none.exit(), is(1));
        assertThat(none.lines().get(0), containsString("no grade.json ("));
    }

    /** A grade.json of lab-05 with its tests passed as given and one performance line scored as given. */
    private Path perfGrade(String name, int passed, String status, double score) throws IOException {
        return Files.writeString(
                tmp.resolve(name),
                "{\"score\": 10.0, \"max_score\": 12.0, \"percent\": 83.3, \"isolated\": [{\"lab\": \"lab-05\","
                        + " \"passed\": " + passed + ", \"tests_total\": 2, \"tests\": [], \"performance\": [{\"name\":"
                        + " \"lsm-get-absent\", \"status\": \"" + status + "\", \"score\": " + score
                        + ", \"max_score\": 6.0,"
                        + " \"message\": \"1.003 device reads per get against the reference's 0.01099: 91.29x\"},"
                        + " {\"name\": \"bloom-probe\", \"status\": \"measured\", \"score\": 6.0, \"max_score\": 6.0,"
                        + " \"message\": \"\"}]}]}");
    }

    @Test
    void gradeSummaryCountsThePerformancePointsAndNamesTheLinesThatLostSome() throws Exception {
        GradeTables.GradeSummary c = new GradeTables.GradeSummary();
        c.file = perfGrade("perf.json", 2, "measured", 0);
        assertThat(
                run(c),
                equalTo(new Printed(
                        1,
                        List.of(
                                "10.0/12.0 points, 83.3 % (performance 6/12 over 2 lines)",
                                "    lost perf lab-05 lsm-get-absent 0/6: 1.003 device reads per get against the"
                                        + " reference's 0.01099: 91.29x"))));
    }

    @Test
    void costlyLineSaysWhetherTheLineWasLostWithEveryTestPassing() throws Exception {
        GradeTables.CostlyLine c = new GradeTables.CostlyLine();
        c.lab = "lab-05";
        c.line = "lsm-get-absent";
        c.file = perfGrade("lost.json", 2, "measured", 0);
        Printed lost = run(c);
        assertThat(lost.exit(), is(0));
        assertThat(lost.lines().get(0), startsWith("2/2 tests, lsm-get-absent 0/6: lost: 1.003 device reads"));
        c.file = perfGrade("kept.json", 2, "measured", 6);
        assertThat("full points: not lost", run(c).exit(), is(1));
        c.file = perfGrade("failing.json", 1, "not run", 0);
        Printed failing = run(c);
        assertThat("a failing test is not the lesson the fixture plants", failing.exit(), is(1));
        assertThat(failing.lines().get(0), startsWith("1/2 tests, lsm-get-absent 0/6: NOT lost"));
        c.line = "no-such-line";
        assertThat(run(c).lines().get(0), equalTo("1/2 tests, no performance line no-such-line"));
    }

    @Test
    void gradescopeScoreIsTheScoreOverTheTestsMaximum() throws Exception {
        GradeTables.GradescopeScore c = new GradeTables.GradescopeScore();
        c.file = Files.writeString(
                tmp.resolve("results.json"),
                "{\"score\": 37.5, \"tests\": [{\"max_score\": 20}, {\"max_score\": 17.5}, {\"name\": \"no points\"}]}");
        assertThat(run(c).lines(), contains("37.5/37.5"));
    }

    @Test
    void numbersRoundAsTheScriptsRoundedThem() {
        assertThat("7.35 is 7.3499... as a double", Md.fp("%.1f", 7.35), equalTo("7.3"));
        assertThat("3.125 is exact: half to even", Md.fp("%.2f", 3.125), equalTo("3.12"));
        assertThat(Md.fp("%,.0f %d %s %.3f%%", 1234567.5, 3, "x", 0.0625), equalTo("1,234,568 3 x 0.062%"));
        assertThat(LogTables.round2(1.0), equalTo("1.0"));
        assertThat(LogTables.round2(0.9849999), equalTo("0.98"));
    }
}
