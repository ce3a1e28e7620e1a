package dev.rebound.analyzer.domain;

import dev.rebound.common.classification.Category;
import dev.rebound.common.classification.Severity;
import java.util.List;
import java.util.Objects;

/**
 * What the analyzer concluded about one failure. Every text field has been redacted.
 *
 * @param fingerprint      stable 16-hex-digit identity of the message's template (what Drain would group)
 * @param signature        16-hex-digit identity of the underlying error, whatever wraps it ({@link ErrorSignature}):
 *                         alerts are grouped and history is kept by it
 * @param template         the message with variables masked, e.g. {@code connect ECONNREFUSED <hostport>}
 * @param redactedMessage  the (possibly truncated) message with secrets replaced by {@code <redacted:KIND>}
 * @param category         kind of failure; {@link Category#UNKNOWN} when no rule matched
 * @param transientFailure true when retrying is likely to help (serialized as {@code transient})
 * @param confidence       0..1, how sure the analyzer is of category and transient flag
 * @param severity         how loudly to escalate
 * @param ruleId           id of the deciding rule, {@code null} for unknown failures
 * @param rootCause        one sentence explaining the likely cause
 * @param recommendations  actions for the person on call, most useful first
 * @param retryAfterMs     a retry-after hint read from the message, {@code null} when none
 * @param reasons          why the confidence is what it is; never contains message text
 */
public record Verdict(String fingerprint, String signature, String template, String redactedMessage, Category category,
                      boolean transientFailure, double confidence, Severity severity, String ruleId,
                      String rootCause, List<String> recommendations, Long retryAfterMs, List<String> reasons) {

  public Verdict {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(redactedMessage, "redactedMessage");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(rootCause, "rootCause");
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence must be within [0, 1], was " + confidence);
    }
    if (category == Category.UNKNOWN && !transientFailure) {
      throw new IllegalArgumentException("an unknown failure is never permanent");
    }
    if (retryAfterMs != null && retryAfterMs < 0) {
      throw new IllegalArgumentException("retryAfterMs must not be negative");
    }
    recommendations = List.copyOf(recommendations);
    reasons = List.copyOf(reasons);
  }
}
