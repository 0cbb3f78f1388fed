package dev.storagelab.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A benchmark whose trial and invocation setups succeed, each making a directory, and whose method
 * then writes a file and throws, as a release's does at its first task not written yet ({@link
 * JmhSmokeTest}): JMH runs neither teardown.
 */
@State(Scope.Benchmark)
public class FailingMethodBenchmark {

    private Path trialDir;

    @Setup(Level.Trial)
    public void load() throws IOException {
        trialDir = BenchData.tempDir("testkit-failing-method");
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        BenchData.delete(trialDir);
    }

    /** A directory for each invocation, as lab-04's benchmarks that build a store have. */
    @State(Scope.Thread)
    public static class Scratch {
        Path dir;

        @Setup(Level.Invocation)
        public void create() throws IOException {
            dir = BenchData.tempDir("testkit-failing-method-invocation");
        }

        @TearDown(Level.Invocation)
        public void delete() throws IOException {
            BenchData.delete(dir);
        }
    }

    @Benchmark
    public long fill(Scratch scratch) throws IOException {
        Files.writeString(scratch.dir.resolve("segment"), "data");
        Files.writeString(trialDir.resolve("manifest"), "data");
        throw new IllegalStateException("the store this benchmark fills is not written yet");
    }
}
