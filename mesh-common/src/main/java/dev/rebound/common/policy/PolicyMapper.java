package dev.rebound.common.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
      o.put(BASE, PolicyValues.format(e.base())).put(FACTOR, e.factor());
    } else if (b instanceof Backoff.Linear l) {
      o.put(BASE, PolicyValues.format(l.base())).put(INCREMENT, PolicyValues.format(l.increment()));
    } else if (b instanceof Backoff.Fixed f) {
      o.put(INTERVAL, PolicyValues.format(f.interval()));
    } else if (b instanceof Backoff.Custom c) {
      o.put(DELAYS, new JsonArray(c.delays().stream().map(PolicyValues::format).toList()));
    }
    o.put(MAX_RETRIES, p.maxRetries()).put(MAX_DELAY, PolicyValues.format(p.maxDelay()));
    p.deadline().ifPresent(d -> o.put(DEADLINE, PolicyValues.format(d)));
    p.attemptTimeout().ifPresent(d -> o.put(ATTEMPT_TIMEOUT, PolicyValues.format(d)));
    return o.put(JITTER, p.jitter().jsonName()).put(DETERMINISTIC, p.deterministic());
  }

  static RetryPolicy fromMap(String path, Map<String, ?> raw, RetryPolicy base) {
    String prefix = path == null ? "" : path;
    try {
      return read(canonical(raw), base);
    } catch (PolicyException e) {
      throw e.under(prefix);
    }
  }

  /** Keys as camelCase, refusing unknown ones and the same field written twice. */
  private static Map<String, Object> canonical(Map<String, ?> raw) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : raw.entrySet()) {
      String key = e.getKey();
      String field = camel(key);
      if (!FIELDS.contains(field)) {
        throw new PolicyException(key, "unknown field; known fields: " + String.join(", ", FIELDS));
      }
      if (out.containsKey(field)) {
        throw new PolicyException(key, "given twice (as " + field + " and " + kebab(field) + ")");
      }
      if (e.getValue() == null) {
        throw new PolicyException(key, "must have a value");
      }
      out.put(field, e.getValue());
    }
    return out;
  }

  private static RetryPolicy read(Map<String, Object> v, RetryPolicy base) {
    Backoff.Kind kind = v.containsKey(BACKOFF)
        ? Backoff.Kind.parse(BACKOFF, PolicyValues.text(BACKOFF, v.get(BACKOFF)))
        : base.backoff().kind();
    for (String key : v.keySet()) {
      boolean backoffParameter = PARAMETERS.values().stream().anyMatch(s -> s.contains(key));
      if (backoffParameter && !PARAMETERS.get(kind).contains(key)) {
        throw new PolicyException(key, "is not a parameter of " + kind.jsonName() + " backoff (its parameters: "
            + PARAMETER_LIST.get(kind) + ")");
      }
    }
    RetryPolicy.Builder b = base.toBuilder().backoff(backoff(kind, v, base.backoff()));
    if (v.containsKey(MAX_RETRIES)) {
      b.maxRetries(PolicyValues.integer(MAX_RETRIES, v.get(MAX_RETRIES)));
    }
    if (v.containsKey(MAX_DELAY)) {
      b.maxDelay(PolicyValues.duration(MAX_DELAY, v.get(MAX_DELAY)));
    }
    if (v.containsKey(DEADLINE)) {
      b.deadline(optionalDuration(DEADLINE, v.get(DEADLINE)));
    }
    if (v.containsKey(ATTEMPT_TIMEOUT)) {
      b.attemptTimeout(optionalDuration(ATTEMPT_TIMEOUT, v.get(ATTEMPT_TIMEOUT)));
    }
    if (v.containsKey(JITTER)) {
      b.jitter(Jitter.parse(JITTER, PolicyValues.text(JITTER, v.get(JITTER))));
    }
    if (v.containsKey(DETERMINISTIC)) {
      b.deterministic(PolicyValues.bool(DETERMINISTIC, v.get(DETERMINISTIC)));
    }
    return b.build();
  }

  /** {@code none} (any case) clears an optional duration inherited from the base policy. */
  private static Duration optionalDuration(String field, Object value) {
    if (value instanceof String s && s.trim().equalsIgnoreCase("none")) {
      return null;
    }
    return PolicyValues.duration(field, value);
  }

  private static Backoff backoff(Backoff.Kind kind, Map<String, Object> v, Backoff inherited) {
    boolean same = inherited.kind() == kind;
    return switch (kind) {
      case EXPONENTIAL -> {
        Backoff.Exponential was = same ? (Backoff.Exponential) inherited : null;
        Duration base = v.containsKey(BASE) ? PolicyValues.duration(BASE, v.get(BASE)) : was == null ? null : was.base();
        double factor = v.containsKey(FACTOR) ? PolicyValues.decimal(FACTOR, v.get(FACTOR))
            : was == null ? RetryPolicy.DEFAULT_FACTOR : was.factor();
        yield Backoff.exponential(required(BASE, kind, base), factor);
      }
      case LINEAR -> {
        Backoff.Linear was = same ? (Backoff.Linear) inherited : null;
        Duration base = v.containsKey(BASE) ? PolicyValues.duration(BASE, v.get(BASE)) : was == null ? null : was.base();
        required(BASE, kind, base);
        Duration increment = v.containsKey(INCREMENT) ? PolicyValues.duration(INCREMENT, v.get(INCREMENT))
            : was == null ? base : was.increment();
        yield Backoff.linear(base, increment);
      }
      case FIXED -> {
        Duration interval = v.containsKey(INTERVAL) ? PolicyValues.duration(INTERVAL, v.get(INTERVAL))
            : same ? ((Backoff.Fixed) inherited).interval() : null;
        yield Backoff.fixed(required(INTERVAL, kind, interval));
      }
      case CUSTOM -> {
        List<Duration> delays = v.containsKey(DELAYS) ? PolicyValues.durations(DELAYS, v.get(DELAYS))
            : same ? ((Backoff.Custom) inherited).delays() : null;
        yield Backoff.custom(required(DELAYS, kind, delays));
      }
    };
  }

  private static <T> T required(String field, Backoff.Kind kind, T value) {
    if (value == null) {
      throw new PolicyException(field, "is required by " + kind.jsonName() + " backoff");
    }
    return value;
  }

  private static String camel(String key) {
    StringBuilder sb = new StringBuilder(key.length());
    boolean upper = false;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '-') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  private static String kebab(String field) {
    StringBuilder sb = new StringBuilder(field.length() + 4);
    for (char c : field.toCharArray()) {
      if (Character.isUpperCase(c)) {
        sb.append('-').append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
