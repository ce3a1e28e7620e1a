package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A new silence ({@code POST /v1/silences}): Alertmanager matchers ({@code ["stage=\"tests\"", "kind=~\"dead.*\""]}),
 * from {@code startsAt} (default now) until {@code endsAt} or for {@code duration} ({@code 2h}, {@code 30m}), who and
 * why. The notifier checks the matchers and the range.
 */
public record SilenceRequest(List<String> matchers, Instant startsAt, Instant endsAt, Duration duration,
    String createdBy, String comment) {
  public static final int MAX_MATCHERS = 20;
  private static final Set<String> FIELDS = Set.of("matchers", "startsAt", "endsAt", "duration", "createdBy", "comment");

  public SilenceRequest {
    matchers = List.copyOf(matchers);
  }

  public static SilenceRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    JsonArray raw = JsonFields.array(o, "matchers", MAX_MATCHERS);
    if (raw == null || raw.isEmpty()) {
      throw ReboundException.invalidField("matchers", "is required: a list of matchers such as stage=\"tests\"");
    }
    List<String> matchers = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      if (!(raw.getValue(i) instanceof String s) || s.isBlank() || s.length() > 500 || s.indexOf('\u0000') >= 0) {
        throw ReboundException.invalidField("matchers[" + i + "]", "must be a matcher text of at most 500 characters");
      }
      matchers.add(s);
    }
    Instant endsAt = JsonFields.instant(o, "endsAt");
    String d = JsonFields.string(o, "duration", 20);
    Duration duration = d == null ? null : duration(d);
    if ((endsAt == null) == (duration == null)) {
      throw ReboundException.invalidField("endsAt", "give exactly one of endsAt and duration");
    }
    return new SilenceRequest(matchers, JsonFields.instant(o, "startsAt"), endsAt, duration,
        JsonFields.requiredString(o, "createdBy", 200), JsonFields.requiredString(o, "comment", 2000));
  }

  private static Duration duration(String text) {
    var m = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(text.trim());
    if (!m.matches()) {
      throw ReboundException.invalidField("duration", "must be a duration such as 30m, 2h or 1d, was '"
          + JsonFields.abbreviate(text, 20) + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration out = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (out.isZero() || out.compareTo(Duration.ofDays(365)) > 0) {
      throw ReboundException.invalidField("duration", "must be positive and at most a year");
    }
    return out;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("matchers", new JsonArray(new ArrayList<Object>(matchers)));
    JsonOut.putIfPresent(o, "startsAt", startsAt);
    JsonOut.putIfPresent(o, "endsAt", endsAt);
    if (duration != null) {
      o.put("duration", duration.toSeconds() + "s");
    }
    return o.put("createdBy", createdBy).put("comment", comment);
  }
}
