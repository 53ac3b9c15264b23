package io.tributary.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.runtime.engine.EmbeddedCluster;
import io.tributary.runtime.testing.TributaryClusterExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension the ITCases share: one cluster for the class, fresh folders per test, removed after it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TributaryClusterExtensionITCase {

  @RegisterExtension static final TributaryClusterExtension FLINK = new TributaryClusterExtension();

  private static EmbeddedCluster firstCluster;
  private static Path firstStorage;

  @Test
  @Order(1)
  void storageIsANewEmptyFolderMadeOncePerName() throws Exception {
    firstCluster = FLINK.cluster();
    firstStorage = FLINK.storage("storage");
    Files.writeString(firstStorage.resolve("file.txt"), "x");
    Path input = FLINK.storage("input/orders");

    assertThat(firstStorage).isDirectory();
    assertThat(input).isDirectory().isEmptyDirectory();
    assertThat(input.getParent().getParent()).isEqualTo(firstStorage.getParent());
    assertThatThrownBy(() -> FLINK.storage("storage"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("storage(\"storage\") was already made in this test; use the path it returned");
    assertThatThrownBy(() -> FLINK.storage("../elsewhere"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("storage name must be a relative folder name, was \"../elsewhere\"");
  }

  @Test
  @Order(2)
  void theClusterIsSharedByTheClassAndEachTestGetsItsOwnFolders() {
    assertThat(FLINK.cluster()).isSameAs(firstCluster);
    assertThat(firstStorage).as("deleted after its test").doesNotExist();
    assertThat(firstStorage.getParent()).doesNotExist();
    Path storage = FLINK.storage("storage");
    assertThat(storage).isEmptyDirectory().isNotEqualTo(firstStorage);
  }
}
