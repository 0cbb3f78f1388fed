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
 * A benchmark whose trial setup writes a file in its directory and then throws, as a release's
 * does at its first task not written yet ({@link JmhSmokeTest}).
 */
@State(Scope.Benchmark)
public class FailingSetupBenchmark {

    private Path dir;

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchData.tempDir("testkit-failing-setup");
        BenchData.setUpIn(dir, () -> {
            Files.writeString(dir.resolve("segment"), "data");
            throw new IllegalStateException("the store this setup fills is not written yet");
        });
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        BenchData.delete(dir);
    }

    @Benchmark
    public int get() {
        return dir.getNameCount();
    }
}
