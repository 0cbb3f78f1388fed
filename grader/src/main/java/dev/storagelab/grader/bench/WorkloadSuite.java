package dev.storagelab.grader.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.bench.BenchReport.WorkloadRun;
import dev.storagelab.grader.workspace.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs db_bench-style workloads through the workbench jar ({@code workbench/}), one child JVM per
 * engine and workload so each starts cold and one engine's garbage never slows the next, and reads
 * back its {@code --json} result.
 */
final class WorkloadSuite {

    /** The full set: db_bench's, in its order. */
    static final List<String> FULL = List.of(
            "fillseq", "fillrandom", "overwrite", "readrandom", "readmissing", "seekrandom", "readwhilewriting");
    /** The smoke: one fill, one read, one scan. */
    static final List<String> QUICK = List.of("fillrandom", "readrandom", "seekrandom");

    private static final Pattern LAB_ENGINE = Pattern.compile("^(\\S+)\\s+(lab-\\d\\d):");

    private WorkloadSuite() {}

    /** The engines of {@code jar} by the lab that ships them ({@code workbench engines} names it). */
    static Map<String, List<String>> enginesByLab(Path jar, Path logDir) throws IOException {
        Path log = logDir.resolve("engines.txt");
        int exit = java(jar, List.of("engines"), log, Duration.ofMinutes(2));
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (exit != 0) {
            throw new IOException("the workbench could not list its engines (exit " + exit + "):\n" + text
                    + Files.readString(errors(log), StandardCharsets.UTF_8));
        }
        Map<String, List<String>> byLab = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LAB_ENGINE.matcher(line);
            if (m.find()) {
                byLab.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
            }
        }
        return byLab;
    }

    /**
     * Runs {@code workload} on {@code engine}; returns the run, or throws with the workbench's
     * own message when it failed (a wrong answer stops a workload: a fast wrong engine is not a
     * result).
     */
    static WorkloadRun run(
            Path jar, String engine, String side, String workload, long keys, long ops, Duration deadline, Path logDir)
            throws IOException {
        Path out = logDir.resolve(side + "-" + engine + "-" + workload + ".json");
        List<String> args = List.of(
                "workload",
                "--engine",
                engine,
                "--workload",
                workload,
                "--keys",
                Long.toString(keys),
                "--ops",
                Long.toString(ops),
                "--json",
                "--no-progress");
        int exit = java(jar, args, out, deadline);
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (exit != 0) {
            throw new IOException(engine + " (" + side + ") " + workload + " failed"
                    + (exit == -1 ? " to finish within " + deadline.toSeconds() + " s" : " (exit " + exit + ")") + ": "
                    + Files.readString(errors(out), StandardCharsets.UTF_8)
                            .strip()
                            .lines()
                            .reduce((a, b) -> b)
                            .orElse("no message"));
        }
        JsonObject o = JsonParser.parseString(text).getAsJsonObject();
        JsonObject latency = o.getAsJsonObject("latency");
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (latency != null && !latency.entrySet().isEmpty()) {
            // The first kind of operation is the workload's main one (get for reads, put for fills).
            JsonObject first = latency.entrySet().iterator().next().getValue().getAsJsonObject();
            p50 = first.get("p50").getAsDouble();
            p99 = first.get("p99").getAsDouble();
        }
        Map<String, Object> counters = new LinkedHashMap<>();
        if (o.has("counters")) {
            o.getAsJsonObject("counters")
                    .entrySet()
                    .forEach(e -> counters.put(
                            e.getKey(),
                            e.getValue().isJsonPrimitive()
                                            && e.getValue().getAsJsonPrimitive().isNumber()
                                    ? e.getValue().getAsDouble()
                                    : e.getValue().getAsString()));
        }
        return new WorkloadRun(engine, side, workload, o.get("opsPerSecond").getAsDouble(), p50, p99, counters, null);
    }

    /** Where the standard error of the run that wrote {@code out} goes. */
    private static Path errors(Path out) {
        return out.resolveSibling(out.getFileName() + ".err");
    }

    /** Runs the jar with {@code args}, standard output into {@code out}; -1 if it did not finish in time. */
    private static int java(Path jar, List<String> args, Path out, Duration deadline) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(errors(out).toFile())
                .start();
        try {
            return ChildProcesses.awaitOrKill(p, deadline) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while a workload ran", e);
        }
    }
}
