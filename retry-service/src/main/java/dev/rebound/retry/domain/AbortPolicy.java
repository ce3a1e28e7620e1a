package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When a workflow is aborted: more than {@code failureRatio} of its last {@code window} attempts failed,
 * once at least {@code minimumAttempts} attempts are known. Immutable; built by {@link #builder()} or read
 * with {@link #fromMap} ({@code retry.abort}).
 */
public final class AbortPolicy {

  public static final boolean DEFAULT_ENABLED = true;
  /** Strictly more than this share of the window's attempts must have failed. */
  public static final double DEFAULT_FAILURE_RATIO = 0.5;
  /** Attempts looked at: the workflow's last N. */
  public static final int DEFAULT_WINDOW = 10;
  /** Attempts needed before a workflow can be aborted: by default a full window. */
  public static final int DEFAULT_MINIMUM_ATTEMPTS = 10;
  /** Fingerprints and categories listed in an abort's analysis. */
  public static final int DEFAULT_TOP = 5;

  public static final AbortPolicy DEFAULT = builder().build();

  static final Set<String> FIELDS = new LinkedHashSet<>(List.of("enabled", "failureRatio", "window",
      "minimumAttempts", "top"));

  private final boolean enabled;
  private final double failureRatio;
  private final int window;
  private final int minimumAttempts;
  private final int top;

  private AbortPolicy(Builder b) {
    enabled = b.enabled;
    failureRatio = b.failureRatio;
    window = b.window;
    minimumAttempts = b.minimumAttempts;
    top = b.top;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public boolean enabled() {
    return enabled;
  }

  public double failureRatio() {
    return failureRatio;
  }

  public int window() {
    return window;
  }

  public int minimumAttempts() {
    return minimumAttempts;
  }

  public int top() {
    return top;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", enabled);
    m.put("failureRatio", failureRatio);
    m.put("window", window);
    m.put("minimumAttempts", minimumAttempts);
    m.put("top", top);
    return m;
  }

  /** @throws PolicyException naming the key path, e.g. {@code retry.abort.failureRatio} */
  public static AbortPolicy fromMap(String path, Map<String, ?> values, AbortPolicy base) {
    ConfigMap r = ConfigMap.of(path, values, FIELDS);
    Builder b = base.toBuilder().enabled(r.bool("enabled", base.enabled))
        .failureRatio(r.ratio("failureRatio", base.failureRatio)).window(r.integer("window", base.window))
        .minimumAttempts(r.integer("minimumAttempts", r.has("window") && !r.has("minimumAttempts")
            ? Math.min(base.minimumAttempts, r.integer("window", base.window)) : base.minimumAttempts))
        .top(r.integer("top", base.top));
    try {
      return b.build();
    } catch (PolicyException e) {
      throw e.under(path);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AbortPolicy p && toMap().equals(p.toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "AbortPolicy" + toMap();
  }

  /** Validates on {@link #build()}; every error names its field. */
  public static final class Builder {
    private boolean enabled = DEFAULT_ENABLED;
    private double failureRatio = DEFAULT_FAILURE_RATIO;
    private int window = DEFAULT_WINDOW;
    private int minimumAttempts = DEFAULT_MINIMUM_ATTEMPTS;
    private int top = DEFAULT_TOP;

    private Builder() {
    }

    private Builder(AbortPolicy p) {
      enabled = p.enabled;
      failureRatio = p.failureRatio;
      window = p.window;
      minimumAttempts = p.minimumAttempts;
      top = p.top;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder failureRatio(double failureRatio) {
      this.failureRatio = failureRatio;
      return this;
    }

    public Builder window(int window) {
      this.window = window;
      return this;
    }

    public Builder minimumAttempts(int minimumAttempts) {
      this.minimumAttempts = minimumAttempts;
      return this;
    }

    public Builder top(int top) {
      this.top = top;
      return this;
    }

    /** @throws PolicyException naming the first invalid field */
    public AbortPolicy build() {
      PolicyException.check(failureRatio >= 0 && failureRatio < 1, "failureRatio",
          "must be at least 0 and below 1 (or 100%), was " + failureRatio);
      PolicyException.check(window >= 1 && window <= 10_000, "window", "must be between 1 and 10000, was " + window);
      PolicyException.check(minimumAttempts >= 1 && minimumAttempts <= window, "minimumAttempts",
          "must be between 1 and window (" + window + "), was " + minimumAttempts);
      PolicyException.check(top >= 1 && top <= 100, "top", "must be between 1 and 100, was " + top);
      return new AbortPolicy(this);
    }
  }
}
