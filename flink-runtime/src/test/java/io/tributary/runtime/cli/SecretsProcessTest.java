package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.dsl.AutoLoader;
import io.tributary.dsl.Pipeline;
import io.tributary.dsl.PipelineDefinition;
import io.tributary.runtime.testing.GuardedFileSystem;
import io.tributary.runtime.testing.SeededRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets stay in {@code pipeline.yml}: a unique secret is planted in every place a pipeline holds
 * settings ({@code configuration}, {@code hadoop:}, {@code flink: options}, {@code --conf}) under keys
 * named as credentials are ({@code *secret*}, {@code *password*}, {@code *token*}, {@code fs.s3a.*key*}),
 * and {@code tributary start}, {@code status}, {@code events} and {@code validate} run as real processes
 * with their log file, a successful update and deliberate errors among them. No byte of any output, of
 * any file under the storage folder (tables, state, savepoints and checkpoints, event log) or of the
 * log file holds a secret. The storage is a file system ({@link GuardedFileSystem}) that opens only
 * with the real value of the {@code hadoop:} block's password, so the update's success proves that the
 * CLI, every task and Flink's checkpoint storage received the value itself.
 */
class SecretsProcessTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @RegisterExtension final SeededRandom random = new SeededRandom();

  @TempDir Path dir;

  /** Orders from JSON files into one streaming table. */
  public static final class Orders implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders")
          .from(
              AutoLoader.json(p.conf("source", "/none")).schema("order_id STRING, amount DOUBLE"));
    }
  }

  /** A definition error: the query reads a dataset that does not exist. */
  public static final class Broken implements PipelineDefinition {
    @Override
    public void define(Pipeline p) {
      p.streamingTable("orders").sql("SELECT * FROM STREAM(no_such_table)");
    }
  }

  @Test
  void noSecretReachesAnyOutputLogOrStorageFileWhileTheJobUsesTheRealValues() throws Exception {
    Random rnd = random.get();
    Map<String, String> secrets = new LinkedHashMap<>();
    for (String place :
        List.of(
            "configuration.secret",
            "configuration.password",
            "configuration.token",
            "hadoop.password",
            "hadoop.access-key",
            "hadoop.secret-key",
            "hadoop.session-token",
            "flink.secret",
            "flink.password",
            "conf.token",
            "conf.s3a-key",
            "conf.wrong-password")) {
      secrets.put(
          place,
          "S3cr3t"
              + Long.toHexString(rnd.nextLong() | Long.MIN_VALUE)
              + place.replaceAll("\\W", ""));
    }
    Path input = Files.createDirectories(dir.resolve("orders"));
    Files.writeString(
        input.resolve("part-1.json"),
        "{\"order_id\":\"o1\",\"amount\":5.0}\n" + "{\"order_id\":\"o2\",\"amount\":7.5}\n");
    String storage = GuardedFileSystem.uri(dir.resolve("storage"));
    Map<String, String> guarded = GuardedFileSystem.settings(secrets.get("hadoop.password"));
    StringBuilder hadoop = new StringBuilder();
    guarded.forEach(
        (k, v) -> hadoop.append("  ").append(k).append(": \"").append(v).append("\"\n"));
    String yml =
        "name: shop\nstorage: "
            + storage
            + "\nlibraries:\n  - %s\n"
            + "configuration:\n"
            + "  source: "
            + input
            + "\n"
            + "  warehouse.api_SECRET: "
            + secrets.get("configuration.secret")
            + "\n"
            + "  warehouse.Password: "
            + secrets.get("configuration.password")
            + "\n"
            + "  crm.auth.token: "
            + secrets.get("configuration.token")
            + "\n"
            + "hadoop:\n"
            + hadoop
            + "  fs.s3a.access.key: "
            + secrets.get("hadoop.access-key")
            + "\n"
            + "  fs.s3a.secret.key: "
            + secrets.get("hadoop.secret-key")
            + "\n"
            + "  fs.s3a.session.token: "
            + secrets.get("hadoop.session-token")
            + "\n"
            + "flink:\n  parallelism: 1\n  options:\n"
            + "    s3.secret-key: "
            + secrets.get("flink.secret")
            + "\n"
            + "    metrics.reporter.prom.password: "
            + secrets.get("flink.password")
            + "\n";
    Path pipeline = dir.resolve("pipeline.yml");
    Files.writeString(pipeline, yml.formatted(Orders.class.getName()));
    String[] conf = {
      "--conf",
      "crm.refresh_token=" + secrets.get("conf.token"),
      "--conf",
      "fs.s3a.assumed.role.session.key=" + secrets.get("conf.s3a-key")
    };

    List<CliProcess.Result> results = new ArrayList<>();
    CliProcess.Result started =
        CliProcess.run(dir, TIMEOUT, concat(new String[] {"start", pipeline.toString()}, conf));
    results.add(started);
    assertThat(started.code()).as(started.toString()).isZero();
    assertThat(started.out())
        .as(started.toString())
        .containsPattern(
            "\n  orders +2 rows  \\(Delta version \\d+; 2 written by this update\\)\n");
    results.add(
        expect(
            0,
            CliProcess.run(
                dir, TIMEOUT, concat(new String[] {"status", pipeline.toString()}, conf))));
    results.add(
        expect(
            0,
            CliProcess.run(
                dir, TIMEOUT, concat(new String[] {"events", pipeline.toString()}, conf))));
    results.add(expect(0, CliProcess.run(dir, TIMEOUT, "events", "--json", pipeline.toString())));
    results.add(
        expect(
            0,
            CliProcess.run(
                dir, TIMEOUT, concat(new String[] {"validate", pipeline.toString()}, conf))));

    // deliberate errors: a wrong password (itself a secret), a definition error, a file YAML cannot
    // read
    CliProcess.Result wrongPassword =
        CliProcess.run(
            dir,
            TIMEOUT,
            "start",
            pipeline.toString(),
            "--conf",
            GuardedFileSystem.PASSWORD + "=" + secrets.get("conf.wrong-password"));
    results.add(wrongPassword);
    assertThat(wrongPassword.code()).as(wrongPassword.toString()).isNotZero();
    Path broken = dir.resolve("broken.yml");
    Files.writeString(broken, yml.formatted(Broken.class.getName()));
    results.add(
        expect(
            TributaryCli.DEFINITION_ERROR,
            CliProcess.run(dir, TIMEOUT, "validate", broken.toString())));
    Path unreadable = dir.resolve("unreadable.yml");
    Files.writeString(
        unreadable,
        yml.formatted(Orders.class.getName())
            .replace(
                "  warehouse.Password: " + secrets.get("configuration.password"),
                "  warehouse.Password: " + secrets.get("configuration.password") + ": [unclosed"));
    results.add(
        expect(
            TributaryCli.DEFINITION_ERROR,
            CliProcess.run(dir, TIMEOUT, "validate", unreadable.toString())));
    results.add(
        expect(
            TributaryCli.DEFINITION_ERROR,
            CliProcess.run(dir, TIMEOUT, "start", unreadable.toString())));

    results.forEach(r -> System.out.println(r + "\n"));
    Path logFile = CliProcess.logDir(dir).resolve("tributary.log");
    assertThat(logFile).as("the log file, with Flink's logging in it").isRegularFile();
    assertThat(Files.readString(logFile)).contains("org.apache.flink");
    List<Path> searched = new ArrayList<>();
    List<String> leaks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (file.getFileName().toString().endsWith(".yml")) {
          continue; // the pipeline files themselves
        }
        searched.add(file);
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        secrets.forEach(
            (place, secret) -> {
              int at = text.indexOf(secret);
              if (at >= 0) {
                leaks.add(
                    "the "
                        + place
                        + " secret in "
                        + dir.relativize(file)
                        + ": …"
                        + text.substring(
                            Math.max(0, at - 200),
                            Math.min(text.length(), at + secret.length() + 40))
                        + "…");
              }
            });
      }
    }
    assertThat(leaks).as("secrets found").isEmpty();
    assertThat(searched)
        .as("outputs, log file, tables, savepoints, event log")
        .anyMatch(f -> f.toString().endsWith("stdout"))
        .anyMatch(f -> f.equals(logFile))
        .anyMatch(f -> f.toString().contains("/storage/tables/orders/"))
        .anyMatch(f -> f.toString().contains("/storage/_tributary/state/"))
        .anyMatch(f -> f.toString().contains("/storage/_tributary/event_log/"));
    assertThat(results).hasSize(9);
  }

  private static CliProcess.Result expect(int code, CliProcess.Result result) {
    assertThat(result.code()).as(result.toString()).isEqualTo(code);
    return result;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
