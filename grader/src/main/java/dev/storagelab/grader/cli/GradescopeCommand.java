package dev.storagelab.grader.cli;

import dev.storagelab.grader.platform.GradescopePackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "gradescope",
        mixinStandardHelpOptions = true,
        description = "Build the autograder zip Gradescope expects (setup.sh, run_autograder, the workspace).")
final class GradescopeCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Option(
            names = "--lab",
            paramLabel = "NN",
            description = "The lab(s) this assignment grades (repeatable; default: all).")
    List<String> labs = new ArrayList<>();

    @Option(
            names = "--out",
            defaultValue = "autograder.zip",
            description = "The zip to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(
                    out + " is a folder; --out names the zip to write, e.g. " + out.resolve("autograder.zip"));
        }
        int n = GradescopePackage.write(main.workspace(), labs, out);
        spec.commandLine()
                .getOut()
                .printf("wrote %s (%d entries); upload it as the assignment's autograder%n", out.toAbsolutePath(), n);
        return 0;
    }
}
