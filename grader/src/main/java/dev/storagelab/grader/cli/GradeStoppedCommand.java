package dev.storagelab.grader.cli;

import dev.storagelab.grader.platform.StoppedGrading;
import dev.storagelab.grader.workspace.ContainerLimits;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "grade-stopped",
        mixinStandardHelpOptions = true,
        description =
                "After a grading that was stopped from"
                        + " outside (the container's memory, a timeout), say why in one line at the top of its results in --out"
                        + " (Gradescope's results.json and PrairieLearn's), keeping the points they hold; where it left none, write"
                        + " results that say so. The platforms' scripts run it; the reason is read from the container, not the submission.")
final class GradeStoppedCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Option(names = "--out", required = true, description = "The results folder of the stopped grading (grade --out).")
    Path out;

    @Option(names = "--status", required = true, description = "The grading's exit status (137: killed).")
    int status;

    @Option(
            names = "--timed-out",
            paramLabel = "SECONDS",
            description = "The time limit the grading was stopped at, if it was.")
    Long timedOut;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String reason = StoppedGrading.reason(status, timedOut, ContainerLimits.current());
        StoppedGrading.note(out, reason);
        spec.commandLine().getOut().println("noted in " + out.toAbsolutePath() + ": " + reason);
        return Main.EXIT_OK;
    }
}
