package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.testkit.PackageLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The grader's packages by concern, importing one way (README, Layout): each package may use only
 * the packages before it in {@link #ORDER}, so a submission's path runs from {@code submission}
 * into its sealed copy and never back, and the trust boundary ({@code sandbox}) depends on no step
 * that runs student code. No package holds more than {@value #MOST} classes
 * (the tests of testkit's {@link PackageLayout}), and no class's file is longer than {@value
 * #LONGEST} lines.
 */
class LayoutTest extends PackageLayout {

    /** The grader's packages from the ground up: a package imports only from those before it. */
    static final List<String> ORDER = List.of(
            "policy", // the in-JVM policy's agent, on the boot class path of every JVM that runs lab code
            "runner", // what those JVMs run of the grader: the test runner, the CPU-time profiler
            "workspace", // the instructor's workspace: labs, handouts, rubric, builds, scratch copies
            "release", // the student release: export, regions, update, leak check
            "submission", // a submission read once into its sealed copy
            "sandbox", // the trust boundary: scan, policy, confinement, limits, test users
            "run", // running a lab's hidden tests in test JVMs, and the clocks
            "feedback", // what a student may read of a failure
            "perf", // performance lines: counted and timed, intervals, the JMH runner
            "report", // the grade report and its outputs
            "grade", // grading a submission, and a class
            "bench", // ./storagelab bench and the workbench's verbs
            "check", // ./storagelab test and audit
            "platform", // Gradescope, PrairieLearn, a stopped grading
            "cli"); // ./storagelab

    /** The most top-level classes one package may hold. */
    static final int MOST = 15;

    /** The most lines one main class's file may hold: a longer class is split by concern. */
    static final int LONGEST = 600;

    LayoutTest() {
        super("grader", "dev.storagelab.grader", ORDER, MOST);
    }

    /** No main class's file is longer than {@value #LONGEST} lines. */
    @Test
    void noClassIsLongerThanTheLongest() throws IOException {
        Path sources = Path.of(System.getProperty("basedir", ""))
                .toAbsolutePath()
                .resolve("src/main/java/dev/storagelab/grader");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        List<String> longer = new ArrayList<>();
        for (Path f : files) {
            long lines;
            try (Stream<String> l = Files.lines(f)) {
                lines = l.count();
            }
            if (lines > LONGEST) {
                longer.add(sources.relativize(f) + " (" + lines + " lines)");
            }
        }
        assertThat("the grader's sources under " + sources, files, is(not(empty())));
        assertThat("classes past " + LONGEST + " lines: split each by concern", longer, is(empty()));
    }
}
