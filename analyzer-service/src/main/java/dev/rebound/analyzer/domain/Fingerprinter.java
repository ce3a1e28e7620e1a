package dev.rebound.analyzer.domain;

import dev.rebound.common.text.Redactor;

/**
 * Computes the stable identity of an error: masking ({@link TemplateMasker}), then online clustering
 * ({@link TemplateMiner}), then, when a stack trace with in-app frames is present, the exception type
 * chain and the top in-app frames (Sentry's approach: same error thrown at the same place → same
 * fingerprint, whatever the message says; another throw site → another fingerprint).
 *
 * <p>The discriminator passed in (the classifier uses the deciding rule id and the status codes) keeps
 * clearly different errors apart even when their messages look alike, e.g. {@code HTTP <num>} for a
 * 503 and a 404. Consequence: editing the rule catalog can change the fingerprint of messages whose
 * deciding rule changes.
 *
 * <p>One configuration for every input; the learned state lives in the {@link TemplateMiner}.
 */
public final class Fingerprinter {

  private final TemplateMasker masker;
  private final TemplateMiner miner;

  public Fingerprinter(TemplateMiner miner) {
    this(new TemplateMasker(), miner);
  }

  public Fingerprinter(TemplateMasker masker, TemplateMiner miner) {
    this.masker = masker;
    this.miner = miner;
  }

  public TemplateMiner miner() {
    return miner;
  }

  /** Fingerprint of a message alone (already redacted), with no discriminator and no stack trace. */
  public Fingerprint fingerprint(String redactedMessage) {
    return fingerprint(redactedMessage, "", StackTraceSummary.EMPTY);
  }

  /**
   * @param redactedMessage the message after {@link Redactor#redact(String)}
   * @param discriminator   what must be equal for two messages to share a fingerprint ("" for nothing)
   * @param stack           parsed stack trace, {@link StackTraceSummary#EMPTY} when there is none
   */
  public Fingerprint fingerprint(String redactedMessage, String discriminator, StackTraceSummary stack) {
    String masked = masker.mask(redactedMessage);
    TemplateMiner.Match match = miner.match(discriminator, masked);
    if (stack.isEmpty()) {
      return new Fingerprint(match.clusterId(), match.template(), match.clusterId());
    }
    StringBuilder key = new StringBuilder(discriminator).append('\u0000');
    key.append(String.join(">", stack.exceptionChain())).append('\u0000');
    if (stack.inAppFrames().isEmpty()) {
      key.append(match.clusterId()); // no in-app frame to anchor on: the message decides
    } else {
      key.append(String.join("|", stack.inAppFrames()));
    }
    return new Fingerprint(TemplateMiner.Sha256.hex16(key.toString()), match.template(), match.clusterId());
  }
}
