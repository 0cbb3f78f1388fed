package dev.storagelab.grader;

import dev.storagelab.grader.bench.JmhRunner;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The visible grading rules, read from {@code grader/rubric.properties}: lab weights, per-test
 * point overrides, deadlines and the heap cap. Tests declare their default points in
 * {@code @Graded}; an instructor changes points here without touching code.
 */
public final class Rubric {

    /** Where the rubric lives, relative to the workspace root. */
    public static final String PATH = "grader/rubric.properties";

    private final Properties props;

    private Rubric(Properties props) {
        this.props = props;
    }

    /** Reads the rubric of {@code workspace}; a missing file means every default. */
    public static Rubric of(Workspace workspace) {
        Properties p = new Properties();
        Path file = workspace.root().resolve(PATH);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Rubric(p);
    }

    /**
     * This rubric with one performance line of {@code lab} and no other: for measuring one
     * benchmark on its own (experiments).
     */
    public Rubric onlyPerf(String lab, String name) {
        Properties p = new Properties();
        String keep = "perf." + lab + "." + name;
        for (String key : props.stringPropertyNames()) {
            boolean perfLine = key.startsWith("perf.lab-");
            if (!perfLine || key.equals(keep)) {
                p.setProperty(key, props.getProperty(key));
            }
        }
        return new Rubric(p);
    }

    /** A lab's weight: each of its test points counts this many times. Default 1. */
    public double weight(String lab) {
        return number("weight." + lab, 1.0);
    }

    /** The points of test {@code id}: the rubric's override, else {@code declared}. */
    public int points(String id, int declared) {
        return (int) number("points." + id, declared);
    }

    /**
     * Whether hidden test {@code id} ({@code Class#method}) belongs to a bonus task: the classes
     * {@code bonus.tests} lists (space-separated, fully qualified). A bonus earns its points like
     * any test, but a lab's performance points do not wait for it: the engine a student measures
     * works without it (lab-04's B+tree on the locked pool of T6 when T12's lock-free pool is not
     * done; lab-06's store under snapshot isolation without T8's serializable checks).
     */
    public boolean isBonus(String id) {
        String classes = props.getProperty("bonus.tests", "").trim();
        if (classes.isEmpty()) {
            return false;
        }
        for (String c : classes.split("\\s+")) {
            if (id.startsWith(c + "#")) {
                return true;
            }
        }
        return false;
    }

    /** How long one test may run before it is stopped. */
    public Duration testDeadline() {
        return Duration.ofSeconds((long) number("deadline.test.seconds", 120));
    }

    /** How long all the tests of one lab may run. */
    public Duration labDeadline() {
        return Duration.ofSeconds((long) number("deadline.lab.seconds", 1200));
    }

    /** How long building one workspace may take. */
    public Duration buildDeadline() {
        return Duration.ofSeconds((long) number("deadline.build.seconds", 900));
    }

    /**
     * The most a test run may write, in MiB, before it is stopped: its folders' total, and the
     * largest single file.
     */
    public long diskQuotaMegabytes() {
        return (long) number("disk.quota.mb", 4096);
    }

    /** The child JVM's heap cap in MiB. */
    public int heapMegabytes() {
        return (int) number("heap.mb", 768);
    }

    /**
     * The test JVM's heap in MiB where it runs: {@link #heapMegabytes}, or less in a container whose
     * memory limit holds the grader, Maven and the test JVM together (Gradescope, PrairieLearn): the
     * limit less {@code container.reserve.mb} for the grader, the test JVM's own non-heap memory and
     * a JVM a crash test starts ({@link #testJvmMemoryFlags} caps what of these a student's code can grow), so that a student's allocation ends in an OutOfMemoryError the grader reports, not in the
     * kernel killing a process of the container.
     */
    public int testHeapMegabytes() {
        return testHeapMegabytes(ContainerLimits.current().memoryLimitMegabytes());
    }

    int testHeapMegabytes(long containerMegabytes) {
        int heap = heapMegabytes();
        if (containerMegabytes <= 0) {
            return heap;
        }
        long room = containerMegabytes - (long) number("container.reserve.mb", 384);
        return (int) Math.max(64, Math.min(heap, room));
    }

    /** The system property that caps the heap of a child JVM a test starts (the testkit's {@code KilledChild} reads it). */
    public static final String CHILD_HEAP_PROPERTY = "storagelab.child.heap.mb";

    /**
     * The memory flags of the test JVM: {@link #testHeapMegabytes}, and caps on what grows beside the
     * heap that a student's code could fill, direct buffers ({@code jvm.direct.mb}, and no cached
     * temporary buffer above 256 KiB per thread) and class metadata ({@code jvm.metaspace.mb}): each
     * then ends in an OutOfMemoryError inside the test JVM, which costs a test. In a container also
     * the heap of any JVM a test starts ({@code container.child.heap.mb}, as {@value
     * #CHILD_HEAP_PROPERTY}). What no flag caps (thread stacks, of any size a thread asks for; the
     * JVM's own memory) the OS bounds: {@link #testJvmMemoryMegabytes}.
     */
    public List<String> testJvmMemoryFlags() {
        return testJvmMemoryFlags(ContainerLimits.current().memoryLimitMegabytes());
    }

