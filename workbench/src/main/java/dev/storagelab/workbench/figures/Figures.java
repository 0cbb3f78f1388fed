package dev.storagelab.workbench.figures;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The notes' figures, drawn from their recorded data with the JDK alone: one family a lab (as the
 * notes' chapters are one a lab) and the benchmarks' baseline. {@code ./storagelab figures} draws
 * them into {@code notes/figures}; the book draws them into its own folder.
 */
public final class Figures {

    /** Every family, in course order. */
    static final List<FigureFamily> FAMILIES = List.of(
            new Lab01Figures(),
            new Lab02Figures(),
            new Lab03Figures(),
            new Lab04Figures(),
            new Lab04PoolFigures(),
            new Lab05Figures(),
            new Lab06Figures(),
            new Lab07Figures(),
            new CrossoverFigures(),
            new BenchmarkFigures());

    private Figures() {}

    /**
     * Draws every figure from the recorded data under {@code data} ({@code notes/data}) into
     * {@code out}, printing the tables the notes quote on {@code tables} and a line per file on {@code log}.
     */
    public static void drawAll(Path data, Path out, PrintStream tables, PrintStream log) throws IOException {
        for (FigureFamily f : FAMILIES) {
            f.draw(data, out, tables, log);
        }
    }

    /** Draws every figure, quietly: for the book. */
    public static void drawAll(Path data, Path out) throws IOException {
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        drawAll(data, out, none, none);
    }
}
