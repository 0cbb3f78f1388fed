package dev.storagelab.workbench.book;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A handout in the book, on a workspace of one small lab written here: an overview page and a page
 * per task, each anchor on one page and every link to it (from the handout itself, from a chapter)
 * going there, each task's page with its public tests and the points of the hidden tests that name
 * it (a rubric override included), and the landing page that sends a test's link to its task.
 */
class HandoutPartsTest {

    @TempDir
    Path root;

    private static final String HANDOUT = String.join(
            "\n",
            "# lab-01 Tiny",
            "",
            "| Task | What you write | Where | Public tests |",
            "| --- | --- | --- | --- |",
            "| [T1](#t1) | the `first` thing | `A.a` | `ATest` |",
            "| [T2](#t2) | the second thing | `A.b` | `BTest`, `CTest` |",
            "",
            "## How to run the tests",
            "",
            "Read [T2](#t2) after [the format](#format).",
            "",
            "## Formats",
            "",
            "### Format",
            "",
            "Bytes.",
            "",
            "## T1",
            "",
            "Do it; then [T2](#t2), and [its own hints](#hints).",
            "",
            "### Hints",
            "",
            "Think.",
            "",
            "## T2",
            "",
            "See [the format](#format) and [T1's hints](#hints).",
            "",
            "```",
            "## T9 (a comment in code, not a heading)",
            "```",
            "",
            "### Hints",
            "",
            "Think again.",
            "",
            "## Bonus",
            "",
            "More.",
            "");

    private static final String HIDDEN = String.join(
            "\n",
            "package t.hidden;",
            "",
            "class AHiddenTest {",
            "    @Test",
            "    @Graded(task = \"T1\", points = 2, concept = \"keys (signed) compared wrongly\")",
            "    void one() {}",
            "",
            "    @Graded(",
            "            task = \"T1\",",
            "            points = 3,",
            "            concept = \"a \\\"quoted\\\" concept) with a parenthesis\")",
            "    @Test",
            "    void two() {}",
            "",
            "    @Graded(points = 5, concept = \"the store\", task = \"T2\")",
            "    @Test",
            "    void three() {}",
            "}",
            "");

    private Path workspace() throws Exception {
        Files.writeString(root.resolve("README.md"), "# Tiny\n\n[lab-01](lab-01-tiny/README.md)\n");
        Path notes = Files.createDirectories(root.resolve("notes/data"));
        Files.writeString(
                notes.getParent().resolve("01-tiny.md"),
                "# 1. Tiny\n\n[T2's section](../lab-01-tiny/README.md#t2), [hints of T2](../lab-01-tiny/README.md#hints-1)"
                        + " and [the format](../lab-01-tiny/README.md#format).\n");
        Path lab = Files.createDirectories(root.resolve("lab-01-tiny"));
        Files.writeString(lab.resolve("README.md"), HANDOUT);
        Path tests = Files.createDirectories(lab.resolve("src/test/java/t"));
        Files.writeString(
                tests.resolve("ATest.java"), "class ATest {\n  @Test\n  void a() {}\n  @Test void b() {}\n}\n");
        Files.writeString(
                tests.resolve("BTest.java"),
                "class BTest extends Base {\n  @ParameterizedTest\n  void a(int x) {}\n  @Property\n  void p() {}\n}\n");
        Files.writeString(tests.resolve("Base.java"), "abstract class Base {\n  @Test\n  void inherited() {}\n}\n");
        Path hidden = Files.createDirectories(lab.resolve("src/hidden/java/t/hidden"));
        Files.writeString(hidden.resolve("AHiddenTest.java"), HIDDEN);
        Files.createDirectories(root.resolve("grader"));
        Files.writeString(root.resolve("grader/rubric.properties"), "points.t.hidden.AHiddenTest#two = 4\n");
        return root;
    }

    private Book.Built build(Path ws) throws Exception {
        return Book.build(ws, ws.resolve("book-out"), new PrintStream(OutputStream.nullOutputStream()));
    }

    private static String read(Book.Built b, String file) throws Exception {
        return Files.readString(b.dir().resolve(file), StandardCharsets.UTF_8);
    }

