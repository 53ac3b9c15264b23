package io.tributary.dsl;

/**
 * A pipeline written in Java: the class named under {@code libraries} in {@code pipeline.yml}.
 *
 * <p>{@link #define} declares datasets on the given {@link Pipeline}; it runs once per validation or
 * update and must not read data or have side effects.
 *
 * <pre>{@code
 * public final class OrdersPipeline implements PipelineDefinition {
 *   public void define(Pipeline p) {
 *     p.streamingTable("bronze_orders").from(AutoLoader.json(p.conf("source.orders", "/data/orders")));
 *     p.streamingTable("silver_orders").from("bronze_orders")
 *         .expectOrDrop("valid_order_id", "order_id IS NOT NULL");
 *   }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PipelineDefinition {

  /** Declares the pipeline's datasets and flows on {@code p}. */
  void define(Pipeline p);
}
