package io.tributary.examples.guide;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.Tributary;
import io.tributary.runtime.UpdateResult;
import io.tributary.runtime.UpdateState;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.eventlog.EventLog;
import io.tributary.runtime.storage.PipelineStorage;
import io.tributary.runtime.tables.PipelineTables;
import io.tributary.runtime.tables.TableView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/from-delta-live-tables.md cannot drift from the code: every {@code ```java} block of the guide
 * is a region ({@code // guide:NAME} … {@code // end}) of a pipeline class of this package, and every
 * region is in the guide; and each of those pipelines runs on the embedded cluster on a small input
 * whose tables are checked row by row.
 */
class FromDeltaLiveTablesGuideTest {

  private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path GUIDE = REPOSITORY.resolve("docs/from-delta-live-tables.md");
  private static final Path SOURCES =
      REPOSITORY.resolve("examples/src/test/java/io/tributary/examples/guide");
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
  private static final Pattern REGION =
      Pattern.compile(
          "(?m)^[ \\t]*// guide:(\\S+)[ \\t]*\\n(.*?)^[ \\t]*// end[ \\t]*$", Pattern.DOTALL);

  private static EmbeddedCluster cluster;

  @TempDir Path work;

  @BeforeAll
  static void startCluster() {
    cluster = EmbeddedCluster.start(2, new org.apache.flink.configuration.Configuration());
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  // ---------------------------------------------------------------- the guide and the code agree

  @Test
  void everyJavaBlockOfTheGuideIsARegionOfAGuidePipelineAndEveryRegionIsInTheGuide()
      throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher block = JAVA_BLOCK.matcher(Files.readString(GUIDE));
    while (block.find()) {
      blocks.add(stripTrailingNewline(block.group(1)));
    }
    Map<String, String> regions = regions();

    assertThat(regions).as("regions of the guide's pipelines").hasSizeGreaterThanOrEqualTo(8);
    for (String code : blocks) {
      assertThat(regions.values())
          .as("a ```java block of the guide that no guide pipeline holds:%n%s", code)
          .contains(code);
    }
    regions.forEach(
        (name, code) ->
            assertThat(blocks)
                .as("region guide:%s appears in the guide exactly once", name)
                .filteredOn(code::equals)
                .hasSize(1));
  }

  private static Map<String, String> regions() throws IOException {
    Map<String, String> regions = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file :
          files.filter(f -> f.toString().endsWith("Pipeline.java")).sorted().toList()) {
        Matcher region = REGION.matcher(Files.readString(file));
        while (region.find()) {
          String previous = regions.put(region.group(1), dedent(region.group(2)));
          assertThat(previous).as("region guide:%s is declared once", region.group(1)).isNull();
        }
      }
    }
    return regions;
  }

  private static String dedent(String text) {
    List<String> lines = List.of(stripTrailingNewline(text).split("\n", -1));
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return lines.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.joining("\n"));
  }

  private static String stripTrailingNewline(String text) {
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  // ---------------------------------------------------------------- each pipeline runs

  @Test
  void medallionDropsInvalidEventsAndAggregatesTheRest() throws IOException {
    Path events = folder("events");
    write(
        events.resolve("events-1.json"),
        """
        {"event_id":"e1","user_id":"u1","event_type":"click","timestamp":"2024-03-01 09:00:00"}
        {"event_id":"e2","user_id":"u2","event_type":"click","timestamp":"2024-03-01 10:00:00"}
        {"event_id":"e3","event_type":"click","timestamp":"2024-03-01 11:00:00"}
        {"event_id":"e4","user_id":"u1","event_type":"view","timestamp":"2019-12-31 10:00:00"}
        {"event_id":"e5","user_id":"u1","event_type":"click","timestamp":"2024-03-02 08:00:00"}
        """);

    UpdateResult result =
        run(
            "guide_medallion",
            new GuideMedallionPipeline(),
            Map.of("source.events", events.toString()));

    assertCompleted(result);
    assertThat(table("bronze_events").count()).isEqualTo(5);
    assertThat(table("bronze_events").properties()).containsEntry("quality", "bronze");
    assertThat(rows("silver_events", "event_id", "event_date"))
        .containsExactlyInAnyOrder("e1|2024-03-01", "e2|2024-03-01", "e5|2024-03-02");
    assertThat(
            rows("gold_daily_metrics", "event_date", "event_type", "event_count", "unique_users"))
        .containsExactlyInAnyOrder("2024-03-01|click|2|2", "2024-03-02|click|1|1");
    assertThat(failures(result))
        .containsEntry("silver_events valid_user_id", 1L)
        .containsEntry("silver_events valid_timestamp", 1L);
  }

  @Test
  void expectationsKeepDropQuarantineAndFail() throws IOException {
    Path transactions = folder("transactions");
    write(
        transactions.resolve("t-1.json"),
        """
        {"id":"t1","user_id":"u1","email":"a@x.org","transaction_type":"purchase","amount":10.0,"transaction_date":"2024-01-01"}
        {"id":"t2","user_id":"u2","email":"not-an-email","transaction_type":"purchase","amount":5.0,"transaction_date":"2024-01-02"}
        {"id":"t3","user_id":"u3","email":"c@x.org","transaction_type":"refund","amount":5.0,"transaction_date":"2024-01-03"}
        {"id":"t4","email":"d@x.org","transaction_type":"refund","amount":-3.0,"transaction_date":"2024-01-04"}
        {"id":"t5","user_id":"u5","email":"e@x.org","transaction_type":"purchase","amount":0.0,"transaction_date":"2024-01-05"}
        """);
    Map<String, String> conf = Map.of("source.transactions", transactions.toString());

    UpdateResult first = run("guide_expectations", new GuideExpectationsPipeline(), conf);

    assertCompleted(first);
    // expect and expectAll keep t2 (bad email) and t4 (no user); the drops remove t3 and t5
    assertThat(rows("validated_transactions", "id")).containsExactlyInAnyOrder("t1", "t2", "t4");
    assertThat(table("validated_transactions_quarantine").rowsAsMaps())
        .extracting(row -> row.get("id"))
        .containsExactlyInAnyOrder("t3", "t5");
    assertThat(failures(first))
        .containsEntry("validated_transactions valid_email", 1L)
        .containsEntry("validated_transactions valid_user", 1L)
        .containsEntry("validated_transactions business_rule_1", 2L)
        .containsEntry("validated_transactions positive_value", 1L);

    write(
        transactions.resolve("t-2.json"),
        """
        {"id":"t6","user_id":"u6","email":"f@x.org","transaction_type":"purchase","amount":1.0,"transaction_date":"2024-01-06"}
        {"user_id":"u7","email":"g@x.org","transaction_type":"purchase","amount":2.0,"transaction_date":"2024-01-07"}
        """);
    UpdateResult second = run("guide_expectations", new GuideExpectationsPipeline(), conf);

    // expectOrFail: the update fails naming the expectation, and the row is never written. Whether
    // t6,
    // read from the same file just before it, is committed is not asserted: today the failed update
    // commits it, although the README says the failing micro-batch commits nothing (the guide's
    // caution under "Expectations" says what was seen).
    assertThat(second.state()).isEqualTo(UpdateState.FAILED);
    assertThat(second.error()).hasValueSatisfying(error -> assertThat(error).contains("valid_id"));
    assertThat(rows("validated_transactions", "id"))
        .contains("t1", "t2", "t4")
        .doesNotContain("null");
  }

  @Test
  void viewsAreNotPersistedAndTheTemporaryViewJoinsEachEventWithTheActiveUsers()
      throws IOException {
    Path users = folder("users");
    Path events = folder("view-events");
    write(
        users.resolve("users.csv"),
        """
        user_id,name,status
        u1,Ada,active
        u2,Alan,inactive
        u3,Grace,active
        """);
    write(
        events.resolve("events.json"),
        """
        {"event_id":"e1","user_id":"u1"}
        {"event_id":"e2","user_id":"u2"}
        {"event_id":"e3","user_id":"u3"}
        """);

    assertCompleted(
        run(
            "guide_views",
            new GuideViewsPipeline(),
            Map.of("source.users", users.toString(), "source.events", events.toString())));

    assertThat(rows("dim_users", "user_id", "name"))
        .containsExactlyInAnyOrder("u1|Ada", "u3|Grace");
    assertThat(rows("silver_enriched_events", "event_id", "user_id", "name"))
        .containsExactlyInAnyOrder("e1|u1|Ada", "e2|u2|null", "e3|u3|Grace");
    PipelineTables tables = PipelineTables.open(storage());
    assertThat(tables.find("active_users_view")).isEmpty();
    assertThat(tables.find("_tmp_enriched_events")).isEmpty();
  }

  @Test
  void applyChangesAndApplyChangesFromSnapshotKeepTheLatestRowsAndTheirHistory()
      throws IOException {
    Path customers = folder("customers");
    Path products = folder("products");
    Path export = folder("export");
    // out of order on purpose: sequence_by orders the changes, not the file
    write(
        customers.resolve("changes.json"),
        """
        {"customer_id":"c2","name":"Alan","email":"alan@x.org","address":"York","phone":"2","updated_at":3}
        {"customer_id":"c1","name":"Ada","email":"ada@x.org","address":"London","phone":"1","updated_at":1}
        {"customer_id":"c2","name":"Alan","email":"alan@x.org","address":"Leeds","phone":"1","updated_at":1}
        {"customer_id":"c1","email":"ada@new.org","address":"London","phone":"1","updated_at":2}
        {"customer_id":"c2","name":"Alan","email":"alan@x.org","address":"Leeds","phone":"2","updated_at":2}
        """);
    write(
        products.resolve("changes.json"),
        """
        {"product_id":"p1","name":"pen","price":1.0,"operation":"INSERT","change_timestamp":1}
        {"product_id":"p2","name":"ink","price":2.0,"operation":"INSERT","change_timestamp":2}
        {"product_id":"p1","operation":"DELETE","change_timestamp":3}
        """);
    write(
        export.resolve("export-1.csv"),
        """
        product_id,name,price
        p1,pen,1.0
        p2,ink,2.0
        """);
    Map<String, String> conf =
        Map.of(
            "source.customers",
            customers.toString(),
            "source.products",
            products.toString(),
            "source.export",
            export.toString());

    assertCompleted(run("guide_cdc", new GuideCdcPipeline(), conf));

    // SCD 1: the latest row per key, a NULL name ignored, only the listed columns
    assertThat(table("customers_scd1").columnNames())
        .containsExactly("customer_id", "name", "email", "updated_at");
    assertThat(rows("customers_scd1", "customer_id", "name", "email", "updated_at"))
        .containsExactlyInAnyOrder("c1|Ada|ada@new.org|2", "c2|Alan|alan@x.org|3");
    // SCD 2: a version per change of a tracked column; c2's phone change (untracked) opens none
    assertThat(
            rows(
                "customers_scd2",
                "customer_id",
                "name",
                "address",
                "phone",
                "__START_AT",
                "__END_AT"))
        .containsExactlyInAnyOrder(
            "c1|Ada|London|1|1|2", "c1|null|London|1|2|null",
            "c2|Alan|Leeds|2|1|3", "c2|Alan|York|2|3|null");
    // deletes, and the operation column left out
    assertThat(table("products").columnNames()).doesNotContain("operation");
    assertThat(rows("products", "product_id", "name", "price")).containsExactly("p2|ink|2.0");

    // the second snapshot: p1 renamed (name is not tracked), p2's price changed, p3 new
    Files.delete(export.resolve("export-1.csv"));
    write(
        export.resolve("export-2.csv"),
        """
        product_id,name,price
        p1,pen (blue),1.0
        p2,ink,3.0
        p3,pad,4.0
        """);
    write(
        products.resolve("truncate.json"),
        """
        {"operation":"TRUNCATE","change_timestamp":4}
        {"product_id":"p3","name":"pad","price":4.0,"operation":"INSERT","change_timestamp":5}
        """);
    assertCompleted(run("guide_cdc", new GuideCdcPipeline(), conf));

    assertThat(rows("products", "product_id", "name", "price")).containsExactly("p3|pad|4.0");
    List<String> history = rows("products_history", "product_id", "name", "price", "__END_AT");
    assertThat(history)
        .filteredOn(r -> r.startsWith("p1|"))
        .containsExactly("p1|pen (blue)|1.0|null");
    assertThat(history)
        .filteredOn(r -> r.startsWith("p2|"))
        .hasSize(2)
        .anyMatch(r -> r.startsWith("p2|ink|2.0|") && !r.endsWith("|null"))
        .anyMatch(r -> r.equals("p2|ink|3.0|null"));
    assertThat(history).filteredOn(r -> r.startsWith("p3|")).containsExactly("p3|pad|4.0|null");
  }

  @Test
  void appendFlowsFeedOneTableTheBackfillRunsOnceAndAutoLoaderInfersWithHints() throws IOException {
    Path us = folder("us");
    Path eu = folder("eu");
    Path history = folder("history");
    Path clicks = folder("clicks");
    write(us.resolve("us-1.json"), "{\"id\":\"o1\",\"region\":\"us\",\"amount\":1.0}\n");
    write(
        eu.resolve("eu-1.json"),
        "{\"id\":\"o2\",\"region\":\"eu\",\"amount\":2.0}\n{\"region\":\"eu\",\"amount\":9.0}\n");
    write(history.resolve("orders-2023.csv"), "id,region,amount\no0,us,0.5\n");
    write(
        clicks.resolve("clicks-1.json"),
        "{\"click_id\":1,\"clicked_at\":\"2024-03-01 09:00:00\",\"page\":\"/home\"}\n"
            + "{\"click_id\":2,\"clicked_at\":\"soon\",\"page\":\"/cart\"}\n");
    write(
        clicks.resolve("clicks-2.json"),
        "{\"click_id\":3,\"clicked_at\":\"2024-03-01 09:02:00\",\"page\":\"/pay\"}\n");
    write(clicks.resolve("notes.txt"), "not a click\n");
    Map<String, String> conf =
        Map.of(
            "source.us",
            us.toString(),
            "source.eu",
            eu.toString(),
            "source.history",
            history.toString(),
            "source.clicks",
            clicks.toString());

    assertCompleted(run("guide_append", new GuideAppendFlowsPipeline(), conf));
    assertThat(rows("all_orders", "id", "region"))
        .containsExactlyInAnyOrder("o0|us", "o1|us", "o2|eu");

    TableView bronze = table("bronze_clicks");
    assertThat(bronze.columnNames()).contains("click_id", "clicked_at", "page", "_rescued");
    assertThat(
            bronze.schema().getTypeAt(bronze.columnNames().indexOf("click_id")).asSummaryString())
        .startsWith("BIGINT");
    // the hint's TIMESTAMP(3) is stored as Delta's timestamp (UTC), read back as TIMESTAMP_LTZ
    assertThat(
            bronze.schema().getTypeAt(bronze.columnNames().indexOf("clicked_at")).asSummaryString())
        .startsWith("TIMESTAMP");
    // the hint's type: a value that is no timestamp is rescued, with its file
    assertThat(rows("bronze_clicks", "click_id", "page"))
        .containsExactlyInAnyOrder("1|/home", "2|/cart", "3|/pay");
    assertThat(bronze.rowsAsMaps())
        .filteredOn(row -> row.get("clicked_at") == null)
        .extracting(row -> row.get("page"))
        .containsExactly("/cart");
    assertThat(bronze.rowsAsMaps())
        .filteredOn(row -> "/cart".equals(row.get("page")))
        .singleElement()
        .satisfies(
            row ->
                assertThat(String.valueOf(row.get("_rescued")))
                    .contains("soon")
                    .contains("clicks-1.json"));

    write(us.resolve("us-2.json"), "{\"id\":\"o3\",\"region\":\"us\",\"amount\":3.0}\n");
    assertCompleted(run("guide_append", new GuideAppendFlowsPipeline(), conf));
    // the backfill does not run again: o0 once
    assertThat(rows("all_orders", "id", "region"))
        .containsExactlyInAnyOrder("o0|us", "o1|us", "o2|eu", "o3|us");
  }

  // ---------------------------------------------------------------- helpers

  private UpdateResult run(
      String name, PipelineDefinition definition, Map<String, String> configuration) {
    return Tributary.pipeline(definition)
        .name(name)
        .storage(storage())
        .configuration(configuration)
        .parallelism(2)
        .triggerInterval(Duration.ofSeconds(1))
        .cluster(cluster)
        .run();
  }

  private String storage() {
    return work.resolve("storage").toString();
  }

  private Path folder(String name) throws IOException {
    return Files.createDirectories(work.resolve("input").resolve(name));
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
  }

  private TableView table(String name) {
    return PipelineTables.open(storage()).table(name);
  }

  /** Each row of {@code name} as its {@code columns}' values joined by {@code |}. */
  private List<String> rows(String name, String... columns) {
    TableView view = table(name);
    assertThat(view.columnNames()).as("columns of %s", name).contains(columns);
    return view.rowsAsMaps().stream()
        .map(
            row ->
                Stream.of(columns)
                    .map(c -> String.valueOf(row.get(c)))
                    .collect(Collectors.joining("|")))
        .toList();
  }

  /** The failed records of each expectation in {@code result}'s update, as "dataset name". */
  private Map<String, Long> failures(UpdateResult result) {
    Map<String, Long> failed = new HashMap<>();
    EventLog.dataQuality(
            EventLog.of(PipelineStorage.at(storage(), new Configuration())).events(),
            result.updateId())
        .values()
        .forEach(t -> failed.put(t.dataset() + " " + t.name(), t.failed()));
    return failed;
  }

  private static void assertCompleted(UpdateResult result) {
    assertThat(result.state()).as("%s", result.error()).isEqualTo(UpdateState.COMPLETED);
  }
}
