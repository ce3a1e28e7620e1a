package dev.rebound.retry.domain;

import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import dev.rebound.common.policy.RetryPolicy;
import dev.rebound.common.policy.StagePolicies;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every rule the {@link DecisionEngine} applies, read once from configuration ({@code retry.*}) and
 * validated with errors naming the key:
 *
 * <pre>
 * retry:
 *   timeScale: 1.0                  # multiplies every duration (policies, circuits, budget windows, hints)
 *   policies:   {tests: {maxRetries: 3}}               # StagePolicies.withOverrides
 *   conditions: {default: {…}, tests: {retryOn: {exitCodes: [1]}}}   # a stage's fields override default's
 *   circuits:   {stage: {…}, agent: {…}, dependency: {…}, names: {"dependency:github": {…}}}
 *   budgets:    {stage: {…}, global: {…}, stages: {tests: {…}}}
 *   abort:      {failureRatio: 0.5, window: 10, minimumAttempts: 10}
 * </pre>
 *
 * Immutable; {@link #defaults()} holds the built-in stage policies and every {@code DEFAULT_*}.
 */
public final class DecisionRules {

  static final Set<String> FIELDS = new LinkedHashSet<>(List.of("timeScale", "policies", "conditions", "circuits",
      "budgets", "abort"));
  static final Set<String> CIRCUIT_FIELDS = new LinkedHashSet<>(List.of("stage", "agent", "dependency", "names"));
  static final Set<String> BUDGET_FIELDS = new LinkedHashSet<>(List.of("stage", "global", "stages"));
  /** The key of the conditions every stage starts from. */
  public static final String DEFAULT_CONDITIONS = "default";

  private final double timeScale;
  private final StagePolicies policies;
  private final RetryConditions defaultConditions;
  private final Map<String, RetryConditions> stageConditions;
  private final Map<CircuitName.Kind, CircuitConfig> circuitsByKind;
  private final Map<String, CircuitConfig> circuitsByName;
  private final BudgetConfig stageBudget;
  private final Map<String, BudgetConfig> stageBudgets;
  private final BudgetConfig globalBudget;
  private final AbortPolicy abort;

  private DecisionRules(Builder b) {
    timeScale = b.timeScale;
    policies = b.policies;
    defaultConditions = b.defaultConditions;
    stageConditions = Map.copyOf(b.stageConditions);
    circuitsByKind = Map.copyOf(b.circuitsByKind);
    circuitsByName = Map.copyOf(b.circuitsByName);
    stageBudget = b.stageBudget;
    stageBudgets = Map.copyOf(b.stageBudgets);
    globalBudget = b.globalBudget;
    abort = b.abort;
  }

  public static DecisionRules defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public double timeScale() {
    return timeScale;
  }

  /** The stage policies, already scaled by {@link #timeScale()}. */
  public StagePolicies policies() {
    return policies.scaled(timeScale);
  }

  public RetryPolicy policy(String stage) {
    return policies.forStage(stage).scaled(timeScale);
  }

  public RetryConditions conditions(String stage) {
    return stageConditions.getOrDefault(stage, defaultConditions);
  }

  public CircuitConfig circuit(CircuitName name) {
    CircuitConfig c = circuitsByName.getOrDefault(name.toString(), circuitsByKind.getOrDefault(name.kind(),
        CircuitConfig.DEFAULT));
    return timeScale == 1.0 ? c : c.scaled(timeScale);
  }

  public BudgetConfig stageBudget(String stage) {
    BudgetConfig c = stageBudgets.getOrDefault(stage, stageBudget);
    return timeScale == 1.0 ? c : c.scaled(timeScale);
  }

  public BudgetConfig globalBudget() {
    return timeScale == 1.0 ? globalBudget : globalBudget.scaled(timeScale);
  }

  public AbortPolicy abort() {
    return abort;
  }

  /**
   * Reads the {@code retry} section; everything left out keeps the defaults.
   *
   * @param path the section's key ({@code retry}), prefixed to every error
   * @throws PolicyException naming the key path, e.g. {@code retry.circuits.stage.failureThreshold}
   */
  public static DecisionRules fromMap(String path, Map<String, ?> values) {
    ConfigMap r = ConfigMap.of(path, values, FIELDS);
    Builder b = builder();
    b.timeScale(r.decimal("timeScale", 1.0));
    try {
      b.checkTimeScale();
    } catch (PolicyException e) {
      throw e.under(path);
    }
    Map<?, ?> policies = r.map("policies");
    if (policies != null) {
      b.policies(StagePolicies.builtIn().withOverrides(r.key("policies"), stringKeys(r.key("policies"), policies)));
    }
    Map<?, ?> conditions = r.map("conditions");
    if (conditions != null) {
      String cpath = r.key("conditions");
      Object def = conditions.get(DEFAULT_CONDITIONS);
      if (def != null) {
        b.defaultConditions(RetryConditions.fromMap(cpath + "." + DEFAULT_CONDITIONS, map(cpath + "." + DEFAULT_CONDITIONS, def),
            RetryConditions.DEFAULT));
      }
      for (Map.Entry<String, ?> e : stringKeys(cpath, conditions).entrySet()) {
        if (!e.getKey().equals(DEFAULT_CONDITIONS)) {
          String key = cpath + "." + e.getKey();
          b.stageConditions(e.getKey(), RetryConditions.fromMap(key, map(key, e.getValue()), b.defaultConditions));
        }
      }
    }
    Map<?, ?> circuits = r.map("circuits");
    if (circuits != null) {
      ConfigMap c = ConfigMap.of(r.key("circuits"), circuits, CIRCUIT_FIELDS);
      for (CircuitName.Kind kind : CircuitName.Kind.values()) {
        Map<?, ?> m = c.map(kind.prefix());
        if (m != null) {
          b.circuit(kind, CircuitConfig.fromMap(c.key(kind.prefix()), stringKeys(c.key(kind.prefix()), m), CircuitConfig.DEFAULT));
        }
      }
      Map<?, ?> names = c.map("names");
      if (names != null) {
        for (Map.Entry<String, ?> e : stringKeys(c.key("names"), names).entrySet()) {
          String key = c.key("names") + "." + e.getKey();
          CircuitName name;
          try {
            name = CircuitName.parse(e.getKey());
          } catch (IllegalArgumentException ex) {
            throw new PolicyException(key, ex.getMessage());
          }
          b.circuit(name, CircuitConfig.fromMap(key, map(key, e.getValue()), b.circuitsByKind.getOrDefault(name.kind(),
              CircuitConfig.DEFAULT)));
        }
      }
    }
    Map<?, ?> budgets = r.map("budgets");
    if (budgets != null) {
      ConfigMap c = ConfigMap.of(r.key("budgets"), budgets, BUDGET_FIELDS);
      if (c.has("stage")) {
        b.stageBudget(BudgetConfig.fromMap(c.key("stage"), stringKeys(c.key("stage"), c.map("stage")), BudgetConfig.DEFAULT));
      }
      if (c.has("global")) {
        b.globalBudget(BudgetConfig.fromMap(c.key("global"), stringKeys(c.key("global"), c.map("global")), BudgetConfig.DEFAULT));
      }
      Map<?, ?> stages = c.map("stages");
      if (stages != null) {
        for (Map.Entry<String, ?> e : stringKeys(c.key("stages"), stages).entrySet()) {
          String key = c.key("stages") + "." + e.getKey();
          b.stageBudget(e.getKey(), BudgetConfig.fromMap(key, map(key, e.getValue()), b.stageBudget));
        }
      }
    }
    Map<?, ?> abort = r.map("abort");
    if (abort != null) {
      b.abort(AbortPolicy.fromMap(r.key("abort"), stringKeys(r.key("abort"), abort), AbortPolicy.DEFAULT));
    }
    return b.build();
  }

  private static Map<String, ?> map(String key, Object value) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new PolicyException(key, "must be a map, was " + ConfigMap.describe(value));
    }
    return stringKeys(key, m);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> stringKeys(String path, Map<?, ?> m) {
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) {
        throw new PolicyException(path + "." + k, "keys must be strings");
      }
    }
    return (Map<String, ?>) m;
  }

  /** Everything, as the service's {@code GET /v1/policies} family may show it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("timeScale", timeScale);
    Map<String, Object> conditions = new LinkedHashMap<>();
    conditions.put(DEFAULT_CONDITIONS, defaultConditions.toMap());
    stageConditions.keySet().stream().sorted().forEach(s -> conditions.put(s, stageConditions.get(s).toMap()));
    m.put("conditions", conditions);
    Map<String, Object> circuits = new LinkedHashMap<>();
    for (CircuitName.Kind k : CircuitName.Kind.values()) {
      circuits.put(k.prefix(), circuitsByKind.getOrDefault(k, CircuitConfig.DEFAULT).toMap());
    }
    Map<String, Object> names = new LinkedHashMap<>();
    circuitsByName.keySet().stream().sorted().forEach(n -> names.put(n, circuitsByName.get(n).toMap()));
    circuits.put("names", names);
    m.put("circuits", circuits);
    Map<String, Object> budgets = new LinkedHashMap<>();
    budgets.put("stage", stageBudget.toMap());
    budgets.put("global", globalBudget.toMap());
    Map<String, Object> stages = new LinkedHashMap<>();
    stageBudgets.keySet().stream().sorted().forEach(s -> stages.put(s, stageBudgets.get(s).toMap()));
    budgets.put("stages", stages);
    m.put("budgets", budgets);
    m.put("abort", abort.toMap());
    return m;
  }

  /** Validates on {@link #build()}. */
  public static final class Builder {
    private double timeScale = 1.0;
    private StagePolicies policies = StagePolicies.builtIn();
    private RetryConditions defaultConditions = RetryConditions.DEFAULT;
    private final Map<String, RetryConditions> stageConditions = new LinkedHashMap<>();
    private final Map<CircuitName.Kind, CircuitConfig> circuitsByKind = new LinkedHashMap<>();
    private final Map<String, CircuitConfig> circuitsByName = new LinkedHashMap<>();
    private BudgetConfig stageBudget = BudgetConfig.DEFAULT;
    private final Map<String, BudgetConfig> stageBudgets = new LinkedHashMap<>();
    private BudgetConfig globalBudget = BudgetConfig.DEFAULT;
    private AbortPolicy abort = AbortPolicy.DEFAULT;

    private Builder() {
    }

    private Builder(DecisionRules r) {
      timeScale = r.timeScale;
      policies = r.policies;
      defaultConditions = r.defaultConditions;
      stageConditions.putAll(r.stageConditions);
      circuitsByKind.putAll(r.circuitsByKind);
      circuitsByName.putAll(r.circuitsByName);
      stageBudget = r.stageBudget;
      stageBudgets.putAll(r.stageBudgets);
      globalBudget = r.globalBudget;
      abort = r.abort;
    }

    public Builder timeScale(double timeScale) {
      this.timeScale = timeScale;
      return this;
    }

    public Builder policies(StagePolicies policies) {
      this.policies = Objects.requireNonNull(policies, "policies");
      return this;
    }

    public Builder defaultConditions(RetryConditions conditions) {
      this.defaultConditions = Objects.requireNonNull(conditions, "conditions");
      return this;
    }

    public Builder stageConditions(String stage, RetryConditions conditions) {
      stageConditions.put(Objects.requireNonNull(stage, "stage"), Objects.requireNonNull(conditions, "conditions"));
      return this;
    }

    /** The configuration of every circuit of a kind without one of its own. */
    public Builder circuit(CircuitName.Kind kind, CircuitConfig config) {
      circuitsByKind.put(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(config, "config"));
      return this;
    }

    public Builder circuit(CircuitName name, CircuitConfig config) {
      circuitsByName.put(name.toString(), Objects.requireNonNull(config, "config"));
      return this;
    }

    /** The budget of every stage without one of its own. */
    public Builder stageBudget(BudgetConfig config) {
      this.stageBudget = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder stageBudget(String stage, BudgetConfig config) {
      stageBudgets.put(Objects.requireNonNull(stage, "stage"), Objects.requireNonNull(config, "config"));
      return this;
    }

    public Builder globalBudget(BudgetConfig config) {
      this.globalBudget = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder abort(AbortPolicy abort) {
      this.abort = Objects.requireNonNull(abort, "abort");
      return this;
    }

    private void checkTimeScale() {
      PolicyException.check(timeScale > 0 && timeScale <= 1000 && Double.isFinite(timeScale), "timeScale",
          "must be above 0 and at most 1000, was " + timeScale);
    }

    /** @throws PolicyException naming the invalid field */
    public DecisionRules build() {
      checkTimeScale();
      return new DecisionRules(this);
    }
  }
}