    @Test
    void aHandoutIsAnOverviewAndAPagePerTaskInCourseOrder() throws Exception {
        Book.Built b = build(workspace());
        List<BookPages.Page> pages = BookPages.of(root);
        assertThat(
                pages.stream().map(BookPages.Page::file).toList(),
                contains(
                        "workspace.html",
                        "01-tiny.html",
                        "lab-01-tiny/index.html",
                        "lab-01-tiny/t1.html",
                        "lab-01-tiny/t2.html"));
        assertThat(pages.get(3).title(), is("T1: the first thing"));
        assertThat(b.pages(), hasItems("lab-01-tiny/index.html", "lab-01-tiny/t1.html", "lab-01-tiny/README.html"));

        String overview = read(b, "lab-01-tiny/index.html");
        assertThat(overview, containsString("id=\"how-to-run-the-tests\""));
        assertThat(overview, containsString("id=\"bonus\""));
        assertThat("the tasks are not on the overview", overview, not(containsString("Think.")));
        assertThat(overview, containsString("id=\"the-tasks\""));
        assertThat(overview, containsString("href=\"../lab-01-tiny/t1.html\">T1</a> the first thing"));
        assertThat("the task table's link", overview, containsString("href=\"../lab-01-tiny/t2.html#t2\""));
        assertThat("an anchor of its own page", overview, containsString("href=\"#format\""));

        String t2 = read(b, "lab-01-tiny/t2.html");
        assertThat(t2, containsString("<h1 id=\"t2\">"));
        assertThat(t2, containsString("task 2 of 2"));
        assertThat("a heading in code is no task", t2, containsString("## T9 (a comment in code"));
        assertThat(t2, containsString("href=\"../lab-01-tiny/index.html#format\""));
        assertThat("GitHub's anchors: the second Hints is hints-1", t2, containsString("id=\"hints-1\""));
        assertThat(t2, containsString("href=\"../lab-01-tiny/t1.html#hints\""));
        assertThat(t2, containsString("class=\"prev\" href=\"../lab-01-tiny/t1.html\""));
        assertThat(
                "its tests, the superclass's and a missing class's",
                t2,
                containsString("<code>BTest</code> (3 tests), <code>CTest</code>: <code>./storagelab test --lab 01"
                        + " --task T2</code>"));
        assertThat(t2, containsString("5 points, in 1 hidden test"));

        String t1 = read(b, "lab-01-tiny/t1.html");
        assertThat(t1, containsString("<code>ATest</code> (2 tests)"));
        assertThat(
                "2 points, and 4 from the rubric's override of 3", t1, containsString("6 points, in 2 hidden tests"));
        assertThat(t1, containsString("href=\"#hints\""));
        assertThat(t1, containsString("href=\"../lab-01-tiny/t2.html#t2\""));
        assertThat("the table of contents lists the handout's tasks", t1, containsString("T2: the second thing"));
        assertThat(
                "the table of contents of another page does not",
                read(b, "01-tiny.html"),
                not(containsString("T2: the second thing")));

        String chapter = read(b, "01-tiny.html");
        assertThat(chapter, containsString("href=\"lab-01-tiny/t2.html#t2\""));
        assertThat(chapter, containsString("href=\"lab-01-tiny/t2.html#hints-1\""));
        assertThat(chapter, containsString("href=\"lab-01-tiny/index.html#format\""));

        String landing = read(b, "lab-01-tiny/README.html");
        assertThat(landing, containsString("id=\"t2\" data-page=\"../lab-01-tiny/t2.html#t2\""));
        assertThat(landing, containsString("id=\"hints-1\" data-page=\"../lab-01-tiny/t2.html#hints-1\""));
        assertThat(landing, containsString("id=\"format\" data-page=\"../lab-01-tiny/index.html#format\""));
        assertThat(
                "the index says how to find a test's task",
                read(b, "index.html"),
                containsString("lab-01-tiny/README.md#t2</code>: in this book that task is the page"));
    }

    @Test
    void aReleaseWithoutHiddenTestsSaysHowALocalGradeCounts() throws Exception {
        Path ws = workspace();
        org.apache.commons.io.file.PathUtils.deleteDirectory(ws.resolve("lab-01-tiny/src/hidden"));
        String t1 = read(build(ws), "lab-01-tiny/t1.html");
        assertThat(
                t1,
                containsString("which this release does not hold; a local grade counts each public test as a"
                        + " point (2 here)"));
    }
}
