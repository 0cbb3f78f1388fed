package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.storagelab.grader.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command the root README and the lab handouts show, checked on the student release as a
 * student would meet them on a fresh machine: each {@code ./storagelab} command parses and names
 * labs and tasks that exist; each Maven command that picks modules also builds what they depend
 * on ({@code -am}), since a fresh clone has none of the workspace's modules installed; each
 * {@code java} command names a class the release has. The handouts' commands that matter most
 * also run for real: a task's tests and the JMH class path of a lab.
 */
class DocCommandsTest {

    @TempDir
    static Path tmp;

    private static Path release;
    private static List<Command> commands;

    /** A command as a document shows it: the file, the line, and the text (continuation lines joined). */
    record Command(String file, int line, String text) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + text;
        }
    }

    @BeforeAll
    static void exportAndRead() throws IOException {
        release = tmp.resolve("release");
        new Exporter(Workspace.at(Fixtures.realWorkspace())).export(release);
        commands = new ArrayList<>();
        List<Path> docs = new ArrayList<>(List.of(release.resolve("README.md")));
        for (Lab lab : Workspace.at(release).labs()) {
            docs.add(release.resolve(lab.directory()).resolve("README.md"));
        }
        for (Path doc : docs) {
            commands.addAll(
                    commands(release.relativize(doc).toString(), Files.readString(doc, StandardCharsets.UTF_8)));
        }
    }

    private static final Pattern COMMAND = Pattern.compile("^(\\./storagelab|mvn|java|CP=)\\b.*");
    private static final Pattern INLINE = Pattern.compile("`((?:\\./storagelab|mvn) [^`]+)`");

    /** The commands of a Markdown text: lines of fenced code blocks, and inline code that is a command. */
    static List<Command> commands(String file, String markdown) {
        List<Command> found = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        boolean fenced = false;
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                StringBuilder text = new StringBuilder(t);
                int first = i;
                while (text.toString().endsWith("\\") && i + 1 < lines.length) {
                    text.setLength(text.length() - 1);
                    text.append(' ').append(lines[++i].strip());
                }
                if (COMMAND.matcher(text).matches()) {
                    found.add(new Command(file, first + 1, text.toString()));
                }
            } else {
                Matcher m = INLINE.matcher(lines[i]);
                while (m.find()) {
                    if (isConcrete(m.group(1))) {
                        found.add(new Command(file, i + 1, m.group(1)));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Whether inline code is a command to type, not a synopsis or a mention in prose: it gives the
     * verb at least one argument and has no placeholders ({@code SUBMISSION}, {@code DIR}) or
     * synopsis brackets.
     */
    static boolean isConcrete(String code) {
        List<String> w = words(code);
        return w.size() >= 3
                && !code.matches(".*(\\[|\\||\\.\\.\\.).*")
                && w.stream().noneMatch(x -> x.matches("[A-Z][A-Z_]+"));
    }

    /** The words of a shell command, without its comment and redirections; {@code $(...)} is one word. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)")
                .matcher(command.replaceAll("\\$\\([^)]*\\)", "\\$(...)"));
        boolean redirect = false;
        while (m.find()) {
            String w = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (m.group(3) != null && w.startsWith("#")) {
                break;
            }
            if (redirect) {
                redirect = false;
                continue;
            }
            if (m.group(3) != null && (w.equals(">") || w.equals("<") || w.equals("2>"))) {
                redirect = true;
                continue;
            }
            if (m.group(3) != null && (w.equals("|") || w.equals("&&") || w.equals(";"))) {
                break;
            }
            words.add(w);
        }
        return words;
    }

    @Test
    void theDocumentsShowCommands() {
        assertThat("commands found in the README and the handouts", commands.size(), greaterThan(40));
        assertThat(
                commands.stream()
                        .filter(c -> c.file().startsWith("lab-") && c.text().startsWith("./storagelab test"))
                        .count(),
                greaterThan(30L));
    }

    /**
     * Every {@code ./storagelab} command the release's README and handouts show is one the release
     * runs: it parses as the release's command line parses it, uses no verb or option of the
     * instructor's workspace alone ({@link InstructorCommands}), and names labs and tasks that exist.
     */
    @Test
    void everyStoragelabCommandWorksInTheReleaseAndNamesLabsAndTasksThatExist() throws IOException {
        Workspace ws = Workspace.at(release);
        List<String> wrong = new ArrayList<>();
        for (Command c : commands) {
            if (!c.text().startsWith("./storagelab")) {
                continue;
            }
            List<String> args = words(c.text());
            args = args.subList(1, args.size());
            CommandLine.ParseResult parsed;
            try {
                parsed = Main.forRelease(Main.commandLine(new Main())).parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                wrong.add(c + "  -> " + e.getMessage());
                continue;
            }
            CommandLine.ParseResult verb = parsed.subcommand();
            if (verb == null) {
                continue; // the launcher alone, or --help
            }
            java.util.Set<String> options = new java.util.HashSet<>();
            verb.matchedOptions().forEach(o -> options.add(o.longestName()));
            String refusal = InstructorCommands.refusal(verb.commandSpec().name(), options);
            if (refusal != null) {
                wrong.add(c + "  -> " + refusal);
                continue;
            }
            List<String> labs = new ArrayList<>();
            if (verb.hasMatchedOption("--lab")) {
                Object value = verb.matchedOptionValue("--lab", null);
                if (value instanceof List<?> list) {
                    list.forEach(v -> labs.add(v.toString()));
                } else {
                    labs.add(value.toString());
                }
            }
            for (String lab : labs) {
                try {
                    Lab l = ws.lab(lab);
                    if (verb.hasMatchedOption("--task")) {
                        String task = verb.matchedOptionValue("--task", "");
                        if (LabTests.tasks(ws, l).stream()
                                .noneMatch(t -> t.id().equals(Workspace.normalizeTaskId(task)))) {
                            wrong.add(c + "  -> " + l.id() + " has no task " + task + " in its handout's table");
                        }
                    }
                } catch (IllegalArgumentException e) {
                    wrong.add(c + "  -> " + e.getMessage());
                }
            }
        }
        assertThat("commands the documents show that the release's CLI would refuse", wrong, empty());
    }

    /**
     * The release's help texts, which the launcher answers {@code --help} from, are the release's:
     * none of a command of the instructor's workspace alone, and the list of commands names none.
     */
    @Test
    void theReleasesHelpTextsShowOnlyWhatWorksInARelease() throws IOException {
        Path help = release.resolve("grader/help");
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.list(help)) {
            for (Path f : files.sorted().toList()) {
                String text = Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
                if (Files.isDirectory(f)) {
                    wrong.add(f + ": a folder of the workspace's help texts");
                }
                for (String verb : InstructorCommands.VERBS.keySet()) {
                    if (f.getFileName().toString().equals("storagelab-" + verb + ".txt")
                            || text.contains("\n  " + verb + " ")) {
                        wrong.add(f.getFileName() + ": " + verb);
                    }
                }
                InstructorCommands.OPTIONS.forEach((verb, options) -> options.keySet().stream()
                        .filter(o ->
                                f.getFileName().toString().equals("storagelab-" + verb + ".txt") && text.contains(o))
                        .forEach(o -> wrong.add(f.getFileName() + ": " + verb + " " + o)));
            }
        }
        assertThat("instructor's commands in the release's help texts", wrong, empty());
        assertThat(Files.readString(help.resolve("storagelab.txt")), containsString("\n  test "));
    }

    @Test
    void everyMavenCommandThatPicksModulesAlsoBuildsWhatTheyNeed() {
        List<String> wrong = new ArrayList<>();
        for (Command c : commands) {
            List<String> w = words(c.text());
            if (w.get(0).equals("mvn") && w.contains("-pl") && !w.contains("-am") && !w.contains("--also-make")) {
                wrong.add(c + "  -> on a fresh clone the modules it needs (testkit, earlier labs) are not installed;"
                        + " add -am");
            }
        }
        assertThat(wrong, empty());
    }

    @Test
    void everyJavaCommandNamesAClassTheReleaseHas() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Command c : commands) {
            List<String> w = words(c.text());
            if (!w.get(0).equals("java")) {
                continue;
            }
            int cp = w.indexOf("-cp");
            if (cp < 0 || cp + 2 >= w.size()) {
                continue;
            }
            String main = w.get(cp + 2);
            String named = main.equals("org.openjdk.jmh.Main")
                            && cp + 3 < w.size()
                            && !w.get(cp + 3).startsWith("-")
                    ? w.get(cp + 3)
                    : main;
            if (named.equals("org.openjdk.jmh.Main") || named.endsWith(".java")) {
                continue;
            }
            String simple = named.substring(named.lastIndexOf('.') + 1);
            if (findSource(simple).isEmpty()) {
                wrong.add(c + "  -> no class " + named + " in the release");
            }
        }
        assertThat(wrong, empty());
    }

    private static Optional<Path> findSource(String simpleName) throws IOException {
        try (Stream<Path> files = Files.walk(release)) {
            return files.filter(p -> p.getFileName().toString().equals(simpleName + ".java"))
                    .findFirst();
        }
    }

    @Test
    void aHandoutsTaskCommandAndItsBenchmarkClassPathWorkOnTheRelease() throws Exception {
        Path copy = tmp.resolve("release-run");
        FileTrees.copy(release, copy, p -> true);
        // lab-04 T1, as its handout shows it: builds testkit and labs 01-04, runs one task's tests.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(
                new String[] {"--workspace", copy.toString(), "test", "--lab", "04", "--task", "T1", "--offline"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(printed, exit, is(1));
        assertThat(printed, containsString("lab-04 T1 SlottedPage."));
        assertThat(printed, containsString("is not implemented yet"));

        // The handout's benchmark lines: the class path Maven wrote, and JMH finds the benchmarks on it.
        Command cpLine = commands.stream()
                .filter(c -> c.file().startsWith("lab-04") && c.text().startsWith("CP="))
                .findFirst()
                .orElseThrow();
        String script = "cd '" + copy + "' && " + cpLine.text() + " && java -cp \"$CP\" org.openjdk.jmh.Main -l";
        Process p = new ProcessBuilder("bash", "-c", script)
                .redirectErrorStream(true)
                .start();
        String listed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat("JMH must list the benchmarks", p.waitFor(2, TimeUnit.MINUTES), is(true));
        assertThat(listed, p.exitValue(), is(0));
        assertThat(listed, containsString("ReadBenchmark"));
    }
}
