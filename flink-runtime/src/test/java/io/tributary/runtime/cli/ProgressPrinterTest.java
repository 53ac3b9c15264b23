package io.tributary.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.runtime.FlowState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What {@code tributary start} prints while an update runs, on a terminal and in a log. */
class ProgressPrinterTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(0);
  private final StringWriter text = new StringWriter();

  @Test
  void plainOutputHasALinePerStateChangeAndRowsWithTheirRateAtMostEveryTenSeconds() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(text), false, clock::get);

    printer.onFlow("bronze", FlowState.QUEUED, "");
    printer.onFlow("gold", FlowState.QUEUED, "");
    at(1);
    printer.onFlow("bronze", FlowState.RUNNING, "");
    at(2);
    printer.onRows("bronze", 1_000);
    at(3);
    printer.onRows("bronze", 3_000);
    at(12);
    printer.onRows("bronze", 21_000);
    at(13);
    printer.onFlow("bronze", FlowState.COMPLETED, "");
    printer.onRows("bronze", 22_000);
    printer.onFlow("gold", FlowState.SKIPPED, "an upstream flow failed");

    assertThat(text.toString())
        .isEqualTo(
            """
        [   1.0 s] bronze                       RUNNING
        [   2.0 s] bronze                       RUNNING: 1,000 rows
        [  12.0 s] bronze                       RUNNING: 21,000 rows (2,000 rows/s)
        [  13.0 s] bronze                       COMPLETED
        [  13.0 s] gold                         SKIPPED: an upstream flow failed
        """);
    assertThat(printer.rows("bronze")).isEqualTo(22_000);
    assertThat(printer.rows("gold")).as("never reported").isEqualTo(-1);
  }

  @Test
  void aTerminalGetsALiveBlockRedrawnInPlaceWithMessagesScrollingAboveIt() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(text), true, clock::get);
    printer.onFlow("bronze", FlowState.QUEUED, "");
    printer.onFlow("silver", FlowState.QUEUED, "");
    at(2);
    printer.onFlow("bronze", FlowState.RUNNING, "");
    printer.onRows("bronze", 500);
    at(4);
    text.getBuffer().setLength(0);

    printer.onRows("bronze", 4_500);

    String up = "\033[1A\033[2K";
    assertThat(text.toString())
        .isEqualTo(
            up.repeat(3)
                + "[------------------------------] 0/2 flows  4.0 s\n"
                + "  bronze                       RUNNING   4,500 rows (2,000 rows/s)\n"
                + "  silver                       QUEUED    \n");

    text.getBuffer().setLength(0);
    printer.onFlow("bronze", FlowState.FAILED, "boom");

    assertThat(text.toString())
        .isEqualTo(
            up.repeat(3)
                + "[   4.0 s] bronze FAILED: boom\n"
                + "[###############---------------] 1/2 flows  4.0 s\n"
                + "  bronze                       FAILED    4,500 rows\n"
                + "  silver                       QUEUED    \n");
  }

  private void at(long seconds) {
    clock.set(seconds * SECOND);
  }
}
