package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.RetryPolicy;
import dev.herald.SubscribeOptions;
import dev.herald.Subscription;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless browser: Debian's {@code chromium} driven by its {@code
 * chromedriver} (Selenium 4; the driver is given by path, so Selenium Manager downloads nothing).
 * On a machine without them every test is skipped, saying so, unless {@code
 * HERALD_REQUIRE_BROWSER=1}: then they fail. One browser for the class; a screenshot of each test's
 * page under {@code target/dashboard-screenshots/}.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir static Path dir;

  private static ChromeDriver browser;
  private static GatewayStore store;
  private static HeraldServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger IDS = new AtomicInteger();

  private final List<Subscription> subscriptions = new ArrayList<>();

  @BeforeAll
  static void startBrowserAndServer() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "1".equals(System.getenv("HERALD_REQUIRE_BROWSER"))) {
      throw new IllegalStateException(
          "HERALD_REQUIRE_BROWSER=1 but "
              + CHROMIUM
              + " or "
              + CHROMEDRIVER
              + " is missing: apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(
        present,
        "no "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + ": the dashboard's browser tests are skipped (apt-get install chromium"
            + " chromium-driver; HERALD_REQUIRE_BROWSER=1 makes this a failure)");
    store = LogGatewayStore.open(dir.resolve("log"));
    server = HeraldServer.builder(store).port(0).start();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1200");
    // The driver by path: Selenium Manager then downloads nothing.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    browser = new ChromeDriver(ChromeDriverService.createDefaultService(), options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @AfterEach
  void screenshotAndUnsubscribe(TestInfo test) throws Exception {
    Path shots = Path.of("target", "dashboard-screenshots");
    Files.createDirectories(shots);
    Files.write(
        shots.resolve(test.getTestMethod().orElseThrow().getName() + ".png"),
        browser.getScreenshotAs(OutputType.BYTES));
    subscriptions.forEach(Subscription::close);
  }

  @Test
  void throughputRisesWhileEventsArePublishedAndFallsWhenTheyStop() throws Exception {
    open(server);
    AtomicBoolean publishing = new AtomicBoolean(true);
    Thread publisher =
        new Thread(
            () -> {
              while (publishing.get()) {
                publish(server, "dash.throughput", "{\"n\": 1}");
              }
            },
            "dashboard-test-publisher");
    publisher.start();
    try {
      await()
          .atMost(BOUND)
          .untilAsserted(
              () -> assertThat(number("tr[data-type='dash.throughput'] td.rate")).isPositive());
      assertThat(browser.findElements(By.cssSelector("#throughput-chart .uplot"))).isNotEmpty();
    } finally {
      publishing.set(false);
      publisher.join();
    }
    long total = (long) number("tr[data-type='dash.throughput'] td.total");
    assertThat(total).isPositive();
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> assertThat(number("tr[data-type='dash.throughput'] td.rate")).isZero());
  }

  @Test
  void lagShowsWhileAGroupIsBehindAndFallsWhenItCatchesUp() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    subscriptions.add(
        store
            .bus()
            .subscribe(
                "dash.lag",
                event -> {
                  if (handled.getAndIncrement() > 0) {
                    release.await(BOUND.toSeconds(), TimeUnit.SECONDS);
                  }
                },
                SubscribeOptions.defaults().name("dash-lag").group("dash-lag")));
    open(server);
    store.append(event("dash.lag", 0)).join(); // handled at once: the group commits
    await().atMost(BOUND).until(() -> handled.get() >= 1);
    for (int i = 1; i <= 20; i++) {
      store.append(event("dash.lag", i)).join();
    }
    await()
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(number("tr[data-group='dash-lag'] td.lag")).isPositive());
    release.countDown();
    await()
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(number("tr[data-group='dash-lag'] td.lag")).isZero());
    assertThat(handled.get()).isEqualTo(21);
  }

  @Test
  void redriveRemovesADeadLetterAndTheGroupHandlesIt() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    Set<String> handled = ConcurrentHashMap.newKeySet();
    subscriptions.add(
        store
            .bus()
            .subscribe(
                "dash.dl",
                event -> {
                  if (failing.get()) {
                    throw new IllegalStateException("the warehouse is closed");
                  }
                  handled.add(event.id());
                },
                SubscribeOptions.defaults()
                    .name("dash-dl")
                    .group("dash-dl")
                    .retry(RetryPolicy.none())));
    String first = append(store, "dash.dl", 1);
    String second = append(store, "dash.dl", 2);
    open(server);
    chooseGroup("dash-dl");
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(texts("#deadletters-table tbody td.event-id"))
                    .containsExactlyInAnyOrder(first, second));
    assertThat(browser.findElement(By.id("dl-count")).getText()).isEqualTo("2 dead letters");
    failing.set(false);

    rowOf(first).findElement(By.cssSelector("button.redrive")).click();
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(texts("#deadletters-table tbody td.event-id")).containsExactly(second));
    await().atMost(BOUND).until(() -> handled.contains(first));

    browser.findElement(By.id("dl-redrive-all")).click();
    await()
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(texts("#deadletters-table tbody td.event-id")).isEmpty());
    await().atMost(BOUND).until(() -> handled.contains(second));
    assertThat(browser.findElement(By.id("dl-message")).getText()).contains("redriven: 1");
  }

  /** The panel shows the oldest 100 of a group's dead letters, and says when there are more. */
  @Test
  void aGroupWithMoreDeadLettersThanThePanelShowsSaysSo() throws Exception {
    subscriptions.add(
        store
            .bus()
            .subscribe(
                "dash.many",
                event -> {
                  throw new IllegalStateException("always");
                },
                SubscribeOptions.defaults()
                    .name("dash-many")
                    .group("dash-many")
                    .retry(RetryPolicy.none())));
    for (int i = 0; i < 101; i++) {
      append(store, "dash.many", i);
    }
    await()
        .atMost(BOUND)
        .until(() -> store.bus().stats().subscription("dash-many").deadLettered() == 101);
    open(server);
    chooseGroup("dash-many");
    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(browser.findElement(By.id("dl-count")).getText())
                    .isEqualTo("more than 100 dead letters (the oldest 100 shown)"));
    assertThat(browser.findElements(By.cssSelector("#deadletters-table tbody tr"))).hasSize(100);
  }

  @Test
  void theLiveTailResumesWithNoGapAfterTheServerRestarts() throws Exception {
    try (GatewayStore own = LogGatewayStore.open(dir.resolve("tail"))) {
      HeraldServer first = HeraldServer.builder(own).port(0).start();
      int port = first.port();
      List<String> ids = new ArrayList<>();
      HeraldServer second = null;
      try {
        open(first);
        browser.findElement(By.id("tail-types")).clear();
        browser.findElement(By.id("tail-types")).sendKeys("dash.tail.*");
        new Select(browser.findElement(By.id("tail-from"))).selectByValue("earliest");
        browser.findElement(By.id("tail-start")).click();
        for (int i = 0; i < 5; i++) {
          ids.add(publish(first, "dash.tail.before", "{\"n\": " + i + "}"));
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(tailIds()).isEqualTo(ids));

        first.close();
        for (int i = 0; i < 5; i++) { // stored while no server runs
          ids.add(append(own, "dash.tail.between", i));
        }
        second = HeraldServer.builder(own).port(port).start();
        for (int i = 0; i < 5; i++) {
          ids.add(publish(second, "dash.tail.after", "{\"n\": " + i + "}"));
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(tailIds()).isEqualTo(ids));
        assertThat(browser.findElement(By.id("tail-status")).getText()).isEqualTo("following");
      } finally {
        browser.findElement(By.id("tail-stop")).click();
        first.close();
        if (second != null) {
          second.close();
        }
      }
    }
  }

  @Test
  void withTokensThePageAsksForAnAdminTokenAndKeepsItForTheTab() throws Exception {
    try (HeraldServer guarded = HeraldServer.builder(store).port(0).access(TOKENS).start()) {
      browser.get(guarded.uri() + "/");
      await().atMost(BOUND).until(() -> browser.findElement(By.id("login")).isDisplayed());
      assertThat(browser.findElement(By.id("panels")).isDisplayed()).isFalse();

      logIn("reader-token");
      await()
          .atMost(BOUND)
          .untilAsserted(
              () ->
                  assertThat(browser.findElement(By.id("login-error")).getText())
                      .contains("may not administer"));
      assertThat(browser.findElement(By.id("panels")).isDisplayed()).isFalse();

      logIn("admin-token");
      await().atMost(BOUND).until(() -> browser.findElement(By.id("panels")).isDisplayed());
      assertThat(browser.executeScript("return sessionStorage.getItem('herald.token')"))
          .isEqualTo("admin-token");
      browser.navigate().refresh(); // the same tab keeps it
      await().atMost(BOUND).until(() -> browser.findElement(By.id("panels")).isDisplayed());

      browser.findElement(By.id("logout")).click();
      assertThat(browser.findElement(By.id("login")).isDisplayed()).isTrue();
      assertThat(browser.executeScript("return sessionStorage.getItem('herald.token')")).isNull();
    }
  }

  // ---- helpers ----

  /** Two tokens: one that may administer, one that may only read streams. */
  private static final Access TOKENS =
      new Access() {
        @Override
        public java.util.Optional<Principal> authenticate(String authorization) {
          if ("Bearer admin-token".equals(authorization)) {
            return java.util.Optional.of(new TestPrincipal("admin", true));
          }
          if ("Bearer reader-token".equals(authorization)) {
            return java.util.Optional.of(new TestPrincipal("reader", false));
          }
          return java.util.Optional.empty();
        }

        @Override
        public boolean required() {
          return true;
        }
      };

  private record TestPrincipal(String name, boolean admin) implements Principal {
    @Override
    public boolean mayPublish(String type) {
      return true;
    }

    @Override
    public boolean maySubscribe(String pattern) {
      return true;
    }

    @Override
    public boolean mayAdminister() {
      return admin;
    }
  }

  private static void logIn(String token) {
    WebElement input = browser.findElement(By.id("token-input"));
    input.clear();
    input.sendKeys(token);
    browser.findElement(By.id("token-submit")).click();
  }

  /** Stores one event straight in the store, as another process of the same log would; its id. */
  private static String append(GatewayStore to, String type, int n) {
    dev.herald.Event<byte[]> e = event(type, n);
    to.append(e).join();
    return e.id();
  }

  private static dev.herald.Event<byte[]> event(String type, int n) {
    return dev.herald.Event.<byte[]>builder(type)
        .id("dash-" + IDS.incrementAndGet())
        .source("/dashboard-test")
        .dataContentType("application/json")
        .data(("{\"n\": " + n + "}").getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static void open(HeraldServer s) {
    browser.get(s.uri() + "/");
    await().atMost(BOUND).until(() -> browser.findElement(By.id("panels")).isDisplayed());
  }

  /** Publishes one event in binary mode; its id. */
  private static String publish(HeraldServer s, String type, String json) {
    String id = "dash-" + IDS.incrementAndGet();
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(s.uri() + "/v1/events"))
            .header("ce-specversion", "1.0")
            .header("ce-id", id)
            .header("ce-type", type)
            .header("ce-source", "/dashboard-test")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    try {
      HttpResponse<String> answer = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return id;
  }

  private static void chooseGroup(String group) {
    await()
        .atMost(BOUND)
        .ignoreExceptions()
        .untilAsserted(
            () -> new Select(browser.findElement(By.id("dl-group"))).selectByValue(group));
  }

  private static WebElement rowOf(String eventId) {
    for (WebElement row : browser.findElements(By.cssSelector("#deadletters-table tbody tr"))) {
      if (row.findElement(By.cssSelector("td.event-id")).getText().equals(eventId)) {
        return row;
      }
    }
    throw new AssertionError("no dead letter of event " + eventId);
  }

  private static List<String> texts(String css) {
    return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
  }

  private static List<String> tailIds() {
    return browser.findElements(By.cssSelector("#tail-list li")).stream()
        .map(li -> li.getDomAttribute("data-id"))
        .toList();
  }

  /** The number in the one element {@code css} selects; fails (for Awaitility to retry) if none. */
  private static double number(String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    assertThat(found).as(css).hasSize(1);
    return Double.parseDouble(found.get(0).getText());
  }
}
