package dev.storagelab.workbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** The arena's sweep: the crossover map. */
final class ArenaSweep {
    static final String JSON = "crossover.json";
    static final String PNG = "crossover.png";

    private ArenaSweep() {
    }

    static void run(List<ArenaEngine> engines, Arena.Spec spec, Path dir, Path out, Consumer<String> progress) throws IOException {
        throw new UnsupportedOperationException("todo");
    }
}
