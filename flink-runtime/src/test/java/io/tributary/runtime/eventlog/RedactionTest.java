package io.tributary.runtime.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedactionTest {

  private final Redaction redaction =
      Redaction.of(
          Map.of("fs.s3a.secret.key", "s3-\"quoted\"-key", "fs.defaultFS", "file:///"),
          Map.of("metrics.reporter.prom.password", "flink-pass"),
          Map.of("db.password", "hunter22", "source", "/data/orders"));

  @Test
  void everySecretSettingsValueIsHiddenInTextAndOnlyThose() {
    assertThat(
            redaction.text(
                "cannot read /data/orders as hunter22 with flink-pass and s3-\"quoted\"-key"))
        .isEqualTo("cannot read /data/orders as ****** with ****** and ******");
    assertThat(redaction.text(Optional.of("login hunter22 refused")))
        .contains("login ****** refused");
    assertThat(redaction.text(Optional.empty())).isEmpty();
    assertThat(Redaction.NONE.text("hunter22")).isEqualTo("hunter22");
  }

  @Test
  void aSecretInDetailsIsHiddenAtAnyDepthWhateverItsJsonEscapingAndTheOriginalIsKept()
      throws Exception {
    ObjectNode details =
        (ObjectNode)
            new ObjectMapper()
                .readTree(
                    "{\"flow_progress\": {\"status\": \"FAILED\", \"rows\": 3,"
                        + " \"causes\": [\"key s3-\\\"quoted\\\"-key\", {\"why\": \"hunter22!\"}]}}");

    ObjectNode redacted = redaction.json(details);

    assertThat(redacted.toString())
        .isEqualTo(
            "{\"flow_progress\":{\"status\":\"FAILED\",\"rows\":3,"
                + "\"causes\":[\"key ******\",{\"why\":\"******!\"}]}}");
    assertThat(details.toString()).contains("hunter22");
  }
}
