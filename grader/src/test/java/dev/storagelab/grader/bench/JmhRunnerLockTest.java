package dev.storagelab.grader.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A measuring run that found JMH's lock taken is retried, and only that one. */
class JmhRunnerLockTest {

    @TempDir
    Path dir;

    private JmhRunner.Run run(String output, boolean finished, int exit, List<JmhRunner.Score> scores)
            throws IOException {
        Path log = dir.resolve("jmh.txt");
        Files.writeString(log, output, StandardCharsets.UTF_8);
        return new JmhRunner.Run(scores, finished, exit, log);
    }

    @Test
    void jmhsOwnMessageForATakenLockIsRecognised() throws IOException {
        // JMH 1.37's Runner prints this and exits before any benchmark runs.
        String jmh = "ERROR: " + JmhRunner.LOCK_MESSAGE + ". Unable to acquire the JMH lock (/tmp/jmh.lock), exiting. "
                + "Use -Djmh.ignoreLock=true to forcefully continue.\n";
        assertThat(JmhRunner.lockWasHeld(run(jmh, true, 1, List.of())), is(true));
    }

    @Test
    void otherFailuresAndKilledRunsAreNotRetried() throws IOException {
        assertThat(
                "a benchmark that threw",
                JmhRunner.lockWasHeld(
                        run("# Benchmark: x\n<failure>\njava.lang.IllegalStateException\n", true, 1, List.of())),
                is(false));
        assertThat(
                "a run killed at its deadline",
                JmhRunner.lockWasHeld(run("ERROR: " + JmhRunner.LOCK_MESSAGE + "\n", false, -1, List.of())),
                is(false));
    }
}
