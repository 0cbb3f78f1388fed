package dev.storagelab.workbench.book;

import dev.storagelab.workbench.viz.HeadlessChromium;
import dev.storagelab.workbench.viz.RunFormat;
import dev.storagelab.workbench.viz.VizServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Follows every internal link of a book in a real browser, from its title page, page by page: a
 * link to a page or file that is not there, an anchor that no element of its page has, a picture
 * that does not load, or anything a page's console reports as an error is a problem, named with the
 * page it was found on. The book is read from disk ({@code file:} addresses) or served ({@code
 * http:}); addresses outside its folder are another site's, and are not followed.
 */
final class BookCrawler {

    /**
     * What one crawl found: each problem "page: what", every address of the book it visited or
     * checked, and the links that leave the book (address to the first page that has it).
     */
    record Result(List<String> problems, Set<String> reached, Map<String, String> elsewhere) {}

    static final Duration WAIT = Duration.ofSeconds(60); // a busy machine, not a slow page

    /**
     * What the crawl reads from a page, in one call, once the page has loaded ({@code null} before):
     * the pictures that did not load, the ids of its elements and the links it has.
     */
    private static final String FACTS = "if (document.readyState !== 'complete') return null;"
            + " return {"
            + " broken: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
            + ".map(i => i.getAttribute('src')),"
            + " ids: [...document.querySelectorAll('[id]')].map(e => e.id),"
            + " hrefs: [...document.querySelectorAll('a[href]')].map(a => a.href)};";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final WebDriver browser;

    BookCrawler(WebDriver browser) {
        this.browser = browser;
    }

    /** A wait of at most {@link #WAIT} on {@code browser}'s page ({@link HeadlessChromium#waitOn}). */
    static WebDriverWait waitFor(WebDriver browser) {
        return HeadlessChromium.waitOn(browser, WAIT);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> facts, String name) {
        return (List<String>) facts.get(name);
    }

    /** Crawls from {@code prefix + "index.html"}, following the links that start with {@code prefix} (the book's folder). */
    Result crawl(String prefix) {
        List<String> problems = new ArrayList<>();
        Deque<String> queue = new ArrayDeque<>(List.of(prefix + "index.html"));
        Set<String> seen = new LinkedHashSet<>(queue);
        Map<String, Set<String>> ids = new HashMap<>();
        Map<String, List<String>> anchors = new HashMap<>(); // page -> "anchor (from page)"
        Map<String, String> elsewhere = new LinkedHashMap<>();
        browser.manage().logs().get(LogType.BROWSER); // what an earlier page logged is not this book's
        while (!queue.isEmpty()) {
            String page = queue.poll();
            String name = page.substring(prefix.length());
            Map<String, Object> facts = open(page, name, problems);
            ids.put(page, new LinkedHashSet<>(strings(facts, "ids")));
            for (String href : strings(facts, "hrefs")) {
                if (!href.startsWith(prefix) && !href.startsWith(page + "#")) {
                    elsewhere.putIfAbsent(href, name); // another site: not followed
                    continue;
                }
                int hash = href.indexOf('#');
                String target = hash < 0 ? href : href.substring(0, hash);
                String anchor = hash < 0 ? "" : href.substring(hash + 1);
                if (!target.endsWith(".html") && !target.endsWith("/")) {
                    // a file of the workspace, copied: it must be there
                    if (seen.add(target) && !exists(target)) {
                        problems.add(name + ": link to a file that is not there: " + href);
                    }
                    continue;
                }
                if (!anchor.isEmpty()) {
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
            Set<String> have = ids.get(page);
            if (have == null) {
                return; // a page that is not there: said above
            }
            for (String a : list) {
                String id = URLDecoder.decode(a.substring(0, a.indexOf(" (from ")), StandardCharsets.UTF_8);
                if (!have.contains(id)) {
                    problems.add(page.substring(prefix.length()) + ": no element with the id of the link #" + a);
                }
            }
        });
        return new Result(problems, seen, elsewhere);
    }

    /**
     * Opens each of {@code pages} (names under {@code prefix}) without following its links: its
     * pictures and console are checked as the crawl checks them, and its links that leave the book
     * are returned ({@link Result#elsewhere}).
     */
    Result visit(String prefix, List<String> pages) {
        List<String> problems = new ArrayList<>();
        Map<String, String> elsewhere = new LinkedHashMap<>();
        browser.manage().logs().get(LogType.BROWSER); // what an earlier page logged is not this book's
        for (String name : pages) {
            for (String href : strings(open(prefix + name, name, problems), "hrefs")) {
                if (!href.startsWith(prefix)) {
                    elsewhere.putIfAbsent(href, name);
                }
            }
        }
        return new Result(problems, new LinkedHashSet<>(pages), elsewhere);
    }

    /** Loads {@code page} and reads its {@link #FACTS}, adding its console errors and broken pictures to {@code problems}. */
    private Map<String, Object> open(String page, String name, List<String> problems) {
        browser.get(page);
        @SuppressWarnings("unchecked")
        Map<String, Object> facts =
                waitFor(browser).until(d -> (Map<String, Object>) ((JavascriptExecutor) d).executeScript(FACTS));
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                problems.add(name + ": console error: " + e.getMessage());
            }
        }
        strings(facts, "broken").forEach(src -> problems.add(name + ": picture does not load: " + src));
        return facts;
    }

    /**
     * The book in {@code book} served beside the viewer of {@code runs}, as {@code ./storagelab book
     * --serve} serves it, on a free port of this machine; its address is {@code
     * http://127.0.0.1:PORT} + {@link BookCommand#PATH}.
     */
    static VizServer serve(Path book, List<Path> runs, Path scratch) throws java.io.IOException {
        VizServer server = new VizServer(
                InetAddress.getLoopbackAddress(),
                0,
                runs,
                RunFormat.MAX_BYTES,
                Files.createDirectories(scratch.resolve("live-runs")),
                new PrintStream(OutputStream.nullOutputStream()));
        server.serveFolder(BookCommand.PATH, book);
        return server;
    }

    /** Whether a file is at {@code url}: on disk, or answered with 200 by the server. */
    static boolean exists(String url) {
        if (url.startsWith("file:")) {
            return Files.isRegularFile(Path.of(URI.create(url)));
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
