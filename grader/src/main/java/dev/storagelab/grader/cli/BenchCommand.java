package dev.storagelab.grader.cli;

import dev.storagelab.grader.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Run the labs' JMH benchmarks on the reference and, with --submission, on a"
                        + " submission in the same run (each benchmark's ratio, submission over reference); with --peers, the db_bench"
                        + " workloads on the labs' engines and on RocksDB, LevelDB and H2 MVStore. Writes bench.json, bench.txt and PNG plots.")
final class BenchCommand implements Callable<Integer> {
    /** What the command does in a student release, which has no reference to measure against. */
    static final String RELEASE_DESCRIPTION = "Run the labs' JMH benchmarks on your code; with --peers, the db_bench"
            + " workloads on the labs' engines and on RocksDB, LevelDB and H2 MVStore. Writes bench.json, bench.txt and"
            + " PNG plots.";

    @CommandLine.ParentCommand
    Main main;

    @Option(names = "--lab", paramLabel = "NN", description = "Benchmark only this lab (repeatable; default: all).")
    List<String> labs = new ArrayList<>();

    @Option(
            names = "--submission",
            paramLabel = "DIR",
            description = "A student workspace folder or zip to measure against the reference.")
    Path submission;

    @Option(
            names = "--peers",
            description = "Also run the workloads on the labs' engines and the production peers"
                    + " (built with the Maven profile peers; downloaded on first use).")
    boolean peers;

    @Option(
            names = "--quick",
            description = "A smoke run of a few seconds per lab: every benchmark once for 100 ms with"
                    + " small parameters, small workloads. Proves the pipeline; the numbers mean nothing.")
    boolean quick;

    @Option(names = "--keys", description = "The workloads' key space (default: 100000; 2000 with --quick).")
    long keys;

    @Option(names = "--ops", description = "The workloads' measured operations (default: as many as keys).")
    long ops;

    @Option(
            names = "--out",
            defaultValue = "storagelab-out/bench",
            description = "Where to write bench.json, bench.txt," + " the plots and logs/ (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--offline", description = "Run Maven offline.")
    boolean offline;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (keys < 0 || ops < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    (keys < 0 ? "--keys" : "--ops") + " must be a positive number of keys or operations, not "
                            + (keys < 0 ? keys : ops));
        }
        Workspace ws = main.workspace();
        labs.forEach(ws::lab);
        if (submission != null && !Files.exists(submission)) {
            throw new IllegalArgumentException(
                    "submission " + submission + " does not exist; name a workspace folder or a zip");
        }
        dev.storagelab.grader.bench.BenchReport report = new dev.storagelab.grader.bench.Bench(ws, main.progress)
                .run(new dev.storagelab.grader.bench.Bench.Options(
                        labs, submission, peers, quick, out, offline, keys, ops));
        spec.commandLine().getOut().print(Files.readString(out.resolve("bench.txt")));
        spec.commandLine().getOut().println("results written to " + out.toAbsolutePath());
        boolean failed = report.labs().stream()
                        .anyMatch(l -> l.problem() != null || !l.failures().isEmpty())
                || report.workloads() != null && !report.workloads().problems().isEmpty();
        return failed ? 1 : 0;
    }
}