    List<String> testJvmMemoryFlags(long containerMegabytes) {
        List<String> flags = new ArrayList<>(List.of("-Xmx" + testHeapMegabytes(containerMegabytes) + "m"));
        flags.add("-XX:MaxDirectMemorySize=" + (long) number("jvm.direct.mb", number("container.direct.mb", 64)) + "m");
        flags.add("-Djdk.nio.maxCachedBufferSize=262144");
        flags.add("-XX:MaxMetaspaceSize=" + (long) number("jvm.metaspace.mb", number("container.metaspace.mb", 128))
                + "m");
        if (containerMegabytes > 0) {
            flags.add("-D" + CHILD_HEAP_PROPERTY + "=" + (long) number("container.child.heap.mb", 64));
        }
        return List.copyOf(flags);
    }

    /**
     * All the memory a test JVM may use, in MiB: its heap and {@code jvm.beside.heap.mb} beside it
     * (class metadata, compiled code, thread stacks, direct buffers, the JVM's own), bounded by the OS
     * ({@link TestJvmLimits}): past it the JVM's next allocation fails inside the JVM, and the test
     * with it, before the machine runs short.
     */
    public long testJvmMemoryMegabytes() {
        return testHeapMegabytes() + (long) number("jvm.beside.heap.mb", 512);
    }

    /**
     * One benchmark that earns performance points, from a rubric line
     * {@code perf.<lab>.<name> = <points> <BenchmarkClass.method> [param=value ...]}.
     *
     * @param name      the line's short name, shown in reports and on the leaderboard
     * @param benchmark {@code ReadBenchmark.readrandom}: a JMH benchmark class of the lab and its method
     * @param params    the {@code @Param} values it runs with (the benchmark's own for the others)
     */
    public record PerfBenchmark(String lab, String name, double points, String benchmark, Map<String, String> params) {}

    /** The benchmarks of {@code lab} that earn performance points, in name order. */
    public List<PerfBenchmark> perf(String lab) {
        String prefix = "perf." + lab + ".";
        List<PerfBenchmark> found = new ArrayList<>();
        for (String key : new TreeSet<>(props.stringPropertyNames())) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String name = key.substring(prefix.length());
            String[] words = props.getProperty(key).trim().split("\\s+");
            if (words.length < 2 || !words[1].matches("[A-Za-z_$][\\w$]*\\.[A-Za-z_$][\\w$]*")) {
                throw new IllegalArgumentException(
                        PATH + ": " + key + " must read '<points> <BenchmarkClass.method> [param=value ...]',"
                                + " not '" + props.getProperty(key) + "'");
            }
            Map<String, String> params = new TreeMap<>();
            for (int i = 2; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0 || eq == words[i].length() - 1) {
                    throw new IllegalArgumentException(
                            PATH + ": " + key + ": '" + words[i] + "' is not a param=value pair");
                }
                params.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            found.add(new PerfBenchmark(lab, name, parse(key, words[0]), words[1], Map.copyOf(params)));
        }
        return found;
    }

    /**
     * The fraction of a benchmark's points that {@code ratio} (the submission's time over the
     * reference's) earns: that of the first threshold of {@code perf.thresholds} ({@code ratio:fraction}
     * pairs, ratios increasing) it is within; 0 beyond the last.
     */
    public double perfFraction(double ratio) {
        if (Double.isNaN(ratio)) {
            return 0;
        }
        String spec = props.getProperty("perf.thresholds", "1.3:1 1.6:0.75 2:0.5 3:0.25")
                .trim();
        for (String pair : spec.split("[\\s,]+")) {
            String[] p = pair.split(":");
            if (p.length != 2) {
                throw new IllegalArgumentException(
                        PATH + ": perf.thresholds must list ratio:fraction pairs, not '" + pair + "'");
            }
            if (ratio <= parse("perf.thresholds", p[0])) {
                return parse("perf.thresholds", p[1]);
            }
        }
        return 0;
    }

    /** How each performance benchmark is measured: forks, warmup and measured iterations. */
    public JmhRunner.Settings perfSettings() {
        return new JmhRunner.Settings(
                (int) number("perf.forks", 1),
                (int) number("perf.warmup.iterations", 2),
                Duration.ofMillis((long) (1000 * number("perf.warmup.seconds", 1))),
                (int) number("perf.measurement.iterations", 3),
                Duration.ofMillis((long) (1000 * number("perf.measurement.seconds", 1))));
    }

    /** How many times the reference and the submission each run a performance benchmark, alternating; the best run counts. */
    public int perfRounds() {
        return Math.max(1, (int) number("perf.rounds", 2));
    }

    /** The most rounds a performance benchmark runs when its ratio stays close to a threshold. */
    public int perfMaxRounds() {
        return Math.max(perfRounds(), (int) number("perf.max.rounds", 5));
    }

    /**
     * Whether {@code ratio} is within {@code perf.margin} (relative, default 0.1) of a threshold
     * of {@code perf.thresholds}, where one more round could move it to the other side. NaN
     * (not yet measured) counts as close.
     */
    public boolean perfNearThreshold(double ratio) {
        if (Double.isNaN(ratio)) {
            return true;
        }
        double margin = number("perf.margin", 0.1);
        String spec = props.getProperty("perf.thresholds", "1.3:1 1.6:0.75 2:0.5 3:0.25")
                .trim();
        for (String pair : spec.split("[\\s,]+")) {
            double threshold = parse("perf.thresholds", pair.split(":")[0]);
            if (Math.abs(ratio / threshold - 1) < margin) {
                return true;
            }
        }
        return false;
    }

    /** How long one run of one performance benchmark may take. */
    public Duration perfDeadline() {
        return Duration.ofSeconds((long) number("deadline.perf.seconds", 300));
    }

    private double number(String key, double fallback) {
        String v = props.getProperty(key);
        return v == null ? fallback : parse(key, v);
    }

    private static double parse(String key, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PATH + ": " + key + " must be a number, not '" + v + "'");
        }
    }
}
