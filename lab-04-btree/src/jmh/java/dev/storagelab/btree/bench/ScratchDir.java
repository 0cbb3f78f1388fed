package dev.storagelab.btree.bench;

import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A fresh directory for each invocation of a benchmark that builds a store, deleted after it (outside the timed part). */
@State(Scope.Thread)
public class ScratchDir {
    Path dir;

    @Setup(Level.Invocation)
    public void create() throws IOException {
        dir = BenchData.tempDir("lab04");
    }

    @TearDown(Level.Invocation)
    public void delete() throws IOException {
        BenchData.delete(dir);
    }
}
