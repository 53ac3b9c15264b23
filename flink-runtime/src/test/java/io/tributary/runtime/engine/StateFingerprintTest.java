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
    return new StateFingerprint(List.of(
        "bronze [AutoLoader json /in]",
        "bronze reads []",
        "bronze drop duplicates []",
        "bronze schema " + bronzeSchema,
        "silver [bronze]",
        "silver reads [stream bronze]",
        "silver drop duplicates " + silverKeys,
        "silver schema " + silverSchema));
  }

  private static final String V1 = "ROW<`id` VARCHAR(2147483647), `name` VARCHAR(2147483647), "
      + "`_rescued_data` VARCHAR(2147483647)> NOT NULL";
  private static final String V2 = "ROW<`id` VARCHAR(2147483647), `name` VARCHAR(2147483647), "
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
    assertThat(of("[name]", V2, V2).differenceFrom(saved)).contains(
        "was \"silver drop duplicates [id]\", now \"silver drop duplicates [name]\"");
    String dropped = "ROW<`id` VARCHAR(2147483647), `_rescued_data` VARCHAR(2147483647)> NOT NULL";
    assertThat(of("[id]", dropped, V1).differenceFrom(saved)).contains(
        "was \"bronze schema " + V1 + "\", now \"bronze schema " + dropped + "\"");
    String retyped = V1.replace("`name` VARCHAR(2147483647)", "`name` BIGINT");
    assertThat(of("[id]", retyped, V1).differenceFrom(saved)).isPresent();
    String required = V1.replace("`name` VARCHAR(2147483647), ", "`name` VARCHAR(2147483647), `tier` INT NOT NULL, ");
    assertThat(of("[id]", required, V1).differenceFrom(saved)).isPresent();
    String reordered = "ROW<`name` VARCHAR(2147483647), `id` VARCHAR(2147483647), "
        + "`_rescued_data` VARCHAR(2147483647)> NOT NULL";
    assertThat(of("[id]", reordered, V1).differenceFrom(saved)).isPresent();

    StateFingerprint anotherSource = new StateFingerprint(List.of("bronze [AutoLoader json /other]"));
    assertThat(anotherSource.differenceFrom(new StateFingerprint(List.of("bronze [AutoLoader json /in]"))))
        .contains("was \"bronze [AutoLoader json /in]\", now \"bronze [AutoLoader json /other]\"");
    StateFingerprint withMore = new StateFingerprint(List.of("bronze schema " + V1, "orders schema " + V1));
    assertThat(withMore.differenceFrom(new StateFingerprint(List.of("bronze schema " + V1))))
        .contains("was \"(nothing)\", now \"orders schema " + V1 + "\"");
  }
}
