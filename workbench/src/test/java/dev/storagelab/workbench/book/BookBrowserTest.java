package dev.storagelab.workbench.book;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import dev.storagelab.workbench.HeadlessChromium;
import dev.storagelab.workbench.viz.RunFormat;
import dev.storagelab.workbench.viz.VizServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The book of this workspace in a real headless Chromium: it is built as {@code ./storagelab book
 * --out DIR} builds it, opened from disk at its title page, and every internal link is followed,
 * page by page: a link to a page or file that is not there, an anchor that no element of its page
 * has, a picture that does not load, or anything the page's console reports as an error fails the
 * test, with the page it was found on. Then the same book served beside the viewer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookBrowserTest {

    static final Duration WAIT = Duration.ofSeconds(60); // a busy machine, not a slow page

    @TempDir
    static Path dir;

    private WebDriver browser;
    private Book.Built built;

    private static Path root() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();
    }

    @BeforeAll
    void build() throws Exception {
        browser = HeadlessChromium.start(dir.resolve("chromium-profile"));
        built = Book.build(root(), dir.resolve("book"), false, new PrintStream(OutputStream.nullOutputStream()));
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

    /** What one crawl found wrong, each "page: what". */
    private List<String> crawl(String start, String prefix) {
        List<String> problems = new ArrayList<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        Set<String> seen = new HashSet<>(queue);
        Map<String, Set<String>> ids = new HashMap<>();
        Map<String, List<String>> anchors = new HashMap<>(); // page -> "anchor (from page)"
        while (!queue.isEmpty()) {
            String page = queue.poll();
            browser.get(page);
            new WebDriverWait(browser, WAIT).until(d -> "complete".equals(js("return document.readyState")));
            String name = page.substring(prefix.length());
            for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    problems.add(name + ": console error: " + e.getMessage());
                }
            }
            @SuppressWarnings("unchecked")
            List<String> broken = (List<String>) js("return [...document.images]"
                    + ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))");
            broken.forEach(src -> problems.add(name + ": picture does not load: " + src));
            @SuppressWarnings("unchecked")
            List<String> pageIds = (List<String>) js("return [...document.querySelectorAll('[id]')].map(e => e.id)");
            ids.put(page, new HashSet<>(pageIds));
            @SuppressWarnings("unchecked")
            List<String> hrefs = (List<String>) js("return [...document.querySelectorAll('a[href]')].map(a => a.href)");
            for (String href : hrefs) {
                if (!href.startsWith(prefix) && !href.startsWith(page + "#")) {
                    continue; // another site
                }
                int hash = href.indexOf('#');
                String target = hash < 0 ? href : href.substring(0, hash);
                String anchor = hash < 0 ? "" : href.substring(hash + 1);
                if (!target.endsWith(".html") && !target.endsWith("/")) {
                    // a file of the workspace, copied: it must be there
                    if (!exists(target)) {
                        problems.add(name + ": link to a file that is not there: " + href);
                    }
                    continue;
                }
                if (!anchor.isEmpty() && !anchor.startsWith("runs=")) {
                    anchors.computeIfAbsent(target, k -> new ArrayList<>()).add(anchor + " (from " + name + ")");
                }
                if (seen.add(target)) {
                    if (exists(target)) {
                        queue.add(target);
                    } else {
                        problems.add(name + ": link to a page that is not there: " + href);
                    }
                }
            }
        }
        anchors.forEach((page, list) -> {
            Set<String> have = ids.getOrDefault(page, Set.of());
            for (String a : list) {
                String id = java.net.URLDecoder.decode(
                        a.substring(0, a.indexOf(" (from ")), java.nio.charset.StandardCharsets.UTF_8);
                if (!have.contains(id) && ids.containsKey(page)) {
                    problems.add(page.substring(prefix.length()) + ": no element with the id of the link #" + a);
                }
            }
        });
        assertThat("pages crawled", seen.size(), greaterThan(built.pages().size() - 1));
        return problems;
    }

    private boolean exists(String url) {
        if (url.startsWith("file:")) {
            return Files.isRegularFile(Path.of(URI.create(url)));
        }
        try {
            var r = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(URI.create(url))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void everyLinkPictureAndScriptOfTheBookWorks() {
        assertThat("links of the notes and handouts to files this workspace does not have", built.missing(), empty());
        assertThat(
                built.pages(),
                hasItems("index.html", "01-binary-search.html", "lab-01-binary-search.html", "glossary.html"));
        String prefix = built.dir().toUri().toString();
        assertThat(crawl(prefix + "index.html", prefix), empty());
    }

    @Test
    void theSearchBoxFindsAPageAndItsSection() {
        browser.get(built.dir().resolve("04-btree.html").toUri().toString());
        var box = browser.findElement(By.id("search"));
        box.sendKeys("buffer pool");
        new WebDriverWait(browser, WAIT)
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

    @Test
    void servedBesideTheViewerItsPagesAndTheViewerLoad() throws Exception {
        Book.Built served =
                Book.build(root(), dir.resolve("served"), true, new PrintStream(OutputStream.nullOutputStream()));
        try (VizServer server = new VizServer(
                InetAddress.getLoopbackAddress(),
                0,
                served.runs(),
                RunFormat.MAX_BYTES,
                Files.createDirectories(dir.resolve("live")),
                new PrintStream(OutputStream.nullOutputStream()))) {
            server.serveFolder(BookCommand.PATH, served.dir());
            String prefix = "http://127.0.0.1:" + server.port() + BookCommand.PATH;
            assertThat(crawl(prefix + "index.html", prefix), empty());
            browser.get("http://127.0.0.1:" + server.port() + "/");
            new WebDriverWait(browser, WAIT).until(d -> "complete".equals(js("return document.readyState")));
            assertThat(
                    "the viewer's page is served at /",
                    browser.findElements(By.id("runlist")).isEmpty(),
                    is(false));
            assertThat("the book's folder does not leak", exists(prefix + "..%2F..%2Fetc%2Fpasswd"), is(false));
        }
    }
}
