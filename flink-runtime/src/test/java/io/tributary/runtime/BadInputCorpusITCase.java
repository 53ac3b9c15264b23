package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.delta.read.DeltaTableReader;
import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.engine.RefreshSelection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus: each folder under {@code src/test/resources/bad-input/} is one case, its input
 * files ({@code input/}, and {@code input2/} that arrive before the second update), its
 * {@code case.properties} (format, declared schema, options, the stated outcome) and its expected rows
 * ({@code expected.txt}, after both updates; {@code expected-downstream.txt} for the table of its expectation or
 * its {@code applyChanges} target, {@code expected-quarantine.txt} for the expectation's quarantine). Every case is one Auto Loader table of one pipeline, so the whole
 * corpus runs as two updates on one cluster: cases that complete are joined in one streaming job,
 * cases that fail or change between updates ({@code isolated=true}) each run as their own job, so their
 * failure is theirs alone and the second update (which refreshes only the cases with {@code input2/})
 * runs only them.
 *
 * <p>In expected text, {@code ${input}} stands for the case's input folder as the reader names it,
 * and a value longer than 1,000 characters is written {@code <N chars>}. Files named
 * {@code underscore_…} and {@code dot_…} are copied as {@code _…} and {@code .…}: files still being
 * written, which Auto Loader does not read.
 */
class BadInputCorpusITCase {

  private static EmbeddedCluster cluster;
  @TempDir static Path dir;
  private static List<Case> cases;
  private static UpdateResult first;
  private static UpdateResult second;

  record Case(String name, Properties props) {
    String table() {
      return "c_" + name.replace('-', '_');
    }

    String downstream() {
      return "d_" + name.replace('-', '_');
    }

    String get(String key) {
      return props.getProperty(key, "");
    }

    boolean isolated() {
      return Boolean.parseBoolean(get("isolated"));
    }

    Path input() {
      return dir.resolve("input").resolve(name);
    }

    /** The input folder as the reader names files in it. */
    String flinkInput() {
      return input().toUri().toString().replace("file:///", "file:/").replaceAll("/$", "");
    }

    @Override
    public String toString() {
      return name + " (" + get("outcome") + ")";
    }
  }

  /** One table per case, as its case.properties says, with its quarantine or applyChanges target. */
  public static final class Corpus implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      List<String> joined = new ArrayList<>();
      for (Case c : cases) {
        AutoLoader source =
            c.get("format").equals("csv")
                ? AutoLoader.csv(c.input().toString())
                : AutoLoader.json(c.input().toString());
        if (!c.get("schema").isEmpty()) {
          source = source.schema(c.get("schema"));
        }
        for (String option : c.get("options").split(";")) {
          if (!option.isBlank()) {
            String[] kv = option.split("=", 2);
            source = source.option(kv[0].trim(), kv[1].trim());
          }
        }
        p.streamingTable(c.table()).from(source);
        String downstream = c.table();
        if (!c.get("expect").isEmpty()) {
          String[] expectation = c.get("expect").split(":", 2);
          downstream = c.get("cdc").isEmpty() ? c.downstream() : c.table() + "_valid";
          p.streamingTable(downstream)
              .from(c.table())
              .expectOrDrop(expectation[0], expectation[1])
              .quarantine();
        }
        if (!c.get("cdc").isEmpty()) {
          String[] cdc = c.get("cdc").split(";");
          p.createStreamingTable(c.downstream());
          p.applyChanges(c.downstream()).from(downstream).keys(cdc[0]).sequenceBy(cdc[1]);
        }
        if (!c.isolated()) {
          joined.add(c.table());
        }
      }
      // one job for every case that completes: a stream read of each joins them
      if (joined.isEmpty()) {
        return;
      }
      p.streamingTable("corpus")
          .sql(
              String.join(
                  " UNION ALL ",
                  joined.stream()
                      .map(t -> "SELECT '" + t + "' AS case_table FROM STREAM(" + t + ")")
                      .toList()));
    }
  }

  @BeforeAll
  static void runTheCorpus() throws Exception {
    cluster = EmbeddedCluster.start(2, new Configuration());
    cases = loadCases();
    for (Case c : cases) {
      copyInputs(c, "input");
      if (c.get("generate").equals("long-line")) {
        writeFiftyMegabyteLine(c.input().resolve("long.json"));
      }
    }
    first = builder().run();
    java.util.Set<String> drifting = new java.util.TreeSet<>();
    for (Case c : cases) {
      if (copyInputs(c, "input2")) {
        drifting.add(c.table());
      }
    }
    // only the cases whose input changes run again
    second = builder().selection(RefreshSelection.refresh(drifting)).run();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  static Stream<Case> cases() {
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachCaseHasItsStatedOutcome(Case c) throws Exception {
    Optional<String> error =
        Stream.of(second, first)
            .flatMap(result -> Stream.of(c.table(), c.downstream()).map(result::flow))
            .flatMap(Optional::stream)
            .map(FlowResult::error)
            .flatMap(Optional::stream)
            .findFirst();
    if (c.get("outcome").equals("error")) {
      assertThat(error).as("the error of %s", c).isPresent();
      assertThat(error.get()).contains(c.get("error").replace("${input}", c.flinkInput()));
    } else {
      assertThat(error).as("no error for %s", c).isEmpty();
    }
    List<String> rows = rows(c, c.table());
    assertThat(rows).as("rows of %s", c).isEqualTo(expected(c, "expected.txt", rows));
    if (!c.get("expect").isEmpty() || !c.get("cdc").isEmpty()) {
      List<String> downstream = rows(c, c.downstream());
      assertThat(downstream)
          .as("%s of %s", c.downstream(), c)
          .isEqualTo(expected(c, "expected-downstream.txt", downstream));
    }
    if (!c.get("expect").isEmpty()) {
      String table =
          (c.get("cdc").isEmpty() ? c.downstream() : c.table() + "_valid") + "_quarantine";
      List<String> quarantined = rows(c, table);
      assertThat(quarantined)
          .as("%s of %s", table, c)
          .isEqualTo(expected(c, "expected-quarantine.txt", quarantined));
    }
  }

  private static Tributary.Builder builder() {
    // a job that fails over and then neither catches up nor writes a row fails after two
    // minutes, with the failure that restarted it, instead of the default hour; production's
    // restarts without its 1 s between them (what is tested is how each case ends, not when)
    return Tributary.pipeline(new Corpus())
        .name("corpus")
        .storage(dir.resolve("storage").toString())
        .configuration(
            java.util.Map.of(
                io.tributary.runtime.config.PipelineSettings.CAUGHT_UP_TIMEOUT, "120 s"))
        .parallelism(1)
        .triggerInterval(Duration.ofSeconds(1))
        .development(false)
        .retries(0, Duration.ofMillis(10))
        .flinkOption("restart-strategy.fixed-delay.delay", "50 ms")
        .cluster(cluster);
  }

  private static List<String> rows(Case c, String table) {
    String path = dir.resolve("storage/tables/" + table).toString();
    if (DeltaTableReader.schema(path).isEmpty()) {
      return List.of("(no table)");
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.join(",", DeltaTableReader.schema(path).orElseThrow().getFieldNames()));
    lines.addAll(
        DeltaTableReader.readAll(path).stream()
            .map(BadInputCorpusITCase::text)
            .map(line -> line.replace(c.flinkInput(), "${input}"))
            .sorted()
            .toList());
    return lines;
  }

  private static String text(Row row) {
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < row.getArity(); i++) {
      Object value = row.getField(i);
      String field =
          value instanceof Object[] array
              ? java.util.Arrays.toString(array)
              : String.valueOf(value);
      fields.add(field.length() > 1000 ? "<" + field.length() + " chars>" : field);
    }
    return String.join(" | ", fields);
  }

  /**
   * The expected lines of {@code file}. With {@code -Dbadinput.golden=<folder of the cases' sources>}
   * the actual lines are written there instead, to be reviewed before they are committed.
   */
  private static List<String> expected(Case c, String file, List<String> actual)
      throws IOException {
    String golden = System.getProperty("badinput.golden");
    if (golden != null) {
      Files.write(Path.of(golden).resolve(c.name()).resolve(file), actual, StandardCharsets.UTF_8);
      return actual;
    }
    Path path = resource(c).resolve(file);
    return Files.exists(path)
        ? Files.readAllLines(path, StandardCharsets.UTF_8)
        : List.of("(no " + file + ")");
  }

  private static Path root() {
    try {
      return Path.of(BadInputCorpusITCase.class.getResource("/bad-input").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path resource(Case c) {
    return root().resolve(c.name());
  }

  /**
   * Every case, or with {@code -Dbadinput.cases=<name>,<name>} only those (to run one case alone, as when
   * bisecting a failure of one).
   */
  private static List<Case> loadCases() throws IOException {
    String only = System.getProperty("badinput.cases", "");
    java.util.Set<String> selected =
        java.util.Set.of(only.isBlank() ? new String[0] : only.split(","));
    try (Stream<Path> folders = Files.list(root())) {
      return folders
          .filter(Files::isDirectory)
          .filter(
              folder -> selected.isEmpty() || selected.contains(folder.getFileName().toString()))
          .sorted()
          .map(
              folder -> {
                Properties props = new Properties();
                try (InputStream in = Files.newInputStream(folder.resolve("case.properties"))) {
                  props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return new Case(folder.getFileName().toString(), props);
              })
          .toList();
    }
  }

  /** Copies the case's {@code folder} into its input folder; false if it has none. */
  private static boolean copyInputs(Case c, String folder) throws IOException {
    Files.createDirectories(c.input());
    Path from = resource(c).resolve(folder);
    if (!Files.isDirectory(from)) {
      return false;
    }
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.sorted().toList()) {
        String name =
            file.getFileName()
                .toString()
                .replaceFirst("^underscore_", "_")
                .replaceFirst("^dot_", ".");
        Files.copy(file, c.input().resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return true;
  }

  /** One JSON record whose blob is 50 MB: generated here, never committed. */
  private static void writeFiftyMegabyteLine(Path file) throws IOException {
    byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      out.write("{\"id\":\"long\",\"blob\":\"".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 50; i++) {
        out.write(chunk);
      }
      out.write("\"}\n".getBytes(StandardCharsets.US_ASCII));
    }
  }
}
