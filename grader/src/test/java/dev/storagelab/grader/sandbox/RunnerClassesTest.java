package dev.storagelab.grader.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.grader.runner.CpuTimeProfiler;
import dev.storagelab.grader.runner.HiddenTestRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the grader copies onto the class path of a JVM that runs lab code is found by package, not
 * by name: the test runner and the CPU-time profiler JMH loads by name ({@link CpuTimeProfiler#NAME})
 * are there wherever their package lives, and nothing else of the grader is (its policy classes
 * would shadow the agent's own jar).
 */
class RunnerClassesTest {

    @Test
    void theRunnersPackageIsCopiedWholeAndNothingElse(@TempDir Path tmp) throws IOException {
        Path copy = RunnerClasses.copy(tmp.resolve("classes"));
        List<String> names;
        try (Stream<Path> files = Files.walk(copy)) {
            names = files.filter(Files::isRegularFile)
                    .map(p -> copy.relativize(p).toString().replace('\\', '/'))
                    .toList();
        }
        assertThat(
                names,
                hasItems(
                        resource(HiddenTestRunner.class.getName()),
                        resource(CpuTimeProfiler.NAME),
                        resource(CpuTimeProfiler.class.getName())));
        assertThat(names, everyItem(startsWith(RunnerClasses.PACKAGE)));
    }

    private static String resource(String className) {
        return className.replace('.', '/') + ".class";
    }
}
