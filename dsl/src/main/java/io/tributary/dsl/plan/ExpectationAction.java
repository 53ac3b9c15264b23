package io.tributary.dsl.plan;

/** What happens to a row that fails an expectation. */
public enum ExpectationAction {
  /** Keep the row and count the failure: {@code expect}. */
  WARN("expect"),
  /** Drop the row and count it: {@code expect_or_drop}. */
  DROP("expect_or_drop"),
  /** Fail the update, committing nothing of the failing micro-batch: {@code expect_or_fail}. */
  FAIL("expect_or_fail");

  private final String dltName;

  ExpectationAction(String dltName) {
    this.dltName = dltName;
  }

  /** The name Delta Live Tables gives this action, used in {@code describe()} and the event log. */
  public String dltName() {
    return dltName;
  }
}
