package io.tributary.runtime.tables;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a table, as its Delta log records it (Delta's {@code DESCRIBE HISTORY}).
 *
 * @param operation the commit's operation ({@code CREATE TABLE}, {@code WRITE}, ...)
 * @param transaction the writer's transaction id and version, if it recorded one (Tributary's writers
 *     use {@code pipeline/flow/table/generation} and the epoch)
 * @param filesAdded the data files the commit added with {@code dataChange=true}
 * @param filesRemoved the data files it removed with {@code dataChange=true}
 * @param dataChange whether the commit changed rows (compaction, for instance, does not)
 */
public record TableCommit(
    long version,
    Instant timestamp,
    String operation,
    Map<String, String> operationParameters,
    Optional<Transaction> transaction,
    int filesAdded,
    int filesRemoved,
    boolean dataChange) {

  public TableCommit {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(operation, "operation");
    operationParameters = Map.copyOf(operationParameters);
    Objects.requireNonNull(transaction, "transaction");
  }

  /** A writer's transaction identifier: an application id and its version. */
  public record Transaction(String appId, long version) {}
}
