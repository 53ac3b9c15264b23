package io.tributary.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one rule for secret settings, and how their values are shown. */
class SecretsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db.password",
        "warehouse.Password",
        "API_SECRET",
        "crm.auth.token",
        "fs.s3a.access.key",
        "fs.s3a.secret.key",
        "fs.s3a.session.token",
        "fs.s3a.bucket.logs.access.key",
        "fs.s3a.encryption.key",
        "flink.hadoop.fs.s3a.access.key",
        "fs.s3.awsAccessKeyId",
        "s3.access-key",
        "s3.secret-key",
        "fs.azure.account.key.acct.dfs.core.windows.net",
        "fs.azure.sas.token",
        "sasl.jaas.config",
        "metrics.reporter.x.apikey",
        "gateway.basic-auth",
        "fs.gs.auth.service.account.private.key"
      })
  void theseAreSecrets(String key) {
    assertThat(Secrets.isSecret(key)).isTrue();
    assertThat(Secrets.shown(key, "hunter2")).isEqualTo("******");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "source.orders",
        "fs.s3a.endpoint",
        "fs.s3a.path.style.access",
        "pipelines.trigger.interval",
        "parallelism",
        "monkey.count",
        "keys",
        "fs.defaultFS"
      })
  void theseAreNot(String key) {
    assertThat(Secrets.isSecret(key)).isFalse();
    assertThat(Secrets.shown(key, "/data/orders")).isEqualTo("/data/orders");
  }

  @Test
  void settingsAreShownSortedWithSecretsHiddenAndTextQuotingASecretIsRedacted() {
    Map<String, String> settings =
        Map.of("source", "/data", "db.password", "hunter22", "api.token", "");

    assertThat(Secrets.shown(settings))
        .containsExactly(
            Map.entry("api.token", ""),
            Map.entry("db.password", "******"),
            Map.entry("source", "/data"));
    assertThat(Secrets.redact("login failed for hunter22 at /data", settings))
        .isEqualTo("login failed for ****** at /data");
  }
}
