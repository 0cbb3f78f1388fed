package dev.storagelab.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.io.FileUtils;

/**
 * The data every lab's benchmarks use: 16-byte keys that sort in the order of their number,
 * 100-byte random values, and shuffles, all from seeded generators so two runs store the same
 * bytes in the same order; and a temporary directory per trial, which a failing setup does not
 * leave behind. Keys and values are raw bytes
 * (this module depends on no lab): a benchmark wraps them with {@code Bytes.wrap}.
 */
public final class BenchData {

    /** Key length in bytes: {@code "key-"} and 12 digits. */
    public static final int KEY_BYTES = 16;
    /** Value length in bytes. */
    public static final int VALUE_BYTES = 100;
    /** The seed of every generator, so runs repeat. */
    public static final long SEED = 42;

    /**
     * The system property naming the folder {@link #tempDir} makes trial directories in (for
     * another disk than {@code java.io.tmpdir}'s, or a test's own folder).
     */
    public static final String DIR_PROPERTY = "storagelab.bench.dir";

    private static final Set<Path> UNDELETED = ConcurrentHashMap.newKeySet();

    private BenchData() {}

    /** The {@code i}-th key, {@code key-%012d} in ASCII; keys sort by {@code i} because the number is zero-padded. */
    public static byte[] keyBytes(long i) {
        if (i < 0 || i > 999_999_999_999L) {
            return String.format("key-%012d", i).getBytes(StandardCharsets.US_ASCII); // never in a benchmark
        }
        // The digits written by hand: String.format took a sixth of a cached B+tree get's CPU time
        // in the workbench, time that every engine paid and that diluted every ratio.
        byte[] key = {'k', 'e', 'y', '-', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int pos = KEY_BYTES - 1; i > 0; pos--, i /= 10) {
            key[pos] = (byte) ('0' + i % 10);
        }
        return key;
    }

    /** A fresh value of {@link #VALUE_BYTES} random bytes drawn from {@code random}. */
    public static byte[] valueBytes(Random random) {
        byte[] v = new byte[VALUE_BYTES];
        random.nextBytes(v);
        return v;
    }

    /**
     * The value of version {@code version} of key {@code key}: {@link #VALUE_BYTES} bytes drawn from a
     * generator seeded by both numbers, so a benchmark that writes several versions of its keys can
     * make every (key, version) distinct and compute, when it checks a read, the very bytes that
     * version was written with, without keeping them all.
     */
    public static byte[] valueBytes(long key, long version) {
        byte[] v = new byte[VALUE_BYTES];
        new SplittableRandom(SEED + key * 1_000_003L + version * 0x9E3779B97F4A7C15L).nextBytes(v);
        return v;
    }

    /** The numbers 0 to {@code n - 1} in an order drawn from {@code seed}. */
    public static int[] shuffled(int n, long seed) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A fresh directory for one trial's files, {@code storagelab-bench-PREFIX-...}, in the folder the
     * system property {@value #DIR_PROPERTY} names, else in {@code java.io.tmpdir}. It is
     * {@linkplain #undeleted() counted as undeleted} until {@link #delete} removes it.
     */
    public static Path tempDir(String prefix) throws IOException {
        String parent = System.getProperty(DIR_PROPERTY);
        String name = "storagelab-bench-" + prefix + "-";
        Path dir = parent == null
                ? Files.createTempDirectory(name)
                : Files.createTempDirectory(Files.createDirectories(Path.of(parent)), name);
        UNDELETED.add(dir);
        return dir;
    }

    /**
     * Runs {@code setup}, a trial's setup that fills {@code dir}, the directory it has just made; if
     * the setup throws, deletes {@code dir} and everything in it, and rethrows. JMH runs no
     * {@code @TearDown} of a trial whose {@code @Setup} threw, and a test that calls a setup itself
     * reaches no {@code finally} of its own when the setup throws: without this, every failing
     * setup (a release's throws at the first task not written yet) would leave its directory.
     */
    public static <E extends Exception> void setUpIn(Path dir, Action<E> setup) throws E {
        try {
            setup.run();
        } catch (Throwable failure) {
            try {
                delete(dir);
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    /**
     * Runs {@code body} with {@link #tempDir} making trial directories in {@code parent} (the
     * property {@value #DIR_PROPERTY} set for its duration, then put back): a test runs failing
     * benchmarks in a folder of its own and then requires it empty, whatever else runs on the
     * machine.
     */
    public static <E extends Exception> void withTrialDirectoriesIn(Path parent, Action<E> body) throws E {
        String previous = System.setProperty(DIR_PROPERTY, parent.toString());
        try {
            body.run();
        } finally {
            if (previous == null) {
                System.clearProperty(DIR_PROPERTY);
            } else {
                System.setProperty(DIR_PROPERTY, previous);
            }
        }
    }

    /** How long {@link #writeInAnotherJvm} waits for the writer: well within a benchmark run's deadline. */
    static final java.time.Duration WRITER_DEADLINE = java.time.Duration.ofSeconds(240);

    /**
     * Runs {@code writer}'s {@code main} in a child JVM ({@link ChildJvm}) with {@code dir} and then
     * {@code args} as its arguments, and waits for it to end: a benchmark's data written by another
     * process than the one that measures it. The JVM that measures then opens files it did not write,
     * so nothing an engine kept in memory since the writing can answer for it, and a counting pass
     * that starts at the open counts the whole of what reading the data costs. The writer calls
     * {@link KilledChild#exitWhenParentDies()} first; what it prints is shown only if it fails.
     */
    public static void writeInAnotherJvm(Class<?> writer, Path dir, String... args) throws IOException {
        writeInAnotherJvm(writer, WRITER_HEAP_MB, dir, args);
    }

    /** The writer's heap in MiB, unless its benchmark asks for another ({@link #writeInAnotherJvm(Class, int, Path, String...)}). */
    public static final int WRITER_HEAP_MB = 256;

    /** As {@link #writeInAnotherJvm(Class, Path, String...)}, with a heap of {@code heapMegabytes} for the writer. */
    public static void writeInAnotherJvm(Class<?> writer, int heapMegabytes, Path dir, String... args)
            throws IOException {
        Path output = Files.createTempFile(dir.getParent(), dir.getFileName() + "-writer-", ".txt");
        try {
            List<String> arguments = new ArrayList<>(List.of(dir.toString()));
            arguments.addAll(List.of(args));
            ChildJvm.runToEnd(writer, arguments, heapMegabytes, WRITER_DEADLINE, output);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Code that may throw {@code E}: a trial's setup ({@link #setUpIn}), or a test's body. */
    @FunctionalInterface
    public interface Action<E extends Exception> {
        void run() throws E;
    }

    /** Removes a trial's directory and everything in it; does nothing for {@code null}. */
    public static void delete(Path dir) throws IOException {
        if (dir != null) {
            FileUtils.deleteDirectory(dir.toFile());
            UNDELETED.remove(dir);
        }
    }

    /**
     * The directories {@link #tempDir} made in this JVM that {@link #delete} has not removed: those
     * of running trials, and those of benchmarks that failed. JMH runs no teardown, of the
     * invocation or of the trial, once a benchmark method has thrown; {@link JmhSmoke} deletes what
     * its run adds here.
     */
    public static Set<Path> undeleted() {
        return Set.copyOf(UNDELETED);
    }
}
