package dev.storagelab.grader.cli;

import dev.storagelab.grader.LabTests;
import dev.storagelab.grader.Workspace;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "test",
        mixinStandardHelpOptions = true,
        description = "Run one lab's public tests (or one task's) on the code in this workspace and print"
                + " a line per task. Only that lab's tests run: an unfinished earlier lab does not stop them. Exit 0: all pass;"
                + " 1: some fail; 2: they could not run.")
final class TestCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Option(names = "--lab", required = true, paramLabel = "NN", description = "The lab, e.g. 04.")
    String lab;

    @Option(
            names = "--task",
            paramLabel = "TN",
            description =
                    "Only this task's tests, e.g. T3 (or 3; the handout's task table says which tests are whose).")
    String task;

    @Option(names = "--offline", description = "Run Maven offline.")
    boolean offline;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workspace ws = main.workspace();
        String onlyTask = task == null ? null : Workspace.normalizeTaskId(task);
        return LabTests.run(
                ws, ws.lab(lab), onlyTask, offline, spec.commandLine().getOut(), main.progress);
    }
}
