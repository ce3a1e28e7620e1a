package dev.rebound.common.policy;

import java.util.Objects;

/**
 * A retry policy is invalid. {@link #field()} names the offending field by its full key path (for
 * example {@code retry.policies.tests.factor} when read from YAML, {@code factor} from a builder), so
 * the retry service can answer 400 and a deployment can fail at start with a line an operator can act on.
 */
public class PolicyException extends IllegalArgumentException {

  private final String field;
  private final String problem;

  public PolicyException(String field, String problem) {
    super(field + ": " + problem);
    this.field = Objects.requireNonNull(field, "field");
    this.problem = Objects.requireNonNull(problem, "problem");
  }

  /** The key path of the offending field. */
  public String field() {
    return field;
  }

  /** What is wrong with it, without the field name. */
  public String problem() {
    return problem;
  }

  /** The same problem, its field path prefixed by {@code path} (nothing changes for a blank path). */
  public PolicyException under(String path) {
    if (path == null || path.isEmpty()) {
      return this;
    }
    return new PolicyException(path + "." + field, problem);
  }

  /** Refuses {@code field} with {@code problem} unless {@code ok}: the validation of the config builders. */
  public static void check(boolean ok, String field, String problem) {
    if (!ok) {
      throw new PolicyException(field, problem);
    }
  }
}
