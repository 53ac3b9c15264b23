package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The saved state survives a source that gained nullable columns (Auto Loader's addNewColumns), and
 * is still refused for changes that make it unusable: a key, a source, a dropped or retyped column.
 */
class StateFingerprintTest {

  private static StateFingerprint of(String silverKeys, String bronzeSchema, String silverSchema) {
    return StateFingerprint.ofLines(
        List.of(
            "bronze [AutoLoader json /in]",
            "bronze reads []",
            "bronze drop duplicates []",
            "bronze schema " + bronzeSchema,
            "silver [bronze]",
            "silver reads [stream bronze]",
            "silver drop duplicates " + silverKeys,
            "silver schema " + silverSchema));
  }

  private static final String V1 =
      "ROW<`id` VARCHAR(2147483647), `name` VARCHAR(2147483647), "
          + "`_rescued_data` VARCHAR(2147483647)> NOT NULL";
  private static final String V2 =
      "ROW<`id` VARCHAR(2147483647), `name` VARCHAR(2147483647), "
          + "`city` VARCHAR(2147483647), `_rescued_data` VARCHAR(2147483647), `score` DOUBLE> NOT NULL";

  @Test
  void nullableColumnsAddedToSourceAndDerivedSchemasAreNoDifference() {
    StateFingerprint saved = of("[id]", V1, V1);
    assertThat(of("[id]", V2, V2).differenceFrom(saved)).isEmpty();
    assertThat(StateFingerprint.parse(saved.text()).lines()).isEqualTo(saved.lines());
  }

  @Test
  void keysSourcesAndOtherSchemaChangesAreStillDifferences() {
    StateFingerprint saved = of("[id]", V1, V1);
    assertThat(of("[name]", V2, V2).differenceFrom(saved))
        .contains("was \"silver drop duplicates [id]\", now \"silver drop duplicates [name]\"");
    String dropped = "ROW<`id` VARCHAR(2147483647), `_rescued_data` VARCHAR(2147483647)> NOT NULL";
    assertThat(of("[id]", dropped, V1).differenceFrom(saved))
        .contains("was \"bronze schema " + V1 + "\", now \"bronze schema " + dropped + "\"");
    String retyped = V1.replace("`name` VARCHAR(2147483647)", "`name` BIGINT");
    assertThat(of("[id]", retyped, V1).differenceFrom(saved)).isPresent();
    String required =
        V1.replace(
            "`name` VARCHAR(2147483647), ", "`name` VARCHAR(2147483647), `tier` INT NOT NULL, ");
    assertThat(of("[id]", required, V1).differenceFrom(saved)).isPresent();
    String reordered =
        "ROW<`name` VARCHAR(2147483647), `id` VARCHAR(2147483647), "
            + "`_rescued_data` VARCHAR(2147483647)> NOT NULL";
    assertThat(of("[id]", reordered, V1).differenceFrom(saved)).isPresent();

    StateFingerprint anotherSource =
        StateFingerprint.ofLines(List.of("bronze [AutoLoader json /other]"));
    assertThat(
            anotherSource.differenceFrom(
                StateFingerprint.ofLines(List.of("bronze [AutoLoader json /in]"))))
        .contains("was \"bronze [AutoLoader json /in]\", now \"bronze [AutoLoader json /other]\"");
    StateFingerprint withMore =
        StateFingerprint.ofLines(List.of("bronze schema " + V1, "orders schema " + V1));
    assertThat(withMore.differenceFrom(StateFingerprint.ofLines(List.of("bronze schema " + V1))))
        .contains("was \"(nothing)\", now \"orders schema " + V1 + "\"");
  }

  /** A fingerprint file as the versions before typed entries wrote it (one line per entry). */
  private static final String OLD_FORMAT =
      """
      customers [from AutoLoader json /in/customers]
      customers reads []
      customers drop duplicates []
      customers apply changes keys [id] sequence by ts scd type 2
      customers schema ROW<`id` VARCHAR(2147483647), `ts` BIGINT> NOT NULL
      silver [SELECT id, 'schema v1' AS note FROM STREAM(bronze)]
      silver reads [STREAM(bronze)]
      silver drop duplicates [id]
      silver schema ROW<`id` VARCHAR(2147483647), `note` CHAR(9) NOT NULL> NOT NULL
      flow from_eu into all_events [from AutoLoader json /from_eu] reads [] schema ROW<`id` VARCHAR(2147483647)> NOT NULL
      """;

  @Test
  void aFingerprintInTheOldTextFormatParsesIntoTypedEntriesAndIsWrittenBackTheSame() {
    StateFingerprint old = StateFingerprint.parse(OLD_FORMAT);

    assertThat(old.entries())
        .containsExactly(
            new StateFingerprint.DatasetEntry(
                "customers",
                StateFingerprint.Aspect.QUERIES,
                "[from AutoLoader json /in/customers]"),
            new StateFingerprint.DatasetEntry("customers", StateFingerprint.Aspect.READS, "[]"),
            new StateFingerprint.DatasetEntry(
                "customers", StateFingerprint.Aspect.DROP_DUPLICATES, "[]"),
            new StateFingerprint.DatasetEntry(
                "customers",
                StateFingerprint.Aspect.APPLY_CHANGES,
                "[id] sequence by ts scd type 2"),
            new StateFingerprint.DatasetEntry(
                "customers",
                StateFingerprint.Aspect.SCHEMA,
                "ROW<`id` VARCHAR(2147483647), `ts` BIGINT> NOT NULL"),
            new StateFingerprint.DatasetEntry(
                "silver",
                StateFingerprint.Aspect.QUERIES,
                "[SELECT id, 'schema v1' AS note FROM STREAM(bronze)]"),
            new StateFingerprint.DatasetEntry(
                "silver", StateFingerprint.Aspect.READS, "[STREAM(bronze)]"),
            new StateFingerprint.DatasetEntry(
                "silver", StateFingerprint.Aspect.DROP_DUPLICATES, "[id]"),
            new StateFingerprint.DatasetEntry(
                "silver",
                StateFingerprint.Aspect.SCHEMA,
                "ROW<`id` VARCHAR(2147483647), `note` CHAR(9) NOT NULL> NOT NULL"),
            new StateFingerprint.FlowEntry(
                "from_eu",
                "into all_events [from AutoLoader json /from_eu] reads []",
                "ROW<`id` VARCHAR(2147483647)> NOT NULL"));
    assertThat(old.text()).isEqualTo(OLD_FORMAT);
    assertThat(old.differenceFrom(StateFingerprint.parse(OLD_FORMAT))).isEmpty();
    // a flow's row type that gained a nullable column is no difference; a new key still is
    StateFingerprint evolved =
        StateFingerprint.parse(
            OLD_FORMAT.replace(
                "schema ROW<`id` VARCHAR(2147483647)> NOT NULL",
                "schema ROW<`id` VARCHAR(2147483647), `city` VARCHAR(2147483647)> NOT NULL"));
    assertThat(evolved.differenceFrom(old)).isEmpty();
    StateFingerprint rekeyed =
        StateFingerprint.parse(
            OLD_FORMAT.replace("silver drop duplicates [id]", "silver drop duplicates [note]"));
    assertThat(rekeyed.differenceFrom(old))
        .contains("was \"silver drop duplicates [id]\", now \"silver drop duplicates [note]\"");
  }

  /**
   * An incremental table's aggregation plan is one line of its fingerprint: none for the plain
   * GroupAggregate (as in earlier versions, so their fingerprints still match), one naming mini-batches
   * (the default, unless the pipeline turns them off); a change of it alone is reported as such, with any other change it is left to
   * {@link StateFingerprint#differenceFrom}.
   */
  @Test
  void theAggregationPlanOfAnIncrementalTableIsItsOwnDifference() {
    // mini-batches are the default: a job without the pipeline's say-so has the mini-batch plan
    assertThat(io.tributary.runtime.translate.IncrementalAggregation.stateShape(java.util.Map.of()))
        .contains("mini-batch, AUTO phase");
    assertThat(
            io.tributary.runtime.translate.IncrementalAggregation.stateShape(
                java.util.Map.of("table.exec.mini-batch.enabled", "true")))
        .contains("mini-batch, AUTO phase");
    assertThat(
            io.tributary.runtime.translate.IncrementalAggregation.stateShape(
                java.util.Map.of("table.exec.mini-batch.enabled", "false")))
        .isEmpty();
    assertThat(
            io.tributary.runtime.translate.IncrementalAggregation.stateShape(
                java.util.Map.of(
                    "table.exec.mini-batch.enabled",
                    "false",
                    "table.optimizer.distinct-agg.split.enabled",
                    "true")))
        .contains("no mini-batch, AUTO phase, distinct split into 1024 buckets");
    StateFingerprint plain = StateFingerprint.ofLines(List.of("gold [sql]", "gold schema " + V1));
    StateFingerprint batched =
        StateFingerprint.ofLines(
            List.of("gold [sql]", "gold schema " + V1, "gold aggregation mini-batch, AUTO phase"));
    assertThat(StateFingerprint.parse(batched.text()).lines()).isEqualTo(batched.lines());

    assertThat(batched.aggregationDifferenceFrom(plain))
        .contains("was plain group aggregate, now mini-batch, AUTO phase");
    assertThat(plain.aggregationDifferenceFrom(batched))
        .contains("was mini-batch, AUTO phase, now plain group aggregate");
    assertThat(batched.differenceFrom(plain))
        .contains("was \"(nothing)\", now \"gold aggregation mini-batch, AUTO phase\"");
    assertThat(batched.aggregationDifferenceFrom(batched)).isEmpty();
    StateFingerprint otherQuery =
        StateFingerprint.ofLines(
            List.of(
                "gold [other sql]",
                "gold schema " + V1,
                "gold aggregation mini-batch, AUTO phase"));
    assertThat(otherQuery.aggregationDifferenceFrom(plain)).isEmpty();
    assertThat(otherQuery.differenceFrom(plain)).isPresent();
  }

  @Test
  void aSecretAQueryQuotesIsNeverStoredAndAFingerprintStoredWithItStillMatches() {
    java.util.Map<String, String> settings =
        java.util.Map.of("db.password", "Pl4nted-S3cret", "source", "/in");
    StateFingerprint quoting =
        StateFingerprint.ofLines(
            List.of(
                "orders [sql SELECT CONCAT(amount, 'Pl4nted-S3cret') FROM STREAM(raw)]",
                "orders reads [stream raw]",
                "orders schema " + V1));

    StateFingerprint stored = quoting.redacted(settings);
    assertThat(stored.text())
        .doesNotContain("Pl4nted-S3cret")
        .contains("orders [sql SELECT CONCAT(amount, '******') FROM STREAM(raw)]")
        .contains("orders reads [stream raw]");
    // a fingerprint an earlier build stored with the secret in it is the same once redacted
    assertThat(stored.differenceFrom(StateFingerprint.parse(quoting.text()).redacted(settings)))
        .isEmpty();
    // with no secret in it, a fingerprint is left as it is
    StateFingerprint plain = of("[id]", V1, V1);
    assertThat(plain.redacted(settings)).isSameAs(plain);
  }
}
