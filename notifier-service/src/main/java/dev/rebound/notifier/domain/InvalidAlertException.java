package dev.rebound.notifier.domain;

/** An alert event (or an operator's input about one) is malformed; {@link #field()} names the offending field. */
public class InvalidAlertException extends IllegalArgumentException {
  private final String field;

  public InvalidAlertException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
