package io.pgobserver.bootstrap.faults;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Debian's {@code chromium}, headless, driven through its {@code chromedriver}. Both are found on the machine and
 * never downloaded: when either is missing the test fails saying how to install them ({@code .ci/run} does).
 */
final class Browser implements AutoCloseable {

    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver",
            "/usr/lib/chromium/chromedriver");

    final WebDriver driver;
    /** Chromium's TMPDIR: it leaves a directory of its own there on every start, removed with this one. */
    private final Path temporary;

    private Browser(WebDriver driver, Path temporary) {
        this.driver = driver;
        this.temporary = temporary;
    }

    static Browser start() throws IOException {
        String browser = find("pgobserver.chromium", BROWSERS);
        String chromedriver = find("pgobserver.chromedriver", DRIVERS);
        if (browser == null || chromedriver == null) {
            throw new AssertionError("the console's browser tests need Debian's chromium and chromium-driver, and "
                    + (browser == null ? "no chromium was found at " + BROWSERS : "no chromedriver was found at "
                    + DRIVERS) + ": install them with 'apt-get install -y chromium chromium-driver' (.ci/run does), "
                    + "or point -Dpgobserver.chromium and -Dpgobserver.chromedriver at them");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1360,900", "--force-prefers-reduced-motion", "--no-first-run",
                "--disable-extensions", "--lang=en-US");
        // A short path in the system's: Chromium makes a socket in it, whose whole path must fit in 107 bytes, which
        // a directory under a deep clone's target/ did not leave room for ("Chrome instance exited").
        Path temporary = Files.createTempDirectory("chr");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort()
                .withEnvironment(Map.of("TMPDIR", temporary.toString())).build();
        WebDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            FaultSupport.deleteTree(temporary);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver, temporary);
    }

    private static String find(String property, List<String> candidates) {
        String configured = System.getProperty(property);
        if (configured != null && !configured.isBlank()) {
            return Files.isExecutable(Path.of(configured)) ? configured : null;
        }
        return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Polls the page (which the console's script refreshes in place) until the condition holds. */
    void await(String what, Duration timeout, Supplier<Boolean> condition) throws InterruptedException {
        FaultSupport.await(what, timeout, () -> {
            try {
                return Boolean.TRUE.equals(condition.get());
            } catch (org.openqa.selenium.WebDriverException e) {
                return false; // the element was swapped out by a refresh: ask again
            }
        });
    }

    /**
     * Writes the visible page to {@code target/console-screenshots/NAME.png}; with {@code -Dconsole.screenshots=docs},
     * to {@code docs/console/}, the guide's. Only on request: every run's pixels differ a little, and a plain
     * {@code mvn verify} must leave the working tree as it found it.
     */
    void screenshot(String name) throws IOException {
        Path dir = "docs".equals(System.getProperty("console.screenshots"))
                ? Path.of("..", "docs", "console") : Path.of("target", "console-screenshots");
        Files.createDirectories(dir);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
        FaultSupport.deleteTree(temporary);
    }
}
