package dev.rebound.common.policy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The retry policy of every stage: the built-in ones below, overridden per stage from configuration
 * ({@code retry.policies.<stage>}), and a fallback for every other stage.
 *
 * <table>
 *   <caption>Built-in policies</caption>
 *   <tr><th>stage</th><th>retries</th><th>backoff</th><th>nominal delays</th><th>jitter</th></tr>
 *   <tr><td>{@value #REPOSITORY}</td><td>3</td><td>exponential 30 s × 2</td><td>30 s, 60 s, 120 s</td><td>equal</td></tr>
 *   <tr><td>{@value #ANALYSIS}</td><td>2</td><td>fixed 60 s</td><td>60 s, 60 s</td><td>equal</td></tr>
 *   <tr><td>{@value #TESTS}</td><td>2</td><td>linear 30 s + 30 s (flaky tests)</td><td>30 s, 60 s</td><td>equal</td></tr>
 *   <tr><td>{@value #COVERAGE}</td><td>2</td><td>exponential 30 s × 2</td><td>30 s, 60 s</td><td>equal</td></tr>
 *   <tr><td>{@value #PULL_REQUEST}</td><td>3</td><td>exponential 30 s × 2 (GitHub API)</td><td>30 s, 60 s, 120 s</td><td>equal</td></tr>
 *   <tr><td>any other</td><td>5</td><td>exponential 1 s × 2</td><td>1, 2, 4, 8, 16 s</td><td>full</td></tr>
 * </table>
 *
 * <p>All have a 5 min cap on one delay, no deadline and no attempt timeout (the ledger's lease
 * applies). The named stages use <b>equal</b> jitter: their delays are long and documented, and a
 * retry of a rate-limited GitHub call or a flaky test run must not come back at once, as full jitter
 * allows (uniform from 0); equal jitter keeps every delay within [d/2, d] — never sooner than half
 * the documented figure, never later than it — while still spreading a crowd of tasks that failed
 * together over half the interval. The fallback keeps full jitter: its delays are short, and for
 * unknown work spreading load matters more than the exact figure.
 */
public final class StagePolicies {

  public static final String REPOSITORY = "repository";
  public static final String ANALYSIS = "analysis";
  public static final String TESTS = "tests";
  public static final String COVERAGE = "coverage";
  public static final String PULL_REQUEST = "pull-request";

  private static final Duration SECONDS_30 = Duration.ofSeconds(30);

  private static final StagePolicies BUILT_IN = new StagePolicies(builtInNamed(), RetryPolicy.DEFAULT);

  private final Map<String, RetryPolicy> named;
  private final RetryPolicy fallback;

  private StagePolicies(Map<String, RetryPolicy> named, RetryPolicy fallback) {
    this.named = Map.copyOf(named);
    this.fallback = Objects.requireNonNull(fallback, "fallback");
  }

  /** The built-in policies of the table above. */
  public static StagePolicies builtIn() {
    return BUILT_IN;
  }

  private static Map<String, RetryPolicy> builtInNamed() {
    Map<String, RetryPolicy> m = new LinkedHashMap<>();
    m.put(REPOSITORY, namedStage().exponential(SECONDS_30, 2).maxRetries(3).build());
    m.put(ANALYSIS, namedStage().fixed(Duration.ofSeconds(60)).maxRetries(2).build());
    m.put(TESTS, namedStage().linear(SECONDS_30, SECONDS_30).maxRetries(2).build());
    m.put(COVERAGE, namedStage().exponential(SECONDS_30, 2).maxRetries(2).build());
    m.put(PULL_REQUEST, namedStage().exponential(SECONDS_30, 2).maxRetries(3).build());
    return m;
  }

  private static RetryPolicy.Builder namedStage() {
    return RetryPolicy.builder().jitter(Jitter.EQUAL);
  }

  /** The policy of {@code stage}: its own, or the fallback. */
  public RetryPolicy forStage(String stage) {
    return named.getOrDefault(stage, fallback);
  }

  /** The stages with a policy of their own. */
  public Map<String, RetryPolicy> named() {
    return named;
  }

  /** The policy of every other stage. */
  public RetryPolicy fallback() {
    return fallback;
  }

  /** A copy where {@code stage} has {@code policy}. */
  public StagePolicies with(String stage, RetryPolicy policy) {
    Objects.requireNonNull(stage, "stage");
    Map<String, RetryPolicy> m = new LinkedHashMap<>(named);
    m.put(stage, Objects.requireNonNull(policy, "policy"));
    return new StagePolicies(m, fallback);
  }

  /** A copy with {@code policy} for every stage without its own. */
  public StagePolicies withFallback(RetryPolicy policy) {
    return new StagePolicies(named, policy);
  }

  /**
   * A copy with the stages of a configuration map applied, e.g. the value of {@code retry.policies}:
   * each entry is a stage name and a map of policy fields that override that stage's current policy
   * (or the fallback, for a stage without one) field by field, as {@link RetryPolicy#fromMap} reads them.
   *
   * @param path the key the map was read from ({@code retry.policies}), prefixed to errors
   * @throws PolicyException naming the key path, e.g. {@code retry.policies.tests.factor}
   */
  public StagePolicies withOverrides(String path, Map<String, ?> stages) {
    Map<String, RetryPolicy> m = new LinkedHashMap<>(named);
    for (Map.Entry<String, ?> e : stages.entrySet()) {
      String stagePath = path == null || path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      if (e.getKey().isBlank()) {
        throw new PolicyException(stagePath, "a stage name must not be blank");
      }
      Object value = e.getValue() instanceof JsonObject json ? json.getMap() : e.getValue();
      if (!(value instanceof Map<?, ?> fields)) {
        throw new PolicyException(stagePath, "must be a map of policy fields (backoff, base, maxRetries, …)");
      }
      m.put(e.getKey(), RetryPolicy.fromMap(stagePath, stringKeys(stagePath, fields), forStage(e.getKey())));
    }
    return new StagePolicies(m, fallback);
  }

  /** Every policy with its durations multiplied by {@code timeScale}: see {@link RetryPolicy#scaled}. */
  public StagePolicies scaled(double timeScale) {
    RetryPolicy.checkTimeScale(timeScale);
    Map<String, RetryPolicy> m = new LinkedHashMap<>();
    named.forEach((stage, p) -> m.put(stage, p.scaled(timeScale)));
    return new StagePolicies(m, fallback.scaled(timeScale));
  }

  /** {@code {"stages": {"<stage>": policy, …}, "fallback": policy}}. */
  public JsonObject toJson() {
    JsonObject stages = new JsonObject();
    named.keySet().stream().sorted().forEach(s -> stages.put(s, named.get(s).toJson()));
    return new JsonObject().put("stages", stages).put("fallback", fallback.toJson());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> stringKeys(String path, Map<?, ?> fields) {
    for (Object key : fields.keySet()) {
      if (!(key instanceof String)) {
        throw new PolicyException(path + "." + key, "field names must be strings");
      }
    }
    return (Map<String, ?>) fields;
  }
}
