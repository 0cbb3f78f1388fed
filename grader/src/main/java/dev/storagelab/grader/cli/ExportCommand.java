package dev.storagelab.grader.cli;

import dev.storagelab.grader.release.ClassroomWorkflow;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.workspace.Workspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write the student release: regions become not-implemented throws, hidden tests stay behind.")
final class ExportCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Option(
            names = "--out",
            required = true,
            description =
                    "Where to write the release: a new or empty folder (or, with" + " --replace, an earlier release).")
    Path out;

    @Option(
            names = "--replace",
            description = "Overwrite the earlier release in --out, and everything in it (a student's"
                    + " work too: to keep it, run update in that workspace instead).")
    boolean replace;

    @Option(
            names = "--solved",
            split = ",",
            paramLabel = "NN",
            description = "Labs given out solved, e.g. --solved 01,02:"
                    + " they keep the reference code, and grading the release grades only the others.")
    List<String> solved = new ArrayList<>();

    @Option(
            names = "--classroom",
            description = "Add GitHub Classroom's autograding workflow (" + ClassroomWorkflow.PATH
                    + "): every push runs each task's public tests and reports its points.")
    boolean classroom;

    @Option(
            names = "--classroom-lab",
            split = ",",
            paramLabel = "NN",
            description =
                    "With --classroom: only these labs'"
                            + " tasks, e.g. --classroom-lab 05 for an assignment of lab 05 (default: every lab not given out solved).")
    List<String> classroomLabs = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workspace ws = main.workspace();
        if (!classroomLabs.isEmpty() && !classroom) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--classroom-lab needs --classroom");
        }
        Exporter.Summary s = new Exporter(ws)
                .export(
                        out,
                        new java.util.HashSet<>(solved),
                        replace,
                        classroom,
                        new java.util.HashSet<>(classroomLabs));
        spec.commandLine()
                .getOut()
                .printf(
                        "exported %d files with %d student regions to %s%n",
                        s.files(), s.regions(), out.toAbsolutePath());
        for (Map.Entry<String, Map<String, Integer>> e : s.regionsByLabAndTask().entrySet()) {
            spec.commandLine()
                    .getOut()
                    .printf("  %s: tasks %s%n", e.getKey(), e.getValue().keySet());
        }
        for (String lab : s.solved()) {
            spec.commandLine().getOut().printf("  %s: solved (the reference code, not graded in this release)%n", lab);
        }
        if (classroom) {
            spec.commandLine().getOut().printf("  GitHub Classroom workflow: %s%n", ClassroomWorkflow.PATH);
        }
        return 0;
    }
}
