package dev.storagelab.workbench.tables;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * notes/figures/run_benchmarks.sh at a tiny size (2,000 keys, 500 gets, two engines, two runs a
 * cell, no peers, the JVM options of {@code JVM_OPTS}), then {@code figures baseline-table} over what
 * it wrote: the script's estimate, its order (the engines in turn, reversed on the second run), its
 * files, the options in every JVM and in machine.txt, and a table of medians.
 */
class RunBenchmarksScriptTest {

    @TempDir
    Path tmp;

    @Test
    void theScriptTakesTwoRunsACellTheEnginesInTurnAndTheTableReadsThem() throws Exception {
        Path root = Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
        Path out = tmp.resolve("bench");
        ProcessBuilder pb = new ProcessBuilder(
                        "bash", root.resolve("notes/figures/run_benchmarks.sh").toString(), "2000", "500")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("log").toFile());
        pb.environment().put("ENGINES", "btree lsm");
        pb.environment().put("WORKLOADS", "readrandom");
        pb.environment().put("BENCH_OUT", out.toString());
        pb.environment().put("HEAP", "256m");
        pb.environment().put("WORKBENCH_CP", System.getProperty("java.class.path"));
        pb.environment().put("TMPDIR", tmp.toString());
        Path gcLogs = Files.createDirectory(tmp.resolve("gc"));
        pb.environment().put("JVM_OPTS", "-XX:+UseSerialGC -Xlog:gc:file=" + gcLogs + "/gc-%p.log");
        Process p = pb.start();
        assertThat("the script ends within two minutes", p.waitFor(2, TimeUnit.MINUTES), is(true));
        List<String> log = Files.readAllLines(tmp.resolve("log"), StandardCharsets.UTF_8);
        assertThat(String.join("\n", log), p.exitValue(), is(0));
        assertThat(
                log.get(0),
                equalTo(
                        "4 runs (engines: btree lsm; workloads: readrandom), 2000 keys, 500 ops: about 1 minute on 2 vCPUs"
                                + " at load 11"));
        assertThat(
                log.subList(1, 5).stream().map(l -> l.replaceFirst(":.*", "")).toList(),
                equalTo(List.of(
                        "btree readrandom run 1",
                        "lsm readrandom run 1",
                        "lsm readrandom run 2",
                        "btree readrandom run 2")));
        for (String name :
                List.of("btree-readrandom-1", "btree-readrandom-2", "lsm-readrandom-1", "lsm-readrandom-2")) {
            assertThat(name, Files.isRegularFile(out.resolve(name + ".json")), is(true));
            assertThat(name, Files.readString(out.resolve(name + ".load")), matchesPattern("[\\d.]+ [\\d.]+\\n"));
        }
        assertThat(
                Files.readString(out.resolve("machine.txt")),
                containsString(
                        "runs of btree lsm (runs 1 2), 2000 keys, 500 ops, JVM options -XX:+UseSerialGC -Xlog:gc:file="));
        List<Path> logs;
        try (Stream<Path> listed = Files.list(gcLogs)) {
            logs = listed.toList();
        }
        assertThat("one log a JVM: the engines' check, then the four runs", logs.size(), is(5));
        for (Path l : logs) {
            assertThat(l.toString(), Files.readString(l), containsString("Using Serial"));
        }

        BaselineTable c = new BaselineTable();
        c.dir = out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(c.call(), is(0));
        List<String> t = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(t.get(0), startsWith("Machine: " + Runtime.getRuntime().availableProcessors() + " processors"));
        assertThat(t.get(4), containsString("2,000 keys of 16 bytes"));
        assertThat(t.get(4), containsString("500 measured operations; 2 runs a cell"));
        int throughput = t.indexOf("### Throughput, operations per second");
        assertThat(t.get(throughput + 4), equalTo("| engine, ops/s | readrandom |"));
        assertThat(t.get(throughput + 6), matchesPattern("\\| `btree` \\| [\\d,]+ \\|"));
        assertThat(t.get(throughput + 7), matchesPattern("\\| `lsm` \\| [\\d,]+ \\|"));
        assertThat(t.contains("### Cells of another size, or left out"), is(false));
    }
}
