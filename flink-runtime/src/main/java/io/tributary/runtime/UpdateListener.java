package io.tributary.runtime;

/** Hears an update's progress as it happens: the CLI prints it, a service may record it. */
@FunctionalInterface
public interface UpdateListener {

  /** {@code dataset}'s flow reached {@code state}; {@code detail} says more, or is empty. */
  void onFlow(String dataset, FlowState state, String detail);

  /** Hears nothing. */
  UpdateListener NONE = (dataset, state, detail) -> {};
}
