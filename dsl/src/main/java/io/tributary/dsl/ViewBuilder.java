package io.tributary.dsl;

/** A view being declared; see {@link Pipeline#view}. */
public final class ViewBuilder extends DatasetBuilder<ViewBuilder> {

  ViewBuilder(Pipeline pipeline, int index) {
    super(pipeline, index);
  }
}
