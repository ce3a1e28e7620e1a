package dev.rebound.analyzer.domain;

import dev.rebound.common.classification.Category;
import dev.rebound.common.classification.Severity;
import dev.rebound.common.text.AsciiLower;
import dev.rebound.common.text.Redactor;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Turns a raw failure into a {@link Verdict}: redact → read codes → match the rule catalog →
 * fingerprint (the template) and signature (the underlying error, {@link ErrorSignature}) → weigh confidence (rule specificity, agreeing rules, history) → retry-after hint.
 *
 * <p>Thread-safe and allocation-light; one instance serves a whole service. The only state that
 * changes is the {@link TemplateMiner}'s learned templates (see {@link TemplateMiner#export()}).
 *
 * <pre>{@code
 * Classifier classifier = Classifier.builder(RuleCatalog.builtin()).clock(clock).build();
 * Verdict v = classifier.classify(FailureInput.ofMessage("connect ECONNREFUSED 10.0.0.7:5432"));
 * }</pre>
 *
 * <p>Specific rules decide first; when none matches, the catalog's general signals ({@code general-*} rules:
 * exception-type families, error codes, SQLSTATE classes, HTTP statuses and the words of a failure) decide with
 * a moderate confidence, and every broad verdict is held at {@link #BROAD_MAX_CONFIDENCE}.
 *
 * <p>A failure no rule recognises is {@link Category#UNKNOWN}, transient, with a confidence of at most
 * {@link #UNKNOWN_MAX_CONFIDENCE} and a recommendation to investigate: an unknown failure is never
 * declared permanent.
 */
public final class Classifier {

  public static final int DEFAULT_MAX_MESSAGE_CHARS = 16 * 1024;
  public static final long DEFAULT_REGEX_BUDGET_FLOOR = 100_000;
  public static final int DEFAULT_REGEX_BUDGET_PER_CHAR = 64;
  public static final double UNKNOWN_CONFIDENCE = 0.2;
  public static final double UNKNOWN_MAX_CONFIDENCE = 0.3;
  /**
   * A broad rule (negative priority: an HTTP status alone, a general signal such as an exception-type family or
   * a verb of failure, a catch-all) never claims more than this before history weighs in, however many other
   * broad rules agree: several vague hints do not make one certain verdict.
   */
  public static final double BROAD_MAX_CONFIDENCE = 0.8;
  /** History is only trusted once a fingerprint has been seen this often. */
  public static final int MIN_HISTORY = 3;

  static final String UNKNOWN_ROOT_CAUSE = "No rule in the catalog recognises this failure.";
  static final List<String> UNKNOWN_RECOMMENDATIONS = List.of(
      "Investigate manually: read the full log of the failed attempt and the state of its dependencies.",
      "Retry with backoff meanwhile; the failure is treated as transient until its cause is known.",
      "Once the cause is known, add a rule to the user catalog so the next occurrence is classified.");

  private final RuleCatalog catalog;
  private final RuleIndex index;
  private final Redactor redactor;
  private final Fingerprinter fingerprinter;
  private final RetryAfterExtractor retryAfter;
  private final int maxMessageChars;
  // One ThreadLocal lookup per verdict for all the per-thread scratch space.
  private final ThreadLocal<Work> work;

  private static final class Work {
    final RuleIndex.Scratch rules;

    Work(RuleIndex index) {
      rules = index.newScratch();
    }
  }

  private Classifier(Builder b) {
    this.catalog = b.catalog;
    // one automaton pass finds rule literals, redaction guards and code gates together
    String[] extra = new String[Redactor.GUARD_WORDS.length + Evidence.GATE_WORDS.length];
    System.arraycopy(Redactor.GUARD_WORDS, 0, extra, 0, Redactor.GUARD_WORDS.length);
    System.arraycopy(Evidence.GATE_WORDS, 0, extra, Redactor.GUARD_WORDS.length, Evidence.GATE_WORDS.length);
    this.index = new RuleIndex(b.catalog.rules(), b.regexBudgetFloor, b.regexBudgetPerChar, extra);
    this.redactor = new Redactor();
    this.fingerprinter = new Fingerprinter(b.miner);
    this.retryAfter = new RetryAfterExtractor(b.clock);
    this.maxMessageChars = b.maxMessageChars;
    this.work = ThreadLocal.withInitial(() -> new Work(index));
  }

  public static Builder builder(RuleCatalog catalog) {
    return new Builder(catalog);
  }

  public RuleCatalog catalog() {
    return catalog;
  }

  /** The learned templates; export them to persist, restore them into a fresh miner after a restart. */
  public TemplateMiner miner() {
    return fingerprinter.miner();
  }

  /** Number of rules that cannot be prefiltered and are tried on every failure (0 for the built-in catalog). */
  public int unindexedRules() {
    return index.unindexedRules();
  }

  /** Classifies a failure without history. */
  public Verdict classify(FailureInput input) {
    return classify(input, FingerprintHistory.NONE);
  }

  /** Classifies a failure, letting the fingerprint's history raise or lower the confidence. */
  public Verdict classify(FailureInput input, FingerprintHistory history) {
    Objects.requireNonNull(input, "input");
    history = history == null ? FingerprintHistory.NONE : history;
    List<String> reasons = new ArrayList<>(6);

    String message = input.message();
    if (message.length() > maxMessageChars) {
      reasons.add("message truncated from " + message.length() + " to " + maxMessageChars + " characters for analysis");
      message = cut(message, maxMessageChars);
    }
    String stackTrace = input.stackTrace();
    if (stackTrace != null && stackTrace.length() > maxMessageChars) {
      stackTrace = cut(stackTrace, maxMessageChars);
    }
    Work w = work.get();
    String lower = AsciiLower.of(message);
    index.scan(lower, w.rules);
    String redacted = redactor.redact(message, lower, w.rules.candidates, index.extraOffset());
    if (redacted != message) {
      lower = AsciiLower.of(redacted);
    }
    StackTraceSummary stack = stackTrace == null ? StackTraceSummary.EMPTY
        : StackTraceSummary.parse(redactor.redact(stackTrace));
    if (redacted.isBlank() && !stack.headLines().isEmpty()) {
      redacted = stack.headLines().get(0);
      lower = AsciiLower.of(redacted);
    }
    String text = Evidence.textWithHeads(redacted, stack);
    String textLower = text == redacted ? lower : AsciiLower.of(text);
    if (w.rules.scanned != textLower) {
      index.scan(textLower, w.rules); // redaction or the stack trace changed the text
    }
    Evidence evidence = new Evidence(input, redacted, text, textLower, stack, w.rules.candidates,
        index.extraOffset() + Redactor.GUARD_WORDS.length);
    RuleIndex.Matches matches = index.match(evidence, w.rules);
    for (String id : matches.budgetExceeded()) {
      reasons.add("rule " + id + " skipped: its pattern exceeded the evaluation budget");
    }

    RuleIndex.Compiled best = null;
    for (int i : matches.matched()) {
      RuleIndex.Compiled c = index.rule(i);
      if (best == null || better(c, best)) {
        best = c;
      }
    }
    Fingerprint fp = fingerprinter.fingerprint(redacted, discriminator(best, evidence, input), stack);
    ErrorSignature signature = ErrorSignature.of(best, best == null ? null : index.matchedText(best, evidence), evidence,
        redacted);
    if (best == null) {
      return unknown(fp, signature, redacted, history, reasons);
    }

    Rule rule = best.rule;
    double confidence = best.specificity;
    reasons.add(best.matchedReason);
    confidence += inferredPenalty(rule, evidence, reasons);
    confidence += agreement(best, matches.matched(), reasons);
    if (rule.priority() < 0 && confidence > BROAD_MAX_CONFIDENCE) {
      confidence = BROAD_MAX_CONFIDENCE;
      reasons.add("a broad rule decided: confidence held at " + BROAD_MAX_CONFIDENCE);
    }
    confidence += historyAdjustment(rule.transientFailure(), history, reasons);
    confidence = clamp(confidence, 0.05, 0.99);

    Long retryAfterMs = null;
    if (rule.retryAfter()) {
      OptionalLong hint = retryAfter.extractMillis(redacted);
      if (hint.isPresent()) {
        retryAfterMs = hint.getAsLong();
        reasons.add("retry-after hint of " + retryAfterMs + " ms read from the message");
      }
    }
    return new Verdict(fp.id(), signature.id(), fp.template(), redacted, rule.category(), rule.transientFailure(), round(confidence),
        rule.severity(), rule.id(), rule.rootCause(), rule.recommendations(), retryAfterMs, reasons);
  }

  private Verdict unknown(Fingerprint fp, ErrorSignature signature, String redacted, FingerprintHistory history, List<String> reasons) {
    double confidence = UNKNOWN_CONFIDENCE;
    reasons.add("no rule matched: unknown failures are treated as transient with low confidence");
    if (history.count() >= MIN_HISTORY && history.healedRate() >= 0.5) {
      confidence += 0.1 * history.healedRate();
      reasons.add("history: healed by retrying " + history.healedByRetry() + " of " + history.count() + " times");
    } else if (history.count() >= MIN_HISTORY && history.deadLetteredRate() + history.resolvedByPersonRate() >= 0.5) {
      confidence -= 0.1;
      reasons.add("history: dead-lettered " + history.deadLettered() + " and resolved by a person "
          + history.resolvedByPerson() + " of " + history.count() + " times; consider adding a rule");
    }
    confidence = clamp(confidence, 0.05, UNKNOWN_MAX_CONFIDENCE);
    OptionalLong hint = retryAfter.extractMillis(redacted);
    Long retryAfterMs = hint.isPresent() ? hint.getAsLong() : null;
    if (retryAfterMs != null) {
      reasons.add("retry-after hint of " + retryAfterMs + " ms read from the message");
    }
    return new Verdict(fp.id(), signature.id(), fp.template(), redacted, Category.UNKNOWN, true, round(confidence), Severity.WARNING,
        null, UNKNOWN_ROOT_CAUSE, UNKNOWN_RECOMMENDATIONS, retryAfterMs, reasons);
  }

  /** Higher priority wins, then higher specificity, then the earlier rule (catalog order). */
  private static boolean better(RuleIndex.Compiled a, RuleIndex.Compiled b) {
    if (a.rule.priority() != b.rule.priority()) {
      return a.rule.priority() > b.rule.priority();
    }
    if (a.specificity != b.specificity) {
      return a.specificity > b.specificity;
    }
    return a.index < b.index;
  }

  /** A code read out of the message text is a little less certain than one the caller reported. */
  private static double inferredPenalty(Rule rule, Evidence e, List<String> reasons) {
    Rule.Matchers m = rule.match();
    double penalty = 0;
    if (!m.httpStatus().isEmpty() && e.httpInferred) {
      reasons.add("HTTP status " + e.httpStatus + " read from the message");
      penalty -= 0.03;
    }
    if (!m.exitCodes().isEmpty() && e.exitInferred) {
      reasons.add("exit code " + e.exitCode + " read from the message");
      penalty -= 0.03;
    }
    if (!m.signals().isEmpty() && e.signalInferred) {
      reasons.add("signal " + e.signal + " read from the message");
      penalty -= 0.03;
    }
    if (!m.sqlStates().isEmpty() && e.sqlInferred) {
      reasons.add("SQLSTATE " + e.sqlState + " read from the message");
      penalty -= 0.02;
    }
    return penalty;
  }

  private double agreement(RuleIndex.Compiled best, int[] matched, List<String> reasons) {
    List<String> agree = new ArrayList<>(2);
    List<String> sameFlag = new ArrayList<>(2);
    List<String> disagree = new ArrayList<>(2);
    for (int i : matched) {
      RuleIndex.Compiled c = index.rule(i);
      if (c == best || c.general && !best.general) {
        continue; // a general signal restates a specific rule's evidence: not a second opinion
      }
      if (c.rule.transientFailure() != best.rule.transientFailure()) {
        disagree.add(c.rule.id());
      } else if (c.rule.category() == best.rule.category()) {
        agree.add(c.rule.id());
      } else {
        sameFlag.add(c.rule.id());
      }
    }
    double delta = Math.min(0.12, 0.04 * agree.size()) + Math.min(0.04, 0.02 * sameFlag.size())
        - Math.min(0.2, 0.1 * disagree.size());
    if (!agree.isEmpty()) {
      reasons.add("agreeing rules: " + String.join(", ", agree));
    }
    if (!sameFlag.isEmpty()) {
      reasons.add("rules agreeing on " + (best.rule.transientFailure() ? "transient" : "permanent") + " with another category: "
          + String.join(", ", sameFlag));
    }
    if (!disagree.isEmpty()) {
      reasons.add("rules disagreeing on transient/permanent: " + String.join(", ", disagree));
    }
    return delta;
  }

  private static double historyAdjustment(boolean transientFailure, FingerprintHistory h, List<String> reasons) {
    if (h.count() < MIN_HISTORY) {
      return 0;
    }
    double healed = h.healedRate();
    double stuck = h.deadLetteredRate() + h.resolvedByPersonRate();
    double delta = transientFailure ? 0.15 * (healed - stuck) : 0.15 * (stuck - healed);
    reasons.add(String.format(Locale.ROOT, "history of %d failures: healed by retry %d, dead-lettered %d, resolved by a person %d (%+.2f)",
        h.count(), h.healedByRetry(), h.deadLettered(), h.resolvedByPerson(), delta));
    return delta;
  }

  /** Messages sharing a template but not these codes or this rule are different errors. */
  private static String discriminator(RuleIndex.Compiled best, Evidence e, FailureInput input) {
    if (e.httpStatus == null && e.exitCode == null && e.sqlState == null && e.signal == null
        && input.exceptionType() == null) {
      return best == null ? "" : best.plainDiscriminator; // the common case: no allocation
    }
    StringBuilder sb = new StringBuilder(32);
    sb.append(best == null ? "" : best.rule.id()).append('|');
    if (e.httpStatus != null) sb.append(e.httpStatus);
    sb.append('|');
    if (e.exitCode != null) sb.append(e.exitCode);
    sb.append('|');
    if (e.signal != null) sb.append(e.signal);
    sb.append('|');
    if (e.sqlState != null) sb.append(e.sqlState);
    sb.append('|');
    if (input.exceptionType() != null) sb.append(ExceptionNames.simpleName(input.exceptionType()));
    return sb.toString();
  }

  private static String cut(String s, int max) {
    int end = max;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    return s.substring(0, end);
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Builds a {@link Classifier}; only the catalog is required. */
  public static final class Builder {
    private final RuleCatalog catalog;
    private TemplateMiner miner = new TemplateMiner();
    private Clock clock = Clock.systemUTC();
    private int maxMessageChars = DEFAULT_MAX_MESSAGE_CHARS;
    private long regexBudgetFloor = DEFAULT_REGEX_BUDGET_FLOOR;
    private int regexBudgetPerChar = DEFAULT_REGEX_BUDGET_PER_CHAR;

    private Builder(RuleCatalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    /** The template miner holding learned state (restore it before passing it in). */
    public Builder miner(TemplateMiner miner) {
      this.miner = Objects.requireNonNull(miner, "miner");
      return this;
    }

    /** Clock for time-relative hints such as {@code x-ratelimit-reset: <epoch>}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Longer messages (and stack traces) are cut to this many characters before analysis. */
    public Builder maxMessageChars(int max) {
      if (max < 256) {
        throw new IllegalArgumentException("maxMessageChars must be at least 256, was " + max);
      }
      this.maxMessageChars = max;
      return this;
    }

    /**
     * Bounds every regex evaluation to {@code max(floor, perChar * textLength)} character reads; a
     * pattern that needs more is treated as not matching and reported in the verdict's reasons.
     */
    public Builder regexBudget(long floor, int perChar) {
      if (floor < 1000 || perChar < 1) {
        throw new IllegalArgumentException("regex budget floor must be at least 1000 and perChar positive");
      }
      this.regexBudgetFloor = floor;
      this.regexBudgetPerChar = perChar;
      return this;
    }

    public Classifier build() {
      return new Classifier(this);
    }
  }
}
