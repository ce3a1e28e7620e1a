package dev.rebound.ledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a circuit transition (or a person) does to a stage's pause. A stage's circuit
 * ({@code stage:<stage>}) opening pauses the stage: claims hand out none of its tasks. Half-open lets
 * exactly one probe through: the oldest task the retry service parked, else the next claimable one.
 * Closing (or disabling the circuit) resumes the stage and releases its parked tasks a few at a time.
 * Circuits of agents and dependencies do not pause a stage.
 *
 * <p>Every ledger instance receives every published transition, so each change is applied once by a
 * conditional write: a change carries the time it happened, and a pause only takes a change newer
 * than the last one it took (a repeat, or an old event arriving late, changes nothing).
 */
public final class StagePause {
  private StagePause() {
  }

  /** The states of a stage pause; a stage without one runs normally. */
  public enum State {
    /** Claims skip the stage. */
    PAUSED,
    /** Claims skip the stage except its one probe task. */
    PROBING,
    /** Resumed: claims run; the parked tasks are being released at the configured rate. */
    RELEASING;

    public boolean holdsClaims() {
      return this != RELEASING;
    }
  }

  /** The retry service's circuit states (its {@code CircuitState}, by name). */
  public enum CircuitState { CLOSED, OPEN, HALF_OPEN, FORCED_OPEN, DISABLED }

  /** What to do to the stage. */
  public enum Step {
    /** Pause the stage (no probe). */
    PAUSE,
    /** Keep the stage paused but let one probe task through. */
    PROBE,
    /** Resume the stage and release its parked tasks gradually. */
    RELEASE
  }

  /** What a circuit transition means for the ledger. */
  public sealed interface Verdict permits Change, Ignored {
  }

  /** A change to apply to {@code stage}, which happened {@code at}, by {@code actor}, because of {@code reason}. */
  public record Change(String stage, Step step, String reason, String actor, Instant at) implements Verdict {
  }

  /** Why an event is ignored: a name the ledger does not act on, or a malformed event. */
  public record Ignored(String why) implements Verdict {
  }

  private static final Map<CircuitState, Step> STEPS = Map.of(
      CircuitState.OPEN, Step.PAUSE, CircuitState.FORCED_OPEN, Step.PAUSE,
      CircuitState.HALF_OPEN, Step.PROBE,
      CircuitState.CLOSED, Step.RELEASE, CircuitState.DISABLED, Step.RELEASE);

  public static final String STAGE_PREFIX = "stage:";
  /** Parked tasks are released in windows of this length, at most the rate's share per window, over all instances. */
  public static final Duration RELEASE_WINDOW = Duration.ofSeconds(1);
  /** Circuits the ledger knows but does not pause a stage for. */
  private static final String[] OTHER_PREFIXES = {"agent:", "dependency:"};
  public static final int MAX_STAGE = 200;

  /** The step a circuit's new state asks of its stage. */
  public static Step stepFor(CircuitState to) {
    return STEPS.get(to);
  }

  /**
   * Judges one circuit transition: the change to make to a stage, or why there is none.
   *
   * @param name   the circuit's name, e.g. {@code stage:tests}
   * @param to     the new state's name
   * @param at     when it happened (required: it orders the changes)
   * @param reason why, as the retry service put it (may be null)
   * @param actor  the operator who made the change, or null when the rules did
   */
  public static Verdict judge(String name, String to, Instant at, String reason, String actor) {
    if (name == null || name.isBlank()) {
      return new Ignored("the event has no circuit name");
    }
    if (!name.startsWith(STAGE_PREFIX)) {
      for (String other : OTHER_PREFIXES) {
        if (name.startsWith(other)) {
          return new Ignored("circuit " + name + " does not pause a stage");
        }
      }
      return new Ignored("unknown circuit name (expected stage:, agent: or dependency:)");
    }
    String stage = name.substring(STAGE_PREFIX.length());
    if (stage.isEmpty() || stage.length() > MAX_STAGE || stage.indexOf('\0') >= 0) {
      return new Ignored("the stage of circuit name is empty, too long or holds a NUL character");
    }
    Optional<CircuitState> state = circuitState(to);
    if (state.isEmpty()) {
      return new Ignored("unknown circuit state");
    }
    if (at == null) {
      return new Ignored("the event has no time ('at')");
    }
    String why = reason == null || reason.isBlank()
        ? "circuit " + name + " is " + state.get() : "circuit " + name + " is " + state.get() + ": " + reason;
    return new Change(stage, stepFor(state.get()), why, actor == null || actor.isBlank() ? "circuit:" + name : actor, at);
  }

  static Optional<CircuitState> circuitState(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(CircuitState.valueOf(name.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A pause takes a change only if it is newer than the last one it took ({@code lastAt} null: no pause yet). */
  public static boolean takes(Instant lastAt, Instant changeAt) {
    return lastAt == null || changeAt.isAfter(lastAt);
  }

  /** The state a pause is in after {@code step}; null for none. */
  public static State after(Step step) {
    return switch (step) {
      case PAUSE -> State.PAUSED;
      case PROBE -> State.PROBING;
      case RELEASE -> State.RELEASING;
    };
  }

  /** How many parked tasks one release step may move: the rate per second over the step's interval, at least one. */
  public static int releaseBatch(int perSecond, Duration interval) {
    long n = (long) perSecond * interval.toMillis() / 1000;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, n));
  }
}
