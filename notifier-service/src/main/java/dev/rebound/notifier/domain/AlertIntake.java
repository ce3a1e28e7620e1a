package dev.rebound.notifier.domain;

import dev.rebound.common.text.Redactor;
import dev.rebound.common.text.SecretKeys;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns the three shapes an alert arrives in into {@link AlertEvent}s. Input is the decoded JSON as plain
 * maps and lists; anything malformed is an {@link InvalidAlertException} naming the field, so the edge can
 * answer 400 and write nothing.
 *
 * <p>Secrets do not get past the intake: the summary, every label value and the details (annotations
 * included) are {@link Redactor redacted}, a label or detail named like a secret loses its value, so
 * nothing stored, listed, published or sent to a channel carries one.
 */
public final class AlertIntake {

  /** Alertmanager's {@code global.resolve_timeout} default: an alert posted without endsAt ends this long after it was last posted. */
  public static final Duration DEFAULT_RESOLVE_TIMEOUT = Duration.ofMinutes(5);
  /** A Prometheus alert without a {@code kind} label gets this one, so routes and templates can tell it apart. */
  public static final String PROMETHEUS_KIND = "prometheus";
  /** A {@code POST /v1/alerts} alert without a {@code kind} label gets this one. */
  public static final String EXTERNAL_KIND = "external";

  static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final int MAX_SUMMARY = 1024;
  private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

  private static final Set<String> REBOUND_FIELDS = Set.of("kind", "summary", "severity", "stage", "workflow",
      "category", "fingerprint", "signature", "task", "circuit", "labels", "details", "dedupKey", "startsAt", "endsAt",
      "generatorURL", "at", "source");
  private static final Set<String> API_FIELDS = Set.of("labels", "summary", "details", "dedupKey", "startsAt",
      "endsAt", "generatorURL");
  private static final Set<String> AM_FIELDS = Set.of("labels", "annotations", "startsAt", "endsAt", "generatorURL");

  private static final Redactor REDACTOR = new Redactor();

  private AlertIntake() {
  }

  /**
   * Rebound's own alert event (ledger, retry service, analyzer): {@code kind} and {@code summary}, the
   * well-known labels as top-level fields, extra {@code labels}, {@code details}. The dedup key, when not
   * given, is what makes a repeat the same alert: the kind and the task, circuit, workflow or fingerprint
   * it is about. The retry service's shape is accepted too: {@code at} (when it happened, the start unless
   * {@code startsAt} says otherwise) and {@code source} (the sending service, kept in the details).
   */
  public static AlertEvent fromRebound(Map<String, ?> body, Instant now) {
    refuseUnknown("", body, REBOUND_FIELDS);
    Map<String, String> labels = labels("labels", body.get("labels"));
    for (String name : List.of("kind", "severity", "stage", "workflow", "category", "fingerprint", "signature", "task",
        "circuit")) {
      String v = optionalText(name, body.get(name));
      if (v != null && !v.isEmpty()) {
        labels.put(name, v);
      }
    }
    String kind = labels.get(AlertLabels.KIND);
    if (kind == null || kind.isEmpty()) {
      throw new InvalidAlertException("kind", "is required (dead-letter, circuit-open, budget-exhausted, "
          + "workflow-aborted, new-fingerprint or the sender's own)");
    }
    labels.putIfAbsent(AlertLabels.SEVERITY, "error");
    String dedupKey = optionalText("dedupKey", body.get("dedupKey"));
    if (dedupKey == null || dedupKey.isEmpty()) {
      dedupKey = reboundDedupKey(kind, labels);
    }
    Map<String, Object> details = details("details", body.get("details"));
    String sender = optionalText("source", body.get("source"));
    if (sender != null && !sender.isEmpty()) {
      details = new LinkedHashMap<>(details);
      details.putIfAbsent("source", sender);
    }
    Instant startsAt = time("startsAt", body.get("startsAt"), time("at", body.get("at"), now));
    return new AlertEvent(dedupKey, labels, summary(body.get("summary")), details, startsAt,
        time("endsAt", body.get("endsAt"), null), REDACTOR.redactOrNull(optionalText("generatorURL", body.get("generatorURL"))),
        AlertSource.REBOUND);
  }

