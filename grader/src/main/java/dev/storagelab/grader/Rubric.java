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
     * {@code perf.<lab>.<name> = <points> <BenchmarkClass.method> [param=value ...] [count=<work>/<operations> counts=<what>]}.
     *
     * @param name      the line's short name, shown in reports and on the leaderboard
     * @param benchmark {@code ReadBenchmark.readrandom}: a JMH benchmark class of the lab and its method
     * @param params    the {@code @Param} values it runs with (the benchmark's own for the others)
     * @param count     what the line counts, or null for a line scored by CPU time
     */
    public record PerfBenchmark(
            String lab, String name, double points, String benchmark, Map<String, String> params, Count count) {

        /** Whether the line is scored by counted work rather than by time. */
        public boolean counted() {
            return count != null;
        }
    }

    /**
     * The work a performance line counts: two of the benchmark's event counters (JMH
     * {@code @AuxCounters}), the work done ({@code work}, such as {@code deviceReads}) and the
     * operations it was done for ({@code operations}, such as {@code gets}), whose quotient is the
     * work per operation. Counted through the course's own layers (the storage's I/O counters, a
     * comparator or key order the benchmark hands in), so no machine and no load can move it; and
     * counted from the moment the structure under test is built or opened, which {@code counts} says
     * in words ({@code open and # gets}: {@code #} stands for the operations of one counting pass).
     */
    public record Count(String work, String operations, String counts) {

        /** {@code device reads per get}: the counters' names in words, the operation singular. */
        public String perOperation() {
            return words(work) + " per " + singular(words(operations));
        }

        /**
         * What the line counts, for {@code n} operations in a counting pass (NaN: not known, the line
         * did not run): {@code device bytes read by open and 16,384 gets, per get}.
         */
        public String words(double n) {
            String number =
                    Double.isFinite(n) && n > 0 ? String.format(java.util.Locale.ROOT, "%,d", Math.round(n)) : "the";
            return words(work) + " by " + counts.replace("#", number) + ", per " + singular(words(operations));
        }

        /** What the line counts, before a run has said how many operations a pass makes. */
        public String words() {
            return words(Double.NaN);
        }

        private static String words(String camel) {
            return camel.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        }

        private static String singular(String plural) {
            if (plural.endsWith("ies")) {
                return plural.substring(0, plural.length() - 3) + "y";
            }
            if (plural.matches(".*(ches|shes|sses|xes)$")) {
                return plural.substring(0, plural.length() - 2);
            }
            return plural.endsWith("s") ? plural.substring(0, plural.length() - 1) : plural;
        }
    }

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
            String[] count = null;
            String counts = null;
            for (int i = 2; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0 || eq == words[i].length() - 1) {
                    throw new IllegalArgumentException(
                            PATH + ": " + key + ": '" + words[i] + "' is not a param=value pair");
                }
                String param = words[i].substring(0, eq);
                String value = words[i].substring(eq + 1);
                if (param.equals("count")) {
                    String[] parts = value.split("/");
                    if (parts.length != 2 || !parts[0].matches("[a-z]\\w*") || !parts[1].matches("[a-z]\\w*")) {
                        throw new IllegalArgumentException(PATH + ": " + key + ": count=" + value
                                + " must name two of the benchmark's counters, the work and the operations,"
                                + " as count=deviceReads/gets");
                    }
                    count = parts;
                } else if (param.equals("counts")) {
                    if (!value.matches("[a-z0-9#,-]+") || !value.contains("#")) {
                        throw new IllegalArgumentException(PATH + ": " + key + ": counts=" + value
                                + " must say, in words joined by '-', what the count starts with and '#' for the"
                                + " operations of the counting pass, as counts=open-and-#-gets");
                    }
                    counts = value.replace('-', ' ');
                } else {
                    params.put(param, value);
                }
            }
            if (count != null && counts == null) {
                throw new IllegalArgumentException(PATH + ": " + key + ": a counted line must say what it counts from"
                        + " the moment the structure is built or opened, as counts=open-and-#-gets ('#' for the"
                        + " operations of the counting pass)");
            }
            if (count == null && counts != null) {
                throw new IllegalArgumentException(
                        PATH + ": " + key + ": counts= belongs to a counted line, beside count=<work>/<operations>");
            }
            found.add(new PerfBenchmark(
                    lab,
                    name,
                    parse(key, words[0]),
                    words[1],
                    Map.copyOf(params),
                    count == null ? null : new Count(count[0], count[1], counts)));
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
        for (double[] band : perfThresholds()) {
            if (ratio <= band[0]) {
                return band[1];
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

    /**
     * The rounds a time-scored line runs before its interval is first read: each round runs the
     * reference and the submission once, alternating which goes first. At least 2 (one run cannot
     * measure the machine's noise), the default: a line that earns every point after 2 rounds stops
     * there, and one that would cost points runs {@link #perfDeductRounds} first.
     */
    public int perfRounds() {
        return Math.max(2, (int) number("perf.rounds", 2));
    }

    /** The most rounds a time-scored line runs while its interval still straddles a threshold. */
    public int perfMaxRounds() {
        return Math.max(perfRounds(), (int) number("perf.max.rounds", 8));
    }

    /**
     * The rounds a time-scored line needs before it may cost points (default 5): a ratio that
     * earns every point is believed as soon as its interval is decided, one that costs points only
     * after this many rounds, so that a few disturbed runs never take a point.
     */
    public int perfDeductRounds() {
        return Math.min(perfMaxRounds(), Math.max(perfRounds(), (int) number("perf.deduct.rounds", 5)));
    }

    /**
     * The least noise a time-scored line assumes, as a relative spread of one run (default 0.02):
     * a reference whose few runs happened to agree closely still leaves its interval this wide.
     */
    public double perfNoiseFloor() {
        return number("perf.noise.floor", 0.02);
    }

    /** The thresholds of {@code perf.thresholds}: each ratio with the fraction it earns, ratios increasing. */
    public List<double[]> perfThresholds() {
        String spec = props.getProperty("perf.thresholds", "1.3:1 1.6:0.75 2:0.5 3:0.25")
                .trim();
        List<double[]> bands = new ArrayList<>();
        for (String pair : spec.split("[\\s,]+")) {
            String[] p = pair.split(":");
            if (p.length != 2) {
                throw new IllegalArgumentException(
                        PATH + ": perf.thresholds must list ratio:fraction pairs, not '" + pair + "'");
            }
            bands.add(new double[] {parse("perf.thresholds", p[0]), parse("perf.thresholds", p[1])});
        }
        return bands;
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
