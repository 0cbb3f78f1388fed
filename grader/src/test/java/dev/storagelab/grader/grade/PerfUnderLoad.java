package dev.storagelab.grader.grade;

import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.perf.Performance;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Rubric;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The experiment behind the claim that performance points survive a busy machine (issue 15): the
 * reference graded against itself, and a submission whose {@code BstMap.findNode} walks the tree
 * four times (truly about 2x slower on lab-03's {@code avl-get}), each measured {@code N} times with
 * the rubric's settings while another process keeps one of the machine's cores busy. Prints a
 * Markdown table: each run's CPU-time ratio, its 95% interval, the rounds it took and the points
 * it earns, the line scored as the rubric scores it (counted, once the rubric counts it). Not a test (it takes minutes); run it by hand:
 *
 * <pre>
 * mvn -q -pl grader -am test-compile -DskipTests
 * java -cp grader/target/test-classes:grader/target/classes:$(cd grader &amp;&amp; mvn -q dependency:build-classpath \
 *     -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test) dev.storagelab.grader.grade.PerfUnderLoad . 10 notes/data/perf-under-load.md reference,slow 4
 * </pre>
 */
public final class PerfUnderLoad {

    private PerfUnderLoad() {}

    public static void main(String[] args) throws Exception {
        Workspace workspace = Workspace.at(
                Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize());
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path out = Path.of(args.length > 2 ? args[2] : "perf-under-load.md");
        List<String> sides = List.of((args.length > 3 ? args[3] : "reference,slow").split(","));
        int walks = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        Path scratch = Files.createTempDirectory("perf-under-load");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Lab lab = workspace.lab("03");
        Rubric rubric = Rubric.of(workspace);
        Grader grader = new Grader(workspace, quiet, false);
        Path reference = grader.builtReference(List.of(lab), scratch);

        // A submission truly about twice as slow on gets: findNode walks the path `walks` times
        // (the walk is about a third of the benchmark's get, so four walks make it about 2x).
        Path slow = scratch.resolve("slow");
        WorkspaceCopies.seed(workspace, reference, slow, List.of(lab));
        Path bst = slow.resolve(lab.studentSources()).resolve("dev/storagelab/bst/BstMap.java");
        String source = Files.readString(bst, StandardCharsets.UTF_8);
        String walk = """
                        Node<K, V> n = root;
                        while (n != null) {
                            int c = compare(key, n.key);
                            if (c < 0) {
                                n = n.left;
                            } else if (c > 0) {
                                n = n.right;
                            } else {
                                return n;
                            }
                        }
                        return null;
                """;
        String twice = """
                        Node<K, V> found = walkOnce(key);
                        for (int i = 1; i < WALKS; i++) {
                            Node<K, V> again = walkOnce(key);
                            found = found == again ? again : found;
                        }
                        return found;
                    }

                    private Node<K, V> walkOnce(K key) {
                """.replace("WALKS", Integer.toString(walks)) + walk;
        if (!source.contains(walk)) {
            throw new IllegalStateException("BstMap.findNode is not the loop this experiment doubles");
        }
        Files.writeString(bst, source.replace(walk, twice), StandardCharsets.UTF_8);
        LabBuild.Result build =
                LabBuild.build(slow, WorkspaceCopies.closure(workspace, List.of(lab)), rubric.buildDeadline(), false);
        if (!LabBuild.built(slow, lab)) {
            throw new IllegalStateException("the slow copy does not build:\n" + build.log());
        }

        Rubric.PerfBenchmark avlGet = rubric.perf(lab.id()).stream()
                .filter(p -> p.name().equals("avl-get"))
                .findFirst()
                .orElseThrow();
        Rubric only = rubric.onlyPerf(lab.id(), avlGet.name());
        Performance performance = new Performance(only, quiet);
        Process hog = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        StringBuilder table = new StringBuilder();
        table.append("| side | run | CPU-time ratio | 95% interval | points | rounds | decided |\n");
        table.append("|---|---:|---:|---:|---:|---:|---|\n");
        List<String> summary = new ArrayList<>();
        try {
            for (String side : sides) {
                int full = 0;
                for (int run = 1; run <= runs; run++) {
                    Path submission = side.equals("reference") ? reference : slow;
                    PerfResult r = performance
                            .measure(lab, reference, submission, scratch.resolve("logs-" + side + "-" + run))
                            .get(0);
                    full += r.earned() == r.max() ? 1 : 0;
                    table.append(String.format(
                            Locale.ROOT,
                            "| %s | %d | %.2f | %.2f to %.2f | %.2f / %.0f | %d | %s |%n",
                            side,
                            run,
                            r.ratio(),
                            r.low(),
                            r.high(),
                            r.earned(),
                            r.max(),
                            r.rounds(),
                            r.decided() ? "yes" : "no"));
                    System.out.print(table.substring(table.lastIndexOf("| " + side)));
                }
                summary.add(String.format(Locale.ROOT, "%s: full points in %d of %d runs", side, full, runs));
            }
        } finally {
            hog.destroyForcibly();
        }
        String text = "# Performance points on a busy machine (lab-03 avl-get)\n\n"
                + "One core kept busy by `sh -c 'while :; do :; done'` throughout; " + runs + " gradings per side with"
                + " the rubric's settings.\n\n" + table + "\n"
                + String.join("\n", summary.stream().map(s -> "- " + s).toList()) + "\n";
        Files.writeString(out, text, StandardCharsets.UTF_8);
        System.out.println(text);
        FileTrees.deleteRecursively(scratch);
    }
}
