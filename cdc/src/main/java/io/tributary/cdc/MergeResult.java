package io.tributary.cdc;

import java.util.List;

/**
 * What merging a batch of changes into one key's state gives: the key's new state ({@code null} when
 * the key keeps none) and the changes of target rows, as rows with their {@link
 * org.apache.flink.types.RowKind}: INSERT or UPDATE_AFTER to upsert a target row by its key, DELETE to
 * remove it. Only rows that differ after the batch are listed, each once, with its final value.
 */
public record MergeResult<S>(S state, List<org.apache.flink.table.data.RowData> changes) {

  public MergeResult {
    changes = List.copyOf(changes);
  }
}
