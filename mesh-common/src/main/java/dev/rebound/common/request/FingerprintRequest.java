package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.regex.Pattern;

/** One fingerprint: 16 lower-case hex digits. */
public record FingerprintRequest(String fingerprint) {
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{16}");
  private static final Set<String> FIELDS = Set.of("fingerprint");

  public FingerprintRequest {
    if (fingerprint == null || !FINGERPRINT.matcher(fingerprint).matches()) {
      throw ReboundException.invalidField("fingerprint", "must be 16 lower-case hex digits");
    }
  }

  /** From a path parameter; refused as the JSON form is. */
  public static FingerprintRequest of(String fingerprint) {
    return new FingerprintRequest(fingerprint);
  }

  public static FingerprintRequest fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    Object v = o.getValue("fingerprint");
    return new FingerprintRequest(v instanceof String s ? s : null);
  }

  public JsonObject toJson() {
    return new JsonObject().put("fingerprint", fingerprint);
  }
}
