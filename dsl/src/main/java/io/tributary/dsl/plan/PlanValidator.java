package io.tributary.dsl.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks of a {@link LogicalPlan}: what is declared ({@link #checkDeclarations}, once, when the
 * pipeline is built) and what is read ({@link #checkReads}, again each time analysis adds the reads
 * of lambdas and SQL). Each adds its problems, worded by {@link DefinitionErrors}, to a list, so a
 * definition reports every problem at once.
 */
final class PlanValidator {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private PlanValidator() {}

  /** Names, datasets, apply-changes, applyChangesFromSnapshot and append flows, as declared. */
  static void checkDeclarations(
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges,
      List<String> problems) {
    checkNames(declared, applyChanges, problems);
    checkDatasets(declared, problems);
    Set<String> snapshotTargets = snapshotTargets(snapshotChanges);
    checkApplyChanges(declared, applyChanges, appendFlows, snapshotTargets, problems);
    SnapshotChangesChecks.check(declared, applyChanges, snapshotChanges, problems);
    checkAppendFlows(declared, applyChanges, snapshotTargets, appendFlows, problems);
    checkSources(declared, appendFlows, problems);
  }

  /** The settings of every source read by {@code from(Source)}, each problem prefixed by its reader. */
  private static void checkSources(
      List<DatasetSpec> declared, List<AppendFlowSpec> appendFlows, List<String> problems) {
    for (DatasetSpec dataset : declared) {
      dataset
          .queries()
          .forEach(query -> sourceProblems("Dataset '" + dataset.name() + "'", query, problems));
    }
    for (AppendFlowSpec flow : appendFlows) {
      flow.query()
          .ifPresent(query -> sourceProblems("Flow '" + flow.name() + "'", query, problems));
    }
  }

  private static void sourceProblems(String reader, Query query, List<String> problems) {
    query
        .<List<String>>match(
            read -> List.of(), read -> read.source().problems(), api -> List.of(), sql -> List.of())
        .forEach(problem -> problems.add(reader + ": " + problem));
  }

  /**
   * The reads of every dataset and append flow: undefined inputs, lookups of views, stream reads of
   * materialized tables, change-flow targets and tables fed only by once flows.
   */
  static void checkReads(
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows,
      List<SnapshotChangesSpec> snapshotChanges,
      Map<String, List<Input>> ownInputs,
      Map<String, List<Input>> flowInputs,
      List<String> problems) {
    Map<String, DatasetSpec> byName = new LinkedHashMap<>();
    declared.forEach(d -> byName.putIfAbsent(d.name(), d));
    Set<String> snapshotTargets = snapshotTargets(snapshotChanges);
    // targets whose commits update and delete rows by key: no stream of new rows comes out of them
    Set<String> cdcTargets = new LinkedHashSet<>(snapshotTargets);
    applyChanges.forEach(a -> cdcTargets.add(a.target()));
    // tables whose rows come only from once flows: nothing streams into them, so nothing streams
    // out
    Set<String> backfilledOnly = new LinkedHashSet<>();
    byName.values().stream()
        .filter(d -> d.query().isEmpty())
        .map(DatasetSpec::name)
        .filter(
            name ->
                appendFlows.stream().anyMatch(f -> f.writes(name))
                    && appendFlows.stream()
                        .filter(f -> f.writes(name))
                        .allMatch(AppendFlowSpec::once))
        .forEach(backfilledOnly::add);
    ownInputs.forEach(
        (dataset, reads) -> {
          checkDatasetReads(byName, cdcTargets, snapshotTargets, dataset, reads, problems);
          checkStreamReadsOfBackfills(backfilledOnly, "Dataset", dataset, reads, problems);
        });
    for (AppendFlowSpec flow : appendFlows) {
      List<Input> reads = flowInputs.getOrDefault(flow.name(), List.of());
      checkFlowReads(byName, cdcTargets, flow, reads, problems);
      checkStreamReadsOfBackfills(backfilledOnly, "Flow", flow.name(), reads, problems);
    }
  }

  private static void checkNames(
      List<DatasetSpec> declared, List<ApplyChangesSpec> applyChanges, List<String> problems) {
    Map<String, List<DatasetSpec>> byFoldedName = new LinkedHashMap<>();
    for (DatasetSpec dataset : declared) {
      if (!IDENTIFIER.matcher(dataset.name()).matches()) {
        problems.add(DefinitionErrors.invalidName("Dataset", dataset.name()));
      }
      byFoldedName
          .computeIfAbsent(dataset.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(dataset);
    }
    byFoldedName.values().stream()
        .filter(same -> same.size() > 1)
        .forEach(same -> problems.add(DefinitionErrors.duplicateDataset(same)));
  }

  private static void checkDatasets(List<DatasetSpec> declared, List<String> problems) {
    for (DatasetSpec dataset : declared) {
      if (dataset.cdcTarget() && !dataset.queries().isEmpty()) {
        problems.add(ChangeFeedErrors.cdcTargetWithQuery(dataset));
      } else if (dataset.queries().size() > 1) {
        problems.add(DefinitionErrors.multipleQueries(dataset));
      } else if (dataset.queries().isEmpty() && !dataset.cdcTarget()) {
        problems.add(DefinitionErrors.missingQuery(dataset));
      }
      Map<String, Integer> expectationCounts = new LinkedHashMap<>();
      dataset.expectations().forEach(e -> expectationCounts.merge(e.name(), 1, Integer::sum));
      expectationCounts.forEach(
          (name, count) -> {
            if (count > 1) {
              problems.add(DefinitionErrors.duplicateExpectation(dataset.name(), name, count));
            }
          });
      if (dataset.quarantine()) {
        if (dataset.expectations().stream().noneMatch(e -> e.action() == ExpectationAction.DROP)) {
          problems.add(DefinitionErrors.quarantineWithoutDrop(dataset.name()));
        }
        if (declared.stream().anyMatch(d -> d.name().equalsIgnoreCase(dataset.quarantineTable()))) {
          problems.add(
              DefinitionErrors.quarantineNameTaken(dataset.name(), dataset.quarantineTable()));
        }
      }
      dataset.expectations().stream()
          .filter(e -> e.constraint().isBlank())
          .forEach(e -> problems.add(DefinitionErrors.blankConstraint(dataset.name(), e.name())));
    }
  }

  private static Set<String> snapshotTargets(List<SnapshotChangesSpec> snapshotChanges) {
    Set<String> targets = new LinkedHashSet<>();
    snapshotChanges.forEach(s -> targets.add(s.target()));
    return targets;
  }

  private static void checkApplyChanges(
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      List<AppendFlowSpec> appendFlows,
      Set<String> snapshotTargets,
      List<String> problems) {
    Map<String, DatasetSpec> byName = new HashMap<>();
    declared.forEach(d -> byName.putIfAbsent(d.name(), d));
    Map<String, Integer> flowsPerTarget = new LinkedHashMap<>();
    for (ApplyChangesSpec flow : applyChanges) {
      String target = flow.target();
      flowsPerTarget.merge(target, 1, Integer::sum);
      DatasetSpec dataset = byName.get(target);
      if (dataset == null) {
        problems.add(ChangeFeedErrors.cdcTargetUndefined(target));
      } else if (!dataset.cdcTarget()) {
        problems.add(ChangeFeedErrors.cdcTargetNotCreated(target, dataset));
      }
      if (flow.source().isEmpty()) {
        problems.add(
            ChangeFeedErrors.cdcMissing(
                target, "source (the dataset holding the change feed)", "from(\"<dataset>\")"));
      }
      if (flow.keys().isEmpty()) {
        problems.add(
            ChangeFeedErrors.cdcMissing(
                target, "keys (the columns that identify a row)", "keys(\"<column>\", …)"));
      }
      if (flow.sequenceBy().isEmpty()) {
        problems.add(
            ChangeFeedErrors.cdcMissing(
                target,
                "sequence column (the column that orders each key's changes)",
                "sequenceBy(\"<column>\")"));
      }
      if (flow.scdType() != 1 && flow.scdType() != 2) {
        problems.add(ChangeFeedErrors.cdcScdType(target, flow.scdType()));
      }
      if (!flow.columnList().isEmpty() && !flow.exceptColumnList().isEmpty()) {
        problems.add(ChangeFeedErrors.cdcBothColumnLists(target));
      }
      boolean tracksHistory =
          !flow.trackHistoryColumnList().isEmpty()
              || !flow.trackHistoryExceptColumnList().isEmpty();
      if (!flow.trackHistoryColumnList().isEmpty()
          && !flow.trackHistoryExceptColumnList().isEmpty()) {
        problems.add(ChangeFeedErrors.cdcBothHistoryLists(target));
      }
      if (tracksHistory && flow.scdType() == 1) {
        problems.add(ChangeFeedErrors.cdcHistoryOnType1(target));
      }
      if (flow.applyAsTruncates().isPresent() && flow.scdType() == 2) {
        problems.add(ChangeFeedErrors.cdcTruncatesOnType2(target));
      }
    }
    flowsPerTarget.forEach(
        (target, count) -> {
          if (count > 1) {
            problems.add(ChangeFeedErrors.cdcMultipleFlows(target, count));
          }
        });
    Set<String> fed = new LinkedHashSet<>(flowsPerTarget.keySet());
    appendFlows.forEach(a -> a.target().ifPresent(fed::add));
    fed.addAll(snapshotTargets);
    declared.stream()
        .filter(d -> d.cdcTarget() && d.queries().isEmpty() && !fed.contains(d.name()))
        .forEach(d -> problems.add(ChangeFeedErrors.cdcTargetWithoutFlow(d.name())));
  }

  private static void checkAppendFlows(
      List<DatasetSpec> declared,
      List<ApplyChangesSpec> applyChanges,
      Set<String> snapshotTargets,
      List<AppendFlowSpec> appendFlows,
      List<String> problems) {
    Map<String, DatasetSpec> byFoldedName = new HashMap<>();
    declared.forEach(d -> byFoldedName.putIfAbsent(d.name().toLowerCase(Locale.ROOT), d));
    Map<String, List<AppendFlowSpec>> flowsByFoldedName = new LinkedHashMap<>();
    for (AppendFlowSpec flow : appendFlows) {
      if (!IDENTIFIER.matcher(flow.name()).matches()) {
        problems.add(DefinitionErrors.invalidName("Flow", flow.name()));
      }
      flowsByFoldedName
          .computeIfAbsent(flow.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(flow);
    }
    flowsByFoldedName.forEach(
        (folded, same) -> {
          if (same.size() > 1) {
            problems.add(FlowErrors.duplicateFlow(same.get(0).name(), same.size()));
          }
          DatasetSpec dataset = byFoldedName.get(folded);
          if (dataset != null) {
            problems.add(FlowErrors.flowNamedLikeDataset(same.get(0).name(), dataset));
          }
        });
    for (AppendFlowSpec flow : appendFlows) {
      if (flow.target().isEmpty()) {
        problems.add(FlowErrors.appendFlowWithoutTarget(flow.name()));
      } else {
        String target = flow.target().get();
        DatasetSpec dataset =
            declared.stream().filter(d -> d.name().equals(target)).findFirst().orElse(null);
        if (dataset == null) {
          problems.add(
              FlowErrors.appendFlowTargetUndefined(
                  flow.name(),
                  target,
                  declared.stream()
                      .filter(d -> d.kind() == DatasetKind.STREAMING_TABLE)
                      .map(DatasetSpec::name)
                      .toList()));
        } else if (dataset.kind() != DatasetKind.STREAMING_TABLE) {
          problems.add(FlowErrors.appendFlowTargetNotStreaming(flow.name(), dataset));
        } else if (applyChanges.stream().anyMatch(a -> a.target().equals(target))
            || snapshotTargets.contains(target)) {
          problems.add(FlowErrors.appendFlowIntoApplyChangesTarget(flow.name(), target));
        }
      }
      if (flow.queries().isEmpty()) {
        problems.add(FlowErrors.appendFlowWithoutQuery(flow.name()));
      } else if (flow.queries().size() > 1) {
        problems.add(FlowErrors.appendFlowWithQueries(flow));
      }
    }
  }

  private static void checkFlowReads(
      Map<String, DatasetSpec> byName,
      Set<String> cdcTargets,
      AppendFlowSpec flow,
      List<Input> reads,
      List<String> problems) {
    for (Input input : reads) {
      DatasetSpec read = byName.get(input.dataset());
      if (read == null) {
        problems.add(
            FlowErrors.appendFlowUndefinedInput(flow.name(), input.dataset(), byName.keySet()));
      } else if (input.mode() == ReadMode.LOOKUP && read.kind() == DatasetKind.VIEW) {
        problems.add(DefinitionErrors.lookupOfView("Flow", flow.name(), input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && flow.once()) {
        problems.add(FlowErrors.onceFlowStreamRead(flow.name(), input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && read.kind() == DatasetKind.MATERIALIZED_TABLE) {
        problems.add(
            DefinitionErrors.streamReadOfMaterializedTable("Flow", flow.name(), input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && cdcTargets.contains(input.dataset())) {
        problems.add(DefinitionErrors.streamReadOfCdcTarget("Flow", flow.name(), input.dataset()));
      }
    }
  }

  private static void checkStreamReadsOfBackfills(
      Set<String> backfilledOnly,
      String what,
      String reader,
      List<Input> reads,
      List<String> problems) {
    reads.stream()
        .filter(i -> i.mode() == ReadMode.STREAM && backfilledOnly.contains(i.dataset()))
        .forEach(
            i -> problems.add(FlowErrors.streamReadOfBackfilledTable(what, reader, i.dataset())));
  }

  private static void checkDatasetReads(
      Map<String, DatasetSpec> byName,
      Set<String> cdcTargets,
      Set<String> snapshotTargets,
      String reader,
      List<Input> reads,
      List<String> problems) {
    String call =
        snapshotTargets.contains(reader)
            ? "applyChangesFromSnapshot(…).fromSnapshot()"
            : readCall(byName.get(reader));
    for (Input input : reads) {
      DatasetSpec read = byName.get(input.dataset());
      if (read == null) {
        problems.add(
            DefinitionErrors.undefinedInput(reader, input.dataset(), byName.keySet(), call));
      } else if (input.mode() == ReadMode.LOOKUP && read.kind() == DatasetKind.VIEW) {
        problems.add(DefinitionErrors.lookupOfView("Dataset", reader, input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && read.kind() == DatasetKind.MATERIALIZED_TABLE) {
        problems.add(DefinitionErrors.streamReadOfMaterializedTable(reader, input.dataset()));
      } else if (input.mode() == ReadMode.STREAM && cdcTargets.contains(input.dataset())) {
        problems.add(DefinitionErrors.streamReadOfCdcTarget(reader, input.dataset()));
      }
    }
  }

  /** The DSL call in which the user named the reads of {@code reader}, for the fix of an undefined input. */
  private static String readCall(DatasetSpec reader) {
    if (reader == null || reader.cdcTarget()) {
      return "applyChanges(…).from()"; // only an apply-changes flow reads into a name that is not a
      // dataset
    }
    return reader
        .query()
        .map(
            query ->
                query.match(
                    read -> "from()",
                    source -> "from()",
                    api -> "ctx.read(), ctx.readStream() or ctx.lookupJoin()",
                    sql -> "sql()"))
        .orElse("from()");
  }
}
