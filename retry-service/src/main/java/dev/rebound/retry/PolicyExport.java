package dev.rebound.retry;

import dev.rebound.common.policy.Backoff;
import dev.rebound.common.policy.Jitter;
import dev.rebound.common.policy.RetryPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's policy in other engines' words, so teams running them keep one source of truth:
 * <ul>
 *   <li>Argo Workflows {@code retryStrategy}: {@code limit}, {@code retryPolicy}, {@code backoff {duration,
 *       factor, maxDuration}} (durations as strings with a unit; {@code maxDuration} is the policy's deadline);</li>
 *   <li>AWS Step Functions {@code Retry}: one retrier {@code {ErrorEquals, IntervalSeconds, MaxAttempts,
 *       BackoffRate, MaxDelaySeconds, JitterStrategy}}.</li>
 * </ul>
 * Neither can say everything a Rebound policy says; what is approximated is listed in {@code notes}.
 */
final class PolicyExport {
  private PolicyExport() {
  }

  static JsonObject argo(String stage, RetryPolicy p) {
    List<String> notes = new ArrayList<>();
    Backoff b = p.backoff();
    JsonObject backoff = new JsonObject().put("duration", duration(b.first()));
    double factor = switch (b.kind()) {
      case EXPONENTIAL -> ((Backoff.Exponential) b).factor();
      case FIXED -> 1.0;
      case LINEAR -> {
        notes.add("linear backoff has no Argo equivalent: exported as a fixed " + duration(b.first()) + " interval");
        yield 1.0;
      }
      case CUSTOM -> {
        notes.add("a custom list of delays has no Argo equivalent: exported as a fixed first delay");
        yield 1.0;
      }
    };
    backoff.put("factor", factor == Math.rint(factor) ? (Object) (int) factor : String.valueOf(factor));
    p.deadline().ifPresent(d -> backoff.put("maxDuration", duration(d)));
    if (p.jitter() != Jitter.NONE) {
      notes.add("Argo backoff has no jitter: '" + p.jitter().jsonName() + "' jitter is left out");
    }
    notes.add("Argo caps nothing per delay: the policy's maxDelay of " + duration(p.maxDelay()) + " is left out");
    notes.add("retryPolicy Always: Rebound's analyzer decides transient or permanent, Argo cannot");
    JsonObject strategy = new JsonObject().put("limit", p.maxRetries()).put("retryPolicy", "Always")
        .put("backoff", backoff);
    return new JsonObject().put("stage", stage).put("format", "argo").put("retryStrategy", strategy)
        .put("notes", new JsonArray(notes));
  }

  static JsonObject stepFunctions(String stage, RetryPolicy p) {
    List<String> notes = new ArrayList<>();
    Backoff b = p.backoff();
    long interval = seconds(b.first(), "IntervalSeconds", notes);
    double rate = switch (b.kind()) {
      case EXPONENTIAL -> ((Backoff.Exponential) b).factor();
      case FIXED -> 1.0;
      case LINEAR -> {
        notes.add("linear backoff has no Step Functions equivalent: exported as a fixed interval");
        yield 1.0;
      }
      case CUSTOM -> {
        notes.add("a custom list of delays has no Step Functions equivalent: exported as a fixed first delay");
        yield 1.0;
      }
    };
    String jitter = switch (p.jitter()) {
      case NONE -> "NONE";
      case FULL -> "FULL";
      default -> {
        notes.add("Step Functions knows FULL and NONE jitter only: '" + p.jitter().jsonName() + "' exported as FULL");
        yield "FULL";
      }
    };
    p.deadline().ifPresent(d -> notes.add("the deadline of " + duration(d)
        + " has no retrier field: set the state's TimeoutSeconds or the execution's timeout"));
    JsonObject retrier = new JsonObject().put("ErrorEquals", new JsonArray().add("States.ALL"))
        .put("IntervalSeconds", interval).put("MaxAttempts", p.maxRetries()).put("BackoffRate", rate)
        .put("MaxDelaySeconds", seconds(p.maxDelay(), "MaxDelaySeconds", notes)).put("JitterStrategy", jitter);
    return new JsonObject().put("stage", stage).put("format", "stepfunctions")
        .put("Retry", new JsonArray().add(retrier)).put("notes", new JsonArray(notes));
  }

  /** Whole seconds, at least 1 (Step Functions' smallest interval), rounded up. */
  private static long seconds(Duration d, String field, List<String> notes) {
    long ms = d.toMillis();
    long s = Math.max(1, (ms + 999) / 1000);
    if (s * 1000 != ms) {
      notes.add(field + " is whole seconds: " + duration(d) + " rounded up to " + s + "s");
    }
    return s;
  }

  /** Argo's duration strings: {@code 30s}, {@code 2m}, {@code 1500ms}. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
