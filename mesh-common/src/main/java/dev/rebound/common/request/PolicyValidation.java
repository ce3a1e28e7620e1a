package dev.rebound.common.request;

import dev.rebound.common.JsonFields;
import dev.rebound.common.ReboundException;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * A retry policy to check: {@code policy} is a map of policy fields as JSON or as the YAML file writes
 * them (scalars as text, kebab-case keys). With {@code stage} the fields override that stage's policy, as
 * {@code retry.policies.<stage>} does; without, they override the built-in defaults.
 */
public record PolicyValidation(String stage, JsonObject policy) {
  private static final Set<String> FIELDS = Set.of("stage", "policy");

  public PolicyValidation {
    Objects.requireNonNull(policy, "policy");
  }

  public static PolicyValidation fromJson(JsonObject o) {
    JsonFields.rejectUnknown(o, FIELDS);
    JsonObject policy = JsonFields.object(o, "policy");
    if (policy == null) {
      throw ReboundException.invalidField("policy", "is required: a map of policy fields (backoff, base, maxRetries, …)");
    }
    String stage = o.containsKey("stage") ? PolicyQuery.stage(o) : null;
    return new PolicyValidation(stage, policy);
  }

  public JsonObject toJson() {
    return JsonOut.putIfPresent(new JsonObject(), "stage", stage).put("policy", policy);
  }
}
