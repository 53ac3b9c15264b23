package io.tributary.runtime.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tributary.dsl.Secrets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * What an update may write of a text made elsewhere (a Flink, Hadoop or user function's error, a
 * message quoting one): the text with the value of each of the pipeline's secret settings shown as
 * {@value Secrets#REDACTED}, by {@link Secrets#redact}. The update record and the event log write
 * every message through one, so an error quoting a password is stored, and shown by {@code tributary
 * status} and {@code events}, without it.
 *
 * <pre>{@code
 * Redaction redaction = Redaction.of(hadoop, flinkOptions, configuration);
 * redaction.text("For input string: 'hunter22'");   // "For input string: '******'"
 * }</pre>
 */
public final class Redaction {

  /** Redacts nothing: for a pipeline without settings. */
  public static final Redaction NONE = new Redaction(Map.of());

  private final Map<String, String> settings;

  private Redaction(Map<String, String> settings) {
    this.settings = Map.copyOf(settings);
  }

  /**
   * Redacts the secrets among {@code settings} (all of a pipeline's: {@code hadoop:}, {@code flink:
   * options}, {@code configuration} with its {@code --conf}); a later map's value wins for a key.
   */
  @SafeVarargs
  public static Redaction of(Map<String, String>... settings) {
    Map<String, String> all = new HashMap<>();
    for (Map<String, String> some : settings) {
      some.forEach(
          (key, value) -> {
            if (key != null && value != null) {
              all.put(key, value);
            }
          });
    }
    return new Redaction(all);
  }

  /** {@code text} without a secret's value. */
  public String text(String text) {
    return Secrets.redact(text, settings);
  }

  /** {@code text}, if there is one, without a secret's value. */
  public Optional<String> text(Optional<String> text) {
    return text.map(this::text);
  }

  /** A copy of {@code json} whose every text value is without a secret's value. */
  public ObjectNode json(ObjectNode json) {
    ObjectNode copy = json.deepCopy();
    redactIn(copy);
    return copy;
  }

  private void redactIn(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isTextual()) {
          field.setValue(TextNode.valueOf(text(field.getValue().asText())));
        } else {
          redactIn(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isTextual()) {
          array.set(i, TextNode.valueOf(text(array.get(i).asText())));
        } else {
          redactIn(array.get(i));
        }
      }
    }
  }
}
