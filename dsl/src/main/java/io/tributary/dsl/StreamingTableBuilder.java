package io.tributary.dsl;

/** A streaming table being declared; see {@link Pipeline#streamingTable}. */
public final class StreamingTableBuilder extends PersistedDatasetBuilder<StreamingTableBuilder> {

  StreamingTableBuilder(Pipeline pipeline, int index) {
    super(pipeline, index);
  }
}
