package dev.rebound.common.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The one JSON/YAML shape of a {@link RetryPolicy}, both directions. */
final class PolicyMapper {

  static final String BACKOFF = "backoff";
  static final String BASE = "base";
  static final String FACTOR = "factor";
  static final String INCREMENT = "increment";
  static final String INTERVAL = "interval";
  static final String DELAYS = "delays";
  static final String MAX_RETRIES = "maxRetries";
  static final String MAX_DELAY = "maxDelay";
  static final String DEADLINE = "deadline";
  static final String ATTEMPT_TIMEOUT = "attemptTimeout";
  static final String JITTER = "jitter";
  static final String DETERMINISTIC = "deterministic";

  /** Every field, in the order it is written. */
  static final List<String> FIELDS = List.of(BACKOFF, BASE, FACTOR, INCREMENT, INTERVAL, DELAYS, MAX_RETRIES,
      MAX_DELAY, DEADLINE, ATTEMPT_TIMEOUT, JITTER, DETERMINISTIC);

  private static final Map<Backoff.Kind, Set<String>> PARAMETERS = new EnumMap<>(Map.of(
      Backoff.Kind.EXPONENTIAL, Set.of(BASE, FACTOR),
      Backoff.Kind.LINEAR, Set.of(BASE, INCREMENT),
      Backoff.Kind.FIXED, Set.of(INTERVAL),
      Backoff.Kind.CUSTOM, Set.of(DELAYS)));

  private static final Map<Backoff.Kind, String> PARAMETER_LIST = Map.of(
      Backoff.Kind.EXPONENTIAL, "base, factor",
      Backoff.Kind.LINEAR, "base, increment",
      Backoff.Kind.FIXED, "interval",
      Backoff.Kind.CUSTOM, "delays");

  private PolicyMapper() {
  }

  static JsonObject toJson(RetryPolicy p) {
    JsonObject o = new JsonObject().put(BACKOFF, p.backoff().kind().jsonName());
    Backoff b = p.backoff();
    if (b instanceof Backoff.Exponential e) {
      o.put(BASE, ConfigMap.format(e.base())).put(FACTOR, e.factor());
    } else if (b instanceof Backoff.Linear l) {
      o.put(BASE, ConfigMap.format(l.base())).put(INCREMENT, ConfigMap.format(l.increment()));
    } else if (b instanceof Backoff.Fixed f) {
      o.put(INTERVAL, ConfigMap.format(f.interval()));
    } else if (b instanceof Backoff.Custom c) {
      o.put(DELAYS, new JsonArray(c.delays().stream().map(ConfigMap::format).toList()));
    }
    o.put(MAX_RETRIES, p.maxRetries()).put(MAX_DELAY, ConfigMap.format(p.maxDelay()));
    p.deadline().ifPresent(d -> o.put(DEADLINE, ConfigMap.format(d)));
    p.attemptTimeout().ifPresent(d -> o.put(ATTEMPT_TIMEOUT, ConfigMap.format(d)));
    return o.put(JITTER, p.jitter().jsonName()).put(DETERMINISTIC, p.deterministic());
  }

  static RetryPolicy fromMap(String path, Map<String, ?> raw, RetryPolicy base) {
    String prefix = path == null ? "" : path;
    try {
      // the reader names keys relative to the policy: the builders' errors get the same prefix below
      return read(ConfigMap.of("", plainJson(raw), FIELDS), base);
    } catch (PolicyException e) {
      throw e.under(prefix);
    }
  }

  /** JSON objects and arrays as the plain maps and lists {@link ConfigMap} reads. */
  private static Map<String, Object> plainJson(Map<String, ?> raw) {
    Map<String, Object> out = new LinkedHashMap<>();
    raw.forEach((k, v) -> out.put(k, v instanceof JsonObject o ? o.getMap() : v instanceof JsonArray a ? a.getList() : v));
    return out;
  }

  private static RetryPolicy read(ConfigMap v, RetryPolicy base) {
    Backoff.Kind kind = v.has(BACKOFF) ? Backoff.Kind.parse(v.key(BACKOFF), v.text(BACKOFF, null)) : base.backoff().kind();
    for (String field : FIELDS) {
      boolean backoffParameter = PARAMETERS.values().stream().anyMatch(s -> s.contains(field));
      if (v.has(field) && backoffParameter && !PARAMETERS.get(kind).contains(field)) {
        throw new PolicyException(v.key(field), "is not a parameter of " + kind.jsonName()
            + " backoff (its parameters: " + PARAMETER_LIST.get(kind) + ")");
      }
    }
    RetryPolicy.Builder b = base.toBuilder().backoff(backoff(kind, v, base.backoff()))
        .maxRetries(v.integer(MAX_RETRIES, base.maxRetries()))
        .maxDelay(v.duration(MAX_DELAY, base.maxDelay()));
    if (v.has(DEADLINE)) {
      b.deadline(optionalDuration(v, DEADLINE));
    }
    if (v.has(ATTEMPT_TIMEOUT)) {
      b.attemptTimeout(optionalDuration(v, ATTEMPT_TIMEOUT));
    }
    if (v.has(JITTER)) {
      b.jitter(Jitter.parse(v.key(JITTER), v.text(JITTER, null)));
    }
    return b.deterministic(v.bool(DETERMINISTIC, base.deterministic())).build();
  }

  /** {@code none} (any case) clears an optional duration inherited from the base policy. */
  private static Duration optionalDuration(ConfigMap v, String field) {
    return v.raw(field) instanceof String s && s.trim().equalsIgnoreCase("none") ? null : v.duration(field, null);
  }

  private static Backoff backoff(Backoff.Kind kind, ConfigMap v, Backoff inherited) {
    boolean same = inherited.kind() == kind;
    return switch (kind) {
      case EXPONENTIAL -> {
        Backoff.Exponential was = same ? (Backoff.Exponential) inherited : null;
        Duration base = v.duration(BASE, was == null ? null : was.base());
        double factor = v.decimal(FACTOR, was == null ? RetryPolicy.DEFAULT_FACTOR : was.factor());
        yield Backoff.exponential(required(BASE, kind, base), factor);
      }
      case LINEAR -> {
        Backoff.Linear was = same ? (Backoff.Linear) inherited : null;
        Duration base = required(BASE, kind, v.duration(BASE, was == null ? null : was.base()));
        yield Backoff.linear(base, v.duration(INCREMENT, was == null ? base : was.increment()));
      }
      case FIXED -> Backoff.fixed(required(INTERVAL, kind,
          v.duration(INTERVAL, same ? ((Backoff.Fixed) inherited).interval() : null)));
      case CUSTOM -> Backoff.custom(required(DELAYS, kind,
          v.durations(DELAYS, same ? ((Backoff.Custom) inherited).delays() : null)));
    };
  }

  private static <T> T required(String field, Backoff.Kind kind, T value) {
    if (value == null) {
      throw new PolicyException(field, "is required by " + kind.jsonName() + " backoff");
    }
    return value;
  }
}
