package dev.storagelab.grader.cli;

import dev.storagelab.grader.Audit;
import dev.storagelab.grader.Workspace;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Mutation testing (PIT) of a lab's solution regions: how many planted bugs the"
                + " hidden tests, and the public tests alone, catch, per task, with every surviving mutant. Minutes to hours;"
                + " not part of mvn verify.")
final class AuditCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Option(names = "--lab", required = true, paramLabel = "NN", description = "The lab to audit.")
    String lab;

    @Option(names = "--task", paramLabel = "TN", description = "Only this task's regions, e.g. T3 (or 3).")
    String task;

    @Option(
            names = "--out",
            defaultValue = "storagelab-out/audit",
            description =
                    "Where to write audit.txt, audit.json" + " and PIT's HTML reports (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--offline", description = "Run Maven offline.")
    boolean offline;

    @Option(
            names = "--timeout-const",
            paramLabel = "MS",
            defaultValue = "0",
            description =
                    "PIT's timeoutConstant: the"
                            + " milliseconds a mutant's tests may run beyond 1.25 times their unmutated time before the mutant counts as"
                            + " timed out (killed); 0 keeps PIT's 4000. Raise it on a loaded machine, where a slow test can time out.")
    long timeoutConst;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workspace ws = main.workspace();
        Audit.Report report = new Audit(ws, main.progress, offline, timeoutConst)
                .run(ws.lab(lab), task == null ? null : Workspace.normalizeTaskId(task), out);
        spec.commandLine().getOut().print(Audit.text(report));
        spec.commandLine().getOut().println("reports written to " + out.toAbsolutePath());
        return Main.EXIT_OK;
    }
}
