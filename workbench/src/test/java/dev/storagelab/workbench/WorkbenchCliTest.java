package dev.storagelab.workbench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The workbench's commands keep the workspace's command-line convention (the grader passes
 * {@code ./storagelab workload ...} to them as it is): {@code --help} answers with exit 0, and bad
 * input prints one line that says what is wrong, points to the help, and exits with 2.
 */
class WorkbenchCliTest {

    @TempDir
    Path tmp;

    /** What a run printed (standard output and error together) and its exit status. */
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = WorkbenchMain.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"workload", "shell", "lsm-sim", "hybrid-calibrate", "engines", "workloads"})
    void everyCommandAnswersHelpWithExitZero(String command) {
        Run r = run(command, "--help");
        assertThat(r.err(), r.exit(), is(0));
        assertThat(r.out(), containsString("Usage: storagelab " + command));
    }

    /**
     * The launcher answers {@code ./storagelab VERB --help} from {@code grader/help/storagelab-VERB.txt} without
     * building anything: each text must be this command's usage. With
     * {@code -Dstoragelab.help.write=true} they are rewritten instead.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {"workload", "arena", "shell", "repair", "lsm-sim", "hybrid-calibrate", "viz", "book", "figures"})
    void theLaunchersHelpTextIsTheCommandsUsage(String command) throws IOException {
        String usage = WorkbenchMain.commandLine()
                .getSubcommands()
                .get(command)
                .getUsageMessage(picocli.CommandLine.Help.Ansi.OFF);
        Path file = Path.of(System.getProperty("basedir", ""))
                .toAbsolutePath()
                .getParent()
                .resolve("grader/help")
                .resolve("storagelab-" + command + ".txt");
        if (Boolean.getBoolean("storagelab.help.write")) {
            Files.writeString(file, usage);
        }
        assertThat(
                file + " is out of date; rewrite it with: mvn -pl workbench -am verify -Dtest=WorkbenchCliTest"
                        + " -Dsurefire.failIfNoSpecifiedTests=false -Dstoragelab.help.write=true",
                Files.exists(file) ? Files.readString(file) : "(missing)",
                is(usage));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "workload --engine foo --workload fillseq      | no engine named 'foo'",
                "workload --engine btree --workload nope       | no workload named 'nope'",
                "lsm-sim --policy weird                        | unknown policy 'weird'",
                "hybrid-calibrate --device floppy              | --device must be nvme, hdd or object-store",
                "workload --engine btree --workload fillseq --ops many | Invalid value for option '--ops'",
                "workload --engine btree --workload fillseq --frobnicate | unknown option '--frobnicate' (see",
                "workload --engin btree --workload fillseq     | unknown option '--engin'; did you mean '--engine'?",
                "workload --engine btree --wrokload fillseq    | unknown option '--wrokload'; did you mean '--workload'?",
                "arena --workload ecommerce --memroy 8m        | unknown option '--memroy'; did you mean '--memory'?",
                "figures lsm-tabel                             | unknown command 'lsm-tabel'; did you mean 'lsm-table'?",
                "workload --engine btree --workload fillseq --pictures 5 | --pictures goes with --events RUN.jsonl",
                "workload --engine btree --workload fillseq --events never.jsonl --pictures 101 | --pictures must be between 0 and 100, not 101"
            })
    void badInputPrintsOneLineWithAPointerToHelpAndExitsWithTwo(String args, String message) {
        Run r = run(args.trim().split("\\s+"));
        assertThat(r.err(), r.exit(), is(WorkbenchMain.EXIT_COULD_NOT_RUN));
        assertThat(r.err(), containsString(message.trim()));
        assertThat(r.err(), containsString("--help'"));
        assertThat("one line: " + r.err(), r.err().strip().lines().count(), is(1L));
    }

    @ParameterizedTest(name = "--pictures {0}: {1} pictures of the pool")
    @CsvSource({"3, 5", "0, 2", "100, 102"})
    void aRecordingTakesThePicturesItIsAskedForBesideTheFirstAndTheLast(int pictures, long expected)
            throws IOException {
        Path file = tmp.resolve("run.jsonl");
        Run r = run(
                "workload",
                "--no-progress",
                "--engine",
                "btree",
                "--workload",
                "fillseq",
                "--keys",
                "300",
                "--ops",
                "300",
                "--events",
                file.toString(),
                "--pictures",
                Integer.toString(pictures));
        assertThat(r.err(), r.exit(), is(0));
        try (var lines = Files.lines(file)) {
            assertThat(lines.filter(l -> l.contains("\"view\":\"pool\"")).count(), is(expected));
        }
    }

    @Test
    void aFileWhereAFolderIsNeededIsNamedAsSuch() throws IOException {
        Path file = Files.writeString(tmp.resolve("hostname"), "not a folder");
        Run r = run("shell", "--engine", "btree", "--dir", file.toString());
        assertThat(r.err(), r.exit(), is(WorkbenchMain.EXIT_COULD_NOT_RUN));
        assertThat(r.err(), containsString(file + " is a file, not a folder; name a folder"));
    }

    @Test
    void aFolderBelowAFileNamesTheFileInTheWay() throws IOException {
        Path file = Files.writeString(tmp.resolve("hostname"), "not a folder");
        Path below = file.resolve("sub");
        Run r = run("shell", "--engine", "kv", "--dir", below.toString());
        assertThat(r.err(), r.exit(), is(WorkbenchMain.EXIT_COULD_NOT_RUN));
        assertThat(
                r.err(),
                containsString(file + " is a file, not a folder, so " + below + " cannot be made; name a folder"));
        assertThat("one line: " + r.err(), r.err().strip().lines().count(), is(1L));
    }
}
