package dev.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyway.console.ClientMigrations;
import dev.keyway.console.ConsoleAccess;
import dev.keyway.console.ConsoleOptions;
import dev.keyway.console.ConsoleServer;
import dev.keyway.it.support.ItemsDatabase;
import dev.keyway.it.support.ServiceHarness;
import dev.keyway.it.support.TestMigrations;
import dev.keyway.message.MigrationState;
import dev.keyway.message.MigrationStatus;
import dev.keyway.message.TaskLocation;
import dev.keyway.migration.Migration;
import java.io.File;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import reactor.core.publisher.Mono;

/**
 * The console in a real browser (headless Chromium through chromedriver, both from Debian: bin/ensure-tools) against
 * a coordinator and workers on a real broker and PostgreSQL: the page shows a run live and its controls act on it.
 * Screenshots of each state go to target/console-screenshots/.
 */
class ConsoleIT {

    private static final int ROWS = 3_000;
    private static final String HOST = "it-host";
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    /** counter := counter + 1 in batches of 100 over two segments; the page starts it with a rate limit. */
    private static final Migration COUNTER = Migration.define("counter", "items", TestMigrations.PLUS_ONE)
            .withBatchSize(100).withSegments(2);
    private static final Migration PREVIEW = Migration.define("preview", "items", TestMigrations.PLUS_ONE).withBatchSize(5);