  /** {@code POST /v1/alerts}: {@code labels} (required), {@code summary}, {@code details}, optional dedup key and times. */
  public static AlertEvent fromApi(Map<String, ?> body, Instant now) {
    refuseUnknown("", body, API_FIELDS);
    if (body.get("labels") == null) {
      throw new InvalidAlertException("labels", "is required: a map of label names to values");
    }
    Map<String, String> labels = labels("labels", body.get("labels"));
    if (labels.isEmpty()) {
      throw new InvalidAlertException("labels", "must name at least one label");
    }
    Map<String, String> identity = new TreeMap<>(labels);
    labels.putIfAbsent(AlertLabels.KIND, EXTERNAL_KIND);
    labels.putIfAbsent(AlertLabels.SEVERITY, "error");
    String dedupKey = optionalText("dedupKey", body.get("dedupKey"));
    return new AlertEvent(dedupKey == null || dedupKey.isEmpty() ? LabelFingerprint.of(identity) : dedupKey, labels,
        summary(body.get("summary")), details("details", body.get("details")),
        time("startsAt", body.get("startsAt"), now), time("endsAt", body.get("endsAt"), null),
        REDACTOR.redactOrNull(optionalText("generatorURL", body.get("generatorURL"))), AlertSource.API);
  }

  /**
   * Alertmanager's API v2 {@code POST /api/v2/alerts}: a list of {@code {labels, annotations, startsAt,
   * endsAt, generatorURL}}. The dedup key is the fingerprint of the labels as Alertmanager computes it;
   * the summary is the {@code summary} annotation (else {@code description}, else {@code alertname});
   * annotations go to the details. As in Alertmanager, a missing {@code startsAt} is now and a missing
   * {@code endsAt} is now + {@code resolveTimeout}: a Prometheus that stops re-sending lets the alert end.
   */
  public static List<AlertEvent> fromAlertmanager(List<?> alerts, Instant now, Duration resolveTimeout) {
    Objects.requireNonNull(resolveTimeout, "resolveTimeout");
    List<AlertEvent> out = new ArrayList<>(alerts.size());
    for (int i = 0; i < alerts.size(); i++) {
      String at = "[" + i + "]";
      if (!(alerts.get(i) instanceof Map<?, ?> raw)) {
        throw new InvalidAlertException(at, "must be an object with labels, annotations, startsAt, endsAt, generatorURL");
      }
      Map<String, ?> alert = stringKeys(at, raw);
      refuseUnknown(at + ".", alert, AM_FIELDS);
      Map<String, String> labels = labels(at + ".labels", alert.get("labels"));
      if (labels.isEmpty()) {
        throw new InvalidAlertException(at + ".labels", "must name at least one label");
      }
      String dedupKey = LabelFingerprint.of(labels);
      Map<String, String> annotations = labels(at + ".annotations", alert.get("annotations"));
      String summary = annotations.getOrDefault("summary",
          annotations.getOrDefault("description", labels.getOrDefault(AlertLabels.ALERTNAME, dedupKey)));
      Map<String, Object> details = new LinkedHashMap<>(annotations);
      details.remove("summary");
      labels.putIfAbsent(AlertLabels.KIND, PROMETHEUS_KIND);
      Instant startsAt = time(at + ".startsAt", alert.get("startsAt"), now);
      Instant endsAt = time(at + ".endsAt", alert.get("endsAt"), null);
      out.add(new AlertEvent(dedupKey, labels, clip(summary), details, startsAt,
          endsAt == null ? now.plus(resolveTimeout) : endsAt,
          REDACTOR.redactOrNull(optionalText(at + ".generatorURL", alert.get("generatorURL"))), AlertSource.ALERTMANAGER));
    }
    return out;
  }

  static String reboundDedupKey(String kind, Map<String, String> labels) {
    // the signature before the fingerprint: one alert per underlying error, not one per message template
    for (String subject : List.of(AlertLabels.TASK, AlertLabels.CIRCUIT, AlertLabels.WORKFLOW, AlertLabels.SIGNATURE,
        AlertLabels.FINGERPRINT)) {
      String v = labels.get(subject);
      if (v != null && !v.isEmpty()) {
        return kind + ":" + v;
      }
    }
    return kind + ":" + LabelFingerprint.of(labels);
  }

