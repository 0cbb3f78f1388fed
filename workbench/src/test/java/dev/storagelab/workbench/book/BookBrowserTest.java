package dev.storagelab.workbench.book;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.workbench.viz.HeadlessChromium;
import dev.storagelab.workbench.viz.VizServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The book of this workspace (or of the one {@code -Dstoragelab.book.root} names: a student release)
 * in a real headless Chromium: it is built once as {@code ./storagelab
 * book --out DIR} builds it, opened from disk at its title page, and every internal link is
 * followed, page by page ({@link BookCrawler}, whose own test plants each kind of fault): a link to
 * a page or file that is not there, an anchor that no element of its page has, a picture that does
 * not load, or anything the page's console reports as an error fails the test, with the page it
 * was found on. Then the same folder served beside the viewer, as {@code ./storagelab book --serve}
 * serves it: the same crawl, and every link to a recorded run opens that run in the viewer. And a
 * lab's handout, an overview and a page per task: next and previous walk its tasks in order, and
 * its link as a failing test prints it lands on the task's page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookBrowserTest {

    @TempDir
    static Path dir;

    private WebDriver browser;
    private Book.Built built;

    /** This workspace, or the one {@code -Dstoragelab.book.root} names (a student release, say). */
    private static Path root() {
        String other = System.getProperty("storagelab.book.root", "");
        return other.isBlank()
                ? Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent()
                : Path.of(other).toAbsolutePath();
    }

    /** The book is built once, as {@code ./storagelab book} builds it, and read both from disk and served. */
    @BeforeAll
    void build() throws Exception {
        browser = HeadlessChromium.start(dir.resolve("chromium-profile"));
        built = Book.build(root(), dir.resolve("book"), new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** A crawl of the book from {@code prefix}: it reaches every page the build wrote. */
    private BookCrawler.Result crawl(String prefix) {
        BookCrawler.Result r = new BookCrawler(browser).crawl(prefix);
        for (String page : built.pages()) {
            assertThat("a page the build wrote is reached by the book's links", r.reached(), hasItem(prefix + page));
        }
        return r;
    }

    @Test
    void readFromDiskEveryLinkPictureAndScriptOfTheBookWorks() throws Exception {
        assertThat("links of the notes and handouts to files this workspace does not have", built.missing(), empty());
        assertThat("pictures the pages show that ./storagelab figures does not draw", built.undrawn(), empty());
        assertThat(built.pages(), hasItems("index.html", "glossary.html"));
        // a page per chapter and per handout, in course order
        for (BookPages.Page p : BookPages.of(root())) {
            assertThat(built.pages(), hasItem(p.file()));
        }
        List<String> expected = new ArrayList<>();
        for (int n = 1; n <= 7; n++) {
            String lab = String.format(java.util.Locale.ROOT, "%02d", n);
            expected.add(built.pages().stream()
                    .filter(f -> f.matches(lab + "-[a-z-]+\\.html"))
                    .findFirst()
                    .orElse("chapter " + lab));
            expected.add(built.pages().stream()
                    .filter(f -> f.matches("lab-" + lab + "-[a-z0-9-]+/index\\.html"))
                    .findFirst()
                    .orElse("handout lab-" + lab));
            expected.add(built.pages().stream()
                    .filter(f -> f.matches("lab-" + lab + "-[a-z0-9-]+/t1\\.html"))
                    .findFirst()
                    .orElse("the page of lab-" + lab + "'s T1"));
        }
        assertThat(
                "a chapter, a handout and a page per task of every lab",
                built.pages(),
                hasItems(expected.toArray(String[]::new)));
        assertThat(crawl(built.dir().toUri().toString()).problems(), empty());
    }

    /** The pages of a lab's handout in the book's order: its overview, then a page per task. */
    private List<BookPages.Page> handout(String lab) throws Exception {
        return BookPages.of(root()).stream()
                .filter(p -> p.handout() != null && p.handout().lab().equals(lab))
                .toList();
    }

    /** The page's heading, without its anchor's "#". */
    private String heading() {
        return browser.findElement(By.cssSelector("article h1")).getText().replaceFirst("^#\\s*", "");
    }

    /**
     * Once the browser is at {@code file} and the page has loaded ({@code null} before), where the
     * reader is, in one call: the page's heading (without its anchor's "#"), its tests, the page the
     * table of contents marks as the reader's and the number of tasks it lists.
     */
    private static final String PLACE = "const [file] = arguments;"
            + " if (!location.href.endsWith('/' + file) || document.readyState !== 'complete') return null;"
            + " const h = document.querySelector('article h1');"
            + " const t = document.querySelector('dl.task-tests');"
            + " const c = document.querySelector('nav.contents li.current > a');"
            + " return {heading: h ? h.innerText.replace(/^#\\s*/, '') : null, tests: t ? t.innerText : null,"
            + " current: c ? c.getAttribute('href') : null,"
            + " tasks: document.querySelectorAll('nav.contents li.task').length};";

    /** {@link #PLACE}, once the browser has gone to {@code file}. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> placeAt(String file) {
        return BookCrawler.waitFor(browser)
                .until(d -> (Map<String, Object>) ((JavascriptExecutor) d).executeScript(PLACE, file));
    }

    /**
     * Next, from a lab's overview, walks its tasks in order, each a page with its own heading, its
     * tests and its points, marked as the reader's place in the table of contents, which lists the
     * lab's tasks; past the last task, next leaves the lab; previous walks back to the overview.
     */
    @Test
    void nextAndPreviousWalkALabsTasksPageByPage() throws Exception {
        List<BookPages.Page> lab = handout("lab-02");
        assertThat("lab-02's overview and its tasks", lab.size(), greaterThan(5));
        browser.get(built.dir().resolve(lab.get(0).file()).toUri().toString());
        for (int i = 1; i < lab.size(); i++) {
            BookPages.Page p = lab.get(i);
            HandoutParts.Task t = p.task().orElseThrow();
            browser.findElement(By.cssSelector("nav.pager a.next")).click();
            Map<String, Object> place = placeAt(p.file());
            assertThat((String) place.get("heading"), startsWith(t.id() + ": "));
            assertThat(
                    "its tests and their points",
                    (String) place.get("tests"),
                    allOf(
                            containsString("./storagelab test --lab 02 --task " + t.id()),
                            containsString(" points, in ")));
            assertThat(
                    "the table of contents shows where the reader is",
                    (String) place.get("current"),
                    endsWith(p.file()));
            assertThat(
                    "the table of contents lists the lab's tasks",
                    ((Number) place.get("tasks")).intValue(),
                    is(lab.size() - 1));
        }
        browser.findElement(By.cssSelector("nav.pager a.next")).click();
        assertThat(
                "past the lab, its tasks leave the table of contents",
                ((Number) placeAt("03-bst.html").get("tasks")).intValue(),
                is(0));
        browser.findElement(By.cssSelector("nav.pager a.prev")).click();
        for (int i = lab.size() - 2; i >= 0; i--) {
            BookPages.Page p = lab.get(i);
            browser.findElement(By.cssSelector("nav.pager a.prev")).click();
            assertThat((String) placeAt(p.file()).get("current"), endsWith(p.file()));
        }
    }

    /** A handout's link as a failing test prints it ({@code lab-NN-name/README.md#tN}) has its page: README.html lands on the task's. */
    @Test
    void aHandoutLinkAsATestPrintsItLandsOnItsTasksPage() throws Exception {
        List<BookPages.Page> lab = handout("lab-01");
        HandoutParts parts = lab.get(0).handout();
        HandoutParts.Task t3 = parts.tasks().get(2);
        String landing = built.dir().resolve(parts.landing()).toUri().toString();
        browser.get(landing + "#t3");
        BookCrawler.waitFor(browser).until(d -> d.getCurrentUrl().endsWith("/" + t3.file() + "#t3"));
        assertThat(heading(), startsWith("T3: "));
        browser.get("about:blank");
        browser.get(landing + "#how-to-run-the-tests");
        BookCrawler.waitFor(browser)
                .until(d -> d.getCurrentUrl().endsWith("/" + parts.overview() + "#how-to-run-the-tests"));
        browser.get(built.dir().resolve("index.html").toUri().toString());
        assertThat(
                "the title page says how to find a task from a test's message",
                browser.findElement(By.id("finding-a-task")).getText(),
                containsString("/README.md#"));
    }

    @Test
    void theSearchBoxFindsAPageAndItsSection() {
        browser.get(built.dir().resolve("04-btree.html").toUri().toString());
        var box = browser.findElement(By.id("search"));
        box.sendKeys("buffer pool");
        BookCrawler.waitFor(browser)
                .until(d -> !d.findElements(By.cssSelector("#results a")).isEmpty());
        String first = browser.findElement(By.cssSelector("#results a")).getAttribute("href");
        assertThat(
                "a result links a page of the book: " + first,
                first.startsWith(built.dir().toUri().toString()),
                is(true));
        assertThat(
                "a result of 'buffer pool' is a section about it",
                ((String) js("return document.querySelector('#results').textContent"))
                        .toLowerCase()
                        .contains("buffer pool"),
                is(true));
        assertThat(
                "code is highlighted",
                browser.findElements(By.cssSelector("pre code.hljs")).isEmpty(),
                is(false));
    }

    /**
     * The same folder served beside the viewer: every page the build wrote is served, the pages that
     * link a recorded run load without an error, and every such link opens its run in the viewer on
     * its view. The links between pages are the files' own, the same on disk and served, so the
     * crawl from disk above follows them once.
     */
    @Test
    void servedBesideTheViewerItsPagesWorkAndItsRunsOpenInTheViewer() throws Exception {
        try (VizServer server = BookCrawler.serve(built.dir(), built.runs(), dir)) {
            String site = "http://127.0.0.1:" + server.port();
            String prefix = site + BookCommand.PATH;
            List<String> notServed = built.pages().stream()
                    .filter(p -> !BookCrawler.exists(prefix + p))
                    .toList();
            assertThat("pages the build wrote that the server does not answer", notServed, empty());
            List<String> linking = new ArrayList<>();
            for (String page : built.pages()) {
                if (Files.readString(built.dir().resolve(page)).contains("data-viewer=")) {
                    linking.add(page);
                }
            }
            BookCrawler.Result crawled = new BookCrawler(browser).visit(prefix, linking);
            assertThat(crawled.problems(), empty());
            assertThat(
                    "the book's folder does not leak",
                    BookCrawler.exists(prefix + "..%2F..%2Fetc%2Fpasswd"),
                    is(false));

            Map<String, String> runLinks = new LinkedHashMap<>(); // the viewer's address -> the page that links it
            crawled.elsewhere().forEach((href, page) -> {
                if (href.startsWith(site + "/")) {
                    runLinks.put(href, page);
                }
            });
            assertThat("the chapters link recorded runs", runLinks.size(), greaterThan(3));
            List<String> problems = new ArrayList<>();
            for (var link : runLinks.entrySet()) {
                String href = link.getKey();
                if (!href.startsWith(site + "/#runs=")) {
                    problems.add(link.getValue() + ": a run's link does not go to the viewer: " + href);
                    continue;
                }
                Map<String, String> hash = new LinkedHashMap<>();
                for (String kv : href.substring(href.indexOf('#') + 1).split("&")) {
                    hash.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
                String run = hash.get("runs");
                String view = hash.get("view"); // none: the viewer's choice
                browser.get("about:blank"); // a new page, as following the link from the book opens one
                browser.get(href);
                try {
                    BookCrawler.waitFor(browser)
                            .until(d -> (view == null
                                            || !d.findElements(By.cssSelector("#tab-" + view + ".on"))
                                                    .isEmpty())
                                    && d
                                            .findElements(
                                                    By.cssSelector("section.pane[data-run='" + run + "'] .summary"))
                                            .stream()
                                            .anyMatch(e -> e.getText().startsWith("at event")));
                } catch (org.openqa.selenium.TimeoutException e) {
                    problems.add(link.getValue() + ": " + href + " does not show run " + run
                            + (view == null ? "" : " on the view " + view));
                }
                String messages = browser.findElement(By.id("messages")).getText();
                if (!messages.isBlank()) {
                    problems.add(link.getValue() + ": " + href + ": the viewer says " + messages);
                }
                for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
                    // the viewer's page names no icon, so the browser asks for /favicon.ico: not the run's doing
                    if (e.getLevel().intValue() >= Level.SEVERE.intValue()
                            && !e.getMessage().contains("/favicon.ico")) {
                        problems.add(link.getValue() + ": " + href + ": console error: " + e.getMessage());
                    }
                }
            }
            assertThat(problems, empty());
        }
    }
}