    @RegisterExtension
    final ItemsDatabase items = new ItemsDatabase(ROWS);
    private ServiceHarness harness;
    private ConsoleServer console;
    private WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
    }

    private void start(int workers, Migration... migrations) throws Exception {
        harness = items.services(workers, migrations);
        console = new ConsoleServer(new ConsoleOptions(InetAddress.getLoopbackAddress(), 0, ConsoleAccess.open(), HOST),
                new ClientMigrations(harness.client(), harness.kafka().settings()));
        browser = chromium();
        browser.get("http://127.0.0.1:" + console.port() + "/");
        WebElement operator = browser.findElement(By.id("operator"));
        operator.clear();
        operator.sendKeys("ada\t");
    }

    private static WebDriver chromium() throws Exception {
        Path profile = Files.createTempDirectory("keyway-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1400,1000");
        // the driver's path given: Selenium Manager, which would download one, is never asked
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @Test
    void theBarMovesPauseConfigureResumeAndVerifyActOnTheRunWithEveryRowOnce() throws Exception {
        start(2, COUNTER);
        type("run-fn", "counter");
        type("run-rate", "150");
        assertEquals("accepted", send(By.id("run-go")), answer());

        double first = awaitPercent("counter", p -> p > 0);
        double later = awaitPercent("counter", p -> p > first);
        assertTrue(later > first, "the bar moves: " + first + "% then " + later + "%");
        click(By.cssSelector("tr[data-migration='counter']"));
        awaitText(By.cssSelector("#segments tr.segment"), t -> !t.isBlank());
        awaitText(By.cssSelector("#detail-facts"), t -> t.contains("≤ 150 rows/s"));
        // a third of the way (about 7 s at 150 rows/s): the chart has a shape
        awaitPercent("counter", p -> p >= 33);
        await().until(d -> !d.findElements(By.cssSelector("#rate-chart polyline")).isEmpty());
        browser.findElement(By.id("answer")).click();
        screenshot("running");

        assertEquals("accepted", send(By.id("btn-pause")), answer());
        assertTrue(answer().contains("paused"), answer());
        MigrationStatus paused = harness.client().awaitStatus(s -> s.name().equals("counter")
                && s.state() == MigrationState.PAUSED, ServiceHarness.TIMEOUT);
        assertEquals("ada via console@" + HOST, paused.lastCommand().requestedBy(), "who acted");
        long applied = rowsAt(1);
        assertTrue(applied > 0 && applied < ROWS, applied + " rows applied when paused");
        // no row changes while paused: the count stays put over a window of 3 s
        long until = System.currentTimeMillis() + 3_000;
        while (System.currentTimeMillis() < until) {
            assertEquals(applied, rowsAt(1), "a row changed while paused");
            Mono.delay(Duration.ofMillis(250)).block();
        }
        awaitText(By.cssSelector("tr[data-migration='counter'] .state-badge"), t -> t.equals("paused"));
        screenshot("paused");

        type("cfg-rate", "3000");
        assertEquals("accepted", send(By.id("btn-configure")), answer());
        harness.client().awaitStatus(s -> s.name().equals("counter") && s.pace().limits() != null
                && Integer.valueOf(3000).equals(s.pace().limits().maxRowsPerSecond()), ServiceHarness.TIMEOUT);
        awaitText(By.cssSelector("tr[data-migration='counter'] .limits"), t -> t.contains("≤ 3,000 rows/s"));
        screenshot("configured");

        assertEquals("accepted", send(By.id("btn-resume")), answer());
        MigrationStatus done = harness.client().awaitStatus(s -> s.name().equals("counter")
                && s.state() == MigrationState.SUCCESS, ServiceHarness.TIMEOUT);
        assertEquals(ROWS, done.progress().processed());
        assertEquals(0, items.sql().itemsNotAt(1), "every row once, across the pause");
        awaitText(By.cssSelector("tr[data-migration='counter'] .state-badge"), t -> t.equals("succeeded"));
        assertEquals(100.0, awaitPercent("counter", p -> p == 100));
        screenshot("succeeded");

        // the history panel and the activity list show the run and every action on it, with who acted, live
        awaitText(By.cssSelector("#history-entries tbody tr:first-child"), t -> t.contains("succeeded"));
        List<String> kinds = browser.findElements(By.cssSelector("#history-entries tr.entry")).stream()
                .map(e -> e.getAttribute("data-kind")).toList();
        assertEquals(List.of("succeeded", "resumed", "configured", "paused", "started"), kinds, "newest first");
        String pausedEntry = browser.findElement(By.cssSelector("#history-entries tr.entry[data-kind='paused']"))
                .getText();
        assertTrue(pausedEntry.contains("ada via console@" + HOST), pausedEntry);
        assertTrue(browser.findElement(By.cssSelector("#history-entries tr.entry[data-kind='succeeded']")).getText()
                .contains(ROWS + " rows"), "the outcome's rows");
        awaitText(By.cssSelector("#activity-entries tbody tr:first-child"), t -> t.contains("counter"));
        screenshot("history", By.id("history"));

        verifyFindsEveryRowOfANonIdempotentMigrationAndWritesNone();
    }

    /** After the run: Verify from the page. counter + 1 would change every row again; the verify writes none. */
    private void verifyFindsEveryRowOfANonIdempotentMigrationAndWritesNone() throws Exception {
        assertFalse(browser.findElement(By.id("btn-fix")).isEnabled(), "no verify found anything yet");
        assertEquals("accepted", send(By.id("btn-verify")), answer());
        assertTrue(answer().startsWith("counter: verify accepted: started"), answer());
        MigrationStatus found = harness.client().awaitStatus(s -> s.name().equals("counter")
                && s.state() == MigrationState.VERIFY_FAILED, ServiceHarness.TIMEOUT);
        assertEquals(ROWS, found.verification().mismatched(), found.failure().error());
        assertEquals(0, items.sql().itemsNotAt(1), "the verify wrote nothing: every row still at 1");
        awaitText(By.cssSelector("tr[data-migration='counter'] .state-badge"), t -> t.equals("verify failed"));
        String summary = awaitText(By.id("verify-summary"), t -> t.contains("would still change"));
        assertTrue(summary.contains("3,000 rows would still change"), summary);
        assertEquals("3,000", browser.findElement(By.cssSelector("#verify-facts dd.rows-walked")).getText());
        List<WebElement> sample = browser.findElements(By.cssSelector("#verify-diff tr.changed"));
        assertEquals(10, sample.size(), "the status's sample: 10 documents, the counter of each");
        assertEquals(List.of("1", "counter", "1", "2"), sample.get(0).findElements(By.tagName("td")).stream()
                .map(WebElement::getText).toList(), "the row and its would-be change");
        String hint = browser.findElement(By.id("verify-hint")).getText();
        assertTrue(hint.contains("bin/migrate verify counter --list") && hint.contains("--fix"), hint);
        assertTrue(browser.findElement(By.id("btn-fix")).isEnabled(), "the verify walked every row and found some");
        awaitText(By.cssSelector("#history-entries tbody tr:first-child"), t -> t.contains("verify failed"));
        assertEquals("verify started", browser.findElement(By.cssSelector(
                "#history-entries tr.entry[data-kind='started'] .badge")).getText(), "the newest start is the verify's");
        browser.findElement(By.id("answer")).click();
        screenshot("verify-failed", By.id("verify"));
    }

    @Test
    void aDryRunShowsItsDiffAndAFailedBatchItsDocumentAndReplayCommand() throws Exception {
        items.sql().exec("UPDATE \"items\" SET \"category\" = 'poison' WHERE \"id\" = 1500");
        start(2, PREVIEW, TestMigrations.POISONABLE);
        type("run-fn", "preview");
        assertEquals("accepted", send(By.id("run-dry")), answer());
        awaitText(By.cssSelector("#dryrun-diff"), t -> t.contains("document"));
        WebElement counter = browser.findElements(By.cssSelector("#dryrun-diff tr.changed")).get(0);
        assertEquals(List.of("counter", "0", "1"), counter.findElements(By.tagName("td")).stream()
                .map(WebElement::getText).toList(), "before/after of the changed field");
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" <> 0"), "rolled back");
        screenshot("dry-run", By.id("dryrun"));

        type("run-fn", "incrementUnlessPoisoned");
        assertEquals("accepted", send(By.id("run-go")), answer());
        MigrationStatus failed = harness.client().awaitStatus(s -> s.name().equals("incrementUnlessPoisoned")
                && s.state() == MigrationState.FAILED, ServiceHarness.TIMEOUT);
        TaskLocation task = failed.failure().batch().task();
        awaitText(By.cssSelector("tr[data-migration='incrementUnlessPoisoned'] .state-badge"), t -> t.equals("failed"));
        click(By.cssSelector("tr[data-migration='incrementUnlessPoisoned']"));
        assertEquals("1500", awaitText(By.cssSelector("#failure dd.document-id"), t -> !t.isBlank()));
        String replay = awaitText(By.id("replay"), t -> t.contains("retry"));
        assertTrue(replay.contains("bin/migrate retry incrementUnlessPoisoned"), replay);
        assertTrue(replay.contains("--group " + harness.kafka().settings().topicPrefix() + "workers --topic "
                + task.topic() + ":" + task.partition() + " --reset-offsets --to-offset " + task.offset()), replay);
        assertTrue(browser.findElement(By.id("failure-error")).getText().contains("poisoned row"));
        screenshot("failed", By.id("failure"));
    }

    @Test
    void aConsoleBoundBeyondThisMachineRefusesRequestsWithoutTheToken() throws Exception {
        harness = items.services(0, COUNTER);
        ClientMigrations migrations = new ClientMigrations(harness.client(), harness.kafka().settings());
        InetAddress any = InetAddress.getByName("0.0.0.0");
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                () -> new ConsoleOptions(any, 0, ConsoleAccess.open(), HOST));
        assertTrue(open.getMessage().contains("KEYWAY_CONSOLE_TOKEN"), open.getMessage());

        String token = "it-token-0123456789abcdef";
        console = new ConsoleServer(new ConsoleOptions(any, 0, ConsoleAccess.token(token), HOST), migrations);
        HttpClient http = HttpClient.newHttpClient();
        URI status = URI.create("http://127.0.0.1:" + console.port() + "/status.json");
        assertEquals(401, http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> command = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.port()
                        + "/api/command")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"run\",\"fn\":\"counter\",\"requestedBy\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, command.statusCode(), command.body());
        assertEquals(0, items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" <> 0"), "nothing ran");
        assertEquals(200, http.send(HttpRequest.newBuilder(status).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());

        // in a browser: the page sends to the login form, which takes the token and lets the page stream
        browser = chromium();
        browser.get("http://127.0.0.1:" + console.port() + "/");
        await().until(d -> d.getCurrentUrl().endsWith("/login.html"));
        browser.findElement(By.id("token")).sendKeys("wrong-token-0123456789");
        browser.findElement(By.id("login")).click();
        await().until(d -> d.findElement(By.id("wrong")).isDisplayed());
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("login")).click();
        awaitText(By.id("live"), t -> t.equals("live"));
        screenshot("logged-in");
    }

    // ---- the page ----

    private long rowsAt(int n) throws Exception {
        return items.sql().count("SELECT COUNT(*) FROM \"items\" WHERE \"counter\" = " + n);
    }

    private WebDriverWait await() {
        // the page redraws a row when its status changes: an element found may be replaced before it is read
        return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class);
    }

    private void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    /** Clicks an element of the page, found again if a redraw replaced it. */
    private void click(By what) {
        await().until(d -> {
            d.findElement(what).click();
            return true;
        });
    }

    /** Clicks a control, confirms in the page's dialog, and returns the kind of answer shown: accepted or rejected. */
    private String send(By control) {
        ((JavascriptExecutor) browser).executeScript("document.getElementById('answer').dataset.kind = ''");
        browser.findElement(control).click();
        await().until(d -> d.findElement(By.id("confirm")).isDisplayed());
        browser.findElement(By.id("confirm-yes")).click();
        return await().until(d -> {
            String kind = d.findElement(By.id("answer")).getAttribute("data-kind");
            return kind == null || kind.isEmpty() || kind.equals("pending") ? null : kind;
        });
    }

    private String answer() {
        return browser.findElement(By.id("answer")).getText();
    }

    private double awaitPercent(String migration, java.util.function.DoublePredicate until) {
        return await().until(d -> {
            String p = d.findElement(By.cssSelector("tr[data-migration='" + migration + "'] .bar")).getAttribute("data-percent");
            return p != null && !p.isEmpty() && until.test(Double.parseDouble(p)) ? Double.parseDouble(p) : null;
        });
    }

    private String awaitText(By where, java.util.function.Predicate<String> until) {
        return await().until(d -> {
            List<WebElement> found = d.findElements(where);
            String text = found.isEmpty() ? null : found.get(0).getText();
            return text != null && until.test(text) ? text : null;
        });
    }

    private void screenshot(String state) throws Exception {
        screenshot(state, By.tagName("header"));
    }

    /** A screenshot of the page scrolled to {@code focus}. */
    private void screenshot(String state, By focus) throws Exception {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'start'})",
                browser.findElement(focus));
        Files.createDirectories(SHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SHOTS.resolve(state + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
