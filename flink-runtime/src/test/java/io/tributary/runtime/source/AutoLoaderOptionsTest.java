package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import org.junit.jupiter.api.Test;

class AutoLoaderOptionsTest {

  @Test
  void defaultsFollowAutoLoader() {
    AutoLoaderOptions options = AutoLoaderOptions.of(AutoLoader.csv("/in"));

    assertThat(options)
        .isEqualTo(
            new AutoLoaderOptions(
                AutoLoader.Format.CSV,
                "/in",
                false,
                ',',
                '"',
                '\\',
                ParseMode.PERMISSIVE,
                "_rescued_data",
                "",
                true,
                false,
                1000,
                50L * 1024 * 1024,
                SchemaEvolutionMode.ADD_NEW_COLUMNS,
                "",
                ""));
  }

  @Test
  void sepIsAnAliasOfDelimiterAndModeIsCaseInsensitive() {
    AutoLoaderOptions options =
        AutoLoaderOptions.of(AutoLoader.csv("/in").option("sep", "|").option("mode", "failFast"));

    assertThat(options.delimiter()).isEqualTo('|');
    assertThat(options.failFast()).isTrue();
  }

  @Test
  void rescuedDataColumnTakesANameAndADeclaredSchemaHasNoneByDefault() {
    assertThat(AutoLoaderOptions.of(AutoLoader.json("/in")).rescuedDataColumn())
        .isEqualTo("_rescued_data");
    assertThat(AutoLoaderOptions.of(AutoLoader.json("/in").schema("a STRING")).rescuedDataColumn())
        .isEmpty();
    assertThat(
            AutoLoaderOptions.of(
                    AutoLoader.json("/in")
                        .schema("a STRING")
                        .option("cloudFiles.rescuedDataColumn", "bad_rows"))
                .rescuedDataColumn())
        .isEqualTo("bad_rows");
    assertThat(
            AutoLoaderOptions.of(AutoLoader.json("/in").option("rescuedDataColumn", "bad_rows"))
                .rescuedDataColumn())
        .isEqualTo("bad_rows");
    // the values this option took before it took a name
    assertThat(
            AutoLoaderOptions.of(
                    AutoLoader.json("/in").schema("a STRING").option("rescuedDataColumn", "true"))
                .rescuedDataColumn())
        .isEqualTo("_rescued_data");
    assertThat(
            AutoLoaderOptions.of(
                    AutoLoader.json("/in").schema("a STRING").option("rescuedDataColumn", "false"))
                .rescuedDataColumn())
        .isEmpty();
    assertThat(
            AutoLoaderOptions.of(AutoLoader.json("/in").option("mode", "dropMalformed"))
                .dropMalformed())
        .isTrue();
  }

  @Test
  void badValuesNameTheOptionAndWhatItTakes() {
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("delimiter", ";;")))
        .hasMessage(
            "Auto Loader source on '/in': option 'delimiter' is ';;' but must be exactly one character. "
                + "Fix the value passed to option(\"delimiter\", ...).");
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("header", "yes")))
        .hasMessage(
            "Auto Loader source on '/in': option 'header' is 'yes' but must be true or false. "
                + "Fix the value passed to option(\"header\", ...).");
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("mode", "DROP")))
        .hasMessageContaining(
            "option 'mode' is 'DROP' but must be PERMISSIVE, DROPMALFORMED or FAILFAST");
    assertThatThrownBy(
            () -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("rescuedDataColumn", " ")))
        .hasMessage(
            "Auto Loader source on '/in': option 'rescuedDataColumn' is ' ' but must be the name of the "
                + "column that keeps what does not fit the schema (not blank, no back-quote, not a metadata column), "
                + "such as _rescued_data. Fix the value passed to option(\"rescuedDataColumn\", ...).");
    assertThatThrownBy(
            () ->
                AutoLoaderOptions.of(
                    AutoLoader.csv("/in").option("schemaInference.sampleSize.numFiles", "0")))
        .hasMessageContaining("must be a positive whole number");
  }
}
