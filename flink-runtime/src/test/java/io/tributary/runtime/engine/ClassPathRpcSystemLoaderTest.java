package io.tributary.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.junit.jupiter.api.Test;

/**
 * Where Flink's RPC system is not on the class path as a jar of its own (here, as in every application
 * that embeds Tributary as a library), the loader steps aside and Flink's own loader runs. That it is
 * taken from the class path where the jar is, {@code bin/tributary}'s, is checked by the launcher's
 * {@code LauncherClassDataIT}.
 */
class ClassPathRpcSystemLoaderTest {

  @Test
  void withoutTheRpcJarOnTheClassPathFlinksOwnLoaderRunsAsBefore() throws Exception {
    ClassPathRpcSystemLoader loader = new ClassPathRpcSystemLoader();
    assertThat(loader.getLoadPriority()).as("before Flink's own loader (0)").isNegative();
    assertThatThrownBy(() -> loader.loadRpcSystem(new Configuration()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("flink-rpc-akka.jar");

    // registered, so Flink asks it first, and goes on to its own loader when it steps aside
    assertThat(ServiceLoader.load(RpcSystemLoader.class).stream().map(p -> p.type().getName()))
        .contains(ClassPathRpcSystemLoader.class.getName());
    try (RpcSystem rpc = RpcSystem.load()) {
      assertThat(rpc).isNotNull();
    }
  }
}
