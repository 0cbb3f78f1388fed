package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.google.gson.JsonParser;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.workbench.HeadlessChromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The viewer end to end, in a real headless Chromium (the distribution's {@code chromium} and
 * {@code chromium-driver}), against the server {@code ./storagelab viz} starts: the workbench's
 * {@code viz} command in a process of its own ({@link VizProcess}), given a leveled and a tiered
 * LSM run, a million-event run and a file that is not a recording. Without a browser the tests
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
    static final int EVENTS = 1_000_000;

    private WebDriver browser;
    private VizProcess viz;
    private String base;
    private Path leveled;
    private Path failed;

    @BeforeAll
    void startBrowser() throws Exception {
        HeadlessChromium.require();
        leveled = VizTestRuns.lsmRun(dir, "leveled.jsonl", LsmOptions.CompactionStyle.LEVELED, 1500);
        Path tiered = VizTestRuns.lsmRun(dir, "tiered.jsonl", LsmOptions.CompactionStyle.TIERED, 1500);
        Path million = VizTestRuns.millionEventRun(); // EVENTS of them
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "not json at all\n");
        failed = FailingTests.recordingOf(PlantedBugExample.class, dir.resolve("failures"));
        viz = VizProcess.start(List.of(
                "--port",
                "0",
                "--live-dir",
                dir.resolve("live").toString(),
                leveled.toString(),
                tiered.toString(),
                million.toString(),
                bad.toString(),
                failed.toString()));
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
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
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
        assertThat(text(By.cssSelector(".failure .expected")), containsString("value 2 of " + PlantedBugExample.LOST));
        assertThat(text(By.cssSelector(".failure .actual")), containsString("<Optional.empty>"));
        assertThat(
                "the current event is the failure's mark",
                wait.until(d -> text(By.cssSelector(".ev.cur"))),
                containsString("the test failed here"));
        assertThat(
                "the compactions that lost the key are there to step back to",
                lines.toString(),
                containsString("compaction.finished"));
        screenshot("failing-test-1366x768");
    }
}
