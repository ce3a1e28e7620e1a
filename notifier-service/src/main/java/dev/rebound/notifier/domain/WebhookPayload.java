package dev.rebound.notifier.domain;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A generic webhook body, Rebound's own or Alertmanager's webhook payload (version "4": receiver, status,
 * alerts[], groupLabels, commonLabels, commonAnnotations, externalURL, version, groupKey, truncatedAlerts) so an
 * Alertmanager receiver works unchanged; and the HMAC-SHA256 signature header of the encoded body.
 */
public final class WebhookPayload {
  /** The header carrying {@link #signature}. */
  public static final String SIGNATURE_HEADER = "X-Rebound-Signature";
  private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";

  private WebhookPayload() {
  }

  /** Rebound's shape: the group and its alerts as {@link AlertView}s. */
  public static Map<String, Object> rebound(GroupNotification.Message m) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("groupKey", m.groupKey());
    body.put("receiver", m.receiver());
    body.put("status", m.status());
    body.put("digest", m.digest());
    body.put("groupLabels", m.groupLabels());
    body.put("alerts", m.all().stream().map(WebhookPayload::alert).toList());
    return body;
  }

  private static Map<String, Object> alert(AlertView a) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("id", a.id());
    o.put("dedupKey", a.dedupKey());
    o.put("state", a.state().name().toLowerCase());
    o.put("severity", a.severity());
    o.put("summary", a.summary());
    o.put("labels", a.labels());
    o.put("details", a.details());
    o.put("startsAt", a.startsAt().toString());
    o.put("resolvedAt", a.resolvedAt() == null ? null : a.resolvedAt().toString());
    o.put("generatorURL", a.generatorUrl());
    return o;
  }

  /** Alertmanager's webhook payload, version 4. The summary goes back into the {@code summary} annotation. */
  public static Map<String, Object> alertmanager(GroupNotification.Message m, String externalUrl) {
    List<Map<String, Object>> alerts = new ArrayList<>();
    List<Map<String, String>> labelSets = new ArrayList<>();
    List<Map<String, String>> annotationSets = new ArrayList<>();
    for (AlertView a : m.all()) {
      Map<String, String> annotations = new LinkedHashMap<>();
      annotations.put("summary", a.summary());
      a.details().forEach((k, v) -> {
        if (v instanceof String s) {
          annotations.put(k, s);
        }
      });
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("status", a.resolved() ? "resolved" : "firing");
      o.put("labels", a.labels());
      o.put("annotations", annotations);
      o.put("startsAt", a.startsAt().toString());
      o.put("endsAt", a.resolved() && a.resolvedAt() != null ? a.resolvedAt().toString() : GO_ZERO_TIME);
      o.put("generatorURL", a.generatorUrl() == null ? "" : a.generatorUrl());
      o.put("fingerprint", LabelFingerprint.of(a.labels()));
      alerts.add(o);
      labelSets.add(a.labels());
      annotationSets.add(annotations);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", "4");
    body.put("groupKey", m.groupKey());
    body.put("truncatedAlerts", 0);
    body.put("status", m.status());
    body.put("receiver", m.receiver());
    body.put("groupLabels", m.groupLabels());
    body.put("commonLabels", common(labelSets));
    body.put("commonAnnotations", common(annotationSets));
    body.put("externalURL", externalUrl == null ? "" : externalUrl);
    body.put("alerts", alerts);
    return body;
  }

  /** The pairs every map has (Alertmanager's commonLabels / commonAnnotations). */
  static Map<String, String> common(List<Map<String, String>> sets) {
    if (sets.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>(sets.get(0));
    for (Map<String, String> s : sets.subList(1, sets.size())) {
      out.entrySet().removeIf(e -> !e.getValue().equals(s.get(e.getKey())));
    }
    return new TreeMap<>(out);
  }

  /**
   * The signature header's value for the exact bytes sent: {@code t=<unix seconds>,sha256=<hex HMAC-SHA256 of
   * "<t>.<body>">}. The timestamp lets a receiver refuse replays; the receiver recomputes it with the shared key.
   */
  public static String signature(Secret key, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return "t=" + unixSeconds + ",sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
