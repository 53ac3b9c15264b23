package io.tributary.dsl;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The one rule that says which settings are secrets, and how a secret is shown: as
 * {@value #REDACTED}. Every place that prints, logs or stores a setting's value (the plan's
 * {@code describe()}, {@code PipelineConfig}'s text, the CLI, error messages) asks it.
 *
 * <p>A key is secret when, ignoring case, it contains {@code secret}, {@code password} or
 * {@code token} or {@code private key} ({@code private.key}, {@code private-key}), or one of the words Flink hides in its own logged configuration
 * ({@code GlobalConfiguration.isSensitive}: {@code apikey}, {@code api-key}, {@code auth-params},
 * {@code service-key}, {@code basic-auth}, {@code jaas.config}, {@code http-headers},
 * {@code fs.azure.account.key}), or is an S3 key setting: {@code fs.s3a.*key*} (access, secret,
 * session and encryption keys; also under Flink's {@code flink.hadoop.} prefix) and Flink's
 * {@code s3.*key*}.
 *
 * <pre>{@code
 * Secrets.isSecret("fs.s3a.access.key");             // true
 * Secrets.shown("db.password", "hunter2");           // "******"
 * Secrets.shown("source.orders", "/data/orders");    // "/data/orders"
 * }</pre>
 */
public final class Secrets {

  /** What a secret value is shown as: Flink's own mark for hidden values. */
  public static final String REDACTED = "******";

  private static final Pattern SECRET =
      Pattern.compile(
          "secret|password|token|private[._-]?key|apikey|api-key|auth-params|service-key|basic-auth|jaas\\.config"
              + "|http-headers"
              + "|fs\\.azure\\.account\\.key|(^|\\.)fs\\.s3a?\\..*key|^s3\\..*key",
          Pattern.CASE_INSENSITIVE);

  private Secrets() {}

  /** Whether the value of the setting {@code key} is a secret. */
  public static boolean isSecret(String key) {
    return key != null && SECRET.matcher(key.toLowerCase(Locale.ROOT)).find();
  }

  /** {@code value} as it may be shown for the setting {@code key}: {@value #REDACTED} for a secret. */
  public static String shown(String key, String value) {
    return isSecret(key) && value != null && !value.isEmpty() ? REDACTED : value;
  }

  /** {@code settings} as they may be shown, sorted by key: each secret's value {@value #REDACTED}. */
  public static Map<String, String> shown(Map<String, String> settings) {
    Map<String, String> shown = new TreeMap<>();
    settings.forEach((key, value) -> shown.put(key, shown(key, value)));
    return shown;
  }

  /**
   * {@code text} with every value of a secret in {@code settings} replaced by {@value #REDACTED}: for
   * text made elsewhere (a parser's message quoting the file, a library's error) that may quote one.
   * Values shorter than four characters are left alone (they would match ordinary text, and are not
   * credentials).
   */
  public static String redact(String text, Map<String, String> settings) {
    if (text == null) {
      return null;
    }
    String redacted = text;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (isSecret(e.getKey()) && e.getValue() != null && e.getValue().length() >= 4) {
        redacted = redacted.replace(e.getValue(), REDACTED);
      }
    }
    return redacted;
  }
}
