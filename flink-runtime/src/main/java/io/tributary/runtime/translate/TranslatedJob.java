package io.tributary.runtime.translate;

import java.util.List;
import java.util.Objects;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A planned job made into a Flink graph, with the ids of the sources the runner waits for before it
 * stops a STREAMING job with a savepoint.
 */
public record TranslatedJob(PlannedJob job, StreamGraph graph, List<String> caughtUpIds) {

  public TranslatedJob {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(graph, "graph");
    caughtUpIds = List.copyOf(caughtUpIds);
  }
}
