package io.tributary.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.tables.PipelineTables;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage's own guard behind the plan's validation: a name that reaches it another way (the
 * public tables API, a caller's bug) never makes a path outside its folder.
 */
class StorageNamesTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "../x", "a/b", "a\\b", "/etc", "C:x", "a\u0000b", "a\nb"})
  void everyPathOfANameRefusesOneThatIsNotASingleFolderName(String name) {
    PipelineStorage storage = PipelineStorage.at(dir.toString(), HadoopSettings.none());

    for (Runnable use :
        new Runnable[] {
          () -> storage.tablePath(name),
          () -> storage.schemaLocation(name),
          () -> storage.savepointDir(name),
          () -> storage.checkpointDir(name),
          () -> storage.generation(name),
          () -> storage.stateOwner(name),
          () -> storage.clearState(name),
          () -> storage.onceRecord(name),
          () -> storage.resetDataset(name)
        }) {
      assertThatThrownBy(use::run)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith(
              "' cannot name a folder under the pipeline's storage: names of datasets, flows and"
                  + " jobs are identifiers (letters, digits and underscores).");
    }
  }

  @Test
  void theTablesApiCannotReadATableOutsideTheStorage() throws Exception {
    Files.createDirectories(dir.resolve("outside/_delta_log"));
    PipelineTables tables = PipelineTables.open(dir.resolve("storage").toString());

    assertThatThrownBy(() -> tables.table("../../outside"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'../../outside' cannot name a folder under the pipeline's storage: names of datasets, flows"
                + " and jobs are identifiers (letters, digits and underscores).");
    assertThat(PipelineStorage.segment("orders_2024")).isEqualTo("orders_2024");
  }
}
