package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --help} needs no build: the launcher answers it from {@code grader/help/}, one text per
 * command ({@code storagelab.txt}, {@code storagelab-grade.txt}, ...), which must say what the grader's own commands say (the workbench's commands, passed on
 * to it, are checked by the workbench's {@code HelpTextsTest}). With
 * {@code -Dstoragelab.help.write=true} the texts are rewritten instead of checked.
 */
class HelpTextsTest {

    /** Where the launcher finds the texts, from the workspace root. */
    static final String DIR = "grader/help";
    /** The text of {@code ./storagelab --help}. */
    static final String ROOT = "storagelab";
    /** The verbs the workbench answers: their texts come from it. */
    static final List<String> WORKBENCH_VERBS =
            List.of("workload", "arena", "shell", "repair", "lsm-sim", "hybrid-calibrate", "viz", "book", "figures");

    /** The help text of every grader command (file name without .txt to text). */
    static Map<String, String> graderTexts(CommandLine cli) {
        Map<String, String> texts = new java.util.TreeMap<>();
        texts.put(ROOT, cli.getUsageMessage(CommandLine.Help.Ansi.OFF));
        cli.getSubcommands().forEach((verb, sub) -> {
            if (!WORKBENCH_VERBS.contains(verb)) {
                texts.put(ROOT + "-" + verb, sub.getUsageMessage(CommandLine.Help.Ansi.OFF));
            }
        });
        return texts;
    }

    /** The names whose file differs from its text; rewrites them instead with -Dstoragelab.help.write=true. */
    static List<String> check(Path dir, Map<String, String> texts) throws IOException {
        boolean write = Boolean.getBoolean("storagelab.help.write");
        List<String> stale = new java.util.ArrayList<>();
        for (Map.Entry<String, String> t : texts.entrySet()) {
            Path file = dir.resolve(t.getKey() + ".txt");
            if (write) {
                Files.createDirectories(dir);
                Files.writeString(file, t.getValue(), StandardCharsets.UTF_8);
            } else if (!Files.isRegularFile(file)
                    || !Files.readString(file, StandardCharsets.UTF_8).equals(t.getValue())) {
                stale.add(file.getFileName().toString());
            }
        }
        return stale;
    }

    @TempDir
    Path tmp;

    @Test
    void theHelpTextsAreTheGradersOwnUsage() throws IOException {
        Path dir = Fixtures.realWorkspace().resolve(DIR);
        CommandLine cli = Main.commandLine(new Main());
        List<String> stale = check(dir, graderTexts(cli));
        assertThat(
                "out of date in " + dir + ": " + stale + "; rewrite them with: mvn -pl grader -am verify"
                        + " -Dtest=HelpTextsTest -Dsurefire.failIfNoSpecifiedTests=false -Dstoragelab.help.write=true",
                stale,
                is(List.of()));
    }

    /**
     * A release's help texts ({@code grader/help/release/}, which take the place of the others in
     * the release) are the CLI's usage there: no instructor's verb or option, the commands
     * described as they work there; a text the release shows as the workspace does is not kept twice.
     */
    @Test
    void theReleasesHelpTextsAreTheUsageItShows() throws IOException {
        Path dir = Fixtures.realWorkspace().resolve(DIR);
        Map<String, String> workspace = graderTexts(Main.commandLine(new Main()));
        Map<String, String> release = releaseTexts();
        List<String> stale = check(dir.resolve("release"), release);
        assertThat(
                "out of date in " + dir.resolve("release") + ": " + stale + "; rewrite them with: mvn -pl grader -am"
                        + " verify -Dtest=HelpTextsTest -Dsurefire.failIfNoSpecifiedTests=false -Dstoragelab.help.write=true",
                stale,
                is(List.of()));
        try (var files = Files.list(dir.resolve("release"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.txt$", "");
                assertThat(name + " is a command the release shows", release.containsKey(name), is(true));
                assertThat(name + " differs from the workspace's", release.get(name), not(workspace.get(name)));
            }
        }
        for (String verb : InstructorCommands.VERBS.keySet()) {
            assertThat(release.get(ROOT), not(containsString("\n  " + verb + " ")));
        }
        for (Map.Entry<String, Map<String, String>> e : InstructorCommands.OPTIONS.entrySet()) {
            for (String option : e.getValue().keySet()) {
                assertThat(release.get(ROOT + "-" + e.getKey()), not(containsString(option)));
            }
        }
    }

    /** The release's texts that differ from the workspace's, by file name without .txt. */
    static Map<String, String> releaseTexts() {
        Map<String, String> workspace = graderTexts(Main.commandLine(new Main()));
        Map<String, String> release =
                new java.util.TreeMap<>(graderTexts(Main.forRelease(Main.commandLine(new Main()))));
        InstructorCommands.VERBS.keySet().forEach(verb -> release.remove(ROOT + "-" + verb));
        release.entrySet().removeIf(e -> e.getValue().equals(workspace.get(e.getKey())));
        return release;
    }

    @Test
    void everyCommandHasAHelpText() {
        CommandLine cli = Main.commandLine(new Main());
        Path dir = Fixtures.realWorkspace().resolve(DIR);
        for (String verb : cli.getSubcommands().keySet()) {
            assertThat(verb, Files.isRegularFile(dir.resolve(ROOT + "-" + verb + ".txt")), is(true));
        }
        assertThat(Files.isRegularFile(dir.resolve(ROOT + ".txt")), is(true));
    }

    /** The launcher, on a copy of the workspace with no grader jar and no Maven, answers --help from the texts. */
    @Test
    void theLauncherAnswersHelpWithoutBuilding() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("fresh"));
        Files.copy(Fixtures.realWorkspace().resolve("storagelab"), ws.resolve("storagelab"));
        FileTrees.copy(Fixtures.realWorkspace().resolve(DIR), ws.resolve(DIR), p -> true);
        for (Map.Entry<String, String> c : Map.of(
                        "workload --help", "Usage: storagelab workload",
                        "--workspace . grade --lab 01 --help", "Usage: storagelab grade",
                        "--help", "Usage: storagelab ",
                        "viz -h", "Usage: storagelab viz")
                .entrySet()) {
            ProcessBuilder pb =
                    new ProcessBuilder("bash", ws.resolve("storagelab").toString()).redirectErrorStream(true);
            pb.command().addAll(List.of(c.getKey().split(" ")));
            pb.environment().put("STORAGELAB_MVN", "/bin/false"); // a build would fail: none may start
            long start = System.nanoTime();
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(c.getKey(), p.waitFor(10, TimeUnit.SECONDS), is(true));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(c.getKey() + ": " + out, p.exitValue(), is(0));
            assertThat(c.getKey(), out, containsString(c.getValue()));
            assertThat(c.getKey() + " took " + millis + " ms", millis, lessThan(2000L));
        }
    }
}
