package io.tributary.runtime.analysis;

/**
 * An input a query cannot be given, which aborts the query (a user's lambda cannot be suspended): the
 * reader's state follows from the reason (see {@link QueryReads#run}). It never means "retry".
 */
final class InputUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  enum Reason {
    /** Not a dataset of the pipeline: reported for the reader. */
    UNDEFINED,
    /** Its analysis failed and is reported: the reader fails silently. */
    FAILED,
    /** On a cycle: the reader is blocked, reported with the cycle. */
    BLOCKED
  }

  final Reason reason;
  final String dataset;
  final String call;

  private InputUnavailable(Reason reason, String dataset, String call) {
    super(reason + " input " + dataset, null, false, false);
    this.reason = reason;
    this.dataset = dataset;
    this.call = call;
  }

  static InputUnavailable undefined(String dataset, String call) {
    return new InputUnavailable(Reason.UNDEFINED, dataset, call);
  }

  static InputUnavailable failed() {
    return new InputUnavailable(Reason.FAILED, null, null);
  }

  static InputUnavailable blocked() {
    return new InputUnavailable(Reason.BLOCKED, null, null);
  }
}
