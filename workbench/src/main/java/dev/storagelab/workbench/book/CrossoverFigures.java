package dev.storagelab.workbench.book;

import dev.storagelab.workbench.ArenaSweep;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * lab-07's crossover maps (notes/07-hybrid.md §7.15): each arena sweep the notes recorded ({@code
 * notes/data/lab07/arena/.../sweep/crossover.json}) redrawn as the arena drew it, the hybrid's
 * throughput over the better pure engine's in each cell.
 */
final class CrossoverFigures implements FigureFamily {

    /** The recorded sweep under {@code notes/data/lab07/arena} of each figure. */
    static final Map<String, String> SWEEPS = Map.of(
            "lab07-crossover.png", "sweep",
            "lab07-crossover-tree-first.png", "tree-first/sweep",
            "lab07-crossover-after-fixes.png", "after-fixes/sweep",
            "lab07-crossover-quiet.png", "quiet/sweep",
            "lab07-crossover-settled.png", "settled/sweep");

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        for (var e : new java.util.TreeMap<>(SWEEPS).entrySet()) {
            Path json = data.resolve("lab07/arena").resolve(e.getValue()).resolve("crossover.json");
            if (Files.isRegularFile(json)) {
                Charts.save(ArenaSweep.heatMap(json), out, e.getKey(), log);
            }
        }
    }
}
