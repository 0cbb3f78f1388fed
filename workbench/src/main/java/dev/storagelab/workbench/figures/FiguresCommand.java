package dev.storagelab.workbench.figures;

import dev.storagelab.workbench.data.Workspaces;
import dev.storagelab.workbench.tables.BaselineTable;
import dev.storagelab.workbench.tables.FigureTables;
import dev.storagelab.workbench.tables.GradeTables;
import dev.storagelab.workbench.tables.LogTables;
import dev.storagelab.workbench.tables.LsmTable;
import dev.storagelab.workbench.tables.RunTables;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./storagelab figures}: redraws the notes' figures from their recorded data, with the JDK alone. */
@Command(
        name = "figures",
        mixinStandardHelpOptions = true,
        description = "Redraw every figure of the notes (notes/figures/*.png) from the recorded data in notes/data,"
                + " and print the tables the notes quote beside them.",
        subcommands = {
            FigureTables.ArenaTable.class,
            BaselineTable.class,
            LsmTable.class,
            FigureTables.HybridTable.class,
            FigureTables.JfrProfile.class,
            RunTables.RunLine.class,
            RunTables.JmhScore.class,
            RunTables.EventsAb.class,
            RunTables.EventsJmhAb.class,
            GradeTables.GradeSummary.class,
            GradeTables.CostlyLine.class,
            GradeTables.GradescopeScore.class,
            LogTables.GuardsTable.class,
            LogTables.GuardsControlTable.class,
            LogTables.GuardsCpuTable.class,
            LogTables.LockfreeTable.class,
            LogTables.RedesignTable.class
        })
public final class FiguresCommand implements Callable<Integer> {

    @Option(names = "--workspace", description = "The workspace (default: the one this command belongs to).")
    Path workspace;

    @Option(names = "--data", description = "The recorded data (default: the workspace's notes/data).")
    Path data;

    @Option(names = "--out", description = "Where the PNGs go (default: the workspace's notes/figures).")
    Path out;

    @Option(names = "--quiet", description = "Print only the files written, not the tables.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = FigureTables.stdout();
        Path root = Workspaces.root(workspace);
        Path from = data != null ? data : root.resolve("notes/data");
        Path to = out != null ? out : root.resolve("notes/figures");
        if (!java.nio.file.Files.isDirectory(from)) {
            throw new IllegalArgumentException(from + " does not exist; name the folder of recorded data with --data");
        }
        System.setProperty("java.awt.headless", "true");
        Figures.drawAll(from, to, quiet ? new PrintStream(java.io.OutputStream.nullOutputStream()) : stdout, stdout);
        return 0;
    }
}
