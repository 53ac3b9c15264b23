package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.testing.SeededRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret that reaches an error Tributary did not write: the pipeline's query uses the value of the
 * {@code db.password} setting, and Flink's error for a row the query fails on quotes it. {@code
 * tributary start}, {@code status} and {@code events} run as real processes; the value is in none of
 * their outputs, the update's record ({@code _tributary/updates/*.json}) or the event log (its
 * journal and its table), which still describe the failure, the value shown as {@code ******}.
 */
class SecretInErrorProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** Raw orders from JSON files; the query appends the password to each amount and casts it. */
  public static final class LeakingOrders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("raw_orders")
          .from(
              AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount STRING"));
      p.streamingTable("orders")
          .sql(
              "SELECT order_id, CAST(CONCAT(amount, '"
                  + p.conf("db.password", "")
                  + "') AS INT) AS amount FROM STREAM(raw_orders)");
    }
  }

  @Test
  void anErrorQuotingASecretIsRecordedLoggedAndShownWithoutIt() throws Exception {
    String secret = "Pl4nted-S3cret" + Long.toHexString(random.get().nextLong() | Long.MIN_VALUE);
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(input.resolve("part-1.json"), "{\"order_id\":\"o1\",\"amount\":\"5\"}\n");
    Path pipeline = dir.resolve("pipeline.yml");
    Files.writeString(
        pipeline,
        "name: shop\nstorage: storage\nlibraries:\n  - "
            + LeakingOrders.class.getName()
            + "\nconfiguration:\n  source: "
            + input
            + "\n  db.password: \""
            + secret
            + "\"\ndevelopment: true\nflink:\n  parallelism: 1\n");

    Map<String, CliProcess.Result> outputs = new LinkedHashMap<>();
    CliProcess.Result started = CliProcess.run(dir, TIMEOUT, "start", pipeline.toString());
    outputs.put("start", started);
    assertThat(started.code()).as(started.toString()).isEqualTo(TributaryCli.UPDATE_FAILED);
    outputs.put("status", CliProcess.run(dir, TIMEOUT, "status", pipeline.toString()));
    outputs.put("events", CliProcess.run(dir, TIMEOUT, "events", pipeline.toString()));
    outputs.put(
        "events --json", CliProcess.run(dir, TIMEOUT, "events", "--json", pipeline.toString()));
    outputs.forEach((command, result) -> System.out.println(command + ": " + result + "\n"));

    List<String> leaks = new ArrayList<>();
    outputs.forEach(
        (command, result) -> {
          if ((result.out() + result.err()).contains(secret)) {
            leaks.add("the output of tributary " + command + ":\n" + result);
          }
        });
    Path records = dir.resolve("storage/_tributary/updates");
    Path bookkeeping = dir.resolve("storage/_tributary");
    List<Path> searched = new ArrayList<>();
    try (Stream<Path> files = Files.walk(bookkeeping)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        searched.add(file);
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        int at = text.indexOf(secret);
        if (at >= 0) {
          leaks.add(
              dir.relativize(file)
                  + ": …"
                  + text.substring(
                      Math.max(0, at - 200), Math.min(text.length(), at + secret.length() + 40))
                  + "…");
        }
      }
    }
    assertThat(leaks).as("the secret found").isEmpty();
    assertThat(searched)
        .as("the update's record and the event log's table")
        .anyMatch(f -> f.startsWith(records) && f.toString().endsWith(".json"))
        .anyMatch(f -> f.toString().contains("/_tributary/event_log/"));

    assertThat(started.err())
        .as("the failure is still described, the value hidden: " + started)
        .contains("For input string: '5******'");
    assertThat(started.out())
        .as("the progress line of the failed flow: " + started)
        .containsPattern("\\] raw_orders +FAILED: .*For input string: '5\\*{6}'");
    String record;
    try (Stream<Path> files = Files.list(records)) {
      record =
          Files.readString(files.filter(f -> f.toString().endsWith(".json")).findFirst().get());
    }
    assertThat(record)
        .as("the update's record describes the failure")
        .contains("\"state\" : \"FAILED\"")
        .contains("For input string: '5******'");
    assertThat(outputs.get("status").out() + outputs.get("status").err())
        .as("status shows the failure")
        .containsPattern("#1 +FAILED .*For input string: '5\\*{6}'");
    assertThat(outputs.get("events --json").out())
        .as("the failed flow's event describes the failure")
        .contains("For input string: '5******'");
    // not asserted: Flink's own logging of the task's exception (see docs/guarantees.md)
    Path logFile = CliProcess.logDir(dir).resolve("tributary.log");
    System.out.println(
        "the log file "
            + (Files.isRegularFile(logFile) && Files.readString(logFile).contains(secret)
                ? "holds"
                : "does not hold")
            + " the secret");
  }
}
