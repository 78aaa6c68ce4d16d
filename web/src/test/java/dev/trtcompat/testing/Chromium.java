package dev.trtcompat.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Debian Chromium driven through Debian's chromedriver, one per test, for the browser tests
 * ({@code @Tag("browser")}). Register with {@code @RegisterExtension}. When a test fails, its screenshot, page
 * source and browser console are saved under {@code target/browser-failures/<class>/<test>/} before the browser
 * quits.
 *
 * <p>Both executables are given by path, so Selenium Manager never looks for (or downloads) a driver or a
 * browser; the surefire execution also sets {@code SE_OFFLINE=true} in case it is asked anyway.
 */
public final class Chromium implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {

  /** Debian's packages {@code chromium} and {@code chromium-driver}, installed by scripts/test-all.sh. */
  public static final Path BROWSER = Path.of(System.getProperty("trtcompat.chromium", "/usr/bin/chromium"));

  public static final Path DRIVER = Path.of(System.getProperty("trtcompat.chromedriver", "/usr/bin/chromedriver"));

  /** Every wait in the browser tests is bounded by this unless it says otherwise. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * Runs before any page script on every document: records Content-Security-Policy violations, the upload
   * progress bar's changes, each matrix cell's {@code data-state} changes and the longest live cell log in
   * sessionStorage, which survives the navigation from the upload page to the model
   * page (same origin, same tab). Injected over CDP, so the page's CSP does not apply to it.
   */
  private static final String PROBE = """
      (function () {
        function push(key, value) {
          try {
            var list = JSON.parse(sessionStorage.getItem(key) || "[]");
            list.push(value);
            sessionStorage.setItem(key, JSON.stringify(list));
          } catch (ignored) { /* storage refused: the test then sees nothing and fails on its own check */ }
        }
        document.addEventListener("securitypolicyviolation", function (e) {
          push("trtcompat.csp", e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + location.pathname);
        });
        var lastState = {};
        function matrixChanged() {
          var cells = document.querySelectorAll("table#matrix tr[data-trt] td.cell[data-precision]");
          for (var i = 0; i < cells.length; i++) {
            var key = cells[i].parentNode.getAttribute("data-trt") + "/" + cells[i].getAttribute("data-precision");
            var state = cells[i].getAttribute("data-state");
            if (lastState[key] !== state) {
              lastState[key] = state;
              push("trtcompat.states", key + "=" + state);
            }
          }
          var logs = document.querySelectorAll("pre.cell-log");
          var longest = Number(sessionStorage.getItem("trtcompat.logmax") || "0");
          for (var j = 0; j < logs.length; j++) {
            longest = Math.max(longest, logs[j].textContent.length);
          }
          sessionStorage.setItem("trtcompat.logmax", String(longest));
        }
        document.addEventListener("DOMContentLoaded", function () {
          var bar = document.getElementById("upload-progress");
          if (bar) {
            new MutationObserver(function () {
              var status = document.getElementById("upload-status");
              push("trtcompat.progress", {hidden: bar.hidden, value: bar.value, max: bar.max,
                  status: status ? status.textContent : null});
            }).observe(bar, {attributes: true});
          }
          if (document.getElementById("matrix")) {
            matrixChanged();
            new MutationObserver(matrixChanged).observe(document.body,
                {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-state"]});
          }
        });
      })();
      """;

  /**
   * Selenium looks for Java CDP bindings matching the browser's major version and warns when it has none; the
   * tests use chromedriver's own CDP command endpoint, which needs no bindings. Held so the level sticks.
   */
  private static final Logger CDP_LOOKUP = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

  private ChromeDriver driver;
  private Path profile;
  private Path downloads;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver (" + BROWSER + ", "
          + DRIVER + "); scripts/test-all.sh installs them: apt-get install -y chromium chromium-driver");
    }
    profile = Files.createTempDirectory("trtcompat-chromium-");
    downloads = Files.createDirectories(profile.resolve("downloads"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    // No sandbox: the tests run as root. The networking switches keep Chromium off every address but
    // 127.0.0.1 (this machine's network is closed; without them it retries Google's hosts at start).
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
        "--window-size=1280,900", "--user-data-dir=" + profile.resolve("profile"));
    options.setExperimentalOption("prefs", Map.of(
        "download.default_directory", downloads.toString(),
        "download.prompt_for_download", false,
        "safebrowsing.enabled", false));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort()
        .withLogOutput(OutputStream.nullOutputStream())
        .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROBE));
  }

  public ChromeDriver driver() {
    return driver;
  }

  public WebDriverWait await() {
    return await(WAIT);
  }

  /** Ignores elements gone stale: live pages replace parts of themselves while a condition is polled. */
  public WebDriverWait await(Duration timeout) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** Chrome's download folder for this test (empty at the start). */
  public Path downloads() {
    return downloads;
  }

  /**
   * The console since the last call (chromedriver hands each entry out once): page errors, failed loads and
   * CSP refusals show here at level SEVERE.
   */
  public List<LogEntry> console() {
    return driver.manage().logs().get(LogType.BROWSER).getAll();
  }

  /** CSP violations seen by the probe in this tab since the browser started (survives navigation). */
  public List<String> cspViolations() {
    return storedList("trtcompat.csp");
  }

  /** Console errors, less the browser's own request for /favicon.ico (the service has no icon). */
  public List<String> consoleErrors() {
    return console().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !m.contains("/favicon.ico"))
        .toList();
  }

  /** The upload progress bar's recorded states ({hidden, value, max, status}) in this tab. */
  public List<Map<String, Object>> progressHistory() {
    return storedList("trtcompat.progress");
  }

  /**
   * Every change of a matrix cell's {@code data-state} this tab showed, in order, as {@code 10.0/fp32=running}
   * (the first entry per cell is its state when the page loaded).
   */
  public List<String> cellStatesSeen() {
    return storedList("trtcompat.states");
  }

  /** The most characters any {@code pre.cell-log} held at once in this tab. */
  public long longestCellLog() {
    Object n = driver.executeScript("return Number(sessionStorage.getItem('trtcompat.logmax') || '0');");
    return ((Number) n).longValue();
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> storedList(String key) {
    Object list = driver.executeScript("return JSON.parse(sessionStorage.getItem(arguments[0]) || '[]');", key);
    return list == null ? List.of() : new ArrayList<>((List<T>) list);
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (driver == null || context.getExecutionException().isEmpty()) {
      return;
    }
    Path dir = Path.of("target", "browser-failures", context.getRequiredTestClass().getSimpleName(),
        context.getRequiredTestMethod().getName());
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve("screenshot.png"), driver.getScreenshotAs(OutputType.BYTES));
      Files.writeString(dir.resolve("page.html"), driver.getPageSource(), StandardCharsets.UTF_8);
      StringBuilder log = new StringBuilder("url: " + driver.getCurrentUrl() + "\n");
      for (LogEntry e : console()) {
        log.append(e.getTimestamp()).append(' ').append(e.getLevel()).append(' ').append(e.getMessage()).append('\n');
      }
      Files.writeString(dir.resolve("console.log"), log, StandardCharsets.UTF_8);
      System.err.println("browser test failed; screenshot, page source and console saved in " + dir.toAbsolutePath());
    } catch (IOException | RuntimeException e) {
      // The test's own failure is what matters; a browser that died cannot be photographed.
      System.err.println("could not save the failed browser test's artifacts in " + dir + ": " + e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      driver = null;
      if (profile != null) {
        deleteTree(profile);
      }
    }
  }

  private static Logger quiet(String name) {
    Logger logger = Logger.getLogger(name);
    logger.setLevel(Level.SEVERE);
    return logger;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
