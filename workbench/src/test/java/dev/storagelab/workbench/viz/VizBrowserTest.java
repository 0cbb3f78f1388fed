package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.gson.JsonParser;
import dev.storagelab.lsm.LsmOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The viewer end to end, in a real headless Chromium (the distribution's {@code chromium} and
 * {@code chromium-driver}), against the server {@code ./storagelab viz} starts: the workbench's
 * {@code viz} command in a process of its own ({@link VizProcess}), given a leveled and a tiered
 * LSM run, a million-event run, a file that is not a recording, a failing test's recording, and a
 * hostile recording whose every string is markup (and a bad file whose name is). Without a browser the tests
 * are skipped with a one-line reason, except under {@code CI=true}, where a missing browser fails
 * them ({@code .ci/run} installs it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VizBrowserTest {

    static final Duration WAIT = Duration.ofSeconds(60); // a busy machine, not a slow page

    @TempDir
    static Path dir;

    /** The runs the process serves, by number. */
    static final int LEVELED = 0;

    static final int TIERED = 1;
    static final int MILLION = 2;
    static final int FAILED = 4; // after the bad file
    static final int HOSTILE = 5;
    static final int EVENTS = 1_000_000;

    private WebDriver browser;
    private VizProcess viz;
    private String base;
    private Path leveled;
    private Path failed;
    private Path hostile;

    @BeforeAll
    void startBrowser() throws Exception {
        HeadlessChromium.require();
        leveled = VizTestRuns.lsmRun(dir, "leveled.jsonl", LsmOptions.CompactionStyle.LEVELED, 1500);
        Path tiered = VizTestRuns.lsmRun(dir, "tiered.jsonl", LsmOptions.CompactionStyle.TIERED, 1500);
        Path million = VizTestRuns.millionEventRun(); // EVENTS of them
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "not json at all\n");
        failed = FailingTests.recordingOf(PlantedBugExample.class, dir.resolve("failures"));
        hostile = VizTestRuns.hostileRun(Files.createDirectories(dir.resolve("hostile")));
        Path hostileBad = Files.writeString(
                dir.resolve("hostile").resolve("\"><svg onload=\"window.__pwned='bad'\">.jsonl"), "not json\n");
        viz = VizProcess.start(List.of(
                "--port",
                "0",
                "--live-dir",
                dir.resolve("live").toString(),
                leveled.toString(),
                tiered.toString(),
                million.toString(),
                bad.toString(),
                failed.toString(),
                hostile.toString(),
                hostileBad.toString()));
        base = "http://127.0.0.1:" + viz.awaitHealthy(Duration.ofMinutes(3)) + "/";
        browser = HeadlessChromium.start(dir.resolve("chromium-profile"));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (viz != null) {
            viz.close();
        }
    }

    /** How many runs the server holds now (the live test adds one). */
    private int runsNow() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "api/runs")).build(),
                        HttpResponse.BodyHandlers.ofString());
        return JsonParser.parseString(r.body()).getAsJsonArray().size();
    }

    /** Moves the slider to {@code permille} of the run, as a hand dragging it does. */
    private void scrubTo(int permille) {
        ((JavascriptExecutor) browser)
                .executeScript(
                        "const s = document.getElementById('scrub'); s.value = arguments[0];"
                                + " s.dispatchEvent(new Event('input'));",
                        permille);
    }

    private long count(String script) {
        return ((Number) ((JavascriptExecutor) browser).executeScript("return " + script)).longValue();
    }

    /** A wait that asks again when the page redrew an element between finding and reading it. */
    private WebDriverWait waitFor() {
        WebDriverWait wait = HeadlessChromium.waitOn(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private String text(By by) {
        try {
            List<WebElement> found = browser.findElements(by);
            return found.isEmpty() ? "" : found.get(0).getText();
        } catch (StaleElementReferenceException e) {
            return ""; // the page redrew it meanwhile: asked again on the next poll
        }
    }

    @Test
    void aLiveBTreeInsertRunShowsTheRootSplit() throws Exception {
        int id = runsNow();
        browser.get(base);
        WebDriverWait wait = waitFor();
        wait.until(
                d -> new Select(d.findElement(By.id("liveEngine"))).getOptions().size() > 0);
        new Select(browser.findElement(By.id("liveEngine"))).selectByValue("btree");
        new Select(browser.findElement(By.id("liveWorkload"))).selectByValue("fillseq");
        browser.findElement(By.id("liveKeys")).clear();
        browser.findElement(By.id("liveKeys")).sendKeys("3000");
        browser.findElement(By.id("liveOps")).clear();
        browser.findElement(By.id("liveOps")).sendKeys("3000");
        browser.findElement(By.id("liveStart")).click();
        // the page redraws the summary as events arrive: keep the text the wait saw, not a re-read element
        String summary = wait.until(d -> {
            String now = text(By.cssSelector(".btree-summary"));
            return now.contains("last root split: event") ? now : null;
        });
        int height = Integer.parseInt(summary.replaceAll("^height (\\d+).*$", "$1"));
        assertThat(summary, height, greaterThan(1));
        assertThat("the live run is a run of the server", runsNow(), equalTo(id + 1));
        assertThat(browser.getCurrentUrl(), containsString("runs=" + id));
    }

    @Test
    void aRecordedLsmRunScrubsToItsFirstCompaction() throws Exception {
        int compaction = VizTestRuns.first(leveled, "compaction.finished");
        browser.get(base + "#runs=" + LEVELED + "&view=lsm&mode=event&at=0");
        WebDriverWait wait = waitFor();
        wait.until(d -> text(By.id("pos")).startsWith("event 0 of"));
        new Select(browser.findElement(By.id("jumpType"))).selectByValue("compaction.finished");
        browser.findElement(By.id("jumpNext")).click();
        wait.until(d -> text(By.id("pos")).startsWith("event " + compaction + " of"));
        wait.until(d -> text(By.cssSelector(".compaction-now")).contains("L"));
        assertThat(text(By.cssSelector(".compaction-now")), containsString("compaction L"));
        assertThat("the position is in the URL, to share", browser.getCurrentUrl(), containsString("at=" + compaction));
        assertThat(
                "the outputs are drawn",
                browser.findElements(By.cssSelector("rect.table")).size(),
                greaterThan(0));
        browser.findElement(By.id("stepFwd")).click();
        wait.until(d -> text(By.id("pos")).startsWith("event " + (compaction + 1) + " of"));
    }

    @Test
    void twoRunsLieSideBySide() throws Exception {
        browser.get(base + "#runs=" + LEVELED + "," + TIERED + "&view=lsm&mode=event&at=100");
        WebDriverWait wait = waitFor();
        wait.until(d -> d.findElements(By.cssSelector(".pane .lsm-summary")).size() == 2);
        List<String> titles = wait.until(d -> d.findElements(By.cssSelector(".pane h2")).stream()
                .map(WebElement::getText)
                .toList());
        assertThat(titles, hasSize(2));
        assertThat(titles.get(0), containsString("lsm, fillrandom (leveled.jsonl)"));
        assertThat(titles.get(1), containsString("lsm-tiered, fillrandom (tiered.jsonl)"));
        String before = wait.until(d -> d.findElements(By.cssSelector(".pane"))
                .get(1)
                .findElement(By.cssSelector(".summary"))
                .getText());
        browser.findElement(By.id("stepFwd")).click();
        wait.until(d -> !d.findElements(By.cssSelector(".pane"))
                        .get(1)
                        .findElement(By.cssSelector(".summary"))
                        .getText()
                        .equals(before)
                || text(By.id("pos")).startsWith("event 101 of"));
        assertThat(text(By.id("pos")), containsString("event 101 of"));
        assertThat(browser.getCurrentUrl(), containsString("runs=0%2C1"));
    }

    @Test
    void aBadRecordingIsNamedInThePage() throws Exception {
        browser.get(base + "#runs=" + LEVELED);
        WebDriverWait wait = waitFor();
        wait.until(d -> text(By.id("messages")).contains("line 1 is not JSON"));
        wait.until(d -> d.findElements(By.cssSelector(".pane")).size() == 1);
        assertThat(text(By.id("messages")), containsString("bad.jsonl"));
    }

    @Test
    void aMillionEventRunScrubsWithAWindowOfItInThePage() throws Exception {
        browser.get(base + "#runs=" + MILLION + "&view=btree&mode=event&at=0");
        WebDriverWait wait = waitFor();
        wait.until(d -> text(By.id("pos")).equals("event 0 of " + EVENTS));
        for (int[] stop : new int[][] {{1000, EVENTS - 1}, {500, EVENTS / 2}}) {
            scrubTo(stop[0]);
            int at = stop[1];
            wait.until(d -> text(By.id("pos")).equals("event " + at + " of " + EVENTS));
            // the list is redrawn once the window around the new position has come
            wait.until(d -> d.findElements(By.cssSelector(".ev.cur[data-i='" + at + "']"))
                            .size()
                    == 1);
            long rows = count("document.querySelectorAll('.ev').length");
            long elements = count("document.getElementsByTagName('*').length");
            assertThat(
                    "the page lists a window of events around event " + at + ", not the run",
                    rows,
                    lessThanOrEqualTo(60L));
            assertThat(rows, greaterThan(0L));
            assertThat(
                    "the page at event " + at + " holds a bounded number of elements",
                    elements,
                    lessThanOrEqualTo(4000L));
            assertThat(browser.getCurrentUrl(), containsString("at=" + at));
        }
        assertThat(
                "the pages of a large level are drawn up to a bound and counted whole",
                count("document.querySelectorAll('rect.page').length"),
                lessThanOrEqualTo(2L * RunState.MAX_PAGES_PER_LEVEL));
    }

    /** The level labels' size as drawn, in pixels: the font's size times the SVG's scale. */
    private List<Double> levelLabelPixels() {
        @SuppressWarnings("unchecked")
        List<Number> sizes = (List<Number>) ((JavascriptExecutor) browser)
                .executeScript("return Array.from(document.querySelectorAll('text.level-label'))"
                        + ".map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);");
        return sizes.stream().map(Number::doubleValue).toList();
    }

    private void screenshot(String name) throws java.io.IOException {
        Path out = Files.createDirectories(Path.of("target", "viz-screenshots")).resolve(name + ".png");
        Files.write(out, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void anLsmRunOpensOnTheLsmViewReadableAt1366x768() throws Exception {
        Dimension before = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(1366, 768));
        try {
            browser.get(base + "#runs=" + LEVELED + "&mode=event&at=400");
            WebDriverWait wait = waitFor();
            wait.until(
                    d -> !d.findElements(By.cssSelector(".pane .lsm-summary")).isEmpty());
            assertThat(
                    "the LSM run opens on the LSM view",
                    text(By.cssSelector("#tabs button.on")),
                    equalTo("LSM levels"));
            wait.until(d -> !levelLabelPixels().isEmpty());
            screenshot("lsm-run-1366x768");
            assertThat(levelLabelPixels(), everyItem(greaterThanOrEqualTo(12.0)));

            browser.get(base + "#runs=" + LEVELED + "," + TIERED + "&mode=event&at=900");
            browser.navigate().refresh();
            wait.until(d -> d.findElements(By.cssSelector(".pane .lsm-summary")).size() == 2);
            wait.until(d -> !d.findElements(By.cssSelector(".tiered-note")).isEmpty());
            screenshot("leveled-and-tiered-1366x768");
            assertThat("side by side, each half as wide", levelLabelPixels(), everyItem(greaterThanOrEqualTo(12.0)));
            assertThat(text(By.cssSelector(".tiered-note")), containsString("oldest deepest"));
        } finally {
            browser.manage().window().setSize(before);
        }
    }

    @Test
    void aFailingTestsRecordingOpensAtItsFailingStep() throws Exception {
        List<String> lines = Files.readAllLines(failed);
        int count = lines.size() - 2; // the header and the end line aside
        browser.get(base + "#runs=" + FAILED);
        WebDriverWait wait = waitFor();
        wait.until(d -> text(By.id("pos")).equals("event " + (count - 1) + " of " + count));
        wait.until(d -> !d.findElements(By.cssSelector(".pane .lsm-summary")).isEmpty());
        assertThat(text(By.cssSelector("#tabs button.on")), equalTo("LSM levels"));
        assertThat(
                text(By.cssSelector(".failure")),
                containsString("PlantedBugExample.everyKeySurvivesCompaction failed"));
        assertThat(
                "the value expected, not Hamcrest's words for it",
                text(By.cssSelector(".failure .expected")),
                equalTo("Optional[value 2 of " + PlantedBugExample.LOST + "]"));
        assertThat(text(By.cssSelector(".failure .actual")), equalTo("Optional.empty"));
        assertThat(
                "Hamcrest's own text stays in the message",
                text(By.cssSelector(".failure .message")),
                containsString("but: was <Optional.empty>"));
        assertThat("the engine by what it is", text(By.cssSelector(".pane h2")), startsWith(FAILED + ": lsm, test "));
        // the event list may be drawn again between two reads (a read then finds no element, or a
        // stale one: ""), so the wait is the check: it fails with this message if the mark never shows
        wait.withMessage("the current event is the failure's mark, 'the test failed here'")
                .until(d -> text(By.cssSelector(".ev.cur")).contains("the test failed here"));
        assertThat(
                "the compactions that lost the key are there to step back to",
                lines.toString(),
                containsString("compaction.finished"));
        screenshot("failing-test-1366x768");
    }

    /** The views, as the tabs name them. */
    static final List<String> VIEWS = List.of("btree", "pool", "lsm", "amp", "wal", "mvcc", "hybrid", "events");

    /**
     * A script's function that lists every element of the page the viewer did not build, and every
     * attribute that would run script or load a URL: tags outside those the page and its views
     * make, event handlers, links and sources other than its own three scripts and its style
     * sheet, style attributes other than a legend's colour samples (set through the CSSOM), and a
     * {@code window.__pwned} that a payload set.
     */
    static final String FOREIGN = "function foreign() {"
            + "const tags = new Set(['html', 'head', 'meta', 'title', 'link', 'body', 'header', 'strong', 'span', 'form',"
            + " 'select', 'option', 'input', 'button', 'label', 'div', 'section', 'canvas', 'nav', 'main', 'script', 'svg',"
            + " 'rect', 'text', 'table', 'tr', 'td', 'br', 'i', 'h2', 'pre', 'b']);"
            + "const found = [];"
            + "for (const e of document.getElementsByTagName('*')) {"
            + "  const tag = e.localName;"
            + "  if (!tags.has(tag)) found.push('<' + tag + '> in ' + (e.parentElement ? e.parentElement.localName : '-'));"
            + "  for (const a of e.attributes) {"
            + "    const own = (tag === 'script' && a.name === 'src') || (tag === 'link' && a.name === 'href')"
            + "      || (tag === 'i' && a.name === 'style' && e.closest('.legend'));"
            + "    if (/^on/i.test(a.name) || (/^(href|src|srcdoc|style|xlink:href|action|formaction)$/i.test(a.name) && !own))"
            + "      found.push('<' + tag + ' ' + a.name + '=' + a.value + '>');"
            + "  }"
            + "}"
            + "const scripts = [...document.scripts].map((s) => s.getAttribute('src')).join();"
            + "if (scripts !== 'dom.js,views.js,app.js') found.push('scripts: ' + scripts);"
            + "const sheets = [...document.querySelectorAll('link')].map((l) => l.getAttribute('href')).join();"
            + "if (sheets !== 'app.css') found.push('style sheets: ' + sheets);"
            + "if (window.__pwned !== undefined) found.push('window.__pwned = ' + window.__pwned);"
            + "return found;"
            + "}";

    /**
     * The walk through every view, in the page (one call, where a call per step costs a second on
     * a busy machine): for each view, its tab clicked, the drawing awaited (the pane's summary at
     * the position), then no error in the view's place and nothing foreign in the page; then a
     * grouped burst of events opened (the position stays); then, if asked, all of it again with
     * the snapshots listed. Its answer: what went wrong at the first step where anything did, each
     * with where (the walk stops there: what follows a broken step says nothing more).
     */
    static final String WALK = FOREIGN
            + "const [views, at, listed, done] = arguments;"
            + "const problems = [];"
            + "const sleep = (ms) => new Promise((r) => setTimeout(r, ms));"
            + "async function until(what, test) {"
            + "  for (let k = 0; k < 1200; k++) { if (test()) return true; await sleep(50); }"
            + "  problems.push(what + ': timed out; the page says ' + document.getElementById('panes').textContent.slice(0, 500)"
            + "    + ' / ' + document.getElementById('messages').textContent.slice(0, 300));"
            + "  return false;"
            + "}"
            + "const summary = () => { const s = document.querySelector('.pane .summary'); return s ? s.textContent : ''; };"
            + "const here = () => summary().startsWith('at event ' + at + ' ');"
            + "async function walk() {"
            + "  for (const pictures of listed ? [false, true] : [false]) {"
            + "    for (const view of views) {"
            + "      const where = view + ' (snapshots listed: ' + pictures + ')';"
            + "      if (!await until(where + ': its tab', () => document.getElementById('tab-' + view))) return;"
            + "      document.getElementById('tab-' + view).click();"
            + "      if (!await until(where + ' is drawn', () => document.getElementById('tab-' + view).classList.contains('on')"
            + "          && here())) return;"
            + "      const msg = document.querySelector('.pane .view .msg');"
            + "      if (msg) problems.push(where + ': the view says ' + msg.textContent);"
            + "      for (const f of foreign()) problems.push(where + ': ' + f);"
            + "      if (problems.length) return;"
            + "    }"
            + "    const group = document.querySelector('.ev.group');"
            + "    if (group) {"
            + "      const rows = document.querySelectorAll('.ev').length;"
            + "      group.click();"
            + "      if (!await until('a group of events opens', () => document.querySelectorAll('.ev').length > rows)) return;"
            + "      await sleep(300);"
            + "      if (!here()) problems.push('opening a group of events moved the position: ' + summary());"
            + "      for (const f of foreign()) problems.push('with a group opened: ' + f);"
            + "      if (problems.length) return;"
            + "    }"
            + "    document.getElementById('showPictures').click();"
            + "  }"
            + "}"
            + "walk().catch((e) => problems.push('the walk failed: ' + e)).then(() => done(problems));";

    /** What {@link #FOREIGN} finds in the page now. */
    @SuppressWarnings("unchecked")
    private List<String> foreignElements() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(FOREIGN + "return foreign();");
    }

    /** The console's reports that the page broke its own Content-Security-Policy (or Trusted Types). */
    private List<String> policyViolations() {
        List<String> found = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            String m = e.getMessage();
            if (e.getLevel().intValue() >= Level.WARNING.intValue()
                    && (m.contains("Content Security Policy") || m.contains("Trusted Type"))) {
                found.add(m);
            }
        }
        return found;
    }

    private String js(String script) {
        return String.valueOf(((JavascriptExecutor) browser).executeScript("return " + script));
    }

    /** Opens run {@code id} at {@code at} and walks every view ({@link #WALK}); the problems it found, each with where. */
    @SuppressWarnings("unchecked")
    private List<String> walkEveryView(int id, int at, boolean listed) {
        browser.get("about:blank");
        browser.get(base + "#runs=" + id + "&mode=event&at=" + at);
        browser.manage().timeouts().scriptTimeout(WAIT.multipliedBy(4));
        List<String> problems = new ArrayList<>();
        for (Object p : (List<Object>) ((JavascriptExecutor) browser).executeAsyncScript(WALK, VIEWS, at, listed)) {
            problems.add("run " + id + " at " + at + ": " + p);
        }
        return problems;
    }

    @Test
    void aHostileRecordingShowsEveryStringAsTextAndAddsNothingToThePage() throws Exception {
        List<String> lines = Files.readAllLines(hostile);
        int count = lines.size() - 2;
        com.google.gson.JsonObject header = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        policyViolations(); // the console from here on
        int compaction = VizTestRuns.first(hostile, "compaction.finished");
        for (int at : new int[] {count - 1, compaction}) {
            assertThat(walkEveryView(HOSTILE, at, true), empty());
        }
        // what the recording holds is on the page, as the text it is
        browser.get("about:blank");
        browser.get(base + "#runs=" + HOSTILE + "&view=hybrid&mode=event");
        waitFor().until(d -> text(By.cssSelector(".pane .summary")).startsWith("at event " + (count - 1) + " "));
        assertThat(foreignElements(), empty());
        assertThat(js("document.querySelector('.pane h2').textContent"), containsString(VizTestRuns.HOSTILE_NAME));
        assertThat(
                js("document.querySelector('.failure .message').textContent"),
                equalTo(header.get("failure").getAsString()));
        assertThat(
                js("document.querySelector('.failure .expected').textContent"),
                equalTo(header.get("expected").getAsString()));
        assertThat(
                js("document.querySelector('.failure b').textContent"),
                containsString(header.get("test").getAsString()));
        assertThat(js("document.getElementById('messages').textContent"), containsString("<svg onload="));
        String page = js("document.body.textContent");
        for (String payload : VizTestRuns.PAYLOADS) {
            assertThat("the page shows the recorded string as text", page, containsString(payload));
        }
        // the viewer's own pages, walked the same way, break none of the page's policy either
        assertThat(walkEveryView(LEVELED, VizTestRuns.first(leveled, "compaction.finished"), false), empty());
        assertThat(walkEveryView(FAILED, Files.readAllLines(failed).size() - 3, false), empty()); // its last event
        assertThat("the page broke its own policy", policyViolations(), empty());
    }
}
