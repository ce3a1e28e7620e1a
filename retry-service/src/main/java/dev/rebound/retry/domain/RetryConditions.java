package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which failures of a stage are retried at all. In this order, the first rule that applies decides:
 * <ol>
 *   <li>{@code neverRetryOn} (categories, error types incl. the cause chain, HTTP statuses, exit codes,
 *       SQLSTATE classes, message patterns): never retried — this list always wins;</li>
 *   <li>{@code retryOn}, the same criteria: retried whatever the analyzer said;</li>
 *   <li>the analyzer's verdict (transient or permanent) when its confidence reaches {@code minConfidence};</li>
 *   <li>otherwise — a verdict not trusted, or none at all (degraded mode) — {@link KnownPermanentSignatures}:
 *       transient unless a known-permanent signature. Without a verdict the outcome is marked degraded.</li>
 * </ol>
 * A retryable failure of a {@code freeCategories} category (default {@code RATE_LIMIT}: waiting out a
 * limit is not the task's fault) consumes none of the task's retries, up to {@code maxFreeRetries} per
 * run; the policy's deadline still applies.
 *
 * <p>Immutable; built by {@link #builder()} or read with {@link #fromMap}; configured per stage as
 * {@code retry.conditions.<stage>} (see {@link DecisionRules}).
 */
public final class RetryConditions {

  /** Below this confidence a verdict is not trusted and the built-in fallback decides. */
  public static final double DEFAULT_MIN_CONFIDENCE = 0.5;
  /** Categories whose retries are free. */
  public static final Set<String> DEFAULT_FREE_CATEGORIES = Set.of("RATE_LIMIT");
  /** Free retries per run before free failures start consuming retries like any other. */
  public static final int DEFAULT_MAX_FREE_RETRIES = 20;

  public static final RetryConditions DEFAULT = builder().build();

  static final Set<String> FIELDS = new LinkedHashSet<>(
      List.of("retryOn", "neverRetryOn", "minConfidence", "freeCategories", "maxFreeRetries"));

  private final FailureMatcher retryOn;
  private final FailureMatcher neverRetryOn;
  private final double minConfidence;
  private final Set<String> freeCategories;
  private final int maxFreeRetries;

  private RetryConditions(Builder b) {
    retryOn = b.retryOn;
    neverRetryOn = b.neverRetryOn;
    minConfidence = b.minConfidence;
    freeCategories = Set.copyOf(b.freeCategories);
    maxFreeRetries = b.maxFreeRetries;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public FailureMatcher retryOn() {
    return retryOn;
  }

  public FailureMatcher neverRetryOn() {
    return neverRetryOn;
  }

  public double minConfidence() {
    return minConfidence;
  }

  public Set<String> freeCategories() {
    return freeCategories;
  }

  public int maxFreeRetries() {
    return maxFreeRetries;
  }

  /** Whether (and how) the failure may be retried; pure. */
  public Eligibility evaluate(FailureFacts f) {
    Reasons reasons = new Reasons();
    Eligibility e = evaluate(f, reasons);
    return new Eligibility(e.retryable(), e.free(), e.degraded(), e.basis(), reasons);
  }

  /**
   * {@link #evaluate(FailureFacts)} with its sentences added to {@code reasons} (a decision's own) instead of
   * a list of their own: the eligibility returned has none.
   */
  Eligibility evaluate(FailureFacts f, Reasons reasons) {
    // the sentences are written out when read (see Reasons); each captures only immutable values
    Optional<String> never = neverRetryOn.match(f);
    if (never.isPresent()) {
      String criterion = never.get();
      reasons.add(() -> "not retryable: " + criterion + " is on the stage's never-retry list");
      return Eligibility.withoutReasons(false, false, !f.hasVerdict(), Eligibility.Basis.NEVER_RETRY_ON);
    }
    Optional<String> always = retryOn.match(f);
    boolean retryable;
    Eligibility.Basis basis;
    String category = f.category();
    double confidence = f.confidence();
    if (always.isPresent()) {
      retryable = true;
      basis = Eligibility.Basis.RETRY_ON;
      String criterion = always.get();
      reasons.add(() -> "retryable: " + criterion + " is on the stage's retry list");
    } else if (f.hasVerdict() && confidence >= minConfidence) {
      retryable = f.transientFailure();
      basis = Eligibility.Basis.VERDICT;
      boolean transientFailure = retryable;
      reasons.add(() -> "the analyzer says " + (transientFailure ? "transient" : "permanent")
          + (category == null ? "" : " " + category) + " with confidence " + percent(confidence));
    } else {
      basis = f.hasVerdict() ? Eligibility.Basis.LOW_CONFIDENCE_FALLBACK : Eligibility.Basis.NO_VERDICT_FALLBACK;
      if (f.hasVerdict()) {
        boolean transientFailure = f.transientFailure();
        double threshold = minConfidence;
        reasons.add(() -> "the analyzer's verdict (" + (transientFailure ? "transient" : "permanent") + ", confidence "
            + percent(confidence) + ") is below the " + percent(threshold) + " threshold: built-in fallback");
      } else {
        reasons.addText("degraded: no verdict from the analyzer, built-in fallback");
      }
      Optional<String> permanent = KnownPermanentSignatures.match(f);
      retryable = permanent.isEmpty();
      if (permanent.isPresent()) {
        String signature = permanent.get();
        reasons.add(() -> "permanent: " + signature + " is a known-permanent signature");
      } else {
        reasons.addText("transient: no known-permanent signature");
      }
    }
    boolean free = false;
    if (retryable && category != null && freeCategories.contains(category.toUpperCase(Locale.ROOT))) {
      int prior = f.priorFreeRetries();
      if (prior < maxFreeRetries) {
        free = true;
        reasons.add(() -> "category " + category + " is free: this retry uses none of the task's retries");
      } else {
        int most = maxFreeRetries;
        reasons.add(() -> "category " + category + " is free, but the run already had " + prior
            + " free retries (at most " + most + "): this one counts");
      }
    }
    return Eligibility.withoutReasons(retryable, free, basis == Eligibility.Basis.NO_VERDICT_FALLBACK, basis);
  }

  private static String percent(double d) {
    return Math.round(d * 100) + " %";
  }

  /** The shape {@link #fromMap} reads. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("retryOn", retryOn.toMap());
    m.put("neverRetryOn", neverRetryOn.toMap());
    m.put("minConfidence", minConfidence);
    m.put("freeCategories", freeCategories.stream().sorted().toList());
    m.put("maxFreeRetries", maxFreeRetries);
    return m;
  }

  /**
   * Reads conditions from configuration, e.g. the value of {@code retry.conditions.tests}; fields left out
   * keep {@code base}'s values. {@code minConfidence} may be written as {@code 0.6} or {@code 60%}.
   *
   * @throws PolicyException naming the key path, e.g. {@code retry.conditions.tests.retryOn.httpStatuses[1]}
   */
  public static RetryConditions fromMap(String path, Map<String, ?> values, RetryConditions base) {
    ConfigMap r = ConfigMap.of(path, values, FIELDS);
    Builder b = base.toBuilder();
    if (r.has("retryOn")) {
      b.retryOn(FailureMatcher.fromMap(r.key("retryOn"), r.raw("retryOn")));
    }
    if (r.has("neverRetryOn")) {
      b.neverRetryOn(FailureMatcher.fromMap(r.key("neverRetryOn"), r.raw("neverRetryOn")));
    }
    b.minConfidence(r.ratio("minConfidence", b.minConfidence));
    if (r.has("freeCategories")) {
      b.freeCategories(new LinkedHashSet<>(r.strings("freeCategories")));
    }
    b.maxFreeRetries(r.integer("maxFreeRetries", b.maxFreeRetries));
    try {
      return b.build();
    } catch (PolicyException e) {
      throw e.under(path);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryConditions c && toMap().toString().equals(c.toMap().toString());
  }

  @Override
  public int hashCode() {
    return toMap().toString().hashCode();
  }

  @Override
  public String toString() {
    return "RetryConditions" + toMap();
  }

  /** Validates on {@link #build()}; every error names its field. */
  public static final class Builder {
    private FailureMatcher retryOn = FailureMatcher.NONE;
    private FailureMatcher neverRetryOn = FailureMatcher.NONE;
    private double minConfidence = DEFAULT_MIN_CONFIDENCE;
    private Set<String> freeCategories = DEFAULT_FREE_CATEGORIES;
    private int maxFreeRetries = DEFAULT_MAX_FREE_RETRIES;

    private Builder() {
    }

    private Builder(RetryConditions c) {
      retryOn = c.retryOn;
      neverRetryOn = c.neverRetryOn;
      minConfidence = c.minConfidence;
      freeCategories = c.freeCategories;
      maxFreeRetries = c.maxFreeRetries;
    }

    public Builder retryOn(FailureMatcher retryOn) {
      this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
      return this;
    }

    public Builder neverRetryOn(FailureMatcher neverRetryOn) {
      this.neverRetryOn = Objects.requireNonNull(neverRetryOn, "neverRetryOn");
      return this;
    }

    public Builder minConfidence(double minConfidence) {
      this.minConfidence = minConfidence;
      return this;
    }

    /** Upper-cased; empty for none. */
    public Builder freeCategories(Set<String> freeCategories) {
      this.freeCategories = new LinkedHashSet<>(freeCategories.stream().map(s -> s.trim().toUpperCase(Locale.ROOT)).toList());
      return this;
    }

    public Builder maxFreeRetries(int maxFreeRetries) {
      this.maxFreeRetries = maxFreeRetries;
      return this;
    }

    /** @throws PolicyException naming the first invalid field */
    public RetryConditions build() {
      PolicyException.check(minConfidence >= 0 && minConfidence <= 1, "minConfidence",
          "must be between 0 and 1 (or 0% and 100%), was " + minConfidence);
      PolicyException.check(maxFreeRetries >= 0 && maxFreeRetries <= 10_000, "maxFreeRetries",
          "must be between 0 and 10000, was " + maxFreeRetries);
      for (String c : freeCategories) {
        PolicyException.check(!c.isBlank(), "freeCategories", "must not contain a blank category");
      }
      return new RetryConditions(this);
    }
  }
}
