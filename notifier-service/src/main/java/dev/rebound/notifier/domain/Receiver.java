package dev.rebound.notifier.domain;

import dev.rebound.common.policy.ConfigMap.Nulls;
import dev.rebound.common.policy.ConfigMap;
import dev.rebound.common.policy.PolicyException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A named set of endpoints a route sends to. A receiver with no endpoints is valid: it drops (Alertmanager's "null" receiver). */
public record Receiver(String name, List<ChannelTarget> targets) {

  private static final Set<String> FIELDS = Set.of("name", "slack", "pagerduty", "teams", "email", "webhook");

  public Receiver {
    targets = List.copyOf(targets);
  }

  static Receiver fromMap(String path, Object raw, ConfigFiles files) {
    ConfigMap r = ConfigMap.of(path, raw, FIELDS, Nulls.ABSENT);
    String name = r.requiredText("name");
    List<ChannelTarget> targets = new ArrayList<>();
    for (String channel : List.of("slack", "pagerduty", "teams", "email", "webhook")) {
      Object v = r.raw(channel);
      if (v == null) {
        continue;
      }
      List<?> items = v instanceof List<?> l ? l : List.of(v);
      for (int i = 0; i < items.size(); i++) {
        String at = r.key(channel) + (v instanceof List<?> ? "[" + i + "]" : "");
        targets.add(target(channel, at, items.get(i), files));
      }
    }
    return new Receiver(name, targets);
  }

  private static ChannelTarget target(String channel, String path, Object raw, ConfigFiles files) {
    return switch (channel) {
      case "slack" -> {
        ConfigMap r = ConfigMap.of(path, raw, Set.of("url", "urlFile", "sendResolved", "templateFile"), Nulls.ABSENT);
        yield new ChannelTarget.Slack(secret(r, "url", "urlFile", files), r.bool("sendResolved", true),
            template(r, files));
      }
      case "pagerduty" -> {
        ConfigMap r = ConfigMap.of(path, raw,
            Set.of("routingKey", "routingKeyFile", "url", "sendResolved", "templateFile"), Nulls.ABSENT);
        yield new ChannelTarget.PagerDuty(secret(r, "routingKey", "routingKeyFile", files),
            r.text("url", ChannelTarget.PagerDuty.EVENTS_V2_URL), r.bool("sendResolved", true), template(r, files));
      }
      case "teams" -> {
        ConfigMap r = ConfigMap.of(path, raw, Set.of("url", "urlFile", "sendResolved", "templateFile"), Nulls.ABSENT);
        yield new ChannelTarget.Teams(secret(r, "url", "urlFile", files), r.bool("sendResolved", true),
            template(r, files));
      }
      case "email" -> {
        ConfigMap r = ConfigMap.of(path, raw, Set.of("to", "from", "smarthost", "username", "password",
            "passwordFile", "sendResolved", "templateFile"), Nulls.ABSENT);
        List<String> to = r.strings("to");
        PolicyException.check(!to.isEmpty(), r.key("to"), "must name at least one address");
        Secret password = r.has("password") || r.has("passwordFile") ? secret(r, "password", "passwordFile", files) : null;
        yield new ChannelTarget.Email(to, r.requiredText("from"), r.requiredText("smarthost"),
            r.text("username", null), password, r.bool("sendResolved", true), template(r, files));
      }
      default -> {
        ConfigMap r = ConfigMap.of(path, raw, Set.of("url", "urlFile", "signingKey", "signingKeyFile",
            "alertmanagerFormat", "sendResolved", "templateFile", "maxPerSecond"), Nulls.ABSENT);
        int maxPerSecond = r.integer("maxPerSecond", ChannelLimits.WEBHOOK_PER_SECOND);
        PolicyException.check(maxPerSecond >= 1, r.key("maxPerSecond"), "must be at least 1");
        Secret key = r.has("signingKey") || r.has("signingKeyFile")
            ? secret(r, "signingKey", "signingKeyFile", files) : null;
        yield new ChannelTarget.Webhook(secret(r, "url", "urlFile", files), key, r.bool("alertmanagerFormat", false),
            r.bool("sendResolved", true), template(r, files), maxPerSecond);
      }
    };
  }

  /** Exactly one of {@code field} (inline) and {@code fileField}. The error names the key, never the value. */
  private static Secret secret(ConfigMap r, String field, String fileField, ConfigFiles files) {
    String kebab = field.replaceAll("([A-Z])", "-$1").toLowerCase();
    String fileKebab = fileField.replaceAll("([A-Z])", "-$1").toLowerCase();
    if (r.has(field) == r.has(fileField)) {
      throw new PolicyException(r.key(kebab), "give exactly one of " + kebab + " and " + fileKebab);
    }
    if (r.has(field)) {
      String v = r.text(field, "");
      PolicyException.check(!v.isEmpty(), r.key(kebab), "must not be empty");
      return Secret.of(v);
    }
    String path = r.requiredText(fileField);
    String content = read(r.key(fileKebab), path, files);
    PolicyException.check(!content.isBlank(), r.key(fileKebab), "file " + path + " is empty");
    return Secret.fromFile(path, content);
  }

  private static String template(ConfigMap r, ConfigFiles files) {
    String path = r.text("templateFile", null);
    if (path == null) {
      return null;
    }
    String text = read(r.key("template-file"), path, files);
    MessageTemplate.parse(r.key("template-file"), text); // fail at start, not at the first alert
    return text;
  }

  private static String read(String key, String path, ConfigFiles files) {
    try {
      return files.read(path);
    } catch (UncheckedIOException | SecurityException e) {
      throw new PolicyException(key, "cannot read " + path + ": " + e.getMessage());
    }
  }

  /** All receivers of {@code notifier.receivers}, by name. */
  static Map<String, Receiver> fromList(String path, List<?> items, ConfigFiles files) {
    Map<String, Receiver> out = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Receiver rec = fromMap(path + "[" + i + "]", items.get(i), files);
      PolicyException.check(!out.containsKey(rec.name()), path + "[" + i + "].name",
          "receiver '" + rec.name() + "' is defined twice");
      out.put(rec.name(), rec);
    }
    return out;
  }
}
