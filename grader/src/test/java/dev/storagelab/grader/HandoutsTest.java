package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handouts keep their shape, on the real workspace: every public test belongs to a task of
 * its lab's table (or to the row of the given code's tests), so {@code ./storagelab test} has no
 * "other" row; every task's section names its test command; the handouts have one shape (the
 * same top-level sections in the same order, the same parts in every task's section); and what
 * students and readers see (handouts, notes, the README outside its instructor part, every file of
 * the release, the notes' data and figure scripts) speaks of the course alone, never of how the
 * workspace is made.
 */
class HandoutsTest {

    private static final Workspace WORKSPACE = Workspace.at(Fixtures.realWorkspace());

    /**
     * Words of how the workspace is made, not of the course: issue numbers, sessions, a lead, helpers
     * and their jobs, phases and episodes by number, the working copies' paths, a brief, a change or
     * merge and the main line or branch it was measured against.
     */
    private static final Pattern PROJECT_WORDS = Pattern.compile("(?i)\\bissue \\d+|\\bthe issue('s)?\\b|\\bthe lead\\b"
            + "|\\blead's\\b|\\bfor the lead\\b|\\bhelper sessions?\\b|\\bthis session\\b|\\bphase \\d+(?![\\d,.])|\\bepisode \\d+\\.\\d+"
            + "|\\bdb-\\d\\d\\b|\\bsessions'|\\bother sessions\\b|\\bhelpers?'s? (?:test runs?|builds?|jobs?)|\\bthe races helper"
            + "|/work/wt-|\\bwt-\\d+\\b|/work/main\\b|/tmp/lead\\b|figures to reach"
            + "|\\bthe brief\\b|\\bthis (?:change|merge)\\b| \\(main\\)|\\bmain's (?:code|tree|lab|classes|CPU|\\p{XDigit}{7})"
            + "|\\bon the `?[\\w-]+`? branch\\b|\\bfrom branch\\b|\\bthe merged workspace\\b");

    /**
     * More words of how the workspace is made, looked for in the notes' data and figure scripts only
     * (where no source code speaks of its own helpers or of a session API): tickets and issues, helpers,
     * a branch of the work in progress, a numbered task of the project (the course's tasks are T1,
     * T2, ...), someone's session. A login session of the kernel ("a session of their own", "between
     * sessions") is the course's subject there and is not one of these.
     */
    private static final Pattern DATA_PROJECT_WORDS = Pattern.compile("(?i)\\bissues?\\b|\\btickets?\\b|\\bhelpers?\\b"
            + "|\\bthis branch\\b|\\bbranch `?pool\\b|\\btask \\d+\\b|\\b(?:my|your|other|another) sessions?\\b");

    /** Files that are not text, or are data too large to be prose: not read for words. */
    private static final Pattern NOT_PROSE =
            Pattern.compile("(?i).*\\.(png|jpe?g|gif|jar|jfr|zip|gz|class|bin|json|csv|sst|log)$");

    /**
     * Files that are not text: not read for words in the notes' data and figures, whose every text
     * file (JSON, CSV, logs and load samples included) a reader may open.
     */
    private static final Pattern NOT_TEXT = Pattern.compile("(?i).*\\.(png|jpe?g|gif|jar|jfr|zip|gz|class|bin|sst)$");

    /** An {@code @Graded} annotation and the task it names, if it names one. */
    private static final Pattern GRADED = Pattern.compile("@Graded\\(([^@]*?)\\)\\s*(?:@|\\s)");

    private static final Pattern TASK = Pattern.compile("task = \"(T\\d+)\"");

    /**
     * Every hidden test names the task of its handout whose work it checks, so that the report's
     * table of points per task adds up to the lab's points and tells a student which task lost them.
     */
    @Test
    void everyHiddenTestNamesATaskOfItsHandout() throws IOException {
        List<String> wrong = new ArrayList<>();
        int graded = 0;
        for (Lab lab : WORKSPACE.labs()) {
            Set<String> tasks = new HashSet<>();
            LabTests.tasks(WORKSPACE, lab).forEach(t -> tasks.add(t.id()));
            Path hidden = WORKSPACE.root().resolve(lab.directory()).resolve("src/hidden/java");
            if (!Files.isDirectory(hidden)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(hidden)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                        .sorted()
                        .toList()) {
                    Matcher m = GRADED.matcher(Files.readString(f, StandardCharsets.UTF_8));
                    while (m.find()) {
                        graded++;
                        Matcher t = TASK.matcher(m.group(1));
                        if (!t.find() || !tasks.contains(t.group(1))) {
                            wrong.add(WORKSPACE.root().relativize(f) + ": @Graded("
                                    + m.group(1).strip() + ")" + " names no task of the table in " + lab.directory()
                                    + "/README.md " + tasks);
                        }
                    }
                }
            }
        }
        assertThat("hidden tests found", graded > 500, is(true));
        assertThat(String.join("\n", wrong), wrong, is(empty()));
    }

    @Test
    void everyPublicTestBelongsToATaskOrToTheGivenCodesRow() throws IOException {
        List<String> unowned = new ArrayList<>();
        for (Lab lab : WORKSPACE.labs()) {
            Set<String> owned = new HashSet<>();
            LabTests.tasks(WORKSPACE, lab).forEach(t -> owned.addAll(t.testClasses()));
            for (String test : LabTests.testClasses(WORKSPACE, lab)) {
                String simple = test.substring(test.lastIndexOf('.') + 1);
                if (!owned.contains(simple)) {
                    unowned.add(lab.id() + " " + simple);
                }
            }
        }
        assertThat("public tests no row of their handout's table lists", unowned, empty());
    }

    @Test
    void everyTasksSectionNamesItsTestCommand() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Lab lab : WORKSPACE.labs()) {
            String handout = Files.readString(
                    WORKSPACE.root().resolve(lab.directory()).resolve("README.md"), StandardCharsets.UTF_8);
            for (LabTests.Task t : LabTests.tasks(WORKSPACE, lab)) {
                if (t.id().equals("given")) {
                    continue;
                }
                String command = "./storagelab test --lab " + lab.id().substring(4) + " --task " + t.id();
                Matcher section = Pattern.compile("(?ms)^## " + t.id() + "\\s*$(.*?)(?=^## |\\z)")
                        .matcher(handout);
                if (!section.find() || !section.group(1).contains(command)) {
                    missing.add(lab.id() + " " + t.id());
                }
            }
        }
        assertThat(
                "tasks whose section (## TN) does not show `./storagelab test --lab NN --task TN`", missing, empty());
    }

    /** The labs whose handouts have the one shape below: every lab's. */
    static final List<String> SHAPED_LABS =
            List.of("lab-01", "lab-02", "lab-03", "lab-04", "lab-05", "lab-06", "lab-07");

    /**
     * The shape of a handout: its top-level ({@code ## }) headings, in this order, the tasks
     * ({@code ## T1}, {@code ## T2}, ...: the rows of its task table) between the two lists.
     */
    static final List<String> BEFORE_THE_TASKS =
            List.of("How to run the tests", "The production pain", "Concepts", "Formats");

    static final List<String> AFTER_THE_TASKS =
            List.of("Bonus", "Experiments", "Watching it in the browser", "How the lab is graded", "For instructors");
    /** The headings of the shape a handout may leave out, where the lab has nothing for them: none (every lab has a viewer section). */
    static final Set<String> OPTIONAL_HEADINGS = Set.of();

    @Test
    void theShapedHandoutsHaveTheShapesHeadingsInOrderAndEveryTaskItsParts() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String id : SHAPED_LABS) {
            Lab lab = WORKSPACE.labs().stream()
                    .filter(l -> l.id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(id + " is in SHAPED_LABS but the workspace has no such lab"));
            String handout = Files.readString(
                    WORKSPACE.root().resolve(lab.directory()).resolve("README.md"), StandardCharsets.UTF_8);
            List<String> tasks = LabTests.tasks(WORKSPACE, lab).stream()
                    .map(LabTests.Task::id)
                    .filter(t -> !t.equals("given"))
                    .toList();
            problems.addAll(shapeProblems(lab.directory() + "/README.md", handout, tasks));
        }
        assertThat(
                "handouts out of the shape: ## " + String.join(", ## ", BEFORE_THE_TASKS) + ", ## T1 ... ## TN, ## "
                        + String.join(", ## ", AFTER_THE_TASKS) + " (optional: " + OPTIONAL_HEADINGS
                        + "); each task's section with a"
                        + " `*Run.*` line naming its test command, then a `*What the tests check.*` paragraph",
                problems,
                empty());
    }

    @Test
    void theShapeCheckFindsAHandoutOutOfShape() {
        String handout = String.join(
                "\n",
                "# lab-09 Example",
                "",
                "## Getting started",
                "",
                "```",
                "## not a heading: code",
                "```",
                "## The production pain",
                "## Formats",
                "## Concepts",
                "## T1",
                "",
                "*Run.* `./storagelab test --lab 09 --task T1`",
                "",
                "*What the tests check.* `ExampleTest`: everything.",
                "## T2",
                "",
                "*What the tests check.* nothing yet.",
                "",
                "*Run.* `./storagelab test --lab 09 --task T2`",
                "## Experiments",
                "## Glossary",
                "## How the lab is graded",
                "## For instructors",
                "");
        assertThat(
                shapeProblems("lab-09-example/README.md", handout, List.of("T1", "T2")),
                contains(
                        "lab-09-example/README.md: top-level headings [Getting started, The production pain, Formats, Concepts, T1, T2,"
                                + " Experiments, Glossary, How the lab is graded, For instructors]; the shape wants [How to run the tests,"
                                + " The production pain, Concepts, Formats, T1, T2, Bonus, Experiments, Watching it in the browser,"
                                + " How the lab is graded, For instructors]",
                        "lab-09-example/README.md ## T2: no `*What the tests check.*` paragraph after its `*Run.*` line"));
        String shaped = String.join(
                "\n",
                "## How to run the tests",
                "## The production pain",
                "## Concepts",
                "## Formats",
                "## T1",
                "",
                "*Run.* `./storagelab test --lab 09 --task T1`",
                "",
                "*What the tests check.* `ExampleTest`: everything.",
                "## Bonus",
                "## Experiments",
                "## Watching it in the browser",
                "## How the lab is graded",
                "<!-- BEGIN INSTRUCTOR -->",
                "## For instructors",
                "<!-- END INSTRUCTOR -->",
                "");
        assertThat(shapeProblems("lab-09-example/README.md", shaped, List.of("T1")), empty());
        assertThat(
                "a task missing from the handout",
                shapeProblems("lab-09-example/README.md", shaped, List.of("T1", "T2")),
                contains(
                        "lab-09-example/README.md: top-level headings [How to run the tests, The production pain, Concepts, Formats, T1,"
                                + " Bonus, Experiments, Watching it in the browser, How the lab is graded, For instructors]; the shape wants [How to run the tests,"
                                + " The production pain, Concepts, Formats, T1, T2, Bonus, Experiments, Watching it in the browser,"
                                + " How the lab is graded, For instructors]"));
        String noRun = shaped.replace(
                "*Run.* `./storagelab test --lab 09 --task T1`", "Run `./storagelab test --lab 09 --task T1`.");
        assertThat(
                "a task without its *Run.* line",
                shapeProblems("lab-09-example/README.md", noRun, List.of("T1")),
                contains("lab-09-example/README.md ## T1: no `*Run.*` line"));
    }

    /**
     * What keeps {@code handout} out of the shape, as messages naming the file: its top-level headings
     * not those of the shape, in its order, with {@code tasks} (the task table's, in order) between
     * {@link #BEFORE_THE_TASKS} and {@link #AFTER_THE_TASKS}; a task's section without a {@code *Run.*}
     * line, or without a {@code *What the tests check.*} paragraph after it. Headings inside fenced
     * code are not headings.
     */
    static List<String> shapeProblems(String file, String handout, List<String> tasks) {
        List<String> headings = new ArrayList<>();
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        boolean fenced = false;
        for (String line : handout.split("\n", -1)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            }
            if (!fenced && line.startsWith("## ")) {
                String heading = line.substring(3).strip();
                headings.add(heading);
                current = new ArrayList<>();
                sections.put(heading, current);
            } else if (current != null) {
                current.add(line);
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> wanted = new ArrayList<>(BEFORE_THE_TASKS);
        wanted.addAll(tasks);
        wanted.addAll(AFTER_THE_TASKS);
        List<String> present = wanted.stream()
                .filter(h -> !OPTIONAL_HEADINGS.contains(h) || headings.contains(h))
                .toList();
        if (!headings.equals(present)) {
            List<String> shown = wanted.stream()
                    .map(h -> OPTIONAL_HEADINGS.contains(h) ? "(" + h + ")" : h)
                    .toList();
            problems.add(file + ": top-level headings " + headings + "; the shape wants " + shown);
        }
        for (String task : tasks) {
            List<String> body = sections.get(task);
            if (body == null) {
                continue; // already reported: the headings differ from the shape's
            }
            int run = -1;
            for (int i = 0; i < body.size() && run < 0; i++) {
                if (body.get(i).startsWith("*Run.*")) {
                    run = i;
                }
            }
            if (run < 0) {
                problems.add(file + " ## " + task + ": no `*Run.*` line");
            } else if (body.subList(run + 1, body.size()).stream()
                    .noneMatch(l -> l.startsWith("*What the tests check.*"))) {
                problems.add(file + " ## " + task + ": no `*What the tests check.*` paragraph after its `*Run.*` line");
            }
        }
        return problems;
    }

    /** What students and readers read: the handouts, the notes' chapters and the README. */
    private static List<Path> readersDocuments() throws IOException {
        List<Path> documents = new ArrayList<>();
        for (Lab lab : WORKSPACE.labs()) {
            documents.add(WORKSPACE.root().resolve(lab.directory()).resolve("README.md"));
        }
        try (Stream<Path> notes = Files.list(WORKSPACE.root().resolve("notes"))) {
            notes.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        documents.add(WORKSPACE.root().resolve("README.md"));
        return documents;
    }

    @Test
    void whatStudentsAndReadersSeeSpeaksOfTheCourseAlone() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path doc : readersDocuments()) {
            String rel = WORKSPACE.root().relativize(doc).toString();
            // What a reader sees: the release's text, instructor-only parts left out.
            String text = Regions.exportMarkdown(Files.readString(doc, StandardCharsets.UTF_8), rel);
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                Matcher m = PROJECT_WORDS.matcher(lines[i]);
                if (m.find()) {
                    found.add(rel + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        assertThat(found, empty());
    }

    /** A speed-up as a number: "6.3 times as fast", "~30x faster", "at 8×". */
    private static final Pattern SPEED_UP =
            Pattern.compile("(?i)\\b\\d+(?:\\.\\d+)?\\s*(?:×|x\\b)|\\b\\d+(?:\\.\\d+)? times (?:as fast|faster)");

    private static final Pattern GROUP_COMMIT = Pattern.compile("(?i)group[- ]commit|threads (?:can )?commit");

    /**
     * A measured claim is stated once, with its conditions, and referred to elsewhere: the
     * group-commit speed-up is a number in one paragraph of what readers see, §6.3 of the notes,
     * which names the machine's load, the force's time and the cores; a handout or another chapter
     * that speaks of it points there instead of quoting a figure of its own.
     */
    @Test
    void theGroupCommitSpeedUpIsStatedOnceWithItsConditions() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path doc : readersDocuments()) {
            String rel = WORKSPACE.root().relativize(doc).toString();
            String text = Regions.exportMarkdown(Files.readString(doc, StandardCharsets.UTF_8), rel);
            // Paragraphs, and each item of a list on its own.
            for (String paragraph : text.split("\n\\s*\n|\n(?=\\s*- )")) {
                Matcher speedUp = SPEED_UP.matcher(paragraph);
                if (GROUP_COMMIT.matcher(paragraph).find() && speedUp.find()) {
                    found.add(rel + ": " + speedUp.group());
                }
            }
        }
        assertThat(
                "the group-commit speed-up, as a number, in one place only",
                found,
                contains("notes/06-wal-mvcc.md: 6.3 times as fast"));
        String notes = Files.readString(WORKSPACE.root().resolve("notes/06-wal-mvcc.md"), StandardCharsets.UTF_8);
        String claim = notes.substring(notes.indexOf("**The group-commit speed-up"));
        claim = claim.substring(0, claim.indexOf("\n\n"));
        for (String condition : List.of("quiet machine", "a force of", "2 cores", "32 threads", "GroupCommitLatency")) {
            assertThat("the claim states its conditions: " + condition, claim, containsString(condition));
        }
    }

    /**
     * Every text file of the student release (sources, scripts, the notes' data: what {@code export}
     * writes, Markdown without its instructor parts), and the notes' data and figure scripts of this
     * workspace (the instructor's copy, the audit's records included), speak of the course alone too.
     * The release's files are read where they are, through the exporter's own filter, rather than
     * exported: the same files, in a second rather than half a minute.
     */
    @Test
    void theReleasesFilesAndTheNotesDataSpeakOfTheCourseAlone() throws IOException {
        Exporter exporter = new Exporter(WORKSPACE);
        Path root = WORKSPACE.root();
        List<String> found = new ArrayList<>();
        found.addAll(projectWords(root, root, f -> exporter.isExported(root.relativize(f))));
        found.addAll(notesDataWords(root));
        assertThat(found, empty());
    }

    /**
     * The project words, {@link #PROJECT_WORDS} and {@link #DATA_PROJECT_WORDS}, in every text file
     * under {@code notes/data} and {@code notes/figures} of {@code root}: what a reader of the notes
     * opens beside them, raw data (JSON, CSV, logs) and the scripts that wrote it.
     */
    static List<String> notesDataWords(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        for (String dir : List.of("notes/data", "notes/figures")) {
            if (Files.isDirectory(root.resolve(dir))) {
                found.addAll(words(
                        root, root.resolve(dir), NOT_TEXT, f -> true, List.of(PROJECT_WORDS, DATA_PROJECT_WORDS)));
            }
        }
        return found;
    }

    @Test
    void projectWordsAreFoundInEveryTextFileOfTheNotesDataAndFigures(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("notes/data/lab05"));
        Files.createDirectories(tmp.resolve("notes/figures"));
        Files.writeString(tmp.resolve("notes/data/lab05/run.json"), "{\"reference\": \"/work/main\"}\n");
        Files.writeString(
                tmp.resolve("notes/data/lab05/log.txt"), "fillrandom: 120,000 ops/s\nmeasured for the issue's sizes\n");
        Files.writeString(tmp.resolve("notes/data/lab05/runs.csv"), "label,ops\nthis branch,120000\n");
        Files.writeString(tmp.resolve("notes/data/lab05/jmh.log"), "Benchmark result is saved to /tmp/lead/jmh.json\n");
        Files.writeString(tmp.resolve("notes/figures/measure.sh"), "#!/bin/sh\n# task 3 of the helper's list\n");
        Files.writeString(
                tmp.resolve("notes/figures/loops.sh"), "# the loops run in a session of their own, as a neighbour's\n");
        Files.write(tmp.resolve("notes/figures/plot.png"), "issue 7".getBytes(StandardCharsets.UTF_8));
        assertThat(
                notesDataWords(tmp),
                containsInAnyOrder(
                        "notes/data/lab05/run.json:1: /work/main",
                        "notes/data/lab05/log.txt:2: the issue's",
                        "notes/data/lab05/runs.csv:2: this branch",
                        "notes/data/lab05/jmh.log:1: /tmp/lead",
                        "notes/figures/measure.sh:2: task 3"));
    }

    @Test
    void projectWordsAreFoundInAFileOfTheNotesData(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("notes/data/lab04"));
        Files.writeString(
                tmp.resolve("notes/data/lab04/README.md"),
                "# Measured for issue 16\nThe machine was shared with other" + " sessions' builds.\n");
        Files.writeString(tmp.resolve("notes/data/lab04/measure.sh"), "cd /work/wt-pool\n");
        Files.writeString(tmp.resolve("notes/data/lab04/run.json"), "{\"note\": \"issue 16\"}\n");
        assertThat(
                projectWords(tmp, tmp.resolve("notes/data"), f -> true),
                containsInAnyOrder(
                        "notes/data/lab04/README.md:1: issue 16",
                        "notes/data/lab04/README.md:2: other sessions",
                        "notes/data/lab04/measure.sh:1: /work/wt-"));
    }

    /**
     * The project words in the text files under {@code dir} that {@code read} accepts, as "path:line:
     * words", the path relative to {@code root}; Markdown as the release shows it.
     */
    private static List<String> projectWords(Path root, Path dir, Predicate<Path> read) throws IOException {
        return words(root, dir, NOT_PROSE, read, List.of(PROJECT_WORDS));
    }

    /**
     * The first of {@code patterns} found on each line of the files under {@code dir} whose name
     * {@code skip} does not match and that {@code read} accepts, as "path:line: words"; one hit a line.
     */
    private static List<String> words(Path root, Path dir, Pattern skip, Predicate<Path> read, List<Pattern> patterns)
            throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(f -> !root.relativize(f).toString().contains("target/"))
                    .filter(Files::isRegularFile)
                    .filter(f -> !skip.matcher(f.getFileName().toString()).matches())
                    .filter(read)
                    .sorted()
                    .toList();
        }
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException binary) {
                continue;
            }
            String rel = root.relativize(file).toString();
            if (rel.endsWith(".md")) {
                text = Regions.exportMarkdown(text, rel);
            }
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (Pattern words : patterns) {
                    Matcher m = words.matcher(lines[i]);
                    if (m.find()) {
                        found.add(rel + ":" + (i + 1) + ": " + m.group());
                        break;
                    }
                }
            }
        }
        return found;
    }

    /** The course's own words, each defined in the glossary. */
    private static final List<String> COURSE_TERMS = List.of(
            "Episode",
            "Lab",
            "Handout",
            "Task",
            "Region",
            "Given code",
            "Release",
            "Reference",
            "Public tests",
            "Hidden tests",
            "Concept",
            "Local check");

    @Test
    void theGlossaryDefinesTheCoursesWordsAndTheReleasesReadmePointsToIt() throws IOException {
        String glossary = Files.readString(WORKSPACE.root().resolve("notes/glossary.md"), StandardCharsets.UTF_8);
        List<String> undefined = COURSE_TERMS.stream()
                .filter(term -> !glossary.contains("**" + term + "**"))
                .toList();
        assertThat("terms the glossary does not define", undefined, empty());
        String readme = Regions.exportMarkdown(
                Files.readString(WORKSPACE.root().resolve("README.md"), StandardCharsets.UTF_8), "README.md");
        assertThat(
                "the release's README points to the glossary",
                readme.contains("[notes/glossary.md](notes/glossary.md)"),
                is(true));
        assertThat(
                "the glossary goes out with the release",
                new Exporter(WORKSPACE).isExported(Path.of("notes/glossary.md")),
                is(true));
    }

    /** A task's name used for something else: ARC's lists named like lab-07's tasks, "the list T1". */
    private static final Pattern TASK_NAME_AS_A_LIST = Pattern.compile(
            "\\bARC \\(`?T\\d+\\b|\\blists? `?T\\d+\\b|\\bT\\d+`?,? (?:and )?`?T\\d+`?,? the ghost lists");

    /** What in {@code handout} names a list with a task's name, as {@code file:line: words}. */
    static List<String> taskNamesUsedForLists(String file, String handout) {
        List<String> found = new ArrayList<>();
        String[] lines = handout.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = TASK_NAME_AS_A_LIST.matcher(lines[i]);
            if (m.find()) {
                found.add(file + ":" + (i + 1) + ": " + m.group());
            }
        }
        return found;
    }

    @Test
    void aTasksNameNamesOnlyTheTask() throws IOException {
        List<String> found = new ArrayList<>();
        for (Lab lab : WORKSPACE.labs()) {
            String rel = lab.directory() + "/README.md";
            found.addAll(taskNamesUsedForLists(
                    rel, Files.readString(WORKSPACE.root().resolve(rel), StandardCharsets.UTF_8)));
        }
        assertThat("T1, T2, ... name tasks only (the glossary says so)", found, empty());
        assertThat(
                "the check finds ARC's lists named T1 and T2, as lab-07's task table once did",
                taskNamesUsedForLists(
                        "lab-07-hybrid/README.md",
                        "| [T3](#t3) | replacement policies: ARC (T1, T2, the ghost lists B1 and B2, the adaptive target p) |"),
                contains("lab-07-hybrid/README.md:1: ARC (T1"));
    }

    @Test
    void theReleasesReadmeOpensWithTheStudentsWorkflow() throws IOException {
        String readme = Regions.exportMarkdown(
                Files.readString(WORKSPACE.root().resolve("README.md"), StandardCharsets.UTF_8), "README.md");
        int firstSection = readme.indexOf("\n## ");
        assertThat(readme.substring(firstSection, readme.indexOf('\n', firstSection + 1)), is("\n## Getting started"));
        assertThat(
                "no instructor material before the labs",
                readme.substring(0, readme.indexOf("## The labs")).contains("mvn verify"),
                is(false));
        assertThat(
                "a student's README: the instructor workflow stays in the instructor's copy",
                readme.contains("## Instructor workflow") || readme.contains("(instructors only)"),
                is(false));
    }

    /** Numbers in words, as the handouts write them. */
    private static final List<String> WORDS = List.of("no", "one", "two", "three", "four", "five", "six");

    /**
     * What a handout says {@code ./storagelab test} prints per task, and which JDKs it runs on, is
     * what the grader prints and the README requires: as many failures as {@link
     * LabTests#FAILURES_SHOWN} ("the first failure" was once written where three were shown), and
     * the README's JDKs, never a narrower list.
     */
    @Test
    void whatAHandoutSaysOfTheTestCommandAndTheJdkIsWhatTheyAre() throws IOException {
        String readme = Files.readString(WORKSPACE.root().resolve("README.md"), StandardCharsets.UTF_8);
        Matcher jdks = Pattern.compile("You need JDK ([\\d, or]+) and Maven").matcher(readme);
        assertThat("the README names the JDKs", jdks.find(), is(true));
        List<String> wrong = new ArrayList<>();
        for (Lab lab : WORKSPACE.labs()) {
            String rel = lab.directory() + "/README.md";
            wrong.addAll(testCommandWordsProblems(
                    rel, Files.readString(WORKSPACE.root().resolve(rel), StandardCharsets.UTF_8), jdks.group(1)));
        }
        assertThat(wrong, empty());
        assertThat(
                testCommandWordsProblems(
                        "lab-01-binary-search/README.md",
                        "You need Java 17 and Maven 3.8 or newer.\nhow many tests pass, and the not-implemented"
                                + " message or the first\nfailure) and exits 0",
                        jdks.group(1)),
                contains(
                        "lab-01-binary-search/README.md: says Java 17 where the README says JDK " + jdks.group(1),
                        "lab-01-binary-search/README.md: says the first failure is shown where up to "
                                + WORDS.get(LabTests.FAILURES_SHOWN) + " are"));
    }

    private static List<String> testCommandWordsProblems(String name, String handout, String jdks) {
        List<String> problems = new ArrayList<>();
        Matcher need =
                Pattern.compile("You need (Java|JDK) ([\\d, or]+?) and Maven").matcher(handout);
        while (need.find()) {
            if (!need.group(1).equals("JDK") || !need.group(2).equals(jdks)) {
                problems.add(
                        name + ": says " + need.group(1) + " " + need.group(2) + " where the README says JDK " + jdks);
            }
        }
        String flat = handout.replaceAll("\\s+", " ");
        Matcher shown = Pattern.compile("the not-implemented message or (the first failure|up to (\\w+) failures)")
                .matcher(flat);
        while (shown.find()) {
            if (shown.group(2) == null || !shown.group(2).equals(WORDS.get(LabTests.FAILURES_SHOWN))) {
                problems.add(name + ": says " + shown.group(1) + " is shown where up to "
                        + WORDS.get(LabTests.FAILURES_SHOWN) + " are");
            }
        }
        return problems;
    }
}
