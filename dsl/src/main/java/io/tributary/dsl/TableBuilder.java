package io.tributary.dsl;

/** A materialized table being declared; see {@link Pipeline#table}. */
public final class TableBuilder extends PersistedDatasetBuilder<TableBuilder> {

  TableBuilder(Pipeline pipeline, int index) {
    super(pipeline, index);
  }
}
