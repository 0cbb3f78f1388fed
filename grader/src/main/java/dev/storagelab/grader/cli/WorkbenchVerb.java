package dev.storagelab.grader.cli;

import dev.storagelab.grader.bench.Workbench;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/** A verb the workbench answers: everything after it is passed on, unparsed ({@link Workbench}). */
public abstract class WorkbenchVerb implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", description = "The workbench's options.")
    List<String> args = new ArrayList<>();

    /** The words after the verb, passed on to the workbench as they are. */
    public List<String> args() {
        return List.copyOf(args);
    }

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(List.of(spec.name()));
        all.addAll(args);
        return Workbench.run(main.workspace(), all);
    }
}
