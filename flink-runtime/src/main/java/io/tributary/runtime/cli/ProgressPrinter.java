package io.tributary.runtime.cli;

import io.tributary.runtime.FlowState;
import io.tributary.runtime.UpdateListener;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Shows an update's progress as {@code tributary start} runs it: each flow's state, the rows it has
 * written and its rate.
 *
 * <p>On a terminal it keeps a live block at the bottom of the screen, redrawn in place: a bar of the
 * flows that have ended out of all, then one line per flow. Messages (a failure, a retry, why a flow
 * was skipped) scroll above the block. Elsewhere (a log file, a pipe, CI) it prints plain lines: one
 * per state change, and for a running flow a line with its rows and rate at most every
 * {@value #PLAIN_ROWS_EVERY_SECONDS} seconds.
 */
final class ProgressPrinter implements UpdateListener {

  static final long PLAIN_ROWS_EVERY_SECONDS = 10;
  private static final int BAR_WIDTH = 30;
  private static final Set<FlowState> ENDED =
      Set.of(
          FlowState.COMPLETED,
          FlowState.FAILED,
          FlowState.SKIPPED,
          FlowState.STOPPED,
          FlowState.EXCLUDED);

  private final PrintWriter out;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final long start;
  private final Map<String, Flow> flows = new LinkedHashMap<>();
  private int drawnLines;
  private long flowsEndedAt = -1;

  /** One flow as shown: its state, its rows and the rate measured between the last two counts. */
  private static final class Flow {
    FlowState state = FlowState.QUEUED;
    long rows = -1;
    double rate;
    long rowsAt;
    boolean rowsPrinted;
    long printedRowsAt;
  }

  ProgressPrinter(PrintWriter out, boolean terminal, LongSupplier nanoTime) {
    this.out = out;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.start = nanoTime.getAsLong();
  }

  /** A printer for the console: live when standard output is a terminal that understands ANSI codes. */
  static ProgressPrinter forConsole(PrintWriter out) {
    String term = System.getenv("TERM");
    boolean terminal = System.console() != null && term != null && !term.equals("dumb");
    return new ProgressPrinter(out, terminal, System::nanoTime);
  }

  @Override
  public synchronized void onFlow(String dataset, FlowState state, String detail) {
    Flow flow = flows.computeIfAbsent(dataset, d -> new Flow());
    flow.state = state;
    if (ENDED.contains(state)) {
      flowsEndedAt = nanoTime.getAsLong();
    }
    if (terminal) {
      if (!detail.isEmpty()) {
        clearBlock();
        out.printf("[%6.1f s] %s %s: %s%n", seconds(nanoTime.getAsLong()), dataset, state, detail);
      }
      redraw();
    } else if (state != FlowState.QUEUED || !detail.isEmpty()) {
      out.printf(
          "[%6.1f s] %-28s %s%s%n",
          seconds(nanoTime.getAsLong()), dataset, state, detail.isEmpty() ? "" : ": " + detail);
    }
    out.flush();
  }

  @Override
  public synchronized void onRows(String dataset, long rows) {
    long now = nanoTime.getAsLong();
    Flow flow = flows.computeIfAbsent(dataset, d -> new Flow());
    if (flow.rows >= 0 && rows >= flow.rows && now > flow.rowsAt) {
      flow.rate = (rows - flow.rows) / ((now - flow.rowsAt) / 1e9);
    }
    flow.rows = rows;
    flow.rowsAt = now;
    if (terminal) {
      redraw();
    } else if (flow.state == FlowState.RUNNING || flow.state == FlowState.STARTING) {
      if (!flow.rowsPrinted
          || now - flow.printedRowsAt >= PLAIN_ROWS_EVERY_SECONDS * 1_000_000_000L) {
        flow.rowsPrinted = true;
        flow.printedRowsAt = now;
        out.printf("[%6.1f s] %-28s %s: %s%n", seconds(now), dataset, flow.state, rowsText(flow));
      }
    }
    out.flush();
  }

  @Override
  public synchronized void onNotice(String message) {
    clearBlock();
    out.printf("[%6.1f s] %s%n", seconds(nanoTime.getAsLong()), message);
    if (terminal && !flows.isEmpty()) {
      redraw();
    }
    out.flush();
  }

  /** The rows a flow wrote in this update, if any were reported. */
  synchronized long rows(String dataset) {
    Flow flow = flows.get(dataset);
    return flow == null ? -1 : flow.rows;
  }

  /**
   * Seconds from this printer's start (before the pipeline is analyzed) to the latest flow's end (the
   * update's flows are done; its bookkeeping follows), or -1 if no flow ended.
   */
  synchronized double secondsToFlowsEnd() {
    return flowsEndedAt < 0 ? -1 : seconds(flowsEndedAt);
  }

  /** Seconds from this printer's start to now: the timeline its lines show. */
  synchronized double secondsSoFar() {
    return seconds(nanoTime.getAsLong());
  }

  /** Removes the live block, so what is printed next starts on a clean line. */
  synchronized void finish() {
    if (terminal) {
      redraw();
      drawnLines = 0;
      out.flush();
    }
  }

  private void redraw() {
    clearBlock();
    long ended = flows.values().stream().filter(f -> ENDED.contains(f.state)).count();
    int filled = flows.isEmpty() ? 0 : (int) (BAR_WIDTH * ended / flows.size());
    out.printf(
        "[%s%s] %d/%d flows  %.1f s%n",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        ended,
        flows.size(),
        seconds(nanoTime.getAsLong()));
    flows.forEach(
        (dataset, flow) ->
            out.printf(
                "  %-28s %-9s %s%n", dataset, flow.state, flow.rows < 0 ? "" : rowsText(flow)));
    drawnLines = flows.size() + 1;
  }

  private void clearBlock() {
    for (int i = 0; i < drawnLines; i++) {
      out.print("\033[1A\033[2K");
    }
    drawnLines = 0;
  }

  private static String rowsText(Flow flow) {
    String rows = String.format(Locale.ROOT, "%,d rows", flow.rows);
    return ENDED.contains(flow.state) || flow.rate <= 0
        ? rows
        : rows + String.format(Locale.ROOT, " (%,.0f rows/s)", flow.rate);
  }

  private double seconds(long now) {
    return (now - start) / 1e9;
  }
}
