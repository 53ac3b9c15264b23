package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.quality.DataQuality;
import io.tributary.runtime.delta.read.DeltaTableSummary;
import io.tributary.runtime.eventlog.Event;
import io.tributary.runtime.eventlog.EventJournal;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.eventlog.FlowMetrics;
import io.tributary.runtime.eventlog.FlowProgressEvents;
import io.tributary.runtime.eventlog.UpdateEventLog;
import io.tributary.runtime.storage.PipelineStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The pipeline page in a real headless browser: Debian's chromium, driven by Selenium through Debian's
 * chromedriver (nothing is downloaded). One update of a bronze → silver → gold pipeline runs as a
 * separate {@code tributary start} process; then {@code tributary graph --format html} writes the page
 * and {@code tributary ui} serves it, and the browser checks the graph's nodes and edges and that
 * every number is the event log's. Screenshots go to {@code target/pipeline-page/}.
 */
@TestMethodOrder(
    MethodOrderer.OrderAnnotation
        .class) // the served page's test adds a running update 2 to the log
class PipelinePageBrowserTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "pipeline-page").toAbsolutePath();

  @TempDir static Path dir;
  private static Path pipeline;
  private static PipelineStorage storage;
  private static CliProcess.Result started;
  private static WebDriver browser;

  /** Orders from JSON files; amounts that are not positive dropped in silver; totals per customer in gold. */
  public static final class Shop implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("bronze_orders")
          .from(
              AutoLoader.json(p.conf("source", "/none"))
                  .schema("order_id STRING, customer STRING, amount DOUBLE"));
      p.streamingTable("silver_orders")
          .from("bronze_orders")
          .expectOrDrop("positive_amount", "amount > 0");
      p.table("gold_totals")
          .sql("SELECT customer, SUM(amount) AS total FROM silver_orders GROUP BY customer");
    }
  }

  @BeforeAll
  static void oneUpdateAndABrowser() throws Exception {
    assertThat(CHROMIUM)
        .as("Debian's chromium (apt-get install -y chromium chromium-driver)")
        .isExecutable();
    assertThat(CHROMEDRIVER)
        .as("Debian's chromedriver (apt-get install -y chromium-driver)")
        .isExecutable();
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        """
        {"order_id":"o1","customer":"ada","amount":5.0}
        {"order_id":"o2","customer":"ada","amount":7.5}
        {"order_id":"o3","customer":"grace","amount":-1.0}
        {"order_id":"o4","customer":"grace","amount":2.0}
        """);
    pipeline = dir.resolve("pipeline.yml");
    Files.writeString(
        pipeline,
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + Shop.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\nflink:\n  parallelism: 1\n");
    storage = PipelineStorage.at(dir.resolve("storage").toString(), new Configuration());
    started = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());
    assertThat(started.code()).as(started.toString()).isZero();
    Files.createDirectories(SHOTS);

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1300",
        "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile-"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  @Order(1)
  void theWrittenPageDrawsTheGraphAndShowsTheEventLogsNumbers() throws Exception {
    Path page = SHOTS.resolve("shop.html");
    CliProcess.Result graph =
        CliProcess.run(
            dir,
            TIMEOUT,
            "graph",
            pipeline.toString(),
            "--format",
            "html",
            "--output",
            page.toString());
    assertThat(graph.code()).as(graph.toString()).isZero();
    assertThat(graph.out()).isEqualTo("Wrote the html graph of pipeline 'shop' to " + page + "\n");
    String html = Files.readString(page);
    assertThat(html).doesNotContain("src=\"http").doesNotContain("href=\"http");

    browser.get(page.toUri().toString());

    assertGraph();
    assertNumbersOfTheEventLog();
    assertThat(browser.findElement(By.id("summary")).getText()).startsWith("Update 1 COMPLETED (");
    screenshot("graph-html.png");
  }

  @Test
  @Order(2)
  void theServedPageListensOnLoopbackOnlyAndRefreshesWhileAnUpdateRuns() throws Exception {
    CliProcess ui = CliProcess.start(dir, "ui", pipeline.toString(), "--port", "0");
    try {
      int port = port(ui);
      assertOnlyLoopbackAnswers(port);
      assertThat(get(port, "127.0.0.1:" + port, "/api/state")).startsWith("HTTP/1.1 200");
      assertThat(get(port, "evil.example:" + port, "/api/state")).startsWith("HTTP/1.1 403");

      browser.get("http://127.0.0.1:" + port + "/");
      assertGraph();
      assertNumbersOfTheEventLog();
      screenshot("ui-after-update-1.png");

      // an update 2 runs: its events reach the journal as a running update's do, and the page
      // follows
      EventJournal journal = UpdateEventLog.journal(storage);
      Instant t0 = Instant.now();
      journal.append(
          2,
          updateEvent(
              "u2",
              t0,
              "create_update",
              "{\"create_update\":{\"update_number\":2,\"full_refresh\":false,\"cause\":\"USER_ACTION\"}}"));
      journal.append(
          2,
          updateEvent(
              "u2",
              t0.plusMillis(10),
              "update_progress",
              "{\"update_progress\":{\"state\":\"RUNNING\"}}"));
      journal.append(
          2,
          new Event(
              "u2-silver-running",
              0,
              Event.Origin.flow("shop", "u2", "silver_orders", "silver_orders"),
              t0.plusMillis(20),
              Event.Level.INFO,
              "Flow 'silver_orders' is RUNNING.",
              Optional.empty(),
              "{\"flow_progress\":{\"status\":\"RUNNING\"}}",
              "flow_progress"));
      journal.append(
          2,
          FlowProgressEvents.of(
              "shop",
              "u2",
              "silver_orders",
              "silver_orders",
              "7",
              new FlowMetrics(
                  5,
                  new DataQuality(
                      "silver_orders",
                      new String[] {"positive_amount"},
                      new long[] {5},
                      new long[] {2},
                      2)),
              t0.plusMillis(30)));

      waitFor(
          () -> !browser.findElements(By.cssSelector("#batches tr[data-epoch='7']")).isEmpty(),
          "the page to show update 2's micro-batch 7");
      assertThat(
              browser.findElement(By.cssSelector("#updates tbody tr")).getAttribute("data-number"))
          .isEqualTo("2");
      assertThat(cells("#updates tbody tr[data-number='2']")).startsWith("2", "RUNNING");
      assertThat(cells("#batches tr[data-epoch='7']"))
          .containsExactly(
              "silver_orders", "silver_orders", "7", t0.plusMillis(30).toString(), "5", "2");
      assertThat(cells("#expectations tr[data-name='silver_orders.positive_amount']"))
          .containsExactly("silver_orders", "positive_amount", "5", "2", "71.43%");
      assertThat(cells("#tables tr[data-name='silver_orders']").get(4)).isEqualTo("RUNNING");
      assertThat(
              browser
                  .findElement(By.cssSelector("#graph .node[data-name='silver_orders']"))
                  .getAttribute("class"))
          .contains("state-RUNNING");
      assertThat(browser.findElement(By.id("summary")).getText())
          .startsWith("Update 2 RUNNING (running, ");
      screenshot("ui-update-2-running.png");

      journal.append(
          2,
          updateEvent(
              "u2",
              t0.plusMillis(2500),
              "update_progress",
              "{\"update_progress\":{\"state\":\"COMPLETED\",\"duration_ms\":2500}}"));
      waitFor(
          () -> cells("#updates tbody tr[data-number='2']").get(1).equals("COMPLETED"),
          "the page to show update 2 COMPLETED");
      assertThat(cells("#updates tbody tr[data-number='2']").get(3)).isEqualTo("2.5 s");
    } finally {
      ui.kill9();
    }
  }

  /** The three datasets in plan order, left to right by level, joined by a stream and a snapshot edge. */
  private static void assertGraph() {
    List<WebElement> nodes = browser.findElements(By.cssSelector("#graph g.node"));
    assertThat(nodes)
        .extracting(n -> n.getAttribute("data-name"))
        .containsExactly("bronze_orders", "silver_orders", "gold_totals");
    assertThat(nodes)
        .extracting(n -> n.findElement(By.cssSelector("text.name")).getText())
        .containsExactly("bronze_orders", "silver_orders", "gold_totals");
    List<Integer> xs = nodes.stream().map(n -> n.getRect().getX()).toList();
    assertThat(xs.get(0)).isLessThan(xs.get(1));
    assertThat(xs.get(1)).isLessThan(xs.get(2));
    assertThat(nodes.get(0).getRect().getWidth()).isPositive();
    Set<String> edges =
        browser.findElements(By.cssSelector("#graph path.edge")).stream()
            .map(
                e ->
                    e.getAttribute("data-from")
                        + " -"
                        + e.getAttribute("data-mode")
                        + "-> "
                        + e.getAttribute("data-to"))
            .collect(Collectors.toSet());
    assertThat(edges)
        .containsExactlyInAnyOrder(
            "bronze_orders -stream-> silver_orders", "silver_orders -snapshot-> gold_totals");
  }

  /** Every number of the tables, expectations, updates and micro-batches sections, against the event log. */
  private static void assertNumbersOfTheEventLog() {
    List<Event> events = EventLog.of(storage).events();
    String update = EventLog.lastUpdateId(events).orElseThrow();
    for (String table : List.of("bronze_orders", "silver_orders", "gold_totals")) {
      DeltaTableSummary summary =
          DeltaTableSummary.of(storage.tablePath(table), storage.hadoopConf()).orElseThrow();
      long written =
          events.stream()
              .filter(
                  e ->
                      e.level() == Event.Level.METRICS
                          && e.origin().updateId().equals(update)
                          && e.origin().dataset().orElse("").equals(table))
              .mapToLong(
                  e ->
                      e.detailsJson()
                          .path("flow_progress")
                          .path("metrics")
                          .path("num_output_rows")
                          .asLong())
              .sum();
      List<String> row = cells("#tables tr[data-name='" + table + "']");
      assertThat(row.get(2)).as(table + " rows").isEqualTo(String.valueOf(summary.rows()));
      assertThat(row.get(3)).as(table + " version").isEqualTo(String.valueOf(summary.version()));
      assertThat(row.get(4)).as(table + " state").isEqualTo("COMPLETED");
      assertThat(row.get(5)).as(table + " duration").matches("\\d+\\.\\d s");
      assertThat(row.get(6)).as(table + " written").isEqualTo(String.valueOf(written));
    }
    assertThat(cells("#tables tr[data-name='silver_orders']").get(2)).isEqualTo("3");
    assertThat(cells("#tables tr[data-name='gold_totals']").get(2)).isEqualTo("2");
    assertThat(
            browser
                .findElement(By.cssSelector("#graph .node[data-name='silver_orders'] .stats"))
                .getText())
        .isEqualTo("3 rows · COMPLETED");

    Map<String, EventLog.ExpectationTotals> quality = EventLog.dataQuality(events, update);
    assertThat(quality).containsOnlyKeys("silver_orders.positive_amount");
    EventLog.ExpectationTotals t = quality.get("silver_orders.positive_amount");
    assertThat(cells("#expectations tr[data-name='silver_orders.positive_amount']"))
        .containsExactly(
            "silver_orders",
            "positive_amount",
            String.valueOf(t.passed()),
            String.valueOf(t.failed()),
            String.format(java.util.Locale.ROOT, "%.2f%%", t.passRate()));
    assertThat(t.passed()).isEqualTo(3);
    assertThat(t.failed()).isEqualTo(1);

    JsonNode end =
        events.stream()
            .filter(
                e ->
                    e.eventType().equals("update_progress")
                        && e.detailsJson().path("update_progress").has("duration_ms"))
            .reduce((a, b) -> b)
            .orElseThrow()
            .detailsJson();
    List<String> updateRow = cells("#updates tbody tr[data-number='1']");
    assertThat(updateRow.subList(0, 2)).containsExactly("1", "COMPLETED");
    assertThat(updateRow.get(3))
        .isEqualTo(
            String.format(
                java.util.Locale.ROOT,
                "%.1f s",
                end.path("update_progress").path("duration_ms").asLong() / 1000.0));

    List<Event> batches =
        events.stream()
            .filter(e -> e.level() == Event.Level.METRICS && e.origin().updateId().equals(update))
            .toList();
    assertThat(batches).isNotEmpty();
    List<WebElement> rows = browser.findElements(By.cssSelector("#batches tbody tr"));
    assertThat(rows).hasSize(batches.size());
    for (Event e : batches) {
      String epoch = e.detailsJson().path("flow_progress").path("epoch").asText();
      assertThat(
              cells(
                      "#batches tr[data-flow='"
                          + e.origin().flowName().orElseThrow()
                          + "'][data-epoch='"
                          + epoch
                          + "']")
                  .get(4))
          .isEqualTo(
              String.valueOf(
                  e.detailsJson()
                      .path("flow_progress")
                      .path("metrics")
                      .path("num_output_rows")
                      .asLong()));
    }
  }

  private static List<String> cells(String rowSelector) {
    return browser.findElement(By.cssSelector(rowSelector)).findElements(By.tagName("td")).stream()
        .map(WebElement::getText)
        .toList();
  }

  private static void screenshot(String name) throws IOException {
    byte[] png = ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SHOTS.resolve(name), png);
    assertThat(png.length).isGreaterThan(10_000);
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // an element not there yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Waited 30 s for "
                + what
                + "; the page shows:\n"
                + browser.findElement(By.tagName("body")).getText());
      }
      Thread.sleep(200);
    }
  }

  /** The port {@code tributary ui} printed it serves on. */
  private static int port(CliProcess ui) throws Exception {
    Pattern serving =
        Pattern.compile(
            "Serving the page of pipeline 'shop' at http://127\\.0\\.0\\.1:(\\d+)/ \\(this"
                + " machine only\\); stop with Ctrl-C\\.\n");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = serving.matcher(ui.outSoFar());
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertThat(ui.isAlive()).as("tributary ui is running; it printed: " + ui.outSoFar()).isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError("tributary ui printed no address: " + ui.outSoFar());
  }

  /** 127.0.0.1 answers; this machine's other addresses refuse the connection. */
  private static void assertOnlyLoopbackAnswers(int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    }
    Set<InetAddress> others = new HashSet<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && a instanceof Inet4Address) {
          others.add(a);
        }
      }
    }
    others.add(InetAddress.getByName("127.0.0.2")); // loopback network, but not the bound address
    for (InetAddress other : others) {
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(other, port), 2000);
                }
              })
          .as("a connection to " + other + ":" + port)
          .isInstanceOf(ConnectException.class);
    }
  }

  /** A raw GET with the given Host header (Java's HTTP client does not let a caller set it); the response. */
  private static String get(int port, String host, String path) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Event updateEvent(String update, Instant at, String type, String details) {
    return new Event(
        update + "-" + type + "-" + at.toEpochMilli(),
        0,
        Event.Origin.update("shop", update),
        at,
        Event.Level.INFO,
        type,
        Optional.empty(),
        details,
        type);
  }
}
