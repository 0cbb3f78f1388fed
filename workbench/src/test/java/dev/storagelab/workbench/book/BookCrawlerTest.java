package dev.storagelab.workbench.book;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.workbench.HeadlessChromium;
import dev.storagelab.workbench.viz.VizServer;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriver;

/**
 * {@link BookCrawler}, the browser test's crawler, against a book of three pages written here: it
 * finds nothing wrong in the sound book, and in a copy with a broken link, a missing anchor, a
 * picture that is not there, a missing file and a script error planted on a page it reaches only
 * by a link, it names each one, read from disk and served beside the viewer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookCrawlerTest {

    @TempDir
    static Path dir;

    private WebDriver browser;

    @BeforeAll
    void start() throws Exception {
        browser = HeadlessChromium.start(dir.resolve("chromium-profile"));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static String page(String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>t</title>"
                + "<link rel=\"icon\" href=\"data:,\"></head><body>" + body + "</body></html>";
    }

    /** The sound book, and {@code planted} on its page b.html. */
    private static Path book(String name, String planted) throws Exception {
        Path b = Files.createDirectories(dir.resolve(name));
        Files.createDirectories(b.resolve("figures"));
        Files.createDirectories(b.resolve("files"));
        ImageIO.write(
                new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB),
                "png",
                b.resolve("figures/ok.png").toFile());
        Files.writeString(b.resolve("files/data.txt"), "1 2 3\n");
        // a script of the book's own that fails (a file: served, the page's policy runs no inline script)
        Files.writeString(b.resolve("broken.js"), "document.body.nothing.here = 1;\n");
        Files.writeString(
                b.resolve("index.html"),
                page("<h1 id=\"top\">title</h1><a href=\"a.html\">a</a> <a href=\"a.html#sec\">a's section</a>"
                        + " <a href=\"#top\">top</a> <a href=\"https://example.org/\">elsewhere</a>"),
                StandardCharsets.UTF_8);
        Files.writeString(
                b.resolve("a.html"),
                page("<h2 id=\"sec\">sec</h2><img src=\"figures/ok.png\" alt=\"ok\">"
                        + " <a href=\"files/data.txt\">data</a> <a href=\"b.html\">b</a>"),
                StandardCharsets.UTF_8);
        Files.writeString(
                b.resolve("b.html"), page("<p>b</p><a href=\"index.html\">back</a>" + planted), StandardCharsets.UTF_8);
        return b;
    }

    private static final String PLANTED = "<a href=\"gone.html\">gone</a>"
            + " <a href=\"a.html#nowhere\">no such section</a>"
            + " <img src=\"figures/gone.png\" alt=\"gone\">"
            + " <a href=\"files/gone.txt\">no such file</a>"
            + " <script src=\"broken.js\"></script>";

    @SuppressWarnings("unchecked")
    private static final List<Matcher<? super String>> FOUND = List.of(
            startsWith("b.html: link to a page that is not there: "),
            startsWith("a.html: no element with the id of the link #nowhere (from b.html)"),
            startsWith("b.html: picture does not load: figures/gone.png"),
            // the browser says so too
            allOf(startsWith("b.html: console error: "), containsString("gone.png")),
            startsWith("b.html: link to a file that is not there: "),
            allOf(startsWith("b.html: console error: "), containsString("Uncaught TypeError")));

    @Test
    void aSoundBookHasNoProblemsAndEveryPageAndFileIsReached() throws Exception {
        String prefix = book("sound", "").toUri().toString();
        BookCrawler.Result r = new BookCrawler(browser).crawl(prefix);
        assertThat(r.problems(), empty());
        assertThat(r.reached(), hasItem(prefix + "b.html"));
        assertThat(r.reached(), hasItem(prefix + "files/data.txt"));
    }

    @Test
    void readFromDiskEachPlantedProblemIsNamed() throws Exception {
        String prefix = book("planted-disk", PLANTED).toUri().toString();
        assertThat(new BookCrawler(browser).crawl(prefix).problems(), containsInAnyOrder(FOUND));
    }

    @Test
    void servedEachPlantedProblemIsNamed() throws Exception {
        Path b = book("planted-served", PLANTED);
        try (VizServer server = BookCrawler.serve(b, List.of(), dir)) {
            String prefix = "http://127.0.0.1:" + server.port() + BookCommand.PATH;
            assertThat(new BookCrawler(browser).crawl(prefix).problems(), containsInAnyOrder(FOUND));
        }
    }
}
