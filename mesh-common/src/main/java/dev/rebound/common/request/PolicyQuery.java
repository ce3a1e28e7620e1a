package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One stage's retry policy, as Rebound writes it ({@code format} absent or {@code rebound}), as an Argo
 * Workflows {@code retryStrategy} ({@code argo}) or as an AWS Step Functions {@code Retry} block
 * ({@code stepfunctions}).
 */
public record PolicyQuery(String stage, Format format) {
  public static final int MAX_STAGE = 200;
  private static final Set<String> FIELDS = Set.of("stage", "format");

  /** Written in lower case on the wire. */
  public enum Format { REBOUND, ARGO, STEPFUNCTIONS }

  public PolicyQuery {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(format, "format");
  }

  public static PolicyQuery fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    String format = JsonFields.string(o, "format", 20);
    Format f = Format.REBOUND;
    if (format != null) {
      try {
        f = Format.valueOf(format.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ReboundException.invalidField("format", "must be one of rebound, argo, stepfunctions, was '"
            + JsonFields.abbreviate(format, 20) + "'");
      }
    }
    return new PolicyQuery(stage(o), f);
  }

  /** The required, non-blank {@code stage} of a request. */
  static String stage(JsonObject o) {
    String stage = JsonFields.requiredString(o, "stage", MAX_STAGE);
    if (stage.isBlank()) {
      throw ReboundException.invalidField("stage", "must not be blank");
    }
    return stage;
  }

  public JsonObject toJson() {
    return new JsonObject().put("stage", stage).put("format", format.name().toLowerCase(Locale.ROOT));
  }
}
