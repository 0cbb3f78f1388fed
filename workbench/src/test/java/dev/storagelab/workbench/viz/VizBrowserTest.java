package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;

import dev.storagelab.lsm.LsmOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The viewer end to end, in a real headless Chromium (the distribution's {@code chromium} and
 * {@code chromium-driver}), against the server {@code ./storagelab viz} runs. Without a browser
 * the tests are skipped with a one-line reason, except under {@code CI=true}, where a missing
 * browser fails them ({@code .ci/run} installs it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VizBrowserTest {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Duration WAIT = Duration.ofSeconds(60); // a busy machine, not a slow page

    @TempDir
    static Path dir;

    private WebDriver browser;
    private Path leveled;
    private Path tiered;

    @BeforeAll
    void startBrowser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            String reason = "no headless browser: " + (Files.isExecutable(CHROMIUM) ? DRIVER : CHROMIUM)
                    + " is missing (apt-get install chromium chromium-driver)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(reason + "; under CI=true the browser tests must run");
            }
            Assumptions.abort(reason);
        }
        leveled = VizTestRuns.lsmRun(dir, "leveled.jsonl", LsmOptions.CompactionStyle.LEVELED, 1500);
        tiered = VizTestRuns.lsmRun(dir, "tiered.jsonl", LsmOptions.CompactionStyle.TIERED, 1500);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--window-size=1400,1000", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private VizServer serve(List<Path> runs) throws Exception {
        return new VizServer(InetAddress.getLoopbackAddress(), 0, runs, RunFormat.MAX_BYTES, dir.resolve("live"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
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
        try (VizServer server = serve(List.of())) {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            WebDriverWait wait = waitFor();
            wait.until(d -> new Select(d.findElement(By.id("liveEngine"))).getOptions().size() > 0);
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
            assertThat("the live run is a run of the server", server.runs(), hasSize(1));
            assertThat(browser.getCurrentUrl(), containsString("runs=0"));
        }
    }

    @Test
    void aRecordedLsmRunScrubsToItsFirstCompaction() throws Exception {
        int compaction = VizTestRuns.first(leveled, "compaction.finished");
        try (VizServer server = serve(List.of(leveled))) {
            browser.get("http://127.0.0.1:" + server.port() + "/#runs=0&view=lsm&mode=event&at=0");
            WebDriverWait wait = waitFor();
            wait.until(d -> text(By.id("pos")).startsWith("event 0 of"));
            new Select(browser.findElement(By.id("jumpType"))).selectByValue("compaction.finished");
            browser.findElement(By.id("jumpNext")).click();
            wait.until(d -> text(By.id("pos")).startsWith("event " + compaction + " of"));
            wait.until(d -> text(By.cssSelector(".compaction-now")).contains("L"));
            assertThat(text(By.cssSelector(".compaction-now")), containsString("compaction L"));
            assertThat("the position is in the URL, to share", browser.getCurrentUrl(), containsString("at=" + compaction));
            assertThat("the outputs are drawn", browser.findElements(By.cssSelector("rect.table")).size(), greaterThan(0));
            browser.findElement(By.id("stepFwd")).click();
            wait.until(d -> text(By.id("pos")).startsWith("event " + (compaction + 1) + " of"));
        }
    }

    @Test
    void twoRunsLieSideBySide() throws Exception {
        try (VizServer server = serve(List.of(leveled, tiered))) {
            browser.get("http://127.0.0.1:" + server.port() + "/#runs=0,1&view=lsm&mode=event&at=100");
            WebDriverWait wait = waitFor();
            wait.until(d -> d.findElements(By.cssSelector(".pane .lsm-summary")).size() == 2);
            List<String> titles = wait.until(d -> d.findElements(By.cssSelector(".pane h2")).stream().map(WebElement::getText).toList());
            assertThat(titles, hasSize(2));
            assertThat(titles.get(0), containsString("lsm, fillrandom (leveled.jsonl)"));
            assertThat(titles.get(1), containsString("lsm-tiered, fillrandom (tiered.jsonl)"));
            String before = wait.until(d -> d.findElements(By.cssSelector(".pane")).get(1).findElement(By.cssSelector(".summary")).getText());
            browser.findElement(By.id("stepFwd")).click();
            wait.until(d -> !d.findElements(By.cssSelector(".pane")).get(1).findElement(By.cssSelector(".summary")).getText().equals(before)
                    || text(By.id("pos")).startsWith("event 101 of"));
            assertThat(text(By.id("pos")), containsString("event 101 of"));
            assertThat(browser.getCurrentUrl(), containsString("runs=0%2C1"));
        }
    }

    @Test
    void aBadRecordingIsNamedInThePage() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "not json at all\n");
        try (VizServer server = serve(List.of(bad, leveled))) {
            browser.get("http://127.0.0.1:" + server.port() + "/");
            WebDriverWait wait = waitFor();
            wait.until(d -> text(By.id("messages")).contains("line 1 is not JSON"));
            assertThat(browser.findElements(By.cssSelector(".pane")).size(), equalTo(1));
        }
    }
}
