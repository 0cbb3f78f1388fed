package dev.storagelab.workbench.figures;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * One family of the notes' figures (a lab's, the benchmarks'): it reads the recorded data under
 * {@code notes/data}, draws its PNGs and prints the Markdown tables the notes quote. A figure whose
 * data was not recorded is skipped, as a benchmark that was not run has no plot.
 */
interface FigureFamily {

    /**
     * Draws into {@code out} from the recorded data under {@code data} ({@code notes/data}),
     * printing the tables on {@code tables} and a line per file written on {@code log}.
     */
    void draw(Path data, Path out, PrintStream tables, PrintStream log) throws IOException;
}
