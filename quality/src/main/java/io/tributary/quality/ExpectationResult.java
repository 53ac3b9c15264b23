package io.tributary.quality;

import java.util.Objects;

/**
 * One expectation's counts, in the shape of a Delta Live Tables event log entry
 * ({@code flow_progress.details.data_quality.expectations[]}: name, dataset, passed_records,
 * failed_records).
 */
public record ExpectationResult(
    String name, String dataset, long passedRecords, long failedRecords) {

  public ExpectationResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataset, "dataset");
  }
}
