package dev.storagelab.workbench.figures;

import dev.storagelab.workbench.arena.ArenaSweep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * lab-07's crossover map (notes/07-hybrid.md §7.15): the arena's sweep the chapter quotes ({@code
 * notes/data/lab07/arena/settled/sweep/crossover.json}) redrawn as the arena drew it, the hybrid's
 * throughput over the better pure engine's in each cell. The earlier sweeps' data stays beside it,
 * named by chapter 7's measurement log; their maps are in no chapter and are not drawn.
 */
final class CrossoverFigures implements FigureFamily {

    /** The recorded sweep under {@code notes/data/lab07/arena} the map is drawn from. */
    static final String SWEEP = "settled/sweep";

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path json = data.resolve("lab07/arena").resolve(SWEEP).resolve("crossover.json");
        if (Files.isRegularFile(json)) {
            Charts.save(ArenaSweep.heatMap(json), out, "lab07-crossover-settled.png", log);
        }
    }
}
