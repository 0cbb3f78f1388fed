package dev.storagelab.workbench.viz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The distribution's headless Chromium ({@code chromium} and {@code chromium-driver}) for the
 * browser tests, with the page's console kept (its errors are read with {@code
 * manage().logs().get(LogType.BROWSER)}). Without a browser a test is skipped with a one-line
 * reason, except under {@code CI=true}, where a missing browser fails it ({@code .ci/run} installs it).
 */
public final class HeadlessChromium {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));

    /** How often a wait on the page asks again: a page that is ready is seen at once, not half a second later. */
    static final Duration POLL = Duration.ofMillis(50);

    private HeadlessChromium() {}

    /** A wait of at most {@code patience} on {@code browser}'s page that asks every {@link #POLL}. */
    public static WebDriverWait waitOn(WebDriver browser, Duration patience) {
        WebDriverWait wait = new WebDriverWait(browser, patience);
        wait.pollingEvery(POLL);
        return wait;
    }

    /**
     * Aborts the test (fails it under CI) when there is no browser: a test calls it before it
     * prepares anything the browser would look at.
     */
    public static void require() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            String reason = "no headless browser: " + (Files.isExecutable(CHROMIUM) ? DRIVER : CHROMIUM)
                    + " is missing (apt-get install chromium chromium-driver)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(reason + "; under CI=true the browser tests must run");
            }
            Assumptions.abort(reason);
        }
    }

    /** A new browser whose profile lives in {@code profile}; aborts the test (fails it under CI) when there is none. */
    public static ChromeDriver start(Path profile) throws java.io.IOException {
        require();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--allow-file-access-from-files",
                "--window-size=1400,1000",
                "--user-data-dir=" + Files.createDirectories(profile));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .build();
        return new ChromeDriver(service, options);
    }
}
