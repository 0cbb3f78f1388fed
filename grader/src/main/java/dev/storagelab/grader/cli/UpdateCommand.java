package dev.storagelab.grader.cli;

import dev.storagelab.grader.release.ReleaseUpdate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "update",
        mixinStandardHelpOptions = true,
        description = "Take a newer release (a fixed handout, a new"
                + " lab) into this workspace, keeping your work: your code in every task, the files you added, and a .mine copy of"
                + " any given file you changed. Prints what it changed.")
final class UpdateCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Parameters(
            paramLabel = "NEWER_RELEASE",
            description = "The folder of the newer release (what ./storagelab export wrote).")
    Path newer;

    @Option(names = "--dry-run", description = "Print what would change, and change nothing.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path root = main.workspace().root();
        List<ReleaseUpdate.Change> changes =
                ReleaseUpdate.plan(root, newer.toAbsolutePath().normalize());
        if (!dryRun) {
            ReleaseUpdate.apply(changes);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println((dryRun ? "would update " : "updated ") + root + " from "
                + newer.toAbsolutePath().normalize() + ":");
        out.print(ReleaseUpdate.report(root, changes));
        out.flush();
        return Main.EXIT_OK;
    }
}
