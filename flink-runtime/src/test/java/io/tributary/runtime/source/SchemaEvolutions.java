package io.tributary.runtime.source;

import java.util.List;

/** Makes the failure an Auto Loader source stops its job with when it stored new columns, for engine tests. */
public final class SchemaEvolutions {

  private SchemaEvolutions() {}

  public static SchemaEvolvedException evolved(
      String sourceId, String file, List<String> columns, String schemaLocation) {
    return AutoLoaderErrors.schemaEvolved(sourceId, file, 1, columns, schemaLocation);
  }
}
