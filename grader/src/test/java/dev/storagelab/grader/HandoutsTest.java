package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * "other" row; every task's section names its test command; and what students and readers see
 * (handouts, notes, the README outside its instructor part, every file of the release, the notes'
 * data and figure scripts) speaks of the course alone, never of how the workspace is made.
 */
class HandoutsTest {

    private static final Workspace WORKSPACE = Workspace.at(Fixtures.realWorkspace());

    /**
     * Words of how the workspace is made, not of the course: issue numbers, sessions, a lead, helpers
     * and their jobs, phases and episodes by number, the working copies' paths.
     */
    private static final Pattern PROJECT_WORDS = Pattern.compile("(?i)\\bissue \\d+|\\bthe issue('s)?\\b|\\bthe lead\\b"
            + "|\\blead's\\b|\\bfor the lead\\b|\\bhelper sessions?\\b|\\bthis session\\b|\\bphase \\d+(?![\\d,.])|\\bepisode \\d+\\.\\d+"
            + "|\\bdb-\\d\\d\\b|\\bsessions'|\\bother sessions\\b|\\bhelpers?'s? (?:test runs?|builds?|jobs?)|\\bthe races helper"
            + "|/work/wt-|\\bwt-\\d+\\b|figures to reach");

    /** Files that are not text, or are data too large to be prose: not read for words. */
    private static final Pattern NOT_PROSE = Pattern.compile("(?i).*\\.(png|jpe?g|gif|jar|jfr|zip|gz|class|bin|json|csv|sst|log)$");

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
            String handout = Files.readString(WORKSPACE.root().resolve(lab.directory()).resolve("README.md"), StandardCharsets.UTF_8);
            for (LabTests.Task t : LabTests.tasks(WORKSPACE, lab)) {
                if (t.id().equals("given")) {
                    continue;
                }
                String command = "./storagelab test --lab " + lab.id().substring(4) + " --task " + t.id();
                Matcher section = Pattern.compile("(?ms)^## " + t.id() + "\\s*$(.*?)(?=^## |\\z)").matcher(handout);
                if (!section.find() || !section.group(1).contains(command)) {
                    missing.add(lab.id() + " " + t.id());
                }
            }
        }
        assertThat("tasks whose section (## TN) does not show `./storagelab test --lab NN --task TN`", missing, empty());
    }

    @Test
    void whatStudentsAndReadersSeeSpeaksOfTheCourseAlone() throws IOException {
        List<Path> documents = new ArrayList<>();
        for (Lab lab : WORKSPACE.labs()) {
            documents.add(WORKSPACE.root().resolve(lab.directory()).resolve("README.md"));
        }
        try (Stream<Path> notes = Files.list(WORKSPACE.root().resolve("notes"))) {
            notes.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        documents.add(WORKSPACE.root().resolve("README.md"));
        List<String> found = new ArrayList<>();
        for (Path doc : documents) {
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
        found.addAll(projectWords(root, root.resolve("notes/data"), f -> !exporter.isExported(root.relativize(f))));
        found.addAll(projectWords(root, root.resolve("notes/figures"), f -> !exporter.isExported(root.relativize(f))));
        assertThat(found, empty());
    }

    @Test
    void projectWordsAreFoundInAFileOfTheNotesData(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("notes/data/lab04"));
        Files.writeString(tmp.resolve("notes/data/lab04/README.md"), "# Measured for issue 16\nThe machine was shared with other"
                + " sessions' builds.\n");
        Files.writeString(tmp.resolve("notes/data/lab04/measure.sh"), "cd /work/wt-pool\n");
        Files.writeString(tmp.resolve("notes/data/lab04/run.json"), "{\"note\": \"issue 16\"}\n");
        assertThat(projectWords(tmp, tmp.resolve("notes/data"), f -> true), containsInAnyOrder(
                "notes/data/lab04/README.md:1: issue 16", "notes/data/lab04/README.md:2: other sessions",
                "notes/data/lab04/measure.sh:1: /work/wt-"));
    }

    /**
     * The project words in the text files under {@code dir} that {@code read} accepts, as "path:line:
     * words", the path relative to {@code root}; Markdown as the release shows it.
     */
    private static List<String> projectWords(Path root, Path dir, Predicate<Path> read) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(f -> !root.relativize(f).toString().contains("target/")).filter(Files::isRegularFile)
                    .filter(f -> !NOT_PROSE.matcher(f.getFileName().toString()).matches()).filter(read).sorted().toList();
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
                Matcher m = PROJECT_WORDS.matcher(lines[i]);
                if (m.find()) {
                    found.add(rel + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        return found;
    }

    @Test
    void theReleasesReadmeOpensWithTheStudentsWorkflow() throws IOException {
        String readme = Regions.exportMarkdown(Files.readString(WORKSPACE.root().resolve("README.md"), StandardCharsets.UTF_8),
                "README.md");
        int firstSection = readme.indexOf("\n## ");
        assertThat(readme.substring(firstSection, readme.indexOf('\n', firstSection + 1)), is("\n## Getting started"));
        assertThat("no instructor material before the labs", readme.substring(0, readme.indexOf("## The labs"))
                .contains("mvn verify"), is(false));
    }
}
