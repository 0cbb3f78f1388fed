package dev.storagelab.grader.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.ChildProcesses;
import dev.storagelab.grader.Confinement;
import dev.storagelab.grader.LabBuild;
import dev.storagelab.grader.RunnerClasses;
import dev.storagelab.grader.SandboxPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs JMH benchmarks of one built lab module in a child JVM ({@code org.openjdk.jmh.Main} on the
 * module's test classpath, where the annotation processor put the generated benchmarks) and reads
 * JMH's JSON results back. The child JVM is the only one that loads lab code, so a benchmark that
 * does not compile, loops or exits cannot take the caller down; a deadline kills it and every JVM
 * JMH forked for it.
 */
public final class JmhRunner {

    /**
     * How long and how often to measure. A null field keeps the benchmark's own annotation.
     *
     * @param forks              JVMs per benchmark and parameter set (0: in the runner's JVM)
     * @param warmupIterations   unmeasured iterations first
     * @param warmup             length of one warmup iteration
     * @param measurement        length of one measured iteration
     * @param measureIterations  measured iterations
     */
    public record Settings(
            Integer forks, Integer warmupIterations, Duration warmup, Integer measureIterations, Duration measurement) {

        /** The benchmarks' own {@code @Fork}, {@code @Warmup} and {@code @Measurement}: the full run, for people. */
        public static final Settings AS_ANNOTATED = new Settings(null, null, null, null, null);

        /**
         * A smoke run: in the runner's JVM, no warmup, one 100 ms iteration. The numbers mean
         * nothing; the run proves that every benchmark still builds, runs and checks its answers.
         */
        public static final Settings QUICK = new Settings(0, 0, Duration.ZERO, 1, Duration.ofMillis(100));

        boolean quick() {
            return forks != null && forks == 0;
        }
    }

    /**
     * One benchmark method with one parameter set, as JMH reported it: its {@code secondary} metrics
     * (summed over the measured iterations, for event counters) and each one's value in the first
     * measured iteration ({@code firstIteration}: for a counted line, one counting pass's).
     */
    public record Score(
            String benchmark,
            Map<String, String> params,
            String mode,
            double score,
            double error,
            String unit,
            Map<String, Double> secondary,
            Map<String, Double> firstIteration) {

        /** The class's simple name and the method: {@code ReadBenchmark.readrandom}. */
        public String shortName() {
            return JmhRunner.shortName(benchmark);
        }

        /** The parameters as {@code impl=BPlusTree keys=1000}, sorted by name. */
        public String paramText() {
            return params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(" "));
        }

        /** Whether a higher score is better (throughput) rather than lower (time per operation). */
        public boolean higherIsBetter() {
            return mode.equals("thrpt");
        }

        /** Identifies this measurement across two runs: benchmark, mode and parameters. */
        public String key() {
            return benchmark + " " + mode + " " + paramText();
        }
    }

    /** A benchmark (with one set of parameters) that failed, and the first line of why (null: the log does not say). */
    public record Failure(String benchmark, String params, String reason) {

        /** The class's simple name and the method, as {@link Score#shortName}. */
        public String shortName() {
            return JmhRunner.shortName(benchmark);
        }
    }

    /** A benchmark's class simple name and method: {@code ReadBenchmark.readrandom}. */
    static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    /** What a run did: its scores, or why it has none. */
    public record Run(List<Score> scores, boolean finished, int exitCode, Path log) {

        public boolean ok() {
            return finished && exitCode == 0;
        }

        /**
         * The benchmarks that failed in this run, from its log: JMH prints {@code <failure>} in
         * place of an iteration's score, then the exception. The run goes on to the next
         * benchmark ({@code -foe false}), so one failure costs only its own result.
         */
        public List<Failure> failures() throws IOException {
            List<Failure> failures = new ArrayList<>();
            if (!Files.exists(log)) {
                return failures;
            }
            String benchmark = null;
            String params = "";
            boolean failed = false;
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("# Benchmark: ")) {
                    benchmark = line.substring("# Benchmark: ".length()).strip();
                    params = "";
                    failed = false;
                } else if (line.startsWith("# Parameters: (") && line.endsWith(")")) {
                    params = java.util.Arrays.stream(line.substring("# Parameters: (".length(), line.length() - 1)
                                    .split(", "))
                            .map(p -> p.replace(" = ", "="))
                            .sorted()
                            .collect(Collectors.joining(" "));
                } else if (line.contains("<failure>") && benchmark != null && !failed) {
                    failed = true;
                    failures.add(new Failure(benchmark, params, null));
                } else if (failed
                        && failures.get(failures.size() - 1).reason() == null
                        && !line.isBlank()
                        && !Character.isWhitespace(line.charAt(0))) {
                    Failure f = failures.remove(failures.size() - 1);
                    String reason = line.startsWith("dev.storagelab.lab.NotImplementedException: ")
                            ? line.substring("dev.storagelab.lab.NotImplementedException: ".length())
                            : line.strip();
                    failures.add(new Failure(f.benchmark(), f.params(), reason));
                }
            }
            return failures;
        }

        /** The last lines of the log, where JMH and the benchmark say what went wrong. */
        public String problem() throws IOException {
            if (ok()) {
                return null;
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
            return (finished
                            ? "the benchmark run failed (exit " + exitCode + ")"
                            : "the benchmark run did not finish in time")
                    + "; the end of " + log + ":\n" + tail;
        }
    }

    private JmhRunner() {}

    /**
     * Runs the benchmarks of {@code module} (a built lab module) whose name matches
     * {@code include}, with {@code params} overriding {@code @Param} values by name (JMH ignores
     * a name a benchmark does not declare).
     *
     * @param log      the whole JMH output goes here
     * @param progress receives JMH's per-benchmark headings, so a person sees how far a long run is
     */
    public static Run run(
            Path module,
            String include,
            Map<String, String> params,
            Settings settings,
            Duration deadline,
            Path log,
            PrintStream progress)
            throws IOException {
        return run(module, include, params, Map.of(), settings, deadline, log, progress);
    }

    /**
     * As {@link #run(Path, String, Map, Settings, Duration, Path, PrintStream)}, with system
     * {@code properties} set in JMH's JVM and every fork (the seed of a benchmark's answer checks).
     */
    public static Run run(
            Path module,
            String include,
            Map<String, String> params,
            Map<String, String> properties,
            Settings settings,
            Duration deadline,
            Path log,
            PrintStream progress)
            throws IOException {
        // A measuring run takes JMH's machine-wide lock (jmh.lock in the temp folder), so that two
        // measurements never share the cores. It is taken here, in the grader's temp folder, and the
        // child ignores its own: a confined run's user has a temp folder of its own. Another run (a
        // classmate's grading, a benchmark someone started) may hold it: the grader waits for it in
        // the kernel (lockWithin), within the deadline, rather than lose a grade's points to timing.
        Path json = log.resolveSibling(log.getFileName() + ".json");
        Files.deleteIfExists(json);
        Files.createDirectories(log.getParent());
        // The grader's classes last (the lab's libraries win): they hold the CPU-time profiler.
        List<Path> classpath = new ArrayList<>(LabBuild.testClasspath(module));
        Confinement confinement = Confinement.current();
        FileChannel lockFile = null;
        FileLock lock = null;
        if (!settings.quick()) {
            lockFile = FileChannel.open(
                    Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                lock = lockWithin(lockFile, deadline);
            } catch (IOException | RuntimeException e) {
                lockFile.close();
                throw e;
            }
            if (lock == null) {
                lockFile.close();
                Files.writeString(
                        log,
                        LOCK_MESSAGE + " (the grader waited " + deadline.toSeconds() + " s for "
                                + System.getProperty("java.io.tmpdir") + "/jmh.lock)\n",
                        StandardCharsets.UTF_8);
                return new Run(List.of(), true, 1, log);
            }
        }
        try {
            if (!confinement.on()) {
                // Lab code may use files only in a folder of its own; the results are written beside it.
                Path work = Files.createDirectories(log.resolveSibling(log.getFileName() + ".work"));
                classpath.add(RunnerClasses.shared());
                Path tmp = Files.createDirectories(work.resolve("tmp"));
                List<SandboxPolicy.Entry> entries = classpath.stream()
                        .map(p -> new SandboxPolicy.Entry(p.toString(), SandboxPolicy.isLabClasses(p)))
                        .toList();
                return runJmh(
                        work,
                        entries,
                        tmp,
                        include,
                        params,
                        properties,
                        settings,
                        deadline,
                        json,
                        json,
                        log,
                        progress,
                        null);
            }
            // Benchmarks run a submission's code too: as a user of its own, like its tests
            // (Confinement), on copies of the class path.
            try (Confinement.Run confined = confinement.open(classpath)) {
                // JMH's own process writes the results where the benchmark's lab code may not (the policy
                // gives it only work/ and tmp/): a fork cannot rewrite its own score.
                Path confinedJson = confined.results().resolve("jmh-result.json");
                return runJmh(
                        confined.work(),
                        confined.sandboxClasspath(),
                        confined.tmp(),
                        include,
                        params,
                        properties,
                        settings,
                        deadline,
                        confinedJson,
                        json,
                        log,
                        progress,
                        confined);
            }
        } finally {
            if (lockFile != null) {
                lockFile.close(); // releases the lock
            }
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService ALARMS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "jmh-lock-alarm");
                t.setDaemon(true);
                return t;
            });

    /**
     * The lock of {@code channel}'s file, waited for up to {@code wait}; null if another process
     * held it all that time. The wait blocks in the kernel, which hands the lock over the moment
     * its holder lets it go: a grader that benchmarks line after line (another student's grading
     * on the same machine) releases it only between two runs, for milliseconds, and a waiter that
     * polled would meet it held every time and wait past its deadline.
     */
    static FileLock lockWithin(FileChannel channel, Duration wait) throws IOException {
        FileLock lock = channel.tryLock();
        if (lock != null || wait.isZero() || wait.isNegative()) {
            return lock;
        }
        Thread waiter = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean rang = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> alarm = ALARMS.schedule(
                () -> {
                    rang.set(true);
                    waiter.interrupt();
                },
                wait.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            return channel.lock();
        } catch (java.nio.channels.FileLockInterruptionException | java.nio.channels.ClosedChannelException e) {
            if (!rang.get()) {
                throw e; // interrupted by someone else: the grader is stopping
            }
            return null;
        } finally {
            alarm.cancel(false);
            if (rang.get()) {
                Thread.interrupted(); // the alarm's interrupt, not a request to stop
            }
        }
    }

    /** JMH's message when another instance holds {@code jmh.lock} (its {@code Runner}). */
    static final String LOCK_MESSAGE = "Another JMH instance might be running";

    /** Whether {@code run} ended without measuring because another JMH run held the lock to its deadline. */
    public static boolean lockWasHeld(Run run) throws IOException {
        return run.finished()
                && run.scores().isEmpty()
                && Files.exists(run.log())
                && Files.readString(run.log(), StandardCharsets.UTF_8).contains(LOCK_MESSAGE);
    }

    /**
     * One JMH process in {@code dir} on {@code classpath}, writing its JSON to {@code childJson}
     * ({@code confined}: as that run's user), which is then read (and kept at {@code json}).
     */
    /** In a grading container, the memory left beside a benchmark fork's heap: the grader's JVM, JMH's, the fork's own. */
    static final long CONTAINER_RESERVE_MB = 384;

    private static Run runJmh(
            Path dir,
            List<SandboxPolicy.Entry> sandboxClasspath,
            Path tmp,
            String include,
            Map<String, String> params,
            Map<String, String> properties,
            Settings settings,
            Duration deadline,
            Path childJson,
            Path json,
            Path log,
            PrintStream progress,
            Confinement.Run confined)
            throws IOException {
        List<String> classpath =
                sandboxClasspath.stream().map(SandboxPolicy.Entry::path).toList();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (confined != null) {
            cmd.add("-Djava.io.tmpdir=" + confined.tmp());
            cmd.add("-Duser.home=" + confined.work());
        }
        // A measuring run's lock the grader holds (run); a smoke measures nothing, so it may share
        // the machine with another JMH run.
        cmd.add("-Djmh.ignoreLock=true");
        if (settings.quick()) {
            // A smoke runs in this JVM, which therefore needs the heap a fork would have had.
            cmd.add("-Xmx1g");
        }
        // Otherwise no heap flag: JMH passes this JVM's flags on to its forks, where only the
        // benchmark's own (its @Fork jvmArgsAppend) should count.
        cmd.add("-cp");
        cmd.add(String.join(java.io.File.pathSeparator, classpath));
        cmd.add("org.openjdk.jmh.Main");
        cmd.add(include);
        cmd.addAll(List.of("-prof", CpuTimeProfiler.NAME));
        // A failing benchmark (an unfinished task) costs its own result, not the run's: JMH goes on
        // to the next one and still writes the results it has ({@link Run#failures}).
        cmd.addAll(List.of("-foe", "false", "-rf", "json", "-rff", childJson.toString()));
        if (settings.forks() != null) {
            cmd.addAll(List.of("-f", settings.forks().toString()));
        }
        long container = dev.storagelab.grader.ContainerLimits.current().memoryLimitMegabytes();
        if (!settings.quick() && container > 0) {
            // In a grading container (768 MiB holds the grader, this JVM and the fork), the benchmarks'
            // own heaps (@Fork jvmArgsAppend -Xmx3g) would have the kernel kill the fork: both sides get
            // the same smaller heap instead, which replaces the annotation's, so the ratio stays fair.
            long heap = Math.max(128, container - CONTAINER_RESERVE_MB);
            cmd.addAll(List.of("-jvmArgsAppend", "-Xms" + heap + "m -Xmx" + heap + "m"));
        }
        if (settings.warmupIterations() != null) {
            cmd.addAll(List.of("-wi", settings.warmupIterations().toString()));
            if (settings.warmupIterations() > 0) {
                cmd.addAll(List.of("-w", millis(settings.warmup())));
            }
        }
        if (settings.measureIterations() != null) {
            cmd.addAll(List.of("-i", settings.measureIterations().toString(), "-r", millis(settings.measurement())));
        }
        params.forEach((name, values) -> cmd.addAll(List.of("-p", name + "=" + values)));

        ProcessBuilder builder = new ProcessBuilder(confined == null ? cmd : confined.command(cmd))
                .directory(dir.toFile())
                .redirectErrorStream(true);
        if (confined != null) {
            builder.environment().clear();
            builder.environment().putAll(confined.environment());
        }
        // JMH's process and every fork it starts: the benchmark's lab code under the lab policy, and
        // the properties (JDK_JAVA_OPTIONS is read by every java launcher the forks start with)
        StringBuilder options = new StringBuilder("\"-Djava.io.tmpdir=" + tmp + "\"");
        if (SandboxPolicy.available()) {
            options.append(' ').append(SandboxPolicy.javaOptions(sandboxClasspath, List.of(dir, tmp)));
        }
        properties.forEach((k, v) ->
                options.append(" \"-D").append(k).append('=').append(v).append('"'));
        builder.environment().put("JDK_JAVA_OPTIONS", options.toString());
        Process p = ChildProcesses.start(builder);
        Thread pump = new Thread(() -> copyOutput(p, log, progress), "jmh-output");
        pump.setDaemon(true);
        pump.start();
        boolean finished;
        try {
            finished = ChildProcesses.awaitOrKill(p, deadline);
            pump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            ChildProcesses.kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while benchmarks ran", e);
        }
        int exit = finished ? p.exitValue() : -1;
        if (!childJson.equals(json) && Files.isRegularFile(childJson, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(
                    childJson, json, StandardCopyOption.REPLACE_EXISTING); // kept after the confined run's folder goes
        }
        List<Score> scores = Files.exists(json) ? parse(Files.readString(json, StandardCharsets.UTF_8)) : List.of();
        return new Run(scores, finished, exit, log);
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }

    private static void copyOutput(Process p, Path log, PrintStream progress) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line);
                out.write('\n');
                if (line.startsWith("# Benchmark: ") || line.startsWith("# Parameters: ")) {
                    progress.println("  " + line.substring(2));
                } else if (line.contains("<failure>") || line.startsWith("Exception") || line.contains("ERROR")) {
                    progress.println("  " + line);
                }
            }
        } catch (IOException e) {
            progress.println("  (could not copy the benchmark output to " + log + ": " + e.getMessage() + ")");
        }
    }

    /** Reads JMH's JSON result file ({@code -rf json}). */
    static List<Score> parse(String json) {
        List<Score> scores = new ArrayList<>();
        JsonElement root = JsonParser.parseString(json);
        if (!root.isJsonArray()) {
            return scores;
        }
        for (JsonElement e : (JsonArray) root) {
            JsonObject o = e.getAsJsonObject();
            Map<String, String> params = new TreeMap<>();
            if (o.has("params")) {
                o.getAsJsonObject("params")
                        .entrySet()
                        .forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
            }
            JsonObject primary = o.getAsJsonObject("primaryMetric");
            Map<String, Double> secondary = new TreeMap<>();
            Map<String, Double> firstIteration = new TreeMap<>();
            if (o.has("secondaryMetrics")) {
                o.getAsJsonObject("secondaryMetrics").entrySet().forEach(s -> {
                    JsonObject metric = s.getValue().getAsJsonObject();
                    secondary.put(s.getKey(), number(metric.get("score")));
                    JsonElement raw = metric.get("rawData"); // per fork, per iteration
                    if (raw != null
                            && raw.isJsonArray()
                            && !raw.getAsJsonArray().isEmpty()
                            && raw.getAsJsonArray().get(0).isJsonArray()
                            && !raw.getAsJsonArray().get(0).getAsJsonArray().isEmpty()) {
                        firstIteration.put(
                                s.getKey(),
                                number(raw.getAsJsonArray()
                                        .get(0)
                                        .getAsJsonArray()
                                        .get(0)));
                    }
                });
            }
            scores.add(new Score(
                    o.get("benchmark").getAsString(),
                    params,
                    o.get("mode").getAsString(),
                    number(primary.get("score")),
                    number(primary.get("scoreError")),
                    primary.get("scoreUnit").getAsString(),
                    secondary,
                    firstIteration));
        }
        return scores;
    }

    /** JMH writes NaN as the string "NaN". */
    private static double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException x) {
            return Double.NaN;
        }
    }
}
