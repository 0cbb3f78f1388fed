package dev.storagelab.grader.cli;

import dev.storagelab.grader.platform.PrairieLearnPackage;
import dev.storagelab.grader.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "prairielearn",
        mixinStandardHelpOptions = true,
        description =
                "Write what a PrairieLearn course needs to"
                        + " grade a lab as an externally graded question: questions/storagelab-lab-NN/ (info.json with its external grading"
                        + " options, question.html, the files students upload) and grader-image/ (the image's Dockerfile and entrypoint).")
final class PrairieLearnCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Option(names = "--lab", required = true, paramLabel = "NN", description = "The lab the question grades.")
    String lab;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "The course folder to write into (its"
                    + " questions/storagelab-lab-NN and grader-image are replaced; nothing else in it changes).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workspace ws = main.workspace();
        ws.lab(lab);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new java.nio.file.NotDirectoryException(out.toString());
        }
        PrairieLearnPackage.Summary s = PrairieLearnPackage.write(ws, lab, out);
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote the question " + s.question().toAbsolutePath() + " (students upload "
                + String.join(", ", s.files()) + ")");
        o.println("wrote the grader image's folder " + s.image().toAbsolutePath()
                + "; build it with: docker build -t " + PrairieLearnPackage.IMAGE + " "
                + s.image().toAbsolutePath());
        return Main.EXIT_OK;
    }
}
