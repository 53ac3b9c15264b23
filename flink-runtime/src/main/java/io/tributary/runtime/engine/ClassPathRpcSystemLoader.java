package io.tributary.runtime.engine;

import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;

/**
 * Loads Flink's RPC system from the application class path when its jar is there, before Flink's own
 * loader would extract it.
 *
 * <p>Flink ships its RPC system (Pekko, with its Scala) as a jar inside {@code flink-rpc-akka-loader},
 * whose loader writes it to a temporary file in every JVM and loads its 1,465 classes through a class
 * loader of its own: none of them can come from a class-data archive. {@code bin/tributary}'s class path
 * has that inner jar as a jar of its own ({@code examples/target/lib/flink-rpc-akka.jar}), as it has the
 * planner instead of the planner's loader, so its classes load from the launcher's archive: the embedded
 * cluster starts in 1.0 s instead of 1.5 s (docs/benchmarks.md, Sitting 17).
 *
 * <p>Flink asks the loaders in the order of their priority, lowest first, and goes on to the next when
 * one throws. This one comes first (-1, Flink's is 0) and throws when no RPC system is on its class path:
 * everywhere else (an application that embeds Tributary as a library, a job on a Flink cluster) Flink's
 * own loader runs as before. Should Flink's fail too, {@code RpcSystem.load} reports this loader's error
 * first, Flink's as suppressed: the message says so.
 */
public final class ClassPathRpcSystemLoader implements RpcSystemLoader {

  @Override
  public int getLoadPriority() {
    return -1;
  }

  @Override
  public RpcSystem loadRpcSystem(Configuration config) {
    return ServiceLoader.load(RpcSystem.class, ClassPathRpcSystemLoader.class.getClassLoader())
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Flink's RPC system is not on the class path as a jar of its own"
                        + " (flink-rpc-akka.jar), so Flink's own loader (flink-rpc-akka-loader) is"
                        + " asked next; should that fail too, its error is the suppressed one."));
  }
}