  private static String summary(Object raw) {
    String s = optionalText("summary", raw);
    if (s == null || s.isBlank()) {
      throw new InvalidAlertException("summary", "is required");
    }
    return clip(REDACTOR.redact(s));
  }

  private static String clip(String s) {
    return s.length() <= MAX_SUMMARY ? s : s.substring(0, MAX_SUMMARY - 1) + "…";
  }

  private static void refuseUnknown(String prefix, Map<String, ?> body, Set<String> known) {
    for (String key : body.keySet()) {
      if (!known.contains(key)) {
        throw new InvalidAlertException(prefix + key, "unknown field; known fields: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private static Map<String, String> labels(String field, Object raw) {
    Map<String, String> out = new TreeMap<>();
    if (raw == null) {
      return out;
    }
    if (!(raw instanceof Map<?, ?> map)) {
      throw new InvalidAlertException(field, "must be a map of names to string values");
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!LABEL_NAME.matcher(name).matches()) {
        throw new InvalidAlertException(field + "." + name, "is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
      }
      Object v = e.getValue();
      if (v == null || v instanceof Map<?, ?> || v instanceof List<?>) {
        throw new InvalidAlertException(field + "." + name, "must be a string");
      }
      String value = storable(field + "." + name, String.valueOf(v));
      if (!value.isEmpty()) { // an empty label is no label, as in Prometheus
        out.put(name, SecretKeys.isSecret(name, value) ? "<redacted:" + SecretKeys.kindOf(name) + ">" : REDACTOR.redact(value));
      }
    }
    return out;
  }

  private static Map<String, Object> details(String field, Object raw) {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof Map<?, ?> map)) {
      throw new InvalidAlertException(field, "must be an object");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(storable(field, String.valueOf(k)), storableTree(field + "." + k, v)));
    @SuppressWarnings("unchecked")
    Map<String, Object> redacted = (Map<String, Object>) REDACTOR.redactTree(out);
    return redacted;
  }

  /**
   * Refuses text PostgreSQL cannot store as given — a NUL character (text and jsonb reject U+0000) or an unpaired
   * UTF-16 surrogate (no character: it would be stored as '?') — here at the intake, so that a list of alerts with
   * one such value is refused whole instead of failing in the database after the alerts before it were written.
   */
  private static String storable(String field, String text) {
    if (text.indexOf('\u0000') >= 0) {
      throw new InvalidAlertException(field, "contains a NUL character");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidAlertException(field, "contains an unpaired UTF-16 surrogate, which is not a Unicode character");
      }
    }
    return text;
  }

  /** {@link #storable} for every key and string of a details tree; a number beyond a double's range is refused too. */
  private static Object storableTree(String field, Object v) {
    if (v instanceof String s) {
      storable(field, s);
    } else if (v instanceof Double d && !Double.isFinite(d) || v instanceof Float f && !Float.isFinite(f)) {
      throw new InvalidAlertException(field, "holds a number that is not finite (beyond the range of a double)");
    } else if (v instanceof Map<?, ?> m) {
      m.forEach((k, x) -> storableTree(storable(field, String.valueOf(k)).isEmpty() ? field : field + "." + k, x));
    } else if (v instanceof List<?> l) {
      l.forEach(x -> storableTree(field, x));
    }
    return v;
  }

  private static String optionalText(String field, Object raw) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof String s) {
      return storable(field, s).trim();
    }
    if (raw instanceof Number || raw instanceof Boolean) {
      return String.valueOf(raw);
    }
    throw new InvalidAlertException(field, "must be a string");
  }

  private static Instant time(String field, Object raw, Instant fallback) {
    String s = optionalText(field, raw);
    if (s == null || s.isEmpty()) {
      return fallback;
    }
    try {
      Instant t = OffsetDateTime.parse(s).toInstant();
      return t.equals(GO_ZERO_TIME) ? fallback : t; // Go's zero time means "not set"
    } catch (DateTimeParseException e) {
      throw new InvalidAlertException(field, "must be an RFC 3339 time such as 2025-01-01T12:00:00Z, was '" + s + "'");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> stringKeys(String field, Map<?, ?> raw) {
    for (Object k : raw.keySet()) {
      if (!(k instanceof String)) {
        throw new InvalidAlertException(field, "keys must be strings");
      }
    }
    return (Map<String, ?>) raw;
  }
}
