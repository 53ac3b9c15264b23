package io.tributary.runtime.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.dsl.AutoLoader;
import org.junit.jupiter.api.Test;

class AutoLoaderOptionsTest {

  @Test
  void defaultsFollowAutoLoader() {
    AutoLoaderOptions options = AutoLoaderOptions.of(AutoLoader.csv("/in"));

    assertThat(options).isEqualTo(new AutoLoaderOptions(AutoLoader.Format.CSV, "/in", false, ',', '"', '\\', false,
        true, "", true, false, 1000, 50L * 1024 * 1024, SchemaEvolutionMode.ADD_NEW_COLUMNS, "", ""));
  }

  @Test
  void sepIsAnAliasOfDelimiterAndModeIsCaseInsensitive() {
    AutoLoaderOptions options = AutoLoaderOptions.of(AutoLoader.csv("/in").option("sep", "|").option("mode", "failFast"));

    assertThat(options.delimiter()).isEqualTo('|');
    assertThat(options.failFast()).isTrue();
  }

  @Test
  void badValuesNameTheOptionAndWhatItTakes() {
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("delimiter", ";;")))
        .hasMessage("Auto Loader source on '/in': option 'delimiter' is ';;' but must be exactly one character. "
            + "Fix the value passed to option(\"delimiter\", ...).");
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("header", "yes")))
        .hasMessage("Auto Loader source on '/in': option 'header' is 'yes' but must be true or false. "
            + "Fix the value passed to option(\"header\", ...).");
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("mode", "DROPMALFORMED")))
        .hasMessageContaining("option 'mode' is 'DROPMALFORMED' but must be PERMISSIVE or FAILFAST");
    assertThatThrownBy(() -> AutoLoaderOptions.of(AutoLoader.csv("/in").option("schemaInference.sampleSize.numFiles", "0")))
        .hasMessageContaining("must be a positive whole number");
  }
}
